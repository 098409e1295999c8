"""The rows and objective of the siting model (docs/model.md §5), stated once as arrays.

Each family of rows is made by one function below (families 1 to 5 here, 6, 8 and 9 in
:mod:`model.pair_rows`, the compact terms in :mod:`model.compact_rows`, family 7 in
:mod:`model.policy_rows`) and handed to a sink (:mod:`model.row_sink`): onto a Pyomo model by
:func:`model.formulation.build_model`, or into arrays for HiGHS by
:func:`model.matrix_model.build_program`. The formulation itself, with its proofs, is the
docstring of :mod:`model.formulation`. This module and the ones it imports need only numpy,
so a run with HiGHS never imports Pyomo.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from model.column_index import ColumnIndex, column_index, groups_in_order
from model.compact_rows import (
    CompactCooperation,
    add_compact_balance,
    add_compact_rows,
    compact_cooperation,
)
from model.instance import Site, SitingInstance
from model.pair_rows import add_capacity_products, add_pair_bounds, add_pair_logic, pair_groups
from model.policy_rows import policy_families
from model.row_sink import RowSink
from solvers.sparse_rows import MatrixRows

COOPERATION_FORMS = ("pairs", "compact")


def checked_form(instance: SitingInstance, cooperation: str | None) -> str:
    """``cooperation``, or the instance's choice when None; refused unless a known form."""
    form = cooperation or instance.cooperation
    if form not in COOPERATION_FORMS:
        raise ValueError(f"cooperation must be one of {COOPERATION_FORMS}, not {form!r}")
    return form


def compact_terms(instance: SitingInstance) -> _Compact:
    """Both directions of the compact cooperation terms (docs/model.md §5.1)."""
    return compact_cooperation(instance), compact_cooperation(instance, mirror=True)


def add_rows(sink: RowSink, instance: SitingInstance, v: Columns, compact: _Compact | None) -> None:
    """Every row family, in the model's order, handed to ``sink``."""
    add_sites_per_type(sink, instance, v)
    add_district_capacity(sink, instance, v)
    add_members_need_core(sink, instance, v)
    add_one_membership(sink, instance, v)
    add_catchment_size(sink, instance, v)
    if compact is None:
        groups = pair_groups(instance, v.index.site_at)
        add_pair_logic(sink, instance, v.variables, v.first_z, groups)
        add_pair_bounds(sink, instance, v.variables, v.first_z, groups)
        add_capacity_products(sink, instance, v.variables, v.first_z, v.index.site_at)
    else:
        forward, mirror = compact
        add_compact_rows(sink, v.variables, forward, v.first_z, "")
        add_compact_rows(sink, v.variables, mirror, v.first_z + len(forward.keys), "_mirror")
        add_compact_balance(sink, instance, v.variables, v.first_z, forward, mirror)
    for family in policy_families(instance, v.variables, v.y):
        sink.policy(family)


_Compact = tuple[CompactCooperation, CompactCooperation]  # forward, mirror


@dataclass(frozen=True)
class Columns:
    """The model's variables as the columns of its matrix rows: every y, then every x, then
    every z (or every w, then every mirror w), each in the instance's order (``model.y[s]``
    would cost a microsecond a look-up). ``variables`` is the Pyomo variables, or
    ``range(n)`` when the rows go to arrays only (``model.matrix_model``).
    """

    variables: Sequence[Any]
    y: dict[Site, int]  # core site -> column
    first_x: int  # column of instance.members[0]; member n is column first_x + n
    first_z: int  # column of instance.pairs[0], or of the first compact w
    index: ColumnIndex  # the sites and arcs as integer positions


def column_count(instance: SitingInstance, compact: _Compact | None) -> int:
    n_coop = instance.pair_count if compact is None else len(compact[0].keys) + len(compact[1].keys)
    return len(instance.sites) + len(instance.members) + n_coop


def columns_of(
    instance: SitingInstance, variables: Sequence[Any], compact: _Compact | None
) -> Columns:
    if len(variables) != column_count(instance, compact):
        raise ValueError("the instance lists a site, member or pair twice")
    n_y, n_x = len(instance.sites), len(instance.members)
    y = dict(zip(instance.sites, range(n_y), strict=True))
    return Columns(variables, y, n_y, n_y + n_x, column_index(instance))


