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

Threshold search (``formulation='threshold'``, the default). The optimum is one of the
:math:`R^k`, and "is there a choice of p sites pairwise at least :math:`r` apart?" is monotone
in :math:`r`. So the search keeps an index ``lo`` known feasible (a greedy farthest-point
choice gives the first) and ``hi`` known infeasible (past the largest distance), and decides
the middle level with the MIP

.. math::

    \sum_a y_a = p, \qquad \sum_{a \in C} y_a \le 1 \;\; (C \in \mathcal{C}_r), \qquad
    y_a = 1 \;\; (a \in E),

where :math:`\mathcal{C}_r` is a clique cover of the conflict graph (an edge between sites
closer than :math:`r`), built greedily: every conflicting pair lies in some clique, so the rows
say exactly "no two chosen sites closer than :math:`r`", and a clique row is the LP-tightest
way to say it for its members. A feasible answer moves ``lo`` to the smallest distance of the
choice found (often several levels at once); an infeasible one moves ``hi``. When
``hi = lo + 1``, :math:`R^{lo}` is optimal: a choice reaches it and no choice reaches the next
distance. About :math:`\log_2 K` decisions, each a small set-packing problem that HiGHS settles
at the root or in a few nodes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from solvers.base import SolverOptions, Status

if TYPE_CHECKING:
    from model.classic.solve import ClassicResult

NAME = "pdispersion"
SENSE = pyo.maximize
FORMULATIONS = ("threshold", "levels")
DEFAULT_FORMULATION = "threshold"


