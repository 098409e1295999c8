"""Do the types' minimum cores fit the allowed sites and the district capacity together?

Rules 1 and 2 of docs/model.md §5 with the capacity rule, and nothing else, form a
transportation problem: type k must place at least ``min_k`` cores, each core at an allowed
site (k, i), at most one per site, and district i takes at most ``capacity`` cores. Every
siting that satisfies the scenario satisfies this relaxation (take ``min_k`` of each type's
cores), so when it has no solution the scenario has none either.

It is decided by one maximum flow: source → type k (capacity ``min_k``) → district i
(capacity 1, one arc per allowed site) → sink (capacity ``capacity``). The minima fit if and
only if the flow saturates every source arc. When it does not, the types still reachable from
the source in the residual network are a set S whose minima exceed what their allowed
districts can hold (Hall's condition, by the max-flow min-cut theorem): Σ_{k∈S} min_k > the
largest number of S's cores that the districts reachable from S can take. That set is the
sentence the planner reads, before any LP is built: the per-type and total checks of
``model.diagnosis`` see each type alone or all of them at once, not several types that compete
for the same few districts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from model.instance import SitingInstance

NAMED_DISTRICTS = 8  # a sentence names at most this many districts, then counts the rest


@dataclass(frozen=True)
class CrowdedTypes:
    """Types whose minima exceed the room their allowed districts leave them."""

    types: tuple[str, ...]
    needed: int  # Σ of their minimum cores
    room: int  # the most of their cores that fit (the flow they received)
    districts: tuple[str, ...]  # the districts allowed to them that the flow could reach

    def sentence(self, instance: SitingInstance) -> str:
        shown = ", ".join(self.districts[:NAMED_DISTRICTS])
        more = len(self.districts) - NAMED_DISTRICTS
        if more > 0:
            shown += f" and {more} more"
        rules = sorted(
            {
                part.split(":")[0]
                for (k, _), reason in instance.excluded.items()
                if k in self.types
                for part in reason.split("; and ")
            }
        )
        why = f"; the other districts are excluded for them by: {', '.join(rules)}" if rules else ""
        return (
            f"{_join(self.types)} need at least {self.needed} cores together, but the "
            f"districts allowed to them ({shown}) hold at most {self.room} of these, with "
            f"max_clusters_per_district = {instance.capacity} and one core per type and "
            f"district{why}"
        )


def crowded_types(instance: SitingInstance) -> CrowdedTypes | None:
    """A smallest-by-inclusion set of types whose minimum cores cannot all be placed at
    once, or None if all of them can."""
    demand = {k: instance.site_range[k][0] for k in instance.types if instance.site_range[k][0]}
    allowed: dict[str, list[str]] = {k: [] for k in demand}
    for k, i in dict.fromkeys(instance.sites):
        if k in allowed:
            allowed[k].append(i)
    room, reached = _placed(instance, allowed, demand)
    if room >= sum(demand.values()):
        return None
    # the types the residual network still reaches fail together (the min cut); drop each
    # one whose absence leaves the rest failing, so that every type named is needed
    crowded = [k for k in demand if k in reached]
    for k in list(crowded):
        trial = [t for t in crowded if t != k]
        if _placed(instance, {t: allowed[t] for t in trial}, demand)[0] < _need(trial, demand):
            crowded = trial
    room = _placed(instance, {t: allowed[t] for t in crowded}, demand)[0]
    districts = tuple(dict.fromkeys(i for k in crowded for i in sorted(allowed[k])))
    return CrowdedTypes(tuple(crowded), _need(crowded, demand), room, districts)


def _need(types: list[str], demand: dict[str, int]) -> int:
    return sum(demand[k] for k in types)


def _placed(
    instance: SitingInstance, allowed: dict[str, list[str]], demand: dict[str, int]
) -> tuple[int, set[str]]:
    """The most cores of the types in ``allowed`` (each counted up to its minimum) that fit at
    their allowed sites under the capacity, and the types the residual network reaches from
    the source (those whose minimum is not met, and those they can take a district from)."""
    types = list(allowed)
    type_node = {k: 1 + n for n, k in enumerate(types)}
    district_node = {i: 1 + len(types) + n for n, i in enumerate(instance.districts)}
    sink = 1 + len(types) + len(district_node)
    arcs = [(k, i) for k in types for i in allowed[k]]
    tails = np.concatenate(
        [
            np.zeros(len(types), dtype=np.int32),
            np.array([type_node[k] for k, _ in arcs], dtype=np.int32),
            np.array(list(district_node.values()), dtype=np.int32),
        ]
    )
    heads = np.concatenate(
        [
            np.array(list(type_node.values()), dtype=np.int32),
            np.array([district_node[i] for _, i in arcs], dtype=np.int32),
            np.full(len(district_node), sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [
            np.array([demand[k] for k in types], dtype=np.int32),
            np.ones(len(arcs), dtype=np.int32),
            np.full(len(district_node), max(instance.capacity, 0), dtype=np.int32),
        ]
    )
    graph = csr_matrix((capacities, (tails, heads)), shape=(sink + 1, sink + 1))
    result = maximum_flow(graph, 0, sink)
    # residual network: the capacity left on each arc, and the flow on it backwards
    residual = (graph - result.flow.tocsr()).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    reached = set(breadth_first_order(residual, 0, directed=True, return_predecessors=False))
    return int(result.flow_value), {k for k in types if type_node[k] in reached}


def _join(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
