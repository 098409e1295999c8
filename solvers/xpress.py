"""FICO Xpress through its own Python API (``pip install xpress``), fed the compiled arrays.

The model goes to Xpress in one ``problem.loadMIP`` call with the column-wise matrix of
``solvers.standard_form`` (rows as L/G/E/R/N with right-hand sides and ranges). Measured
against Pyomo's ``xpress_direct`` interface, which adds the model row by row, this hand-off is
many times faster (figures in ``docs/solvers.md``, from ``bench/handoff.py``).

The wheel carries FICO's Community licence: at most 5,000 rows and columns together. Without a
licence file named by ``XPRESS``/``XPAUTH_PATH`` it uses that licence and warns once; the
warning is caught here and shown by ``run.py solvers`` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.base import SolverOptionError, SolverOptions, Status
from solvers.licence import (
    LicenceError,
    LicenceState,
    no_licence_error,
    over_limit_error,
    probe_licence,
    state_from_probe,
)
from solvers.matrix_adapter import MatrixAdapter, RawResult, row_kinds
from solvers.standard_form import LinearProgram

INFINITY = 1e20  # Xpress's infinite bound


def _xpress() -> Any:
    import xpress

    return xpress


def _is_size_error(err: Exception) -> bool:
    text = str(err)
    return "?120" in text or "too many rows and columns" in text


def _is_licence_error(err: Exception) -> bool:
    return "licen" in str(err).lower()


class XpressAdapter(MatrixAdapter):
    """FICO Xpress via the ``xpress`` package's matrix input."""

    name = "xpress"
    package = "xpress"
    distribution = "xpress"

    def licence(self) -> LicenceState:
        if not self.available():
            return LicenceState("", "")
        return state_from_probe(self.name, probe_licence(self.name, _probe, _is_size_error))

    def _load(self, lp: LinearProgram) -> Any:
        xp = _xpress()
        problem = xp.problem()
        problem.controls.outputlog = 0
        kind, rhs, ranges = row_kinds(lp)
        integer = np.flatnonzero(lp.integrality)
        problem.loadMIP(
            "clustersite",
            rowtype=kind.tolist(),
            rhs=rhs,
            rng=ranges,
            objcoef=lp.cost,
            start=lp.a_start,
            rowind=lp.a_index,
            rowcoef=lp.a_value,
            lb=np.where(np.isfinite(lp.col_lower), lp.col_lower, -INFINITY),
            ub=np.where(np.isfinite(lp.col_upper), lp.col_upper, INFINITY),
            coltype=["I"] * len(integer) if len(integer) else None,
            entind=integer if len(integer) else None,
        )
        problem.chgObjSense(xp.ObjSense.MAXIMIZE if lp.maximize else xp.ObjSense.MINIMIZE)
        return problem

    def _apply_options(self, handle: Any, options: SolverOptions) -> list[str]:
        settings: dict[str, Any] = {
            "miprelstop": float(options.mip_gap),
            "randomseed": int(options.seed),
            # Xpress prunes nodes that cannot beat the incumbent by 1e-5 (MIPADDCUTOFF's
            # default), so it may stop up to 1e-5 short of the optimum and call it optimal
            "mipaddcutoff": -float(options.abs_gap or 0.0),
        }
        if options.abs_gap is not None:
            settings["mipabsstop"] = float(options.abs_gap)
        if options.time_limit is not None:
            settings["timelimit"] = float(options.time_limit)
        if options.threads is not None:
            settings["threads"] = int(options.threads)
        if options.presolve is not None:
            settings["presolve"] = 1 if options.presolve else 0
        if options.log_file:
            handle.setLogFile(str(options.log_file))
            settings["outputlog"] = 1
        settings.update(options.raw)
        for key, value in settings.items():
            try:
                handle.setControl(key, value)
            except Exception as err:  # Xpress raises its own error types for names and values
                raise SolverOptionError(self.name, key, value) from err
        return []

    def _optimize(self, handle: Any) -> None:
        handle.optimize()

    def _result(self, handle: Any, lp: LinearProgram) -> RawResult:
        xp = _xpress()
        attributes = handle.attributes
        solve_status, sol_status = attributes.solvestatus, attributes.solstatus
        is_mip = bool(lp.integrality.any())
        message = f"{solve_status.name.lower()}, {sol_status.name.lower()}"
        stop = attributes.stopstatus
        status: Status | None
        if sol_status == xp.SolStatus.OPTIMAL:
            status = Status.OPTIMAL
        elif sol_status == xp.SolStatus.INFEASIBLE:
            status = Status.INFEASIBLE
        elif sol_status == xp.SolStatus.UNBOUNDED:
            status = None if is_mip else Status.UNBOUNDED  # a MIP: check for an integer point
        elif solve_status == xp.SolveStatus.STOPPED and stop == xp.StopType.TIMELIMIT:
            status = Status.TIME_LIMIT
        else:
            status = Status.ERROR
            message += f", stopped by {stop.name.lower()}"
        found = sol_status in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE)
        values = objective = bound = None
        if found and status in (Status.OPTIMAL, Status.TIME_LIMIT):
            values = np.asarray(handle.getSolution(), dtype=np.float64)
            objective = float(attributes.mipobjval if is_mip else attributes.objval)
            bound = float(attributes.bestbound) if is_mip else None
        return RawResult(
            status=status,
            message=message,
            values=values,
            objective=objective,
            bound=bound,
            nodes=int(attributes.nodes) if is_mip else None,
            solver_time_s=float(attributes.time),
        )

    def _licence_error(self, err: Exception, lp: LinearProgram) -> LicenceError | None:
        if _is_size_error(err):
            return over_limit_error(self.name, lp.num_row, lp.num_col)
        if _is_licence_error(err):
            return no_licence_error(self.name, str(err), lp.num_row, lp.num_col)
        return None


def _probe(rows: int, columns: int) -> None:
    """Solve a model of this many rows and columns (each row bounds one column)."""
    from solvers.probe import probe_program

    adapter = XpressAdapter()
    problem = adapter._load(probe_program(rows, columns))
    problem.optimize()
