"""Why not there? Every other district a core could move to, with everything else fixed.

For a sited cluster of type k with core i, a **move** to district j keeps every other core and
every other cluster's members where they are, gives the moved cluster the best members it can
get at j (the up to ``max_members`` districts within the member radius with the largest
``w_member·fit[k,m]·link[j,m]``, except districts holding a core of type k or already members of
another k cluster), and recomputes its cooperation with the other cores. The move is
**blocked** when the resulting siting breaks a rule: an excluded site (forbid, border,
corridor, greenfield), a district that already holds a core of this type, a full district
(capacity), a group's cap or floor, the border minimum, a lock or the budget. Otherwise its
**change** of the objective is

    Δ = (core[k,j] − core[k,i]) + (members at j − members at i) + (coop at j − coop at i)

(cooperation counted in full: both halves of a pair change). At a proven optimum no allowed
move gains (Δ ≤ 0); Δ = 0 is a **tie**. For a type with one core, the moved siting is exactly
the best siting with this core in j and all other cores fixed, which the tests check against
brute-force enumeration on tiny instances.

"Better-scoring" districts are those with a higher core score ``w_fit·fit + w_export·exp``
than the core's own; for each, the explanation names what beat it: a rule, the members, or the
cooperation (co-location when the lost partner sits in the core's own district).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from model.instance import symmetric_cooperation
from model.pipeline import RunResult
from model.results import Lookup

TIE_TOLERANCE = 1e-9  # relative to the objective's scale: Δ within it is a tie


@dataclass(frozen=True)
class Move:
    """Moving one core to another district with everything else fixed."""

    district: str
    core: float  # weighted fit + export of a core there
    members: float  # best member value there
    member_districts: tuple[str, ...]
    coop: float  # whole cooperation with the other cores from there
    blocked: list[str] = field(default_factory=list)  # rules the move would break

    @property
    def total(self) -> float:
        return self.core + self.members + self.coop


@dataclass(frozen=True)
class WhyNot:
    """The core as it is, every move, and which moves tie or beat it on the core score."""

    cluster_type: str
    core: str
    here: Move
    moves: list[Move]  # every other district, in district order
    tolerance: float
    partners_here: list[tuple[str, str]] = field(default_factory=list)  # the other cores

    def delta(self, move: Move) -> float:
        return move.total - self.here.total

    def is_tie(self, move: Move) -> bool:
        return not move.blocked and abs(self.delta(move)) <= self.tolerance

    @property
    def ties(self) -> list[Move]:
        return [m for m in self.moves if self.is_tie(m)]

    @property
    def better_scoring(self) -> list[Move]:
        """Districts whose core score beats this core's, best first (blocked ones too)."""
        found = [m for m in self.moves if m.core > self.here.core + self.tolerance]
        return sorted(found, key=lambda m: (-m.core, m.district))

    @property
    def gains(self) -> list[Move]:
        """Allowed moves that would raise the objective (none at a proven optimum)."""
        return [m for m in self.moves if not m.blocked and self.delta(m) > self.tolerance]


def why_not(result: RunResult) -> list[WhyNot]:
    """One :class:`WhyNot` per sited cluster, in the order of ``result.sitings()``.

    The tables are read once, each type's member arcs are grouped by core district once, and
    a core's cooperation from every district is one matrix product: at 3,000 districts × 51
    types that is 150,000 moves, which per-move look-ups made take hours."""
    sitings = result.sitings()
    cores = [(s.cluster_type, s.core) for s in sitings]
    member_of = {(s.cluster_type, m): s.core for s in sitings for m in s.members}
    scale = max(1.0, abs(result.objective or 0.0))
    context = _Context(result, {k for k, _ in cores})
    found = []
    for siting in sitings:
        k, i = siting.cluster_type, siting.core
        others = [c for c in cores if c != (k, i)]
        taken = {
            m for (t, m), core in member_of.items() if t == k and core != i
        }  # members of other k clusters
        coop = context.cooperation(k, others)
        here = _move(context, k, i, others, taken, coop[i], fixed_members=tuple(siting.members))
        moves = [
            _move(context, k, j, others, taken, coop[j])
            for j in result.instance.districts
            if j != i
        ]
        found.append(WhyNot(k, i, here, moves, TIE_TOLERANCE * scale, others))
    return found


