"""A Pyomo model compiled once into the arrays every matrix-based solver takes.

Matrix rows and matrix objectives (:mod:`solvers.matrix_rows`) are taken straight from their
arrays; other linear relations of variables and numbers are read from Pyomo's expression
trees; any other model goes through Pyomo's compiler (``pyomo.repn.plugins.standard_form``).
On the siting model at 1,000 dense districts (148,000 columns) this takes 0.10 s, against
1.3 s for Pyomo's standard-form compiler (which is itself several times faster than
translating constraint by constraint). The result is a :class:`LinearProgram`:

    optimise  cost·x + offset   (sense: maximise or minimise)
    subject to  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper,
                x_j integer where integrality[j]

with ``A`` in compressed sparse column form and ``columns[j]`` the Pyomo variable of column j.
HiGHS takes it in one ``passModel`` call; the MPS/LP export and the SCIP adapter go through
HiGHS's writer.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from itertools import chain, compress, groupby, repeat
from operator import attrgetter, is_, itemgetter
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression, SumExpression
from pyomo.core.expr.relational_expr import (
    EqualityExpression,
    InequalityExpression,
    RangedExpression,
)
from scipy.sparse import coo_matrix

from solvers.matrix_rows import (
    component_values,
    is_unexpanded,
    unexpanded_objective,
    unexpanded_rows,
)

INTEGRALITY_TOLERANCE = 1e-6


class InfeasibleConstantError(Exception):
    """A constraint without variables is violated (e.g. ``Constraint.Infeasible``)."""


@dataclass(frozen=True)
class LinearProgram:
    """Arrays of a mixed-integer linear program, one column per Pyomo variable.

    ``columns`` is empty for a program made without a Pyomo model
    (:mod:`model.matrix_model`); ``num_col`` counts the costs.
    """

    columns: list[VarData]
    maximize: bool
    cost: np.ndarray  # (n,)
    offset: float
    col_lower: np.ndarray  # (n,), -inf where unbounded
    col_upper: np.ndarray  # (n,), +inf where unbounded
    integrality: np.ndarray  # (n,) bool
    row_lower: np.ndarray  # (m,), -inf where unbounded
    row_upper: np.ndarray  # (m,), +inf where unbounded
    a_start: np.ndarray  # (n+1,) int32, CSC column starts
    a_index: np.ndarray  # (nnz,) int32, row indices
    a_value: np.ndarray  # (nnz,) float64
    row_names: list[str] | None = None
    column_of: dict[int, int] | None = None  # id(variable) -> column, when already at hand

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    def column_names(self) -> list[str]:
        return [v.name for v in self.columns]

    def column_index(self) -> dict[int, int]:
        """id(variable) -> column."""
        if self.column_of is not None:
            return self.column_of
        return dict(zip(map(id, self.columns), range(self.num_col), strict=True))


def compile_model(model: pyo.ConcreteModel, *, keep_row_names: bool = False) -> LinearProgram:
    """Compile the active linear objective and constraints of ``model``.

    Models whose constraints are plain linear relations of variables and numbers (such as the
    siting model) go through :func:`_compile_linear`, a direct reading of the expression
    trees; anything else (parameters in bodies, strict or trivial relations, nonlinear terms)
    goes through Pyomo's standard-form compiler. Both give the same program: columns in
    declaration order, rows in constraint order. Fixed variables are compiled as constants,
    as Pyomo's writers do. Raises :class:`InfeasibleConstantError` when a constraint with no
    variables left is violated.
    """
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise ValueError(f"expected one active objective, found {len(objectives)}")
    with PauseGC():  # many short-lived objects, nothing to collect
        try:
            return _compile_linear(model, objectives[0], keep_row_names)
        except _UnsupportedError:
            return _compile_with_pyomo(model, objectives[0], keep_row_names)


def _compile_with_pyomo(
    model: pyo.ConcreteModel, objective: Any, keep_row_names: bool
) -> LinearProgram:
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        compiled: Any = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    except InfeasibleConstraintException as err:
        raise InfeasibleConstantError(str(err)) from err
    columns: list[VarData] = list(compiled.columns)
    n = len(columns)
    cost = (
        np.asarray(compiled.c.toarray(), dtype=np.float64).ravel()
        if compiled.c.shape[0]
        else np.zeros(n)
    )
    if cost.shape[0] != n:
        cost = np.zeros(n)
    offset = float(compiled.c_offset[0]) if len(compiled.c_offset) else 0.0
    a_matrix = compiled.A.tocsc()
    a_matrix.sort_indices()
    rhs = np.asarray(compiled.rhs, dtype=np.float64)
    senses = np.fromiter((sense for _, sense in compiled.rows), dtype=np.int8, count=len(rhs))
    # mixed form: sense 1 is "row ≤ rhs", -1 is "row ≥ rhs", 0 is "row = rhs"
    row_lower = np.where(senses <= 0, rhs, -np.inf)
    row_upper = np.where(senses >= 0, rhs, np.inf)
    col_lower, col_upper, integrality = _column_bounds(columns)
    return LinearProgram(
        columns=columns,
        maximize=objective.sense == pyo.maximize,
        cost=cost,
        offset=offset,
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        row_lower=row_lower,
        row_upper=row_upper,
        a_start=a_matrix.indptr.astype(np.int32),
        a_index=a_matrix.indices.astype(np.int32),
        a_value=a_matrix.data.astype(np.float64),
        row_names=[row.name for row, _ in compiled.rows] if keep_row_names else None,
    )


# Getters applied with map() over whole components, so that the loops run in C
_MONOMIAL = {MonomialTermExpression}
_ARGS = attrgetter("_args_")  # a relation's or a Monomial's operands, without the property call
_EXPR_ARGS = attrgetter("args")  # a sum's terms (the property trims Pyomo's shared list)
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_EXPR = attrgetter("expr")
_FIXED = attrgetter("_fixed")  # the slot behind VarData.fixed
_ACTIVE = attrgetter("_active")  # the slot behind ComponentData.active
_STRICT = attrgetter("_strict")
_DOMAIN = attrgetter("_domain")
_LOWER = attrgetter("_lb")
_UPPER = attrgetter("_ub")


class _UnsupportedError(Exception):
    """An expression the direct reader does not handle; Pyomo's compiler takes over."""


