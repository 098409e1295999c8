"""Solver adapters behind one interface (see ``solvers.base``).

``get_solver(name)`` returns the adapter for a solver name, raising a clear error when the
solver is not installed.
"""

from __future__ import annotations

from model.errors import SolverUnavailableError
from solvers.base import SolveOutcome, SolverAdapter, SolverOptions, Status
from solvers.highs import HighsAdapter
from solvers.pyomo_solver import PyomoSolverAdapter

__all__ = [
    "SolveOutcome",
    "SolverAdapter",
    "SolverOptions",
    "Status",
    "get_solver",
]

KNOWN_SOLVERS = ("highs", "cbc", "glpk", "scip", "gurobi", "cplex")


def get_solver(name: str) -> SolverAdapter:
    """The adapter for ``name``; raises SolverUnavailableError if it cannot run here."""
    key = name.strip().lower()
    adapter: SolverAdapter = (
        HighsAdapter() if key in ("highs", "highspy") else PyomoSolverAdapter(key)
    )
    if not adapter.available():
        raise SolverUnavailableError(name, adapter.install_hint())
    return adapter
