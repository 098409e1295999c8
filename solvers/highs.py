"""HiGHS through highspy, with a hand-off that avoids Pyomo's per-constraint translation.

The Pyomo model is compiled once to matrix form by Pyomo's standard-form compiler
(``pyomo.repn.plugins.standard_form``) and passed to HiGHS in a single ``passModel`` call; this
was about 3× faster than Pyomo's persistent HiGHS interface (DESIGN.md §6).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from importlib import metadata

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from solvers.base import SolveOutcome, SolverOptions, Status, relative_gap

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is a core dependency
    highspy = None  # type: ignore[assignment]

INTEGRALITY_TOLERANCE = 1e-6


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1: HiGHS prints a banner from C++ the first time it starts."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (e.g. some embedded interpreters): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs() -> highspy.Highs:
    with _quiet_stdout():
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


class HighsAdapter:
    """The default solver; needs nothing beyond ``pip install highspy``."""

    name = "highs"

    def available(self) -> bool:
        return highspy is not None

    def version(self) -> str:
        try:
            return metadata.version("highspy")
        except metadata.PackageNotFoundError:
            return "unknown"

    def install_hint(self) -> str:
        return "pip install highspy"

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        started = time.perf_counter()
        try:
            compiled = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        except InfeasibleConstraintException as err:
            return self._outcome(Status.INFEASIBLE, started, started, message=str(err))
        solver = _new_highs()
        lp, columns = self._to_highs_lp(model, compiled)
        if lp.num_col_ == 0:
            # nothing left to decide: every constraint was constant and satisfied
            offset = float(compiled.c_offset[0]) if len(compiled.c_offset) else 0.0
            return self._outcome(Status.OPTIMAL, started, started, objective=offset, bound=offset)
        solver.passModel(lp)
        handed_off = time.perf_counter()
        self._apply_options(solver, options)
        solver.run()
        return self._collect(solver, columns, started, handed_off)

    @staticmethod
    def _to_highs_lp(
        model: pyo.ConcreteModel, compiled: object
    ) -> tuple[highspy.HighsLp, list[pyo.Var]]:
        c = compiled.c.toarray().ravel() if compiled.c.shape[0] else None  # type: ignore[attr-defined]
        a_matrix = compiled.A.tocsc()  # type: ignore[attr-defined]
        columns = list(compiled.columns)  # type: ignore[attr-defined]
        rows = compiled.rows  # type: ignore[attr-defined]
        rhs = np.asarray(compiled.rhs, dtype=np.float64)  # type: ignore[attr-defined]
        senses = np.array([sense for _, sense in rows], dtype=int)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = len(columns)
        lp.num_row_ = len(rows)
        lp.col_cost_ = c if c is not None else np.zeros(len(columns))
        lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in columns], dtype=float)
        lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in columns], dtype=float)
        # mixed form: sense 1 is "row ≤ rhs", -1 is "row ≥ rhs", 0 is "row = rhs"
        lp.row_lower_ = np.where(senses <= 0, rhs, -inf) if len(rows) else np.zeros(0)
        lp.row_upper_ = np.where(senses >= 0, rhs, inf) if len(rows) else np.zeros(0)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a_matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a_matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = a_matrix.data.astype(float)
        objective = next(model.component_data_objects(pyo.Objective, active=True))
        lp.sense_ = (
            highspy.ObjSense.kMaximize
            if objective.sense == pyo.maximize
            else highspy.ObjSense.kMinimize
        )
        offset = compiled.c_offset  # type: ignore[attr-defined]
        lp.offset_ = float(offset[0]) if len(offset) else 0.0
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v.is_integer() else highspy.HighsVarType.kContinuous
            for v in columns
        ]
        return lp, columns

    @staticmethod
    def _apply_options(solver: highspy.Highs, options: SolverOptions) -> None:
        solver.setOptionValue("mip_rel_gap", float(options.mip_gap))
        solver.setOptionValue("random_seed", int(options.seed))
        if options.time_limit is not None:
            solver.setOptionValue("time_limit", float(options.time_limit))
        if options.threads is not None:
            # HiGHS keeps one thread scheduler per process; a different thread count needs a
            # new one, or the run fails with "scheduler has already been initialized"
            solver.resetGlobalScheduler(True)
            solver.setOptionValue("threads", int(options.threads))
        if options.presolve is not None:
            solver.setOptionValue("presolve", "on" if options.presolve else "off")
        if options.log_file:
            solver.setOptionValue("output_flag", True)
            solver.setOptionValue("log_to_console", False)
            solver.setOptionValue("log_file", options.log_file)
        for key, value in options.raw.items():
            solver.setOptionValue(key, value)

    def _collect(
        self,
        solver: highspy.Highs,
        columns: list[pyo.Var],
        started: float,
        handed_off: float,
    ) -> SolveOutcome:
        model_status = solver.getModelStatus()
        info = solver.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        kind = highspy.HighsModelStatus
        status = {
            kind.kOptimal: Status.OPTIMAL,
            kind.kTimeLimit: Status.TIME_LIMIT,
            kind.kInfeasible: Status.INFEASIBLE,
            kind.kUnbounded: Status.UNBOUNDED,
        }.get(model_status, Status.ERROR)
        if model_status == kind.kUnboundedOrInfeasible:
            bounded = all(v.lb is not None and v.ub is not None for v in columns)
            # every column bounded: the feasible set is bounded, so this means infeasible
            status = Status.INFEASIBLE if bounded else Status.ERROR
        if status == Status.OPTIMAL and not has_solution:
            status = Status.ERROR
        if has_solution:
            values = solver.getSolution().col_value
            for var, value in zip(columns, values, strict=True):
                if var.is_integer() and abs(value - round(value)) <= INTEGRALITY_TOLERANCE:
                    value = float(round(value))
                var.set_value(value, skip_validation=True)
        objective = float(info.objective_function_value) if has_solution else None
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
        if status == Status.OPTIMAL and bound is None:
            bound = objective  # an LP (no integers) reports no MIP bound; optimal means equal
        return self._outcome(
            status,
            started,
            handed_off,
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            solver_time_s=float(solver.getRunTime()),
            nodes=int(info.mip_node_count) if info.mip_node_count >= 0 else None,
            message=solver.modelStatusToString(model_status),
        )

    def _outcome(
        self,
        status: Status,
        started: float,
        handed_off: float,
        *,
        has_solution: bool | None = None,
        objective: float | None = None,
        bound: float | None = None,
        solver_time_s: float | None = None,
        nodes: int | None = None,
        message: str = "",
    ) -> SolveOutcome:
        solution = has_solution if has_solution is not None else objective is not None
        return SolveOutcome(
            status=status,
            has_solution=solution,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound),
            solver=self.name,
            version=self.version(),
            wall_time_s=time.perf_counter() - started,
            solver_time_s=solver_time_s,
            handoff_s=handed_off - started,
            nodes=nodes,
            message=message,
        )