def _terms(
    expr: Any,
    sign: float,
    cols: list[int],
    coefs: list[float],
    position: dict[int, int],
    var_kinds: frozenset[type],
) -> float:
    """Append the column and coefficient of every linear term of ``expr`` (times ``sign``).

    Returns the constant part. A term whose variable is not a column of the model (a
    parameter, an expression, a variable of another model) raises :class:`_UnsupportedError`.
    Sums of plain variables, the commonest rows, are read in one pass without a Python loop.
    """
    kind = expr.__class__
    try:
        if kind in var_kinds:
            cols.append(position[id(expr)])
            coefs.append(sign)
            return 0.0
        if kind is MonomialTermExpression:  # c·x alone, as on the right of "Σ x ≤ c·y"
            coef, var = expr._args_
            if coef.__class__ not in native_numeric_types:
                raise _UnsupportedError
            cols.append(position[id(var)])
            coefs.append(sign * coef)
            return 0.0
        if kind is LinearExpression or kind is SumExpression:
            args = expr.args
        elif kind in native_numeric_types:
            return sign * expr
        else:
            args = (expr,)
        kinds = set(map(type, args))
        if kinds <= var_kinds:  # Σ x
            cols.extend(map(position.__getitem__, map(id, args)))
            coefs.extend([sign] * len(args))
            return 0.0
        if kinds == _MONOMIAL:  # Σ c·x, as in an objective
            products = list(map(_ARGS, args))
            # (not zip(*products): unpacking 150,000 arguments took 0.25 s)
            numbers = list(map(_FIRST, products))
            variables = map(_SECOND, products)
            if not set(map(type, numbers)) <= native_numeric_types:
                raise _UnsupportedError
            cols.extend(map(position.__getitem__, map(id, variables)))
            coefs.extend(numbers if sign == 1.0 else [sign * c for c in numbers])
            return 0.0
        constant = 0.0
        for arg in args:
            kind = arg.__class__
            if kind is MonomialTermExpression:
                coef, var = arg.args
                if coef.__class__ not in native_numeric_types:
                    raise _UnsupportedError
                cols.append(position[id(var)])
                coefs.append(sign * coef)
            elif kind in native_numeric_types:
                constant += sign * arg
            elif kind is LinearExpression or kind is SumExpression:
                constant += _terms(arg, sign, cols, coefs, position, var_kinds)
            else:
                cols.append(position[id(arg)])
                coefs.append(sign)
    except KeyError:
        raise _UnsupportedError from None
    return constant


