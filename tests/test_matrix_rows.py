"""Matrix rows and the matrix objective (``solvers.matrix_rows``) against Pyomo's own reading.

Every program compiled from arrays is compared with (a) a dense matrix written out from the
CSR definition by hand and (b) Pyomo's standard-form compiler, which expands every row into its
Pyomo expression first. Rows expanded, changed or deactivated after the build must be read as
they now are.
"""

from __future__ import annotations

import pickle

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.expr.relational_expr import (
    EqualityExpression,
    InequalityExpression,
    RangedExpression,
)
from pyomo.repn import generate_standard_repn
from scipy.sparse import csc_matrix

from solvers.highs import HighsAdapter
from solvers.matrix_rows import (
    MatrixRows,
    add_matrix_objective,
    add_matrix_rows,
    component_values,
    is_unexpanded,
    unexpanded_objective,
)
from solvers.standard_form import LinearProgram, _compile_with_pyomo, compile_model

# rows over the variable list [a0, a1, a2, b0, b1, s]:
#   r0: a0 − b0 ≤ 0   r1: a1 − b1 ≤ 0   (differences)
#   g0: a0 + a1 + a2 − 2·s ≤ 0   g1: a2 + b1 ≤ 1   (sums, the first with a last coefficient)
#   e:  2·a0 + 3·b0 = 2   q: 1 ≤ a1 + a2 + b0 ≤ 2   (written as raw CSR)
NAMES = ["a[0]", "a[1]", "a[2]", "b[0]", "b[1]", "sub.s"]
EXPECTED_ROWS = {
    "diff[r0]": ([1, 0, 0, -1, 0, 0], -np.inf, 0.0),
    "diff[r1]": ([0, 1, 0, 0, -1, 0], -np.inf, 0.0),
    "sums[g0]": ([1, 1, 1, 0, 0, -2], -np.inf, 0.0),
    "sums[g1]": ([0, 0, 1, 0, 1, 0], -np.inf, 1.0),
    "raw[e]": ([2, 0, 0, 3, 0, 0], 2.0, 2.0),
    "raw[q]": ([0, 1, 1, 1, 0, 0], 1.0, 2.0),
    "plain": ([0, 0, 0, 1, 1, 1], 1.0, np.inf),
}
EXPECTED_COST = [1.0, 2.0, 0.0, -1.0, 0.5, 3.0]


def _model(variables_order: str = "declared") -> pyo.ConcreteModel:
    model = pyo.ConcreteModel()
    model.a = pyo.Var(range(3), domain=pyo.Binary)
    model.b = pyo.Var(range(2), bounds=(0, 1))
    model.sub = pyo.Block()
    model.sub.s = pyo.Var(bounds=(0, 1))
    variables = [*model.a.values(), *model.b.values(), model.sub.s]
    if variables_order == "reversed":  # columns looked up by identity, not taken in order
        variables = variables[::-1]
    col = {v.name: n for n, v in enumerate(variables)}

    def cols(*names: str) -> np.ndarray:
        return np.array([col[n] for n in names])

    add_matrix_rows(
        model,
        "diff",
        ["r0", "r1"],
        MatrixRows.differences(variables, cols("a[0]", "a[1]"), cols("b[0]", "b[1]")),
    )
    groups = [list(cols("a[0]", "a[1]", "a[2]", "sub.s")), list(cols("a[2]", "b[1]"))]
    add_matrix_rows(
        model,
        "sums",
        ["g0", "g1"],
        MatrixRows.sums(variables, groups, [0.0, 1.0], last_coef=[-2.0, 1.0]),
    )
    raw = MatrixRows(
        variables,
        np.array([0, 2, 5]),
        cols("a[0]", "b[0]", "a[1]", "a[2]", "b[0]"),
        np.array([2.0, 3.0, 1.0, 1.0, 1.0]),
        np.array([2.0, 1.0]),
        np.array([2.0, 2.0]),
    )
    add_matrix_rows(model, "raw", ["e", "q"], raw)
    model.plain = pyo.Constraint(expr=model.b[0] + model.b[1] + model.sub.s >= 1)
    cost = np.zeros(len(variables))
    for name, c in zip(NAMES, EXPECTED_COST, strict=True):
        cost[col[name]] = c
    add_matrix_objective(model, "obj", variables, cost, sense=pyo.maximize)
    return model


