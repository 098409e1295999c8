"""Re-solve a run with one core site forbidden, without rebuilding the model.

The runner-up analysis of the reports asks, for every sited cluster, what the best siting is
when its core district is forbidden. With HiGHS, the run's model is built and handed over
once, as arrays (``model.matrix_model``, no Pyomo model; :class:`solvers.highs.PersistentHighs`);
each question then fixes one site column to 0, re-solves from the warm solver, and restores
it. The answer goes through the same
evaluation and checks as a fresh run (terms recomputed from the data, every constraint
checked against the scenario with the extra ban). Other solvers, and the rare re-solve that
finds no solution (which needs the full diagnosis), take the ordinary pipeline.
"""

from __future__ import annotations

import numpy as np

from model.matrix_model import SitingProgram, build_program
from model.pipeline import RunResult, _verify, solve, solver_options
from model.results import evaluate
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
        self._program: SitingProgram | None = None
        self._persistent: PersistentHighs | None = None
        self._columns: dict[tuple[str, str], int] = {}

    def _warm(self) -> tuple[dict[tuple[str, str], int], PersistentHighs, SitingProgram] | None:
        name = self.result.loaded.scenario.solver.name.strip().lower()
        if name not in PERSISTENT_SOLVERS:
            return None
        if self._program is None or self._persistent is None:
            program = build_program(self.result.instance)
            if program is None:  # a rule no siting can meet: the full pipeline says which
                return None
            self._program = program
            self._persistent = PersistentHighs(None, program.lp)
            self._columns = {site: n for n, site in enumerate(self.result.instance.sites)}
        return self._columns, self._persistent, self._program

    def without(self, cluster_type: str, district: str) -> RunResult:
        """The run solved again with the core site (cluster_type, district) forbidden."""
        result = self.result
        loaded = forbid_site(result.loaded, cluster_type, district)
        warm = self._warm()
        site = (cluster_type, district)
        if warm is None or site not in warm[0]:
            return solve(loaded, result.region, tables=result.tables)
        columns, persistent, program = warm
        column = np.array([columns[site]])
        persistent.set_column_bounds(column, np.zeros(1), np.zeros(1))  # the site forbidden
        try:
            outcome = persistent.resolve(solver_options(loaded))
        finally:
            lp = program.lp
            persistent.set_column_bounds(column, lp.col_lower[column], lp.col_upper[column])
        if not outcome.has_solution or persistent.last_values is None:
            return solve(loaded, result.region, tables=result.tables)
        instance = result.instance
        solution = program.solution(persistent.last_values, instance)
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
