"""Solve robustness samples on one persistent model, each sample's work in proportion to its change.

A robustness sample (``model.robustness``) perturbs the activity and export data, and with
``times_sigma`` the road minutes. The rebuild path recomputes every indicator with pandas and
builds the instance anew; :class:`FastResolver` saves the model build but not that. Here:

* the samples' data are drawn as arrays and summed into grids for all samples at once
  (``model.sample_data``), and the indicator tables come from the grids with the array forms
  of ``model.indicators`` (``model.sample_tables``), the travel times, links and access times
  reused from the unperturbed tables;
* a sample whose allowed sites are the unperturbed ones (the same roads, and where the
  greenfield rule applies, activity in a type's sectors in the same districts) has the sites
  and cooperating pairs of the unperturbed instance with the scenario's weights; only the
  core coefficients :math:`w_{fit} fit_{ki} + w_{exp} exp_{ki}` and the member arcs
  (:math:`w_{member} fit_{kj} link_{ij} > 0` within the member radius) change, and they are
  computed as arrays over the unperturbed arcs' candidates, in ``build_instance``'s order and
  with its floating-point operations. That instance goes to
  :meth:`FastResolver.solve_instance`, which checks and solves it as
  :meth:`FastResolver.solve` does;
* any other sample (other allowed sites, new arcs, perturbed roads) takes the path of
  :meth:`FastResolver.solve` on the sample's region, unchanged;
* HiGHS re-solves the samples on one thread unless the scenario sets ``solver.threads``
  (:data:`SAMPLE_THREADS`; in the main thread only, where no other solve of the process can
  run at the same time, since HiGHS's thread pools are resized only between solves).

The solution is checked against the sample's rules and data (``pipeline.checked_result``) and
the baseline siting valued on the sample's data (``robustness.baseline_value``) as before.
``tests/test_sample_resolve.py`` compares every per-sample result with the per-sample loop
kept in ``tests/reference/robustness_loop.py``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from model.fast_resolve import FastResolver
from model.instance import (
    IndicatorTables,
    Member,
    SitingInstance,
    build_instance,
    table_block,
)
from model.pipeline import RunResult, solve
from model.region import Region
from model.results import Solution, evaluate
from model.sample_data import DataSample, Grid, activity_grids, export_grids
from model.sample_tables import SampleTables
from model.scenario import LoadedScenario, Scenario

# HiGHS threads for the samples when the scenario leaves solver.threads unset: a sample's MIP
# is small (the baseline: 309 columns, solved at the root), and a second thread only adds
# synchronisation (measured on 2 shared cores: 27-35 ms and 19 ms CPU per solve with HiGHS's
# default of 2 threads, 12-13 ms and 7-8 ms CPU with 1). The optimum is the same; the bench and
# tests compare the samples' results with those of the default thread count.
SAMPLE_THREADS = 1


@dataclass(frozen=True)
class SampleOutcome:
    """What one sample gives: its solve's status, optimum and cores, and the baseline's value."""

    status: str
    objective: float | None
    cores: frozenset[tuple[str, str]]
    baseline_value: float | None

    @property
    def regret(self) -> float:
        if self.objective is None or self.baseline_value is None:
            return math.nan
        return self.objective - self.baseline_value


def baseline_value(
    solution: Solution, region: Region, scenario: Scenario, tables: IndicatorTables
) -> float | None:
    """The objective of the baseline siting on a sample's data; None if it breaks a rule there
    (a core no longer allowed, a member out of reach)."""
    evaluation = evaluate(solution, region, scenario, tables)
    return None if evaluation.violations else evaluation.objective


def cores_of(run: RunResult) -> frozenset[tuple[str, str]]:
    """``run.core_set()`` read straight off the assignment columns."""
    if not run.has_solution:
        return frozenset()
    frame = run.assignments
    return frozenset(zip(frame["cluster_type"].tolist(), frame["core"].tolist(), strict=True))


class SampleSolver:
    """The samples of one unperturbed run, solved one after another (module docstring).

    ``fast`` False solves each sample by the rebuild path (``pipeline.solve`` on the sample's
    region, every indicator recomputed), the reference the fast path is measured against.
    """

    def __init__(
        self,
        loaded: LoadedScenario,
        region: Region,
        tables: IndicatorTables,
        baseline: Solution,
        fast: bool = True,
    ) -> None:
        self.loaded, self.region, self.tables, self.baseline = loaded, region, tables, baseline
        # HiGHS's thread pools are resized only where no other solve can run at the same
        # time: the main thread (Dask workers may run tasks side by side)
        threads = SAMPLE_THREADS if threading.current_thread() is threading.main_thread() else None
        self.resolver = (
            FastResolver(loaded, region, tables, diagnose=False, threads=threads) if fast else None
        )
        self.solved = 0  # samples solved (rebuilds: the resolver's count, or all without fast)
        if self.resolver is None:
            return
        scenario = loaded.scenario
        self.indicators = SampleTables(region, scenario, self.resolver.tables)
        self.instance = build_instance(region, scenario, self.resolver.tables)
        instance = self.instance
        catalogue = {k: n for n, k in enumerate(region.clusters)}
        district = {d: n for n, d in enumerate(instance.districts)}
        type_position = {k: n for n, k in enumerate(instance.types)}
        self._type_rows = np.asarray([catalogue[k] for k in instance.types], dtype=np.int64)
        self._site_type = np.asarray([type_position[k] for k, _ in instance.sites], dtype=np.int64)
        self._site_district = np.asarray([district[i] for _, i in instance.sites], dtype=np.int64)
        own = self.resolver.tables.own_activity
        assert own is not None
        self._own_positive = own.to_numpy(dtype=float)[self._type_rows] > 0
        self._arcs_setup(scenario)

    def _arcs_setup(self, scenario: Scenario) -> None:
        """The candidate member arcs: allowed core district, within the member radius, linked
        (``build_instance``'s pattern, type by type, row-major), and which of them the base
        model has columns for."""
        instance, tables = self.instance, self.resolver.tables  # type: ignore[union-attr]
        districts = instance.districts
        times = table_block(tables.times, districts, districts)
        link = table_block(tables.link, districts, districts)
        reach = np.where(times <= scenario.indicators.member_max_minutes, link, 0.0)
        np.fill_diagonal(reach, 0.0)
        near_i, near_j = np.nonzero(reach > 0)  # row-major, as the CSR pattern there
        allowed = np.zeros((len(instance.types), len(districts)), dtype=bool)
        allowed[self._site_type, self._site_district] = True
        candidate = allowed[:, near_i]  # type × pattern entry
        self._arc_type, self._arc_entry = np.nonzero(candidate)  # type by type, in order
        self._arc_j = near_j[self._arc_entry]
        self._near_i, self._near_j = near_i.astype(np.int64), near_j.astype(np.int64)
        self._arc_link = reach[near_i, near_j][self._arc_entry]
        self._arcs: list[Member] = [
            (instance.types[a], districts[near_i[e]], districts[near_j[e]])
            for a, e in zip(self._arc_type.tolist(), self._arc_entry.tolist(), strict=True)
        ]
        known = self.resolver._col_x if self.resolver.engine is not None else {}  # type: ignore[union-attr]
        self._arc_known = np.asarray([a in known for a in self._arcs], dtype=bool)

    @property
    def rebuilds(self) -> int:
        return self.resolver.rebuilds if self.resolver is not None else self.solved

    def solve_all(self, samples: Iterable[DataSample]) -> Iterable[SampleOutcome]:
        """Each sample's outcome, in order (the grids of all of them summed at once)."""
        samples = list(samples)
        if self.resolver is None:
            for sample in samples:
                yield self._rebuilt(sample)
            return
        activity = activity_grids(samples, self.region)
        exports = export_grids(samples, self.region)
        try:
            for sample, a, e in zip(samples, activity, exports, strict=True):
                yield self.solve_one(sample, a, e)
        finally:
            self.resolver.release_threads()

    def _rebuilt(self, sample: DataSample) -> SampleOutcome:
        region = sample.as_region(self.region)
        run = solve(self.loaded, region)
        self.solved += 1
        return self._outcome(run, region, run.tables)

    def solve_one(self, sample: DataSample, activity: Grid, exports: Grid) -> SampleOutcome:
        """One sample on the persistent model (module docstring)."""
        assert self.resolver is not None
        self.solved += 1
        roads = sample.as_region(self.region) if sample.minutes is not None else None
        tables = self.indicators.tables(
            activity.values, activity.sectors, exports.values, exports.sectors, roads
        )
        on_base = roads is None and self.resolver.engine is not None
        instance = self._instance(tables) if on_base else None
        if instance is None:  # other sites, arcs or roads: the resolver's own path
            region = sample.as_region(self.region)
            run = self.resolver.solve(self.loaded, region, tables)
            return self._outcome(run, region, tables)
        # the perturbation leaves districts, clusters, crossings and roads as they are, and
        # nothing downstream of the tables reads activity or exports from the region
        run = self.resolver.solve_instance(self.loaded, self.region, tables, instance)
        return self._outcome(run, self.region, tables)

    def _outcome(self, run: RunResult, region: Region, tables: IndicatorTables) -> SampleOutcome:
        value = baseline_value(self.baseline, region, self.loaded.scenario, tables)
        return SampleOutcome(run.status, run.objective, cores_of(run), value)

    def _instance(self, tables: IndicatorTables) -> SitingInstance | None:
        """``build_instance`` of the sample's tables when its sites are the base's and its
        arcs have base columns; None otherwise."""
        scenario = self.loaded.scenario
        rules, weights = scenario.rules, scenario.weights
        assert tables.own_activity is not None
        if not rules.greenfield:
            own = tables.own_activity.to_numpy(dtype=float)[self._type_rows] > 0
            if not np.array_equal(own, self._own_positive):
                return None
        fit = tables.fit.to_numpy(dtype=float)[self._type_rows]
        export = tables.export.to_numpy(dtype=float)[self._type_rows]
        base = self.instance
        fit_values = (weights.fit * fit[self._site_type, self._site_district]).tolist()
        export_values = (weights.export * export[self._site_type, self._site_district]).tolist()
        members: list[Member] = []
        member_coef: dict[Member, float] = {}
        positions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if weights.member > 0 and rules.max_members > 0:
            gain = weights.member * fit[self._arc_type, self._arc_j] * self._arc_link
            keep = gain > 0
            if (keep & ~self._arc_known).any():
                return None  # an arc the base model has no column for
            chosen = np.flatnonzero(keep)
            members = [self._arcs[n] for n in chosen.tolist()]
            member_coef = dict(zip(members, gain[chosen].tolist(), strict=True))
            entry = self._arc_entry[chosen]
            positions = (self._arc_type[chosen], self._near_i[entry], self._near_j[entry])
        return replace(
            base,
            fit_coef=dict(zip(base.sites, fit_values, strict=True)),
            export_coef=dict(zip(base.sites, export_values, strict=True)),
            members=members,
            member_coef=member_coef,
            member_positions=positions,
        )
