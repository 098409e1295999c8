"""Why each cluster sits where it does: its terms, its sectors, the rules, and the runner-up.

For every sited cluster (type k, core i):

- **terms**: the weighted fit and export of the core, the weighted member terms of its members,
  and half of the weighted cooperation of every pair of cores it belongs to (each pair's value
  is split equally between its two cores, so the clusters' values add up to the objective);
- **sectors**: the LQs of the type's own sectors in the core district and the district's
  leading sectors;
- **rules**: the rules that shape the choice (a lock on the district or on a set of districts
  holding it, the border and corridor reach with the districts they exclude, a full district
  or catchment, group caps and floors (of the group's types), the border minimum, the budget,
  forbidden sites and districts closed to every type);
- **basis**: the rows of the region files behind the core's and the members' figures, by
  basis (:mod:`model.report.estimates`): what is estimated, what is stated, what is unstated;
- **runner-up**: the scenario is solved again with ``(k, i)`` added to ``rules.forbid``; the
  type's new core is the runner-up and the fall of the objective is what forcing it costs (a
  fall of 0 is a tie);
- **why not there**: every other district with a higher core score, and what beat it with
  everything else fixed (a rule, the members, the cooperation) (:mod:`model.report.whynot`);
- **own rules**: the scenario's own policy rules that moved the type, found by solving without
  them (:mod:`model.report.own_rules`).

The terms are those of :mod:`model.report.values`: one number per cluster, adding up to the
objective.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from model.instance import symmetric_cooperation
from model.pipeline import RunResult
from model.report.estimates import SitingBasis, run_bases
from model.report.own_rules import OwnRules, RuleEffect, rule_effects
from model.report.values import cluster_values
from model.report.whynot import WhyNot, why_not
from model.resolver import SiteResolver
from model.results import Lookup
from model.scenario import BorderRule, CorridorRule

MAX_RUNNER_UPS = 12  # re-solves per report; more sitings get no runner-up (said in the report)
RUNNER_UP_BUDGET_S = 20.0  # expected seconds of all re-solves, at the original run's pace
LEADING_SECTORS = 3
TERMS = ("fit", "export", "member", "coop")


@dataclass(frozen=True)
class Partner:
    """Another core this cluster cooperates with, and the pair's whole weighted value."""

    cluster_type: str
    core: str
    value: float


@dataclass(frozen=True)
class RunnerUp:
    """The best siting without this core: its core for the type and the objective given up."""

    status: str  # status of the re-solve, or "locked" / "not computed"
    districts: list[str] = field(default_factory=list)  # the type's new core(s)
    objective: float | None = None
    given_up: float | None = None  # original objective − re-solved objective
    moved: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # other types
    note: str = ""


@dataclass(frozen=True)
class Explanation:
    """Everything the report says about one sited cluster."""

    cluster_type: str
    core: str
    members: list[str]
    terms: dict[str, float]  # weighted; coop is this cluster's half of its pairs
    partners: list[Partner]
    type_sectors: list[tuple[str, float, float]]  # sector, weight in the type, LQ in the core
    leading_sectors: list[tuple[str, float]]  # the core district's highest LQs
    rules: list[str]
    runner_up: RunnerUp
    basis: SitingBasis | None = None  # the rows behind the figures (None: not computed)
    why_not: WhyNot | None = None  # other districts with everything else fixed
    own_rules: RuleEffect | None = None  # set when the scenario's own rules moved the type
    rules_summary: OwnRules | None = None  # the scenario's own rules (shared by all)
    greenfield: bool = False  # the core's own sectors show no activity in the district

    @property
    def value(self) -> float:
        return math.fsum(self.terms.values())

    def share(self, term: str) -> float:
        """The term's share of this cluster's value (0 when the value is 0)."""
        return self.terms[term] / self.value if self.value else 0.0


def resolve_seconds(result: RunResult) -> float:
    """What one re-solve is expected to take: the original run's stages after loading."""
    stages = ("indicators", "instance", "build", "handoff", "solve", "results")
    return sum(result.timings.get(stage, 0.0) for stage in stages)


