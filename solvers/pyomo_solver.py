"""Any solver Pyomo knows by name (cbc, glpk, scip, gurobi, cplex, ...), as a pass-through.

Statuses come from Pyomo's termination condition; a run is called optimal only when Pyomo
reports ``optimal``. Options are mapped per solver family where the names are known.
"""

from __future__ import annotations

import time
from typing import Any

import pyomo.environ as pyo
from pyomo.opt import SolverStatus, TerminationCondition

from solvers.base import SolveOutcome, SolverOptions, Status, relative_gap

# Option names per solver family for the common settings (None: not supported by that family).
OPTION_NAMES: dict[str, dict[str, str | None]] = {
    "cbc": {"time_limit": "sec", "mip_gap": "ratio", "threads": "threads", "seed": "randomSeed"},
    "glpk": {"time_limit": "tmlim", "mip_gap": "mipgap", "threads": None, "seed": None},
    "scip": {
        "time_limit": "limits/time",
        "mip_gap": "limits/gap",
        "threads": None,
        "seed": "randomization/randomseedshift",
    },
    "gurobi": {
        "time_limit": "TimeLimit",
        "mip_gap": "MIPGap",
        "threads": "Threads",
        "seed": "Seed",
    },
    "cplex": {
        "time_limit": "timelimit",
        "mip_gap": "mip_tolerances_mipgap",
        "threads": "threads",
        "seed": "randomseed",
    },
}

INSTALL_HINTS = {
    "cbc": "install the CBC binary (Debian: apt install coinor-cbc; conda: coin-or-cbc)",
    "glpk": "install GLPK (Debian: apt install glpk-utils; conda: glpk)",
    "scip": "pip install pyscipopt, or put the scip binary on PATH",
    "gurobi": "pip install gurobipy (a licence is needed beyond small models)",
    "cplex": "pip install cplex (a licence is needed beyond small models)",
}


class PyomoSolverAdapter:
    """Solve through ``pyo.SolverFactory(name)``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._factory: Any = None

    def _solver(self) -> Any:
        if self._factory is None:
            self._factory = pyo.SolverFactory(self.name)
        return self._factory

    def available(self) -> bool:
        try:
            return bool(self._solver().available(exception_flag=False))
        except (RuntimeError, OSError, AttributeError):
            return False

    def version(self) -> str:
        try:
            found = self._solver().version()
        except (RuntimeError, OSError, AttributeError):
            return "unknown"
        return ".".join(str(p) for p in found) if isinstance(found, tuple) else str(found)

    def install_hint(self) -> str:
        return INSTALL_HINTS.get(self.name, f"install a solver Pyomo knows as '{self.name}'")

    def _options(self, options: SolverOptions) -> dict[str, Any]:
        names = OPTION_NAMES.get(self.name, {})
        mapped: dict[str, Any] = {}
        for key, value in (
            ("time_limit", options.time_limit),
            ("mip_gap", options.mip_gap),
            ("threads", options.threads),
            ("seed", options.seed),
        ):
            option = names.get(key)
            if value is not None and option:
                mapped[option] = value
        mapped.update(options.raw)
        return mapped

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        started = time.perf_counter()
        solver = self._solver()
        results = solver.solve(
            model, options=self._options(options), load_solutions=False, tee=False
        )
        wall = time.perf_counter() - started
        condition = results.solver.termination_condition
        status = {
            TerminationCondition.optimal: Status.OPTIMAL,
            TerminationCondition.maxTimeLimit: Status.TIME_LIMIT,
            TerminationCondition.infeasible: Status.INFEASIBLE,
            TerminationCondition.unbounded: Status.UNBOUNDED,
        }.get(condition, Status.ERROR)
        if results.solver.status == SolverStatus.error:
            status = Status.ERROR
        has_solution = len(results.solution) > 0 and status in (Status.OPTIMAL, Status.TIME_LIMIT)
        objective = None
        if has_solution:
            model.solutions.load_from(results)
            objective = float(pyo.value(next(model.component_data_objects(pyo.Objective))))
        bound = _bound(results)
        if status == Status.OPTIMAL and bound is None:
            bound = objective
        solver_time = getattr(results.solver, "time", None)
        return SolveOutcome(
            status=status,
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound),
            solver=self.name,
            version=self.version(),
            wall_time_s=wall,
            solver_time_s=float(solver_time) if isinstance(solver_time, int | float) else None,
            handoff_s=0.0,  # Pyomo writes a file and reads it back; not separable here
            message=str(condition),
        )


def _bound(results: Any) -> float | None:
    """The best bound Pyomo reports for the problem, if any and finite."""
    try:
        problem = results.problem[0]
    except (IndexError, KeyError, AttributeError):
        return None
    for attribute in ("upper_bound", "lower_bound"):
        value = getattr(problem, attribute, None)
        sense = str(getattr(problem, "sense", ""))
        wanted = "upper_bound" if "max" in sense else "lower_bound"
        if attribute == wanted and isinstance(value, int | float) and abs(value) < float("inf"):
            return float(value)
    return None
