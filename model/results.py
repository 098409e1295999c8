"""Read a solution off the model, recompute its value from the data, check every constraint.

The objective terms are recomputed from the indicator tables (not from the model's
coefficients), and the constraints are checked against the scenario's rules (not against the
model's index lists), so that an error in building the model shows up as a failed check instead
of a wrong answer that looks right.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from model.instance import IndicatorTables, Member, Site, symmetric_cooperation
from model.region import Region
from model.scenario import Scenario

TERMS = ("fit", "export", "member", "coop")
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Solution:
    """The chosen cores and member arcs, in a deterministic order."""

    cores: list[Site]
    members: list[Member]


@dataclass(frozen=True)
class Evaluation:
    """A solution's objective terms (weighted), its assignment table and any violations."""

    terms: dict[str, float]
    assignments: pd.DataFrame
    violations: list[str] = field(default_factory=list)

    @property
    def objective(self) -> float:
        return math.fsum(self.terms.values())


def read_solution(model: pyo.ConcreteModel, types: list[str], districts: list[str]) -> Solution:
    """The cores (y = 1) and member arcs (x = 1) of the values loaded into the model."""
    cores = [s for s, var in model.y.items() if _is_one(var.value)]
    members = [a for a, var in model.x.items() if _is_one(var.value)]
    return ordered_solution(cores, members, types, districts)


def ordered_solution(
    cores: list[Site], members: list[Member], types: list[str], districts: list[str]
) -> Solution:
    """A solution with its cores and arcs in type, then district order."""
    type_order = {k: n for n, k in enumerate(types)}
    district_order = {d: n for n, d in enumerate(districts)}
    cores.sort(key=lambda s: (type_order[s[0]], district_order[s[1]]))
    members.sort(key=lambda a: (type_order[a[0]], district_order[a[1]], district_order[a[2]]))
    return Solution(cores, members)


def _is_one(value: float | None) -> bool:
    return value is not None and value > 0.5


