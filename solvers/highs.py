"""HiGHS through highspy: a one-call hand-off, and a persistent model for quick re-solves.

The Pyomo model is compiled once to arrays (``solvers.standard_form``: linear relations are
read straight from the expression trees, anything else goes through Pyomo's standard-form
compiler) and passed to HiGHS in a single ``passModel`` call, instead of Pyomo's persistent
HiGHS interface, which translates constraint by constraint (about 3× slower when measured). A
MIP is called unbounded only after a zero-objective solve of the same constraints finds a point.

:class:`PersistentHighs` keeps the HiGHS model alive after the first solve so that sweeps and
sensitivity analyses can change objective coefficients or variable bounds (locks and forbids
are bounds on ``y``) and re-solve without rebuilding or handing off again::

    engine = PersistentHighs(model)
    first = engine.resolve(options)
    engine.set_objective_coefficients([(model.y["wood", "d0001"], 2.5)])
    engine.fix(model.y["food", "d0002"], 1.0)      # a lock; fix(..., 0.0) is a forbid
    second = engine.resolve(options)               # values loaded into the model again
    engine.unfix(model.y["food", "d0002"])         # back to the model's own bounds
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from importlib import metadata
from typing import TYPE_CHECKING

import numpy as np

from solvers.base import (
    SolveOutcome,
    SolverOptionError,
    SolverOptions,
    Status,
    untimed_outcome,
)
from solvers.linear_program import LinearProgram, all_columns_bounded

if TYPE_CHECKING:  # Pyomo is imported only when a Pyomo model is handed over
    import pyomo.environ as pyo
    from pyomo.core.base.var import VarData

try:
    import highspy

    from solvers.highs_thread import run_interruptible, still_solving
except ImportError:  # pragma: no cover - highspy is a core dependency
    highspy = None  # type: ignore[assignment]

SOLUTION_FEASIBLE = 2  # HiGHS's kSolutionStatusFeasible
PROBE_SECONDS = 30.0  # time limit of the feasibility check that settles "unbounded"


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


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance."""
    with _quiet_stdout():
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


@functools.cache  # read once: every outcome carries it, and a metadata look-up costs 0.5 ms
def highs_version() -> str:
    try:
        return metadata.version("highspy")
    except metadata.PackageNotFoundError:
        return "unknown"


def to_highs_lp(lp: LinearProgram) -> highspy.HighsLp:
    """The arrays of ``lp`` as a ``highspy.HighsLp`` (column-wise matrix)."""
    inf = highspy.kHighsInf
    out = highspy.HighsLp()
    out.num_col_ = lp.num_col
    out.num_row_ = lp.num_row
    out.col_cost_ = lp.cost
    out.col_lower_ = np.where(np.isfinite(lp.col_lower), lp.col_lower, -inf)
    out.col_upper_ = np.where(np.isfinite(lp.col_upper), lp.col_upper, inf)
    out.row_lower_ = np.where(np.isfinite(lp.row_lower), lp.row_lower, -inf)
    out.row_upper_ = np.where(np.isfinite(lp.row_upper), lp.row_upper, inf)
    out.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    out.a_matrix_.start_ = lp.a_start
    out.a_matrix_.index_ = lp.a_index
    out.a_matrix_.value_ = lp.a_value
    out.sense_ = highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
    out.offset_ = lp.offset
    if lp.integrality.any():
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        out.integrality_ = [integer if flag else continuous for flag in lp.integrality.tolist()]
    return out


def pass_model(solver: highspy.Highs, lp: LinearProgram) -> None:
    """Hand ``lp`` to ``solver`` in one call that takes the numpy arrays as they are.

    Setting the fields of a ``HighsLp`` converts every array element by element through
    Python (0.1 s at 148,000 columns); this overload of ``passModel`` reads the buffers.
    """
    inf = highspy.kHighsInf
    status = solver.passModel(
        lp.num_col,
        lp.num_row,
        len(lp.a_value),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize),
        lp.offset,
        lp.cost,
        np.where(np.isfinite(lp.col_lower), lp.col_lower, -inf),
        np.where(np.isfinite(lp.col_upper), lp.col_upper, inf),
        np.where(np.isfinite(lp.row_lower), lp.row_lower, -inf),
        np.where(np.isfinite(lp.row_upper), lp.row_upper, inf),
        lp.a_start,
        lp.a_index,
        lp.a_value,
        lp.integrality.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model's arrays")


