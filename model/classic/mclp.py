r"""Maximal covering location problem, MCLP (Church & ReVelle 1974): open p sites so that the
demand within the service radius of an open site is greatest.

Sets and parameters
    :math:`I` clients with weights :math:`w_i`, :math:`J` sites, distances :math:`d_{ij}`,
    service radius :math:`S`, :math:`N_i = \{j : d_{ij} \le S\}`, predefined facilities
    :math:`E`, :math:`p \ge |E|`.

Variables :math:`y_j \in \{0,1\}` (site open), :math:`c_i \in [0,1]` (client covered):

.. math::

    \max \; \sum_{i} w_i c_i \quad \text{s.t.} \quad
    c_i \le \sum_{j \in N_i} y_j, \qquad \sum_j y_j = p, \qquad y_j = 1 \;\; (j \in E).

Clients with no site in reach cannot be covered and get no variable.
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
    require_radius,
)

NAME = "mclp"
SENSE = pyo.maximize


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The MCLP MIP."""
    p = require_p(data, params, NAME)
    radius = require_radius(params, NAME)
    reach = data.distances <= radius
    model = declare_sites(data)
    add_site_count(model, p)
    coverable = [i for i in range(len(data.clients)) if reach[i].any()]
    model.c = pyo.Var(coverable, bounds=(0, 1))
    y, c = model.y, model.c
    model.cover = pyo.Constraint(
        coverable,
        rule=lambda _, i: c[i] <= pyo.quicksum(y[int(j)] for j in np.flatnonzero(reach[i])),
    )
    model.objective = pyo.Objective(
        expr=pyo.quicksum(float(data.weights[i]) * c[i] for i in coverable), sense=SENSE
    )
    return model


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """Demand within the radius of an open site; uncovered clients are assigned to -1."""
    radius = require_radius(params, NAME)
    site, distance = nearest_open(data.distances, solution.open_sites)
    covered = distance <= radius
    assignment = np.where(covered, site, -1)
    objective = float(np.dot(data.weights, covered))
    return Evaluation(objective, assignment.tolist(), common_violations(data, solution, params.p))
