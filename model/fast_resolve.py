r"""Fast re-solves: one persistent HiGHS model per scenario structure, many variants.

Sweeps of weights or rules (``run.py sweep``), robustness samples (``model.robustness``) and
other batches of variants of one scenario solve nearly the same MIP again and again. The
rebuild path (``model.pipeline.solve``) recomputes the instance, builds the Pyomo model,
compiles it and hands it to HiGHS for every variant. :class:`FastResolver` builds the model
once and, for each variant, changes only objective costs and column bounds of the HiGHS copy
(``solvers.highs.PersistentHighs``), starting HiGHS from the previous solution (``setSolution``).

**The base model.** The scenario's instance (docs/model.md §5) built with unit weights
:math:`w = (1,1,1,1)`, so that every member arc with :math:`fit_{kj}\,link_{ij} > 0` and every
cooperating pair exists as a column. Let :math:`A_0, M_0, P_0` be its sites, arcs and pairs.

**A variant** is the scenario with other weights, rules or data (a sampled region). Its
coefficient vectors are *not* derived by hand: the variant's own instance is built with
``model.instance.build_instance`` from its own indicator tables (``compute_indicators``, the
same code as the rebuild path), giving :math:`A, M, P` and the coefficients
:math:`c_{ki}, c_{kij}, c_{kik'j}`. It is solved on the base model when

* :math:`A \subseteq A_0`, :math:`M \subseteq M_0`, :math:`P \subseteq P_0`, and
* every other datum of the formulation is the same: the types, the districts, the site ranges,
  the district capacity, ``max_members``, the border districts and their minimum, the groups,
  the locks and the budget.

Then the base model with cost :math:`c` on the variant's columns, cost 0 and bounds
:math:`[0, 0]` on every other column (and the compiled bounds on the variant's) has exactly the
variant's feasible set and objective: a column fixed at 0 is a column left out, and every row
of the base model that the rebuild would leave out (a capacity or site range that cannot bind,
a pair-bound row over fewer pairs) cannot bind either once those columns are 0; a row the
rebuild makes infeasible (a type with a minimum and no site left, a lock with no allowed site)
is infeasible in the base model too, since its columns are all fixed at 0. Otherwise (another
rule, a new arc or pair, another solver than HiGHS) the variant is solved by the rebuild path
and counted in :attr:`FastResolver.rebuilds`.

Every solution is read off the model and checked exactly as the rebuild path checks it
(``model.results.evaluate`` against the variant's rules and tables, then the objective
recomputed), and the :class:`~model.pipeline.RunResult` carries the variant's instance, so the
reports cannot tell the two paths apart. ``tests/test_fast_resolve.py`` compares both over many
variants, degenerate ones included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.diagnosis import structural_conflicts
from model.formulation import build_model
from model.instance import (
    IndicatorTables,
    PairTable,
    SitingInstance,
    build_instance,
    compute_indicators,
)
from model.pipeline import (
    RunResult,
    checked_region_path,
    checked_result,
    diagnose,
    solve,
    solver_options,
)
from model.region import Region, load_region
from model.results import read_solution
from model.scenario import LoadedScenario, Weights, check_against_region, load_scenario
from solvers import SolveOutcome, Status
from solvers.highs import PersistentHighs
from solvers.highs_thread import reset_scheduler

UNIT = Weights(fit=1.0, export=1.0, member=1.0, coop=1.0)
FAST_SOLVERS = ("highs", "highspy")
EMPTY = pd.DataFrame(columns=["cluster_type", "core", "district", "role", "contribution"])


def constraint_data(instance: SitingInstance) -> tuple[object, ...]:
    """Everything of an instance but its columns and costs: equal for the fast path."""
    return (
        tuple(instance.types),
        tuple(instance.districts),
        tuple(sorted(instance.site_range.items())),
        instance.capacity,
        instance.max_members,
        instance.border_districts,
        instance.min_border_sites,
        tuple(instance.groups),
        tuple(instance.locks),
        None if instance.site_cost is None else tuple(sorted(instance.site_cost.items())),
        instance.budget_limit,
    )


class FastResolver:
    """The base model of one scenario in HiGHS; :meth:`solve` answers any variant of it.

    ``warm_start``: offer each solve the previous solution as a start. ``diagnose``: explain
    an infeasible variant as the rebuild path does (a conflict search; robustness samples turn
    it off, they only count statuses). ``threads``: HiGHS's thread count for the re-solves on
    the base model when the scenario leaves ``solver.threads`` unset (None: HiGHS's own
    choice); :meth:`release_threads` hands the choice back to later solves.
    """

    def __init__(
        self,
        loaded: LoadedScenario,
        region: Region | None = None,
        tables: IndicatorTables | None = None,
        *,
        warm_start: bool = True,
        diagnose: bool = True,
        threads: int | None = None,
    ) -> None:
        self.loaded = loaded
        self.region = region if region is not None else load_region(checked_region_path(loaded))
        check_against_region(loaded, self.region)
        scenario = loaded.scenario
        if tables is None or tables.settings != scenario.indicators:
            tables = compute_indicators(self.region, scenario)
        self.tables = tables
        self.warm_start = warm_start
        self.diagnose = diagnose
        self.threads = threads
        self._threads_set = False  # whether the base model's HiGHS copy runs on ``threads``
        self.fast = 0  # variants solved on the base model
        self.rebuilds = 0  # variants that needed the rebuild path
        self.seconds = 0.0
        self._unit_scenario = scenario.model_copy(update={"weights": UNIT})
        self.base = build_instance(self.region, self._unit_scenario, tables)
        self._key = constraint_data(self.base)
        self.engine: PersistentHighs | None = None
        if scenario.solver.name.strip().lower() not in FAST_SOLVERS:
            return  # another solver: every variant takes the rebuild path
        if structural_conflicts(self.base):
            return  # infeasible whatever the costs; the rebuild path explains why
        self.model = build_model(self.base, cooperation="pairs")  # reads model.z
        engine = PersistentHighs(self.model)
        if engine.lp is None or engine.lp.num_col == 0:
            return  # a constant model: nothing to re-solve
        try:
            y = [engine.column(self.model.y[s]) for s in self.base.sites]
            x = [engine.column(self.model.x[a]) for a in self.base.members]
            z = [engine.column(self.model.z[p]) for p in self.base.pairs]
        except KeyError:  # a variable the compiler left out: keep to the safe path
            return
        self.engine = engine
        self._col_y = {s: c for s, c in zip(self.base.sites, y, strict=True)}
        self._col_x = {a: c for a, c in zip(self.base.members, x, strict=True)}
        self._col_z = {p: c for p, c in zip(self.base.pairs, z, strict=True)}
        self._columns = np.arange(engine.lp.num_col, dtype=np.int32)
        self._lower = np.asarray(engine.lp.col_lower, dtype=np.float64)
        self._upper = np.asarray(engine.lp.col_upper, dtype=np.float64)

    # -- the fast path -------------------------------------------------------------------
    def _only_weights(self, loaded: LoadedScenario) -> bool:
        """Whether the variant is the base scenario with other weights (and nothing else)."""
        unit = loaded.scenario.model_copy(update={"weights": UNIT})
        return unit == self._unit_scenario

    def fits(self, instance: SitingInstance) -> bool:
        """Whether ``instance`` can be solved on the base model (module docstring)."""
        if self.engine is None or constraint_data(instance) != self._key:
            return False
        return (
            all(s in self._col_y for s in instance.sites)
            and all(a in self._col_x for a in instance.members)
            and all(p in self._col_z for p in instance.pairs)
        )

    def _columns_of(self, instance: SitingInstance) -> tuple[np.ndarray, np.ndarray]:
        """The variant's columns in the base model and their costs."""
        columns = [
            *(self._col_y[s] for s in instance.sites),
            *(self._col_x[a] for a in instance.members),
            *(self._col_z[p] for p in instance.pairs),
        ]
        costs = [
            *(instance.core_coef(s) for s in instance.sites),
            *(instance.member_coef[a] for a in instance.members),
            *(instance.pair_coef[p] for p in instance.pairs),
        ]
        return np.asarray(columns, dtype=np.int32), np.asarray(costs, dtype=np.float64)

    def solve(
        self,
        loaded: LoadedScenario | None = None,
        region: Region | None = None,
        tables: IndicatorTables | None = None,
    ) -> RunResult:
        """The variant ``loaded`` (default: the base scenario) on ``region`` (default: the
        base region), as :func:`model.pipeline.solve` would return it."""
        started = time.perf_counter()
        try:
            return self._solve(loaded or self.loaded, region, tables)
        finally:
            self.seconds += time.perf_counter() - started

    def _solve(
        self, loaded: LoadedScenario, region: Region | None, tables: IndicatorTables | None
    ) -> RunResult:
        scenario = loaded.scenario
        region = region if region is not None else self.region
        if region is not self.region or loaded is not self.loaded:
            check_against_region(loaded, region)
        if tables is None or tables.settings != scenario.indicators:
            same = region is self.region and self.tables.settings == scenario.indicators
            tables = self.tables if same else compute_indicators(region, scenario)
        if region is self.region and tables is self.tables and self._only_weights(loaded):
            instance = reweighted(self.base, scenario.weights, scenario.rules.max_members)
        else:
            instance = build_instance(region, scenario, tables)
        return self.solve_instance(loaded, region, tables, instance)

    def solve_instance(
        self,
        loaded: LoadedScenario,
        region: Region,
        tables: IndicatorTables,
        instance: SitingInstance,
    ) -> RunResult:
        """The variant ``loaded`` whose instance, made from ``region`` and ``tables``, is
        ``instance`` (what ``build_instance`` gives for them): on the base model when it fits,
        else rebuilt. For callers that make the instance faster themselves
        (``model.sample_resolve``); :meth:`solve` builds it."""
        scenario = loaded.scenario
        if (
            scenario.solver.name.strip().lower() not in FAST_SOLVERS
            or not scenario.objective.weighted  # lexicographic or normalised: its own path
            or not self.fits(instance)
            or structural_conflicts(instance)
        ):
            self.rebuilds += 1
            return solve(loaded, region, tables=tables)
        assert self.engine is not None
        self.fast += 1
        columns, costs = self._columns_of(instance)
        cost = np.zeros(len(self._columns))
        cost[columns] = costs
        lower, upper = np.zeros(len(self._columns)), np.zeros(len(self._columns))
        lower[columns], upper[columns] = self._lower[columns], self._upper[columns]
        self.engine.set_costs(self._columns, cost)
        self.engine.set_column_bounds(self._columns, lower, upper)
        if self.warm_start:
            self.engine.warm_start(self.engine.last_values)
        options = solver_options(loaded)
        if options.threads is None and self.threads is not None and not self._threads_set:
            # set once: the HiGHS copy keeps the option, and each setting restarts the pool
            options = replace(options, threads=self.threads)
            self._threads_set = True
        outcome = self.engine.resolve(options)
        return self._result(loaded, region, tables, instance, outcome)

    def release_threads(self) -> None:
        """After re-solves with ``threads``: let the next HiGHS solve of this process start
        its thread pool with its own count (HiGHS keeps one pool per thread that solves)."""
        if self._threads_set:
            reset_scheduler()
            self._threads_set = False

    def _result(
        self,
        loaded: LoadedScenario,
        region: Region,
        tables: IndicatorTables,
        instance: SitingInstance,
        outcome: SolveOutcome,
    ) -> RunResult:
        """What ``model.pipeline.solve`` makes of an outcome, with the same checks."""
        scenario = loaded.scenario
        timings = {"handoff": outcome.handoff_s, "solve": outcome.wall_time_s - outcome.handoff_s}

        def finish(status: str, notes: list[str], conflict: list[str] | None = None) -> RunResult:
            return RunResult(
                status=status,
                objective=None,
                terms={},
                assignments=EMPTY.copy(),
                loaded=loaded,
                region=region,
                tables=tables,
                instance=instance,
                outcome=outcome,
                diagnosis=notes,
                conflict=conflict or [],
                timings=timings,
            )

        if outcome.status == Status.INFEASIBLE:
            if not self.diagnose:
                return finish(outcome.status.value, [])
            notes, conflict = diagnose(region, scenario, tables, [])
            return finish(outcome.status.value, notes, conflict)
        if not outcome.has_solution:
            return finish(outcome.status.value, [outcome.message])
        solution = read_solution(self.model, instance.types, instance.districts)
        return checked_result(solution, outcome, loaded, region, tables, instance, timings)


