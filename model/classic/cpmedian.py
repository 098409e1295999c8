r"""Capacitated p-median (Mulvey & Beck 1984): open p sites and assign every client, whole, to an
open site without exceeding its capacity, so that the demand-weighted distance is least.

Sets and parameters
    :math:`I` clients with demands :math:`w_i`, :math:`J` sites with capacities :math:`Q_j`
    (from the data, or one ``Params.capacity`` for all), distances :math:`d_{ij}`, predefined
    facilities :math:`E`, :math:`p \ge |E|`.

Variables :math:`y_j \in \{0,1\}`, :math:`x_{ij} \in \{0,1\}` (client *i* served by *j*):

.. math::

    \min \; & \sum_{ij} w_i d_{ij} x_{ij} \\
    \text{s.t.}\; & \sum_j x_{ij} = 1, \qquad x_{ij} \le y_j, \qquad
      \sum_i w_i x_{ij} \le Q_j\, y_j, \\
    & \sum_j y_j = p, \qquad y_j = 1 \;\; (j \in E).

The client is not served by its nearest open site when that one is full, so the assignment is
part of the solution and is checked against the capacities.
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
    require_p,
)
from model.errors import InputError

NAME = "cpmedian"
SENSE = pyo.minimize
CAPACITY_TOLERANCE = 1e-6


def capacities(data: LocationData, params: Params) -> np.ndarray:
    """Per-site capacities: the uniform ``params.capacity`` if given, else the data's."""
    if params.capacity is not None:
        if not params.capacity > 0:
            raise InputError(None, "--capacity", "expected a capacity > 0")
        return np.full(len(data.sites), float(params.capacity))
    if data.capacities is None:
        raise InputError(data.name, None, "the capacitated p-median needs capacities (--capacity)")
    return data.capacities


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The capacitated p-median MIP (single sourcing)."""
    p = require_p(data, params, NAME)
    limit = capacities(data, params)
    n_clients, n_sites = data.distances.shape
    model = declare_sites(data)
    add_site_count(model, p)
    pairs = [(i, j) for i in range(n_clients) for j in range(n_sites)]
    model.x = pyo.Var(pairs, domain=pyo.Binary)
    x, y = model.x, model.y
    model.assign_to = pyo.Constraint(
        range(n_clients), rule=lambda _, i: pyo.quicksum(x[i, j] for j in range(n_sites)) == 1
    )
    model.open_only = pyo.Constraint(pairs, rule=lambda _, i, j: x[i, j] <= y[j])
    model.capacity = pyo.Constraint(
        range(n_sites),
        rule=lambda _, j: (
            pyo.quicksum(float(data.weights[i]) * x[i, j] for i in range(n_clients))
            <= float(limit[j]) * y[j]
        ),
    )
    model.objective = pyo.Objective(
        expr=pyo.quicksum(
            float(data.weights[i] * data.distances[i, j]) * x[i, j] for i, j in pairs
        ),
        sense=SENSE,
    )
    return model


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """Cost of the given assignment; every client assigned to an open site within capacity."""
    limit = capacities(data, params)
    assignment = solution.assignment
    problems = common_violations(data, solution, params.p)
    if assignment is None:
        return Evaluation(float("inf"), [-1] * len(data.clients), [*problems, "no assignment"])
    chosen = np.asarray(assignment, dtype=int)
    open_set = set(solution.open_sites)
    load = np.zeros(len(data.sites))
    for client, site in zip(data.clients, chosen, strict=True):
        if site < 0 or site not in open_set:
            problems.append(f"client {client} is not assigned to an open site")
    served = chosen >= 0
    np.add.at(load, chosen[served], data.weights[served])
    problems += [
        f"site {data.sites[j]} serves {load[j]:g} > capacity {limit[j]:g}"
        for j in range(len(data.sites))
        if load[j] > limit[j] * (1 + CAPACITY_TOLERANCE) + CAPACITY_TOLERANCE
    ]
    rows = np.flatnonzero(served)
    objective = float(np.dot(data.weights[rows], data.distances[rows, chosen[rows]]))
    return Evaluation(objective, chosen.tolist(), problems)
