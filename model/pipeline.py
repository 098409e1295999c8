"""Compose the stages: region → indicators → instance → Pyomo model → solver → checked result.

Each stage is a plain function of its own module and can be called alone; this module only
chains them, times them, and decides the run's status. ``run.py`` and the benchmarks call it.

Example::

    from model.pipeline import solve_scenario_file
    result = solve_scenario_file("scenarios/baseline.yaml")
    result.status, result.objective, result.terms
    result.assignments  # pandas DataFrame
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from model.diagnosis import GENERAL_MESSAGE, structural_conflicts
from model.errors import ClusterSiteError, InputError, SolverUnavailableError
from model.instance import IndicatorTables, SitingInstance, build_instance, compute_indicators
from model.region import Region, load_region
from model.results import Evaluation, Solution, evaluate, read_solution
from model.scenario import LoadedScenario, Scenario, check_against_region, load_scenario
from solvers import SolveOutcome, SolverAdapter, SolverOptions, Status, get_solver

if TYPE_CHECKING:
    from model.column_index import ColumnIndex
    from model.lagrangian_bound import LagrangianBound
    from model.matrix_model import SitingProgram
    from model.warmstart import WarmStart

OBJECTIVE_TOLERANCE = 1e-6


class SolutionCheckError(ClusterSiteError):
    """The solver's solution breaks a constraint or disagrees with the recomputed objective."""

    exit_code = 1


@dataclass
class Siting:
    """One sited cluster: its type, core district, member districts and contribution."""

    cluster_type: str
    core: str
    members: list[str]
    contribution: float  # core's fit and export terms plus its members' terms (no coop)


@dataclass
class RunResult:
    """Everything a run produced, as plain data."""

    status: str  # optimal, time_limit, infeasible, unbounded, error
    objective: float | None
    terms: dict[str, float]
    assignments: pd.DataFrame
    loaded: LoadedScenario
    region: Region
    tables: IndicatorTables
    instance: SitingInstance
    outcome: SolveOutcome | None
    diagnosis: list[str] = field(default_factory=list)
    conflict: list[str] = field(default_factory=list)  # scenario keys of conflicting rules
    timings: dict[str, float] = field(default_factory=dict)
    warm_start: WarmStart | None = None  # the greedy MIP start given to HiGHS, if any
    lagrangian: LagrangianBound | None = None  # solver.bound_rounds' bound (§5.3), if any

    @property
    def has_solution(self) -> bool:
        return not self.assignments.empty or self.objective is not None

    def core_set(self) -> frozenset[tuple[str, str]]:
        """The (cluster type, core district) of every sited cluster."""
        return frozenset((s.cluster_type, s.core) for s in self.sitings())

    def sitings(self) -> list[Siting]:
        """One entry per core: type, core district, members, and the cluster's contribution."""
        found: dict[tuple[str, str], Siting] = {}
        for record in self.assignments.to_dict("records"):
            key = (str(record["cluster_type"]), str(record["core"]))
            siting = found.setdefault(key, Siting(key[0], key[1], [], 0.0))
            if record["role"] == "member":
                siting.members.append(str(record["district"]))
            siting.contribution += float(record["contribution"])
        return list(found.values())


class _Stopwatch:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


# HiGHS's presolve slows the siting model down on every instance measured: 0.13 s against
# 0.03 s on the Smolensk baseline, 16.5 s against 0.9 s at 300 synthetic districts, and no
# solution within 120 s against 0.5 s at 1,000 (bench/stages.py).
PRESOLVE_DEFAULT = {"highs": False, "highspy": False}


# where a relative solver.log_file goes: the staging folder of the run being written
_LOG_DIR: ContextVar[Path | None] = ContextVar("log_dir", default=None)


@contextmanager
def logs_into(folder: Path | None) -> Iterator[None]:
    """Resolve relative ``solver.log_file`` paths inside ``folder`` (a run's staging folder)
    while the body runs, so the log is written with the run, all or nothing."""
    token = _LOG_DIR.set(folder)
    try:
        yield
    finally:
        _LOG_DIR.reset(token)


