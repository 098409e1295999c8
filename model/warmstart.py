"""A greedy siting to start HiGHS from (a MIP start), with its own objective.

The greedy rule, over the instance's arrays:

1. every core site scores its core coefficient plus the best ``max_members`` member arcs it
   could have (cooperation is left out: it depends on the other cores);
2. sites are taken best first while their type has fewer than ``max_k`` cores and their
   district fewer than ``max_clusters_per_district``; lock sets are served first (the best
   open site of each), then types below ``min_k`` take their best open sites, the type with
   the fewest allowed sites first;
3. member arcs are taken best first: the core is sited, the member is no core of that type and
   no member of another cluster of that type, and the core has fewer than ``max_members``.

Border, group and budget rules are not steered; the start is checked against every rule by
``model.results.evaluate`` like any solution, and dropped (with the reason) when it breaks one.
The values given to the solver are the siting's y and x and the cooperation columns it implies
(z = y·y' for pairs, w = Σ c·y' for the compact form), so HiGHS sees a complete point.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from model.column_index import ColumnIndex, column_index
from model.instance import Member, Site, SitingInstance
from model.pair_rows import site_positions
from model.results import Solution

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from model.compact_rows import CompactCooperation
    from model.local_search import Search


@dataclass(frozen=True)
class WarmStart:
    """What the start was: its objective recomputed from the data, or why it was dropped."""

    objective: float | None  # None when no start was given to the solver
    seconds: float
    cores: int
    note: str  # how it was found ("greedy", "constructed, then 3 relocations", ...) or why dropped

    def to_dict(self) -> dict[str, object]:
        """For summary.json: the same in every identical run (its seconds are counted in the
        ``build`` timing)."""
        return {"objective": self.objective, "cores": self.cores, "note": self.note}


def site_scores(instance: SitingInstance, index: ColumnIndex) -> tuple[np.ndarray, np.ndarray]:
    """Each site's value without cooperation (its core coefficient plus its best
    ``max_members`` member arcs), and each member arc's value."""
    from model.rows import objective_costs

    n_sites = len(instance.sites)
    costs = objective_costs(instance, None, sites_and_members_only=True)
    core_value = costs[:n_sites]
    member_site = index.member_core
    member_value = costs[n_sites:]
    # the best max_members arcs of each site, by rank within the site
    order = np.lexsort((-member_value, member_site))
    first_of_site = np.searchsorted(member_site[order], np.arange(n_sites))
    rank = np.arange(len(order)) - first_of_site[member_site[order]]
    best = order[rank < instance.max_members]
    score = core_value + np.bincount(member_site[best], member_value[best], minlength=n_sites)
    return score, member_value


def greedy_siting(instance: SitingInstance, index: ColumnIndex | None = None) -> Solution | None:
    """The greedy cores and members of the module docstring; None when a type cannot reach
    its minimum or a lock cannot be served. ``index`` is the instance's
    :class:`~model.column_index.ColumnIndex` when one was made already."""
    index = index or column_index(instance)
    score, member_value = site_scores(instance, index)
    chosen = greedy_numbers(instance, score)
    if chosen is None:
        return None
    return _siting(instance, index, chosen, member_value)


def searched_siting(
    instance: SitingInstance,
    index: ColumnIndex | None = None,
    rounds: int = 0,
    seed: int = 0,
    deadline: float | None = None,
) -> tuple[Solution, Solution, str] | None:
    """The greedy siting, and the best siting of the search of :mod:`model.local_search`
    (relocations and constructions, cooperation counted) followed by ``rounds`` rounds of
    :mod:`model.ruin_recreate` (drawn with ``seed``; none started after ``deadline``, a
    ``time.perf_counter`` value), with a note of how that one was found; None where the
    greedy siting is None."""
    from model.local_search import Search
    from model.ruin_recreate import ruin_and_recreate

    index = index or column_index(instance)
    score, member_value = site_scores(instance, index)
    cores = greedy_numbers(instance, score)
    if cores is None:
        return None
    greedy = _siting(instance, index, cores, member_value)
    search = Search(instance, index, score)
    chosen, how, moves = search.best(cores)
    note = (
        how
        if how == "greedy" and not moves
        else (f"{how}, then {moves} relocation{'' if moves == 1 else 's'}")
    )
    if rounds > 0 and len(chosen) > 1:  # one core has nothing to ruin and recreate
        before = _siting(instance, index, chosen, member_value)
        found, improved, ran = ruin_and_recreate(search, chosen, rounds, seed, deadline)
        cut = "" if ran == rounds else f" (of {rounds}: the time limit's share ran out)"
        after = _siting(instance, index, found, member_value)
        # the rounds rank sitings by each core's best arcs; with several cores of a type
        # sharing member districts, the assigned members can make the result worth less
        if _objective(instance, search, found, after) < _objective(
            instance, search, chosen, before
        ):
            return greedy, before, f"{note} (ruin and recreate found no better siting)"
        note += f", then {improved} of {ran} ruin-and-recreate rounds{cut} improved it"
        return greedy, after, note
    if note == "greedy":
        return greedy, greedy, "greedy"
    return greedy, _siting(instance, index, chosen, member_value), note