class _Context:
    """What every move reads, made once per report."""

    def __init__(self, result: RunResult, types: set[str]) -> None:
        self.result = result
        self.fit, self.export = Lookup(result.tables.fit), Lookup(result.tables.export)
        link = result.tables.link
        self.link_values = link.to_numpy(dtype=float)
        self.link_row = {label: n for n, label in enumerate(link.index)}
        self.link_column = {label: n for n, label in enumerate(link.columns)}
        # each sited type's member arcs with a positive coefficient, by core district, best
        # first (ties by member district)
        self.options: dict[tuple[str, str], list[tuple[float, str]]] = {}
        for (t, core, m), coef in result.instance.member_coef.items():
            if t in types and coef > 0:
                self.options.setdefault((t, core), []).append((coef, m))
        for arcs in self.options.values():
            arcs.sort(key=lambda item: (-item[0], item[1]))

    def cooperation(self, k: str, others: list[tuple[str, str]]) -> dict[str, float]:
        """The whole weighted cooperation of a k core in each district with ``others``
        (``model.report.values.pair_value`` summed, as one product)."""
        result = self.result
        weight = result.loaded.scenario.weights.coop
        partners = [(t, d) for t, d in others if t != k]
        districts = result.instance.districts
        if not partners:
            return dict.fromkeys(districts, 0.0)
        coef = np.array(
            [weight * symmetric_cooperation(result.region, k, t) for t, _ in partners]
        )
        columns = [self.link_column[d] for _, d in partners]
        rows = [self.link_row[j] for j in districts]
        values = self.link_values[np.ix_(rows, columns)] @ coef
        return dict(zip(districts, values.tolist(), strict=True))


def _move(
    context: _Context,
    k: str,
    j: str,
    others: list[tuple[str, str]],
    taken: set[str],
    coop: float,
    fixed_members: tuple[str, ...] | None = None,
) -> Move:
    result = context.result
    instance = result.instance
    site = (k, j)
    allowed = site in instance.fit_coef
    weights = result.loaded.scenario.weights
    core = (
        instance.core_coef(site)
        if allowed
        else weights.fit * context.fit(k, j) + weights.export * context.export(k, j)
    )
    if fixed_members is not None:
        chosen = fixed_members
        member_value = math.fsum(instance.member_coef.get((k, j, m), 0.0) for m in chosen)
    else:
        chosen, member_value = _best_members(context, k, j, others, taken)
    blocked = [] if fixed_members is not None else _blocked(result, k, j, others, taken)
    return Move(j, core, member_value, chosen, coop, blocked)


def _best_members(
    context: _Context, k: str, j: str, others: list[tuple[str, str]], taken: set[str]
) -> tuple[tuple[str, ...], float]:
    """The best members of a core of type k in j, the other k clusters' members fixed."""
    own_cores = {d for t, d in others if t == k}
    options = [
        (coef, m)
        for coef, m in context.options.get((k, j), [])
        if m not in own_cores and m not in taken
    ][: context.result.instance.max_members]
    chosen = tuple(sorted(m for _, m in options))
    return chosen, math.fsum(coef for coef, _ in options)


def _blocked(
    result: RunResult, k: str, j: str, others: list[tuple[str, str]], taken: set[str]
) -> list[str]:
    """The rules a move of the k core to j breaks, each as a short phrase."""
    instance = result.instance
    names = result.region.districts["name"]
    reasons: list[str] = []
    if (k, j) not in instance.fit_coef:
        reason = instance.excluded.get((k, j), "not an allowed site")
        type_name = result.region.clusters[k].name
        reasons.append(reason.replace(f": {k} must", f": {type_name.lower()} must"))
    if (k, j) in others:
        reasons.append("already holds a core of this type")
    if j in taken:
        reasons.append("already a member of another cluster of this type")
    after = [*others, (k, j)]
    per_district = Counter(d for _, d in after)
    if per_district[j] > instance.capacity:
        there = sorted(t for t, d in others if d == j)
        reasons.append(
            f"capacity: {names[j]} already holds {instance.capacity} cores ("
            + ", ".join(result.region.clusters[t].name for t in there)
            + ")"
        )
    for group in instance.groups:
        count = sum(
            1
            for t, d in after
            if d in group.districts and (group.types is None or t in group.types)
        )
        if group.max_sites is not None and count > group.max_sites:
            reasons.append(f"group {group.name}: cap of {group.max_sites} cores")
        if count < group.min_sites:
            reasons.append(f"group {group.name}: floor of {group.min_sites} cores")
    if instance.min_border_sites:
        count = sum(1 for _, d in after if d in instance.border_districts)
        if count < instance.min_border_sites:
            reasons.append(f"border minimum of {instance.min_border_sites} cores")
    for lock in instance.locks:
        if lock.cluster == k and not any((k, d) in after for d in lock.districts):
            where = (
                names[lock.districts[0]]
                if len(lock.districts) == 1
                else "one of " + ", ".join(str(names[d]) for d in lock.districts)
            )
            reasons.append(f"lock: rules.lock asks for this type in {where}")
    if instance.site_cost is not None and instance.budget_limit is not None:
        spent = math.fsum(instance.site_cost[d] for _, d in after)
        if spent > instance.budget_limit + 1e-9:
            reasons.append(f"budget: {spent:g} > limit {instance.budget_limit:g}")
    return reasons