def apply_options(solver: highspy.Highs, options: SolverOptions) -> None:
    """Map the common options to HiGHS's names; raw options go through as given."""
    settings: dict[str, bool | float | str | int] = {
        "mip_rel_gap": float(options.mip_gap),
        "random_seed": int(options.seed),
    }
    if options.abs_gap is not None:
        settings["mip_abs_gap"] = float(options.abs_gap)
    if options.time_limit is not None:
        settings["time_limit"] = float(options.time_limit)
    if options.presolve is not None:
        settings["presolve"] = "on" if options.presolve else "off"
    if options.threads is not None:
        # HiGHS keeps a thread scheduler per thread that solves; a different thread count
        # needs a new one, or the run fails with "scheduler has already been initialized"
        # (this resets the calling thread's; solvers.highs_thread resets its kept thread's)
        solver.resetGlobalScheduler(True)
        settings["threads"] = int(options.threads)
    if options.log_file:
        settings.update(output_flag=True, log_to_console=False, log_file=str(options.log_file))
    settings.update(options.raw)
    for key, value in settings.items():
        status = solver.setOptionValue(key, value)
        if status == highspy.HighsStatus.kError:
            raise SolverOptionError("highs", key, value)


class HighsAdapter:
    """The default solver; needs nothing beyond ``pip install highspy``."""

    name = "highs"

    def available(self) -> bool:
        return highspy is not None

    def version(self) -> str:
        return highs_version()

    def install_hint(self) -> str:
        return "pip install highspy"

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        return PersistentHighs(model).resolve(options)


