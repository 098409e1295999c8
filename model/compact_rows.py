r"""The compact cooperation rows (docs/model.md §5.1): one column per core site and partner
type instead of one per pair of sites. The formulation and its proof of equivalence are in the
docstring of :mod:`model.formulation`; this module builds the groups and rows as arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.instance import SitingInstance
from model.pair_rows import site_positions
from model.row_sink import RowSink
from solvers.matrix_rows import MatrixRows


@dataclass(frozen=True)
class CompactCooperation:
    """The compact cooperation terms of one direction, one per group (core site (k, i),
    partner type k').

    Group g's core is the site ``core_site[g]`` (a position in ``instance.sites``); its partners
    are the sites ``partner_site[start[g]:start[g+1]]`` with coefficients ``partner_coef``;
    ``bound[g]`` is U, the sum of the max_{k'} largest of them; ``type_pair[g]`` numbers the
    unordered type pair (the balance rows join the two directions by it).
    """

    keys: list[tuple[str, str, str]]  # (k, i, k'): core type, core district, partner type
    core_site: np.ndarray  # (groups,) int64
    start: np.ndarray  # (groups + 1,) int64
    partner_site: np.ndarray  # (pairs,) int64
    partner_coef: np.ndarray  # (pairs,) float64
    bound: np.ndarray  # (groups,) float64
    type_pair: np.ndarray  # (groups,) int64


def compact_cooperation(instance: SitingInstance, mirror: bool = False) -> CompactCooperation:
    """Group the instance's pairs by (k, i, k') with arrays only (docs/model.md §5.1).

    ``mirror=False`` takes the first type of each pair (k before k') as the core; ``True`` the
    second, so the keys are (k', j, k).
    """
    table = instance.pair_table
    n_types, n_districts = len(instance.types), len(instance.districts)
    site_of = site_positions(instance)
    core_type, core_district = table.first_type, table.first_district
    partner_type, partner_district = table.second_type, table.second_district
    if mirror:
        core_type, partner_type = partner_type, core_type
        core_district, partner_district = partner_district, core_district
    count = len(table)
    group_id = (core_type * n_types + partner_type) * n_districts + core_district
    coef = table.coef
    if count and np.any(group_id[1:] < group_id[:-1]):  # the first direction comes sorted
        order = np.argsort(group_id, kind="stable")
        group_id, coef = group_id[order], coef[order]
        core_type, core_district = core_type[order], core_district[order]
        partner_type, partner_district = partner_type[order], partner_district[order]
    new_group = np.ones(count, dtype=bool)
    new_group[1:] = group_id[1:] != group_id[:-1]
    firsts = np.flatnonzero(new_group)
    start = np.append(firsts, count).astype(np.int64)
    partner_site = site_of[partner_type, partner_district]
    core_site = site_of[core_type[firsts], core_district[firsts]]
    if np.any(partner_site < 0) or np.any(core_site < 0):
        raise ValueError("a pair names a core site that is not allowed")
    # U: the max_{k'} largest coefficients of each group, by rank within the group
    hi = np.array([instance.site_range[k][1] for k in instance.types], dtype=np.int64)
    if count and np.all(hi[partner_type[firsts]] == 1):  # the default: U is the largest
        bound = np.maximum.reduceat(coef, firsts)
    else:
        group_of = np.repeat(np.arange(len(firsts)), np.diff(start))
        by_value = np.lexsort((-coef, group_of))
        rank = np.empty(count, dtype=np.int64)
        rank[by_value] = np.arange(count) - start[group_of[by_value]]
        counted = rank < hi[partner_type]
        bound = np.bincount(group_of[counted], weights=coef[counted], minlength=len(firsts))
    low = np.minimum(core_type[firsts], partner_type[firsts])
    high = np.maximum(core_type[firsts], partner_type[firsts])
    types, districts = instance.types, instance.districts
    keys = [
        (types[a], districts[b], types[a2])
        for a, b, a2 in zip(
            core_type[firsts].tolist(),
            core_district[firsts].tolist(),
            partner_type[firsts].tolist(),
            strict=True,
        )
    ]
    return CompactCooperation(
        keys, core_site, start, partner_site, coef, bound, low * n_types + high
    )


def add_compact_rows(
    sink: RowSink, variables: Sequence[Any], compact: CompactCooperation, first: int, suffix: str
) -> None:
    """5.1. w[k,i,k'] ≤ U[k,i,k']·y[k,i] and w[k,i,k'] ≤ Σ_j c[k,i,k',j]·y[k',j], for the w
    in columns ``first`` on."""
    groups = len(compact.keys)
    w = first + np.arange(groups, dtype=np.int64)
    core_rows = MatrixRows(
        variables,
        np.arange(0, 2 * groups + 1, 2, dtype=np.int64),
        np.column_stack([w, compact.core_site]).ravel(),
        np.column_stack([np.ones(groups), -compact.bound]).ravel(),
        np.full(groups, -math.inf),
        np.zeros(groups),
    )
    sink.rows("compact_core" + suffix, lambda: compact.keys, core_rows)
    # row g: w_g first, then its partners; the partners' positions shift by g + 1
    sizes = np.diff(compact.start)
    start = compact.start + np.arange(groups + 1, dtype=np.int64)
    column = np.empty(int(start[-1]), dtype=np.int64)
    coef = np.empty(int(start[-1]))
    column[start[:-1]] = w
    coef[start[:-1]] = 1.0
    partner_pos = np.arange(len(compact.partner_site)) + np.repeat(
        np.arange(1, groups + 1, dtype=np.int64), sizes
    )
    column[partner_pos] = compact.partner_site
    coef[partner_pos] = -compact.partner_coef
    partner_rows = MatrixRows(
        variables, start, column, coef, np.full(groups, -math.inf), np.zeros(groups)
    )
    sink.rows("compact_partners" + suffix, lambda: compact.keys, partner_rows)


def add_compact_balance(
    sink: RowSink,
    instance: SitingInstance,
    variables: Sequence[Any],
    first: int,
    forward: CompactCooperation,
    mirror: CompactCooperation,
) -> None:
    """5.1. Σ_i w[k,i,k'] = Σ_j w'[k',j,k] per type pair: both sides count the same pairs."""
    n_forward = len(forward.keys)
    columns = np.concatenate(
        [
            first + np.arange(n_forward, dtype=np.int64),
            first + n_forward + np.arange(len(mirror.keys), dtype=np.int64),
        ]
    )
    coefs = np.concatenate([np.ones(n_forward), -np.ones(len(mirror.keys))])
    pair_of = np.concatenate([forward.type_pair, mirror.type_pair])
    order = np.argsort(pair_of, kind="stable")
    ids, counts = np.unique(pair_of[order], return_counts=True)
    start = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    n_types = len(instance.types)
    types = instance.types
    rows = MatrixRows(
        variables, start, columns[order], coefs[order], np.zeros(len(ids)), np.zeros(len(ids))
    )
    sink.rows(
        "compact_balance",
        lambda: [(types[t // n_types], types[t % n_types]) for t in ids.tolist()],
        rows,
    )
