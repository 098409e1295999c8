"""Gurobi through gurobipy's matrix API (``pip install gurobipy``), fed the compiled arrays.

Columns go in with one ``addMVar`` (bounds, costs, types) and rows with one ``addMConstr``
(a SciPy CSR matrix, a sense and a right-hand side per row); a ranged row ``lo ≤ a·x ≤ hi``
becomes two rows, a row without bounds is left out. Against Pyomo's ``gurobi_direct``
interface, which the adapter used before, this hand-off is many times faster (figures in
``docs/solvers.md``, from ``bench/handoff.py``).

The wheel carries Gurobi's restricted licence: at most 2,000 columns and 2,000 rows, for
non-production use, with an expiry date that ``run.py solvers`` shows. One Gurobi environment
is started per process, silently (the licence banner is caught).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy.sparse import csc_matrix

from solvers.base import SolverOptionError, SolverOptions, Status
from solvers.licence import (
    LicenceError,
    LicenceState,
    no_licence_error,
    over_limit_error,
    probe_licence,
    quiet_start,
    state_from_probe,
)
from solvers.matrix_adapter import MatrixAdapter, RawResult, row_kinds
from solvers.standard_form import LinearProgram

SIZE_LIMIT_ERRNO = 10010  # GRB_ERROR_SIZE_LIMIT_EXCEEDED
NO_LICENCE_ERRNO = 10009  # GRB_ERROR_NO_LICENSE


def _gurobipy() -> Any:
    import gurobipy

    return gurobipy


@functools.cache
def environment() -> Any:
    """One silent Gurobi environment per process (raises GurobiError without a licence)."""
    gp = _gurobipy()
    with quiet_start():
        env = gp.Env(empty=True)
        env.setParam("OutputFlag", 0)
        env.start()
    return env


def _is_size_error(err: Exception) -> bool:
    return getattr(err, "errno", None) == SIZE_LIMIT_ERRNO or "too large for size-limited" in str(
        err
    )


def _is_licence_error(err: Exception) -> bool:
    return getattr(err, "errno", None) == NO_LICENCE_ERRNO or "licen" in str(err).lower()


class GurobiAdapter(MatrixAdapter):
    """Gurobi via gurobipy's matrix API."""

    name = "gurobi"
    package = "gurobipy"
    distribution = "gurobipy"

    def licence(self) -> LicenceState:
        if not self.available():
            return LicenceState("", "")
        found = probe_licence(self.name, _probe, _is_size_error)
        return state_from_probe(self.name, found, expiry() if found != "full" else "")

    def _load(self, lp: LinearProgram) -> Any:
        gp = _gurobipy()
        model = gp.Model(env=environment())
        x = model.addMVar(
            lp.num_col,
            lb=np.where(np.isfinite(lp.col_lower), lp.col_lower, -gp.GRB.INFINITY),
            ub=np.where(np.isfinite(lp.col_upper), lp.col_upper, gp.GRB.INFINITY),
            obj=lp.cost,
            vtype=np.where(lp.integrality, gp.GRB.INTEGER, gp.GRB.CONTINUOUS),
        )
        matrix, sense, rhs = _one_sided_rows(lp)
        if matrix.shape[0]:
            model.addMConstr(matrix, x, sense, rhs)
        model.ModelSense = gp.GRB.MAXIMIZE if lp.maximize else gp.GRB.MINIMIZE
        return model

    def _apply_options(self, handle: Any, options: SolverOptions) -> list[str]:
        settings: dict[str, Any] = {"MIPGap": float(options.mip_gap), "Seed": int(options.seed)}
        if options.abs_gap is not None:
            settings["MIPGapAbs"] = float(options.abs_gap)
        if options.time_limit is not None:
            settings["TimeLimit"] = float(options.time_limit)
        if options.threads is not None:
            settings["Threads"] = int(options.threads)
        if options.presolve is not None:
            settings["Presolve"] = -1 if options.presolve else 0
        if options.log_file:
            settings["LogFile"] = str(options.log_file)
        settings.update(options.raw)
        for key, value in settings.items():
            try:
                handle.setParam(key, value)
            except Exception as err:  # GurobiError: unknown parameter or value out of range
                raise SolverOptionError(self.name, key, value) from err
        return []

    def _optimize(self, handle: Any) -> None:
        handle.optimize()

    def _result(self, handle: Any, lp: LinearProgram) -> RawResult:
        code = _gurobipy().GRB.Status
        is_mip = bool(lp.integrality.any())
        raw = int(handle.Status)
        status: Status | None = {
            code.OPTIMAL: Status.OPTIMAL,
            code.INFEASIBLE: Status.INFEASIBLE,
            code.TIME_LIMIT: Status.TIME_LIMIT,
        }.get(raw, Status.ERROR)
        if raw == code.INF_OR_UNBD or (raw == code.UNBOUNDED and is_mip):
            status = None  # settled by the zero-objective check
        elif raw == code.UNBOUNDED:
            status = Status.UNBOUNDED
        names = {v: k.lower() for k, v in vars(code).items() if isinstance(v, int)}
        values = objective = bound = None
        if int(handle.SolCount) > 0 and status in (Status.OPTIMAL, Status.TIME_LIMIT):
            values = np.asarray(handle.getAttr("X", handle.getVars()), dtype=np.float64)
            objective = float(handle.ObjVal)
            bound = float(handle.ObjBound) if is_mip else None
        return RawResult(
            status=status,
            message=names.get(raw, f"Gurobi status {raw}"),
            values=values,
            objective=objective,
            bound=bound,
            nodes=int(handle.NodeCount) if is_mip else None,
            solver_time_s=float(handle.Runtime),
        )

    def _licence_error(self, err: Exception, lp: LinearProgram) -> LicenceError | None:
        if _is_size_error(err):
            return over_limit_error(self.name, lp.num_row, lp.num_col)
        if _is_licence_error(err):
            return no_licence_error(self.name, str(err), lp.num_row, lp.num_col)
        return None