def reweighted(base: SitingInstance, weights: Weights, max_members: int) -> SitingInstance:
    """The instance ``build_instance`` gives for ``weights``, from the unit-weight ``base``.

    With unit weights every coefficient is one term's unweighted value, so the weighted ones
    are products: ``w_fit·fit``, ``w_export·exp`` exactly as ``build_instance`` computes them,
    ``w_member·(fit·link)`` and ``w_coop·(coop·link)`` equal to its ``(w·fit)·link`` within a
    rounding of the last bit. Arcs and pairs exist exactly when their weight is positive (and,
    for arcs, ``max_members`` too), as in ``build_instance``.
    """
    with_members = weights.member > 0 and max_members > 0
    members = list(base.members) if with_members else []
    table = base.pair_table
    pair_table = (
        PairTable(
            table.types,
            table.districts,
            table.first_type,
            table.first_district,
            table.second_type,
            table.second_district,
            weights.coop * table.coef,
        )
        if weights.coop > 0
        else PairTable.from_parts(table.types, table.districts, [])
    )
    return replace(
        base,
        fit_coef={s: weights.fit * v for s, v in base.fit_coef.items()},
        export_coef={s: weights.export * v for s, v in base.export_coef.items()},
        members=members,
        member_coef={a: weights.member * base.member_coef[a] for a in members},
        pair_table=pair_table,
        member_positions=base.member_positions if with_members else None,
    )


