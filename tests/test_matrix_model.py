"""The siting model made as arrays (model/matrix_model.py) against the Pyomo model compiled by
solvers/standard_form.py: the same program, array for array and bit for bit, on every shipped
scenario, a policy-heavy scenario, generated regions with one to three cores per type, random
tiny instances and degenerate cases, in both cooperation forms. A run with HiGHS solves the
arrays; the enumeration tests (tests/test_cooperation_forms.py, tests/test_bruteforce*.py)
check its answers."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.formulation import build_model
from model.generate import generate_region
from model.instance import SitingInstance, build_instance, compute_indicators
from model.matrix_model import build_program
from model.pipeline import solve
from model.region import load_region
from model.scenario import check_against_region, load_scenario, scenario_from_dict
from solvers.base import SolverOptions
from solvers.highs import HighsAdapter, solve_program
from solvers.standard_form import InfeasibleConstantError, compile_model
from tests.reference.tiny import write_random_instance

ROOT = Path(__file__).resolve().parent.parent
SMOLENSK = ROOT / "data" / "smolensk"
ARRAYS = (
    "cost",
    "col_lower",
    "col_upper",
    "integrality",
    "row_lower",
    "row_upper",
    "a_start",
    "a_index",
    "a_value",
)
POLICY = {
    "name": "policy",
    "rules": {
        "sites": {"default": {"min": 0, "max": 2}},
        "lock": [
            {"cluster": "wood", "districts": ["velizhsky", "sychyovsky"]},
            {"cluster": "machinery", "district": "roslavlsky"},
        ],
        "groups": [
            {
                "name": "g",
                "districts": ["smolensk", "safonovsky", "vyazemsky"],
                "types": ["wood", "food"],
                "max_sites": 2,
            },
            {"name": "h", "districts": ["roslavlsky", "desnogorsk"], "min_sites": 1},
        ],
        "budget": {"limit": 6, "default_cost": 1, "costs": {"smolensk": 2, "vyazemsky": 0}},
        "min_border_sites": 2,
    },
}


def _instance(data: dict[str, Any], region_dir: Path = SMOLENSK) -> SitingInstance:
    loaded = scenario_from_dict(data, ROOT)
    region = load_region(region_dir)
    check_against_region(loaded, region)
    return build_instance(region, loaded.scenario, compute_indicators(region, loaded.scenario))


def assert_same_program(instance: SitingInstance, form: str) -> None:
    """The arrays equal the compiled Pyomo model exactly, or both say a row cannot hold."""
    try:
        compiled = compile_model(build_model(instance, form))
    except InfeasibleConstantError:
        assert build_program(instance, form) is None
        return
    program = build_program(instance, form)
    assert program is not None and program.form == form
    made = program.lp
    assert made.maximize is compiled.maximize is True
    assert made.offset == compiled.offset == 0.0
    assert made.num_col == compiled.num_col and made.num_row == compiled.num_row
    for name in ARRAYS:
        ours, theirs = getattr(made, name), getattr(compiled, name)
        assert ours.dtype == theirs.dtype, name
        assert np.array_equal(ours, theirs), name


@pytest.mark.parametrize("form", ["pairs", "compact"])
@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario(path: Path, form: str) -> None:
    loaded = load_scenario(path)
    region = load_region(loaded.region_path())
    check_against_region(loaded, region)
    instance = build_instance(region, loaded.scenario)
    assert_same_program(instance, form)


@pytest.mark.parametrize("form", ["pairs", "compact"])
def test_every_policy_family(form: str) -> None:
    instance = _instance(POLICY)
    assert instance.locks and instance.groups and instance.site_cost is not None
    assert instance.min_border_sites == 2
    assert_same_program(instance, form)


@pytest.mark.parametrize("form", ["pairs", "compact"])
@pytest.mark.parametrize("most", [1, 2, 3])
def test_generated_region_with_one_to_three_cores_per_type(
    tmp_path_factory: pytest.TempPathFactory, form: str, most: int
) -> None:
    region_dir = generate_region(tmp_path_factory.mktemp("g") / "g", 120, 5, types=8, sectors=6)
    data = {
        "name": "g",
        "region": str(region_dir),
        "rules": {"sites": {"default": {"min": 0, "max": most}}, "max_members": 2},
    }
    instance = _instance(data, region_dir)
    assert instance.pair_count > 100
    assert_same_program(instance, form)


@pytest.mark.parametrize("seed", range(40))
def test_random_tiny_instances(seed: int, tmp_path: Path) -> None:
    scenario = {"name": f"t{seed}", **write_random_instance(random.Random(seed), tmp_path)}
    instance = _instance(scenario, Path(str(scenario["region"])))
    for form in ("pairs", "compact"):
        assert_same_program(instance, form)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "nothing", "weights": {"fit": 0, "export": 0, "member": 0, "coop": 0}},
        {"name": "nocoop", "weights": {"coop": 0}},
        {"name": "nomembers", "weights": {"member": 0}},
        {"name": "floor", "rules": {"sites": {"default": {"min": 27, "max": 27}}}},
        {"name": "one", "rules": {"clusters": ["wood"]}},
    ],
    ids=lambda d: d["name"],
)
def test_degenerate_cases(data: dict[str, Any]) -> None:
    instance = _instance(data)
    for form in ("pairs", "compact"):
        assert_same_program(instance, form)


def test_a_floor_over_no_site_gives_no_program_and_an_infeasible_run() -> None:
    forbid = [{"cluster": "wood", "district": d} for d in _districts()]
    data = {"name": "e", "rules": {"forbid": forbid, "sites": {"wood": {"min": 1}}}}
    instance = _instance(data)
    assert build_program(instance) is None
    with pytest.raises(InfeasibleConstantError):
        compile_model(build_model(instance))
    loaded = scenario_from_dict(data, ROOT)
    result = solve(loaded, load_region(SMOLENSK))
    assert result.status == "infeasible" and result.diagnosis


def test_arrays_and_pyomo_reach_the_same_optimum() -> None:
    """The same program solved both ways: the same objective and the same cores."""
    instance = _instance({"name": "both", "rules": {"sites": {"default": {"min": 0, "max": 2}}}})
    program = build_program(instance)
    assert program is not None
    options = SolverOptions(mip_gap=0.0)
    outcome, values = solve_program(program.lp, options)
    assert outcome.status.value == "optimal" and values is not None
    model = build_model(instance)
    pyomo_outcome = HighsAdapter().solve(model, options)
    assert outcome.objective == pytest.approx(pyomo_outcome.objective, abs=1e-9)
    chosen = {s for s, var in model.y.items() if var.value > 0.5}
    assert set(program.solution(values, instance).cores) == chosen


def test_nothing_to_decide_is_optimal_at_zero() -> None:
    """Every column forbidden: a program with no columns, as the Pyomo path reports it."""
    forbid = [{"district": d} for d in _districts()]
    data = {"name": "none", "rules": {"forbid": forbid, "sites": {"default": {"min": 0}}}}
    instance = _instance(data)
    assert not instance.sites
    program = build_program(instance)
    assert program is not None and program.lp.num_col == 0
    outcome, values = solve_program(program.lp, SolverOptions())
    assert values is not None and len(values) == 0
    assert outcome.status.value == "optimal" and outcome.objective == 0.0
    result = solve(scenario_from_dict(data, ROOT), load_region(SMOLENSK))
    assert result.status == "optimal" and result.objective == 0.0 and not result.core_set()


def _districts() -> list[str]:
    return list(load_region(SMOLENSK).districts.index)
