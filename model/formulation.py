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
       :math:`\sum_i z_{kik'j} \le max_k\, y_{k'j}`;
    9. capacity products (valid inequalities, no integer solution removed): for each core
       :math:`(k,i)`, over its pairs with a partner in the same district,
       :math:`\sum_{k'} z_{(k,i)(k',i)} \le (C - 1)\, y_{ki}` (family 2 multiplied by
       :math:`y_{ki}`; ``model.pair_rows.add_capacity_products``).

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

from itertools import chain

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from model.compact_rows import CompactCooperation, compact_cooperation
from model.instance import SitingInstance
from model.row_sink import ModelSink
from model.rows import (
    COOPERATION_FORMS,
    Columns,
    _Compact,
    add_rows,
    checked_form,
    columns_of,
    compact_terms,
    objective_costs,
)
from solvers.matrix_rows import add_matrix_objective, component_values

__all__ = ["COOPERATION_FORMS", "CompactCooperation", "build_model", "compact_cooperation"]


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