def _pairs(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b = np.triu_indices(matrix.shape[0], k=1)
    return a, b, matrix[a, b]


def formulation_of(params: Params) -> str:
    formulation = params.formulation or DEFAULT_FORMULATION
    if formulation not in FORMULATIONS:
        raise InputError(None, "--formulation", f"expected one of {', '.join(FORMULATIONS)}")
    return formulation


def build(data: LocationData, params: Params) -> pyo.ConcreteModel:
    """The p-dispersion MIP (level formulation; the threshold search solves several small
    MIPs instead, see :func:`search`)."""
    formulation_of(params)
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


def farthest_first(matrix: np.ndarray, p: int, existing: list[int]) -> list[int]:
    """Greedy: start from the predefined sites (or the farthest pair), then add the site
    farthest from those chosen until p are open."""
    if existing:
        chosen = list(existing)
    else:
        a, b = np.unravel_index(int(np.argmax(matrix)), matrix.shape)
        chosen = [int(a), int(b)] if a != b else [0]
    while len(chosen) < p:
        nearest = matrix[:, chosen].min(axis=1)
        nearest[chosen] = -np.inf
        chosen.append(int(np.argmax(nearest)))
    return sorted(chosen[:p]) if len(chosen) > p else sorted(chosen)


def clique_cover(close: np.ndarray) -> list[list[int]]:
    """Cliques of the graph ``close`` (symmetric boolean, no loops) covering every edge.

    Greedy: take an uncovered edge, grow a clique from it by adding the common neighbour with
    the most uncovered edges into the clique, and mark its edges covered.
    """
    uncovered = np.triu(close, k=1)
    cliques: list[list[int]] = []
    while uncovered.any():
        a, b = (int(v) for v in np.argwhere(uncovered)[0])
        clique = [a, b]
        common = close[a] & close[b]
        while common.any():
            candidates = np.flatnonzero(common)
            gain = (uncovered | uncovered.T)[np.ix_(candidates, np.asarray(clique))].sum(axis=1)
            c = int(candidates[int(np.argmax(gain))])
            clique.append(c)
            common &= close[c]
            common[c] = False
        for u in clique:
            for v in clique:
                if u < v:
                    uncovered[u, v] = False
        cliques.append(sorted(clique))
    return cliques


def decision_model(
    matrix: np.ndarray, p: int, existing: list[int], radius: float
) -> pyo.ConcreteModel:
    """p sites pairwise at least ``radius`` apart (a feasibility MIP over clique rows)."""
    close = matrix < radius
    np.fill_diagonal(close, False)
    model = pyo.ConcreteModel(name="pdispersion_decision")
    n = matrix.shape[0]
    model.y = pyo.Var(range(n), domain=pyo.Binary)
    for j in existing:
        model.y[j].fix(1)
    model.count = pyo.Constraint(expr=pyo.quicksum(model.y.values()) == p)
    cliques = clique_cover(close)
    model.apart = pyo.Constraint(
        range(len(cliques)), rule=lambda m, c: pyo.quicksum(m.y[a] for a in cliques[c]) <= 1
    )
    model.objective = pyo.Objective(expr=0.0, sense=pyo.maximize)
    return model


def search(
    data: LocationData, params: Params, adapter: Any, options: SolverOptions
) -> ClassicResult | None:
    """Solve by the threshold search of the module docstring (None for ``levels``).

    Every decision goes to ``adapter`` within what is left of ``options.time_limit``. A
    decision that runs out of time ends the search with the best choice so far
    (status time_limit, bound the smallest level not yet refuted).
    """
    from model.classic.solve import ClassicCheckError, ClassicResult

    if formulation_of(params) != "threshold":
        return None
    started = time.perf_counter()
    p = require_p(data, params, NAME)
    if p < 2:
        raise InputError(None, "--p", "p-dispersion needs p ≥ 2 (a pair of open sites)")
    matrix = np.asarray(data.dispersion_matrix(), dtype=float)
    existing = data.existing_index
    radii = np.unique(_pairs(matrix)[2])
    best = farthest_first(matrix, p, existing)
    lo = int(np.searchsorted(radii, _spread(matrix, best))) if best else -1
    hi = len(radii)
    deadline = None if options.time_limit is None else time.monotonic() + options.time_limit
    decisions, status, outcome = 0, "optimal", None
    while hi - lo > 1:
        middle = (lo + hi) // 2 if lo >= 0 else 0
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            status = "time_limit"
            break
        model = decision_model(matrix, p, existing, float(radii[middle]))
        outcome = adapter.solve(model, replace(options, time_limit=left))
        decisions += 1
        if outcome.status == Status.OPTIMAL and outcome.has_solution:
            found = sorted(j for j in model.y if (model.y[j].value or 0.0) > 0.5)
            if len(found) != p or _spread(matrix, found) < radii[middle]:
                raise ClassicCheckError(f"{NAME}: a decision's choice breaks its radius")
            best = found
            lo = int(np.searchsorted(radii, _spread(matrix, found)))
        elif outcome.status == Status.INFEASIBLE:
            hi = middle
        else:
            status = outcome.status.value
            break
    if not best:
        status = "infeasible" if status == "optimal" else status
    evaluation = evaluate(data, params, Solution(best)) if best else None
    if evaluation is not None and evaluation.violations:
        raise ClassicCheckError(f"{NAME}: " + "; ".join(evaluation.violations))
    objective = evaluation.objective if evaluation else None
    bound = objective if status == "optimal" else (float(radii[hi - 1]) if hi > 0 else None)
    return ClassicResult(
        model=NAME,
        instance=data.name,
        status=status,
        objective=objective,
        bound=bound,
        open_sites=[data.sites[j] for j in best],
        assignment={client: "" for client in data.clients},
        outcome=outcome,
        timings={"search": time.perf_counter() - started},
        size={"decisions": decisions, "levels": len(radii)},
        notes=[f"threshold search: {decisions} decisions over {len(radii)} distance levels"],
    )


def _spread(matrix: np.ndarray, chosen: list[int]) -> float:
    """The smallest distance between two chosen sites."""
    if len(chosen) < 2:
        return float("inf")
    return float(_pairs(matrix[np.ix_(chosen, chosen)])[2].min())