def _compile_linear(
    model: pyo.ConcreteModel, objective: Any, keep_row_names: bool
) -> LinearProgram:
    """Read linear relations of variables and numbers straight into sparse arrays.

    Every term is looked up in a table of the model's variables (by identity), so a term that
    is anything else falls back to Pyomo's compiler; fixed variables do too. Constraints are
    read one indexed component at a time: unexpanded matrix rows from their arrays; a
    component whose rows are all ``x ≤ y``, ``x = y``, ``Σ x ≤ b`` or ``Σ x ≤ c·y`` as a
    block without a Python loop; any other row by :func:`_read_row`.
    """
    components = list(map(component_values, model.component_objects(pyo.Var, descend_into=True)))
    declared = list(chain.from_iterable(components))
    position = _Positions(declared)
    var_kinds = frozenset(map(type, declared))
    matrix_columns: dict[int, np.ndarray] = {}
    matrix_cost = unexpanded_objective(objective)
    obj_cols: list[int] | np.ndarray = []
    obj_coefs: list[float] | np.ndarray = []
    if matrix_cost is None:
        offset = _terms(objective.expr, 1.0, obj_cols, obj_coefs, position, var_kinds)  # type: ignore[arg-type]
    else:
        variables, obj_coefs = matrix_cost
        obj_cols = _positions_of(variables, declared, position, var_kinds)
        matrix_columns[id(variables)] = obj_cols
        offset = 0.0
    rows = _Rows()
    for component in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        values = component_values(component)
        datas = list(compress(values, map(_ACTIVE, values)))
        if not datas:
            continue
        if hasattr(component, "_matrix_rows"):
            _read_matrix_component(
                component, datas, (declared, position, matrix_columns), var_kinds, rows
            )
        else:
            _read_component(datas, position, var_kinds, rows)
        if keep_row_names:
            rows.names.extend(con.name for con, kept in zip(datas, rows.kept, strict=True) if kept)
        rows.kept.clear()
    term_cols, coefs, row_nnz, lower, upper = rows.arrays()
    used = np.zeros(len(declared), dtype=bool)
    used[term_cols] = True
    used[obj_cols] = True
    column_of: dict[int, int] | None = None
    if used.all():
        columns = declared
        column_of = position if position.filled else None
    else:  # Pyomo's writers leave out variables that appear nowhere; so do we
        renumber = np.cumsum(used) - 1
        term_cols = renumber[term_cols]
        obj_cols = renumber[obj_cols].tolist()
        kept = np.flatnonzero(used)
        columns = [declared[j] for j in kept.tolist()]
    if any(map(_FIXED, columns)):
        raise _UnsupportedError  # Pyomo's compiler turns fixed variables into constants
    n, m = len(columns), len(lower)
    cost = np.zeros(n)
    if len(obj_cols):
        cost = np.bincount(obj_cols, weights=obj_coefs, minlength=n).astype(np.float64)
    matrix = coo_matrix(
        (coefs, (np.repeat(np.arange(m, dtype=np.int64), row_nnz), term_cols)), shape=(m, n)
    ).tocsc()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    col_lower, col_upper, integrality = _bounds_of_components(components)
    if columns is not declared:
        col_lower, col_upper, integrality = (
            col_lower[kept],
            col_upper[kept],
            integrality[kept],
        )
    return LinearProgram(
        columns=columns,
        maximize=objective.sense == pyo.maximize,
        cost=cost,
        offset=float(offset),
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        row_lower=lower,
        row_upper=upper,
        a_start=matrix.indptr.astype(np.int32),
        a_index=matrix.indices.astype(np.int32),
        a_value=matrix.data.astype(np.float64),
        row_names=rows.names if keep_row_names else None,
        column_of=column_of,
    )


def _read_component(
    datas: list[Any], position: dict[int, int], var_kinds: frozenset[type], rows: _Rows
) -> None:
    """Read constraints from their expressions: as one block where the shape allows."""
    exprs = list(map(_EXPR, datas))
    if not (
        _read_variable_pairs(exprs, position, var_kinds, rows)
        or _read_sums(exprs, position, var_kinds, rows)
    ):
        for con, expr in zip(datas, exprs, strict=True):
            _read_row(con, expr, position, var_kinds, rows)
        rows.flush()