def objective_costs(
    instance: SitingInstance,
    compact: _Compact | None = None,
    sites_and_members_only: bool = False,
) -> np.ndarray:
    """One objective coefficient per column, in the order of :class:`Columns` (only the y
    and x columns' with ``sites_and_members_only``)."""
    sites, members = instance.sites, instance.members
    fit = np.fromiter(_in_order(instance.fit_coef, sites), dtype=np.float64, count=len(sites))
    export = np.fromiter(_in_order(instance.export_coef, sites), np.float64, count=len(sites))
    member = np.fromiter(_in_order(instance.member_coef, members), np.float64, len(members))
    if sites_and_members_only:
        return np.concatenate([fit + export, member]).astype(np.float64)
    coop = (
        instance.pair_table.coef
        if compact is None
        else np.concatenate([np.ones(len(compact[0].keys)), np.zeros(len(compact[1].keys))])
    )
    return np.concatenate([fit + export, member, coop]).astype(np.float64)


def _in_order(table: dict[Any, float], keys: list[Any]) -> Iterable[float]:
    """``table``'s values in the order of ``keys``: its own order when that is it (as built)."""
    if len(table) == len(keys) and list(table) == keys:
        return table.values()
    return map(table.__getitem__, keys)


def add_sites_per_type(sink: RowSink, instance: SitingInstance, v: Columns) -> None:
    """1. min_k ≤ Σ_i y[k,i] ≤ max_k, for the types where either side can bind.

    A type with a minimum but no allowed site gets the row ``sites_per_type_empty[k]``, which
    no solution satisfies.
    """
    site_type = v.index.site_type
    count = np.bincount(site_type, minlength=len(instance.types)).tolist()
    keys: list[str] = []
    numbers: list[int] = []
    lower: list[float] = []
    upper: list[float] = []
    for a, k in enumerate(instance.types):
        lo, hi = instance.site_range[k]
        hi_binds = hi is not None and hi < count[a]
        if count[a] and (lo > 0 or hi_binds):
            keys.append(k)
            numbers.append(a)
            lower.append(lo if lo > 0 else -math.inf)
            upper.append(hi if hi_binds else math.inf)
    rows = _grouped_sums(v.variables, site_type, np.arange(len(site_type)), numbers)
    bounds = np.array(lower, dtype=np.float64), np.array(upper, dtype=np.float64)
    rows = replace(rows, lower=bounds[0], upper=bounds[1])
    sink.rows("sites_per_type", lambda: keys, rows)
    empty = [
        k for a, k in enumerate(instance.types) if not count[a] and instance.site_range[k][0] > 0
    ]
    if empty:
        sink.infeasible("sites_per_type_empty", empty)


def _grouped_sums(
    variables: Sequence[Any], group: np.ndarray, column: np.ndarray, chosen: Sequence[int]
) -> MatrixRows:
    """Rows Σ variables[column[n]] ≤ ∞ over the n with ``group[n]`` = g, for each g of
    ``chosen`` in turn, columns in the order of n (bounds to be replaced by the caller)."""
    wanted = np.zeros(int(group.max()) + 1 if len(group) else 0, dtype=bool)
    picked = np.asarray(chosen, dtype=np.int64)
    wanted[picked] = True
    rank = np.full(len(wanted), -1, dtype=np.int64)
    rank[picked] = np.arange(len(picked))
    taken = np.flatnonzero(wanted[group]) if len(group) else np.zeros(0, dtype=np.int64)
    taken = taken[np.argsort(rank[group[taken]], kind="stable")]
    sizes = np.bincount(rank[group[taken]], minlength=len(picked))
    start = np.zeros(len(picked) + 1, dtype=np.int64)
    np.cumsum(sizes, out=start[1:])
    count = len(picked)
    return MatrixRows(
        variables,
        start,
        column[taken].astype(np.int64),
        np.ones(len(taken)),
        np.full(count, -math.inf),
        np.full(count, math.inf),
    )