def explain(
    result: RunResult,
    runner_ups: bool = True,
    budget_s: float | None = RUNNER_UP_BUDGET_S,
    own_rules: bool = True,
) -> list[Explanation]:
    """One explanation per sited cluster, in the order of ``result.sitings()``.

    Runner-ups need one re-solve per siting; they are skipped (and the explanation says so)
    when there are more than ``MAX_RUNNER_UPS`` sitings or when the re-solves would take more
    than ``budget_s`` seconds at the original run's pace (``None``: no time budget).
    """
    sitings = result.sitings()
    cores = [(s.cluster_type, s.core) for s in sitings]
    expected = resolve_seconds(result) * len(sitings)
    skip = ""
    if not runner_ups:
        skip = "runner-ups were not requested"
    elif len(sitings) > MAX_RUNNER_UPS:
        skip = f"more than {MAX_RUNNER_UPS} sitings: no re-solve per siting"
    elif budget_s is not None and expected > budget_s:
        skip = (
            f"not computed: {len(sitings)} re-solves would take about {expected:.0f} s "
            f"(budget {budget_s:g} s); model.report.explain.explain(result, budget_s=None) "
            "computes them"
        )
    values = _Values(result)
    resolver = SiteResolver(result)  # builds the model once for all the runner-ups
    explanations = []
    bases = run_bases(result)
    moves = why_not(result)
    effects = rule_effects(result, per_rule=not skip) if own_rules and runner_ups else None
    own = Lookup(result.tables.own_activity) if result.tables.own_activity is not None else None
    for siting, basis, value, move in zip(
        sitings, bases, cluster_values(result), moves, strict=True
    ):
        k, i = siting.cluster_type, siting.core
        terms = dict(value.terms)
        runner = (
            runner_up(result, k, i, resolver) if not skip else RunnerUp("not computed", note=skip)
        )
        explanations.append(
            Explanation(
                cluster_type=k,
                core=i,
                members=list(siting.members),
                terms=terms,
                partners=_partners(result, values, (k, i), cores),
                type_sectors=_type_sectors(result, values, k, i),
                leading_sectors=_leading_sectors(values, i),
                rules=binding_rules(result, values, (k, i), len(siting.members), cores),
                runner_up=runner,
                basis=basis,
                why_not=move,
                own_rules=effects.effects.get(k) if effects is not None else None,
                rules_summary=effects,
                greenfield=own is not None and not own(k, i) > 0,
            )
        )
    return explanations


class _Values:
    """Float look-ups of the indicator tables of a run."""

    def __init__(self, result: RunResult) -> None:
        tables = result.tables
        self.fit, self.export = Lookup(tables.fit), Lookup(tables.export)
        self.link, self.lq = Lookup(tables.link), Lookup(tables.lq)
        self.sectors = {str(s) for s in tables.lq.columns}
        self.weights = result.loaded.scenario.weights

    def own_score(self, k: str, i: str) -> float:
        """The weighted fit and export of a core of type k in district i."""
        return self.weights.fit * self.fit(k, i) + self.weights.export * self.export(k, i)


def _pair_value(
    result: RunResult, values: _Values, first: tuple[str, str], second: tuple[str, str]
) -> float:
    (k, i), (k2, j) = first, second
    if k == k2:
        return 0.0
    coop = symmetric_cooperation(result.region, k, k2)
    return values.weights.coop * coop * values.link(i, j)


def _partners(
    result: RunResult, values: _Values, site: tuple[str, str], cores: list[tuple[str, str]]
) -> list[Partner]:
    partners = [
        Partner(k2, j, _pair_value(result, values, site, (k2, j)))
        for k2, j in cores
        if (k2, j) != site
    ]
    return sorted((p for p in partners if p.value > 0), key=lambda p: -p.value)


def _type_sectors(
    result: RunResult, values: _Values, k: str, i: str
) -> list[tuple[str, float, float]]:
    sectors = result.region.clusters[k].sectors
    return [
        (sector, weight, values.lq(i, sector) if sector in values.sectors else 0.0)
        for sector, weight in sorted(sectors.items(), key=lambda item: -item[1])
    ]


def _leading_sectors(values: _Values, i: str) -> list[tuple[str, float]]:
    ranked = sorted(
        ((sector, values.lq(i, sector)) for sector in sorted(values.sectors)),
        key=lambda item: -item[1],
    )
    return [item for item in ranked if item[1] > 0][:LEADING_SECTORS]


def _names(result: RunResult, districts: list[str]) -> str:
    names = result.region.districts["name"]
    return ", ".join(str(names[d]) for d in districts)


def _reach_rule(result: RunResult, values: _Values, k: str, i: str, kind: str) -> str | None:
    """The border or corridor rule, for a type that is subject to it."""
    rules = result.loaded.scenario.rules
    cluster = result.region.clusters[k]
    setting: BorderRule | CorridorRule
    if kind == "border":
        setting, minutes = rules.border, float(result.tables.border_minutes[i])
        what, here, prefix = "crossing", "has a border crossing", "border rule"
    else:
        setting, minutes = rules.corridor, float(result.tables.corridor_minutes[i])
        what, here, prefix = "federal road", "lies on a federal road", "corridor rule"
    if not setting.applies_to(cluster):
        if setting.model_copy(update={"enforce": True}).applies_to(cluster):
            return f"{prefix}: off in this scenario ({k} would be subject to it)"
        return None
    excluded = [
        d
        for (t, d), reason in result.instance.excluded.items()
        if t == k and reason.startswith(prefix)
    ]
    own = values.own_score(k, i)
    better = sorted(
        (d for d in excluded if values.own_score(k, d) > own),
        key=lambda d: -values.own_score(k, d),
    )
    reach = (
        f"the district {here}" if minutes == 0 else f"the nearest {what} is {minutes:.0f} min away"
    )
    text = (
        f"{prefix}: {reach} (limit {setting.max_minutes:g} min); the rule excludes "
        f"{len(excluded)} of {len(result.region.district_ids)} districts for this type"
    )
    if better:
        shown = better[:3]
        text += (
            f", {len(better)} of them with a higher fit + export score than this core ("
            + _names(result, shown)
            + (", ..." if len(better) > 3 else "")
            + ")"
        )
    return text


