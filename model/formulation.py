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
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData

from model.instance import Site, SitingInstance
from model.pair_rows import add_pair_bounds, add_pair_logic, pair_groups, site_positions
from solvers.matrix_rows import (
    MatrixRows,
    add_matrix_objective,
    add_matrix_rows,
    component_values,
)

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
    ``"compact"`` (one w per core site and partner type, ``model.compact`` below); None takes
    the instance's choice (``instance.cooperation``, which ``solver.cooperation`` sets).
    """
    form = cooperation or instance.cooperation
    if form not in COOPERATION_FORMS:
        raise ValueError(f"cooperation must be one of {COOPERATION_FORMS}, not {form!r}")
    with PauseGC():
        model = pyo.ConcreteModel(name="cluster_siting")
        compact = (
            (compact_cooperation(instance), compact_cooperation(instance, mirror=True))
            if form == "compact"
            else None
        )
        declare_variables(model, instance, compact)
        v = _columns(model, instance, compact)
        declare_objective(model, instance, v, compact)
        add_sites_per_type(model, instance, v)
        add_district_capacity(model, instance, v)
        add_members_need_core(model, instance, v)
        add_one_membership(model, instance, v)
        add_catchment_size(model, instance, v)
        if compact is None:
            groups = pair_groups(instance)
            add_pair_logic(model, instance, v.variables, v.first_z, groups)
            add_pair_bounds(model, instance, v.variables, v.first_z, groups)
        else:
            forward, mirror = compact
            add_compact_rows(model, v, forward, v.first_z, "")
            add_compact_rows(model, v, mirror, v.first_z + len(forward.keys), "_mirror")
            add_compact_balance(model, instance, v, forward, mirror)
        add_min_border_sites(model, instance)
        add_group_limits(model, instance)
        add_locks(model, instance)
        add_budget(model, instance)
    return model


_Compact = tuple["CompactCooperation", "CompactCooperation"]  # forward, mirror


@dataclass(frozen=True)
class _Columns:
    """The model's variables as the columns of its matrix rows: every y, then every x, then
    every z, each in the instance's order (``model.y[s]`` would cost a microsecond a look-up).
    """

    variables: list[VarData]
    y: dict[Site, int]  # core site -> column
    first_x: int  # column of instance.members[0]; member n is column first_x + n
    first_z: int  # column of instance.pairs[0], or of the first compact w


def _columns(
    model: pyo.ConcreteModel, instance: SitingInstance, compact: _Compact | None = None
) -> _Columns:
    coop = [model.z] if compact is None else [model.w, model.w_mirror]
    variables = [
        *component_values(model.y),
        *component_values(model.x),
        *chain.from_iterable(map(component_values, coop)),
    ]
    n_y, n_x = len(instance.sites), len(instance.members)
    n_coop = (
        instance.pair_count if compact is None else len(compact[0].keys) + len(compact[1].keys)
    )
    if len(variables) != n_y + n_x + n_coop:
        raise ValueError("the instance lists a site, member or pair twice")
    return _Columns(variables, dict(zip(instance.sites, range(n_y), strict=True)), n_y, n_y + n_x)


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


def declare_objective(
    model: pyo.ConcreteModel,
    instance: SitingInstance,
    v: _Columns,
    compact: _Compact | None = None,
) -> None:
    coop = (
        instance.pair_table.coef
        if compact is None
        else np.concatenate([np.ones(len(compact[0].keys)), np.zeros(len(compact[1].keys))])
    )
    coefs = chain(
        map(instance.core_coef, instance.sites),
        map(instance.member_coef.__getitem__, instance.members),
        coop,
    )
    cost = np.fromiter(coefs, dtype=np.float64, count=len(v.variables))
    add_matrix_objective(model, "objective", v.variables, cost, sense=pyo.maximize)


def add_sites_per_type(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """1. min_k ≤ Σ_i y[k,i] ≤ max_k, for the types where either side can bind.

    A type with a minimum but no allowed site gets the row ``sites_per_type_empty[k]``, which
    no solution satisfies.
    """
    by_type: dict[str, list[int]] = {k: [] for k in instance.types}
    for site, column in v.y.items():
        by_type[site[0]].append(column)
    keys: list[str] = []
    lower: list[float] = []
    upper: list[float] = []
    for k in instance.types:
        lo, hi = instance.site_range[k]
        hi_binds = hi is not None and hi < len(by_type[k])
        if by_type[k] and (lo > 0 or hi_binds):
            keys.append(k)
            lower.append(lo if lo > 0 else -math.inf)
            upper.append(hi if hi_binds else math.inf)
    groups = [by_type[k] for k in keys]
    rows = MatrixRows.sums(v.variables, groups, upper, lower=lower)
    add_matrix_rows(model, "sites_per_type", keys, rows)
    empty = [k for k in instance.types if not by_type[k] and instance.site_range[k][0] > 0]
    if empty:
        model.sites_per_type_empty = pyo.Constraint(
            empty, rule=lambda m, k: pyo.Constraint.Infeasible
        )


def _ranged(lo: int, expr: object, hi: int | None, count: int) -> object:
    """lo ≤ expr ≤ hi, or Constraint.Skip where neither side can bind; infeasible if empty."""
    hi_binds = hi is not None and hi < count
    if count == 0:
        return pyo.Constraint.Infeasible if lo > 0 else pyo.Constraint.Skip
    if lo <= 0 and not hi_binds:
        return pyo.Constraint.Skip
    return pyo.inequality(lo if lo > 0 else None, expr, hi if hi_binds else None)


def add_district_capacity(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """2. Σ_k y[k,i] ≤ C, written only where more than C types may sit in i."""
    by_district: dict[str, list[int]] = defaultdict(list)
    for site, column in v.y.items():
        by_district[site[1]].append(column)
    crowded = [i for i in instance.districts if len(by_district[i]) > instance.capacity]
    rows = MatrixRows.sums(v.variables, [by_district[i] for i in crowded], instance.capacity)
    add_matrix_rows(model, "district_capacity", crowded, rows)


def add_members_need_core(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """3. x[k,i,j] ≤ y[k,i] (implied by 5, kept because it tightens the LP relaxation)."""
    members = instance.members
    cores = np.fromiter((v.y[(k, i)] for k, i, _ in members), dtype=np.int64, count=len(members))
    rows = MatrixRows.differences(v.variables, v.first_x + np.arange(len(members)), cores)
    add_matrix_rows(model, "members_need_core", members, rows)


def add_one_membership(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """4. Σ_i x[k,i,j] + y[k,j] ≤ 1 for every (k, j) that some member arc reaches."""
    arcs_into: dict[tuple[str, str], list[int]] = defaultdict(list)
    for column, (k, _, j) in enumerate(instance.members, v.first_x):
        arcs_into[(k, j)].append(column)
    keys = [key for key, arcs in arcs_into.items() if len(arcs) > 1 or key in v.y]
    groups = [arcs_into[key] + [v.y[key]] if key in v.y else arcs_into[key] for key in keys]
    add_matrix_rows(model, "one_membership", keys, MatrixRows.sums(v.variables, groups, 1))


def add_catchment_size(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """5. Σ_j x[k,i,j] ≤ max_members · y[k,i], where more arcs than max_members leave the core."""
    arcs_out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for column, (k, i, _) in enumerate(instance.members, v.first_x):
        arcs_out[(k, i)].append(column)
    cap = instance.max_members
    keys = [site for site, arcs in arcs_out.items() if len(arcs) > cap]
    groups = [arcs_out[key] + [v.y[key]] for key in keys]
    rows = MatrixRows.sums(v.variables, groups, 0, last_coef=[-cap] * len(keys))
    add_matrix_rows(model, "catchment_size", keys, rows)


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
    model: pyo.ConcreteModel, v: _Columns, compact: CompactCooperation, first: int, suffix: str
) -> None:
    """5.1. w[k,i,k'] ≤ U[k,i,k']·y[k,i] and w[k,i,k'] ≤ Σ_j c[k,i,k',j]·y[k',j], for the w
    in columns ``first`` on."""
    groups = len(compact.keys)
    w = first + np.arange(groups, dtype=np.int64)
    core_rows = MatrixRows(
        v.variables,
        np.arange(0, 2 * groups + 1, 2, dtype=np.int64),
        np.column_stack([w, compact.core_site]).ravel(),
        np.column_stack([np.ones(groups), -compact.bound]).ravel(),
        np.full(groups, -math.inf),
        np.zeros(groups),
    )
    add_matrix_rows(model, "compact_core" + suffix, compact.keys, core_rows)
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
        v.variables, start, column, coef, np.full(groups, -math.inf), np.zeros(groups)
    )
    add_matrix_rows(model, "compact_partners" + suffix, compact.keys, partner_rows)


def add_compact_balance(
    model: pyo.ConcreteModel,
    instance: SitingInstance,
    v: _Columns,
    forward: CompactCooperation,
    mirror: CompactCooperation,
) -> None:
    """5.1. Σ_i w[k,i,k'] = Σ_j w'[k',j,k] per type pair: both sides count the same pairs."""
    n_forward = len(forward.keys)
    columns = np.concatenate(
        [
            v.first_z + np.arange(n_forward, dtype=np.int64),
            v.first_z + n_forward + np.arange(len(mirror.keys), dtype=np.int64),
        ]
    )
    coefs = np.concatenate([np.ones(n_forward), -np.ones(len(mirror.keys))])
    pair_of = np.concatenate([forward.type_pair, mirror.type_pair])
    order = np.argsort(pair_of, kind="stable")
    ids, counts = np.unique(pair_of[order], return_counts=True)
    start = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    n_types = len(instance.types)
    keys = [(instance.types[t // n_types], instance.types[t % n_types]) for t in ids.tolist()]
    rows = MatrixRows(
        v.variables, start, columns[order], coefs[order], np.zeros(len(ids)), np.zeros(len(ids))
    )
    add_matrix_rows(model, "compact_balance", keys, rows)


def add_min_border_sites(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    """7a. At least min_border_sites cores, counted as (type, district) pairs, in border units."""
    if instance.min_border_sites <= 0:
        return
    border_sites = [s for s in instance.sites if s[1] in instance.border_districts]
    if not border_sites:
        model.min_border_sites = pyo.Constraint(expr=pyo.Constraint.Infeasible)
        return
    model.min_border_sites = pyo.Constraint(
        expr=pyo.quicksum(model.y[s] for s in border_sites) >= instance.min_border_sites
    )


def add_group_limits(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    """7b. min_sites ≤ Σ cores in the group's districts ≤ max_sites, per named group; a group
    with ``types`` counts only the cores of those types."""
    counted = [[s for s in instance.sites if group.counts(s)] for group in instance.groups]
    model.group_limits = pyo.Constraint(
        range(len(instance.groups)),
        rule=lambda m, g: _ranged(
            instance.groups[g].min_sites,
            pyo.quicksum(m.y[s] for s in counted[g]),
            instance.groups[g].max_sites,
            count=len(counted[g]),
        ),
    )


def add_locks(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    """7c. Locks: Σ_{i ∈ set} y[k,i] ≥ 1 over the lock's districts (y[k,i] = 1 for a lock on
    one district); a lock none of whose sites is allowed makes the model infeasible."""
    allowed = set(instance.sites)
    open_sites = [[s for s in lock.sites if s in allowed] for lock in instance.locks]

    def rule(m: pyo.ConcreteModel, n: int) -> object:
        found = open_sites[n]
        if not found:
            return pyo.Constraint.Infeasible
        if len(instance.locks[n].districts) == 1:
            return m.y[found[0]] == 1
        return pyo.quicksum(m.y[s] for s in found) >= 1

    model.locks = pyo.Constraint(range(len(instance.locks)), rule=rule)


def add_budget(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    """7d. Σ c_i · y[k,i] ≤ L over all cores."""
    if instance.site_cost is None or instance.budget_limit is None:
        return
    cost = instance.site_cost
    costly = [s for s in instance.sites if cost[s[1]] != 0]
    if not costly:
        return  # every core is free: the budget cannot bind (its limit is never negative)
    model.budget = pyo.Constraint(
        expr=pyo.quicksum(cost[s[1]] * model.y[s] for s in costly) <= instance.budget_limit
    )
