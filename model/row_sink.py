"""Where the formulation's row families go: onto a Pyomo model, or into arrays for HiGHS.

The functions that state each family of rows (:mod:`model.formulation`,
:mod:`model.pair_rows`, :mod:`model.compact_rows`, :mod:`model.policy_rows`) hand their rows
to a :class:`RowSink`. :class:`ModelSink` adds them to a Pyomo model, as matrix rows
(:mod:`solvers.matrix_rows`) that every Pyomo writer and solver reads;
:class:`model.matrix_model.ArraySink` keeps only the arrays, for the HiGHS path that needs no
Pyomo model. Keys are passed as a function because making them (tuples of names, one per row)
costs more than the rows themselves at scale, and the array path never needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from model.policy_rows import PolicyFamily
    from solvers.matrix_rows import MatrixRows


class RowSink(Protocol):
    def rows(self, name: str, keys: Callable[[], Sequence[Any]], rows: MatrixRows) -> None:
        """A family of rows named ``name``, row r indexed by ``keys()[r]``."""

    def infeasible(self, name: str, keys: Sequence[Any]) -> None:
        """Rows that no solution satisfies (a floor over no allowed site)."""

    def policy(self, family: PolicyFamily) -> None:
        """A policy family (docs/model.md §5, family 7): rows and infeasible keys together."""


class ModelSink:
    """Adds every family to ``model`` under its name."""

    def __init__(self, model: pyo.ConcreteModel) -> None:
        self.model = model

    def rows(self, name: str, keys: Callable[[], Sequence[Any]], rows: MatrixRows) -> None:
        from solvers.matrix_rows import add_matrix_rows

        add_matrix_rows(self.model, name, keys(), rows)

    def infeasible(self, name: str, keys: Sequence[Any]) -> None:
        import pyomo.environ as pyo

        self.model.add_component(
            name, pyo.Constraint(list(keys), rule=lambda m, k: pyo.Constraint.Infeasible)
        )

    def policy(self, family: PolicyFamily) -> None:
        """Unindexed families are one plain constraint; an indexed family with infeasible
        rows is one ordinary ``Constraint`` over all its keys, in their order, as if built by
        a rule; otherwise matrix rows."""
        import pyomo.environ as pyo

        rows, name = family.rows, family.name
        if family.keys is None:
            if family.infeasible:
                self.model.add_component(name, pyo.Constraint(expr=pyo.Constraint.Infeasible))
            elif len(rows):
                self.model.add_component(name, pyo.Constraint(expr=rows.expression(0)))
            return
        if not family.infeasible:
            self.rows(name, lambda: family.keys or [], rows)
            return
        row_of = {key: n for n, key in enumerate(family.keys)}
        every = sorted([*family.keys, *family.infeasible])

        def rule(_: pyo.ConcreteModel, key: Any) -> Any:
            if key in row_of:
                return rows.expression(row_of[key])
            return pyo.Constraint.Infeasible

        self.model.add_component(name, pyo.Constraint(every, rule=rule))
