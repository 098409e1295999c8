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
largest number of S's cores that their allowed sites can take. A deletion filter then drops
each type of S whose absence leaves the rest failing (one flow per type), so that every type
the planner reads about is needed. The per-type and total checks of ``model.diagnosis`` see
each type alone or all of them at once, not several types that compete for the same few
districts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from model.column_index import site_arrays
from model.instance import SitingInstance

NAMED_DISTRICTS = 8  # a sentence names at most this many districts, then counts the rest
NAMED_TYPES = 12  # and at most this many types
# the rule named at the start of each reason of ``SitingInstance.excluded``, as a scenario key
RULE_KEYS = {
    "forbidden by rules.forbid": "rules.forbid",
    "border rule": "rules.border",
    "corridor rule": "rules.corridor",
    "greenfield rule": "rules.greenfield",
}


@dataclass(frozen=True)
class CrowdedTypes:
    """Types whose minima exceed the room their allowed districts leave them."""

    types: tuple[str, ...]
    needed: int  # Σ of their minimum cores
    room: int  # the most of their cores that fit (the flow they received)
    districts: tuple[str, ...]  # every district allowed to at least one of them

    def sentence(self, instance: SitingInstance) -> str:
        rules = sorted(
            {
                RULE_KEYS.get(part.split(":")[0], part.split(":")[0])
                for (k, _), reason in instance.excluded.items()
                if k in self.types
                for part in reason.split("; and ")
            }
        )
        why = f"; the other districts are excluded for them by {', '.join(rules)}" if rules else ""
        shown = _listed(self.districts, NAMED_DISTRICTS, ", ")
        return (
            f"{_listed(self.types, NAMED_TYPES, ' and ')} need at least {self.needed} cores "
            "together, but the "
            f"districts allowed to them ({shown}) hold at most {self.room} of these, with "
            f"max_clusters_per_district = {instance.capacity} and one core per type and "
            f"district{why}"
        )


def crowded_types(instance: SitingInstance) -> CrowdedTypes | None:
    """A smallest-by-inclusion set of types whose minimum cores cannot all be placed at
    once, or None if all of them can."""
    network = _Network(instance)
    everyone = network.minimum > 0
    if network.greedy_fits():
        return None
    placed, crowded = network.reached_types(everyone)
    if placed >= network.minimum.sum():
        return None
    # the types the residual network still reaches fail together (the min cut); drop each
    # one whose absence leaves the rest failing, so that every type named is needed
    for a in np.flatnonzero(crowded):
        trial = crowded.copy()
        trial[a] = False
        if network.placed(trial) < network.minimum[trial].sum():
            crowded = trial
    positions = np.flatnonzero(crowded)
    allowed = np.isin(network.type_of, positions)
    districts = sorted({instance.districts[b] for b in network.district_of[allowed]})
    return CrowdedTypes(
        tuple(instance.types[a] for a in positions),
        int(network.minimum[crowded].sum()),
        network.placed(crowded),
        tuple(districts),
    )


class _Network:
    """The flow network of one instance: node 0 the source, then one node per type, one per
    district, and the sink; a set of types is a boolean mask over ``instance.types``."""

    def __init__(self, instance: SitingInstance) -> None:
        self.minimum = np.array([instance.site_range[k][0] for k in instance.types], dtype=np.int32)
        self.type_of, self.district_of = site_arrays(instance)
        self.n_types, self.n_districts = len(instance.types), len(instance.districts)
        self.sink = 1 + self.n_types + self.n_districts
        self.capacity = max(instance.capacity, 0)

    def greedy_fits(self) -> bool:
        """Whether a greedy placement meets every minimum: types with the fewest allowed sites
        first, each core in the allowed district with the most room left. Success is a
        placement, so the minima fit; failure proves nothing (the flow decides then). It is
        the common case and costs a tenth of the flow."""
        remaining = np.full(self.n_districts, self.capacity, dtype=np.int64)
        order = np.argsort(self.type_of, kind="stable")
        counts = np.bincount(self.type_of, minlength=self.n_types)
        starts = np.concatenate([[0], np.cumsum(counts)])
        for a in np.argsort(counts, kind="stable"):
            need = int(self.minimum[a])
            if need == 0:
                continue
            districts = self.district_of[order[starts[a] : starts[a + 1]]]
            pick = districts[np.argsort(-remaining[districts], kind="stable")[:need]]
            if len(pick) < need or (remaining[pick] <= 0).any():
                return False
            remaining[pick] -= 1
        return True

    def _graph(self, mask: np.ndarray) -> csr_matrix:
        active = np.flatnonzero(mask)
        arcs = mask[self.type_of]
        district_nodes = 1 + self.n_types + np.arange(self.n_districts, dtype=np.int32)
        tails = np.concatenate(
            [np.zeros(len(active), np.int32), 1 + self.type_of[arcs], district_nodes]
        )
        heads = np.concatenate(
            [
                1 + active,
                1 + self.n_types + self.district_of[arcs],
                np.full(self.n_districts, self.sink, np.int32),
            ]
        )
        capacities = np.concatenate(
            [
                self.minimum[active],
                np.ones(int(arcs.sum()), np.int32),
                np.full(self.n_districts, self.capacity, np.int32),
            ]
        )
        nodes = self.sink + 1
        return csr_matrix(
            (capacities.astype(np.int32), (tails.astype(np.int32), heads.astype(np.int32))),
            shape=(nodes, nodes),
        )

    def placed(self, mask: np.ndarray) -> int:
        """The most cores of the types in ``mask`` (each counted up to its minimum) that fit
        at their allowed sites under the capacity."""
        return int(maximum_flow(self._graph(mask), 0, self.sink).flow_value)

    def reached_types(self, mask: np.ndarray) -> tuple[int, np.ndarray]:
        """The value of a maximum flow (as :meth:`placed`) and the types its residual network
        reaches from the source: those whose minimum is not met, and those they could take a
        district from."""
        graph = self._graph(mask)
        result = maximum_flow(graph, 0, self.sink)
        # the capacity left on each arc, and the flow on it backwards
        residual = (graph - result.flow.tocsr()).tocsr()
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        reached = breadth_first_order(residual, 0, directed=True, return_predecessors=False)
        found = np.zeros(self.n_types, dtype=bool)
        nodes = reached[(reached >= 1) & (reached <= self.n_types)]
        found[nodes - 1] = True
        return int(result.flow_value), found & mask


def _listed(names: tuple[str, ...], most: int, last: str) -> str:
    """``names`` joined with commas (``last`` before the final one), at most ``most`` of them
    and then how many more."""
    if len(names) > most:
        return ", ".join(names[:most]) + f" and {len(names) - most} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + last + names[-1]