def add_district_capacity(sink: RowSink, instance: SitingInstance, v: Columns) -> None:
    """2. Σ_k y[k,i] ≤ C, written only where more than C types may sit in i."""
    site_district = v.index.site_district
    count = np.bincount(site_district, minlength=len(instance.districts))
    crowded_at = np.flatnonzero(count > instance.capacity).tolist()
    rows = _grouped_sums(v.variables, site_district, np.arange(len(site_district)), crowded_at)
    rows = replace(rows, upper=np.full(len(crowded_at), float(instance.capacity)))
    districts = instance.districts
    sink.rows("district_capacity", lambda: [districts[b] for b in crowded_at], rows)


def add_members_need_core(sink: RowSink, instance: SitingInstance, v: Columns) -> None:
    """3. x[k,i,j] ≤ y[k,i] (implied by 5, kept because it tightens the LP relaxation)."""
    members = instance.members
    arcs = v.first_x + np.arange(len(members), dtype=np.int64)
    rows = MatrixRows.differences(v.variables, arcs, v.index.member_core)
    sink.rows("members_need_core", lambda: members, rows)


def add_one_membership(sink: RowSink, instance: SitingInstance, v: Columns) -> None:
    """4. Σ_i x[k,i,j] + y[k,j] ≤ 1 for every (k, j) that some member arc reaches, in the
    order in which the arcs first reach them."""
    index = v.index
    key = index.member_type * len(instance.districts) + index.member_district
    first, sizes, order = groups_in_order(key)
    own = index.member_own_site[first]  # y[k,j], or -1 where (k, j) is no allowed site
    kept = (sizes > 1) | (own >= 0)
    rows = _arcs_then_core(v, sizes, order, own, kept, 1.0, 1.0)
    members = instance.members
    sink.rows(
        "one_membership",
        lambda: [(members[n][0], members[n][2]) for n in first[kept].tolist()],
        replace(rows, upper=np.ones(len(rows))),
    )


def add_catchment_size(sink: RowSink, instance: SitingInstance, v: Columns) -> None:
    """5. Σ_j x[k,i,j] ≤ max_members · y[k,i], where more arcs than max_members leave the core,
    in the order in which the arcs first leave them."""
    index = v.index
    key = index.member_type * len(instance.districts) + index.member_core_district
    first, sizes, order = groups_in_order(key)
    cap = instance.max_members
    kept = sizes > cap
    core = index.member_core[first]
    rows = _arcs_then_core(v, sizes, order, core, kept, float(-cap), 0.0)
    members = instance.members
    sink.rows(
        "catchment_size",
        lambda: [(members[n][0], members[n][1]) for n in first[kept].tolist()],
        rows,
    )


def _arcs_then_core(
    v: Columns,
    sizes: np.ndarray,
    order: np.ndarray,
    core: np.ndarray,
    kept: np.ndarray,
    core_coef: float,
    upper: float,
) -> MatrixRows:
    """One row per kept group: its arcs' x (in ``order``), then y[core] with ``core_coef``
    where ``core`` ≥ 0; ``Σ ≤ upper``."""
    with_core = core >= 0
    row_sizes = (sizes + with_core)[kept]
    start = np.zeros(len(row_sizes) + 1, dtype=np.int64)
    np.cumsum(row_sizes, out=start[1:])
    in_kept = np.repeat(kept, sizes)  # per element of ``order``
    arc_row = np.repeat(np.arange(len(row_sizes), dtype=np.int64), sizes[kept])
    arc_start = np.cumsum(sizes[kept]) - sizes[kept]  # where each row's arcs start in order
    within = np.arange(len(arc_row)) - np.repeat(arc_start, sizes[kept])
    column = np.empty(int(start[-1]), dtype=np.int64)
    coef = np.ones(len(column))
    column[start[arc_row] + within] = v.first_x + order[in_kept]
    has_core = with_core[kept]
    ends = start[1:][has_core] - 1
    column[ends] = core[kept][has_core]
    coef[ends] = core_coef
    count = len(row_sizes)
    return MatrixRows(
        v.variables, start, column, coef, np.full(count, -math.inf), np.full(count, upper)
    )
