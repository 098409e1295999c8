"""Solve a classic location model on any solver and check the answer against the data.

Every model module (``pmedian``, ``pcenter``, ...) exposes ``NAME``, ``SENSE``, ``build(data,
params)`` and ``evaluate(data, params, solution)``, and may expose ``prepare(data, params)`` (a
reduction that keeps every optimal solution). This module runs them the same way: build, solve
through ``solvers.get_solver``, read the open sites, recompute the objective from the data, and
refuse an answer that breaks a rule or disagrees with the solver.
"""

from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass, field, replace
from types import ModuleType

import pyomo.environ as pyo

from model.classic.base import LocationData, Params, Prepared, Solution
from model.errors import ClusterSiteError, InputError
from solvers import SolveOutcome, SolverOptions, Status, get_solver
from solvers.base import relative_gap

MODELS = ("pmedian", "pcenter", "pdispersion", "mclp", "lscp", "uflp", "cpmedian")
TOLERANCE = 1e-6
MIN_SOLVER_SECONDS = 0.05  # with less time left than this the solver is not started


class ClassicCheckError(ClusterSiteError):
    """A solver's answer that breaks a rule of the model or misstates its value (a bug)."""

    exit_code = 1


@dataclass
class ClassicResult:
    """A solved classic model, as plain data."""

    model: str
    instance: str
    status: str  # optimal, time_limit, infeasible, unbounded, error
    objective: float | None  # recomputed from the data
    bound: float | None
    open_sites: list[str]
    assignment: dict[str, str]  # client -> site ('' when not served or not covered)
    outcome: SolveOutcome | None
    timings: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    @property
    def has_solution(self) -> bool:
        return self.objective is not None


def model_module(name: str) -> ModuleType:
    """The module of a classic model by name."""
    if name not in MODELS:
        raise InputError(
            None, "MODEL", f"unknown model {name!r}; expected one of {', '.join(MODELS)}"
        )
    return importlib.import_module(f"model.classic.{name}")


def read_solution(model: pyo.ConcreteModel) -> Solution:
    """Open sites (y > 0.5) and, where the model has an assignment x[i, j], the chosen j per i."""
    open_sites = sorted(j for j in model.y if (model.y[j].value or 0.0) > 0.5)
    assignment = None
    if hasattr(model, "assign_to"):
        chosen: dict[int, int] = {}
        for (i, j), var in model.x.items():
            if (var.value or 0.0) > 0.5:
                chosen[i] = j
        assignment = [chosen.get(i, -1) for i in range(len(model.assign_to))]
    return Solution(open_sites, assignment)


def _map_back(solution: Solution, site_map: list[int]) -> Solution:
    assignment = solution.assignment
    return Solution(
        sorted(site_map[j] for j in solution.open_sites),
        None if assignment is None else [site_map[j] if j >= 0 else -1 for j in assignment],
    )


def _better(sense: object, a: float, b: float) -> bool:
    """a beats b by more than the tolerance."""
    slack = TOLERANCE * max(1.0, abs(b))
    return a < b - slack if sense == pyo.minimize else a > b + slack


def solve_classic(
    name: str,
    data: LocationData,
    params: Params,
    solver: str = "highs",
    options: SolverOptions | None = None,
) -> ClassicResult:
    """Build, solve and check one classic model; the objective is recomputed from the data."""
    module = model_module(name)
    options = options or SolverOptions()
    adapter = get_solver(solver)
    if hasattr(module, "search"):  # a model solved by a sequence of MIPs (p-dispersion)
        searched: ClassicResult | None = module.search(data, params, adapter, options)
        if searched is not None:
            return searched
    timings: dict[str, float] = {}
    started = time.perf_counter()
    deadline = None if options.time_limit is None else time.monotonic() + options.time_limit
    prepared: Prepared | None = None
    if params.reduce and hasattr(module, "prepare"):
        prepared = module.prepare(data, params, deadline=deadline)
        timings["prepare"] = time.perf_counter() - started
    target = prepared.data if prepared else data
    if deadline is not None and deadline - time.monotonic() < MIN_SOLVER_SECONDS:
        # the time limit covers every stage: no model is built once it has run out
        outcome = _not_started(adapter.name)
        return _finish(module, data, params, None, outcome, prepared, timings, {})
    clock = time.perf_counter()
    model = module.build(target, params)
    timings["build"] = time.perf_counter() - clock
    if deadline is not None:
        left = deadline - time.monotonic()
        if left < MIN_SOLVER_SECONDS:
            outcome = _not_started(adapter.name)
            size = {"variables": model.nvariables(), "constraints": model.nconstraints()}
            return _finish(module, data, params, model, outcome, prepared, timings, size)
        options = replace(options, time_limit=left)
    outcome = adapter.solve(model, options)
    timings["handoff"] = outcome.handoff_s
    timings["solve"] = outcome.wall_time_s - outcome.handoff_s
    size = {"variables": model.nvariables(), "constraints": model.nconstraints()}
    return _finish(module, data, params, model, outcome, prepared, timings, size)


