"""The persistent HiGHS path: re-solving after a change equals a fresh solve of the change.

Each change is made twice: once through ``PersistentHighs`` (new objective coefficients, a
variable fixed) on the model built for the baseline, and once as a scenario (``--set`` weights,
``rules.lock``, ``rules.forbid``) built and solved from scratch by the pipeline.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.common.collections import ComponentMap
from scipy.sparse import csc_matrix

from model.formulation import build_model
from model.pipeline import solve_scenario_file
from model.results import read_solution
from solvers import SolverOptions, Status, get_solver
from solvers.highs import PersistentHighs
from solvers.standard_form import _compile_linear, _compile_with_pyomo, compile_model

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
OPTIONS = SolverOptions(time_limit=60)


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    return solve_scenario_file(BASELINE)


def test_first_solve_equals_the_adapter(baseline) -> None:  # type: ignore[no-untyped-def]
    model = build_model(baseline.instance)
    outcome = PersistentHighs(model).resolve(OPTIONS)
    assert outcome.status == Status.OPTIMAL
    assert outcome.objective == pytest.approx(baseline.objective, abs=1e-6)
    assert outcome.handoff_s > 0


def test_resolve_after_a_weight_change_equals_a_fresh_solve(baseline) -> None:  # type: ignore[no-untyped-def]
    instance = baseline.instance
    model = build_model(instance)
    engine = PersistentHighs(model)
    engine.resolve(OPTIONS)
    # weights.coop 1 -> 2.5 scales every pair coefficient; weights.fit 1 -> 0.25 the fit part
    engine.set_objective_coefficients(
        [(model.z[p], 2.5 * instance.pair_coef[p]) for p in instance.pairs]
    )
    engine.set_objective_coefficients(
        ComponentMap(
            (model.y[s], 0.25 * instance.fit_coef[s] + instance.export_coef[s])
            for s in instance.sites
        )
    )
    changed = engine.resolve(OPTIONS)
    fresh = solve_scenario_file(BASELINE, ["weights.coop=2.5", "weights.fit=0.25"])
    assert changed.status == Status.OPTIMAL
    assert changed.objective == pytest.approx(fresh.objective, abs=1e-6)
    assert fresh.objective != pytest.approx(baseline.objective, abs=1e-3)  # the change matters
    solution = read_solution(model, instance.types, instance.districts)
    assert solution.cores == [
        tuple(s)
        for s in fresh.assignments.query("role == 'core'")[["cluster_type", "district"]].itertuples(
            index=False
        )
    ]


def test_fix_is_a_lock_or_a_forbid_and_unfix_restores(baseline) -> None:  # type: ignore[no-untyped-def]
    instance = baseline.instance
    model = build_model(instance)
    engine = PersistentHighs(model)
    engine.resolve(OPTIONS)
    chosen = next(s for s in instance.sites if pyo.value(model.y[s]) > 0.5)
    other = next(s for s in instance.sites if s[0] == chosen[0] and s != chosen)

    engine.fix(model.y[chosen], 0.0)
    forbidden = engine.resolve(OPTIONS)
    fresh = solve_scenario_file(
        BASELINE, [f"rules.forbid=[{{cluster: {chosen[0]}, district: {chosen[1]}}}]"]
    )
    assert forbidden.objective == pytest.approx(fresh.objective, abs=1e-6)
    assert pyo.value(model.y[chosen]) == 0

    engine.unfix(model.y[chosen])
    engine.fix(model.y[other], 1.0)
    locked = engine.resolve(OPTIONS)
    fresh = solve_scenario_file(
        BASELINE, [f"rules.lock=[{{cluster: {other[0]}, district: {other[1]}}}]"]
    )
    assert locked.objective == pytest.approx(fresh.objective, abs=1e-6)
    assert pyo.value(model.y[other]) == 1

    engine.unfix(model.y[other])
    again = engine.resolve(OPTIONS)
    assert again.objective == pytest.approx(baseline.objective, abs=1e-6)


def test_objective_coefficient_reads_back_and_unknown_variables_are_refused(baseline) -> None:  # type: ignore[no-untyped-def]
    model = build_model(baseline.instance)
    engine = PersistentHighs(model)
    site = baseline.instance.sites[0]
    assert engine.objective_coefficient(model.y[site]) == pytest.approx(
        baseline.instance.core_coef(site)
    )
    engine.set_objective_coefficients([(model.y[site], 3.0)])
    assert engine.objective_coefficient(model.y[site]) == 3.0
    stranger = pyo.ConcreteModel()
    stranger.v = pyo.Var()
    with pytest.raises(KeyError):
        engine.fix(stranger.v, 1.0)


def test_adapter_is_the_default_and_reports_its_version() -> None:
    adapter = get_solver("highs")
    assert adapter.name == "highs" and adapter.version()[0].isdigit()


def _dense(lp) -> np.ndarray:  # type: ignore[no-untyped-def]
    return csc_matrix(
        (lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_row, lp.num_col)
    ).toarray()


def _blocks_model() -> pyo.ConcreteModel:
    """Components the reader takes as blocks (x ≤ y, x = y), mixed ones, and odd cases."""
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(6), domain=pyo.Binary)
    model.y = pyo.Var(range(3), bounds=(0, 1))
    model.unused = pyo.Var(bounds=(0, 2))
    model.sub = pyo.Block()
    model.sub.s = pyo.Var(bounds=(-1, 4))
    # bounds and domains that differ within one component, one of them a one-element array
    model.mix = pyo.Var(range(3), bounds=lambda m, i: (i - 1, i + 2))
    model.mix[1].domain = pyo.Integers
    model.mix[2].setub(np.array([3.5]))
    x, y = model.x, model.y
    model.pairs = pyo.Constraint(range(6), rule=lambda m, i: x[i] <= y[i // 2])
    model.pairs[3].deactivate()
    model.same = pyo.Constraint(range(2), rule=lambda m, i: x[i] == x[i + 2])
    model.flipped = pyo.Constraint(range(2), rule=lambda m, i: y[i] >= x[i + 4])
    model.sums = pyo.Constraint(range(3), rule=lambda m, i: x[i] + x[i + 1] + x[i + 2] <= 2)
    model.scaled = pyo.Constraint(
        range(2), rule=lambda m, i: x[2 * i] + x[2 * i + 1] <= (i + 1.5) * y[i]
    )
    model.mixed = pyo.ConstraintList()
    model.mixed.add(x[0] <= model.sub.s)
    model.mixed.add(x[1] + 2 * y[2] - model.sub.s <= 3)
    model.mixed.add(pyo.inequality(-2, 3 * y[0] - x[5], 2))
    model.sub.limit = pyo.Constraint(expr=model.sub.s + y[1] >= 1)
    model.obj = pyo.Objective(
        expr=sum(x.values()) + 0.5 * y[0] - model.sub.s + sum(model.mix.values()),
        sense=pyo.maximize,
    )
    return model


@pytest.mark.parametrize("maker", ["baseline", "ranged_and_fixed", "blocks"])
def test_direct_reading_equals_pyomo_standard_form_compiler(maker: str, baseline) -> None:  # type: ignore[no-untyped-def]
    """The fast reader of linear relations gives Pyomo's compiler's program (up to order)."""
    if maker == "baseline":
        model = build_model(baseline.instance)
    elif maker == "blocks":
        model = _blocks_model()
    else:
        model = pyo.ConcreteModel()
        model.v = pyo.Var(range(4), bounds=(0, 5), domain=pyo.Integers)
        model.w = pyo.Var(bounds=(None, 3))
        model.ranged = pyo.Constraint(expr=pyo.inequality(1, model.v[0] + 2 * model.v[1] + 3, 9))
        model.ge = pyo.Constraint(expr=model.v[2] - model.w >= 4)
        model.eq = pyo.Constraint(expr=model.v[3] + model.v[3] == 2 * model.w + 1)
        model.obj = pyo.Objective(expr=model.v[0] - model.w + 7, sense=pyo.minimize)
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    fast = _compile_linear(model, objective, keep_row_names=True)
    reference = _compile_with_pyomo(model, objective, keep_row_names=True)
    names = [v.name for v in reference.columns]
    order = [names.index(v.name) for v in fast.columns]
    assert sorted(order) == list(range(len(names)))
    assert fast.maximize == reference.maximize and fast.offset == pytest.approx(reference.offset)
    np.testing.assert_allclose(fast.cost, reference.cost[order])
    np.testing.assert_array_equal(fast.col_lower, reference.col_lower[order])
    np.testing.assert_array_equal(fast.col_upper, reference.col_upper[order])
    np.testing.assert_array_equal(fast.integrality, reference.integrality[order])
    # Pyomo writes a ranged constraint as two rows; merge rows by name before comparing
    rows: dict[str, tuple[np.ndarray, float, float]] = {}
    dense = _dense(reference)[:, order]
    for n, name in enumerate(reference.row_names or []):
        coefs, lo, hi = rows.get(name, (dense[n], -np.inf, np.inf))
        rows[name] = (coefs, max(lo, reference.row_lower[n]), min(hi, reference.row_upper[n]))
    fast_dense = _dense(fast)
    assert list(rows) == fast.row_names
    for n, name in enumerate(fast.row_names or []):
        coefs, lo, hi = rows[name]
        np.testing.assert_allclose(fast_dense[n], coefs)
        assert (fast.row_lower[n], fast.row_upper[n]) == pytest.approx((lo, hi))


def test_unsupported_expressions_fall_back_to_pyomo() -> None:
    model = pyo.ConcreteModel()
    model.p = pyo.Param(initialize=2.0, mutable=True)
    model.v = pyo.Var(bounds=(0, 10))
    model.f = pyo.Var(bounds=(0, 10))
    model.f.fix(3)
    model.c = pyo.Constraint(expr=model.p * model.v + model.f <= 9)
    model.obj = pyo.Objective(expr=model.v, sense=pyo.maximize)
    lp = compile_model(model)
    assert [v.name for v in lp.columns] == ["v"]
    assert lp.row_upper[0] == pytest.approx(6.0) and lp.a_value[0] == pytest.approx(2.0)
    assert get_solver("highs").solve(model, OPTIONS).objective == pytest.approx(3.0)


def test_the_benchmark_s_direct_arrays_are_the_compiled_model(baseline) -> None:  # type: ignore[no-untyped-def]
    """bench/stages.py hands HiGHS the same program as the project path, so solves compare."""
    spec = importlib.util.spec_from_file_location("bench_stages", REPO / "bench" / "stages.py")
    assert spec is not None and spec.loader is not None
    stages = importlib.util.module_from_spec(spec)
    sys.modules["bench_stages"] = stages  # its dataclasses look their module up there
    spec.loader.exec_module(stages)
    arrays = stages.direct_arrays(baseline.instance)
    lp = compile_model(build_model(baseline.instance))
    np.testing.assert_array_equal(arrays["start"], lp.a_start)
    np.testing.assert_array_equal(arrays["index"], lp.a_index)
    np.testing.assert_allclose(arrays["value"], lp.a_value)
    np.testing.assert_array_equal(arrays["row_lower"], lp.row_lower)
    np.testing.assert_array_equal(arrays["row_upper"], lp.row_upper)
    np.testing.assert_allclose(arrays["cost"], lp.cost)


def test_components_of_variable_pairs_and_sums_are_read_as_blocks() -> None:
    """The block readers take x ≤ y, x = y, Σ x ≤ b and Σ x ≤ c·y components, no others."""
    from solvers.standard_form import _read_sums, _read_variable_pairs, _Rows

    model = _blocks_model()
    declared = list(model.component_data_objects(pyo.Var))
    position = {id(v): j for j, v in enumerate(declared)}
    kinds = frozenset(map(type, declared))

    def taken(component: pyo.Constraint) -> bool:
        exprs = [con.expr for con in component.values() if con.active]
        return _read_variable_pairs(exprs, position, kinds, _Rows())

    def summed(component: pyo.Constraint) -> bool:
        exprs = [con.expr for con in component.values() if con.active]
        return _read_sums(exprs, position, kinds, _Rows())

    assert taken(model.pairs) and taken(model.same) and taken(model.flipped)
    assert not taken(model.mixed) and not taken(model.sub.limit) and not taken(model.sums)
    assert summed(model.sums) and summed(model.scaled)
    assert not summed(model.mixed) and not summed(model.sub.limit) and not summed(model.same)


def test_added_rows_bind_later_resolves() -> None:
    """add_row: a new row in the HiGHS model; a variable named twice has its terms added."""
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(3), domain=pyo.Binary)
    model.obj = pyo.Objective(expr=3 * model.x[0] + 2 * model.x[1] + model.x[2], sense=pyo.maximize)
    engine = PersistentHighs(model)
    assert engine.resolve(OPTIONS).objective == pytest.approx(6.0)
    engine.add_row([(model.x[0], 1.0), (model.x[1], 1.0)], None, 1)  # x0 + x1 ≤ 1
    assert engine.resolve(OPTIONS).objective == pytest.approx(4.0)
    engine.add_row([(model.x[0], 0.5), (model.x[0], 0.5), (model.x[2], -1.0)], 0, None)
    assert engine.resolve(OPTIONS).objective == pytest.approx(4.0)  # x0 ≥ x2 still allows 3+1
    engine.add_row(ComponentMap([(model.x[0], 1.0)]), None, 0)  # x0 = 0, so x2 = 0
    outcome = engine.resolve(OPTIONS)
    assert outcome.objective == pytest.approx(2.0) and model.x[1].value == pytest.approx(1.0)
    assert len(list(model.component_data_objects(pyo.Constraint))) == 0  # Pyomo model unchanged
