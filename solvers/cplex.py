"""CPLEX through its Python API (``pip install cplex``), fed the compiled arrays.

Rows go in with one ``linear_constraints.add`` (senses L/G/E/R, right-hand sides, ranges; a
row without bounds is left out), columns with one ``variables.add`` and the matrix with one
``set_coefficients`` call on (row, column, value) triples. Against Pyomo's ``cplex_direct``
interface, which the adapter used before, this hand-off is several times faster (figures in
``docs/solvers.md``, from ``bench/handoff.py``).

The wheel is the Community Edition: at most 1,000 columns and 1,000 rows, no licence file.
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

# the common options' CPLEX parameters, as paths below Cplex.parameters
PARAMETERS = {
    "mip_gap": "mip.tolerances.mipgap",
    "abs_gap": "mip.tolerances.absmipgap",
    "time_limit": "timelimit",
    "threads": "threads",
    "seed": "randomseed",
    "presolve": "preprocessing.presolve",
}


def _cplex() -> Any:
    import cplex

    return cplex


def _is_size_error(err: Exception) -> bool:
    text = str(err)
    return "1016" in text and "size limits" in text


def _is_licence_error(err: Exception) -> bool:
    return "licen" in str(err).lower()


def _silent(problem: Any) -> Any:
    for stream in ("results", "log", "warning", "error"):
        getattr(problem, f"set_{stream}_stream")(None)
    return problem


class CplexAdapter(MatrixAdapter):
    """CPLEX via the ``cplex`` package."""

    name = "cplex"
    package = "cplex"
    distribution = "cplex"

    def licence(self) -> LicenceState:
        if not self.available():
            return LicenceState("", "")
        return state_from_probe(self.name, probe_licence(self.name, _probe, _is_size_error))

    def _load(self, lp: LinearProgram) -> Any:
        problem = _silent(_cplex().Cplex())
        infinity = _cplex().infinity
        kind, rhs, ranges = row_kinds(lp)
        kept = kind != "N"
        # CPLEX's range row: rhs ≤ a·x ≤ rhs + range, so its rhs is the lower bound
        rhs = np.where(kind == "R", lp.row_lower, rhs)
        problem.linear_constraints.add(
            senses="".join(kind[kept]), rhs=rhs[kept].tolist(), range_values=ranges[kept].tolist()
        )
        problem.variables.add(
            obj=lp.cost.tolist(),
            lb=np.where(np.isfinite(lp.col_lower), lp.col_lower, -infinity).tolist(),
            ub=np.where(np.isfinite(lp.col_upper), lp.col_upper, infinity).tolist(),
            types="".join(np.where(lp.integrality, "I", "C")) if lp.integrality.any() else "",
        )
        new_row = np.cumsum(kept) - 1
        column = np.repeat(np.arange(lp.num_col), np.diff(lp.a_start))
        present = kept[lp.a_index]
        if present.any():
            problem.linear_constraints.set_coefficients(
                list(
                    zip(
                        new_row[lp.a_index[present]].tolist(),
                        column[present].tolist(),
                        lp.a_value[present].tolist(),
                        strict=True,
                    )
                )
            )
        sense = problem.objective.sense
        problem.objective.set_sense(sense.maximize if lp.maximize else sense.minimize)
        return problem

    def _apply_options(self, handle: Any, options: SolverOptions) -> list[str]:
        settings: dict[str, Any] = {
            PARAMETERS["mip_gap"]: float(options.mip_gap),
            PARAMETERS["seed"]: int(options.seed),
        }
        if options.abs_gap is not None:
            settings[PARAMETERS["abs_gap"]] = float(options.abs_gap)
        if options.time_limit is not None:
            settings[PARAMETERS["time_limit"]] = float(options.time_limit)
        if options.threads is not None:
            settings[PARAMETERS["threads"]] = int(options.threads)
        if options.presolve is not None:
            settings[PARAMETERS["presolve"]] = 1 if options.presolve else 0
        if options.log_file:
            log = open(options.log_file, "w", encoding="utf-8")  # noqa: SIM115 (closed by _optimize)
            handle.set_results_stream(log)
            handle.clustersite_log = log
        # raw options: dotted paths (mip.tolerances.mipgap) or Pyomo's names with underscores
        settings.update(options.raw)
        for key, value in settings.items():
            try:
                parameter = handle.parameters
                for part in key.replace("_", ".").split("."):
                    parameter = getattr(parameter, part)
                parameter.set(value)
            except Exception as err:  # no such parameter, or CplexError for the value
                raise SolverOptionError(self.name, key, value) from err
        return []

    def _optimize(self, handle: Any) -> None:
        try:
            handle.solve()
        finally:
            log = getattr(handle, "clustersite_log", None)
            if log is not None:  # the log file _apply_options opened
                handle.set_results_stream(None)
                log.close()

    def _result(self, handle: Any, lp: LinearProgram) -> RawResult:
        solution = handle.solution
        codes = solution.status
        raw = int(solution.get_status())
        is_mip = bool(lp.integrality.any())
        optimal = {codes.MIP_optimal, codes.optimal_tolerance, codes.optimal}
        time_limit = {codes.MIP_time_limit_feasible, codes.MIP_time_limit_infeasible}
        time_limit |= {codes.abort_time_limit}
        infeasible = {codes.MIP_infeasible, codes.infeasible}
        unsettled = {codes.MIP_infeasible_or_unbounded, codes.infeasible_or_unbounded}
        status: Status | None
        if raw in optimal:
            status = Status.OPTIMAL
        elif raw in time_limit:
            status = Status.TIME_LIMIT
        elif raw in infeasible:
            status = Status.INFEASIBLE
        elif raw in unsettled or (raw in {codes.MIP_unbounded, codes.unbounded} and is_mip):
            status = None  # settled by the zero-objective check
        elif raw in {codes.MIP_unbounded, codes.unbounded}:
            status = Status.UNBOUNDED
        else:
            status = Status.ERROR
        values = objective = bound = None
        found = solution.is_primal_feasible() if raw not in infeasible else False
        if found and status in (Status.OPTIMAL, Status.TIME_LIMIT):
            values = np.asarray(solution.get_values(), dtype=np.float64)
            objective = float(solution.get_objective_value())
            bound = float(solution.MIP.get_best_objective()) if is_mip else None
        return RawResult(
            status=status,
            message=solution.get_status_string(),
            values=values,
            objective=objective,
            bound=bound,
            nodes=int(solution.progress.get_num_nodes_processed()) if is_mip else None,
            solver_time_s=None,
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

    CplexAdapter()._load(probe_program(rows, columns)).solve()