def _objective(
    instance: SitingInstance, search: Search, cores: list[int], siting: Solution
) -> float:
    """The siting's objective: core coefficients, its members' arcs, and the cooperation
    among its cores (the search's value less its scores)."""
    cooperation = search.value(cores) - float(search.score[cores].sum())
    return (
        sum(instance.core_coef(site) for site in siting.cores)
        + sum(instance.member_coef[arc] for arc in siting.members)
        + cooperation
    )


def _siting(
    instance: SitingInstance, index: ColumnIndex, cores: list[int], member_value: np.ndarray
) -> Solution:
    ordered = sorted(cores)  # the order of instance.sites, as the model's y columns
    return Solution(
        [instance.sites[n] for n in ordered],
        assign_members(instance, index, ordered, member_value),
    )


def greedy_cores(instance: SitingInstance, score: np.ndarray) -> list[Site] | None:
    """Steps 1 and 2 of the module docstring: the cores, best score first."""
    chosen = greedy_numbers(instance, score)
    return None if chosen is None else [instance.sites[n] for n in sorted(chosen)]


def greedy_numbers(instance: SitingInstance, score: np.ndarray) -> list[int] | None:
    """The greedy cores as positions in ``instance.sites``, ascending."""
    sites = instance.sites
    n_sites = len(sites)
    per_type: dict[str, int] = dict.fromkeys(instance.types, 0)
    per_district: dict[str, int] = dict.fromkeys(instance.districts, 0)
    chosen = np.zeros(n_sites, dtype=bool)

    def take(n: int) -> bool:
        k, i = sites[n]
        if chosen[n] or per_district[i] >= instance.capacity:
            return False
        if per_type[k] >= instance.site_range[k][1]:
            return False
        chosen[n] = True
        per_type[k] += 1
        per_district[i] += 1
        return True

    ranked = np.argsort(-score, kind="stable").tolist()
    if instance.locks:
        site_index = {site: n for n, site in enumerate(sites)}
        for lock in instance.locks:
            open_sites = [site_index[s] for s in lock.sites if s in site_index]
            if any(chosen[n] for n in open_sites):
                continue
            if not any(take(n) for n in sorted(open_sites, key=lambda n: -score[n])):
                return None
    # the minimums first, the types with the fewest sites first, so that none is crowded out
    allowed = {k: 0 for k in instance.types}
    for k, _ in sites:
        allowed[k] += 1
    for k in sorted(instance.types, key=allowed.__getitem__):
        need = instance.site_range[k][0] - per_type[k]
        for n in ranked:
            if need <= 0:
                break
            if sites[n][0] == k and take(n):
                need -= 1
        if need > 0:
            return None
    # a type is full at its maximum or when every site it may use is taken; once all are,
    # no later site can be taken, so the scan stops there
    room = {k: min(instance.site_range[k][1], allowed[k]) for k in instance.types}
    full = sum(per_type[k] >= room[k] for k in instance.types)
    for n in ranked:
        if full == len(room):
            break
        k = sites[n][0]
        if take(n) and per_type[k] == room[k]:
            full += 1

    return np.flatnonzero(chosen).tolist()


