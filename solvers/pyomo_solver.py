"""Solvers reached through Pyomo's ``SolverFactory``: CBC, GLPK, Gurobi, CPLEX, any other name.

CBC and GLPK run as programs (Pyomo writes an LP file and reads the solution file back);
Gurobi and CPLEX come here only when their Python packages are not installed (with them,
``solvers.gurobi`` and ``solvers.cplex`` take the compiled arrays), and run as programs. Any
other name Pyomo knows is passed through with the raw options only.

Statuses come from Pyomo's termination condition (and, for GLPK, its log, since the solution
file does not say why the search stopped): a run is called optimal only when Pyomo reports
``optimal``. A claim of "unbounded" (or "infeasible or unbounded") is checked by solving the same
constraints with a zero objective: CBC and GLPK call a MIP unbounded as soon as its LP
relaxation is, which is wrong when the MIP has no integer point. Common options that a family
cannot take are named in the outcome's message instead of being dropped silently.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
from pyomo.common.modeling import unique_component_name
from pyomo.opt import SolverStatus, TerminationCondition

from solvers.base import SolveOutcome, SolverOptions, Status, relative_gap

PROBE_SECONDS = 30.0  # time limit of the feasibility check when the run has none
OptionMap = Callable[[SolverOptions], tuple[dict[str, Any], list[str]]]


def _cbc(options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
    mapped: dict[str, Any] = {"ratioGap": options.mip_gap, "randomCbcSeed": options.seed}
    if options.time_limit is not None:
        mapped["sec"] = options.time_limit
    if options.abs_gap is not None:
        mapped["allowableGap"] = options.abs_gap
    if options.threads is not None:
        mapped["threads"] = options.threads
    if options.presolve is not None:
        mapped["presolve"] = "on" if options.presolve else "off"
    return mapped, []


def _glpk(options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
    mapped: dict[str, Any] = {"mipgap": options.mip_gap}
    ignored = []
    if options.time_limit is not None:
        mapped["tmlim"] = max(1, math.ceil(options.time_limit))  # whole seconds only
    if options.abs_gap is not None:
        ignored.append("abs_gap")
    if options.threads is not None:
        ignored.append("threads (GLPK runs on one thread)")
    if options.seed:
        ignored.append("seed")
    if options.presolve is not None:
        mapped["intopt" if options.presolve else "nointopt"] = ""  # GLPK's MIP presolver
    return mapped, ignored


def _gurobi(options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
    mapped: dict[str, Any] = {"MIPGap": options.mip_gap, "Seed": options.seed}
    if options.time_limit is not None:
        mapped["TimeLimit"] = options.time_limit
    if options.abs_gap is not None:
        mapped["MIPGapAbs"] = options.abs_gap
    if options.threads is not None:
        mapped["Threads"] = options.threads
    if options.presolve is not None:
        mapped["Presolve"] = -1 if options.presolve else 0
    if options.log_file:
        mapped["LogFile"] = options.log_file  # Pyomo's gurobi_direct writes no log file itself
    return mapped, []


def _cplex(options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
    mapped: dict[str, Any] = {"mip_tolerances_mipgap": options.mip_gap}
    mapped["randomseed"] = options.seed
    if options.time_limit is not None:
        mapped["timelimit"] = options.time_limit
    if options.abs_gap is not None:
        mapped["mip_tolerances_absmipgap"] = options.abs_gap
    if options.threads is not None:
        mapped["threads"] = options.threads
    if options.presolve is not None:
        mapped["preprocessing_presolve"] = 1 if options.presolve else 0
    return mapped, []


def _unknown(options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
    ignored = [
        name
        for name, value in (
            ("time_limit", options.time_limit),
            ("mip_gap", options.mip_gap or None),
            ("abs_gap", options.abs_gap),
            ("threads", options.threads),
            ("seed", options.seed or None),
            ("presolve", options.presolve),
        )
        if value is not None
    ]
    return {}, ignored


FAMILIES: dict[str, OptionMap] = {
    "cbc": _cbc,
    "glpk": _glpk,
    "gurobi": _gurobi,
    "cplex": _cplex,
}

INSTALL_HINTS = {
    "cbc": "install the CBC program (Debian/Ubuntu: apt-get install coinor-cbc; "
    "conda: conda install -c conda-forge coin-or-cbc)",
    "glpk": "install GLPK (Debian/Ubuntu: apt-get install glpk-utils; "
    "conda: conda install -c conda-forge glpk)",
    "gurobi": "pip install gurobipy (models beyond its size limit need a Gurobi licence; "
    "or pip install 'clustersite[commercial]')",
    "cplex": "pip install cplex (models beyond its size limit need a CPLEX licence; "
    "or pip install 'clustersite[commercial]')",
}

# Pyomo's names per family: the Python-package interface first, then the program.
PYOMO_NAMES = {
    "gurobi": (("gurobi_direct", "gurobipy"), ("gurobi", None)),
    "cplex": (("cplex_direct", "cplex"), ("cplex", None)),
}

STATUS_OF = {
    TerminationCondition.optimal: Status.OPTIMAL,
    TerminationCondition.maxTimeLimit: Status.TIME_LIMIT,
    TerminationCondition.infeasible: Status.INFEASIBLE,
    TerminationCondition.unbounded: Status.UNBOUNDED,
}


class PyomoSolverAdapter:
    """Solve through ``pyo.SolverFactory``, with the option names of the solver's family."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._factory: Any = None

    def _pyomo_name(self) -> str:
        for pyomo_name, package in PYOMO_NAMES.get(self.name, ((self.name, None),)):
            if package is None or importlib.util.find_spec(package) is not None:
                return pyomo_name
        return self.name

    def _solver(self) -> Any:
        if self._factory is None:
            self._factory = pyo.SolverFactory(self._pyomo_name())
        return self._factory

    def available(self) -> bool:
        try:
            return bool(self._solver().available(exception_flag=False))
        except Exception as err:
            # any plugin failure (a licence error, a broken binary) means "not available
            # here"; the reason goes to the debug log rather than being lost
            logging.getLogger(__name__).debug("solver %s unavailable: %r", self.name, err)
            return False

    def version(self) -> str:
        try:
            found = self._solver().version()
        except (RuntimeError, OSError, AttributeError):
            return "unknown"
        if isinstance(found, tuple):
            return ".".join(str(p) for p in found[:3])
        return str(found)

    def install_hint(self) -> str:
        return INSTALL_HINTS.get(
            self.name, f"install a solver that Pyomo knows as '{self.name}' (pyomo help -s)"
        )

    def options_for(self, options: SolverOptions) -> tuple[dict[str, Any], list[str]]:
        """The solver's own option names and values, and the common options it cannot take."""
        mapped, ignored = FAMILIES.get(self.name, _unknown)(options)
        mapped.update(options.raw)
        return mapped, ignored

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        started = time.perf_counter()
        mapped, ignored = self.options_for(options)
        with tempfile.TemporaryDirectory(prefix="clustersite-") as folder:
            log_file = options.log_file or str(Path(folder) / "solver.log")
            results = self._run(model, mapped, log_file)
            log = Path(log_file).read_text(errors="replace") if Path(log_file).is_file() else ""
        status, message = self._status(model, options, results, log)
        wall = time.perf_counter() - started
        has_solution = status in (Status.OPTIMAL, Status.TIME_LIMIT) and len(results.solution) > 0
        objective = None
        if has_solution:
            _load_quietly(model, results)
            objective = float(pyo.value(_objective(model)))
        bound = _bound(results) if has_solution else None
        if (
            bound is not None
            and objective is not None
            and not _bound_is_valid(model, objective, bound)
        ):
            # seen with CBC through Pyomo on maximisation models: a bound below a checked
            # solution (its sign lost on the way); a bound that cannot be right is dropped
            message += f"; the solver's bound {bound:.9g} contradicts its solution, dropped"
            bound = None
        if status == Status.OPTIMAL and bound is None:
            bound = objective
        if ignored:
            message += "; not supported by " + self.name + ", ignored: " + ", ".join(ignored)
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
            message=message,
        )

    def _status(
        self, model: pyo.ConcreteModel, options: SolverOptions, results: Any, log: str
    ) -> tuple[Status, str]:
        """The outcome's status from Pyomo's termination condition and the solver's log."""
        condition = results.solver.termination_condition
        status, message = STATUS_OF.get(condition, Status.ERROR), str(condition)
        if self.name == "glpk":
            # Pyomo reads GLPK's solution file, which does not say why the search stopped
            if "TIME LIMIT EXCEEDED" in log:
                status, message = Status.TIME_LIMIT, "TIME LIMIT EXCEEDED"
            elif "UNBOUNDED" in log:
                status, message = Status.UNBOUNDED, "LP relaxation unbounded"
        if condition == TerminationCondition.infeasibleOrUnbounded:
            status = Status.UNBOUNDED
        if status == Status.UNBOUNDED:
            # CBC and GLPK call a MIP unbounded when its LP relaxation is, without finding an
            # integer point; unbounded holds only if the MIP is feasible (Meyer, 1974)
            return self._settle_unbounded(model, options, message)
        if results.solver.status in (SolverStatus.error, SolverStatus.aborted) and (
            status == Status.OPTIMAL
        ):
            return Status.ERROR, f"{message} ({results.solver.status})"
        return status, message

    def _run(self, model: pyo.ConcreteModel, mapped: dict[str, Any], log_file: str | None) -> Any:
        solver = self._solver()
        keywords: dict[str, Any] = {"options": mapped, "load_solutions": False, "tee": False}
        if log_file:
            keywords["logfile"] = log_file
        return solver.solve(model, **keywords)

    def _settle_unbounded(
        self, model: pyo.ConcreteModel, options: SolverOptions, message: str
    ) -> tuple[Status, str]:
        """Solve the same constraints with a zero objective: feasible confirms unbounded.

        The check runs under the run's time limit (or PROBE_SECONDS): branch and bound on
        unbounded integers may never end, and an unsettled check is an error, not a guess.
        """
        objective = _objective(model)
        objective.deactivate()
        probe_name = unique_component_name(model, "feasibility_probe")
        model.add_component(probe_name, pyo.Objective(expr=0.0))
        limit = options.time_limit or PROBE_SECONDS
        probe_options, _ = self.options_for(
            SolverOptions(time_limit=limit, threads=options.threads, raw=options.raw)
        )
        try:
            probe = self._run(model, probe_options, None)
        finally:
            model.del_component(probe_name)
            objective.activate()
        condition = probe.solver.termination_condition
        if condition == TerminationCondition.optimal:
            return Status.UNBOUNDED, f"{message}; a feasible integer point exists"
        if condition == TerminationCondition.infeasible:
            return Status.INFEASIBLE, f"{message}; but no feasible integer point exists"
        return Status.ERROR, f"{message}; feasibility check ended with {condition}"


def _load_quietly(model: pyo.ConcreteModel, results: Any) -> None:
    """Load the solution; Pyomo warns when a time-limited run's solution is loaded."""
    logger = logging.getLogger("pyomo.core")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        model.solutions.load_from(results)
    finally:
        logger.setLevel(level)


def _objective(model: pyo.ConcreteModel) -> Any:
    return next(model.component_data_objects(pyo.Objective, active=True))


def _bound_is_valid(model: pyo.ConcreteModel, objective: float, bound: float) -> bool:
    """A bound lies on the far side of every solution: above it when maximising, else below."""
    slack = 1e-6 * max(1.0, abs(objective))
    if _objective(model).sense == pyo.maximize:
        return bound >= objective - slack
    return bound <= objective + slack


def _bound(results: Any) -> float | None:
    """The best bound Pyomo reports for the problem, if any and finite."""
    try:
        problem = results.problem[0]
    except (IndexError, KeyError, AttributeError):
        return None
    maximize = "max" in str(getattr(problem, "sense", "")).lower()
    value = getattr(problem, "upper_bound" if maximize else "lower_bound", None)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None
