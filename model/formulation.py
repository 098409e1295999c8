r"""The canonical cluster siting model (DESIGN.md §5) as a Pyomo MIP.

Sets and data
    :math:`D` districts, :math:`K` cluster types; :math:`A \subseteq K \times D` the allowed core
    sites (not forbidden, within the border reach for ``cross_border`` types, within the corridor
    reach for ``needs_corridor`` types); :math:`M = \{(k,i,j) : (k,i) \in A, j \ne i,
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
       :math:`lo_G \le \sum_{k, i \in G} y_{ki} \le hi_G`; locks :math:`y_{ki} = 1`;
       budget :math:`\sum c_i\, y_{ki} \le L`;
    8. pair bounds (valid inequalities, no integer solution removed):
       :math:`\sum_j z_{kik'j} \le max_{k'}\, y_{ki}` and
       :math:`\sum_i z_{kik'j} \le max_k\, y_{k'j}`.

Member arcs and pairs whose coefficient is zero are not generated (see ``model.instance``); they
cannot improve the objective, so the optimum is the same. Constraints that cannot bind (a
district with no more allowed sites than its capacity) are left out for the same reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import InequalityExpression

from model.instance import Member, Pair, Site, SitingInstance


def build_model(instance: SitingInstance) -> pyo.ConcreteModel:
    """Build the Pyomo model; reads like the table of contents of the formulation.

    The large families are built the cheap way Pyomo allows, which took the build at 1,000
    dense districts (148,000 columns) from 1.2 s to 0.5 s: index sets wrap the instance's lists
    (``SetOf``, no copy or validation), variables are looked up once into dicts, and sums are
    ``LinearExpression`` objects made from their term lists (``quicksum`` grows them one term
    at a time). Python's cyclic garbage collector is paused meanwhile, as Pyomo's own writers
    do: the build creates hundreds of thousands of objects and nothing to collect.
    """
    with PauseGC():
        model = pyo.ConcreteModel(name="cluster_siting")
        declare_variables(model, instance)
        v = _Columns(
            dict(zip(instance.sites, model.y.values(), strict=True)),
            dict(zip(instance.members, model.x.values(), strict=True)),
            dict(zip(instance.pairs, model.z.values(), strict=True)),
        )
        declare_objective(model, instance, v)
        add_sites_per_type(model, instance, v)
        add_district_capacity(model, instance, v)
        add_members_need_core(model, instance, v)
        add_one_membership(model, instance, v)
        add_catchment_size(model, instance, v)
        pair_groups = _pair_groups(instance, v)
        add_pair_logic(model, instance, v, pair_groups)
        add_pair_bounds(model, instance, v, pair_groups)
        add_min_border_sites(model, instance)
        add_group_limits(model, instance)
        add_locks(model, instance)
        add_budget(model, instance)
    return model


@dataclass(frozen=True)
class _Columns:
    """The model's variables by index, looked up once (``model.y[s]`` costs a microsecond)."""

    y: dict[Site, VarData]
    x: dict[Member, VarData]
    z: dict[Pair, VarData]


def _sum(terms: Iterable[object]) -> LinearExpression:
    """Σ terms (variables or ``_times`` products) as one Pyomo linear expression."""
    return LinearExpression(list(terms))


def _at_most(left: object, right: object) -> InequalityExpression:
    """left ≤ right, made directly (``<=`` first dispatches on both operands' types)."""
    return InequalityExpression((left, right), False)


def _times(coef: float, var: VarData) -> MonomialTermExpression:
    """coef · var as a Pyomo term."""
    return MonomialTermExpression((coef, var))


