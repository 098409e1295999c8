"""The instance's sites and member arcs as integer arrays, made once per model build.

The instance names sites and arcs by tuples of ids, which is what the model's keys, reports
and rules read. The row families group them by type and district; doing that with numpy over
integer positions instead of dictionaries of tuples is what keeps a build of a few hundred
districts to a few milliseconds (at 300 districts × 6 types the dictionary loops took about
12 ms of a 150 ms solve) and a build of 3,000 × 51 to seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.instance import SitingInstance


@dataclass(frozen=True)
class ColumnIndex:
    """Positions, all ``int64``: of type and district of each site (in ``instance.types`` and
    ``instance.districts``), and of each member arc's type, core district and member
    district; ``site_at[a, b]`` is the position of the site (type a, district b) in
    ``instance.sites``, -1 where it is not allowed."""

    site_type: np.ndarray
    site_district: np.ndarray
    site_at: np.ndarray
    member_type: np.ndarray
    member_core_district: np.ndarray
    member_district: np.ndarray

    @property
    def member_core(self) -> np.ndarray:
        """The site position of each arc's core."""
        return self.site_at[self.member_type, self.member_core_district]

    @property
    def member_own_site(self) -> np.ndarray:
        """The site position of (arc type, member district), -1 where not allowed."""
        return self.site_at[self.member_type, self.member_district]


def column_index(instance: SitingInstance) -> ColumnIndex:
    """The positions build_instance recorded, or (an instance assembled by hand, or one whose
    lists no longer match them) the same looked up from the tuples."""
    site_type, site_district = site_arrays(instance)
    site_at = np.full((len(instance.types), len(instance.districts)), -1, dtype=np.int64)
    site_at[site_type, site_district] = np.arange(len(site_type), dtype=np.int64)
    if len(site_type) and np.count_nonzero(site_at >= 0) != len(site_type):
        raise ValueError("the instance lists a site twice")
    return ColumnIndex(site_type, site_district, site_at, *member_arrays(instance))


def site_arrays(instance: SitingInstance) -> tuple[np.ndarray, np.ndarray]:
    """Each site's type and district position."""
    recorded = instance.site_positions
    if recorded is not None and _matches(recorded, instance.sites, instance):
        return recorded
    type_pos = {k: a for a, k in enumerate(instance.types)}
    district_pos = {d: b for b, d in enumerate(instance.districts)}
    count = len(instance.sites)
    return (
        _positions(type_pos, (k for k, _ in instance.sites), count),
        _positions(district_pos, (i for _, i in instance.sites), count),
    )


def member_arrays(instance: SitingInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each member arc's type, core district and member district position."""
    recorded = instance.member_positions
    if recorded is not None and _matches(recorded, instance.members, instance):
        return recorded
    type_pos = {k: a for a, k in enumerate(instance.types)}
    district_pos = {d: b for b, d in enumerate(instance.districts)}
    members, count = instance.members, len(instance.members)
    return (
        _positions(type_pos, (k for k, _, _ in members), count),
        _positions(district_pos, (i for _, i, _ in members), count),
        _positions(district_pos, (j for _, _, j in members), count),
    )


def _matches(
    recorded: tuple[np.ndarray, ...], names: Sequence[tuple[str, ...]], instance: SitingInstance
) -> bool:
    """Whether recorded positions fit the list: the same length, and the first, middle and
    last entries name the same tuples (a list replaced by another of the same length is
    caught here; callers that replace a list pass its positions or None)."""
    if any(len(a) != len(names) for a in recorded):
        return False
    tables = (instance.types, *([instance.districts] * (len(recorded) - 1)))
    for n in {0, len(names) // 2, len(names) - 1} if names else ():
        if tuple(t[a[n]] for t, a in zip(tables, recorded, strict=True)) != names[n]:
            return False
    return True


def _positions(table: dict[str, int], names: object, count: int) -> np.ndarray:
    return np.fromiter(map(table.__getitem__, names), dtype=np.int64, count=count)  # type: ignore[call-overload]


def groups_in_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal keys in the order of their first appearance, as a dict filled in a loop
    over ``key`` would: (the position of each group's first element, the group's size, the
    elements' positions group by group, in their order within each group)."""
    if not len(key):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    order = np.argsort(rank[inverse], kind="stable")
    by_rank = np.argsort(rank, kind="stable")
    return first[by_rank], counts[by_rank], order
