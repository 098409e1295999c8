r"""p-dispersion (Kuby 1987): open p sites as far from each other as possible, i.e. maximise the
smallest distance between two open sites (clients play no part).

Sets and parameters
    :math:`J` sites with distances :math:`d_{ab}` between them (the site × site matrix),
    predefined facilities :math:`E`, :math:`p \ge \max(2, |E|)`. :math:`R^1 < \dots < R^K` are
    the distinct distances between two different sites.

Radius formulation (a level form of Kuby's model without its big-M; cf. Sayah & Irnich 2017).
Variables :math:`y_a \in \{0,1\}`, :math:`u_k \in \{0,1\}` (:math:`k < K`: every pair of open
sites is at least :math:`R^{k+1}` apart):

.. math::

    \max \; & R^1 + \sum_{k=1}^{K-1} (R^{k+1} - R^k)\, u_k \\
    \text{s.t.}\; & y_a + y_b + u_k \le 2 \quad (a < b,\ d_{ab} = R^k,\ k < K), \\
    & u_{k+1} \le u_k, \qquad \sum_a y_a = p, \qquad y_a = 1 \;\; (a \in E).
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

NAME = "pdispersion"
SENSE = pyo.maximize


def _pairs(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b = np.triu_indices(matrix.shape[0], k=1)
    return a, b, matrix[a, b]


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The p-dispersion MIP (level formulation)."""
    p = require_p(data, params, NAME)
    if p < 2:
        raise InputError(None, "--p", "p-dispersion needs p ≥ 2 (a pair of open sites)")
    first, second, distance = _pairs(data.dispersion_matrix())
    radii = np.unique(distance)
    level = np.searchsorted(radii, distance)
    model = declare_sites(data)
    add_site_count(model, p)
    steps = list(range(len(radii) - 1))
    model.u = pyo.Var(steps, domain=pyo.Binary)
    u, y = model.u, model.y
    model.monotone = pyo.Constraint(steps[1:], rule=lambda _, k: u[k] <= u[k - 1])
    rows = [n for n in range(len(distance)) if level[n] < len(radii) - 1]
    model.apart = pyo.Constraint(
        rows,
        rule=lambda _, n: y[int(first[n])] + y[int(second[n])] + u[int(level[n])] <= 2,
    )
    model.objective = pyo.Objective(
        expr=float(radii[0]) + pyo.quicksum(float(radii[k + 1] - radii[k]) * u[k] for k in steps),
        sense=SENSE,
    )
    return model


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """The smallest distance between two open sites."""
    chosen = np.asarray(solution.open_sites, dtype=int)
    matrix = data.dispersion_matrix()[np.ix_(chosen, chosen)]
    objective = float(_pairs(matrix)[2].min()) if len(chosen) >= 2 else float("inf")
    problems = common_violations(data, solution, params.p)
    return Evaluation(objective, [-1] * len(data.clients), problems)
