"""Infeasible scenarios built on purpose: the diagnosis names exactly the conflicting rules.

Each case states, from the data, why its rules conflict; the expected conflict is written down
by hand, and the test also checks the defining property of an irreducible conflict: relaxing
any one of its rules alone lets the remaining ones hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from model.cli import main
from model.conflicts import find_conflict, is_feasible
from model.instance import compute_indicators
from model.pipeline import solve
from model.region import load_region
from model.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = load_region(REPO / "data" / "smolensk")
SIX = ["plastics", "metallurgy", "machinery", "building_materials", "wood", "food"]


def scenario_file(tmp_path: Path, rules: dict, **extra: object) -> Path:
    path = tmp_path / "s.yaml"
    data = {"name": "probe", "region": str(REPO / "data" / "smolensk"), "rules": rules, **extra}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


CASES = [
    pytest.param(
        # two locks in one district, one core allowed per district
        {
            "clusters": SIX,
            "max_clusters_per_district": 1,
            "lock": [
                {"cluster": "wood", "district": "velizhsky"},
                {"cluster": "food", "district": "velizhsky"},
            ],
        },
        {"rules.max_clusters_per_district", "rules.lock[0]", "rules.lock[1]"},
        id="two-locks-one-slot",
    ),
    pytest.param(
        # a lock on a forbidden site
        {
            "clusters": SIX,
            "lock": [{"cluster": "wood", "district": "gagarinsky"}],
            "forbid": [{"cluster": "wood", "district": "gagarinsky"}],
        },
        {"rules.lock[0]", "rules.forbid[0]"},
        id="lock-and-forbid",
    ),
    pytest.param(
        # metallurgy needs a federal road within 30 min; Velizh has none (Velizhsky's roads
        # are regional and local), so the lock meets the corridor rule
        {"clusters": SIX, "lock": [{"cluster": "metallurgy", "district": "velizhsky"}]},
        {"rules.lock[0]", "rules.corridor.types:metallurgy"},
        id="lock-against-corridor",
    ),
    pytest.param(
        # six types, one core each, but eight border cores asked for
        {"clusters": SIX, "min_border_sites": 8},
        {"rules.min_border_sites"} | {f"rules.sites.{k}.max" for k in SIX},
        id="border-minimum-above-the-six-cores",
    ),
    pytest.param(
        # every core must be in the two urban okrugs, which hold at most 2 x 2 cores
        {
            "clusters": SIX,
            "groups": [{"name": "towns", "districts": ["smolensk", "desnogorsk"], "min_sites": 6}],
        },
        {"rules.groups[0].min_sites", "rules.max_clusters_per_district"},
        id="group-floor-above-capacity",
    ),
    pytest.param(
        # six cores at cost 1 each, budget 5
        {"clusters": SIX, "budget": {"limit": 5, "default_cost": 1.0}},
        {"rules.budget"} | {f"rules.sites.{k}.min" for k in SIX},
        id="budget-below-six-cores",
    ),
]


@pytest.mark.parametrize(("rules", "expected"), CASES)
def test_the_conflict_is_exactly_the_rules_at_fault(
    rules: dict, expected: set, tmp_path: Path
) -> None:
    loaded = load_scenario(scenario_file(tmp_path, rules))
    result = solve(loaded, SMOLENSK)
    assert result.status == "infeasible"
    assert set(result.conflict) == expected
    assert result.diagnosis and "cannot" in result.diagnosis[0]


@pytest.mark.parametrize(("rules", "expected"), CASES)
def test_the_conflict_is_irreducible(rules: dict, expected: set, tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path, rules)).scenario
    tables = compute_indicators(SMOLENSK, scenario)
    conflict = find_conflict(SMOLENSK, scenario, tables)
    assert conflict
    assert not is_feasible(SMOLENSK, scenario, tables, [])
    # dropping every rule outside the conflict leaves it infeasible ...
    from model.conflicts import candidate_rules

    outside = [r for r in candidate_rules(scenario, SMOLENSK) if r.key not in expected]
    assert not is_feasible(SMOLENSK, scenario, tables, outside)
    # ... and dropping any one rule of the conflict as well makes it feasible
    for rule in conflict:
        assert is_feasible(SMOLENSK, scenario, tables, [*outside, rule]), rule.key


def test_infeasible_run_writes_the_conflict_and_exits_3(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        {"clusters": SIX, "lock": [{"cluster": "metallurgy", "district": "velizhsky"}]},
    )
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 3
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible"
    assert set(summary["conflict"]) == {"rules.lock[0]", "rules.corridor.types:metallurgy"}
    assert any("metallurgy in velizhsky" in line for line in summary["diagnosis"])
    assert not (out / "assignments.csv").exists()


def test_a_feasible_scenario_has_no_conflict(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path, {"clusters": SIX})).scenario
    tables = compute_indicators(SMOLENSK, scenario)
    assert find_conflict(SMOLENSK, scenario, tables) == []
