r"""The scenario's ``objective`` key in a run: lexicographic order or normalised weights.

By default a run maximises the weighted sum of the four terms (docs/model.md §5). The
``objective`` key of a scenario (``model.scenario.Objective``) selects one of two other modes;
both use the term-by-term machinery of ``model.payoff`` (one persistent HiGHS model) and
return an ordinary :class:`~model.pipeline.RunResult`, checked like any other:

**Lexicographic** (``objective.order: [t_1, ..., t_m]``, ``objective.tolerance``): maximise
:math:`f_{t_1}` alone; hold :math:`f_{t_1} \ge f^*_{t_1} - \tau_1`; maximise :math:`f_{t_2}`;
and so on (``model.payoff.lexicographic``; a tolerance is absolute, or relative with ``%``).
Then, with every level held, maximise the scenario's weighted sum :math:`\sum_t w_t f_t`
among what is left, so that the terms the order leaves out (members, say) are still chosen
well rather than left to the solver. The run's objective and terms are this final siting's
weighted ones, recomputed from the data.

**Normalised weights** (``objective.normalised: true``): the weights are read as shares
:math:`\sigma_t` of each term's range on the payoff table of the terms with a positive share
(``model.payoff.payoff_table``), :math:`w_t = \sigma_t / (ideal_t - nadir_t)`
(``model.payoff.normalised_weights``; a term whose range is 0 gets weight 0), and the
ordinary weighted run is solved with them. The run's scenario records the weights that came
out (with ``normalised`` off), so that its summary.json reruns to the same siting.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from model.errors import InputError
from model.instance import IndicatorTables, SitingInstance
from model.region import Region
from model.results import TERMS, Solution
from model.scenario import LoadedScenario, Objective, Weights

if TYPE_CHECKING:
    from model.payoff import TermSolver
    from model.pipeline import RunResult


def solve_objective_mode(
    loaded: LoadedScenario,
    region: Region,
    tables: IndicatorTables,
    instance: SitingInstance,
    timings: dict[str, float],
) -> RunResult:
    """The run of a scenario whose ``objective`` is not the plain weighted sum."""
    objective = loaded.scenario.objective
    if objective.normalised:
        return _normalised(loaded, region, tables)
    return _lexicographic(loaded, region, tables, instance, timings)


def _term_solver(
    loaded: LoadedScenario, region: Region, tables: IndicatorTables, terms: list[str]
) -> TermSolver:
    from model.payoff import TermSolver
    from model.pipeline import solver_options

    if loaded.scenario.solver.name.strip().lower() not in ("highs", "highspy"):
        raise InputError(
            loaded.path or "<scenario>",
            "objective",
            "objective.order and objective.normalised re-solve one HiGHS model: use the "
            "highs solver",
        )
    return TermSolver(region, loaded.scenario, tables, terms, solver_options(loaded))


def _lexicographic(
    loaded: LoadedScenario,
    region: Region,
    tables: IndicatorTables,
    instance: SitingInstance,
    timings: dict[str, float],
) -> RunResult:
    from model.payoff import lexicographic_levels
    from model.pipeline import RunResult, checked_result, diagnose

    scenario = loaded.scenario
    objective = scenario.objective
    order = list(objective.order or [])
    weights = scenario.weights.model_dump()
    # the terms of the order, and those the final weighted solve can gain from
    terms = [t for t in TERMS if t in order or weights[t] > 0]
    solver = _term_solver(loaded, region, tables, terms)
    point, _optima, bounds = lexicographic_levels(solver, order, objective.tolerances())
    outcome = solver.last_outcome
    if point is not None:
        point = solver.maximise({t: weights[t] for t in terms}, bounds)
        outcome = solver.last_outcome
    if point is None or outcome is None:
        notes, conflict = diagnose(region, scenario, tables, [])
        return RunResult(
            status="infeasible",
            objective=None,
            terms={},
            assignments=_empty(),
            loaded=loaded,
            region=region,
            tables=tables,
            instance=instance,
            outcome=outcome,
            diagnosis=notes,
            conflict=conflict,
            timings=timings,
        )
    status = "optimal" if point.proven else outcome.status.value
    solution = Solution(point.cores, point.members)
    return checked_result(solution, outcome, loaded, region, tables, instance, timings, status)


def normalised_weights_of(
    loaded: LoadedScenario, region: Region, tables: IndicatorTables
) -> Weights | None:
    """The weights of ``objective.normalised`` (module docstring); None when infeasible."""
    from model.payoff import normalised_weights, payoff_table

    shares = loaded.scenario.weights.model_dump()
    terms = [t for t in TERMS if shares[t] > 0]
    if not terms:  # every share 0: every weight 0, nothing to normalise
        return Weights(fit=0.0, export=0.0, member=0.0, coop=0.0)
    solver = _term_solver(loaded, region, tables, terms)
    table = payoff_table(solver, terms)
    if table is None:
        return None
    return Weights(**normalised_weights(table, shares))


def _normalised(loaded: LoadedScenario, region: Region, tables: IndicatorTables) -> RunResult:
    from model.pipeline import solve

    weights = normalised_weights_of(loaded, region, tables)
    if weights is None:  # infeasible: the weighted run says so and explains it
        weights = loaded.scenario.weights
    scenario = loaded.scenario.model_copy(update={"weights": weights, "objective": Objective()})
    return solve(replace(loaded, scenario=scenario), region, tables=tables)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["cluster_type", "core", "district", "role", "contribution"])
