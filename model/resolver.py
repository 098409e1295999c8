"""Re-solve a run with one core site forbidden, without rebuilding the model.

The runner-up analysis of the reports asks, for every sited cluster, what the best siting is
when its core district is forbidden. With HiGHS, the run's model is built and handed over
once (:class:`solvers.highs.PersistentHighs`); each question then fixes one site variable to
0, re-solves from the warm solver, and restores it. The answer goes through the same
evaluation and checks as a fresh run (terms recomputed from the data, every constraint
checked against the scenario with the extra ban). Other solvers, and the rare re-solve that
finds no solution (which needs the full diagnosis), take the ordinary pipeline.
"""

from __future__ import annotations

import pyomo.environ as pyo

from model.formulation import build_model
from model.pipeline import RunResult, _verify, solve, solver_options
from model.results import evaluate, read_solution
from model.scenario import LoadedScenario, validate_scenario
from solvers.highs import PersistentHighs

PERSISTENT_SOLVERS = ("highs", "highspy")


def forbid_site(loaded: LoadedScenario, cluster_type: str, district: str) -> LoadedScenario:
    """The same scenario with one more ``rules.forbid`` entry (validated like any scenario)."""
    data = loaded.resolved()
    data["rules"]["forbid"] = [
        *data["rules"]["forbid"],
        {"cluster": cluster_type, "district": district},
    ]
    scenario = validate_scenario(data, str(loaded.path) if loaded.path else "<scenario>")
    extra = f"rules.forbid += {cluster_type}@{district}"
    return LoadedScenario(scenario, loaded.path, list(loaded.chain), [*loaded.overrides, extra])


class SiteResolver:
    """Answers "what if this core site were forbidden?" for one solved run."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self._model: pyo.ConcreteModel | None = None
        self._persistent: PersistentHighs | None = None

    def _warm(self) -> tuple[pyo.ConcreteModel, PersistentHighs] | None:
        name = self.result.loaded.scenario.solver.name.strip().lower()
        if name not in PERSISTENT_SOLVERS:
            return None
        if self._model is None or self._persistent is None:
            self._model = build_model(self.result.instance)
            self._persistent = PersistentHighs(self._model)
        return self._model, self._persistent

    def without(self, cluster_type: str, district: str) -> RunResult:
        """The run solved again with the core site (cluster_type, district) forbidden."""
        result = self.result
        loaded = forbid_site(result.loaded, cluster_type, district)
        warm = self._warm()
        site = (cluster_type, district)
        if warm is None or site not in warm[0].y:
            return solve(loaded, result.region, tables=result.tables)
        model, persistent = warm
        persistent.fix(model.y[site], 0)
        try:
            outcome = persistent.resolve(solver_options(loaded))
        finally:
            persistent.unfix(model.y[site])
        if not outcome.has_solution:
            return solve(loaded, result.region, tables=result.tables)
        instance = result.instance
        solution = read_solution(model, instance.types, instance.districts)
        evaluation = evaluate(solution, result.region, loaded.scenario, result.tables)
        _verify(evaluation, outcome, exact=loaded.scenario.solver.mip_gap == 0)
        return RunResult(
            status=outcome.status.value,
            objective=evaluation.objective,
            terms=evaluation.terms,
            assignments=evaluation.assignments,
            loaded=loaded,
            region=result.region,
            tables=result.tables,
            instance=instance,
            outcome=outcome,
            timings={"resolve": outcome.wall_time_s},
        )