def _rows_by_name(lp: LinearProgram) -> dict[str, tuple[list[float], float, float]]:
    """Each row's coefficients in the order of NAMES, and its bounds; Pyomo's compiler splits
    a ranged row in two, so rows of one name are merged."""
    dense = csc_matrix((lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_row, lp.num_col))
    order = [[v.name for v in lp.columns].index(name) for name in NAMES]
    table = dense.toarray()[:, order]
    rows: dict[str, tuple[list[float], float, float]] = {}
    for n, name in enumerate(lp.row_names or []):
        coefs, lo, hi = rows.get(name, (table[n].tolist(), -np.inf, np.inf))
        rows[name] = (coefs, max(lo, float(lp.row_lower[n])), min(hi, float(lp.row_upper[n])))
    return rows


def _cost_by_name(lp: LinearProgram) -> list[float]:
    names = [v.name for v in lp.columns]
    return [float(lp.cost[names.index(name)]) for name in NAMES]


@pytest.mark.parametrize("order", ["declared", "reversed"])
def test_arrays_compile_to_the_rows_they_define(order: str) -> None:
    model = _model(order)
    assert all(map(is_unexpanded, model.diff.values()))
    lp = compile_model(model, keep_row_names=True)
    assert all(map(is_unexpanded, model.diff.values())), "compiling must not expand rows"
    assert unexpanded_objective(model.obj) is not None
    assert _rows_by_name(lp) == EXPECTED_ROWS
    assert _cost_by_name(lp) == EXPECTED_COST and lp.maximize


def test_pyomo_s_compiler_reads_the_expanded_rows_alike() -> None:
    model = _model()
    fast = compile_model(model, keep_row_names=True)
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    reference = _compile_with_pyomo(model, objective, keep_row_names=True)
    assert not any(map(is_unexpanded, model.diff.values())), "Pyomo's compiler expands rows"
    assert _rows_by_name(reference) == _rows_by_name(fast) == EXPECTED_ROWS
    assert _cost_by_name(reference) == EXPECTED_COST


def test_expanded_rows_are_plain_constraints_with_the_row_s_relation() -> None:
    model = _model()
    equality, ranged, upper = model.raw["e"], model.raw["q"], model.sums["g1"]
    assert isinstance(equality.expr, EqualityExpression)
    assert isinstance(ranged.expr, RangedExpression)
    assert isinstance(upper.expr, InequalityExpression)
    assert type(equality) is ConstraintData and not is_unexpanded(equality)
    assert (ranged.lower, ranged.upper) == (1.0, 2.0) and upper.upper == 1.0
    repn = generate_standard_repn(model.sums["g0"].body)
    terms = {v.name: c for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)}
    assert terms == {"a[0]": 1, "a[1]": 1, "a[2]": 1, "sub.s": -2}
    assert model.sums["g0"].name == "sums[g0]" and model.sums["g0"] is model.sums["g0"]


def test_changed_expanded_and_deactivated_rows_are_read_as_they_are_now() -> None:
    model = _model()
    _ = model.diff["r0"].expr  # expanded, unchanged
    model.sums["g1"].set_value(model.a[2] + model.b[1] <= 5)  # replaced while unexpanded
    model.raw["e"].deactivate()
    lp = compile_model(model, keep_row_names=True)
    expected = dict(EXPECTED_ROWS)
    del expected["raw[e]"]
    expected["sums[g1]"] = (EXPECTED_ROWS["sums[g1]"][0], -np.inf, 5.0)
    assert _rows_by_name(lp) == expected
    assert lp.row_names == list(expected)  # every row in its place


def test_the_objective_expands_on_use_and_can_be_replaced() -> None:
    model = _model()
    for n, var in enumerate(model.component_data_objects(pyo.Var)):
        var.set_value(float(n % 2))
    # a[1] = 1, b[0] = 1, sub.s = 1 (every second variable in declaration order)
    assert pyo.value(model.obj) == pytest.approx(2.0 - 1.0 + 3.0)
    assert unexpanded_objective(model.obj) is None
    assert _cost_by_name(compile_model(model)) == EXPECTED_COST
    model.obj.set_value(model.a[0] - model.b[1])
    assert _cost_by_name(compile_model(model)) == [1.0, 0.0, 0.0, 0.0, -1.0, 0.0]


