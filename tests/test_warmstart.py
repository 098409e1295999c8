"""The greedy MIP start (model/warmstart.py): checked like any solution, handed to HiGHS,
reported with its own objective, and never better than the optimum."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyomo.environ as pyo
import pytest

from model.formulation import build_model
from model.instance import build_instance, compute_indicators
from model.matrix_model import build_program
from model.pipeline import solve, warm_start
from model.region import load_region
from model.results import evaluate
from model.scenario import check_against_region, scenario_from_dict
from model.warmstart import greedy_siting, start_values, start_vector
from solvers.base import SolverOptions
from solvers.highs import HighsAdapter, solve_from_start, solve_program
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import write_random_instance

ROOT = Path(__file__).resolve().parent.parent
SMOLENSK = ROOT / "data" / "smolensk"


def _setup(data: dict[str, object], region_dir: Path = SMOLENSK):  # type: ignore[no-untyped-def]
    loaded = scenario_from_dict(data, ROOT)
    region = load_region(region_dir)
    check_against_region(loaded, region)
    tables = compute_indicators(region, loaded.scenario)
    return loaded, region, tables, build_instance(region, loaded.scenario, tables)


@pytest.mark.parametrize("form", ["pairs", "compact"])
def test_start_values_give_the_model_the_recomputed_objective(form: str) -> None:
    """The y, x and cooperation columns written for the start make the model's objective equal
    to the objective recomputed from the data (so the cooperation columns are right)."""
    loaded, region, tables, instance = _setup({"name": "w", "solver": {"cooperation": form}})
    model = build_model(instance)
    warm, greedy = warm_start(instance, region, loaded.scenario, tables)
    assert warm.note.startswith("greedy") and warm.objective is not None and warm.cores > 0
    assert greedy is not None
    start_values(model, instance, greedy)
    assert pyo.value(model.objective) == pytest.approx(warm.objective, abs=1e-9)
    # the same values as one vector over the program's columns (the HiGHS path)
    program = build_program(instance)
    assert program is not None and program.form == form
    vector = start_vector(instance, greedy, program.compact)
    assert float(program.lp.cost @ vector) == pytest.approx(warm.objective, abs=1e-9)


def test_highs_receives_the_start() -> None:
    """With no time to search, HiGHS returns the start itself; without it, nothing."""
    loaded, region, tables, instance = _setup({"name": "w"})
    model = build_model(instance)
    warm, greedy = warm_start(instance, region, loaded.scenario, tables)
    assert greedy is not None
    start_values(model, instance, greedy)
    outcome = solve_from_start(model, SolverOptions(time_limit=1e-9))
    assert outcome.has_solution
    assert outcome.objective == pytest.approx(warm.objective, abs=1e-9)
    cold = HighsAdapter().solve(build_model(instance), SolverOptions(time_limit=1e-9))
    assert not cold.has_solution
    # and through the arrays, as a run hands it over
    program = build_program(instance)
    assert program is not None
    start = start_vector(instance, greedy, program.compact)
    outcome, values = solve_program(program.lp, SolverOptions(time_limit=1e-9), start)
    assert outcome.has_solution and values is not None
    assert outcome.objective == pytest.approx(warm.objective, abs=1e-9)
    found = program.solution(values, instance)
    assert set(found.cores) == set(greedy.cores) and set(found.members) == set(greedy.members)
    cold, nothing = solve_program(program.lp, SolverOptions(time_limit=1e-9))
    assert not cold.has_solution and nothing is None


def test_run_reports_the_start_in_summary_json() -> None:
    from model.output import summary_dict
    from model.pipeline import solve_scenario_file

    result = solve_scenario_file(ROOT / "scenarios" / "baseline.yaml")
    assert result.warm_start is not None and result.warm_start.objective is not None
    assert result.warm_start.objective <= result.objective + 1e-9
    summary = json.loads(json.dumps(summary_dict(result)))  # as summary.json holds it
    assert summary["warm_start"]["objective"] == pytest.approx(result.warm_start.objective)
    # on the baseline the relocation search moves one core of the greedy siting
    assert summary["warm_start"]["note"] == "greedy, then 1 relocation"
    assert summary["model_size"]["cooperation"] == "pairs"


def test_a_start_that_breaks_a_rule_is_dropped_with_the_reason() -> None:
    # greedy sites every type (each is worth something) and ignores the budget of two cores
    data = {
        "name": "w",
        "rules": {
            "sites": {"default": {"min": 0, "max": 1}},
            "budget": {"limit": 2, "default_cost": 1},
        },
    }
    loaded, region, tables, instance = _setup(data)
    warm, greedy = warm_start(instance, region, loaded.scenario, tables)
    assert warm.objective is None and warm.cores > 2
    assert warm.note.startswith("dropped: the greedy siting breaks a rule (budget")
    assert greedy is None  # nothing handed over
    result = solve(loaded, region)  # solved without a start
    assert result.status == "optimal" and len(result.core_set()) == 2
    assert result.warm_start is not None and result.warm_start.objective is None


def test_greedy_gives_up_when_a_minimum_cannot_be_met() -> None:
    # two cores of every type but one core per district in a region where a type has one site
    _loaded, _region, _tables, instance = _setup(
        {"name": "w", "rules": {"sites": {"default": {"min": 27, "max": 27}}}}
    )
    assert greedy_siting(instance) is None


def test_nothing_to_gain_gives_a_zero_start() -> None:
    loaded, region, tables, instance = _setup(
        {"name": "w", "weights": {"fit": 0, "export": 0, "member": 0, "coop": 0}}
    )
    warm, _greedy = warm_start(instance, region, loaded.scenario, tables)
    assert warm.objective == 0.0
    result = solve(loaded, region)
    assert result.objective == 0.0


def test_greedy_never_beats_enumeration_on_tiny_instances(tmp_path: Path) -> None:
    checked = 0
    for seed in range(40):
        folder = tmp_path / str(seed)
        scenario = {"name": f"t{seed}", **write_random_instance(random.Random(seed), folder)}
        region_dir = Path(str(scenario["region"]))
        status, best = solve_by_enumeration(region_dir, scenario)
        loaded, region, tables, instance = _setup(scenario, region_dir)
        solution = greedy_siting(instance)
        if solution is None:
            continue
        evaluation = evaluate(solution, region, loaded.scenario, tables)
        if evaluation.violations:
            continue
        checked += 1
        assert status == "optimal"  # a feasible greedy siting proves feasibility
        assert evaluation.objective <= best + 1e-9
    assert checked >= 15