class Lookup:
    """Float look-up of a labelled table by (row, column) labels."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._values = frame.to_numpy(dtype=float)
        self._rows = {label: n for n, label in enumerate(frame.index)}
        self._columns = {label: n for n, label in enumerate(frame.columns)}

    def __call__(self, row: str, column: str) -> float:
        return float(self._values[self._rows[row], self._columns[column]])


def evaluate(
    solution: Solution, region: Region, scenario: Scenario, tables: IndicatorTables
) -> Evaluation:
    """Recompute the weighted terms from the data and list every violated constraint."""
    weights = scenario.weights
    fit, export, link = Lookup(tables.fit), Lookup(tables.export), Lookup(tables.link)
    rows = []
    for k, i in solution.cores:
        core_value = weights.fit * fit(k, i) + weights.export * export(k, i)
        rows.append((k, i, i, "core", core_value))
    for k, i, j in solution.members:
        rows.append((k, i, j, "member", weights.member * fit(k, j) * link(i, j)))
    assignments = pd.DataFrame.from_records(
        rows, columns=["cluster_type", "core", "district", "role", "contribution"]
    )
    coop_sum = 0.0
    for n, (k, i) in enumerate(solution.cores):
        for k2, j in solution.cores[n + 1 :]:
            if k2 == k:
                continue
            coop_sum += symmetric_cooperation(region, k, k2) * link(i, j)
    terms = {
        "fit": weights.fit * math.fsum(fit(k, i) for k, i in solution.cores),
        "export": weights.export * math.fsum(export(k, i) for k, i in solution.cores),
        "member": weights.member
        * math.fsum(fit(k, j) * link(i, j) for k, i, j in solution.members),
        "coop": weights.coop * coop_sum,
    }
    violations = check_constraints(solution, region, scenario, tables)
    return Evaluation(terms, assignments, violations)


def check_constraints(
    solution: Solution, region: Region, scenario: Scenario, tables: IndicatorTables
) -> list[str]:
    """Every constraint of docs/model.md §5 checked on the solution; returns the violations."""
    rules = scenario.rules
    active = list(rules.clusters) if rules.clusters is not None else list(region.clusters)
    problems: list[str] = []
    cores = set(solution.cores)
    times = Lookup(tables.times)
    activity = Lookup(tables.activity)
    border_minutes = tables.border_minutes.to_dict()
    corridor_minutes = tables.corridor_minutes.to_dict()
    for k, i in solution.cores:
        cluster = region.clusters[k]
        if k not in active:
            problems.append(f"core {k}@{i}: type not among rules.clusters")
        for pick in rules.forbid:
            if pick.district == i and pick.cluster in (None, k):
                what = "every type" if pick.cluster is None else k
                problems.append(f"core {k}@{i}: rules.forbid bans {what} in {i}")
        own = math.fsum(
            activity(i, s)
            for s, w in cluster.sectors.items()
            if w > 0 and s in tables.activity.columns
        )
        if not rules.greenfield and not own > 0:
            problems.append(f"core {k}@{i}: no activity in its sectors breaks the greenfield rule")
        tb, tc = float(border_minutes[i]), float(corridor_minutes[i])
        if rules.border.applies_to(cluster) and tb > rules.border.max_minutes:
            problems.append(f"core {k}@{i}: crossing {tb:.1f} min away breaks the border rule")
        if rules.corridor.applies_to(cluster) and tc > rules.corridor.max_minutes:
            problems.append(
                f"core {k}@{i}: federal road {tc:.1f} min away breaks the corridor rule"
            )
    per_type = Counter(k for k, _ in solution.cores)
    for k in active:
        lo, hi = rules.site_range(k)
        if not lo <= per_type[k] <= hi:
            problems.append(f"sites per type: {k} has {per_type[k]} cores, allowed {lo}..{hi}")
    for i, count in Counter(i for _, i in solution.cores).items():
        if count > rules.max_clusters_per_district:
            problems.append(
                f"capacity: {i} holds {count} cores > {rules.max_clusters_per_district}"
            )
    memberships = Counter((k, j) for k, _, j in solution.members)
    catchments = Counter((k, i) for k, i, _ in solution.members)
    member_radius = scenario.indicators.member_max_minutes
    for k, i, j in solution.members:
        if (k, i) not in cores:
            problems.append(f"member {k}@{i}<-{j}: no core {k} in {i}")
        if i == j:
            problems.append(f"member {k}@{i}<-{j}: a core cannot be its own member")
        if times(i, j) > member_radius + TOLERANCE:
            problems.append(f"member {k}@{i}<-{j}: {times(i, j):.1f} min > radius")
        if (k, j) in cores:
            problems.append(f"member {k}@{i}<-{j}: {j} has its own {k} core")
    for (k, j), count in memberships.items():
        if count > 1:
            problems.append(f"membership: {j} joins {count} {k} clusters")
    for (k, i), count in catchments.items():
        if count > rules.max_members:
            problems.append(f"catchment: {k}@{i} has {count} members > {rules.max_members}")
    border = set(region.districts.index[region.districts["border"]])
    in_border = sum(1 for _, i in solution.cores if i in border)
    if in_border < rules.min_border_sites:
        problems.append(f"border sites: {in_border} < {rules.min_border_sites}")
    for group in rules.groups:
        members = set(group.districts)
        kinds = None if group.types is None else set(group.types)
        count = sum(1 for k, i in solution.cores if i in members and (kinds is None or k in kinds))
        if count < group.min_sites or (group.max_sites is not None and count > group.max_sites):
            problems.append(
                f"group {group.name}: {count} cores, allowed {group.min_sites}..{group.max_sites}"
            )
    for lock in rules.lock:
        places = lock.districts if lock.districts is not None else [lock.district]
        if not any((lock.cluster, i) in cores for i in places):
            where = places[0] if len(places) == 1 else "any of " + ", ".join(map(str, places))
            problems.append(f"lock {lock.cluster}@{where}: not sited")
    if rules.budget is not None:
        budget = rules.budget
        spent = math.fsum(budget.costs.get(i, budget.default_cost) for _, i in solution.cores)
        if spent > budget.limit + TOLERANCE:
            problems.append(f"budget: cores cost {spent:g} > limit {budget.limit:g}")
    return problems
