r"""Bounds, site fixing and branch and bound for the p-median (Beasley 1993; Daskin 2013,
§6.3).

The radius MIP of ``model.classic.pmedian`` is exact but its LP is slow for a solver when every
client sees hundreds of sites. This module shrinks the set of sites first, without losing any
solution at least as good as a known one, and then usually proves the optimum itself:

1. **Upper bound** ``UB``: greedy addition, then single swaps until none improves (Teitz & Bart
   1968), on the matrix :math:`c_{ij} = w_i d_{ij}`.
2. **Lower bound**: Lagrangian relaxation of the assignment constraints
   :math:`\sum_j x_{ij} = 1` with multipliers :math:`\lambda_i`:

   .. math::

       L(\lambda) = \sum_i \lambda_i + \min_{|Y| = p,\, E \subseteq Y} \sum_{j \in Y} \rho_j,
       \qquad \rho_j = \sum_i \min(0,\, c_{ij} - \lambda_i),

   maximised by subgradient steps :math:`\lambda_i \mathrel{+}= \mu\,(UB - L)\,g_i/\|g\|^2`,
   :math:`g_i = 1 - |\{j \in Y : c_{ij} < \lambda_i\}|`. Its maximum equals the LP bound.
   Every :math:`Y(\lambda)` is itself a solution (a Lagrangian heuristic) and may lower ``UB``.
   Only the entries :math:`c_{ij} < \lambda_i` count in :math:`\rho`: with each client's costs
   sorted once, a step touches a few of them per client instead of the whole matrix.
3. **Fixing** (valid for every multiplier vector): with :math:`Y(\lambda)` optimal above,
   :math:`\rho_{(p)}` its largest and :math:`\rho_{(p+1)}` the next value, a site *j* outside it
   is closed when :math:`L - \rho_{(p)} + \rho_j > UB`, a site inside it opened when
   :math:`L - \rho_j + \rho_{(p+1)} > UB`: every solution that breaks the fixing costs more than
   ``UB``.
4. **Probing** (when at most ``PROBE_MAX_SITES`` sites are undecided, within a fixed amount of
   work so that the result does not depend on the machine's speed): the bound with one site
   forced open (or closed) is re-optimised for a few steps; if it exceeds ``UB`` the site is
   closed (or opened). Sites whose closing penalty is largest are probed first.
5. **Branch and bound** (:func:`branch_and_bound`): depth first over the sites left undecided,
   the bound of step 2 and the fixing of step 3 at every node, within a fixed amount of work.
   The LP gap of the OR-Library instances with small *p* (about 1 % for pmed36, n = 800,
   p = 10) leaves hundreds of sites undecided after steps 1-4, and a MIP solver spends minutes
   on the LP of what is left; the tree, whose fixings grow with its depth, needs about a
   thousand nodes there.

Steps 1-4 keep every solution that costs at most ``UB``, the heuristic's among them, so the
reduced MIP's optimum is the optimum of the full problem; step 5, when it finishes, proves the
best solution it knows optimal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

RELATIVE = 1e-9  # bounds must exceed UB by this relative margin to fix a site
PROBE_STEPS = 60
PROBE_ROUNDS = 3
PROBE_MAX_SITES = 300  # beyond this many undecided sites probing costs more than it saves
PROBE_WORK = 4e9  # matrix entries touched by probing at most (a few seconds of numpy)
NODE_STEPS = 40  # subgradient steps per branch-and-bound node at most
NODE_PATIENCE = 8  # steps without a better bound before the step size halves
NODE_MU = 2.0  # the first step size at a node
BRANCH_WORK = 6e9  # matrix entries the branch and bound may touch (under a minute here)


def past(deadline: float | None) -> bool:
    """True once ``deadline`` (a ``time.monotonic()`` instant) has passed; never for None.

    Every loop below stops at the deadline, keeping what it has: a bound is valid at any
    multipliers, a fixing is valid once made, and every heuristic solution is a solution."""
    return deadline is not None and time.monotonic() >= deadline


@dataclass(frozen=True)
class Reduction:
    """Sites fixed by the bounds (every solution costing at most ``upper_bound`` keeps them),
    the bounds, and the heuristic solution."""

    closed: np.ndarray  # bool per site
    opened: np.ndarray  # bool per site (predefined facilities included)
    lower_bound: float
    upper_bound: float
    heuristic: list[int]  # the sites of the solution costing upper_bound
    multipliers: np.ndarray  # λ at the best lower bound (a warm start for later searches)

    @property
    def free(self) -> np.ndarray:
        return np.flatnonzero(~self.closed & ~self.opened)


def assignment_cost(costs: np.ndarray, sites: Sequence[int] | np.ndarray) -> float:
    """Σ_i min_{j in sites} c_ij."""
    return float(costs[:, list(sites)].min(axis=1).sum())


def swap_heuristic(
    costs: np.ndarray, p: int, existing: Sequence[int] = (), deadline: float | None = None
) -> list[int]:
    """Greedy addition, then best single swaps of non-predefined sites until none improves."""
    chosen = list(existing)
    nearest = costs[:, chosen].min(axis=1) if chosen else np.full(costs.shape[0], np.inf)
    while len(chosen) < p:
        totals = np.minimum(nearest[:, None], costs).sum(axis=0)
        totals[chosen] = np.inf
        site = int(np.argmin(totals))
        chosen.append(site)
        nearest = np.minimum(nearest, costs[:, site])
    return local_search(costs, chosen, len(existing), deadline)


def local_search(
    costs: np.ndarray, start: Sequence[int], fixed: int = 0, deadline: float | None = None
) -> list[int]:
    """Best single swaps (Teitz & Bart 1968) of the sites after the first ``fixed`` ones."""
    chosen = list(start)
    current = assignment_cost(costs, chosen)
    improved = True
    while improved:
        improved = False
        for position in range(fixed, len(chosen)):
            if past(deadline):
                return sorted(chosen)
            others = chosen[:position] + chosen[position + 1 :]
            base = costs[:, others].min(axis=1) if others else np.full(costs.shape[0], np.inf)
            totals = np.minimum(base[:, None], costs).sum(axis=0)
            totals[chosen] = np.inf
            site = int(np.argmin(totals))
            if totals[site] < current - RELATIVE * abs(current):
                chosen[position], current, improved = site, float(totals[site]), True
    return sorted(chosen)


def _slack(upper: float) -> float:
    return RELATIVE * max(1.0, abs(upper))


def _exceeds(bound: float, upper: float) -> bool:
    return bound > upper + _slack(upper)


class _SortedCosts:
    r"""Each client's costs in increasing order, so that
    :math:`\rho_j = \sum_i \min(0, c_{ij} - \lambda_i)` takes time in proportion to the
    entries below the multipliers (each client's nearest sites) rather than to the matrix."""

    def __init__(self, costs: np.ndarray) -> None:
        self.costs = costs
        self.order = np.argsort(costs, axis=1, kind="stable")
        self.sorted = np.take_along_axis(costs, self.order, axis=1)
        self.width = 8  # leading columns looked at; grows and shrinks with λ
        self.work = 0.0  # matrix entries touched so far

    def rho(self, lam: np.ndarray) -> np.ndarray:
        """ρ for every column of ``costs``: the leading columns of the sorted rows, widened
        until the last one holds no entry below λ (no client has a site there cheaper than
        its multiplier), and narrowed for the next call when half of them would do."""
        n_clients, n_sites = self.costs.shape
        width = min(self.width, n_sites)
        while True:
            head = self.sorted[:, :width] - lam[:, None]
            np.minimum(head, 0.0, out=head)
            self.work += n_clients * width
            if width == n_sites or not (head[:, -1] < 0).any():
                break
            width = min(2 * width, n_sites)
        half = width // 2
        self.width = half + 1 if half >= 8 and not (head[:, half] < 0).any() else width
        return np.bincount(self.order[:, :width].ravel(), weights=head.ravel(), minlength=n_sites)

    def restricted(self, columns: np.ndarray) -> _SortedCosts:
        """The same over some columns (bool mask), renumbered: a filter of each sorted row,
        no new sort; its work starts at the entries filtered."""
        n_clients, n_sites = self.costs.shape
        kept = np.flatnonzero(columns)
        renumber = np.full(n_sites, -1)
        renumber[kept] = np.arange(len(kept))
        inside = columns[self.order]
        narrow = _SortedCosts.__new__(_SortedCosts)
        narrow.costs = self.costs[:, kept]
        narrow.order = renumber[self.order[inside]].reshape(n_clients, len(kept))
        narrow.sorted = self.sorted[inside].reshape(n_clients, len(kept))
        narrow.width, narrow.work = self.width, float(self.costs.size)
        return narrow

    def served(self, lam: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """|{j in chosen : c_ij < λ_i}| per client."""
        self.work += self.costs.shape[0] * len(chosen)
        return (self.costs[:, chosen] < lam[:, None]).sum(axis=1)


@dataclass
class _Relaxation:
    """Lagrangian relaxation over the sites still allowed."""

    costs: np.ndarray
    p: int
    upper: float
    best_sites: list[int] | None = None  # the cheapest chosen set seen, when it beat UB
    chosen_at_best: np.ndarray | None = None  # the chosen set at the best bound
    integral: bool = False  # every cost is an integer (see integral_costs)
    sorted_costs: _SortedCosts = field(init=False)

    def __post_init__(self) -> None:
        self.sorted_costs = _SortedCosts(self.costs)

    @property
    def work(self) -> float:
        """Matrix entries touched so far."""
        return self.sorted_costs.work

    def evaluate(
        self, lam: np.ndarray, forced_open: np.ndarray, allowed: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(λ), ρ, the chosen sites, and the subgradient."""
        rho = self.sorted_costs.rho(lam)
        ranked = np.where(forced_open, -np.inf, np.where(allowed, rho, np.inf))
        if self.p < len(rho):
            chosen = np.argpartition(ranked, self.p - 1)[: self.p]
        else:
            chosen = np.arange(len(rho))
        bound = float(lam.sum() + rho[chosen].sum())
        return bound, rho, chosen, 1.0 - self.sorted_costs.served(lam, chosen)

    def ascend(
        self,
        lam: np.ndarray,
        forced_open: np.ndarray,
        allowed: np.ndarray,
        steps: int,
        patience: int,
        fixing: tuple[np.ndarray, np.ndarray] | None = None,
        settle: bool = False,
        deadline: float | None = None,
    ) -> tuple[float, np.ndarray]:
        """Subgradient ascent; returns the best bound and its multipliers. With ``fixing``
        (closed, opened arrays), records the sites the bounds fix along the way. With
        ``settle`` and integer costs, stops as soon as the bound exceeds UB - 1 (then no
        solution is cheaper than UB's)."""
        best, best_lam, mu, stall = -np.inf, lam.copy(), 2.0, 0
        for _ in range(steps):
            if past(deadline) and np.isfinite(best):
                break
            bound, rho, chosen, gradient = self.evaluate(lam, forced_open, allowed)
            if fixing is not None:
                self.offer(chosen)
                self._fix(bound, rho, chosen, forced_open, allowed, *fixing)
            if bound > best + RELATIVE * max(1.0, abs(best) if np.isfinite(best) else 1.0):
                best, best_lam, stall = bound, lam.copy(), 0
                self.chosen_at_best = chosen
            else:
                stall += 1
                if stall >= patience:
                    mu, stall = mu / 2, 0
            norm = float(gradient @ gradient)
            if _exceeds(best, self.upper) or norm == 0 or mu < 1e-4:
                break
            if self.upper - bound <= RELATIVE * max(1.0, abs(self.upper)):
                break
            if settle and self.integral and best > self.upper - 1.0 + _slack(self.upper):
                break
            lam = lam + mu * max(self.upper - bound, 1e-3 * abs(self.upper)) / norm * gradient
        return best, best_lam

    def offer(self, chosen: Sequence[int] | np.ndarray) -> None:
        """Keep a solution (and lower UB) when it beats UB: the relaxation's chosen sites are a
        solution too (a Lagrangian heuristic)."""
        cost = assignment_cost(self.costs, chosen)
        if cost < self.upper - RELATIVE * abs(self.upper):
            self.upper, self.best_sites = cost, sorted(int(j) for j in chosen)

    def _fix(
        self,
        bound: float,
        rho: np.ndarray,
        chosen: np.ndarray,
        forced_open: np.ndarray,
        allowed: np.ndarray,
        closed: np.ndarray,
        opened: np.ndarray,
    ) -> None:
        free_chosen = chosen[~forced_open[chosen]]
        outside = allowed & ~forced_open
        outside[chosen] = False
        if free_chosen.size == 0 or not outside.any():
            return
        last_in = float(rho[free_chosen].max())
        first_out = float(rho[outside].min())
        closed |= outside & (bound - last_in + rho > self.upper + RELATIVE * abs(self.upper))
        gain = bound - rho[free_chosen] + first_out
        opened[free_chosen[gain > self.upper + RELATIVE * abs(self.upper)]] = True


def reduce_sites(
    costs: np.ndarray,
    p: int,
    existing: Sequence[int] = (),
    *,
    probe: bool = True,
    deadline: float | None = None,
) -> Reduction:
    """Heuristic, Lagrangian bound, fixing and (with ``probe``) probing on ``costs``
    (clients × sites), each step cut short at ``deadline`` (``time.monotonic()``)."""
    n_sites = costs.shape[1]
    heuristic = swap_heuristic(costs, p, existing, deadline)
    closed = np.zeros(n_sites, dtype=bool)
    opened = np.zeros(n_sites, dtype=bool)
    opened[list(existing)] = True
    upper = assignment_cost(costs, heuristic)
    relaxation = _Relaxation(costs, p, upper, integral=integral_costs(costs))
    start = np.sort(costs, axis=1)[:, min(1, n_sites - 1)].astype(float)
    fixing = closed, opened
    lower, lam = relaxation.ascend(start, opened.copy(), ~closed, 3000, 30, fixing, True, deadline)
    if relaxation.chosen_at_best is not None and not past(deadline):  # polish, tighten
        rest = [int(j) for j in relaxation.chosen_at_best if j not in existing]
        relaxation.offer(local_search(costs, [*existing, *rest], len(existing), deadline))
    if relaxation.best_sites is not None and not past(deadline):
        again, lam = relaxation.ascend(lam, opened.copy(), ~closed, 500, 30, fixing, True, deadline)
        lower = max(lower, again)
        heuristic = relaxation.best_sites or heuristic
    upper = relaxation.upper
    reduction = Reduction(closed, opened, min(lower, upper), upper, sorted(heuristic), lam)
    return probe_sites(costs, p, reduction, deadline) if probe else reduction


def probe_sites(
    costs: np.ndarray, p: int, found: Reduction, deadline: float | None = None
) -> Reduction:
    """Probing (step 4 above) on the sites ``found`` leaves undecided; a no-op when the bounds
    meet, more than ``PROBE_MAX_SITES`` sites are undecided or ``deadline`` has passed."""
    lower, upper, lam = found.lower_bound, found.upper_bound, found.multipliers
    if upper - lower <= RELATIVE * max(1.0, abs(upper)) or len(found.free) > PROBE_MAX_SITES:
        return found
    if past(deadline):
        return found
    closed, opened, heuristic = found.closed.copy(), found.opened.copy(), found.heuristic
    keep = np.flatnonzero(~closed)  # probe on the columns still open to choice: faster
    narrow = _Relaxation(costs[:, keep], p, upper)
    narrow_closed, narrow_opened = np.zeros(len(keep), dtype=bool), opened[keep]
    for _ in range(PROBE_ROUNDS):
        if narrow.work > PROBE_WORK or not _probe_round(
            narrow, lam, narrow_closed, narrow_opened, deadline
        ):
            break
        bound, lam = narrow.ascend(
            lam,
            narrow_opened.copy(),
            ~narrow_closed,
            300,
            20,
            (narrow_closed, narrow_opened),
            deadline=deadline,
        )
        lower = max(lower, bound)
    closed[keep[narrow_closed]] = True
    opened[keep[narrow_opened]] = True
    if narrow.best_sites is not None:
        heuristic, upper = sorted(int(keep[j]) for j in narrow.best_sites), narrow.upper
    return Reduction(closed, opened, min(lower, upper), upper, sorted(heuristic), lam)


def _probe_round(
    relaxation: _Relaxation,
    lam: np.ndarray,
    closed: np.ndarray,
    opened: np.ndarray,
    deadline: float | None = None,
) -> bool:
    """Force each free site open, then closed; fix it when the bound exceeds UB."""
    changed = False
    bound, rho, chosen, _ = relaxation.evaluate(lam, opened, ~closed)
    penalty = rho.copy()  # bound - rho_(p) + rho_j ranks the sites by their closing penalty
    penalty[chosen] = -np.inf
    candidates = [
        int(j) for j in np.argsort(-penalty, kind="stable") if not (closed[j] or opened[j])
    ]
    for site in candidates:
        if relaxation.work > PROBE_WORK or past(deadline):
            break
        allowed = ~closed
        forced = opened.copy()
        forced[site] = True
        bound, _ = relaxation.ascend(lam, forced, allowed, PROBE_STEPS, 10)
        if _exceeds(bound, relaxation.upper):
            closed[site] = changed = True
            continue
        allowed[site] = False
        bound, _ = relaxation.ascend(lam, opened.copy(), allowed, PROBE_STEPS, 10)
        if _exceeds(bound, relaxation.upper):
            opened[site] = changed = True
    return changed


@dataclass(frozen=True)
class Search:
    """The outcome of :func:`branch_and_bound`."""

    proven: bool  # the tree was exhausted: ``sites`` is optimal
    sites: list[int]  # the best solution known (original site indices)
    cost: float  # its cost
    nodes: int  # nodes evaluated
    work: float  # matrix entries touched


@dataclass
class _Node:
    closed: np.ndarray  # bool per column of the search's matrix
    opened: np.ndarray
    multipliers: np.ndarray  # the parent's best λ (a warm start)


def integral_costs(costs: np.ndarray) -> bool:
    """Every cost is an integer small enough that sums of them are exact in floating point, so
    every solution's cost is an integer."""
    return bool(np.all(np.abs(costs) < 2.0**40) and np.all(costs == np.round(costs)))


def branch_and_bound(
    costs: np.ndarray,
    p: int,
    found: Reduction,
    work_limit: float | None = None,
    *,
    lagrangian_heuristic: bool = True,
    deadline: float | None = None,
) -> Search:
    """Lagrangian branch and bound (Beasley 1993) over the sites ``found`` leaves undecided.

    A node fixes some free sites open and some closed. The search looks only for solutions
    that cost less than the incumbent (the heuristic's at first): by *target* below, a node
    whose bound exceeds the target holds none and is pruned. The target is
    :math:`UB - 1 + \\varepsilon` when every cost is an integer (a cheaper solution costs at most
    :math:`UB - 1`), :math:`UB - \\varepsilon` otherwise, with
    :math:`\\varepsilon = 10^{-9} \\max(1, |UB|)`.

    At each node: at most ``NODE_STEPS`` subgradient steps of the relaxation of step 2 with the
    node's fixings (warm-started from the parent's best multipliers); every relaxation solution
    :math:`Y(\\lambda)` is a solution of the p-median, and a cheaper one becomes the incumbent;
    the node is pruned when its bound exceeds the target; otherwise the penalty tests of step 3
    at the best multipliers fix more sites in the node's subtree (against the target), and the
    node branches on the free site of :math:`Y(\\lambda)` with the largest closing penalty
    :math:`\\rho_{(p+1)} - \\rho_j`, the child with the site open first (depth first). A node
    with *p* sites opened or only *p* sites allowed is a single solution and is evaluated.

    When every node has been pruned or evaluated within ``work_limit`` matrix entries touched
    (default ``BRANCH_WORK``), no solution beats the incumbent and it is optimal (``proven``);
    otherwise, or at ``deadline`` (``time.monotonic()``), the search gives up.
    Without ``lagrangian_heuristic`` only the leaves become incumbents (the tests check that the
    tree alone reaches every cheaper solution).
    """
    limit = BRANCH_WORK if work_limit is None else work_limit
    keep = np.flatnonzero(~found.closed)
    matrix = costs[:, keep]
    incumbent, upper = [keep.tolist().index(j) for j in found.heuristic], found.upper_bound
    integral = integral_costs(costs)

    def target() -> float:
        return upper - 1.0 + _slack(upper) if integral else upper - _slack(upper)

    stack = [_Node(np.zeros(len(keep), dtype=bool), found.opened[keep].copy(), found.multipliers)]
    nodes, work, sorted_costs = 0, 0.0, _SortedCosts(matrix)
    while stack:
        if work >= limit or past(deadline):
            return Search(False, sorted(int(keep[j]) for j in incumbent), upper, nodes, work)
        node = stack.pop()
        nodes += 1
        allowed = np.flatnonzero(~node.closed)
        forced = node.opened[allowed]
        if len(allowed) < p:
            continue
        if forced.sum() == p or len(allowed) == p:
            sites = allowed[forced] if forced.sum() == p else allowed
            cost = assignment_cost(matrix, sites)
            if cost <= target():
                incumbent, upper = sites.tolist(), cost
            continue
        narrow = sorted_costs.restricted(~node.closed)
        best, lam, mu, stall = -np.inf, node.multipliers, NODE_MU, 0
        best_lam, best_rho, best_chosen = lam, np.empty(0), np.empty(0, dtype=int)
        for _ in range(NODE_STEPS):
            rho = narrow.rho(lam)
            chosen = np.argpartition(np.where(forced, -np.inf, rho), p - 1)[:p]
            bound = float(lam.sum() + rho[chosen].sum())
            cost = assignment_cost(narrow.costs, chosen) if lagrangian_heuristic else np.inf
            if cost <= target():
                incumbent, upper = allowed[chosen].tolist(), cost
            if bound > best:
                best, best_lam, best_rho, best_chosen, stall = bound, lam, rho, chosen, 0
            else:
                stall += 1
                if stall >= NODE_PATIENCE:
                    mu, stall = mu / 2, 0
            if best > target():
                break
            gradient = 1.0 - narrow.served(lam, chosen)
            norm = float(gradient @ gradient)
            if norm == 0:
                break
            lam = lam + mu * max(upper - bound, 1e-3 * max(1.0, abs(upper))) / norm * gradient
        work += narrow.work
        sorted_costs.width = narrow.width
        if best > target():
            continue
        closed, opened = node.closed.copy(), node.opened.copy()
        free_chosen = best_chosen[~forced[best_chosen]]
        outside = ~forced
        outside[best_chosen] = False
        last_in = float(best_rho[free_chosen].max())
        first_out = float(best_rho[outside].min()) if outside.any() else np.inf
        closed[allowed[outside & (best - last_in + best_rho > target())]] = True
        penalty = first_out - best_rho[free_chosen]
        opened[allowed[free_chosen[best + penalty > target()]]] = True
        undecided = ~opened[allowed[free_chosen]]
        if not undecided.any():  # the fixings alone changed the node: look at it again
            stack.append(_Node(closed, opened, best_lam))
            continue
        site = int(allowed[free_chosen[undecided][np.argmax(penalty[undecided])]])
        without, with_site = closed.copy(), opened.copy()
        without[site], with_site[site] = True, True
        stack.append(_Node(without, opened, best_lam))
        stack.append(_Node(closed, with_site, best_lam))
    return Search(True, sorted(int(keep[j]) for j in incumbent), upper, nodes, work)