def log_file_path(loaded: LoadedScenario) -> Path | None:
    """The solver log file of a scenario: inside the run being written when relative; never
    inside another run's folder."""
    setting = loaded.scenario.solver.log_file
    if setting is None:
        return None
    from model.staging import holds_results

    file = loaded.path or "<scenario>"
    log_path = Path(setting).expanduser()
    staging = _LOG_DIR.get()
    if not log_path.is_absolute() and staging is not None:
        target = (staging / log_path).resolve()
        if staging.resolve() not in target.parents:
            raise InputError(
                file, "solver.log_file", "a relative log file must stay in the run folder"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        return target
    target = log_path if log_path.is_absolute() else loaded.base_dir / log_path
    for folder in target.resolve().parents:
        if holds_results(folder):
            raise InputError(
                file,
                "solver.log_file",
                f"{target} is inside the earlier run folder {folder}; give a relative path "
                "(the log then goes into the new run folder) or one outside run folders",
            )
    return target


def solver_options(loaded: LoadedScenario) -> SolverOptions:
    settings = loaded.scenario.solver
    presolve = settings.presolve
    if presolve is None:
        presolve = PRESOLVE_DEFAULT.get(settings.name.strip().lower())
    log_path = log_file_path(loaded)
    return SolverOptions(
        time_limit=settings.time_limit,
        mip_gap=settings.mip_gap,
        abs_gap=settings.abs_gap,
        threads=settings.threads,
        seed=settings.seed,
        presolve=presolve,
        log_file=str(log_path) if log_path is not None else None,
        raw=dict(settings.options),
    )


def checked_region_path(loaded: LoadedScenario) -> Path:
    """The scenario's region folder; a missing folder is an error of the scenario's key."""
    path = loaded.region_path()
    file = loaded.path or "<scenario>"
    if path.is_symlink() and not path.exists():
        raise InputError(file, "region", f"broken symbolic link or a loop of links: {path}")
    if not path.exists():
        raise InputError(file, "region", f"region folder not found: {path}")
    if not path.is_dir():
        raise InputError(file, "region", f"region path is not a folder: {path}")
    return path


def solver_for(loaded: LoadedScenario) -> SolverAdapter:
    """The scenario's solver; a missing one is an error of the scenario's key."""
    # Pyomo logs a warning with a traceback when a solver name is unknown; the one-line
    # error below says it better
    quiet = logging.getLogger("pyomo.opt")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return get_solver(loaded.scenario.solver.name)
    except SolverUnavailableError as err:
        where = "solver.name" if loaded.path else None
        raise InputError(loaded.path or "<scenario>", where, err.message) from err
    finally:
        quiet.setLevel(level)


def solve(
    loaded: LoadedScenario,
    region: Region | None = None,
    watch: _Stopwatch | None = None,
    tables: IndicatorTables | None = None,
    with_bound: bool = False,
) -> RunResult:
    """Solve a loaded scenario on its region (loaded here unless given).

    ``tables`` may pass the indicators of an earlier run on the same region with the same
    ``indicators`` settings (re-solves with other rules or weights), which skips recomputing
    them; they are recomputed when the settings differ. ``with_bound``: compute the Lagrangian
    bound of ``solver.bound_rounds`` before HiGHS (a run and its re-run do; the many re-solves
    of sweeps, samples and the studio leave it out, where nobody reads it).
    """
    watch = watch or _Stopwatch()
    scenario = loaded.scenario
    if region is None:
        with watch.stage("load_region"):
            region = load_region(checked_region_path(loaded))
    check_against_region(loaded, region)
    adapter = solver_for(loaded)  # fail early, before any work, if it is missing
    with watch.stage("indicators"):
        if tables is None or tables.settings != scenario.indicators:
            tables = compute_indicators(region, scenario)
    with watch.stage("instance"):
        instance = build_instance(region, scenario, tables)
    empty = pd.DataFrame(columns=["cluster_type", "core", "district", "role", "contribution"])
    warm: WarmStart | None = None
    bound: LagrangianBound | None = None

    def finish(
        status: str,
        outcome: SolveOutcome | None,
        evaluation: Evaluation | None,
        notes: list[str],
        conflict: list[str] | None = None,
    ) -> RunResult:
        return RunResult(
            status=status,
            objective=evaluation.objective if evaluation else None,
            terms=evaluation.terms if evaluation else {},
            assignments=evaluation.assignments if evaluation else empty,
            loaded=loaded,
            region=region,
            tables=tables,
            instance=instance,
            outcome=outcome,
            diagnosis=notes,
            conflict=conflict or [],
            timings=dict(watch.timings),
            warm_start=warm,
            lagrangian=bound,
        )

    conflicts = structural_conflicts(instance)
    if conflicts:
        with watch.stage("diagnosis"):
            notes, conflict = diagnose(region, scenario, tables, conflicts)
        return finish(Status.INFEASIBLE.value, None, None, notes, conflict)
    if not scenario.objective.weighted:  # lexicographic or normalised (objective key)
        from model.objective_modes import solve_objective_mode

        with watch.stage("solve"):
            return solve_objective_mode(loaded, region, tables, instance, watch.timings)
    program = None
    with watch.stage("build"):
        if adapter.name == "highs":  # arrays straight to HiGHS; None when a row cannot hold
            from model.matrix_model import build_program

            program = build_program(instance)
    if program is not None:
        outcome, solution, warm, bound = _solve_program(
            program, instance, loaded, region, tables, with_bound
        )
        watch.timings["build"] += warm.seconds  # the start is part of what is handed over
        if bound is not None:
            watch.timings["bound"] = bound.seconds
    else:
        from model.formulation import build_model

        with watch.stage("build"):
            model = build_model(instance)
        outcome = adapter.solve(model, solver_options(loaded))
    watch.timings["handoff"] = outcome.handoff_s
    watch.timings["solve"] = outcome.wall_time_s - outcome.handoff_s
    if outcome.status == Status.INFEASIBLE:
        with watch.stage("diagnosis"):
            notes, conflict = diagnose(region, scenario, tables, [])
        return finish(outcome.status.value, outcome, None, notes, conflict)
    if not outcome.has_solution:
        return finish(outcome.status.value, outcome, None, [outcome.message])
    with watch.stage("results"):
        if program is None:
            solution = read_solution(model, instance.types, instance.districts)
        assert solution is not None
        evaluation = evaluate(solution, region, scenario, tables)
    _verify(evaluation, outcome, exact=scenario.solver.mip_gap == 0)
    return finish(outcome.status.value, outcome, evaluation, [])


def _solve_program(
    program: SitingProgram,
    instance: SitingInstance,
    loaded: LoadedScenario,
    region: Region,
    tables: IndicatorTables,
    with_bound: bool,
) -> tuple[SolveOutcome, Solution | None, WarmStart, LagrangianBound | None]:
    """HiGHS on the program's arrays, from the searched start when it passes every rule;
    before it (``with_bound``), the Lagrangian bound of ``solver.bound_rounds`` when there is
    a start to aim it at."""
    from model.warmstart import start_vector
    from solvers.highs import solve_program

    options = solver_options(loaded)
    began = time.perf_counter()
    warm, greedy = warm_start(instance, region, loaded.scenario, tables, program.index)
    start = None
    if greedy is not None:
        started = time.perf_counter()
        start = start_vector(instance, greedy, program.compact)
        warm = replace(warm, seconds=warm.seconds + time.perf_counter() - started)
    bound = _lagrangian(instance, loaded.scenario, program, warm, began) if with_bound else None
    if bound is None:
        options = remaining_time(options, warm.seconds)
    else:  # the bound's rounds end by three quarters of the limit
        options = remaining_time(options, warm.seconds + bound.seconds, least=0.25)
    outcome, values = solve_program(program.lp, options, start)
    if values is None:
        return outcome, None, warm, bound
    return outcome, program.solution(values, instance), warm, bound


def _lagrangian(
    instance: SitingInstance,
    scenario: Scenario,
    program: SitingProgram,
    warm: WarmStart,
    began: float,
) -> LagrangianBound | None:
    """The bound of ``model.lagrangian_bound`` aimed at the start's value, with the rounds of
    ``solver.bound_rounds`` and none started after three quarters of ``solver.time_limit``
    (counted from ``began``, before the start's search); None without rounds, without a
    start or without cooperating pairs (the bound is then the LP's, which HiGHS gives)."""
    from model.lagrangian_bound import BOUND_SHARE_OF_LIMIT, bound_rounds_for, lagrangian_bound

    settings = scenario.solver
    rounds = bound_rounds_for(settings.bound_rounds, instance.pair_count)
    if rounds == 0 or warm.objective is None or instance.pair_count == 0:
        return None
    limit = settings.time_limit
    deadline = began + BOUND_SHARE_OF_LIMIT * limit if limit is not None else None
    return lagrangian_bound(instance, warm.objective, rounds, program.index, deadline)


def remaining_time(options: SolverOptions, spent: float, least: float = 0.5) -> SolverOptions:
    """The solver's options with ``time_limit`` less the seconds spent before it (the
    start's search, and the Lagrangian bound where it ran), at least ``least`` of it: half
    after the search alone (no ruin-and-recreate round starts after half the limit,
    ``warm_start``), a quarter after the bound (no bound round after three quarters,
    ``_lagrangian``)."""
    if options.time_limit is None:
        return options
    limit = options.time_limit
    return replace(options, time_limit=max(limit - spent, limit * least))


def warm_start(
    instance: SitingInstance,
    region: Region,
    scenario: Scenario,
    tables: IndicatorTables,
    index: ColumnIndex | None = None,
) -> tuple[WarmStart, Solution | None]:
    """Find the greedy siting, improve it by relocating cores and by ruin and recreate
    (``model.warmstart``, ``model.local_search``, ``model.ruin_recreate``: the rounds of
    ``solver.search_rounds``, none started after half of ``solver.time_limit``) and check it
    like any solution; it is returned for a MIP start only when it passes, with the reason
    when it does not. When the searched siting breaks a rule the greedy one keeps (the
    search never moves a family-7 rule further from holding, so this is a safeguard), the
    greedy one is the start."""
    from model.ruin_recreate import rounds_for
    from model.warmstart import WarmStart, searched_siting

    started = time.perf_counter()
    settings = scenario.solver
    rounds = rounds_for(settings.search_rounds, instance.pair_count)
    deadline = started + settings.time_limit / 2 if settings.time_limit is not None else None
    found = searched_siting(instance, index, rounds, settings.seed, deadline)
    if found is None:
        return WarmStart(
            None, time.perf_counter() - started, 0, "none: greedy could not meet a minimum or lock"
        ), None
    greedy, searched, note = found
    solution = searched
    evaluation = evaluate(searched, region, scenario, tables)
    if evaluation.violations and searched is not greedy:
        solution, note = greedy, "greedy"
        evaluation = evaluate(greedy, region, scenario, tables)
    if evaluation.violations:
        return WarmStart(
            None,
            time.perf_counter() - started,
            len(solution.cores),
            f"dropped: the greedy siting breaks a rule ({evaluation.violations[0]})",
        ), None
    seconds = time.perf_counter() - started
    return WarmStart(evaluation.objective, seconds, len(solution.cores), note), solution


def diagnose(
    region: Region, scenario: Scenario, tables: IndicatorTables, obvious: list[str]
) -> tuple[list[str], list[str]]:
    """Explain an infeasible scenario: the conflicting rules, then the obvious causes."""
    from model.conflicts import describe, find_conflict, single_fixes

    try:
        conflict = find_conflict(region, scenario, tables)
        fixes = single_fixes(region, scenario, tables, conflict)
    except RuntimeError as err:  # a feasibility test ran out of time: say what is known
        return [*obvious, f"{GENERAL_MESSAGE} (conflict search stopped: {err})"], []
    notes = describe(conflict, fixes) + obvious
    return notes or [GENERAL_MESSAGE], [rule.key for rule in conflict]


def checked_result(
    solution: Solution,
    outcome: SolveOutcome,
    loaded: LoadedScenario,
    region: Region,
    tables: IndicatorTables,
    instance: SitingInstance,
    timings: dict[str, float],
    status: str | None = None,
) -> RunResult:
    """A solver's solution evaluated on the data and checked (:func:`_verify`), as a run result.

    For the re-solve paths (fast re-solves, the studio, objective modes), so that every one
    reports a solution only after the same check as :func:`solve`.
    """
    scenario = loaded.scenario
    evaluation = evaluate(solution, region, scenario, tables)
    _verify(evaluation, outcome, exact=scenario.solver.mip_gap == 0)
    return RunResult(
        status=status or outcome.status.value,
        objective=evaluation.objective,
        terms=evaluation.terms,
        assignments=evaluation.assignments,
        loaded=loaded,
        region=region,
        tables=tables,
        instance=instance,
        outcome=outcome,
        timings=timings,
    )


def _verify(evaluation: Evaluation, outcome: SolveOutcome, exact: bool) -> None:
    """Refuse to report a solution that breaks a rule or whose value the data do not confirm.

    The recomputed value counts every pair of sited cores, so it can exceed the solver's value
    when an unproven incumbent left a pair variable at 0; it can never fall below it. A proven
    optimum with a zero gap must match it.
    """
    if evaluation.violations:
        raise SolutionCheckError(
            "the solver's solution breaks constraints: " + "; ".join(evaluation.violations[:5])
        )
    if outcome.objective is None:
        return
    recomputed = evaluation.objective
    slack = OBJECTIVE_TOLERANCE * max(1.0, abs(outcome.objective))
    too_low = recomputed < outcome.objective - slack
    mismatch = (
        exact and outcome.status == Status.OPTIMAL and abs(recomputed - outcome.objective) > slack
    )
    if too_low or mismatch:
        raise SolutionCheckError(
            f"objective recomputed from the data ({recomputed:.9g}) differs from the "
            f"solver's ({outcome.objective:.9g})"
        )


def solve_scenario_file(
    path: Path | str,
    overrides: list[str] | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
) -> RunResult:
    """Load a scenario file (with extends and ``--set`` overrides) and solve it."""
    watch = _Stopwatch()
    with watch.stage("load_scenario"):  # --solver and --time-limit are named in errors
        loaded = load_scenario(path, overrides, solver=solver, time_limit=time_limit)
    return solve(loaded, watch=watch)
