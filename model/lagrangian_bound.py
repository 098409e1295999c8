"""An upper bound on the siting model's optimum by Lagrangian relaxation (docs/model.md §5.3).

Where HiGHS's root LP relaxation does not finish in the time limit (3,000 generated districts
× 51 types), the bound it reports is its starting bound, every objective coefficient at its
column's upper bound, and the gap reads in the hundreds of thousands of per cent. This bound
says how far the best siting can at most be from the optimum there, in seconds.

Relaxed: the rules of family 7 (border, groups, locks, budget), rule 4 (one membership per
type and member district), rule 9; each site's members are its best ``max_members`` arcs
(``model.warmstart.site_scores``). Every pair coefficient ``c[p]`` of a pair ``p = (s, t)`` is
split into ``c[p]/2 + λ[p]``, earned from the side of ``s``, and ``c[p]/2 − λ[p]``, earned from
the side of ``t``. A core ``s`` earns with its partner cores at most

    h_s(λ) = min(Σ over partner types k' of the max_k' largest positive parts of s's pairs
                   with type k',
                 Σ over partner districts j of the C largest (C − 1 where j is s's own
                   district) positive parts of s's pairs with a core in j)

(``model.partner_groups``): a siting has at most ``max_k'`` cores of type ``k'`` (rule 1,
family 8) and at most ``C`` cores in district ``j``, ``s`` among them where ``j`` is its own
(rule 2 times y[s], family 9 and its like for every other district). So for any ``λ``

    U(λ) = max Σ_s (score[s] + h_s(λ)) · y[s]
           over  min_k ≤ Σ_i y[k,i] ≤ max_k,  Σ_k y[k,i] ≤ C,  y ∈ {0,1}

bounds the optimum from above. The inner problem is a transportation problem (totally
unimodular: its LP has an integer optimum), solved by HiGHS's simplex, warm started from the
previous round's basis. ``λ`` follows steps ``λ ← λ − θ·(U − target)/‖g‖²·g``, ``g[p]`` = whether
the pair counts from the side of ``s`` at the inner optimum, less whether it counts from the
side of ``t`` (counted by the smaller of the two sums), ``target`` the best known siting's
value, ``θ`` halved after ``PATIENCE`` rounds without a better bound. ``U`` with the minimum
inside is not convex in ``λ``, so the steps are a search: every ``U(λ)`` is a bound, and the
smallest over the rounds is returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.column_index import ColumnIndex, column_index
from model.instance import SitingInstance
from model.partner_groups import half_pairs, partner_groupings

if TYPE_CHECKING:
    import highspy

PATIENCE = 20
START_STEP = 2.0


# solver.bound_rounds: auto runs the rounds from this many cooperating pairs on, where HiGHS
# stopped at a two-minute limit at every measured size (docs/bench/scale.md: 1,000 x 24 and
# larger; its root LP finished only at 1,000 x 24), and none below
BOUND_FROM_PAIRS = 100_000
AUTO_BOUND_ROUNDS = 300
# a run spends its bound rounds before HiGHS, and none after this share of solver.time_limit
BOUND_SHARE_OF_LIMIT = 0.75


@dataclass(frozen=True)
class LagrangianBound:
    value: float  # an upper bound on the optimum; -inf when rules 1 and 2 cannot hold
    rounds: int
    seconds: float

    def to_dict(self, objective: float | None) -> dict[str, object]:
        """For summary.json: the bound, its rounds and the gap of ``objective`` to it (its
        seconds are the ``bound`` timing)."""
        gap = None  # none against an objective of 0: a relative gap has no scale there
        if objective is not None and np.isfinite(self.value) and abs(objective) > 1e-9:
            gap = max(self.value - objective, 0.0) / abs(objective)
        return {"value": self.value, "rounds": self.rounds, "gap": gap}


def bound_sentence(
    found: LagrangianBound, objective: float | None, solver_bound: float | None = None
) -> str:
    """The bound in one line for the console and the report, set against the solver's own
    bound ``solver_bound`` where that is tighter."""
    where = "Lagrangian bound (docs/model.md §5.3"
    if found.value == -np.inf:
        return f"{where}): rules 1 and 2 cannot hold together"
    if not np.isfinite(found.value):
        return f"{where}): no round finished"
    text = f"{where}, {found.rounds} rounds): the optimum is at most {found.value:.4f}"
    gap = found.to_dict(objective)["gap"]
    if gap is not None:
        text += f"; this siting is within {gap:.1%} of it"
    if solver_bound is not None and np.isfinite(solver_bound) and solver_bound < found.value:
        text += f" (the solver's own bound, {solver_bound:.4f}, is tighter)"
    return text


def bound_rounds_for(setting: int | str, pair_count: int) -> int:
    """The rounds ``solver.bound_rounds`` asks for: the number itself, or by size for
    ``auto``."""
    if setting != "auto":
        return int(setting)
    return AUTO_BOUND_ROUNDS if pair_count >= BOUND_FROM_PAIRS else 0


def lagrangian_bound(
    instance: SitingInstance,
    target: float,
    rounds: int = AUTO_BOUND_ROUNDS,
    index: ColumnIndex | None = None,
    deadline: float | None = None,
) -> LagrangianBound:
    """The bound of the module docstring after at most ``rounds`` subgradient rounds aimed at
    ``target`` (the value of the best siting known); no round after the first starts after
    ``deadline`` (a ``time.perf_counter`` value)."""
    import highspy

    from model.warmstart import site_scores

    started = time.perf_counter()
    index = index or column_index(instance)
    n_sites, n_types = len(instance.sites), len(instance.types)
    score, _ = site_scores(instance, index)
    # the most cores each type can have: its maximum, or its allowed sites when fewer
    allowed = np.bincount(index.site_type, minlength=n_types)
    most = np.array(
        [min(instance.site_range[k][1], allowed[a]) for a, k in enumerate(instance.types)]
    )
    least = np.array([instance.site_range[k][0] for k in instance.types])
    if np.any(least > allowed):
        return LagrangianBound(-np.inf, 0, time.perf_counter() - started)
    if not n_sites:  # no core can be sited, so no member or pair counts: the optimum is 0
        return LagrangianBound(0.0, 0, time.perf_counter() - started)

    coef = instance.pair_table.coef
    halves = half_pairs(instance, index)
    by_type, by_district = partner_groupings(instance, index, halves, most)
    # +1 where a half-pair is its pair's first site's, -1 where the second's
    sign = np.concatenate([np.ones(len(coef)), -np.ones(len(coef))])

    highs = _transportation(instance, index, least, most)
    if highs is None:  # rules 1 and 2 cannot both hold
        return LagrangianBound(-np.inf, 0, time.perf_counter() - started)
    multiplier = np.zeros(len(coef))
    best, step, stale, done = np.inf, START_STEP, 0, 0
    columns = np.arange(n_sites, dtype=np.int32)
    for done in range(1, rounds + 1):
        if done > 1 and deadline is not None and time.perf_counter() >= deadline:
            done -= 1
            break
        part = halves.parts(coef, multiplier)
        typed, typed_counted = by_type.earned(part, n_sites)
        placed, placed_counted = by_district.earned(part, n_sites)
        by_place = placed < typed
        value = score + np.where(by_place, placed, typed)
        highs.changeColsCost(n_sites, columns, value)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # only the costs changed, so the rules still hold: a numerical failure of one
            # round ends the rounds, and the bound is the best of those before (inf if none)
            return LagrangianBound(best, done - 1, time.perf_counter() - started)
        chosen = np.asarray(highs.getSolution().col_value) > 0.5
        bound = float(value[chosen].sum())
        if bound < best - 1e-12:
            best, stale = bound, 0
        else:
            stale += 1
            if stale >= PATIENCE:
                step, stale = step / 2, 0
        # the half-pairs counted at the chosen sites, by the smaller of their two sums
        counted = np.concatenate(
            [
                typed_counted[(chosen & ~by_place)[halves.site[typed_counted]]],
                placed_counted[(chosen & by_place)[halves.site[placed_counted]]],
            ]
        )
        gradient = np.bincount(halves.pair[counted], sign[counted], minlength=len(coef))
        norm = float(gradient @ gradient)
        if norm == 0.0 or best <= target + 1e-9 * max(1.0, abs(target)):
            break  # both sides agree at the inner optimum, or the bound meets the siting
        multiplier -= step * max(bound - target, 1e-9) / norm * gradient
    return LagrangianBound(best, done, time.perf_counter() - started)


def _transportation(
    instance: SitingInstance, index: ColumnIndex, least: np.ndarray, most: np.ndarray
) -> highspy.Highs | None:
    """HiGHS holding max Σ v·y over rules 1 and 2 with 0 ≤ y ≤ 1 (costs set per round);
    None when rules 1 and 2 cannot both hold."""
    import highspy
    from scipy.sparse import csr_matrix

    from solvers.highs import new_highs

    n_sites = len(instance.sites)
    n_types, n_districts = len(instance.types), len(instance.districts)
    rows = np.concatenate([index.site_type, n_types + index.site_district])
    cols = np.concatenate([np.arange(n_sites), np.arange(n_sites)])
    matrix = csr_matrix(
        (np.ones(2 * n_sites), (rows, cols)), shape=(n_types + n_districts, n_sites)
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_sites, n_types + n_districts
    lp.col_cost_ = np.zeros(n_sites)
    lp.col_lower_, lp.col_upper_ = np.zeros(n_sites), np.ones(n_sites)
    lp.row_lower_ = np.concatenate([least, np.zeros(n_districts)]).astype(np.float64)
    lp.row_upper_ = np.concatenate([most, np.full(n_districts, instance.capacity)]).astype(
        np.float64
    )
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.sense_ = highspy.ObjSense.kMaximize
    highs = new_highs()
    highs.setOptionValue("solver", "simplex")
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS could not solve the bound's assignment problem: {status}")
    return highs
