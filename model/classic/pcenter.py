r"""p-center (Hakimi 1965): open p sites so that the largest distance from a client to its
nearest open site is least (unweighted).

Sets and parameters
    :math:`I` clients, :math:`J` sites, distances :math:`d_{ij}`, predefined facilities
    :math:`E`, :math:`p \ge |E|`. :math:`R^1 < \dots < R^K` are the distinct distances between
    a lower bound :math:`\max_i \min_j d_{ij}` and the radius of a greedy solution (the optimum
    lies between them).

Radius formulation (Elloumi, Labbé & Pochet 2004). Variables :math:`y_j \in \{0,1\}`,
:math:`u_k \in \{0,1\}` (:math:`k < K`: the radius exceeds :math:`R^k`):

.. math::

    \min \; & R^1 + \sum_{k=1}^{K-1} (R^{k+1} - R^k)\, u_k \\
    \text{s.t.}\; & u_k + \sum_{j : d_{ij} \le R^k} y_j \ge 1
        \quad (i \in I,\ k < K), \\
    & \sum_{j : d_{ij} \le R^K} y_j \ge 1 \quad (i \in I), \\
    & u_{k+1} \le u_k, \qquad \sum_j y_j = p, \qquad y_j = 1 \;\; (j \in E).

A client's covering row is written only at the last level before its own ball grows (the
earlier ones are implied through :math:`u_{k+1} \le u_k`).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from model.classic.base import (
    Evaluation,
    LocationData,
    Params,
    Solution,
    add_site_count,
    common_violations,
    declare_sites,
    nearest_open,
    require_p,
)

NAME = "pcenter"
SENSE = pyo.minimize


def greedy_radius(data: LocationData, p: int) -> float:
    """Radius of the farthest-first solution (Gonzalez 1985), from the predefined sites."""
    chosen = list(data.existing_index)
    if not chosen:
        chosen.append(int(np.argmin(data.distances.max(axis=0))))
    while len(chosen) < p:
        _, distance = nearest_open(data.distances, chosen)
        far = int(np.argmax(distance))
        row = data.distances[far].copy()
        row[chosen] = np.inf
        chosen.append(int(np.argmin(row)))
    return float(nearest_open(data.distances, chosen)[1].max())


def levels(data: LocationData, p: int) -> np.ndarray:
    """Distinct distances between the lower bound and the greedy radius."""
    lower = float(data.distances.min(axis=1).max())
    upper = greedy_radius(data, p)
    values = np.unique(data.distances)
    return values[(values >= lower) & (values <= upper)]


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The p-center MIP (radius formulation)."""
    p = require_p(data, params, NAME)
    radii = levels(data, p)
    model = declare_sites(data)
    add_site_count(model, p)
    steps = list(range(len(radii) - 1))
    model.u = pyo.Var(steps, domain=pyo.Binary)
    u, y = model.u, model.y
    model.monotone = pyo.Constraint(steps[1:], rule=lambda _, k: u[k] <= u[k - 1])
    rows = []
    for i in range(len(data.clients)):
        # the client's ball grows at the levels equal to one of its distances: keep the level
        # just before each (and the last level)
        grows = np.searchsorted(radii, np.unique(data.distances[i]))
        kept = {int(k) - 1 for k in grows if 1 <= k < len(radii)}
        if steps:
            kept.add(steps[-1])
        rows += [(i, k) for k in sorted(kept)]
    model.cover = pyo.Constraint(
        rows,
        rule=lambda _, i, k: (
            u[k] + pyo.quicksum(y[int(j)] for j in np.flatnonzero(data.distances[i] <= radii[k]))
            >= 1
        ),
    )
    top = float(radii[-1])
    model.reach = pyo.Constraint(
        range(len(data.clients)),
        rule=lambda _, i: (
            pyo.quicksum(y[int(j)] for j in np.flatnonzero(data.distances[i] <= top)) >= 1
        ),
    )
    model.objective = pyo.Objective(
        expr=float(radii[0]) + pyo.quicksum(float(radii[k + 1] - radii[k]) * u[k] for k in steps),
        sense=SENSE,
    )
    return model


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """The largest distance from a client to its nearest open site."""
    site, distance = nearest_open(data.distances, solution.open_sites)
    return Evaluation(
        float(distance.max()), site.tolist(), common_violations(data, solution, params.p)
    )
