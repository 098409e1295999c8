r"""Location set covering problem, LSCP (Toregas, Swain, ReVelle & Bergman 1971): the fewest
sites such that every client has an open site within the service radius.

Sets and parameters
    :math:`I` clients, :math:`J` sites, distances :math:`d_{ij}`, service radius :math:`S`,
    :math:`N_i = \{j : d_{ij} \le S\}`, predefined facilities :math:`E`.

Variables :math:`y_j \in \{0,1\}`:

.. math::

    \min \; \sum_j y_j \quad \text{s.t.} \quad
    \sum_{j \in N_i} y_j \ge 1 \;\; (i \in I), \qquad y_j = 1 \;\; (j \in E).

The count includes the predefined facilities. A client with no site in reach makes the problem
infeasible; the solver says so, and :func:`unreachable` names those clients.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from model.classic.base import (
    Evaluation,
    LocationData,
    Params,
    Solution,
    common_violations,
    declare_sites,
    nearest_open,
    require_radius,
)

NAME = "lscp"
SENSE = pyo.minimize


def unreachable(data: LocationData, params: Params) -> list[str]:
    """Clients with no site within the radius."""
    radius = require_radius(params, NAME)
    return [c for c, row in zip(data.clients, data.distances, strict=True) if row.min() > radius]


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The LSCP MIP."""
    radius = require_radius(params, NAME)
    reach = data.distances <= radius
    model = declare_sites(data)
    y = model.y

    def cover(_: pyo.ConcreteModel, i: int) -> object:
        sites = np.flatnonzero(reach[i])
        if sites.size == 0:
            return pyo.Constraint.Infeasible  # the solver layer reports 'infeasible'
        return pyo.quicksum(y[int(j)] for j in sites) >= 1

    model.cover = pyo.Constraint(range(len(data.clients)), rule=cover)
    model.objective = pyo.Objective(expr=pyo.quicksum(y.values()), sense=SENSE)
    return model


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """Number of open sites; every client must have one within the radius."""
    radius = require_radius(params, NAME)
    site, distance = nearest_open(data.distances, solution.open_sites)
    problems = common_violations(data, solution, None)
    problems += [
        f"client {c} has no open site within {radius:g}"
        for c, d in zip(data.clients, distance, strict=True)
        if d > radius
    ]
    return Evaluation(float(len(solution.open_sites)), site.tolist(), problems)
