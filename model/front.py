r"""Exact Pareto fronts of two or three objective terms by AUGMECON2.

The augmented ε-constraint method with its two improvements (Mavrotas and Florios, *Applied
Mathematics and Computation* 219 (2013) 9652–9669). With the terms
:math:`f_1, f_2[, f_3]` (the first one is maximised, the others are constrained), ranges
:math:`r_k = ideal_k - nadir_k` and lower ends :math:`lb_k = nadir_k` from the payoff table
(``model.payoff``), and a grid of *N* intervals per constrained term, step
:math:`\delta_k = r_k / N`, grid points :math:`e_k^{(i)} = lb_k + i\,\delta_k`, i = 0..N:

.. math::

    \max\; f_1(x) + \varepsilon\, r_1 \left( \frac{s_2}{r_2} + 10^{-1} \frac{s_3}{r_3} \right)
    \quad\text{s.t.}\quad f_k(x) - s_k = e_k^{(i_k)},\; s_k \ge 0 .

The slack :math:`s_k = f_k(x) - e_k` is not a column of its own: substituting it gives the
row :math:`f_k(x) \ge e_k` (one row per term, whose lower bound moves from solve to solve) and
the objective :math:`f_1 + \varepsilon r_1 \sum_k 10^{-(k-2)} f_k / r_k` up to a constant. At
the grid point i = 0 the row has no bound at all, so points below the payoff table's nadir
estimate are not cut off (the estimate is exact for two terms, not always for three). The
augmentation makes every optimum non-dominated (the objective increases strictly in every
term), and, with ε small enough, the one with the most f_1 in the box, then the most f_2.

*Bypass*: after a solve at :math:`e_2^{(i)}` with slack :math:`s_2`, the grid points up to
:math:`e_2^{(i)} + s_2` give the same point (the box shrinks but still holds it), so the inner
loop jumps by :math:`b = \lfloor s_2 / \delta_2 \rfloor + 1` points. *Early exit*: when a solve
is infeasible, every tighter point of the inner loop is too, so the loop stops; when that
happens at the inner loop's first point, every later outer point is infeasible as well and the
whole search stops.

**Exactness.** A non-dominated vector *p* is found when, for each constrained term, no
feasible siting has a value strictly between the grid point just below :math:`f_k(p)` and
:math:`f_k(p)` (for instance when :math:`\delta_k` is at most the least positive difference
between two values of the term), and ε is small enough that
:math:`\varepsilon\, r_1 \sum_k 10^{-(k-2)} \Delta f_k / r_k` is below the least positive
difference of :math:`f_1` between sitings: then the box of the grid point below *p* holds the
same sitings as the box :math:`f_k \ge f_k(p)`, and its optimum is *p*'s vector. Two sitings
with equal term vectors are one point (the first siting found is reported). ``tests/
test_front.py`` checks the front against every siting of small random regions.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from model.errors import InputError
from model.payoff import PayoffTable, Point, TermSolver, payoff_table

DEFAULT_GRID = {2: 1000, 3: 100}  # two terms: the bypass makes the grid cheap
DEFAULT_EPS = 1e-5
SAME = 1e-9  # relative difference below which two term values are the same


@dataclass
class Front:
    """The non-dominated points of ``terms`` (sorted by the first term, descending)."""

    terms: list[str]
    points: list[Point]
    payoff: PayoffTable
    grid: dict[str, int]  # intervals per constrained term
    eps: float
    steps: dict[str, float]
    solves: int = 0  # AUGMECON2 solves, the payoff table's not included
    infeasible: int = 0  # of them, ended infeasible (each one an early exit)
    bypassed: int = 0  # grid points skipped by the bypass
    seconds: float = 0.0  # payoff table and AUGMECON2
    found: int = 0  # points returned by the solves before removing repeats
    notes: list[str] = field(default_factory=list)

    @property
    def reference(self) -> dict[str, float]:
        """The hypervolume's reference point: the nadir of the payoff table."""
        return dict(self.payoff.nadir)

    def vectors(self) -> list[tuple[float, ...]]:
        return [tuple(p.terms[t] for t in self.terms) for p in self.points]

    def hypervolume(self) -> float:
        ref = self.reference
        return hypervolume(self.vectors(), tuple(ref[t] for t in self.terms))

    def hypervolume_share(self) -> float | None:
        """The hypervolume over the box nadir..ideal (None when the box is flat)."""
        box = math.prod(self.payoff.ranges[t] for t in self.terms)
        return self.hypervolume() / box if box > 0 else None

    @property
    def proven(self) -> bool:
        return all(p.proven for p in self.points) and all(
            r.proven for r in self.payoff.rows.values()
        )


def check_front_terms(terms: Sequence[str]) -> None:
    if not 2 <= len(terms) <= 3:
        raise InputError(None, "--terms", f"expected two or three terms, got {len(terms)}")