def binding_rules(
    result: RunResult,
    values: _Values,
    site: tuple[str, str],
    n_members: int,
    cores: list[tuple[str, str]],
) -> list[str]:
    """The rules that shape this siting, each as one sentence (empty when none does)."""
    k, i = site
    scenario = result.loaded.scenario
    rules = scenario.rules
    notes: list[str] = []
    for lock in rules.lock:
        if lock.cluster != k or i not in lock.places:
            continue
        if len(lock.places) == 1:
            notes.append("lock: rules.lock puts this core here")
            continue
        inside = [d for t, d in cores if t == k and d in lock.places]
        state = "the only one there" if inside == [i] else f"{len(inside)} there"
        notes.append(
            f"lock: rules.lock asks for a {k} core in one of {_names(result, list(lock.places))} "
            f"({state})"
        )
    for kind in ("border", "corridor"):
        reach = _reach_rule(result, values, k, i, kind)
        if reach:
            notes.append(reach)
    per_district = Counter(d for _, d in cores)
    if per_district[i] >= rules.max_clusters_per_district:
        notes.append(
            f"capacity: the district holds {per_district[i]} of "
            f"{rules.max_clusters_per_district} allowed cores (full)"
        )
    if rules.max_members and n_members >= rules.max_members:
        notes.append(f"catchment: {n_members} of {rules.max_members} members (full)")
    for group in rules.groups:
        if i not in group.districts or not group.counts(k):
            continue
        count = sum(1 for t, d in cores if d in group.districts and group.counts(t))
        of = "" if group.types is None else " of " + ", ".join(group.types)
        if group.max_sites is not None and count >= group.max_sites:
            notes.append(f"group {group.name}: at its cap of {group.max_sites} cores{of}")
        if group.min_sites and count <= group.min_sites:
            notes.append(f"group {group.name}: at its floor of {group.min_sites} cores{of}")
    border = set(result.region.districts.index[result.region.districts["border"]])
    if rules.min_border_sites and i in border:
        count = sum(1 for _, d in cores if d in border)
        if count <= rules.min_border_sites:
            notes.append(
                f"border minimum: {count} cores in border districts, the least allowed "
                f"(min_border_sites = {rules.min_border_sites})"
            )
    if rules.budget is not None:
        budget = rules.budget
        spent = math.fsum(budget.costs.get(d, budget.default_cost) for _, d in cores)
        state = "exhausted" if spent >= budget.limit - 1e-9 else "not exhausted"
        notes.append(f"budget: cores cost {spent:g} of the limit {budget.limit:g} ({state})")
    forbidden = [p.district for p in rules.forbid if p.cluster == k]
    if forbidden:
        notes.append(f"forbidden for this type by rules.forbid: {_names(result, forbidden)}")
    closed = list(dict.fromkeys(p.district for p in rules.forbid if p.cluster is None))
    if closed:
        notes.append(f"closed to every type by rules.forbid: {_names(result, closed)}")
    return notes


def runner_up(
    result: RunResult, cluster_type: str, core: str, resolver: SiteResolver | None = None
) -> RunnerUp:
    """Re-solve with the core forbidden; the type's new core and the objective given up."""
    rules = result.loaded.scenario.rules
    if (cluster_type, core) in {(p.cluster, p.district) for p in rules.lock}:
        return RunnerUp("locked", note="the site is locked by the scenario, so it has no rival")
    again = (resolver or SiteResolver(result)).without(cluster_type, core)
    if not again.has_solution or again.objective is None:
        why = "; ".join(again.diagnosis) or again.status
        return RunnerUp(
            again.status,
            note=f"no siting satisfies the rules without this core ({why})",
        )
    before = {(s.cluster_type, s.core) for s in result.sitings()}
    after = {(s.cluster_type, s.core) for s in again.sitings()}
    new = sorted(d for k, d in after - before if k == cluster_type)
    moved = []
    for other in result.instance.types:
        if other == cluster_type:
            continue
        old_cores = sorted(d for k, d in before if k == other)
        new_cores = sorted(d for k, d in after if k == other)
        if old_cores != new_cores:
            moved.append((other, old_cores, new_cores))
    given_up = result.objective - again.objective if result.objective is not None else None
    note = ""
    if again.status != "optimal" or result.status != "optimal":
        note = "not proven optimal on both sides, so the difference is indicative only"
    if not new:
        note = (note + "; " if note else "") + "the type is not sited at all without this core"
    return RunnerUp(again.status, new, again.objective, given_up, moved, note)
