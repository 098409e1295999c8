r"""Re-solve a scenario after each studio change on one persistent HiGHS model.

The studio asks one question many times: "and now, with this change?". Most changes a planner
clicks (a weight, a lock, a ban) leave the *structure* of the model alone, so the model is
built and handed to HiGHS once (:class:`solvers.highs.PersistentHighs`) and every later change
edits the HiGHS copy:

* the **structural model** is the scenario with every weight set to 1 and no ``rules.lock``
  or ``rules.forbid``: its allowed sites :math:`A'` are a superset of any scenario's sites
  with the same other settings, and its coefficients are the unweighted
  :math:`fit_{ki}, exp_{ki}, fit_{kj} link_{ij}, coop_{kk'} link_{ij}`;
* **weights** become objective costs: :math:`w_{fit} fit_{ki} + w_{export} exp_{ki}` on
  :math:`y_{ki}`, :math:`w_{member}` times the member coefficient on :math:`x_{kij}`,
  :math:`w_{coop}` times the pair coefficient on :math:`z_{kik'j}`;
* a **ban** (``rules.forbid``) fixes :math:`y_{ki} = 0`; with :math:`x \le y` and
  :math:`z \le y` this is the same feasible set as leaving the site out;
* a **lock** adds the row :math:`\sum_{i \in L \cap A'} y_{ki} \ge 1` once and switches it
  off (no bounds) when the lock goes.

Any other change (indicator settings, radii, site counts, groups, budget, the region...)
changes the structure: the model is built again for the new structure, once. Every answer goes
through the same evaluation and checks as a fresh run (terms recomputed from the data, every
constraint checked against the scenario as the planner set it), and a re-solve that finds no
solution is handed to the ordinary pipeline, whose diagnosis says which rules conflict.

Every solve is capped by ``time_cap_s`` (on top of the scenario's own ``solver.time_limit``).
:class:`SessionSolver` is the interface the studio uses; a faster re-solve layer can replace
:class:`PersistentSession` behind it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Protocol

import numpy as np
from pyomo.core.base.var import VarData

from model.diagnosis import structural_conflicts
from model.formulation import build_model
from model.instance import (
    IndicatorTables,
    Site,
    SitingInstance,
    build_instance,
    compute_indicators,
)
from model.pipeline import RunResult, checked_result, solve, solver_options
from model.region import Region
from model.resolver import PERSISTENT_SOLVERS, SiteResolver
from model.results import read_solution
from model.scenario import LoadedScenario, Scenario, check_against_region, validate_scenario
from solvers.base import SolverOptions
from solvers.highs import PersistentHighs

DEFAULT_TIME_CAP_S = 10.0
STRUCTURE_FREE_KEYS = ("name", "description", "extends", "weights", "solver")
STRUCTURE_FREE_RULES = ("lock", "forbid")


class SessionSolver(Protocol):
    """What the studio needs from a re-solve layer (one instance per browser session)."""

    def solve(self, loaded: LoadedScenario, region: Region) -> RunResult: ...

    def without(self, result: RunResult, cluster_type: str, district: str) -> RunResult: ...

    def forced(self, result: RunResult, cluster_type: str, district: str) -> RunResult: ...


def structure_key(scenario: Scenario) -> str:
    """The settings that shape the model: everything but weights, locks, bans and solver."""
    data = scenario.model_dump(mode="json")
    for key in STRUCTURE_FREE_KEYS:
        data.pop(key, None)
    for key in STRUCTURE_FREE_RULES:
        data["rules"].pop(key, None)
    return json.dumps(data, sort_keys=True)


def capped(loaded: LoadedScenario, time_cap_s: float) -> LoadedScenario:
    """The scenario with ``solver.time_limit`` at most ``time_cap_s`` (for fallback solves)."""
    limit = loaded.scenario.solver.time_limit
    if limit is not None and limit <= time_cap_s:
        return loaded
    solver = loaded.scenario.solver.model_copy(update={"time_limit": time_cap_s})
    scenario = loaded.scenario.model_copy(update={"solver": solver})
    return LoadedScenario(scenario, loaded.path, list(loaded.chain), list(loaded.overrides))


class _Structure:
    """The structural model of one structure key, handed to HiGHS, and its raw coefficients."""

    def __init__(self, region: Region, scenario: Scenario, tables: IndicatorTables) -> None:
        ones = scenario.weights.model_copy(update={"fit": 1.0, "export": 1.0, "member": 1.0,
                                                   "coop": 1.0})
        rules = scenario.rules.model_copy(update={"lock": [], "forbid": []})
        base = scenario.model_copy(update={"weights": ones, "rules": rules})
        self.instance = build_instance(region, base, tables)
        self.model = build_model(self.instance, cooperation="pairs")  # reads model.z
        self.persistent = PersistentHighs(self.model)
        inst, model = self.instance, self.model
        self.sites = set(inst.sites)
        self.y: list[VarData] = [model.y[s] for s in inst.sites]
        self.x: list[VarData] = [model.x[m] for m in inst.members]
        self.z: list[VarData] = [model.z[p] for p in inst.pairs]
        self.fit = np.array([inst.fit_coef[s] for s in inst.sites], dtype=float)
        self.export = np.array([inst.export_coef[s] for s in inst.sites], dtype=float)
        self.member = np.array([inst.member_coef[m] for m in inst.members], dtype=float)
        self.pair = np.array([inst.pair_coef[p] for p in inst.pairs], dtype=float)
        self.weights: tuple[float, float, float, float] | None = None
        self.banned: set[Site] = set()
        self.lock_rows: dict[tuple[str, tuple[str, ...]], int] = {}
        self.active_locks: set[tuple[str, tuple[str, ...]]] = set()

    def apply(self, scenario: Scenario) -> bool:
        """Edit the HiGHS copy to the scenario's weights, bans and locks; False when a lock
        has no allowed site at all (then only the pipeline's diagnosis can say why)."""
        w = scenario.weights
        weights = (w.fit, w.export, w.member, w.coop)
        if weights != self.weights:
            costs = [
                *zip(self.y, w.fit * self.fit + w.export * self.export, strict=True),
                *zip(self.x, w.member * self.member, strict=True),
                *zip(self.z, w.coop * self.pair, strict=True),
            ]
            self.persistent.set_objective_coefficients((v, float(c)) for v, c in costs)
            self.weights = weights
        rules = scenario.rules
        banned = {s for s in self.sites if rules.forbids(*s)}
        for site in self.banned - banned:
            self.persistent.unfix(self.model.y[site])
        for site in banned - self.banned:
            self.persistent.fix(self.model.y[site], 0)
        self.banned = banned
        wanted = {(lock.cluster, lock.places) for lock in rules.lock}
        for key in self.active_locks - wanted:
            self.persistent.set_row_bounds(self.lock_rows[key], None, None)
        for key in wanted - self.active_locks:
            k, places = key
            terms = [(self.model.y[(k, i)], 1.0) for i in places if (k, i) in self.sites]
            if not terms:
                self.active_locks = (self.active_locks - {key}) & wanted
                return False
            if key in self.lock_rows:
                self.persistent.set_row_bounds(self.lock_rows[key], 1, None)
            else:
                self.lock_rows[key] = self.persistent.add_row(terms, 1, None)
        self.active_locks = wanted
        return True


class PersistentSession:
    """One persistent HiGHS model per studio session (see the module docstring)."""

    def __init__(self, time_cap_s: float = DEFAULT_TIME_CAP_S) -> None:
        self.time_cap_s = time_cap_s
        self._key: str | None = None
        self._structure: _Structure | None = None
        self._tables: IndicatorTables | None = None
        self._region: Region | None = None
        self.rebuilds = 0  # structural models built (the bench and tests read it)

    def options(self, loaded: LoadedScenario) -> SolverOptions:
        options = solver_options(loaded)
        limit = options.time_limit
        cap = self.time_cap_s if limit is None else min(limit, self.time_cap_s)
        return dataclasses.replace(options, time_limit=cap, log_file=None)

    def _tables_for(self, region: Region, scenario: Scenario) -> IndicatorTables:
        if (
            self._tables is None
            or self._region is not region
            or self._tables.settings != scenario.indicators
        ):
            self._tables = compute_indicators(region, scenario)
            self._region = region
        return self._tables

    def _fallback(self, loaded: LoadedScenario, region: Region) -> RunResult:
        return solve(capped(loaded, self.time_cap_s), region, tables=self._tables)

    def solve(self, loaded: LoadedScenario, region: Region) -> RunResult:
        """Solve ``loaded`` on ``region``: on the persistent model when it can, else by the
        pipeline; the result is checked like any run's."""
        check_against_region(loaded, region)
        scenario = loaded.scenario
        if scenario.solver.name.strip().lower() not in PERSISTENT_SOLVERS:
            return self._fallback(loaded, region)
        tables = self._tables_for(region, scenario)
        instance = build_instance(region, scenario, tables)
        if structural_conflicts(instance):  # the pipeline says why, without a solve
            return self._fallback(loaded, region)
        key = structure_key(scenario) + f"@{id(region)}"
        if key != self._key or self._structure is None:
            self._structure = _Structure(region, scenario, tables)
            self._key = key
            self.rebuilds += 1
        return self._resolve(loaded, region, tables, instance)

    def _resolve(
        self,
        loaded: LoadedScenario,
        region: Region,
        tables: IndicatorTables,
        instance: SitingInstance,
    ) -> RunResult:
        structure = self._structure
        assert structure is not None
        scenario = loaded.scenario
        if not structure.apply(scenario):
            return self._fallback(loaded, region)
        outcome = structure.persistent.resolve(self.options(loaded))
        if not outcome.has_solution:
            return self._fallback(loaded, region)
        solution = read_solution(structure.model, instance.types, instance.districts)
        timings = {"resolve": outcome.wall_time_s}
        return checked_result(solution, outcome, loaded, region, tables, instance, timings)

    def _with_rule(self, result: RunResult, key: str, entry: dict[str, Any]) -> LoadedScenario:
        data = result.loaded.resolved()
        data["rules"][key] = [*data["rules"][key], entry]
        file = str(result.loaded.path) if result.loaded.path else "<scenario>"
        scenario = validate_scenario(data, file)
        return LoadedScenario(scenario, result.loaded.path, list(result.loaded.chain), [])

    def without(self, result: RunResult, cluster_type: str, district: str) -> RunResult:
        """The best siting with the core (cluster_type, district) banned (the runner-up)."""
        loaded = self._with_rule(result, "forbid", {"cluster": cluster_type, "district": district})
        return self.solve(loaded, result.region)

    def forced(self, result: RunResult, cluster_type: str, district: str) -> RunResult:
        """The best siting with a core of cluster_type locked in district ("why not there")."""
        loaded = self._with_rule(result, "lock", {"cluster": cluster_type, "district": district})
        return self.solve(loaded, result.region)


class SessionSiteResolver(SiteResolver):
    """The report's runner-up question answered on the session's persistent model."""

    def __init__(self, result: RunResult, session: SessionSolver) -> None:
        super().__init__(result)
        self._session = session

    def without(self, cluster_type: str, district: str) -> RunResult:
        return self._session.without(self.result, cluster_type, district)

