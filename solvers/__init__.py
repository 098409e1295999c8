"""Solver adapters behind one interface (see ``solvers.base``).

``get_solver(name)`` returns the adapter for a solver name, raising a clear error that says how
to install the solver when it cannot run here; ``solver_table()`` lists the known families with
what is installed and, for the commercial ones, their licence state and size limit.

Adapters: HiGHS (``solvers.highs``), SCIP (``solvers.scip``), Gurobi (``solvers.gurobi``),
CPLEX (``solvers.cplex``), Xpress (``solvers.xpress``) and COPT (``solvers.copt``) take the
compiled arrays of ``solvers.standard_form``; CBC, GLPK and any other name go through Pyomo
(``solvers.pyomo_solver``), as do Gurobi and CPLEX when only their programs are installed. A
commercial solver that refuses a model for its licence raises ``solvers.licence.LicenceError``
(exit 4).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from model.errors import SolverUnavailableError
from solvers.base import SolveOutcome, SolverAdapter, SolverOptions, Status
from solvers.licence import LicenceError, LicenceState

__all__ = [
    "COMMERCIAL_SOLVERS",
    "KNOWN_SOLVERS",
    "LicenceError",
    "SolveOutcome",
    "SolverAdapter",
    "SolverInfo",
    "SolverOptions",
    "Status",
    "get_solver",
    "solver_table",
]

NO_LICENCE_INFO = LicenceState("", "")  # open-source solvers, or licences not probed
COMMERCIAL_SOLVERS = ("gurobi", "cplex", "xpress", "copt")
KNOWN_SOLVERS = ("highs", "cbc", "glpk", "scip", *COMMERCIAL_SOLVERS)
ALIASES = {
    "highspy": "highs",
    "pyscipopt": "scip",
    "gurobipy": "gurobi",
    "coin-or-cbc": "cbc",
    "coptpy": "copt",
    "fico-xpress": "xpress",
}


@dataclass(frozen=True)
class SolverInfo:
    """One row of ``python run.py solvers``."""

    name: str
    installed: bool
    version: str
    install_hint: str
    licence: LicenceState = NO_LICENCE_INFO  # commercial solvers only


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
    if key == "gurobi" and importlib.util.find_spec("gurobipy") is not None:
        from solvers.gurobi import GurobiAdapter

        return GurobiAdapter()
    if key == "cplex" and importlib.util.find_spec("cplex") is not None:
        from solvers.cplex import CplexAdapter

        return CplexAdapter()
    if key == "xpress":
        from solvers.xpress import XpressAdapter

        return XpressAdapter()
    if key == "copt":
        from solvers.copt import CoptAdapter

        return CoptAdapter()
    from solvers.pyomo_solver import PyomoSolverAdapter

    return PyomoSolverAdapter(key)


def get_solver(name: str) -> SolverAdapter:
    """The adapter for ``name``; raises SolverUnavailableError if it cannot run here."""
    adapter = adapter_for(name)
    if not adapter.available():
        raise SolverUnavailableError(name, adapter.install_hint())
    return adapter


def solver_table(
    names: tuple[str, ...] = KNOWN_SOLVERS, *, licences: bool = False
) -> list[SolverInfo]:
    """Each known solver family: installed or not, its version, how to install it.

    ``licences``: also probe each installed commercial solver's licence (two tiny solves each,
    see ``solvers.licence``).
    """
    rows = []
    for name in names:
        adapter = adapter_for(name)
        installed = adapter.available()
        licence = NO_LICENCE_INFO
        probe = getattr(adapter, "licence", None)
        if licences and installed and probe is not None:
            licence = probe()
        rows.append(
            SolverInfo(
                name=name,
                installed=installed,
                version=adapter.version() if installed else "",
                install_hint=adapter.install_hint(),
                licence=licence,
            )
        )
    return rows