def _read_matrix_component(
    component: Any,
    datas: list[Any],
    columns: tuple[list[VarData], dict[int, int], dict[int, np.ndarray]],
    var_kinds: frozenset[type],
    rows: _Rows,
) -> None:
    """Read a :mod:`solvers.matrix_rows` constraint: unexpanded rows straight from its arrays.

    ``columns`` is the model's variables, their positions by ``id()``, and a cache of each
    block's variable list mapped to those positions (the blocks of one model share one list,
    usually the model's own variables in order). Rows whose expression was made (printed,
    changed, ...) are read from it, in their place, so the row order is the component's
    either way.
    """
    declared, position, mapped = columns
    found = unexpanded_rows(component, datas)
    if found is None:  # some rows were expanded: read runs of each kind in turn
        for unexpanded, run in groupby(datas, key=is_unexpanded):
            group = list(run)
            if unexpanded:
                _read_matrix_component(component, group, columns, var_kinds, rows)
            else:
                _read_component(group, position, var_kinds, rows)
        return
    block, numbers = found
    to_model = mapped.get(id(block.variables))
    if to_model is None:
        to_model = _positions_of(block.variables, declared, position, var_kinds)
        mapped[id(block.variables)] = to_model
    if len(numbers) == len(block) and np.array_equal(numbers, np.arange(len(block))):
        terms = np.arange(len(block.column))
    else:
        begins, ends = block.start[numbers], block.start[numbers + 1]
        sizes = ends - begins
        firsts = np.cumsum(sizes) - sizes  # where each row's terms start in the result
        terms = np.repeat(begins - firsts, sizes) + np.arange(int(sizes.sum()))
    rows.flush()
    rows.blocks.append(
        (
            to_model[block.column[terms]],
            block.coef[terms],
            np.diff(block.start)[numbers],
            block.lower[numbers],
            block.upper[numbers],
        )
    )
    rows.kept.extend([True] * len(numbers))


def _positions_of(
    variables: Any, declared: list[VarData], position: dict[int, int], var_kinds: frozenset[type]
) -> np.ndarray:
    """The model column of each of ``variables``; the identity when they are ``declared``."""
    count = len(variables)
    if count <= len(declared) and all(map(is_, variables, declared)):
        return np.arange(count, dtype=np.int64)
    if not set(map(type, variables)) <= var_kinds:
        raise _UnsupportedError
    try:
        return np.fromiter(map(position.__getitem__, map(id, variables)), np.int64, count)
    except KeyError:
        raise _UnsupportedError from None


class _Positions(dict[int, int]):
    """``id(variable)`` -> position among the model's variables, filled at the first look-up.

    Filling it takes 0.04 s at 148,000 variables; a model whose big families are matrix rows
    and whose objective is a matrix objective may never need it.
    """

    def __init__(self, declared: list[VarData]) -> None:
        super().__init__()
        self.declared = declared
        self.filled = False

    def __missing__(self, key: int) -> int:
        if self.filled:
            raise KeyError(key)
        self.filled = True
        self.update(zip(map(id, self.declared), range(len(self.declared)), strict=True))
        return self[key]