def _one_sided_rows(lp: LinearProgram) -> tuple[Any, np.ndarray, np.ndarray]:
    """Rows as (CSR matrix, sense '<'/'>'/'=', rhs); a ranged row gives a '>' and a '<' row."""
    kind, rhs, _ = row_kinds(lp)
    matrix = csc_matrix((lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_row, lp.num_col))
    matrix = matrix.tocsr()
    ranged = np.flatnonzero(kind == "R")
    kept = np.flatnonzero(kind != "N")
    sense = np.array([{"L": "<", "G": ">", "E": "=", "R": "<"}[k] for k in kind[kept]])
    rows = matrix[kept]
    values = rhs[kept]
    if len(ranged):  # the upper side is above (rhs = upper); add the lower side
        from scipy.sparse import vstack

        rows = vstack([rows, matrix[ranged]]).tocsr()
        sense = np.concatenate([sense, np.full(len(ranged), ">")])
        values = np.concatenate([values, lp.row_lower[ranged]])
    return rows, sense, values


def expiry() -> str:
    """The expiry date of Gurobi's licence as Gurobi reports it ("expires YYYY-MM-DD"), or ""."""
    gp = _gurobipy()
    try:
        with quiet_start(), gp.Model(env=environment()) as model:
            stamp = int(model.getAttr("LicenseExpiration"))
    except Exception:  # no licence, or a gurobipy without the attribute
        return ""
    if stamp <= 0 or stamp >= 99990000:  # Gurobi's "never"
        return ""
    text = str(stamp)
    return f"expires {text[:4]}-{text[4:6]}-{text[6:]}"


def _probe(rows: int, columns: int) -> None:
    """Solve a model of this many rows and columns (each row bounds one column)."""
    from solvers.probe import probe_program

    GurobiAdapter()._load(probe_program(rows, columns)).optimize()