# -- one resolver per worker process --------------------------------------------------------
@dataclass(frozen=True)
class BaseKey:
    """What identifies a base model: the scenario file and the overrides every variant shares
    (picklable, so that Dask workers can build their own resolver from it)."""

    scenario: Path
    overrides: tuple[str, ...]
    solver: str | None
    time_limit: float | None


_RESOLVERS: dict[BaseKey, FastResolver] = {}
CACHE_SIZE = 4  # base models kept per process (each holds a Pyomo model and a HiGHS copy)


def resolver_for(key: BaseKey) -> FastResolver:
    """This process's resolver of ``key``, built at its first use (one per Dask worker)."""
    found = _RESOLVERS.get(key)
    if found is None:
        loaded = load_scenario(
            key.scenario, list(key.overrides), solver=key.solver, time_limit=key.time_limit
        )
        found = FastResolver(loaded)
        if len(_RESOLVERS) >= CACHE_SIZE:
            _RESOLVERS.pop(next(iter(_RESOLVERS)))
        _RESOLVERS[key] = found
    return found


def solve_with_overrides(key: BaseKey, overrides: tuple[str, ...]) -> RunResult:
    """The scenario of ``key`` with ``overrides`` on top, on this process's base model."""
    resolver = resolver_for(key)
    loaded = load_scenario(
        key.scenario,
        [*key.overrides, *overrides],
        solver=key.solver,
        time_limit=key.time_limit,
    )
    return resolver.solve(loaded)