def solve_from_start(model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
    """Hand the model to HiGHS with the values its variables hold as a MIP start, and solve.

    Every column whose variable has a value is passed to ``setSolution`` (HiGHS completes or
    drops a start it finds infeasible; it never trusts it beyond that). Variables without a
    value are left out. Solves like :class:`HighsAdapter` otherwise.
    """
    engine = PersistentHighs(model)
    if engine.lp is not None and engine.lp.num_col and engine.lp.integrality.any():
        values = [var.value for var in engine.lp.columns]
        given = [n for n, value in enumerate(values) if value is not None]
        if given:
            engine.warm_start_columns(
                np.asarray(given, dtype=np.int32),
                np.asarray([values[n] for n in given], dtype=np.float64),
            )
    return engine.resolve(options)


def solve_program(
    lp: LinearProgram, options: SolverOptions, start: np.ndarray | None = None
) -> tuple[SolveOutcome, np.ndarray | None]:
    """Solve a program made without a Pyomo model (``model.matrix_model``), from the MIP
    start ``start`` (one value per column) when given; the outcome and the column values of
    its solution (None without one)."""
    engine = PersistentHighs(None, lp)
    if start is not None and lp.num_col and lp.integrality.any():
        engine.warm_start_columns(np.arange(lp.num_col, dtype=np.int32), start)
    outcome = engine.resolve(options)
    if not outcome.has_solution:
        return outcome, None
    if engine.last_values is None:  # nothing was left to decide: no column, no solve
        return outcome, np.zeros(lp.num_col)
    return outcome, engine.last_values


class PersistentHighs:
    """A HiGHS model kept alive for re-solving after changes to costs or bounds.

    The Pyomo model is compiled and handed to HiGHS once, in the constructor (or ``lp`` is
    handed over as it is, for a program made without a Pyomo model: ``model`` is then None,
    and values are only kept in ``last_values``). Later edits of the Pyomo model itself are
    not seen: change the HiGHS copy through the methods below. Every ``resolve`` loads the
    new solution's values into the Pyomo variables.
    """

    def __init__(self, model: pyo.ConcreteModel | None, lp: LinearProgram | None = None) -> None:
        started = time.perf_counter()
        self.model = model
        self._trivial: SolveOutcome | None = None
        self._solver = new_highs()
        self.lp: LinearProgram | None = None
        self._column: dict[int, int] | None = None
        self.last_values: np.ndarray | None = None  # column values of the last solution
        if lp is None:
            from solvers.standard_form import InfeasibleConstantError, compile_model

            try:
                lp = compile_model(model)
            except InfeasibleConstantError as err:
                self._trivial = _outcome(Status.INFEASIBLE, message=str(err))
        if lp is not None:
            self.lp = lp
            if self.lp.num_col == 0:
                # nothing left to decide: every constraint was constant and satisfied
                self._trivial = _outcome(
                    Status.OPTIMAL, objective=self.lp.offset, bound=self.lp.offset
                )
            else:
                pass_model(self._solver, self.lp)
        self.handoff_s = time.perf_counter() - started
        self._pending_handoff = self.handoff_s

    # -- changes -------------------------------------------------------------------------
    def column(self, var: VarData) -> int:
        """The HiGHS column of a Pyomo variable (KeyError if it is not in the model)."""
        if self.lp is None:
            raise KeyError(var.name)
        if self._column is None:  # made at the first change, not in the hand-off
            self._column = self.lp.column_index()
        try:
            return self._column[id(var)]
        except KeyError:
            raise KeyError(f"{var.name} is not a column of this model") from None

    def set_objective_coefficients(
        self, coefficients: Mapping[VarData, float] | Iterable[tuple[VarData, float]]
    ) -> None:
        """Replace the objective coefficients of the given variables.

        Takes (variable, coefficient) pairs or a ``pyomo.common.collections.ComponentMap``
        (Pyomo variables cannot be keys of a plain dict).
        """
        pairs = list(coefficients.items() if isinstance(coefficients, Mapping) else coefficients)
        if not pairs:
            return
        index = np.fromiter((self.column(v) for v, _ in pairs), dtype=np.int32, count=len(pairs))
        values = np.fromiter((c for _, c in pairs), dtype=np.float64, count=len(pairs))
        self._solver.changeColsCost(len(index), index, values)

    def add_row(
        self,
        terms: Mapping[VarData, float] | Iterable[tuple[VarData, float]],
        lower: float | None,
        upper: float | None,
    ) -> int:
        """Add the row ``lower ≤ Σ coef·var ≤ upper`` to the HiGHS model (None: no bound).

        Takes (variable, coefficient) pairs or a ``ComponentMap``, like
        :meth:`set_objective_coefficients`; a variable named twice has its coefficients
        added. The Pyomo model is not changed, and the row stays for every later resolve;
        :meth:`set_row_bounds` moves its bounds. Returns the row's index in HiGHS.
        """
        pairs = list(terms.items() if isinstance(terms, Mapping) else terms)
        index = np.fromiter((self.column(v) for v, _ in pairs), dtype=np.int64, count=len(pairs))
        values = np.fromiter((c for _, c in pairs), dtype=np.float64, count=len(pairs))
        columns, position = np.unique(index, return_inverse=True)
        summed = np.bincount(position, weights=values, minlength=len(columns)).astype(np.float64)
        lo = -highspy.kHighsInf if lower is None else float(lower)
        hi = highspy.kHighsInf if upper is None else float(upper)
        self._solver.addRow(lo, hi, len(columns), columns.astype(np.int32), summed)
        return int(self._solver.getNumRow()) - 1

    def set_row_bounds(self, row: int, lower: float | None, upper: float | None) -> None:
        """Move the bounds of a row added by :meth:`add_row` (None: no bound on that side)."""
        lo = -highspy.kHighsInf if lower is None else float(lower)
        hi = highspy.kHighsInf if upper is None else float(upper)
        self._solver.changeRowBounds(int(row), lo, hi)

    def set_costs(self, columns: np.ndarray, costs: np.ndarray) -> None:
        """Replace the objective costs of HiGHS columns (indices, as :meth:`column` gives) in one
        call: the array form of :meth:`set_objective_coefficients` for re-solves that change
        every coefficient."""
        if self.lp is None or len(columns) == 0:
            return
        index = np.ascontiguousarray(columns, dtype=np.int32)
        self._solver.changeColsCost(len(index), index, np.ascontiguousarray(costs, np.float64))

    def set_column_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of many HiGHS columns in one call (infinite values: no bound)."""
        if self.lp is None or len(columns) == 0:
            return
        inf = highspy.kHighsInf
        lo = np.where(np.isfinite(lower), lower, -inf).astype(np.float64)
        hi = np.where(np.isfinite(upper), upper, inf).astype(np.float64)
        index = np.ascontiguousarray(columns, dtype=np.int32)
        self._solver.changeColsBounds(len(index), index, lo, hi)

    def warm_start(self, values: np.ndarray | None) -> None:
        """Offer ``values`` (one per column, e.g. :attr:`last_values`) to the next resolve as a
        starting solution. HiGHS checks it and ignores it when it breaks the current bounds or
        rows, so a stale start costs a check, never a wrong answer."""
        if self.lp is None or values is None or len(values) != self.lp.num_col:
            return
        index = np.arange(self.lp.num_col, dtype=np.int32)
        self._solver.setSolution(len(index), index, np.ascontiguousarray(values, np.float64))

    def warm_start_columns(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Offer ``values`` for the columns ``columns`` only (HiGHS completes the rest or
        drops the start); the call counts toward the next solve's hand-off."""
        started = time.perf_counter()
        self._solver.setSolution(
            len(columns),
            np.ascontiguousarray(columns, np.int32),
            np.ascontiguousarray(values, np.float64),
        )
        self._pending_handoff += time.perf_counter() - started

    def objective_coefficient(self, var: VarData) -> float:
        """The current objective coefficient of ``var`` in the HiGHS model."""
        return float(self._solver.getLp().col_cost_[self.column(var)])

    def set_bounds(self, var: VarData, lower: float | None, upper: float | None) -> None:
        """Set a variable's bounds (None: unbounded on that side)."""
        lo = -highspy.kHighsInf if lower is None else float(lower)
        hi = highspy.kHighsInf if upper is None else float(upper)
        self._solver.changeColBounds(self.column(var), lo, hi)

    def fix(self, var: VarData, value: float) -> None:
        """Fix a variable (for a site: 1 locks it, 0 forbids it)."""
        self.set_bounds(var, value, value)

    def unfix(self, var: VarData) -> None:
        """Restore the bounds the variable had when the model was compiled."""
        assert self.lp is not None
        j = self.column(var)
        lower, upper = self.lp.col_lower[j], self.lp.col_upper[j]
        self.set_bounds(
            var,
            float(lower) if np.isfinite(lower) else None,
            float(upper) if np.isfinite(upper) else None,
        )

    # -- solving -------------------------------------------------------------------------
    def resolve(self, options: SolverOptions | None = None) -> SolveOutcome:
        """Solve the current HiGHS model, load the values into the Pyomo model, report."""
        options = options or SolverOptions()
        handoff, self._pending_handoff = self._pending_handoff, 0.0
        if self._trivial is not None:
            return _with_times(self._trivial, handoff, handoff, None)
        assert self.lp is not None
        started = time.perf_counter()
        apply_options(self._solver, options)
        run_interruptible(self._solver)
        solver_time = time.perf_counter() - started
        outcome = self._collect()
        wall = time.perf_counter() - started + handoff
        return _with_times(outcome, wall, handoff, solver_time)

    def _collect(self) -> SolveOutcome:
        assert self.lp is not None
        solver = self._solver
        kind = highspy.HighsModelStatus
        model_status = solver.getModelStatus()
        message = solver.modelStatusToString(model_status)
        is_mip = bool(self.lp.integrality.any())
        if model_status == kind.kUnboundedOrInfeasible or (
            model_status == kind.kUnbounded and is_mip
        ):
            # a MIP is unbounded only if it has an integer point; check rather than trust
            return self._infeasible_or_unbounded(message)
        status = {
            kind.kOptimal: Status.OPTIMAL,
            kind.kTimeLimit: Status.TIME_LIMIT,
            kind.kInfeasible: Status.INFEASIBLE,
            kind.kUnbounded: Status.UNBOUNDED,
        }.get(model_status, Status.ERROR)
        info = solver.getInfo()
        has_solution = info.primal_solution_status == SOLUTION_FEASIBLE and status not in (
            Status.INFEASIBLE,
            Status.UNBOUNDED,
        )
        if status == Status.OPTIMAL and not has_solution:
            status, message = Status.ERROR, f"{message} without a feasible solution"
        if not has_solution:
            return _outcome(status, message=message)
        values = np.asarray(solver.getSolution().col_value, dtype=np.float64)
        self.last_values = values
        if self.model is not None:
            from solvers.standard_form import load_values

            load_values(self.lp, values)
        objective = float(info.objective_function_value)
        bound = float(info.mip_dual_bound) if is_mip else None
        if bound is not None and not np.isfinite(bound):
            bound = None
        if status == Status.OPTIMAL and bound is None:
            bound = objective  # an LP reports no MIP bound; optimal means they are equal
        nodes = int(info.mip_node_count) if is_mip and info.mip_node_count >= 0 else None
        return _outcome(
            status,
            has_solution=True,
            objective=objective,
            bound=bound,
            nodes=nodes,
            message=message,
        )

    def _infeasible_or_unbounded(self, message: str) -> SolveOutcome:
        """Tell the two apart: the same constraints with a zero objective.

        With every column bounded the feasible set is bounded, so the model is infeasible.
        Otherwise a feasible zero-objective problem means the model is feasible, so the
        solver's "infeasible or unbounded" can only mean unbounded.
        """
        assert self.lp is not None
        if all_columns_bounded(self.lp):
            return _outcome(Status.INFEASIBLE, message=f"{message}; every column is bounded")
        solver = self._solver
        n = self.lp.num_col
        index = np.arange(n, dtype=np.int32)
        saved = np.asarray(solver.getLp().col_cost_, dtype=np.float64).copy()
        limit = float(solver.getOptionValue("time_limit")[1])
        solver.changeColsCost(n, index, np.zeros(n))
        if limit > PROBE_SECONDS:
            solver.setOptionValue("time_limit", PROBE_SECONDS)
        try:
            run_interruptible(solver)
            probe = solver.getModelStatus()
        finally:
            if not still_solving(solver):  # an interrupted probe left running keeps its model
                solver.changeColsCost(n, index, saved)
                solver.setOptionValue("time_limit", limit)
        if probe == highspy.HighsModelStatus.kOptimal:
            return _outcome(Status.UNBOUNDED, message=f"{message}; a feasible point exists")
        if probe == highspy.HighsModelStatus.kInfeasible:
            return _outcome(Status.INFEASIBLE, message=f"{message}; no feasible point exists")
        return _outcome(
            Status.ERROR,
            message=f"{message}; feasibility check ended: {solver.modelStatusToString(probe)}",
        )


def _outcome(
    status: Status,
    *,
    has_solution: bool | None = None,
    objective: float | None = None,
    bound: float | None = None,
    nodes: int | None = None,
    message: str = "",
) -> SolveOutcome:
    """An outcome without timings (filled in by ``_with_times``)."""
    return untimed_outcome(
        status,
        "highs",
        highs_version(),
        has_solution=has_solution,
        objective=objective,
        bound=bound,
        nodes=nodes,
        message=message,
    )


def _with_times(
    outcome: SolveOutcome, wall: float, handoff: float, solver_time: float | None
) -> SolveOutcome:
    return replace(outcome, wall_time_s=wall, handoff_s=handoff, solver_time_s=solver_time)