def _not_started(solver: str) -> SolveOutcome:
    """The outcome of a solver that the time limit left no time to run."""
    return SolveOutcome(
        status=Status.TIME_LIMIT,
        has_solution=False,
        objective=None,
        bound=None,
        gap=None,
        solver=solver,
        version="",
        wall_time_s=0.0,
        solver_time_s=None,
        handoff_s=0.0,
        message="the time limit ran out before the solver started",
    )


def _finish(
    module: ModuleType,
    data: LocationData,
    params: Params,
    model: pyo.ConcreteModel | None,
    outcome: SolveOutcome,
    prepared: Prepared | None,
    timings: dict[str, float],
    size: dict[str, int],
) -> ClassicResult:
    sense = module.SENSE
    status = outcome.status
    best: Solution | None = None
    notes = [prepared.notes] if prepared else []
    if outcome.has_solution and model is not None:
        found = read_solution(model)
        best = _map_back(found, prepared.site_map) if prepared else found
        _check(module, data, params, best, outcome)
    if prepared is not None:
        incumbent = module.evaluate(data, params, prepared.incumbent).objective
        current = module.evaluate(data, params, best).objective if best else None
        if current is None or _better(sense, incumbent, current):
            if status == Status.OPTIMAL:
                raise ClassicCheckError(
                    f"{module.NAME}: the heuristic's {incumbent:.9g} beats the 'optimal' {current}"
                )
            best = prepared.incumbent
            notes.append("the solution is the heuristic's (the solver found none as good)")
    if best is None:
        return ClassicResult(
            model=module.NAME,
            instance=data.name,
            status=status.value,
            objective=None,
            bound=outcome.bound,
            open_sites=[],
            assignment={},
            outcome=outcome,
            timings=timings,
            size=size,
            notes=[*notes, outcome.message],
        )
    evaluation = module.evaluate(data, params, best)
    bound = outcome.bound
    if prepared is not None:
        known = [b for b in (bound, prepared.lower_bound) if b is not None]
        bound = (max if sense == pyo.minimize else min)(known)
    if status == Status.OPTIMAL:
        bound = evaluation.objective
    assignment = {
        client: (data.sites[j] if j >= 0 else "")
        for client, j in zip(data.clients, evaluation.assignment, strict=True)
    }
    return ClassicResult(
        model=module.NAME,
        instance=data.name,
        status=status.value,
        objective=evaluation.objective,
        bound=bound,
        open_sites=[data.sites[j] for j in best.open_sites],
        assignment=assignment,
        outcome=outcome,
        timings=timings,
        size=size,
        notes=notes,
    )


def _check(
    module: ModuleType,
    data: LocationData,
    params: Params,
    solution: Solution,
    outcome: SolveOutcome,
) -> None:
    """The solution keeps every rule; its recomputed value is the solver's (optimal) or no
    worse than it (an incumbent whose auxiliary variables are not tight)."""
    evaluation = module.evaluate(data, params, solution)
    if evaluation.violations:
        raise ClassicCheckError(
            f"{module.NAME}: the solver's solution breaks the model: "
            + "; ".join(evaluation.violations[:5])
        )
    if outcome.objective is None:
        return
    slack = TOLERANCE * max(1.0, abs(outcome.objective))
    difference = evaluation.objective - outcome.objective
    worse = difference > slack if pyo.minimize == module.SENSE else difference < -slack
    if worse or (outcome.status == Status.OPTIMAL and math.fabs(difference) > slack):
        raise ClassicCheckError(
            f"{module.NAME}: objective recomputed from the data ({evaluation.objective:.9g}) "
            f"differs from the solver's ({outcome.objective:.9g})"
        )
