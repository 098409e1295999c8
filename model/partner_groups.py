"""Each core site's pairs, grouped by partner type and by partner district, with the sum of
each group's largest positive parts (the inner sums of docs/model.md §5.3).

Every pair ``p = (s, t)`` is seen twice, as a *half-pair* of ``s`` (partner ``t``) and as one of
``t`` (partner ``s``); half-pair ``h < P`` is pair ``h`` from its first site, ``h ≥ P`` pair
``h − P`` from its second. Pairs join types ``k < k'`` only, so a site meets each partner site
in at most one half-pair. A grouping orders the half-pairs by (site, partner type) or by (site,
partner district); :meth:`Grouping.earned` sums, per site, each group's ``limit`` largest
positive parts in one pass of ``numpy.maximum.reduceat`` per unit of the largest limit (a sort
where limits are large).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.column_index import ColumnIndex
from model.instance import SitingInstance

# from this largest group limit on, one sort per round is cheaper than a pass per unit
PASSES_UP_TO = 4


@dataclass(frozen=True)
class HalfPairs:
    """The half-pairs of the module docstring as arrays: each one's site, its partner's type
    and district, and its pair."""

    site: np.ndarray
    partner_type: np.ndarray
    partner_district: np.ndarray
    pair: np.ndarray

    def parts(self, coef: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
        """``c/2 + λ`` for the half-pairs of first sites, ``c/2 − λ`` for those of second
        sites."""
        return np.concatenate([coef / 2 + multiplier, coef / 2 - multiplier])


def half_pairs(instance: SitingInstance, index: ColumnIndex) -> HalfPairs:
    """Both half-pairs of every pair of ``instance.pair_table``, first sites' before second
    sites'."""
    table = instance.pair_table
    first = index.site_at[table.first_type, table.first_district]
    second = index.site_at[table.second_type, table.second_district]
    pair = np.arange(len(table.coef), dtype=np.int64)
    return HalfPairs(
        site=np.concatenate([first, second]),
        partner_type=np.concatenate([table.second_type, table.first_type]),
        partner_district=np.concatenate([table.second_district, table.first_district]),
        pair=np.concatenate([pair, pair]),
    )


@dataclass(frozen=True)
class Grouping:
    """Half-pairs sorted by group: ``order`` holds the half-pairs in group order, ``start``
    each group's first position there, ``group`` the group of each position, and per group
    ``site``, ``limit`` (how many of its parts may count; 0 counts none) and ``sizes``."""

    order: np.ndarray
    start: np.ndarray
    group: np.ndarray
    site: np.ndarray
    limit: np.ndarray
    sizes: np.ndarray  # per group: its half-pairs

    def earned(self, part: np.ndarray, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
        """Per site, the sum over its groups of each group's ``limit`` largest positive
        ``part``s (``part`` per half-pair); and the half-pairs counted."""
        if not len(self.order):
            return np.zeros(n_sites), np.zeros(0, dtype=np.int64)
        values = part[self.order]
        largest = int(self.limit.max())
        if largest <= PASSES_UP_TO:
            counted, taken = self._by_passes(values, largest)
        else:
            ranked = np.lexsort((-values, self.group))
            rank = np.arange(len(values)) - self.start[self.group[ranked]]
            counted = ranked[(rank < self.limit[self.group[ranked]]) & (values[ranked] > 0)]
            taken = values[counted]
        totals = np.bincount(self.group[counted], taken, minlength=len(self.start))
        return np.bincount(self.site, totals, minlength=n_sites), self.order[counted]

    def _by_passes(self, values: np.ndarray, largest: int) -> tuple[np.ndarray, np.ndarray]:
        """The counted positions and their parts, one group maximum per pass (the first of
        equal parts); ``values`` is used up."""
        counted: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for taken in range(largest):
            best = np.maximum.reduceat(values, self.start)
            open_group = (best > 0) & (self.limit > taken)
            if not open_group.any():
                break
            best[~open_group] = np.inf  # matches no part: the group counts nothing more
            hit = np.flatnonzero(values == np.repeat(best, self.sizes))
            groups = self.group[hit]
            first = hit[np.r_[True, groups[1:] != groups[:-1]]]
            counted.append(first)
            parts.append(values[first])
            values[first] = -np.inf
        if not counted:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(counted), np.concatenate(parts)


def grouping(halves: HalfPairs, key: np.ndarray, limit_of: np.ndarray) -> Grouping:
    """The half-pairs grouped by ``(site, key)`` (``key`` per half-pair), each group's limit
    ``limit_of`` at its first half-pair."""
    width = int(key.max()) + 1 if len(key) else 1
    code = halves.site * width + key
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    opens = np.r_[True, sorted_code[1:] != sorted_code[:-1]] if len(order) else np.zeros(0, bool)
    start = np.flatnonzero(opens)
    return Grouping(
        sizes=np.diff(np.r_[start, len(order)]),
        order=order,
        start=start,
        group=np.cumsum(opens) - 1,
        site=halves.site[order[start]],
        limit=limit_of[order[start]],
    )


def partner_groupings(
    instance: SitingInstance, index: ColumnIndex, halves: HalfPairs, most: np.ndarray
) -> tuple[Grouping, Grouping]:
    """By partner type, ``max_k'`` each (rule 1: the type has no more cores); by partner
    district, ``C`` each, ``C − 1`` in the site's own district (rule 2: the district holds no
    more cores, the site's own among them)."""
    by_type = grouping(halves, halves.partner_type, most[halves.partner_type])
    own_district = index.site_district[halves.site]
    room = instance.capacity - (halves.partner_district == own_district).astype(np.int64)
    by_district = grouping(halves, halves.partner_district, np.maximum(room, 0))
    return by_type, by_district