def test_a_fixed_variable_in_matrix_rows_becomes_a_constant() -> None:
    model = _model()
    model.b[0].fix(1)
    lp = compile_model(model, keep_row_names=True)
    assert "b[0]" not in [v.name for v in lp.columns]
    pairs = zip(lp.row_lower.tolist(), lp.row_upper.tolist(), strict=True)
    bounds = dict(zip(lp.row_names or [], pairs, strict=True))
    # a0 − b0 ≤ 0 with b0 = 1 is a0 ≤ 1; 2·a0 + 3·b0 = 2 is 2·a0 = −1
    assert bounds["diff[r0]"] == (-np.inf, 1.0)
    assert bounds["raw[e]"] == (-1.0, -1.0)


@pytest.mark.parametrize("copy", ["clone", "pickle"])
def test_copies_compile_to_the_same_program_over_their_own_variables(copy: str) -> None:
    model = _model()
    twin = model.clone() if copy == "clone" else pickle.loads(pickle.dumps(model))
    lp = compile_model(twin, keep_row_names=True)
    assert _rows_by_name(lp) == EXPECTED_ROWS and _cost_by_name(lp) == EXPECTED_COST
    own = {id(v) for v in twin.component_data_objects(pyo.Var)}
    assert {id(v) for v in lp.columns} <= own


@pytest.mark.parametrize("name", ["cbc", "glpk", "scip"])
def test_other_solvers_find_the_highs_optimum(name: str) -> None:
    """HiGHS and SCIP read the arrays; CBC and GLPK get Pyomo's LP file, which expands rows."""
    from solvers import SolverOptions, adapter_for

    adapter = adapter_for(name)
    if not adapter.available():
        pytest.skip(f"{name} is not installed")
    expected = HighsAdapter().solve(_model(), SolverOptions()).objective
    assert expected is not None
    assert adapter.solve(_model(), SolverOptions()).objective == pytest.approx(expected)


def test_malformed_blocks_are_refused() -> None:
    model = pyo.ConcreteModel()
    model.v = pyo.Var(range(2))
    variables = list(model.v.values())
    one = np.array([1.0])
    with pytest.raises(ValueError, match="at least one term"):
        MatrixRows(variables, np.array([0, 0]), np.zeros(0, int), np.zeros(0), -one, one)
    with pytest.raises(ValueError, match="outside"):
        MatrixRows(variables, np.array([0, 1]), np.array([2]), one, -one, one)
    with pytest.raises(ValueError, match="lower <= upper"):
        MatrixRows(variables, np.array([0, 1]), np.array([0]), one, one, -one)
    with pytest.raises(ValueError, match="from 0"):
        MatrixRows(variables, np.array([0, 2]), np.array([0]), one, -one, one)
    rows = MatrixRows.sums(variables, [[0], [1]], 1.0)
    with pytest.raises(ValueError, match="duplicate keys"):
        add_matrix_rows(model, "twice", ["k", "k"], rows)
    with pytest.raises(ValueError, match="1 keys for 2 rows"):
        add_matrix_rows(model, "short", ["k"], rows)
    assert not hasattr(model, "twice") and not hasattr(model, "short")
    with pytest.raises(ValueError, match="one finite coefficient per variable"):
        add_matrix_objective(model, "obj", variables, np.array([1.0]))


def test_component_values_keep_the_index_order() -> None:
    """Pyomo's dict is used only when it is in index order; otherwise ``values()`` is."""
    model = pyo.ConcreteModel()
    model.v = pyo.Var([3, 1, 2], dense=False)
    for i in (2, 3, 1):  # made out of order: the dict holds 2, 3, 1
        model.v[i].set_value(0)
    assert list(model.v._data) == [2, 3, 1]
    assert [var.index() for var in component_values(model.v)] == [3, 1, 2]
    model.c = pyo.Constraint([1, 2, 3], rule=lambda m, i: m.v[i] <= i)
    del model.c[2]
    assert [con.index() for con in component_values(model.c)] == [1, 3]
    model.s = pyo.Var()
    assert component_values(model.s) == [model.s]
