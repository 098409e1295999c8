r"""p-median (Hakimi 1964; ReVelle & Swain 1970): open p sites so that the demand-weighted
distance from every client to its nearest open site is least.

Sets and parameters
    :math:`I` clients with weights :math:`w_i \ge 0`; :math:`J` candidate sites;
    :math:`d_{ij}` distances; :math:`E \subseteq J` predefined (existing) facilities;
    :math:`p \ge |E|` facilities in all. For client *i*, :math:`D_i^1 < \dots < D_i^{K_i}` are
    the distinct values of :math:`d_{i\cdot}` and :math:`S_i^k = \{j : d_{ij} = D_i^k\}`.

Radius formulation (default; Elloumi 2010, after Cornuéjols, Nemhauser & Wolsey 1980; García,
Labbé & Marín 2011). Variables :math:`y_j \in \{0,1\}` (site *j* open),
:math:`z_i^k \in [0,1]` (no open site within :math:`D_i^k` of client *i*):

.. math::

    \min \; & \sum_{i \in I} w_i \Big( D_i^1 + \sum_{k=1}^{K_i - 1}
        (D_i^{k+1} - D_i^k)\, z_i^k \Big) \\
    \text{s.t.}\; & \sum_{j \in J} y_j = p, \qquad y_j = 1 \;\; (j \in E), \\
    & z_i^1 + \sum_{j \in S_i^1} y_j \ge 1, \qquad
      z_i^k + \sum_{j \in S_i^k} y_j \ge z_i^{k-1} \;\; (2 \le k < K_i).

Levels beyond the ball of :math:`|J| - p + 1` sites, or beyond the nearest predefined facility,
are left out: an open site is certain there (``model.classic.radius``).

Before the MIP (``Params.reduce``, on by default), ``model.classic.lagrange`` closes and opens
sites that no solution at least as good as a swap heuristic's can use otherwise (Lagrangian
bounds), then runs a Lagrangian branch and bound over the sites left. When the search finishes
within its work limit, the MIP keeps only the sites of the solution it proved optimal, all
opened (the solver then merely confirms and the objective is recomputed from the data); when it
gives up, probing fixes more sites and the MIP is built over the undecided sites only, with the
opened ones as predefined facilities. Either way its optimum is the optimum of the full
problem.

Textbook formulation (``formulation='textbook'``, ReVelle & Swain 1970), for comparison:
:math:`x_{ij} \in [0,1]` client *i* served by *j*;
:math:`\min \sum_{ij} w_i d_{ij} x_{ij}` s.t. :math:`\sum_j x_{ij} = 1`,
:math:`x_{ij} \le y_j`, :math:`\sum_j y_j = p`, :math:`y_j = 1 \; (j \in E)`.
Both have the same LP bound; the radius one has far fewer variables and non-zeros.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyomo.environ as pyo

from model.classic.base import (
    Evaluation,
    LocationData,
    Params,
    Prepared,
    Solution,
    add_site_count,
    common_violations,
    declare_sites,
    nearest_open,
    require_p,
)
from model.classic.lagrange import Reduction, branch_and_bound, past, probe_sites, reduce_sites
from model.classic.radius import add_covering_distance, all_radii
from model.errors import InputError

NAME = "pmedian"
SENSE = pyo.minimize
FORMULATIONS = ("radius", "textbook")
DEFAULT_FORMULATION = "radius"


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The p-median MIP in the chosen formulation."""
    p = require_p(data, params, NAME)
    model = declare_sites(data)
    add_site_count(model, p)
    formulation = params.formulation or DEFAULT_FORMULATION
    if formulation == "radius":
        radii = all_radii(data.distances, open_count=p, existing=data.existing_index)
        cost = add_covering_distance(model, data.weights, radii)
    elif formulation == "textbook":
        cost = add_assignment_distance(model, data)
    else:
        raise InputError(None, "--formulation", f"expected one of {', '.join(FORMULATIONS)}")
    model.objective = pyo.Objective(expr=cost, sense=SENSE)
    return model


def add_assignment_distance(model: pyo.ConcreteModel, data: LocationData) -> pyo.Expression:
    """Add x[i, j] ≤ y[j] and Σ_j x[i, j] = 1; return Σ w_i d_ij x_ij."""
    n_clients, n_sites = data.distances.shape
    pairs = [(i, j) for i in range(n_clients) for j in range(n_sites)]
    model.x = pyo.Var(pairs, bounds=(0, 1))
    x, y = model.x, model.y
    model.assign = pyo.Constraint(
        range(n_clients), rule=lambda _, i: pyo.quicksum(x[i, j] for j in range(n_sites)) == 1
    )
    model.open_only = pyo.Constraint(pairs, rule=lambda _, i, j: x[i, j] <= y[j])
    return pyo.quicksum(float(data.weights[i] * data.distances[i, j]) * x[i, j] for i, j in pairs)


def prepare(data: LocationData, params: Params, deadline: float | None = None) -> Prepared:
    """Fix sites by Lagrangian bounds; then either prove a solution optimal by Lagrangian branch
    and bound (the MIP keeps only its sites, all opened) or, when the search gives up, probe and
    keep the undecided and the opened sites. Every step stops at ``deadline``
    (``time.monotonic()``) with what it has."""
    p = require_p(data, params, NAME)
    costs = data.weights[:, None] * data.distances
    found = reduce_sites(costs, p, data.existing_index, probe=False, deadline=deadline)
    method = "bounds"
    if found.upper_bound - found.lower_bound > 1e-9 * max(1.0, abs(found.upper_bound)):
        search = branch_and_bound(costs, p, found, deadline=deadline)
        if search.proven:
            method = f"branch and bound, {search.nodes} nodes"
            closed = np.ones(len(data.sites), dtype=bool)
            closed[search.sites] = False
            found = Reduction(
                closed, ~closed, search.cost, search.cost, search.sites, found.multipliers
            )
        else:
            method = f"bounds, probing ({search.nodes} nodes of branch and bound gave up)"
            if past(deadline):
                method = f"bounds, cut at the time limit after {search.nodes} nodes"
            found = probe_sites(
                costs,
                p,
                replace(found, upper_bound=search.cost, heuristic=search.sites),
                deadline,
            )
    keep = np.flatnonzero(~found.closed)
    narrowed = replace(data, fixed_costs=None, capacities=None).narrowed(keep, found.opened)
    opened = narrowed.existing
    notes = (
        f"reduction ({method}): {int(found.closed.sum())} sites closed, {len(opened)} opened, "
        f"{len(keep) - len(opened)} left to the MIP; bounds {found.lower_bound:.6g} .. "
        f"{found.upper_bound:.6g}"
    )
    return Prepared(narrowed, keep.tolist(), found.lower_bound, Solution(found.heuristic), notes)


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """Σ_i w_i · distance to the nearest open site, from the data alone."""
    site, distance = nearest_open(data.distances, solution.open_sites)
    objective = float(np.dot(data.weights, distance))
    return Evaluation(objective, site.tolist(), common_violations(data, solution, params.p))
