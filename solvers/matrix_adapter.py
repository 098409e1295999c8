"""The common path of the adapters that hand a solver the compiled arrays of the model.

The model is compiled once (``solvers.standard_form``) and loaded into the solver through its
own matrix call (one call with the column-wise arrays, as the HiGHS path does); the solver
solves, the best solution's values go back into the Pyomo variables. A subclass supplies the
four solver-specific steps (:meth:`MatrixAdapter._load`, ``_apply_options``, ``_optimize``,
``_result``) and its licence probe; this class supplies everything else:

- a model with no columns left, or a violated constant constraint, is settled without the solver;
- the objective's constant is added to the solver's objective and bound here (solvers differ in
  how they take it);
- "infeasible or unbounded" is settled as in the other adapters: infeasible when every column is
  bounded, else by solving the same constraints with a zero objective;
- a licence or size-limit refusal becomes :class:`solvers.licence.LicenceError` (exit 4);
- the outcome's times: ``handoff_s`` is compile + load, ``wall_time_s`` everything.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

import numpy as np
import pyomo.environ as pyo

from solvers.base import SolveOutcome, SolverOptions, Status, untimed_outcome
from solvers.licence import LicenceError, LicenceState, quiet_start
from solvers.standard_form import (
    InfeasibleConstantError,
    LinearProgram,
    all_columns_bounded,
    compile_model,
    load_values,
)

PROBE_SECONDS = 30.0  # time limit of the zero-objective check when the run has none


@dataclass(frozen=True)
class RawResult:
    """What a solver said after ``optimize``, before the offset and the checks."""

    status: Status | None  # None: "infeasible or unbounded", to be settled
    message: str
    values: np.ndarray | None = None  # the best solution's column values, if any
    objective: float | None = None  # without the model's constant
    bound: float | None = None  # without the model's constant; None if unknown
    nodes: int | None = None
    solver_time_s: float | None = None


class MatrixAdapter:
    """Base of the matrix adapters; see the module docstring."""

    name = ""
    package = ""  # the Python package that must be importable
    distribution = ""  # its name on PyPI, for the version and the install hint

    # -- the SolverAdapter protocol ---------------------------------------------------------
    def available(self) -> bool:
        return importlib.util.find_spec(self.package) is not None

    def version(self) -> str:
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return "unknown"

    def install_hint(self) -> str:
        return f"pip install {self.distribution} (or pip install 'clustersite[commercial]')"

    def licence(self) -> LicenceState:
        """Full, size-limited or no licence (see ``solvers.licence``)."""
        raise NotImplementedError

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        started = time.perf_counter()
        try:
            lp = compile_model(model)
        except InfeasibleConstantError as err:
            return self._finish(self._outcome(Status.INFEASIBLE, message=str(err)), started)
        if lp.num_col == 0:
            trivial = self._outcome(Status.OPTIMAL, objective=lp.offset, bound=lp.offset)
            return self._finish(trivial, started)
        try:
            with quiet_start():
                handle = self._load(lp)
            handed_off = time.perf_counter()
            ignored = self._apply_options(handle, options)
            with quiet_start():
                self._optimize(handle)
            raw = self._result(handle, lp)
            if raw.status is None:
                raw = replace(raw, status=self._settle(lp, options), values=None)
        except LicenceError:
            raise
        except Exception as err:
            refused = self._licence_error(err, lp)
            if refused is None:
                raise
            raise refused from None
        outcome = self._to_outcome(raw, lp)
        if ignored:
            message = f"{outcome.message}; not supported by {self.name}, ignored: "
            outcome = replace(outcome, message=message + ", ".join(ignored))
        return replace(
            outcome,
            wall_time_s=time.perf_counter() - started,
            handoff_s=handed_off - started,
        )

    # -- what a subclass supplies -----------------------------------------------------------
    def _load(self, lp: LinearProgram) -> Any:
        """A solver model holding ``lp`` without its constant, loaded in one matrix call."""
        raise NotImplementedError

    def _apply_options(self, handle: Any, options: SolverOptions) -> list[str]:
        """Set the common and raw options; returns the common ones the solver cannot take."""
        raise NotImplementedError

    def _optimize(self, handle: Any) -> None:
        raise NotImplementedError

    def _result(self, handle: Any, lp: LinearProgram) -> RawResult:
        raise NotImplementedError

    def _licence_error(self, err: Exception, lp: LinearProgram) -> LicenceError | None:
        """The solver's exception as a LicenceError, or None when it is about something else."""
        raise NotImplementedError

    # -- shared steps -----------------------------------------------------------------------
    def _to_outcome(self, raw: RawResult, lp: LinearProgram) -> SolveOutcome:
        status = raw.status or Status.ERROR
        has_solution = raw.values is not None and status in (Status.OPTIMAL, Status.TIME_LIMIT)
        if status == Status.OPTIMAL and not has_solution:
            return self._outcome(Status.ERROR, message=f"{raw.message} without a solution")
        objective = bound = None
        if has_solution:
            assert raw.values is not None and raw.objective is not None
            load_values(lp, raw.values)
            objective = raw.objective + lp.offset
            if raw.bound is not None and np.isfinite(raw.bound) and abs(raw.bound) < 1e19:
                bound = raw.bound + lp.offset
            if status == Status.OPTIMAL and bound is None:
                bound = objective
        return self._outcome(
            status,
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            nodes=raw.nodes,
            solver_time_s=raw.solver_time_s,
            message=raw.message,
        )

    def _settle(self, lp: LinearProgram, options: SolverOptions) -> Status:
        """'Infeasible or unbounded': bounded columns mean infeasible; else try a zero objective."""
        if all_columns_bounded(lp):
            return Status.INFEASIBLE
        probe_lp = replace(lp, cost=np.zeros(lp.num_col), offset=0.0)
        with quiet_start():
            probe = self._load(probe_lp)
        limit = options.time_limit or PROBE_SECONDS
        self._apply_options(probe, SolverOptions(time_limit=limit, threads=options.threads))
        with quiet_start():
            self._optimize(probe)
        found = self._result(probe, probe_lp).status
        if found == Status.OPTIMAL:
            return Status.UNBOUNDED
        if found == Status.INFEASIBLE:
            return Status.INFEASIBLE
        return Status.ERROR

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

    def _finish(self, outcome: SolveOutcome, started: float) -> SolveOutcome:
        elapsed = time.perf_counter() - started
        return replace(outcome, wall_time_s=elapsed, handoff_s=elapsed)


def row_kinds(lp: LinearProgram) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows as (type, right-hand side, range) in the L/G/E/R/N convention of MPS files.

    L: ≤ upper; G: ≥ lower; E: = both; R: lower ≤ · ≤ upper given as rhs = upper and
    range = upper − lower; N: no bound.
    """
    lower, upper = lp.row_lower, lp.row_upper
    has_lo, has_up = np.isfinite(lower), np.isfinite(upper)
    kind = np.full(lp.num_row, "N", dtype="<U1")
    kind[has_up & ~has_lo] = "L"
    kind[has_lo & ~has_up] = "G"
    both = has_lo & has_up
    kind[both] = "R"
    kind[both & (lower == upper)] = "E"
    rhs = np.where(has_up, upper, np.where(has_lo, lower, 0.0))
    ranges = np.where(kind == "R", upper - lower, 0.0)
    return kind, rhs, ranges
