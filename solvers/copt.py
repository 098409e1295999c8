"""COPT (Cardinal Optimizer) through its own Python API (``pip install coptpy``).

The model goes to COPT in one ``Model.loadMatrix`` call with the column-wise matrix of
``solvers.standard_form`` as a SciPy CSC matrix. Pyomo has no COPT interface; against adding
the model through coptpy's own modelling calls (one ``addConstr`` per row), the matrix hand-off
is many times faster (figures in ``docs/solvers.md``, from ``bench/handoff.py``).

Without a licence file COPT starts in its size-limited mode for non-commercial use: at most
2,000 columns and 2,000 rows, no network needed. Its banner and licence notice are caught
here; ``run.py solvers`` shows the licence state instead.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy.sparse import csc_matrix

from solvers.base import SolverOptionError, SolverOptions, Status
from solvers.licence import (
    FREE_EDITIONS,
    LicenceError,
    LicenceState,
    no_licence_error,
    over_limit_error,
    probe_licence,
    quiet_start,
    state_from_probe,
)
from solvers.matrix_adapter import MatrixAdapter, RawResult
from solvers.standard_form import LinearProgram

INFINITY = 1e30  # COPT's infinite bound


def _coptpy() -> Any:
    import coptpy

    return coptpy


@functools.cache
def environment() -> Any:
    """One COPT environment per process, started without its banner."""
    cp = _coptpy()
    config = cp.EnvrConfig()
    config.set("nobanner", "1")
    with quiet_start():
        return cp.Envr(config)


def _is_licence_error(err: Exception) -> bool:
    return "LICENSE" in str(err).upper()


class CoptAdapter(MatrixAdapter):
    """COPT via coptpy's matrix input."""

    name = "copt"
    package = "coptpy"
    distribution = "coptpy"

    def licence(self) -> LicenceState:
        if not self.available():
            return LicenceState("", "")
        return state_from_probe(self.name, probe_licence(self.name, _probe, _is_licence_error))

    def _load(self, lp: LinearProgram) -> Any:
        cp = _coptpy()
        model = environment().createModel("clustersite")
        model.setParam("Logging", 0)
        matrix = csc_matrix((lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_row, lp.num_col))
        model.loadMatrix(
            lp.cost,
            matrix,
            np.where(np.isfinite(lp.row_lower), lp.row_lower, -INFINITY),
            np.where(np.isfinite(lp.row_upper), lp.row_upper, INFINITY),
            np.where(np.isfinite(lp.col_lower), lp.col_lower, -INFINITY),
            np.where(np.isfinite(lp.col_upper), lp.col_upper, INFINITY),
            np.where(lp.integrality, "I", "C"),
        )
        model.setObjSense(cp.COPT.MAXIMIZE if lp.maximize else cp.COPT.MINIMIZE)
        return model

    def _apply_options(self, handle: Any, options: SolverOptions) -> list[str]:
        settings: dict[str, Any] = {"RelGap": float(options.mip_gap)}
        ignored = ["seed (COPT has no random seed parameter)"] if options.seed else []
        if options.abs_gap is not None:
            settings["AbsGap"] = float(options.abs_gap)
        if options.time_limit is not None:
            settings["TimeLimit"] = float(options.time_limit)
        if options.threads is not None:
            settings["Threads"] = int(options.threads)
        if options.presolve is not None:
            settings["Presolve"] = -1 if options.presolve else 0
        if options.log_file:
            handle.setLogFile(str(options.log_file))
            settings.update(Logging=1, LogToConsole=0)
        settings.update(options.raw)
        for key, value in settings.items():
            try:
                handle.setParam(key, value)
            except Exception as err:  # CoptError for an unknown name or a bad value
                raise SolverOptionError(self.name, key, value) from err
        return ignored

    def _optimize(self, handle: Any) -> None:
        handle.solve()

    def _result(self, handle: Any, lp: LinearProgram) -> RawResult:
        cp = _coptpy()
        is_mip = bool(lp.integrality.any())
        raw = int(handle.status)
        names = {
            cp.COPT.OPTIMAL: "optimal",
            cp.COPT.INFEASIBLE: "infeasible",
            cp.COPT.UNBOUNDED: "unbounded",
            cp.COPT.INF_OR_UNB: "infeasible or unbounded",
            cp.COPT.TIMEOUT: "time limit",
        }
        message = names.get(raw, f"COPT status {raw}")
        status: Status | None
        if raw == cp.COPT.OPTIMAL:
            status = Status.OPTIMAL
        elif raw == cp.COPT.INFEASIBLE:
            status = Status.INFEASIBLE
        elif raw == cp.COPT.INF_OR_UNB or (raw == cp.COPT.UNBOUNDED and is_mip):
            status = None  # settled by the zero-objective check
        elif raw == cp.COPT.UNBOUNDED:
            status = Status.UNBOUNDED
        elif raw == cp.COPT.TIMEOUT:
            status = Status.TIME_LIMIT
        else:
            status = Status.ERROR
        found = bool(handle.getAttr("HasMipSol" if is_mip else "HasLpSol"))
        values = objective = bound = None
        if found and status in (Status.OPTIMAL, Status.TIME_LIMIT):
            values = np.asarray(handle.getValues(), dtype=np.float64)
            objective = float(handle.getAttr("BestObj" if is_mip else "LpObjVal"))
            bound = float(handle.getAttr("BestBnd")) if is_mip else None
        return RawResult(
            status=status,
            message=message,
            values=values,
            objective=objective,
            bound=bound,
            nodes=int(handle.getAttr("NodeCnt")) if is_mip else None,
            solver_time_s=float(handle.getAttr("SolvingTime")),
        )

    def _licence_error(self, err: Exception, lp: LinearProgram) -> LicenceError | None:
        if not _is_licence_error(err):
            return None
        if "environment" in str(err).lower():  # no environment: the licence file is bad
            return no_licence_error(self.name, str(err), lp.num_row, lp.num_col)
        # COPT says only "(LICENSE) Fail to solve problem"; past the free edition's size the
        # size is the reason, within it the licence itself is
        if not FREE_EDITIONS[self.name].allows(lp.num_row, lp.num_col):
            return over_limit_error(self.name, lp.num_row, lp.num_col)
        return no_licence_error(self.name, str(err), lp.num_row, lp.num_col)


def _probe(rows: int, columns: int) -> None:
    """Solve a model of this many rows and columns (each row bounds one column)."""
    from solvers.probe import probe_program

    model = CoptAdapter()._load(probe_program(rows, columns))
    model.solve()
