r"""Large families of linear rows held as sparse arrays inside an ordinary Pyomo ``Constraint``.

A family such as :math:`x_{kij} \le y_{ki}` has tens of thousands of rows of one shape.
Making each row a Pyomo expression costs about 2 µs, and reading it back into a matrix costs as
much again. A :class:`MatrixRows` block holds the family instead as one compressed sparse row
(CSR) matrix over a list of variables:

.. math::

    lower_r \le \sum_{p = start_r}^{start_{r+1} - 1} coef_p \, x_{column_p} \le upper_r

:func:`add_matrix_rows` puts the block on a model as an indexed ``Constraint`` whose rows are
ordinary :class:`~pyomo.core.base.constraint.ConstraintData` to every caller: they are indexed
by their keys, have names, can be deactivated and iterated, and every Pyomo writer reads them.
A row's expression is made the first time anything asks for it (``expr``, ``body``,
``to_bounded_expression()``, printing, copying), and the row then becomes a plain
``ConstraintData`` holding that expression. Pyomo's own templated constraints use the same
pattern. :mod:`solvers.standard_form` reads the rows that were never expanded straight from
the arrays (:func:`unexpanded_rows`), which is what makes them cheap.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.objective import ObjectiveData, ScalarObjective
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from solvers.sparse_rows import MatrixRows

__all__ = [
    "MatrixRows",
    "add_matrix_objective",
    "add_matrix_rows",
    "component_values",
    "is_unexpanded",
    "unexpanded_objective",
    "unexpanded_rows",
]

# The slot that holds a row's expression; an unexpanded row keeps its row number there
_EXPR_SLOT: Any = ConstraintData.__dict__["_expr"]
# The slot that holds an objective's expression, as a 1-tuple
_ARGS_SLOT: Any = ObjectiveData.__dict__["_args_"]


class _MatrixRowData(ConstraintData):
    """A row of a :class:`MatrixRows` block whose expression has not been asked for yet.

    Its ``_expr`` slot holds the row number. Every ``ConstraintData`` method reads the
    expression through ``self._expr``, which this class turns into a property that makes the
    expression and changes the object into a plain ``ConstraintData`` (same slots, so the
    object stays the same one that the component and any caller hold).
    """

    __slots__ = ()

    def __init__(self, row: int, component: Any, index: Any) -> None:
        # the inlined constructors of ConstraintData, ActiveComponentData and ComponentData
        self._component = component  # type: ignore[misc]
        self._active = True  # type: ignore[misc]
        self._index = index  # type: ignore[misc]
        _EXPR_SLOT.__set__(self, row)

    @property
    def _expr(self) -> Any:
        row = _EXPR_SLOT.__get__(self)
        expr = self.parent_component()._matrix_rows.expression(row)
        self.__class__ = ConstraintData
        _EXPR_SLOT.__set__(self, expr)
        return expr

    @_expr.setter
    def _expr(self, expr: Any) -> None:  # set_value() replaces the row
        self.__class__ = ConstraintData
        _EXPR_SLOT.__set__(self, expr)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # pickle takes the class before the state, whose reading expands the row
        _ = self._expr
        return self.__reduce_ex__(protocol)


def add_matrix_rows(
    block: pyo.Block, name: str, keys: Sequence[Any], rows: MatrixRows, doc: str | None = None
) -> pyo.Constraint:
    """Add ``rows`` to ``block`` as the constraint ``name``, row r indexed by ``keys[r]``.

    Keys are used as Pyomo index values, so they should be what Pyomo would make of them
    (scalars or tuples of two or more). Nothing is added if the keys do not fit the rows.
    """
    if len(keys) != len(rows):
        raise ValueError(f"{name}: {len(keys)} keys for {len(rows)} rows")
    keys = tuple(keys)
    component = pyo.Constraint(pyo.SetOf(keys), doc=doc)
    reference = weakref.ref(component)
    rows_of_keys = map(_MatrixRowData, range(len(keys)), repeat(reference), keys)
    data = dict(zip(keys, rows_of_keys, strict=True))
    if len(data) != len(keys):
        raise ValueError(f"{name}: duplicate keys")
    block.add_component(name, component)  # no rule: constructed without rows
    component._matrix_rows = rows
    component._data = data
    return component


def is_unexpanded(con: Any) -> bool:
    """Whether ``con`` is a :class:`MatrixRows` row whose expression was never made."""
    return con.__class__ is _MatrixRowData


def unexpanded_rows(component: Any, datas: list[Any]) -> tuple[MatrixRows, np.ndarray] | None:
    """The block behind ``datas`` (rows of ``component``) and their row numbers in it.

    None unless every one of them is a :class:`MatrixRows` row whose expression was never
    made: a row that was expanded may since have been changed, so it has to be read from its
    expression like any other constraint.
    """
    rows = getattr(component, "_matrix_rows", None)
    if not isinstance(rows, MatrixRows) or set(map(type, datas)) != {_MatrixRowData}:
        return None
    numbers = np.fromiter(map(_EXPR_SLOT.__get__, datas), dtype=np.int64, count=len(datas))
    return rows, numbers


class _MatrixObjective(ScalarObjective):
    """A scalar objective ``Σ coef_j · variables_j`` whose expression has not been asked for.

    The terms live in ``_matrix_cost``; the first read of ``_args_`` (through ``expr``,
    evaluation, printing, any writer) makes the Pyomo expression and turns the object into
    a plain ``ScalarObjective``, as :class:`_MatrixRowData` does for rows.
    """

    __slots__ = ()

    @property
    def _args_(self) -> Any:
        variables, coef = self._matrix_cost
        terms = map(MonomialTermExpression, zip(coef.tolist(), variables, strict=True))
        args = (LinearExpression(list(terms)),)
        self.__class__ = ScalarObjective
        _ARGS_SLOT.__set__(self, args)
        return args

    @_args_.setter
    def _args_(self, args: Any) -> None:  # set_value() replaces the expression
        self.__class__ = ScalarObjective
        _ARGS_SLOT.__set__(self, args)

    def __reduce_ex__(self, protocol: Any) -> Any:
        _ = self._args_  # as for rows: expand before pickle takes the class
        return self.__reduce_ex__(protocol)


def add_matrix_objective(
    block: pyo.Block,
    name: str,
    variables: Sequence[VarData],
    coef: np.ndarray,
    sense: Any = pyo.minimize,
) -> pyo.Objective:
    """Add the objective ``Σ coef[j] · variables[j]`` to ``block`` as ``name``."""
    coef = np.asarray(coef, dtype=np.float64)
    if coef.shape != (len(variables),) or not np.isfinite(coef).all():
        raise ValueError(f"{name}: one finite coefficient per variable needed")
    component = pyo.Objective(sense=sense)
    block.add_component(name, component)  # no rule: constructed empty
    component.__class__ = _MatrixObjective
    component._matrix_cost = (variables, coef)
    component._data = {None: component}
    component.set_sense(sense)
    return component


def unexpanded_objective(objective: Any) -> tuple[Sequence[VarData], np.ndarray] | None:
    """The variables and coefficients of an objective made by :func:`add_matrix_objective`
    whose expression was never made; None for any other objective."""
    if objective.__class__ is not _MatrixObjective:
        return None
    return objective._matrix_cost


def component_values(component: Any) -> list[Any]:
    """``component.values()``, in its order, taken from Pyomo's dict where that is the order.

    Pyomo's ``values()`` calls a Python getter per element (0.1 s for 220,000 variables and
    rows); a component whose data were made in the order of its index set, as every dense
    component is, holds them in that order in ``_data`` already.
    """
    data = getattr(component, "_data", None)
    index = component.index_set()
    if data.__class__ is dict and len(data) == len(index) and list(data) == list(index):
        return list(data.values())
    return list(component.values())