def assign_members(
    instance: SitingInstance, index: ColumnIndex, cores: list[int], member_value: np.ndarray
) -> list[Member]:
    """Step 3 of the module docstring: member arcs of the given cores (positions in
    ``instance.sites``), best first. Only the arcs of the chosen cores whose member district
    holds no core of the arc's type are visited."""
    chosen = np.zeros(len(instance.sites), dtype=bool)
    chosen[cores] = True
    own = index.member_own_site
    open_arcs = chosen[index.member_core] & ~((own >= 0) & chosen[np.maximum(own, 0)])
    candidates = np.flatnonzero(open_arcs)
    # a stable sort of the candidates keeps the order of a stable sort of every arc
    ranked = candidates[np.argsort(-member_value[candidates], kind="stable")]
    members: list[Member] = []
    size: dict[Site, int] = {}
    joined: set[tuple[str, str]] = set()  # (type, member district)
    for m in ranked.tolist():
        k, i, j = instance.members[m]
        if (k, j) in joined or size.get((k, i), 0) >= instance.max_members:
            continue
        members.append((k, i, j))
        size[(k, i)] = size.get((k, i), 0) + 1
        joined.add((k, j))
    return members


def start_vector(
    instance: SitingInstance,
    solution: Solution,
    compact: tuple[CompactCooperation, CompactCooperation] | None = None,
) -> np.ndarray:
    """The siting as one value per column of the model (``model.formulation.Columns``): y, x,
    then z = y·y' for the pair form, or (``compact`` given) w = y · Σ c·y' in both
    directions of §5.1."""
    chosen, joined = _chosen_columns(instance, solution)
    parts = [chosen.astype(np.float64), joined.astype(np.float64)]
    if compact is None:
        table = instance.pair_table
        positions = site_positions(instance)
        first = positions[table.first_type, table.first_district]
        second = positions[table.second_type, table.second_district]
        parts.append((chosen[first] & chosen[second]).astype(np.float64))
    else:
        for terms in compact:
            gained = terms.partner_coef * chosen[terms.partner_site]
            sums = np.add.reduceat(gained, terms.start[:-1]) if len(gained) else gained
            parts.append(np.where(chosen[terms.core_site], sums, 0.0))
    return np.concatenate(parts)


def _chosen_columns(instance: SitingInstance, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
    """Which sites are cores and which member arcs are taken: integer keys of the siting's
    tuples matched against the index's arrays (a set lookup per site and arc of the whole
    instance cost a millisecond per thousand districts)."""
    index = column_index(instance)
    n_districts = len(instance.districts)
    type_pos = {k: a for a, k in enumerate(instance.types)}
    district_pos = {d: b for b, d in enumerate(instance.districts)}
    chosen = np.zeros(len(instance.sites), dtype=bool)
    for k, i in solution.cores:  # a core that is no site has no column, as before
        if k in type_pos and i in district_pos and index.site_at[type_pos[k], district_pos[i]] >= 0:
            chosen[index.site_at[type_pos[k], district_pos[i]]] = True
    arc_key = (
        index.member_type * n_districts + index.member_core_district
    ) * n_districts + index.member_district
    wanted = np.array(
        [
            (type_pos[k] * n_districts + district_pos[i]) * n_districts + district_pos[j]
            for k, i, j in solution.members
            if k in type_pos and i in district_pos and j in district_pos
        ],
        dtype=np.int64,
    )
    return chosen, np.isin(arc_key, wanted)


def start_values(model: pyo.ConcreteModel, instance: SitingInstance, solution: Solution) -> None:
    """Write the siting into the model's variables (y, x and the cooperation columns)."""
    from model.rows import compact_terms
    from solvers.matrix_rows import component_values

    compact = compact_terms(instance) if hasattr(model, "w") else None
    coop = [model.z] if compact is None else [model.w, model.w_mirror]
    variables = [
        *component_values(model.y),
        *component_values(model.x),
        *chain.from_iterable(map(component_values, coop)),
    ]
    values = start_vector(instance, solution, compact).tolist()
    for var, value in zip(variables, values, strict=True):
        var.set_value(value, skip_validation=True)


def timed_greedy(instance: SitingInstance) -> tuple[Solution | None, float]:
    started = time.perf_counter()
    solution = greedy_siting(instance)
    return solution, time.perf_counter() - started
