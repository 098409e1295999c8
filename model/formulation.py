r"""The canonical cluster siting model (docs/model.md §5) as a Pyomo MIP.

Sets and data
    :math:`D` districts, :math:`K` cluster types; :math:`A \subseteq K \times D` the allowed core
    sites (not forbidden for the type or for every type, within the border reach for
    ``cross_border`` types, within the corridor reach for ``needs_corridor`` types);
    :math:`M = \{(k,i,j) : (k,i) \in A, j \ne i,
    t_{ij} \le T_{member}\}` the member arcs; :math:`P = \{(k,i,k',j) : k < k', coop_{kk'} > 0,
    (k,i), (k',j) \in A, link_{ij} > 0\}` the cooperating core pairs (:math:`i = j` included).

Variables
    :math:`y_{ki} \in \{0,1\}` for :math:`(k,i) \in A`: a core of type *k* sits in *i*;
    :math:`x_{kij} \in \{0,1\}` for :math:`(k,i,j) \in M`: *j* joins the type-*k* cluster cored
    at *i*; :math:`z_{kik'j} \in [0,1]` for :math:`(k,i,k',j) \in P`: both cores exist
    (maximisation with positive coefficients makes *z* 0 or 1).

Objective (maximise)
    .. math::

        \sum_{(k,i) \in A} (w_{fit} fit_{ki} + w_{export} exp_{ki})\, y_{ki}
        + w_{member} \sum_{M} fit_{kj}\, link_{ij}\, x_{kij}
        + w_{coop} \sum_{P} coop_{kk'}\, link_{ij}\, z_{kik'j}

Constraints (one function each below)
    1. sites per type: :math:`min_k \le \sum_i y_{ki} \le max_k`;
    2. district capacity: :math:`\sum_k y_{ki} \le C`;
    3. members need a core: :math:`x_{kij} \le y_{ki}`;
    4. one membership per type, none beside an own core:
       :math:`\sum_i x_{kij} + y_{kj} \le 1`;
    5. catchment size: :math:`\sum_j x_{kij} \le m\, y_{ki}`;
    6. pair logic: :math:`z_{kik'j} \le y_{ki}`, :math:`z_{kik'j} \le y_{k'j}` (rows implied by
       family 8 with a maximum of one site are left out);
    7. policy: :math:`\sum_{k, i \in B} y_{ki} \ge b` (border districts *B*); for each group *G*
       :math:`lo_G \le \sum_{k \in K_G, i \in G} y_{ki} \le hi_G` (:math:`K_G` the group's
       types, all by default); locks :math:`\sum_{i \in L} y_{ki} \ge 1` over the lock's
       districts *L* (:math:`y_{ki} = 1` for one district);
       budget :math:`\sum c_i\, y_{ki} \le L`;
    8. pair bounds (valid inequalities, no integer solution removed):
       :math:`\sum_j z_{kik'j} \le max_{k'}\, y_{ki}` and
       :math:`\sum_i z_{kik'j} \le max_k\, y_{k'j}`.

Compact cooperation (``cooperation="compact"``, docs/model.md §5.1)
    Instead of one :math:`z` per pair, one continuous :math:`w_{kik'} \ge 0` per core site
    :math:`(k,i)` and partner type :math:`k' > k` with at least one pair, carrying
    :math:`y_{ki} \cdot L_{kik'}(y)` where :math:`L_{kik'}(y) = \sum_j c_{kik'j}\, y_{k'j}` and
    :math:`c_{kik'j} = w_{coop}\, coop_{kk'}\, link_{ij}` (Glover 1975), with the rows

    .. math::

        w_{kik'} \le U_{kik'}\, y_{ki}, \qquad w_{kik'} \le \sum_j c_{kik'j}\, y_{k'j},

    :math:`U_{kik'}` the sum of the :math:`max_{k'}` largest :math:`c_{kik'j}`, and
    :math:`w_{kik'}` in the objective with coefficient 1 in place of the pair terms.

    *Equivalence.* Fix any integer :math:`(y, x)` that satisfies families 1 to 5 and 7. In the
    pair model the best :math:`z` is :math:`z_{kik'j} = y_{ki} y_{k'j}` (the coefficients are
    positive and 6 allows exactly that; 8 holds for it because at most :math:`max_{k'}` cores of
    type :math:`k'` exist), so the pair terms add up to
    :math:`\sum_{kik'} y_{ki} L_{kik'}(y)`. In the compact model the best :math:`w_{kik'}` is
    :math:`\min(U_{kik'} y_{ki}, L_{kik'}(y))` (bounded below by 0): if :math:`y_{ki} = 0` it is
    :math:`0 = y_{ki} L_{kik'}`; if :math:`y_{ki} = 1` it is :math:`L_{kik'}(y)`, because
    :math:`L_{kik'}(y)` sums at most :math:`max_{k'}` nonnegative coefficients and so never
    exceeds :math:`U_{kik'}`. Both models therefore give every feasible siting the same best
    objective, and their optima (values and sitings) coincide. Only the LP relaxations differ.

    *Mirror terms.* Alone, the rows above let a fractional core count its best partner anywhere
    (:math:`U`), which makes a weak LP. The same terms are therefore also kept from the other
    side, :math:`w'_{k'jk} \le U'_{k'jk}\, y_{k'j}`, :math:`w'_{k'jk} \le \sum_i c_{kik'j}\,
    y_{ki}` (objective coefficient 0), joined per type pair by
    :math:`\sum_i w_{kik'} = \sum_j w'_{k'jk}`. At an integer point both sides can reach the same
    total, :math:`\sum_{ij} c_{kik'j}\, y_{ki} y_{k'j}`, and neither more, so the optimum is
    unchanged; in the LP the total is held below the bound of either side.

Member arcs and pairs whose coefficient is zero are not generated (see ``model.instance``); they
cannot improve the objective, so the optimum is the same. Constraints that cannot bind (a
district with no more allowed sites than its capacity) are left out for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from model.column_index import ColumnIndex, column_index, groups_in_order
from model.compact_rows import (
    CompactCooperation,
    add_compact_balance,
    add_compact_rows,
    compact_cooperation,
)
from model.instance import Site, SitingInstance
from model.pair_rows import add_pair_bounds, add_pair_logic, pair_groups
from model.policy_rows import policy_families
from model.row_sink import ModelSink, RowSink
from solvers.matrix_rows import MatrixRows, add_matrix_objective, component_values

__all__ = ["COOPERATION_FORMS", "CompactCooperation", "build_model", "compact_cooperation"]

COOPERATION_FORMS = ("pairs", "compact")


def build_model(instance: SitingInstance, cooperation: str | None = None) -> pyo.ConcreteModel:
    """Build the Pyomo model; reads like the table of contents of the formulation.

    The families 1 to 6 and 8 and the objective are matrix rows (``solvers.matrix_rows``):
    ordinary Pyomo components to every caller, held as sparse arrays that the compiler of
    ``solvers.standard_form`` reads without a Python loop, each row's Pyomo expression being
    made only if something asks for it. At 1,000 dense districts (148,000 columns) this took
    build plus hand-off to HiGHS from 1.1 s to 0.47 s. Index sets wrap the instance's lists
    (``SetOf``, no copy or validation). Python's cyclic garbage collector is paused meanwhile,
    as Pyomo's own writers do: the build creates many objects and nothing to collect.

    ``cooperation`` is ``"pairs"`` (one z per cooperating pair, families 6 and 8) or
    ``"compact"`` (one w per core site and partner type, ``model.compact_rows``); None takes
    the instance's choice (``instance.cooperation``, which ``solver.cooperation`` sets).
    """
    form = checked_form(instance, cooperation)
    with PauseGC():
        model = pyo.ConcreteModel(name="cluster_siting")
        compact = compact_terms(instance) if form == "compact" else None
        declare_variables(model, instance, compact)
        v = _columns(model, instance, compact)
        add_matrix_objective(
            model, "objective", v.variables, objective_costs(instance, compact), pyo.maximize
        )
        add_rows(ModelSink(model), instance, v, compact)
    return model


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


def _columns(
    model: pyo.ConcreteModel, instance: SitingInstance, compact: _Compact | None = None
) -> Columns:
    coop = [model.z] if compact is None else [model.w, model.w_mirror]
    variables = [
        *component_values(model.y),
        *component_values(model.x),
        *chain.from_iterable(map(component_values, coop)),
    ]
    return columns_of(instance, variables, compact)


def declare_variables(
    model: pyo.ConcreteModel, instance: SitingInstance, compact: _Compact | None = None
) -> None:
    # SetOf wraps a sequence without copying or validating it; the tuples keep later edits
    # of the instance's lists out of the model (_columns catches duplicates)
    model.y = pyo.Var(pyo.SetOf(tuple(instance.sites)), domain=pyo.Binary)
    model.x = pyo.Var(pyo.SetOf(tuple(instance.members)), domain=pyo.Binary)
    if compact is None:
        model.z = pyo.Var(pyo.SetOf(tuple(instance.pairs)), bounds=(0, 1))
    else:
        model.w = pyo.Var(pyo.SetOf(tuple(compact[0].keys)), bounds=(0, None))
        model.w_mirror = pyo.Var(pyo.SetOf(tuple(compact[1].keys)), bounds=(0, None))


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
