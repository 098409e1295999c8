r"""The pair form's cooperation rows (families 6, 8 and 9 of docs/model.md §5), built from the
instance's pair arrays.

A pair :math:`(k,i,k',j)` is column :math:`z` number ``first_z + n`` for the instance's n-th
pair. Family 8 groups the pairs twice: by one core and the other type, :math:`(k,i,k')` ("out
of" the core :math:`(k,i)`), and :math:`(k',j,k)` ("into" the core :math:`(k',j)`). Groups are
numbered in the order in which their first pair appears, and a group's columns keep the pairs'
order, which is the order a loop over the pairs would produce: the rows, and so the solver's
search, are the same as those of the loop this replaces (``tests/reference/loop_pair_rows.py``
keeps that loop, and a test compares the two).

Everything is numpy over the pair arrays: at 1,000 districts × 51 types (724,000 pairs) the
loop over pair tuples took about 9 s of a 21 s build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from model.column_index import site_arrays
from model.instance import SitingInstance
from model.row_sink import RowSink
from solvers.sparse_rows import MatrixRows


def site_positions(instance: SitingInstance) -> np.ndarray:
    """(types × districts) array: the position of each core site in ``instance.sites``, or
    -1 where the site is not allowed."""
    rows, cols = site_arrays(instance)
    positions = np.full((len(instance.types), len(instance.districts)), -1, dtype=np.int64)
    positions[rows, cols] = np.arange(len(rows), dtype=np.int64)
    return positions


@dataclass(frozen=True)
class PairGrouping:
    """The pairs grouped by one core site and the other type, in one direction.

    Group g holds the pairs ``order[start[g]:start[g+1]]`` (pair numbers, ascending); its core
    is the site ``core_site[g]`` (a position in ``instance.sites``), with type
    ``core_type[g]`` and district ``core_district[g]``, and the other type is
    ``partner_type[g]``. ``group_of[n]`` is the group of pair n.
    """

    order: np.ndarray
    start: np.ndarray
    group_of: np.ndarray
    core_site: np.ndarray
    core_type: np.ndarray
    core_district: np.ndarray
    partner_type: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.start)

    def keys(self, instance: SitingInstance, groups: np.ndarray) -> list[tuple[str, str, str]]:
        """(core type, core district, other type) of the given groups."""
        types, districts = instance.types, instance.districts
        return [
            (types[a], districts[b], types[c])
            for a, b, c in zip(
                self.core_type[groups].tolist(),
                self.core_district[groups].tolist(),
                self.partner_type[groups].tolist(),
                strict=True,
            )
        ]


def group_pairs(instance: SitingInstance, positions: np.ndarray, into: bool) -> PairGrouping:
    """Group the pairs by (k, i, k') (``into=False``) or by (k', j, k) (``into=True``)."""
    table = instance.pair_table
    core_type, core_district, partner_type = (
        (table.second_type, table.second_district, table.first_type)
        if into
        else (table.first_type, table.first_district, table.second_type)
    )
    n_types, n_districts = len(instance.types), len(instance.districts)
    group_id = (core_type * n_types + partner_type) * n_districts + core_district
    _, first_seen, inverse = np.unique(group_id, return_index=True, return_inverse=True)
    # number the groups by where their first pair stands
    appearance = np.argsort(first_seen, kind="stable")
    number = np.empty(len(appearance), dtype=np.int64)
    number[appearance] = np.arange(len(appearance), dtype=np.int64)
    group_of = number[inverse.reshape(-1)]
    order = np.argsort(group_of, kind="stable")
    start = np.zeros(len(appearance) + 1, dtype=np.int64)
    np.cumsum(np.bincount(group_of, minlength=len(appearance)), out=start[1:])
    leaders = first_seen[appearance]  # each group's first pair
    g_type, g_district = core_type[leaders], core_district[leaders]
    core_site = positions[g_type, g_district]
    if np.any(core_site < 0):
        raise ValueError("a pair names a core site that is not allowed")
    return PairGrouping(
        order, start, group_of, core_site, g_type, g_district, partner_type[leaders]
    )


@dataclass(frozen=True)
class PairGroups:
    """Both groupings, the most cores of each type, and which groups get a family-8 row."""

    out_of: PairGrouping  # (k, i, k'): pairs of the core (k, i) with type k'
    into: PairGrouping  # (k', j, k): pairs of the core (k', j) with type k
    most: np.ndarray  # (types,) max_k
    first: np.ndarray  # out_of groups with a family-8 row (more pairs than max_k')
    second: np.ndarray  # into groups with a family-8 row (more pairs than max_k)

    def tight(self, grouping: PairGrouping, rows: np.ndarray) -> np.ndarray:
        """Per group of ``grouping``: whether its family-8 row has coefficient 1 (max = 1)."""
        flags = np.zeros(len(grouping.core_site), dtype=bool)
        flags[rows] = self.most[grouping.partner_type[rows]] == 1
        return flags


def pair_groups(instance: SitingInstance, positions: np.ndarray | None = None) -> PairGroups:
    """Both groupings of the pairs; ``positions`` is :func:`site_positions` when at hand."""
    if positions is None:
        positions = site_positions(instance)
    out_of = group_pairs(instance, positions, into=False)
    into = group_pairs(instance, positions, into=True)
    most = np.array([instance.site_range[k][1] for k in instance.types], dtype=np.int64)
    first = np.flatnonzero(out_of.sizes > most[out_of.partner_type])
    second = np.flatnonzero(into.sizes > most[into.partner_type])
    return PairGroups(out_of, into, most, first, second)


def add_pair_logic(
    sink: RowSink,
    instance: SitingInstance,
    variables: Any,
    first_z: int,
    groups: PairGroups,
) -> None:
    """6. z[k,i,k',j] ≤ y[k,i] and z[k,i,k',j] ≤ y[k',j].

    A row is left out where family 8 holds Σ_j z[k,i,k',j] ≤ y[k,i] with max_k' = 1: with
    z ≥ 0 that sum implies every z[k,i,k',j] ≤ y[k,i], in the LP relaxation as well. With the
    default of one site per type this removes nearly all of these rows (170,000 of 244,000
    rows at 1,000 dense districts) without changing the feasible set or the LP bound.
    """
    pairs = _PairKeys(instance)
    for name, grouping, rows in (
        ("pair_first_core", groups.out_of, groups.first),
        ("pair_second_core", groups.into, groups.second),
    ):
        covered = groups.tight(grouping, rows)[grouping.group_of]
        kept = np.flatnonzero(~covered)
        cores = grouping.core_site[grouping.group_of[kept]]
        rows_of = MatrixRows.differences(variables, first_z + kept, cores)
        sink.rows(name, partial(pairs.take, kept), rows_of)


def add_pair_bounds(
    sink: RowSink,
    instance: SitingInstance,
    variables: Any,
    first_z: int,
    groups: PairGroups,
) -> None:
    """8. Valid inequalities Σ_j z[k,i,k',j] ≤ max_k'·y[k,i] and Σ_i z[k,i,k',j] ≤ max_k·y[k',j].

    They follow from 1 and 6 (at most max_k' cores of type k' can pair with the core (k,i)), so
    they remove no integer solution, but they close most of the LP gap that the pair logic
    alone leaves (with one site per type, the LP otherwise spreads every y thinly). A group
    with no more pairs than max_k' gets no row: the pair logic already implies it.
    """
    for name, grouping, rows in (
        ("pair_bound_first", groups.out_of, groups.first),
        ("pair_bound_second", groups.into, groups.second),
    ):
        # ``order`` runs group by group, so the rows' pairs are its entries in those groups
        has_row = np.zeros(len(grouping.core_site), dtype=bool)
        has_row[rows] = True
        rows_of = pairs_then_core(
            variables,
            grouping.sizes[rows],
            first_z + grouping.order[has_row[grouping.group_of[grouping.order]]],
            grouping.core_site[rows],
            -groups.most[grouping.partner_type[rows]].astype(np.float64),
        )
        sink.rows(name, partial(grouping.keys, instance, rows), rows_of)


def pairs_then_core(
    variables: Any,
    sizes: np.ndarray,
    pair_columns: np.ndarray,
    core: np.ndarray,
    core_coef: np.ndarray,
) -> MatrixRows:
    """Rows ``Σ z + core_coef[r]·y[core[r]] ≤ 0``: row r takes the next ``sizes[r]`` entries of
    ``pair_columns`` (already in row order), then the core's y."""
    start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes + 1, out=start[1:])
    column = np.empty(int(start[-1]), dtype=np.int64)
    coef = np.ones(len(column))
    ends = start[1:] - 1
    column[ends] = core
    coef[ends] = core_coef
    within = np.ones(len(column), dtype=bool)
    within[ends] = False
    column[within] = pair_columns
    return MatrixRows(
        variables, start, column, coef, np.full(len(sizes), -np.inf), np.zeros(len(sizes))
    )


def add_capacity_products(
    sink: RowSink,
    instance: SitingInstance,
    variables: Any,
    first_z: int,
    positions: np.ndarray,
) -> None:
    """9. Σ_{k'} z[(k,i),(k',i)] ≤ (C − 1)·y[k,i]: the district capacity (2) times y[k,i].

    The pairs of the core (k,i) whose partner sits in the same district i, summed (in either
    direction of the pair). At an integer point with y[k,i] = 1, district i holds at most C
    cores, (k,i) among them, and each pair's z is at most its partner's y; with y[k,i] = 0
    every such z is 0 (rule 6). So the rows remove no integer solution: they are the district
    capacity multiplied by y[k,i] (a reformulation-linearisation product, Sherali and Adams,
    *SIAM J. Discrete Math.* 3 (1990) 411–430). In the LP relaxation they stop a thinly spread
    core from counting every partner type as sitting in its own district, which family 8
    allows. At 300 districts × 12 types the root LP then closed the gap; at 3,000 × 12 the
    solve to 1 % took 37 s against 103 s. The same product with another district j
    (bound C) is valid too, but it doubled the rows and at 1,000 × 24 the root LP no longer
    finished in 120 s, so it is not stated. A core with no more co-located pairs than C − 1
    gets no row: rules 6 and 8 already imply it.
    """
    table = instance.pair_table
    same = np.flatnonzero(table.first_district == table.second_district)
    own_site = np.concatenate(
        [
            positions[table.first_type[same], table.first_district[same]],
            positions[table.second_type[same], table.second_district[same]],
        ]
    )
    column_of = first_z + np.concatenate([same, same])
    order = np.argsort(own_site, kind="stable")
    cores, sizes = np.unique(own_site[order], return_counts=True)
    bound = instance.capacity - 1
    kept = sizes > bound
    kept_cores = cores[kept]
    rows = pairs_then_core(
        variables,
        sizes[kept],
        column_of[order[np.repeat(kept, sizes)]],
        kept_cores,
        np.full(len(kept_cores), -float(bound)),
    )
    sink.rows("pair_capacity", lambda: [instance.sites[n] for n in kept_cores.tolist()], rows)


class _PairKeys:
    """(k, i, k', j) tuples of chosen pairs, made from the arrays only for those pairs."""

    def __init__(self, instance: SitingInstance) -> None:
        self.table = instance.pair_table
        self.types, self.districts = instance.types, instance.districts

    def take(self, pairs: np.ndarray) -> list[tuple[str, str, str, str]]:
        t, d, table = self.types, self.districts, self.table
        return [
            (t[a], d[b], t[c], d[e])
            for a, b, c, e in zip(
                table.first_type[pairs].tolist(),
                table.first_district[pairs].tolist(),
                table.second_type[pairs].tolist(),
                table.second_district[pairs].tolist(),
                strict=True,
            )
        ]
