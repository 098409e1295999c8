"""Solver adapters behind one interface (see ``solvers.base``).

``get_solver(name)`` returns the adapter for a solver name, raising a clear error that says how
to install the solver when it cannot run here; ``solver_table()`` lists the known families with
what is installed.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.errors import SolverUnavailableError
from solvers.base import SolveOutcome, SolverAdapter, SolverOptions, Status

__all__ = [
    "KNOWN_SOLVERS",
    "SolveOutcome",
    "SolverAdapter",
    "SolverInfo",
    "SolverOptions",
    "Status",
    "get_solver",
    "solver_table",
]

KNOWN_SOLVERS = ("highs", "cbc", "glpk", "scip", "gurobi", "cplex")
ALIASES = {"highspy": "highs", "pyscipopt": "scip", "gurobipy": "gurobi", "coin-or-cbc": "cbc"}


@dataclass(frozen=True)
class SolverInfo:
    """One row of ``python run.py solvers``."""

    name: str
    installed: bool
    version: str
    install_hint: str


def adapter_for(name: str) -> SolverAdapter:
    """The adapter for ``name`` whether or not the solver is installed."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key == "highs":
        from solvers.highs import HighsAdapter

        return HighsAdapter()
    if key == "scip":
        from solvers.scip import ScipAdapter

        return ScipAdapter()
    from solvers.pyomo_solver import PyomoSolverAdapter

    return PyomoSolverAdapter(key)


def get_solver(name: str) -> SolverAdapter:
    """The adapter for ``name``; raises SolverUnavailableError if it cannot run here."""
    adapter = adapter_for(name)
    if not adapter.available():
        raise SolverUnavailableError(name, adapter.install_hint())
    return adapter


def solver_table(names: tuple[str, ...] = KNOWN_SOLVERS) -> list[SolverInfo]:
    """Each known solver family: installed or not, its version, how to install it."""
    rows = []
    for name in names:
        adapter = adapter_for(name)
        installed = adapter.available()
        rows.append(
            SolverInfo(
                name=name,
                installed=installed,
                version=adapter.version() if installed else "",
                install_hint=adapter.install_hint(),
            )
        )
    return rows
