"""Every shipped scenario solves to optimality on the embedded data and meets its own policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.pipeline import RunResult, solve_scenario_file

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def results() -> dict[str, RunResult]:
    return {path.stem: solve_scenario_file(path) for path in SCENARIOS}


@pytest.mark.parametrize("name", [p.stem for p in SCENARIOS])
def test_scenario_is_optimal_and_sites_every_type(name: str, results: dict[str, RunResult]) -> None:
    result = results[name]
    assert result.status == "optimal"
    cores = result.assignments[result.assignments["role"] == "core"]
    assert sorted(cores["cluster_type"]) == sorted(result.instance.types)


def cores_of(result: RunResult) -> list[tuple[str, str]]:
    table = result.assignments[result.assignments["role"] == "core"]
    return list(zip(table["cluster_type"], table["district"], strict=True))


def test_cross_border_puts_three_cores_on_the_border(results: dict[str, RunResult]) -> None:
    result = results["cross_border"]
    border = set(result.region.districts.index[result.region.districts["border"]])
    assert sum(1 for _, district in cores_of(result) if district in border) >= 3
    assert "light_industry" in dict(cores_of(result))


def test_periphery_caps_the_big_towns(results: dict[str, RunResult]) -> None:
    towns = {
        "smolensk",
        "desnogorsk",
        "vyazemsky",
        "roslavlsky",
        "safonovsky",
        "yartsevsky",
        "gagarinsky",
    }
    assert sum(1 for _, district in cores_of(results["periphery"]) if district in towns) <= 2


def test_existing_parks_keeps_its_locks(results: dict[str, RunResult]) -> None:
    cores = set(cores_of(results["existing_parks"]))
    assert {
        ("plastics", "safonovsky"),
        ("machinery", "smolensky"),
        ("metallurgy", "smolensk"),
    } <= cores


def test_inter_district_adds_chemicals_with_wider_catchments(results: dict[str, RunResult]) -> None:
    result = results["inter_district"]
    assert "chemicals" in dict(cores_of(result))
    members = result.assignments[result.assignments["role"] == "member"]
    assert members.groupby(["cluster_type", "core"]).size().max() <= 6
    times = result.tables.times
    assert all(times.at[row.core, row.district] <= 90 for row in members.itertuples())


def test_compact_keeps_every_core_near_a_federal_road(results: dict[str, RunResult]) -> None:
    result = results["compact"]
    corridor = result.tables.corridor_minutes
    assert all(corridor[district] <= 30 for _, district in cores_of(result))


def test_fixed_policies_cost_objective_against_the_free_baseline(
    results: dict[str, RunResult],
) -> None:
    """Adding a restriction to the baseline can never raise its optimum."""
    baseline = results["baseline"].objective
    assert baseline is not None
    for name in ("periphery", "existing_parks", "compact"):
        objective = results[name].objective
        assert objective is not None and objective <= baseline + 1e-9, name