class _Rows:
    """Rows collected as numpy blocks: column indices, coefficients, terms per row, bounds.

    Rows read one at a time go to Python lists first and are turned into a block by
    :meth:`flush`. ``kept`` records, for the component being read, which of its constraints
    became a row (a constraint without variables does not).
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.cols: list[int] = []
        self.coefs: list[float] = []
        self.nnz: list[int] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.kept: list[bool] = []
        self.names: list[str] = []

    def flush(self) -> None:
        if self.nnz:
            self.blocks.append(
                (
                    np.asarray(self.cols, dtype=np.int64),
                    np.asarray(self.coefs, dtype=np.float64),
                    np.asarray(self.nnz, dtype=np.int64),
                    np.asarray(self.lower, dtype=np.float64),
                    np.asarray(self.upper, dtype=np.float64),
                )
            )
        self.cols, self.coefs, self.nnz, self.lower, self.upper = [], [], [], [], []

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        self.flush()
        if not self.blocks:
            empty_int, empty = np.zeros(0, dtype=np.int64), np.zeros(0)
            return empty_int, empty, empty_int, empty, empty
        parts = list(zip(*self.blocks, strict=True))
        return tuple(np.concatenate(part) for part in parts)  # type: ignore[return-value]


def _read_variable_pairs(
    exprs: list[Any], position: dict[int, int], var_kinds: frozenset[type], rows: _Rows
) -> bool:
    """Read a component whose rows are all ``x ≤ y`` or all ``x = y`` as one block.

    Returns False, having read nothing, when the component is of any other shape.
    """
    kinds = set(map(type, exprs))
    if kinds == {InequalityExpression}:
        if any(map(_STRICT, exprs)):
            return False
        equality = False
    elif kinds == {EqualityExpression}:
        equality = True
    else:
        return False
    sides = list(map(_ARGS, exprs))
    lefts, rights = list(map(_FIRST, sides)), list(map(_SECOND, sides))
    if not (set(map(type, lefts)) <= var_kinds and set(map(type, rights)) <= var_kinds):
        return False
    count = len(exprs)
    try:
        left = np.fromiter(map(position.__getitem__, map(id, lefts)), np.int64, count)
        right = np.fromiter(map(position.__getitem__, map(id, rights)), np.int64, count)
    except KeyError:
        raise _UnsupportedError from None
    rows.flush()
    rows.blocks.append(
        (
            np.column_stack([left, right]).ravel(),
            np.tile([1.0, -1.0], count),
            np.full(count, 2, dtype=np.int64),
            np.zeros(count) if equality else np.full(count, -math.inf),
            np.zeros(count),
        )
    )
    rows.kept.extend([True] * count)
    return True


def _read_sums(
    exprs: list[Any], position: dict[int, int], var_kinds: frozenset[type], rows: _Rows
) -> bool:
    """Read a component whose rows are all ``Σ x ≤ number`` or all ``Σ x ≤ c·y`` as one block.

    Returns False, having read nothing, when the component is of any other shape (a constant
    or a coefficient inside a sum, an empty sum, a strict or two-sided relation, ...).
    """
    if set(map(type, exprs)) != {InequalityExpression} or any(map(_STRICT, exprs)):
        return False
    sides = list(map(_ARGS, exprs))
    lefts, rights = list(map(_FIRST, sides)), list(map(_SECOND, sides))
    if set(map(type, lefts)) != {LinearExpression}:
        return False
    terms = list(map(_EXPR_ARGS, lefts))
    counts = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    flat = list(chain.from_iterable(terms))
    if not len(counts) or counts.min() == 0 or not set(map(type, flat)) <= var_kinds:
        return False
    right_kinds = set(map(type, rights))
    try:
        left_cols = np.fromiter(map(position.__getitem__, map(id, flat)), np.int64, len(flat))
        if right_kinds <= native_numeric_types:  # Σ x ≤ b
            cols, coefs, nnz = left_cols, np.ones(len(flat)), counts
            upper = np.asarray(rights, dtype=np.float64)
        elif right_kinds == _MONOMIAL:  # Σ x − c·y ≤ 0
            products = list(map(_ARGS, rights))
            right_coefs = list(map(_FIRST, products))
            if not set(map(type, right_coefs)) <= native_numeric_types:
                return False
            right_cols = np.fromiter(
                map(position.__getitem__, map(id, map(_SECOND, products))), np.int64, len(rights)
            )
            ends = np.cumsum(counts)
            cols = np.insert(left_cols, ends, right_cols)
            coefs = np.insert(np.ones(len(flat)), ends, -np.asarray(right_coefs, dtype=float))
            nnz, upper = counts + 1, np.zeros(len(rights))
        else:
            return False
    except KeyError:
        raise _UnsupportedError from None
    rows.flush()
    rows.blocks.append((cols, coefs, nnz, np.full(len(rights), -math.inf), upper))
    rows.kept.extend([True] * len(rights))
    return True


def _read_row(
    con: Any, expr: Any, position: dict[int, int], var_kinds: frozenset[type], rows: _Rows
) -> None:
    """Append one constraint's row: lower ≤ Σ coef·x ≤ upper (nothing if it has no variables)."""
    cols, coefs = rows.cols, rows.coefs
    kind = expr.__class__
    start = len(cols)
    inf = math.inf
    if kind is InequalityExpression or kind is EqualityExpression:
        if kind is InequalityExpression and expr._strict:
            raise _UnsupportedError
        left, right = expr.args
        constant = _terms(left, 1.0, cols, coefs, position, var_kinds)
        if len(cols) == start:  # number ≤ body (as Pyomo stores "body ≥ number")
            lo_value = constant - _terms(right, 1.0, cols, coefs, position, var_kinds)
            hi_value = lo_value if kind is EqualityExpression else inf
        else:  # left − right ≤ 0, or = 0
            constant += _terms(right, -1.0, cols, coefs, position, var_kinds)
            hi_value = -constant
            lo_value = hi_value if kind is EqualityExpression else -inf
    elif kind is RangedExpression:
        lo, body, hi = expr.args
        if lo.__class__ not in native_numeric_types or hi.__class__ not in native_numeric_types:
            raise _UnsupportedError
        if expr._strict[0] or expr._strict[1]:
            raise _UnsupportedError
        constant = _terms(body, 1.0, cols, coefs, position, var_kinds)
        lo_value, hi_value = lo - constant, hi - constant
    else:
        raise _UnsupportedError
    if len(cols) == start:  # no variables: a constant relation
        if lo_value > 1e-9 or hi_value < -1e-9:
            raise InfeasibleConstantError(f"constraint {con.name} is violated by constants")
        rows.kept.append(False)
        return
    rows.nnz.append(len(cols) - start)
    rows.lower.append(lo_value)
    rows.upper.append(hi_value)
    rows.kept.append(True)


