"""The Lagrangian bound in a run (``solver.bound_rounds``, docs/model.md §5.3): computed before
HiGHS, never below the optimum HiGHS proves, in summary.json, the console and the report, and
absent where the setting, the size or a missing start leaves it out."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.generate import generate_region
from model.lagrangian_bound import (
    AUTO_BOUND_ROUNDS,
    BOUND_FROM_PAIRS,
    LagrangianBound,
    bound_rounds_for,
    bound_sentence,
    lagrangian_bound,
)
from model.pipeline import remaining_time, solve
from model.region import load_region
from model.report.content import outcome_sentence, solver_section
from model.scenario import load_scenario, scenario_from_dict
from solvers.base import SolverOptions
from tests.inprocess import run_main


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bound") / "r"
    generate_region(folder, 60, 2, types=6, sectors=5, spacing_km=30)
    return folder


def _scenario(folder: Path, region: Path, solver: dict[str, Any]) -> Path:
    path = folder / "s.yaml"
    data = {"name": "bound", "region": str(region), "solver": {"mip_gap": 0.0, **solver}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_bound_of_a_run_is_at_least_its_proven_optimum(generated: Path, tmp_path: Path) -> None:
    loaded = load_scenario(_scenario(tmp_path, generated, {"bound_rounds": 40}))
    result = solve(loaded, load_region(generated), with_bound=True)
    assert result.status == "optimal" and result.objective is not None
    assert result.instance.pair_count > 0
    found = result.lagrangian
    assert found is not None and 1 <= found.rounds <= 40
    assert found.value >= result.objective - 1e-7 * max(1.0, abs(result.objective))
    assert result.timings["bound"] == pytest.approx(found.seconds)
    record = found.to_dict(result.objective)
    assert record["value"] == found.value and record["rounds"] == found.rounds
    assert record["gap"] == pytest.approx(
        (found.value - result.objective) / abs(result.objective), abs=1e-9
    )
    # the report's solver table lists it
    table = solver_section(result).blocks[1]
    assert any(row[0] == "Lagrangian bound (§5.3)" for row in table.rows)  # type: ignore[union-attr]


def test_summary_and_console_of_a_run(generated: Path, tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, generated, {"bound_rounds": 25})
    out = tmp_path / "out"
    done = run_main("run", str(scenario), "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    bound = summary["lagrangian_bound"]
    assert bound["value"] >= summary["objective"] - 1e-7
    assert 1 <= bound["rounds"] <= 25 and bound["gap"] >= 0
    assert "bound" in summary["timings"]
    assert "Lagrangian bound (docs/model.md §5.3, " in done.stdout
    assert f"the optimum is at most {bound['value']:.4f}" in done.stdout


def test_none_without_rounds_or_below_the_auto_size(generated: Path, tmp_path: Path) -> None:
    region = load_region(generated)
    off = load_scenario(_scenario(tmp_path, generated, {"bound_rounds": 0}))
    result = solve(off, region, with_bound=True)
    assert result.lagrangian is None and "bound" not in result.timings
    auto = solve(load_scenario(_scenario(tmp_path, generated, {})), region, with_bound=True)
    assert auto.instance.pair_count < BOUND_FROM_PAIRS and auto.lagrangian is None
    assert bound_rounds_for("auto", BOUND_FROM_PAIRS - 1) == 0
    assert bound_rounds_for("auto", BOUND_FROM_PAIRS) == AUTO_BOUND_ROUNDS
    assert bound_rounds_for(12, 5) == 12
    # the re-solves of sweeps, samples and the studio leave it out
    rounds = load_scenario(_scenario(tmp_path, generated, {"bound_rounds": 10}))
    assert solve(rounds, region).lagrangian is None


def test_highs_gets_the_time_limit_less_the_search_and_the_bound(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import solvers.highs

    given: list[SolverOptions] = []
    original = solvers.highs.solve_program

    def spy(lp: Any, options: SolverOptions, start: Any = None) -> Any:
        given.append(options)
        return original(lp, options, start)

    monkeypatch.setattr(solvers.highs, "solve_program", spy)
    region = load_region(generated)
    solver = {"bound_rounds": 10, "time_limit": 60}
    result = solve(load_scenario(_scenario(tmp_path, generated, solver)), region, with_bound=True)
    assert result.warm_start is not None and result.lagrangian is not None
    spent = result.warm_start.seconds + result.lagrangian.seconds
    assert given[-1].time_limit == pytest.approx(60 - spent)
    # without the bound, the search's seconds only
    result = solve(load_scenario(_scenario(tmp_path, generated, solver)), region)
    assert result.warm_start is not None
    assert given[-1].time_limit == pytest.approx(60 - result.warm_start.seconds)


def test_a_time_limited_report_names_the_bound(generated: Path, tmp_path: Path) -> None:
    """The sentence a planner reads when HiGHS stops at its limit carries the bound (the
    outcome is made a time-limited one here: on a region this small HiGHS proves it)."""
    from dataclasses import replace

    from solvers.base import Status

    loaded = load_scenario(_scenario(tmp_path, generated, {"bound_rounds": 10}))
    result = solve(loaded, load_region(generated), with_bound=True)
    assert result.outcome is not None and result.lagrangian is not None
    limited = replace(
        result,
        status="time_limit",
        outcome=replace(result.outcome, status=Status.TIME_LIMIT),
        lagrangian=LagrangianBound(result.objective * 1.5, 10, 0.1),  # type: ignore[operator]
    )
    sentence, proven = outcome_sentence(limited)
    assert not proven
    assert "the optimum is at most" in sentence and "within 50.0% of it" in sentence


def test_the_sentence_of_degenerate_bounds() -> None:
    assert "no round finished" in bound_sentence(LagrangianBound(float("inf"), 0, 0.0), 1.0)
    infeasible = bound_sentence(LagrangianBound(float("-inf"), 0, 0.0), None)
    assert "rules 1 and 2 cannot hold together" in infeasible
    # an objective of 0: no relative gap (it has no scale), the bound itself is still said
    text = bound_sentence(LagrangianBound(0.5, 3, 0.0), 0.0)
    assert "at most 0.5000" in text and "within" not in text
    assert LagrangianBound(0.5, 3, 0.0).to_dict(0.0)["gap"] is None
    assert LagrangianBound(2.0, 1, 0.0).to_dict(None)["gap"] is None
    # a solver bound tighter than this one is named; a looser one is not
    tighter = bound_sentence(LagrangianBound(20.0, 3, 0.0), 10.0, 17.0)
    assert "within 100.0% of it (the solver's own bound, 17.0000, is tighter)" in tighter
    assert "tighter" not in bound_sentence(LagrangianBound(20.0, 3, 0.0), 10.0, 80000.0)


def test_no_round_starts_after_the_deadline(generated: Path) -> None:
    from model.instance import build_instance, compute_indicators

    region = load_region(generated)
    scenario = scenario_from_dict({"name": "g", "region": str(generated)}).scenario
    instance = build_instance(region, scenario, compute_indicators(region, scenario))
    found = lagrangian_bound(instance, 0.0, 200, deadline=time.perf_counter() - 1.0)
    assert found.rounds == 1  # the first round always runs, so there is a bound


def test_the_solver_keeps_half_or_a_quarter_of_the_time_limit() -> None:
    assert remaining_time(SolverOptions(time_limit=60.0), 10.0).time_limit == 50.0
    assert remaining_time(SolverOptions(time_limit=60.0), 50.0).time_limit == 30.0
    assert remaining_time(SolverOptions(time_limit=60.0), 50.0, least=0.25).time_limit == 15.0
    assert remaining_time(SolverOptions(), 45.0).time_limit is None


@pytest.mark.parametrize("value", [-1, 100_001, "many", 2.5])
def test_a_bad_setting_is_refused(value: Any, generated: Path, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="bound_rounds"):
        scenario_from_dict(
            {"name": "g", "region": str(generated), "solver": {"bound_rounds": value}}
        )
    scenario = _scenario(tmp_path, generated, {})
    out = tmp_path / "out"
    setting = f"solver.bound_rounds={value}"
    done = run_main("run", str(scenario), "--set", setting, "--out", str(out))
    assert done.returncode == 2 and "bound_rounds" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()
