r"""Near-optimal alternatives: the next-best distinct sitings within a slack of the optimum.

"What else is almost as good?" is the question a planner meets first when a siting is
challenged, and the one a researcher asks of any optimum. The answer here is the *k best*
distinct sets of cores, each with its best members and cooperation pairs, in order.

Formulation. Let :math:`f^*` be the proven optimum and :math:`S_0` its set of cores (the sites
with :math:`y = 1`). Alternative :math:`r + 1` maximises the model's objective subject to the
model's constraints and

.. math::

    \sum_{s \in S_q} y_s - \sum_{s \notin S_q} y_s \le |S_q| - 1
    \quad (q = 0, \dots, r) \qquad \text{(no-good cut: excludes exactly the core set } S_q)

    c^\top x \ge f^* - \sigma \, |f^*| \qquad \text{(objective floor, slack } \sigma)

so its objective is the best over every core set not yet listed, and the list is the k-best
list by objective. It ends after ``count`` alternatives, or when no other core set reaches
the floor. (In this mode the floor is checked on each answer instead of added as a row: the
next best falls below it only if every set not listed does.) The cuts are added to the
run's HiGHS model (:class:`solvers.highs.PersistentHighs`), which is built and handed over
once. Every
alternative goes through the checks of an ordinary run: its terms are recomputed from the
data, every rule of the scenario is re-checked, and the recomputed objective must equal the
solver's.

**Diverse mode** (modelling to generate alternatives). Instead of the next best, each
alternative shares as few cores as possible with all those listed before it, and among those
has the best objective: with :math:`U = \bigcup_q S_q` it maximises

.. math::

    c^\top x - M \sum_{s \in U} y_s, \qquad M = f^* - \max(\text{floor}, \underline{f}) + 1

under the same cuts and floor, where :math:`\underline{f}` is the least value the objective
can take within the variable bounds. Every feasible objective lies within a range smaller
than :math:`M`, so one core fewer in common always wins, and the objective decides ties.

With a relative or absolute MIP gap in the scenario, each alternative is only as good as that
gap, so the order may differ from the exact order by up to the gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from model.errors import InputError
from model.formulation import build_model
from model.pipeline import OBJECTIVE_TOLERANCE, RunResult, _verify, solver_options
from model.resolver import PERSISTENT_SOLVERS
from model.results import evaluate, read_solution
from solvers import Status
from solvers.highs import PersistentHighs


@dataclass
class Alternatives:
    """The alternatives found, best first (or most different first), and why the list ends.

    ``ended``: ``"count"`` when as many were found as asked for; ``"slack"`` when no other
    siting is within the slack (proven); ``"time_limit"`` or ``"error"`` when the solver
    could not prove the next one, which is then either missing or the last, labelled with
    that status.
    """

    results: list[RunResult]
    ended: str


def check_request(count: int, slack: float) -> None:
    """Refuse a count below 1 or a slack below 0 (or NaN), before anything is solved."""
    if count < 1:
        raise InputError(None, "--count", f"expected 1 or more, got {count}")
    if not slack >= 0:  # also refuses NaN
        raise InputError(None, "--slack", f"expected a fraction of 0 or more, got {slack}")


def near_optimal(
    result: RunResult, count: int, slack: float, diverse: bool = False, progress: bool = False
) -> Alternatives:
    """Up to ``count`` distinct sitings of a solved run within ``slack`` of its optimum.

    ``slack`` is the fraction of the optimum an alternative may lose (0.05: at least 95 % of
    a positive optimum). By default the list is the next best, best first; with ``diverse``
    each alternative shares the fewest cores with those before it. ``result`` must be a
    proven optimum solved with HiGHS. ``progress``: a progress bar on stderr (tqdm), shown
    only once the search has taken more than a second.
    """
    from tqdm import tqdm

    with tqdm(
        total=count, desc="alternatives", unit="siting", disable=not progress, delay=1.0
    ) as bar:
        return _near_optimal(result, count, slack, diverse, lambda: bar.update(1))


def _near_optimal(
    result: RunResult,
    count: int,
    slack: float,
    diverse: bool,
    on_found: Callable[[], object],
) -> Alternatives:
    check_request(count, slack)
    scenario = result.loaded.scenario
    if scenario.solver.name.strip().lower() not in PERSISTENT_SOLVERS:
        raise InputError(
            result.loaded.path or "<scenario>",
            "solver.name",
            f"alternatives are found with HiGHS (re-solved in place); got {scenario.solver.name}",
        )
    if result.status != Status.OPTIMAL.value or result.objective is None:
        raise InputError(
            result.loaded.path or "<scenario>",
            None,
            f"alternatives need a proven optimum to start from; the run ended {result.status}",
        )
    instance = result.instance
    model = build_model(instance)
    persistent = PersistentHighs(model)
    assert persistent.lp is not None  # an optimal run compiled
    lp = persistent.lp
    # (an optimum of 0 keeps its floor at 0 whatever the slack, even an infinite one)
    floor = result.objective - (slack * abs(result.objective) if result.objective else 0.0)
    below_floor = floor - OBJECTIVE_TOLERANCE * max(1.0, abs(floor))
    sites = list(model.y.items())
    penalty = 0.0
    if diverse:
        # The next best needs no floor row: it is below the floor only if every other set
        # is, and the row slows HiGHS down (1.7 s against 3.2 s for five on the baseline).
        # The penalised objective does need it.
        persistent.add_row(
            ((var, float(c)) for var, c in zip(lp.columns, lp.cost.tolist(), strict=True) if c),
            floor - lp.offset,
            None,
        )
        site_cost = {site: float(lp.cost[persistent.column(var)]) for site, var in sites}
        # one core fewer in common must outweigh any objective difference above the floor
        least = lp.offset + float(np.minimum(lp.cost * lp.col_lower, lp.cost * lp.col_upper).sum())
        penalty = result.objective - max(floor, least) + 1.0
    listed = [result.core_set()]
    found: list[RunResult] = []
    options = solver_options(result.loaded)
    while len(found) < count:
        cores = listed[-1]
        persistent.add_row(
            ((var, 1.0 if site in cores else -1.0) for site, var in sites),
            None,
            len(cores) - 1,
        )
        reused: set[tuple[str, str]] = set().union(*listed) if diverse else set()
        if diverse:
            persistent.set_objective_coefficients(
                (var, site_cost[site] - (penalty if site in reused else 0.0)) for site, var in sites
            )
        outcome = persistent.resolve(options)
        proven = outcome.status == Status.OPTIMAL
        if not outcome.has_solution:
            return Alternatives(
                found, "slack" if outcome.status == Status.INFEASIBLE else outcome.status.value
            )
        solution = read_solution(model, instance.types, instance.districts)
        if diverse and outcome.objective is not None:
            # the solver's value counts the penalty; report the siting's own objective
            shared = len(reused.intersection(solution.cores))
            outcome = replace(
                outcome, objective=outcome.objective + penalty * shared, bound=None, gap=None
            )
        if outcome.objective is not None and outcome.objective < below_floor:
            return Alternatives(found, "slack" if proven else outcome.status.value)
        evaluation = evaluate(solution, result.region, scenario, result.tables)
        _verify(evaluation, outcome, exact=scenario.solver.mip_gap == 0)
        if frozenset(solution.cores) in listed:
            raise AssertionError(f"alternative {len(found) + 1} repeats a listed siting")
        listed.append(frozenset(solution.cores))
        found.append(
            replace(
                result,
                status=outcome.status.value,
                objective=evaluation.objective,
                terms=evaluation.terms,
                assignments=evaluation.assignments,
                outcome=outcome,
                diagnosis=[],
                conflict=[],
                timings={"resolve": outcome.wall_time_s},
            )
        )
        on_found()
        if not proven:  # the alternatives after it would not be proven either
            return Alternatives(found, outcome.status.value)
    return Alternatives(found, "count")