def _bounds_of_components(
    components: list[list[VarData]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds and integrality of every variable, one Pyomo component at a time.

    A component whose variables all share one domain and the same bound objects (the usual
    ``Var(index, domain=..., bounds=...)``) is filled from its first variable.
    """
    parts = [_uniform_bounds(datas) or _column_bounds(datas) for datas in components if datas]
    if not parts:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    lower, upper, integrality = zip(*parts, strict=True)
    return np.concatenate(lower), np.concatenate(upper), np.concatenate(integrality)


def _uniform_bounds(
    datas: list[VarData],
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    first = datas[0]
    count = len(datas)
    # the same objects, not equal ones: an identity test cannot fail on an odd bound type
    uniform = (
        all(map(is_, map(_DOMAIN, datas), repeat(first._domain)))
        and all(map(is_, map(_LOWER, datas), repeat(first._lb)))
        and all(map(is_, map(_UPPER, datas), repeat(first._ub)))
    )
    if not uniform:
        return None
    low, high, integer = _bounds_of(first)
    return np.full(count, low), np.full(count, high), np.full(count, integer)


def _bounds_of(var: VarData) -> tuple[float, float, bool]:
    low, high = var.bounds
    return (
        -math.inf if low is None else float(low),
        math.inf if high is None else float(high),
        bool(var.is_integer()),
    )


def _column_bounds(columns: list[VarData]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds and integrality per column.

    Variables with the same domain and the same bound objects (numbers, or one shared
    parameter) have the same answer, which Pyomo's ``bounds`` works out once per kind; the
    columns are then filled by lookup without a Python loop (148,000 variables of three kinds:
    0.6 s one by one, 0.03 s this way).
    """
    keys = list(
        zip(
            map(id, map(_DOMAIN, columns)),
            map(_LOWER, columns),
            map(_UPPER, columns),
            strict=True,
        )
    )
    try:
        example = dict(zip(keys, columns, strict=True))  # one variable of each kind
    except TypeError:  # an unhashable bound: one variable at a time
        table = np.array([_bounds_of(var) for var in columns]).reshape(-1, 3)
        return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].astype(bool)
    code = {key: n for n, key in enumerate(example)}
    table = np.array([_bounds_of(var) for var in example.values()]).reshape(-1, 3)
    rows = table[np.fromiter(map(code.__getitem__, keys), dtype=np.int64, count=len(keys))]
    if not len(rows):
        rows = np.empty((0, 3))
    return rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].astype(bool)


def load_values(lp: LinearProgram, values: np.ndarray | list[float]) -> None:
    """Set every column's Pyomo variable to its value (integers rounded within tolerance)."""
    array = np.asarray(values, dtype=np.float64)
    rounded = np.round(array)
    snap = lp.integrality & (np.abs(array - rounded) <= INTEGRALITY_TOLERANCE)
    array = np.where(snap, rounded, array)
    values_list = array.tolist()
    if len(values_list) != len(lp.columns):
        raise ValueError(f"{len(values_list)} values for {len(lp.columns)} columns")
    kinds: set[type[VarData]] = set(map(type, lp.columns))
    if all(kind.set_value is VarData.set_value for kind in kinds):
        # Pyomo's own set_value (stale flags included), called from map: 0.025 s at 148,000
        # columns against 0.04 s for a Python loop
        deque(map(VarData.set_value, lp.columns, values_list, repeat(True)), maxlen=0)
    else:
        for var, value in zip(lp.columns, values_list, strict=True):
            var.set_value(value, skip_validation=True)


def all_columns_bounded(lp: LinearProgram) -> bool:
    """True when every column has finite bounds (so the feasible set is bounded)."""
    return bool(np.all(np.isfinite(lp.col_lower)) and np.all(np.isfinite(lp.col_upper)))