def augmecon2(
    solver: TermSolver,
    terms: Sequence[str],
    grid: int | Sequence[int] | None = None,
    eps: float = DEFAULT_EPS,
) -> Front | None:
    """The exact front of ``terms`` (see the module docstring); None if infeasible.

    ``grid``: intervals per constrained term, one number for all or one per term.
    """
    terms = list(terms)
    check_front_terms(terms)
    if grid is None:
        grid = DEFAULT_GRID[len(terms)]
    intervals = [grid] * (len(terms) - 1) if isinstance(grid, int) else list(grid)
    if len(intervals) != len(terms) - 1 or any(n < 1 for n in intervals):
        raise InputError(
            None,
            "--grid",
            f"expected a number of intervals >= 1 for each of {len(terms) - 1} terms, got {grid}",
        )
    if not (math.isfinite(eps) and 0 < eps < 1):
        raise InputError(None, "--eps", f"expected 0 < eps < 1, got {eps}")
    started = time.perf_counter()
    table = payoff_table(solver, terms)
    if table is None:
        return None
    primary, constrained = terms[0], terms[1:]
    ranges, nadir = table.ranges, table.nadir
    grids = dict(zip(constrained, intervals, strict=True))
    steps = {t: ranges[t] / grids[t] for t in constrained}
    count = {t: grids[t] + 1 if ranges[t] > 0 else 1 for t in constrained}
    scale = ranges[primary] if ranges[primary] > 0 else 1.0
    weights = {primary: 1.0}
    for n, t in enumerate(constrained):
        if ranges[t] > 0:
            weights[t] = eps * scale * 10.0 ** (-n) / ranges[t]
    front = Front(terms, [], table, grids, eps, steps)
    for t in terms:
        if solver.constant(t):
            front.notes.append(f"{t} is identically 0 in this scenario")
        elif ranges[t] == 0:
            front.notes.append(f"{t} takes one value on the payoff table ({nadir[t]:.6g})")

    def level(t: str, i: int) -> float | None:
        return None if i == 0 else nadir[t] + i * steps[t]

    inner = constrained[0]
    outer = constrained[1] if len(constrained) > 1 else None
    candidates: list[Point] = list(table.rows.values())
    for j in range(count[outer] if outer else 1):
        i = 0
        while i < count[inner]:
            lower = {inner: level(inner, i)}
            if outer is not None:
                lower[outer] = level(outer, j)
            point = solver.maximise(weights, lower)
            front.solves += 1
            if point is None:
                front.infeasible += 1
                break
            candidates.append(point)
            front.found += 1
            skip = 0
            if steps[inner] > 0:
                slack = point.terms[inner] - (nadir[inner] + i * steps[inner])
                skip = max(0, math.floor(slack / steps[inner] - SAME))
            skip = min(skip, count[inner] - 1 - i)
            front.bypassed += skip
            i += 1 + skip
        if i == 0:
            break  # infeasible at the loosest inner point: every later outer point too
    front.points = non_dominated(candidates, terms)
    front.seconds = time.perf_counter() - started
    return front


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(1.0, abs(a), abs(b))


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """a ≥ b in every term (within SAME) and better in one."""
    better = False
    for x, y in zip(a, b, strict=True):
        if x < y and not _same(x, y):
            return False
        if x > y and not _same(x, y):
            better = True
    return better


def non_dominated(points: Sequence[Point], terms: Sequence[str]) -> list[Point]:
    """The points no other point dominates in ``terms``, one per vector (the first found),
    sorted by the first term descending, then the next."""
    kept: list[Point] = []
    vectors: list[tuple[float, ...]] = []
    for point in points:
        v = tuple(point.terms[t] for t in terms)
        if any(all(_same(a, b) for a, b in zip(v, w, strict=True)) for w in vectors):
            continue
        kept.append(point)
        vectors.append(v)
    result = [
        p for p, v in zip(kept, vectors, strict=True) if not any(_dominates(w, v) for w in vectors)
    ]
    result.sort(key=lambda p: tuple(-p.terms[t] for t in terms))
    return result


def hypervolume(points: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """The volume dominated by ``points`` (maximisation) and dominating ``reference``, exact
    for any dimension by slicing on the last coordinate (fine for fronts of a few hundred)."""
    clipped = [tuple(p) for p in points if all(x > r for x, r in zip(p, reference, strict=True))]
    if not clipped:
        return 0.0
    if len(reference) == 1:
        return max(p[0] for p in clipped) - reference[0]
    levels = sorted({p[-1] for p in clipped}, reverse=True)
    total = 0.0
    for n, top in enumerate(levels):
        below = levels[n + 1] if n + 1 < len(levels) else reference[-1]
        layer = [p[:-1] for p in clipped if p[-1] >= top]
        total += hypervolume(layer, reference[:-1]) * (top - below)
    return total
