"""SCIP through PySCIPOpt (``pip install pyscipopt``; the wheel carries SCIP itself).

The model is compiled to arrays once (``solvers.standard_form``), written as a free MPS file by
HiGHS's writer and read by SCIP: one C-level read instead of one Python call per constraint.
Columns are named ``c0 … c{n-1}`` in that file, which maps SCIP's variables back to Pyomo's.
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo

from solvers.base import SolveOutcome, SolverOptions, Status, untimed_outcome
from solvers.standard_form import (
    InfeasibleConstantError,
    LinearProgram,
    all_columns_bounded,
    compile_model,
    load_values,
)

# SCIP's statuses that mean "stopped, the incumbent is the best found so far"; gaplimit means
# the requested gap was reached, which is how every adapter reports a gap-limited optimum.
SCIP_STATUS = {
    "optimal": Status.OPTIMAL,
    "gaplimit": Status.OPTIMAL,
    "timelimit": Status.TIME_LIMIT,
    "infeasible": Status.INFEASIBLE,
    "unbounded": Status.UNBOUNDED,
}


class ScipAdapter:
    """SCIP via PySCIPOpt."""

    name = "scip"

    def available(self) -> bool:
        return importlib.util.find_spec("pyscipopt") is not None

    def version(self) -> str:
        try:
            import pyscipopt

            return str(pyscipopt.Model().version())
        except (ImportError, AttributeError):
            try:
                return metadata.version("pyscipopt")
            except metadata.PackageNotFoundError:
                return "unknown"

    def install_hint(self) -> str:
        return "pip install pyscipopt"

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        started = time.perf_counter()
        try:
            lp = compile_model(model)
        except InfeasibleConstantError as err:
            return self._outcome(Status.INFEASIBLE, message=str(err))
        if lp.num_col == 0:
            return self._outcome(Status.OPTIMAL, objective=lp.offset, bound=lp.offset)
        with tempfile.TemporaryDirectory(prefix="clustersite-scip-") as folder:
            scip = _read(lp, Path(folder) / "model.mps")
            handed_off = time.perf_counter()
            ignored = _apply_options(scip, options)
            scip.optimize()
            outcome = self._collect(scip, lp, Path(folder))
        message = outcome.message
        if ignored:
            message += "; not supported by scip, ignored: " + ", ".join(ignored)
        return replace(
            outcome,
            wall_time_s=time.perf_counter() - started,
            handoff_s=handed_off - started,
            message=message,
        )

    def _collect(self, scip: Any, lp: LinearProgram, folder: Path) -> SolveOutcome:
        raw = scip.getStatus()
        status = SCIP_STATUS.get(raw, Status.ERROR)
        if raw == "inforunbd":
            status = _settle_infeasible_or_unbounded(lp, folder)
        has_solution = status in (Status.OPTIMAL, Status.TIME_LIMIT) and scip.getNSols() > 0
        if status == Status.OPTIMAL and not has_solution:
            status = Status.ERROR
        objective = bound = None
        if has_solution:
            solution = scip.getBestSol()
            values = np.zeros(lp.num_col)
            for var in scip.getVars():
                values[int(var.name[1:])] = scip.getSolVal(solution, var)
            load_values(lp, values)
            objective = float(scip.getSolObjVal(solution))
            dual = float(scip.getDualbound())
            bound = dual if np.isfinite(dual) and abs(dual) < scip.infinity() else None
        return self._outcome(
            status,
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            nodes=int(scip.getNNodes()),
            solver_time_s=float(scip.getSolvingTime()),
            message=raw,
        )

    def _outcome(
        self,
        status: Status,
        *,
        has_solution: bool | None = None,
        objective: float | None = None,
        bound: float | None = None,
        nodes: int | None = None,
        solver_time_s: float | None = None,
        message: str = "",
    ) -> SolveOutcome:
        return untimed_outcome(
            status,
            self.name,
            self.version(),
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            nodes=nodes,
            solver_time_s=solver_time_s,
            message=message,
        )


def _read(lp: LinearProgram, path: Path) -> Any:
    """A silent SCIP model read from ``lp`` written as MPS by HiGHS."""
    import pyscipopt

    from solvers.highs import new_highs, pass_model

    writer = new_highs()
    pass_model(writer, lp)
    writer.writeModel(str(path))
    scip = pyscipopt.Model()
    scip.hideOutput(True)
    scip.readProblem(str(path))
    return scip


def _apply_options(scip: Any, options: SolverOptions) -> list[str]:
    """Map the common options to SCIP's parameters; returns those SCIP cannot take."""
    import pyscipopt

    scip.setParam("limits/gap", float(options.mip_gap))
    scip.setParam("randomization/randomseedshift", int(options.seed))
    if options.abs_gap is not None:
        scip.setParam("limits/absgap", float(options.abs_gap))
    if options.time_limit is not None:
        scip.setParam("limits/time", float(options.time_limit))
    if options.presolve is False:
        scip.setPresolve(pyscipopt.SCIP_PARAMSETTING.OFF)
    if options.log_file:
        scip.setLogfile(str(options.log_file))  # quiet mode still writes the log file
    for key, value in options.raw.items():
        scip.setParam(key, value)
    return ["threads (SCIP solves on one thread)"] if options.threads not in (None, 1) else []


def _settle_infeasible_or_unbounded(lp: LinearProgram, folder: Path) -> Status:
    """SCIP said "infeasible or unbounded": solve the same constraints with a zero objective."""
    if all_columns_bounded(lp):
        return Status.INFEASIBLE
    probe = _read(replace(lp, cost=np.zeros(lp.num_col), offset=0.0), folder / "probe.mps")
    probe.optimize()
    raw = probe.getStatus()
    if raw == "optimal":
        return Status.UNBOUNDED
    if raw == "infeasible":
        return Status.INFEASIBLE
    return Status.ERROR
