r"""Uncapacitated facility location, UFLP (Balinski 1965; Cornuéjols, Nemhauser & Wolsey 1990):
open any number of sites so that fixed costs plus service costs are least.

Sets and parameters
    :math:`I` clients with weights :math:`w_i`, :math:`J` sites with fixed costs :math:`f_j`,
    distances :math:`d_{ij}` (service cost :math:`w_i d_{ij}`; OR-Library files give the cost of
    the whole demand, read with :math:`w_i = 1`), predefined facilities :math:`E` (open; their
    fixed cost is counted, a constant). For client *i*, :math:`D_i^1 < \dots < D_i^{K_i}` are
    the distinct values of :math:`d_{i\cdot}` and :math:`S_i^k = \{j : d_{ij} = D_i^k\}`.

Radius formulation (``formulation='radius'``; Cornuéjols, Nemhauser & Wolsey 1980, Elloumi
2010). Variables :math:`y_j \in \{0,1\}`, :math:`z_i^k \in [0,1]` (no open site within
:math:`D_i^k` of *i*):

.. math::

    \min \; & \sum_j f_j y_j + \sum_i w_i \Big( D_i^1 + \sum_{k=1}^{K_i - 1}
        (D_i^{k+1} - D_i^k)\, z_i^k \Big) \\
    \text{s.t.}\; & z_i^1 + \sum_{j \in S_i^1} y_j \ge 1, \qquad
      z_i^k + \sum_{j \in S_i^k} y_j \ge z_i^{k-1} \;\; (2 \le k < K_i), \\
    & y_j = 1 \;\; (j \in E).

Textbook ("strong") formulation (the default: HiGHS solves the OR-Library capa/b/c faster in
it): :math:`x_{ij} \in [0,1]`,
:math:`\min \sum_j f_j y_j + \sum_{ij} w_i d_{ij} x_{ij}` s.t. :math:`\sum_j x_{ij} = 1`,
:math:`x_{ij} \le y_j`. Both have the same LP bound. Unless ``Params.reduce`` is off,
sites are first fixed open or closed by Lagrangian bounds (:mod:`model.classic.uflp_reduce`)
and the MIP is built on the sites left.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from model.classic import uflp_reduce
from model.classic.base import (
    Evaluation,
    LocationData,
    Params,
    Prepared,
    Solution,
    common_violations,
    declare_sites,
    nearest_open,
)
from model.classic.pmedian import add_assignment_distance
from model.classic.radius import add_covering_distance, all_radii
from model.errors import InputError

NAME = "uflp"
SENSE = pyo.minimize
# the MIP alone (no reduction) on capa/b/c with HiGHS 1.16: textbook 4.3 / 4.3 / 24 s against
# radius 8.3 / 8.7 / 33 s
DEFAULT_FORMULATION = "textbook"


def fixed_costs(data: LocationData) -> np.ndarray:
    """The sites' fixed costs; an error when the data have none."""
    if data.fixed_costs is None:
        raise InputError(data.name, None, "the UFLP needs fixed costs per site (--fixed-cost)")
    return data.fixed_costs


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The UFLP MIP in the chosen formulation."""
    costs = fixed_costs(data)
    model = declare_sites(data)
    formulation = params.formulation or DEFAULT_FORMULATION
    if formulation == "radius":
        radii = all_radii(data.distances, existing=data.existing_index)
        service = add_covering_distance(model, data.weights, radii)
    elif formulation == "textbook":
        service = add_assignment_distance(model, data)
    else:
        raise InputError(None, "--formulation", "expected radius or textbook")
    opening = pyo.quicksum(float(costs[j]) * model.y[j] for j in model.y)
    model.objective = pyo.Objective(expr=opening + service, sense=SENSE)
    return model


def prepare(data: LocationData, params: Params, deadline: float | None = None) -> Prepared:
    """Sites fixed by Lagrangian bounds before the MIP (``model.classic.uflp_reduce``)."""
    fixed_costs(data)
    return uflp_reduce.prepare(data, params, deadline)


def evaluate(data: LocationData, params: Params, solution: Solution) -> Evaluation:
    """Fixed costs of the open sites plus each client's cost at its cheapest open site."""
    costs = fixed_costs(data)
    site, distance = nearest_open(data.distances, solution.open_sites)
    objective = float(costs[solution.open_sites].sum() + np.dot(data.weights, distance))
    return Evaluation(objective, site.tolist(), common_violations(data, solution, None))
