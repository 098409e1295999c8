r"""Bounds and site fixing for the p-median before the MIP (Beasley 1993; Daskin 2013, §6.3).

The radius MIP of ``model.classic.pmedian`` is exact but its LP is slow for a solver when every
client sees hundreds of sites. This module shrinks the set of sites first, without losing any
solution at least as good as a known one:

1. **Upper bound** ``UB``: greedy addition, then single swaps until none improves (Teitz & Bart
   1968), on the matrix :math:`c_{ij} = w_i d_{ij}`.
2. **Lower bound**: Lagrangian relaxation of the assignment constraints
   :math:`\sum_j x_{ij} = 1` with multipliers :math:`\lambda_i`:

   .. math::

       L(\lambda) = \sum_i \lambda_i + \min_{|Y| = p,\, E \subseteq Y} \sum_{j \in Y} \rho_j,
       \qquad \rho_j = \sum_i \min(0,\, c_{ij} - \lambda_i),

   maximised by subgradient steps :math:`\lambda_i \mathrel{+}= \mu\,(UB - L)\,g_i/\|g\|^2`,
   :math:`g_i = 1 - |\{j \in Y : c_{ij} < \lambda_i\}|`. Its maximum equals the LP bound.
3. **Fixing** (valid for every multiplier vector): with :math:`Y(\lambda)` optimal above,
   :math:`\rho_{(p)}` its largest and :math:`\rho_{(p+1)}` the next value, a site *j* outside it
   is closed when :math:`L - \rho_{(p)} + \rho_j > UB`, a site inside it opened when
   :math:`L - \rho_j + \rho_{(p+1)} > UB`: every solution that breaks the fixing costs more than
   ``UB``.
4. **Probing** (when at most ``PROBE_MAX_SITES`` sites are undecided, within a fixed amount of
   work so that the result does not depend on the machine's speed): the bound with one site
   forced open (or closed) is re-optimised for a few steps; if it exceeds ``UB`` the site is
   closed (or opened). Sites whose closing penalty is largest are probed first.

Every solution that costs at most ``UB`` survives, the heuristic's among them, so the reduced
MIP's optimum is the optimum of the full problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RELATIVE = 1e-9  # bounds must exceed UB by this relative margin to fix a site
PROBE_STEPS = 60
PROBE_ROUNDS = 3
PROBE_MAX_SITES = 300  # beyond this many undecided sites probing costs more than it saves
PROBE_WORK = 4e9  # matrix entries touched by probing at most (a few seconds of numpy)


@dataclass(frozen=True)
class Reduction:
    """Sites fixed by the bounds, the bounds, and the heuristic solution."""

    closed: np.ndarray  # bool per site
    opened: np.ndarray  # bool per site (predefined facilities included)
    lower_bound: float
    upper_bound: float
    heuristic: list[int]  # the sites of the solution costing upper_bound

    @property
    def free(self) -> np.ndarray:
        return np.flatnonzero(~self.closed & ~self.opened)


def assignment_cost(costs: np.ndarray, sites: Sequence[int] | np.ndarray) -> float:
    """Σ_i min_{j in sites} c_ij."""
    return float(costs[:, list(sites)].min(axis=1).sum())


def swap_heuristic(costs: np.ndarray, p: int, existing: Sequence[int] = ()) -> list[int]:
    """Greedy addition, then best single swaps of non-predefined sites until none improves."""
    chosen = list(existing)
    nearest = costs[:, chosen].min(axis=1) if chosen else np.full(costs.shape[0], np.inf)
    while len(chosen) < p:
        totals = np.minimum(nearest[:, None], costs).sum(axis=0)
        totals[chosen] = np.inf
        site = int(np.argmin(totals))
        chosen.append(site)
        nearest = np.minimum(nearest, costs[:, site])
    return local_search(costs, chosen, len(existing))


def local_search(costs: np.ndarray, start: Sequence[int], fixed: int = 0) -> list[int]:
    """Best single swaps (Teitz & Bart 1968) of the sites after the first ``fixed`` ones."""
    chosen = list(start)
    current = assignment_cost(costs, chosen)
    improved = True
    while improved:
        improved = False
        for position in range(fixed, len(chosen)):
            others = chosen[:position] + chosen[position + 1 :]
            base = costs[:, others].min(axis=1) if others else np.full(costs.shape[0], np.inf)
            totals = np.minimum(base[:, None], costs).sum(axis=0)
            totals[chosen] = np.inf
            site = int(np.argmin(totals))
            if totals[site] < current - RELATIVE * abs(current):
                chosen[position], current, improved = site, float(totals[site]), True
    return sorted(chosen)


def _exceeds(bound: float, upper: float) -> bool:
    return bound > upper + RELATIVE * max(1.0, abs(upper))


@dataclass
class _Relaxation:
    """Lagrangian relaxation over the sites still allowed."""

    costs: np.ndarray
    p: int
    upper: float
    work: float = 0.0  # matrix entries touched so far
    best_sites: list[int] | None = None  # the cheapest chosen set seen, when it beat UB
    chosen_at_best: np.ndarray | None = None  # the chosen set at the best bound

    def evaluate(
        self, lam: np.ndarray, forced_open: np.ndarray, allowed: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(λ), ρ, the chosen sites, and the subgradient."""
        reduced = np.minimum(0.0, self.costs - lam[:, None])
        rho = reduced.sum(axis=0)
        ranked = np.where(forced_open, -np.inf, np.where(allowed, rho, np.inf))
        if self.p < len(rho):
            chosen = np.argpartition(ranked, self.p - 1)[: self.p]
        else:
            chosen = np.arange(len(rho))
        bound = float(lam.sum() + rho[chosen].sum())
        served = (reduced[:, chosen] < 0).sum(axis=1)
        return bound, rho, chosen, 1.0 - served

    def ascend(
        self,
        lam: np.ndarray,
        forced_open: np.ndarray,
        allowed: np.ndarray,
        steps: int,
        patience: int,
        fixing: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[float, np.ndarray]:
        """Subgradient ascent; returns the best bound and its multipliers. With ``fixing``
        (closed, opened arrays), records the sites the bounds fix along the way."""
        best, best_lam, mu, stall = -np.inf, lam.copy(), 2.0, 0
        for _ in range(steps):
            self.work += self.costs.size
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
    costs: np.ndarray, p: int, existing: Sequence[int] = (), *, probe: bool = True
) -> Reduction:
    """Heuristic, Lagrangian bound, fixing and probing on ``costs`` (clients × sites)."""
    n_sites = costs.shape[1]
    heuristic = swap_heuristic(costs, p, existing)
    closed = np.zeros(n_sites, dtype=bool)
    opened = np.zeros(n_sites, dtype=bool)
    opened[list(existing)] = True
    relaxation = _Relaxation(costs, p, assignment_cost(costs, heuristic))
    start = np.sort(costs, axis=1)[:, min(1, n_sites - 1)].astype(float)
    lower, lam = relaxation.ascend(start, opened.copy(), ~closed, 3000, 30, (closed, opened))
    if relaxation.chosen_at_best is not None:  # polish the relaxation's solution, tighten
        rest = [int(j) for j in relaxation.chosen_at_best if j not in existing]
        relaxation.offer(local_search(costs, [*existing, *rest], len(existing)))
    if relaxation.best_sites is not None:
        found, lam = relaxation.ascend(lam, opened.copy(), ~closed, 500, 30, (closed, opened))
        lower = max(lower, found)
        heuristic = relaxation.best_sites or heuristic
    upper = relaxation.upper
    undecided = int(np.count_nonzero(~closed & ~opened))
    if probe and upper - lower > RELATIVE * max(1.0, abs(upper)) and undecided <= PROBE_MAX_SITES:
        keep = np.flatnonzero(~closed)  # probe on the columns still open to choice: faster
        narrow = _Relaxation(costs[:, keep], p, upper)
        narrow_closed, narrow_opened = np.zeros(len(keep), dtype=bool), opened[keep]
        for _ in range(PROBE_ROUNDS):
            if narrow.work > PROBE_WORK or not _probe_round(
                narrow, lam, narrow_closed, narrow_opened
            ):
                break
            found, lam = narrow.ascend(
                lam, narrow_opened.copy(), ~narrow_closed, 300, 20, (narrow_closed, narrow_opened)
            )
            lower = max(lower, found)
        closed[keep[narrow_closed]] = True
        opened[keep[narrow_opened]] = True
        if narrow.best_sites is not None:
            heuristic, upper = sorted(int(keep[j]) for j in narrow.best_sites), narrow.upper
    return Reduction(closed, opened, min(lower, upper), upper, sorted(heuristic))


def _probe_round(
    relaxation: _Relaxation, lam: np.ndarray, closed: np.ndarray, opened: np.ndarray
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
        if relaxation.work > PROBE_WORK:
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