def declare_variables(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    # SetOf wraps a sequence without copying or validating it; the tuples keep later edits
    # of the instance's lists out of the model (build_model's strict zips catch duplicates)
    model.y = pyo.Var(pyo.SetOf(tuple(instance.sites)), domain=pyo.Binary)
    model.x = pyo.Var(pyo.SetOf(tuple(instance.members)), domain=pyo.Binary)
    model.z = pyo.Var(pyo.SetOf(tuple(instance.pairs)), bounds=(0, 1))


def declare_objective(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    coefs = [instance.core_coef(s) for s in v.y]
    coefs += map(instance.member_coef.__getitem__, v.x)
    coefs += map(instance.pair_coef.__getitem__, v.z)
    variables = [*v.y.values(), *v.x.values(), *v.z.values()]
    terms = list(map(MonomialTermExpression, zip(coefs, variables, strict=True)))
    model.objective = pyo.Objective(expr=LinearExpression(terms), sense=pyo.maximize)


def add_sites_per_type(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """1. min_k ≤ Σ_i y[k,i] ≤ max_k (a type with no allowed site gets the empty sum)."""
    by_type: dict[str, list[VarData]] = {k: [] for k in instance.types}
    for site, var in v.y.items():
        by_type[site[0]].append(var)
    model.sites_per_type = pyo.Constraint(
        instance.types,
        rule=lambda m, k: _ranged(
            instance.site_range[k][0],
            _sum(by_type[k]),
            instance.site_range[k][1],
            count=len(by_type[k]),
        ),
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
    by_district: dict[str, list[VarData]] = defaultdict(list)
    for site, var in v.y.items():
        by_district[site[1]].append(var)
    crowded = [i for i in instance.districts if len(by_district[i]) > instance.capacity]
    model.district_capacity = pyo.Constraint(
        pyo.SetOf(tuple(crowded)),
        rule=lambda m, i: _at_most(_sum(by_district[i]), instance.capacity),
    )


def add_members_need_core(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """3. x[k,i,j] ≤ y[k,i] (implied by 5, kept because it tightens the LP relaxation)."""
    x, y = v.x, v.y
    model.members_need_core = pyo.Constraint(
        pyo.SetOf(tuple(instance.members)), rule=lambda m, k, i, j: _at_most(x[k, i, j], y[k, i])
    )


def add_one_membership(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """4. Σ_i x[k,i,j] + y[k,j] ≤ 1 for every (k, j) that some member arc reaches."""
    arcs_into: dict[tuple[str, str], list[VarData]] = defaultdict(list)
    for arc, var in v.x.items():
        arcs_into[(arc[0], arc[2])].append(var)
    keys = [key for key, arcs in arcs_into.items() if len(arcs) > 1 or key in v.y]

    def rule(m: pyo.ConcreteModel, k: str, j: str) -> object:
        own_core = [v.y[k, j]] if (k, j) in v.y else []
        return _at_most(_sum(arcs_into[(k, j)] + own_core), 1)

    model.one_membership = pyo.Constraint(pyo.SetOf(tuple(keys)), rule=rule)


def add_catchment_size(model: pyo.ConcreteModel, instance: SitingInstance, v: _Columns) -> None:
    """5. Σ_j x[k,i,j] ≤ max_members · y[k,i], where more arcs than max_members leave the core."""
    arcs_out: dict[tuple[str, str], list[VarData]] = defaultdict(list)
    for arc, var in v.x.items():
        arcs_out[(arc[0], arc[1])].append(var)
    cap = instance.max_members
    keys = [site for site, arcs in arcs_out.items() if len(arcs) > cap]
    model.catchment_size = pyo.Constraint(
        pyo.SetOf(tuple(keys)),
        rule=lambda m, k, i: _at_most(_sum(arcs_out[(k, i)]), _times(cap, v.y[k, i])),
    )


def add_pair_logic(
    model: pyo.ConcreteModel,
    instance: SitingInstance,
    v: _Columns,
    groups: _PairGroups | None = None,
) -> None:
    """6. z[k,i,k',j] ≤ y[k,i] and z[k,i,k',j] ≤ y[k',j].

    A row is left out where family 8 holds Σ_j z[k,i,k',j] ≤ y[k,i] with max_k' = 1: with
    z ≥ 0 that sum implies every z[k,i,k',j] ≤ y[k,i], in the LP relaxation as well. With the
    default of one site per type this removes nearly all of these rows (170,000 of 244,000
    rows at 1,000 dense districts) without changing the feasible set or the LP bound.
    """
    groups = groups or _pair_groups(instance, v)
    first = [p for p in instance.pairs if (p[0], p[1], p[2]) not in groups.first_tight]
    second = [p for p in instance.pairs if (p[2], p[3], p[0]) not in groups.second_tight]
    y, z = v.y, v.z
    model.pair_first_core = pyo.Constraint(
        pyo.SetOf(tuple(first)), rule=lambda m, k, i, k2, j: _at_most(z[k, i, k2, j], y[k, i])
    )
    model.pair_second_core = pyo.Constraint(
        pyo.SetOf(tuple(second)), rule=lambda m, k, i, k2, j: _at_most(z[k, i, k2, j], y[k2, j])
    )


@dataclass
class _PairGroups:
    """Pair variables grouped by one core and the other type, and which groups get a family-8
    row."""

    out_of: dict[tuple[str, str, str], list[VarData]]  # (k, i, k') -> z of the core (k, i)
    into: dict[tuple[str, str, str], list[VarData]]  # (k', j, k) -> z of the core (k', j)
    hi: dict[str, int]
    first: list[tuple[str, str, str]]  # out_of groups with a family-8 row
    second: list[tuple[str, str, str]]  # into groups with a family-8 row
    first_tight: set[tuple[str, str, str]]  # ... whose row has coefficient 1 (max = 1)
    second_tight: set[tuple[str, str, str]]


def _pair_groups(instance: SitingInstance, v: _Columns) -> _PairGroups:
    out_of: dict[tuple[str, str, str], list[VarData]] = defaultdict(list)
    into: dict[tuple[str, str, str], list[VarData]] = defaultdict(list)
    for (k, i, k2, j), var in v.z.items():
        out_of[(k, i, k2)].append(var)
        into[(k2, j, k)].append(var)
    hi = {k: instance.site_range[k][1] for k in instance.types}
    first = [key for key, pairs in out_of.items() if len(pairs) > hi[key[2]]]
    second = [key for key, pairs in into.items() if len(pairs) > hi[key[2]]]
    return _PairGroups(
        out_of,
        into,
        hi,
        first,
        second,
        {key for key in first if hi[key[2]] == 1},
        {key for key in second if hi[key[2]] == 1},
    )


def add_pair_bounds(
    model: pyo.ConcreteModel,
    instance: SitingInstance,
    v: _Columns,
    groups: _PairGroups | None = None,
) -> None:
    """8. Valid inequalities Σ_j z[k,i,k',j] ≤ max_k'·y[k,i] and Σ_i z[k,i,k',j] ≤ max_k·y[k',j].

    They follow from 1 and 6 (at most max_k' cores of type k' can pair with the core (k,i)), so
    they remove no integer solution, but they close most of the LP gap that the pair logic
    alone leaves (with one site per type, the LP otherwise spreads every y thinly). A group
    with no more pairs than max_k' gets no row: the pair logic already implies it.
    """
    groups = groups or _pair_groups(instance, v)
    out_of, into, hi, first, second = (
        groups.out_of,
        groups.into,
        groups.hi,
        groups.first,
        groups.second,
    )
    y = v.y
    model.pair_bound_first = pyo.Constraint(
        pyo.SetOf(tuple(first)),
        rule=lambda m, k, i, k2: _at_most(_sum(out_of[(k, i, k2)]), _times(hi[k2], y[k, i])),
    )
    model.pair_bound_second = pyo.Constraint(
        pyo.SetOf(tuple(second)),
        rule=lambda m, k2, j, k: _at_most(_sum(into[(k2, j, k)]), _times(hi[k], y[k2, j])),
    )


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
    """7b. min_sites ≤ Σ cores in the group's districts ≤ max_sites, per named group."""
    members_of = [set(group.districts) for group in instance.groups]
    model.group_limits = pyo.Constraint(
        range(len(instance.groups)),
        rule=lambda m, g: _ranged(
            instance.groups[g].min_sites,
            pyo.quicksum(m.y[s] for s in instance.sites if s[1] in members_of[g]),
            instance.groups[g].max_sites,
            count=sum(1 for s in instance.sites if s[1] in members_of[g]),
        ),
    )


def add_locks(model: pyo.ConcreteModel, instance: SitingInstance) -> None:
    """7c. Locked cores: y[k,i] = 1; a lock on an excluded site makes the model infeasible."""
    allowed = set(instance.sites)
    locks = list(dict.fromkeys(instance.locks))
    model.locks = pyo.Constraint(
        range(len(locks)),
        rule=lambda m, n: (
            (m.y[locks[n]] == 1) if locks[n] in allowed else pyo.Constraint.Infeasible
        ),
    )


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
