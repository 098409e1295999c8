r"""The four objective terms one by one: payoff table, lexicographic order, normalised weights.

The siting objective (docs/model.md §5) is a weighted sum of four terms. Here each term is a
separate linear function of the model's columns, **unweighted** (the scenario's weights do not
scale them; a weight only says which terms a weighted run adds up):

.. math::

    fit(y) = \sum_A fit_{ki}\, y_{ki}, \quad export(y) = \sum_A exp_{ki}\, y_{ki}, \quad
    member(x) = \sum_M fit_{kj}\, link_{ij}\, x_{kij}, \quad
    coop(z) = \sum_P coop_{kk'}\, link_{ij}\, z_{kik'j}.

:class:`TermSolver` builds the siting model once (with unit weights on the terms asked for, so
that the member arcs and pairs of those terms exist) and hands it to HiGHS once
(``solvers.highs.PersistentHighs``); every later solve changes only the objective costs and the
bounds of one extra row per term, ``f_t(x) ≥ e_t``. Every point it returns is read off the
model and checked by the project's own solution check (``model.results.evaluate``: the rules of
§5 from the scenario, the terms recomputed from the indicator tables), so a term value reported
here is the one the data give, not the solver's.

**Payoff table.** Row *t*: maximise *t* alone, then hold :math:`t \ge t^* - tol` and maximise
the next term, and so on through all the terms (lexicographic), so that every row is a
non-dominated siting. The ideal of a term is its maximum (the diagonal), the nadir its least
value over the rows (the usual payoff-table estimate; exact for two terms, an estimate for
more).

**Lexicographic order.** :func:`lexicographic`: maximise the first term; hold it at its optimum
less a tolerance; maximise the second; and so on. A tolerance is absolute (``0.5``) or relative
to the level's optimum (``"1%"``: :math:`t \ge t^* - 0.01\,|t^*|`).

**Normalised weights.** Shares :math:`\sigma_t \ge 0` of each term's range: the weight of term
*t* is :math:`w_t = \sigma_t / (ideal_t - nadir_t)`, so that a share says how much a whole
range of the term is worth, whatever its units. A term whose range is 0 (constant on the
payoff table) gets weight 0. :func:`normalised_weights` returns the weights; they can be passed
to ``run.py run --set weights.fit=...``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from model.errors import ClusterSiteError, InputError
from model.formulation import build_model
from model.instance import IndicatorTables, Member, Site, build_instance
from model.pipeline import SolutionCheckError
from model.region import Region
from model.results import TERMS, evaluate, read_solution
from model.scenario import Scenario, Weights
from solvers.base import SolveOutcome, SolverOptions, Status
from solvers.highs import PersistentHighs

CHECK_TOLERANCE = 1e-6  # relative slack of the solution checks against the bounds asked for
LEVEL_TOLERANCE = 1e-7  # default relative give of a lexicographic level (numerical only)


class TradeOffError(ClusterSiteError):
    """A solve of a trade-off analysis ended without a solution (time limit, solver error)."""

    exit_code = 4


@dataclass(frozen=True)
class Point:
    """One siting with its unweighted term values (recomputed from the data)."""

    terms: dict[str, float]
    cores: list[Site]
    members: list[Member]
    proven: bool  # every solve that led here ended optimal

    def cores_text(self) -> str:
        return ";".join(f"{k}@{i}" for k, i in self.cores)


def parse_terms(text: str | Sequence[str], what: str = "--terms") -> list[str]:
    """'fit,coop' -> ['fit', 'coop']; unknown or repeated names refused (exit 2)."""
    names = [t.strip() for t in text.split(",")] if isinstance(text, str) else list(text)
    names = [t for t in names if t]
    unknown = [t for t in names if t not in TERMS]
    if unknown or not names:
        raise InputError(
            None, what, f"expected terms among {', '.join(TERMS)}, got {','.join(names) or '-'}"
        )
    if len(set(names)) != len(names):
        raise InputError(None, what, f"a term is named twice: {','.join(names)}")
    return names


def parse_tolerances(text: str | None, levels: int) -> list[str]:
    """'0.01' (every level) or '0.5,1%' (one per level); absolute unless ending in %."""
    if text is None or not text.strip():
        return ["0"] * levels
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        parts = parts * levels
    if len(parts) != levels:
        raise InputError(
            None, "--tolerance", f"expected one tolerance or {levels}, got {len(parts)}"
        )
    for part in parts:
        _give(part, 1.0)  # refuses bad text
    return parts


def _give(tolerance: str | float, optimum: float) -> float:
    """How far below ``optimum`` a level may go: absolute, or relative with a % sign."""
    text = str(tolerance).strip()
    try:
        value = float(text[:-1]) / 100 * abs(optimum) if text.endswith("%") else float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise InputError(None, "--tolerance", f"expected a number >= 0 or a percentage, got {text}")
    return max(value, LEVEL_TOLERANCE * max(1.0, abs(optimum)))


def parse_shares(text: str) -> dict[str, float]:
    """'fit=1,coop=0.5' -> shares; terms not named get 0."""
    shares = dict.fromkeys(TERMS, 0.0)
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if name not in TERMS or not (math.isfinite(number) and number >= 0):
            raise InputError(
                None, "--normalised", f"expected TERM=SHARE with a share >= 0, got {part!r}"
            )
        shares[name] = number
    if not any(shares.values()):
        raise InputError(None, "--normalised", "at least one share must be positive")
    return shares


class TermSolver:
    """The siting model of one scenario, kept in HiGHS, solved for any mix of the terms.

    ``terms``: the terms that can appear in objectives and bounds; the model gets the member
    arcs and cooperating pairs only when ``member`` or ``coop`` is among them. The other
    terms are still reported when they follow from the cores alone (fit, export, coop);
    ``member`` is left out of a point (NaN) when it is not modelled, since it depends on a
    member assignment nothing chose.
    """

    def __init__(
        self,
        region: Region,
        scenario: Scenario,
        tables: IndicatorTables,
        terms: Sequence[str] = TERMS,
        options: SolverOptions | None = None,
    ) -> None:
        self.terms = list(terms)
        self.region, self.tables = region, tables
        unit = Weights(
            fit=1.0,
            export=1.0,
            member=1.0 if "member" in self.terms else 0.0,
            coop=1.0 if "coop" in self.terms else 0.0,
        )
        self.scenario = scenario.model_copy(update={"weights": unit})
        # every term recomputed unweighted (the coop of the cores even when not modelled)
        self._checked = scenario.model_copy(
            update={"weights": Weights(fit=1.0, export=1.0, member=1.0, coop=1.0)}
        )
        self.options = options or SolverOptions()
        self.instance = build_instance(region, self.scenario, tables)
        self.model = build_model(self.instance, cooperation="pairs")  # reads model.z
        self.engine = PersistentHighs(self.model)
        inst, m = self.instance, self.model
        self._vars = [
            *(m.y[s] for s in inst.sites),
            *(m.x[a] for a in inst.members),
            *(m.z[p] for p in inst.pairs),
        ]
        n_y, n_x, n_z = len(inst.sites), len(inst.members), len(inst.pairs)
        zeros = np.zeros(n_y + n_x + n_z)
        self.vectors: dict[str, np.ndarray] = {t: zeros.copy() for t in TERMS}
        self.vectors["fit"][:n_y] = [inst.fit_coef[s] for s in inst.sites]
        self.vectors["export"][:n_y] = [inst.export_coef[s] for s in inst.sites]
        self.vectors["member"][n_y : n_y + n_x] = [inst.member_coef[a] for a in inst.members]
        self.vectors["coop"][n_y + n_x :] = [inst.pair_coef[p] for p in inst.pairs]
        self._rows: dict[str, int | None] = {}
        self.solves = 0
        self.seconds = 0.0
        self._trivial = self.engine.lp is None or self.engine.lp.num_col == 0
        self.warm_start = True  # offer each solve the previous solution (HiGHS checks it)
        self.last_outcome: SolveOutcome | None = None

    def constant(self, term: str) -> bool:
        """True when the term has no column with a nonzero coefficient (identically 0)."""
        return not np.any(self.vectors[term])

    def _row(self, term: str) -> int | None:
        if term not in self._rows:
            vector = self.vectors[term]
            nonzero = np.flatnonzero(vector)
            self._rows[term] = (
                None
                if len(nonzero) == 0 or self._trivial
                else self.engine.add_row(
                    [(self._vars[n], float(vector[n])) for n in nonzero], None, None
                )
            )
        return self._rows[term]

    def maximise(
        self, weights: Mapping[str, float], lower: Mapping[str, float | None] | None = None
    ) -> Point | None:
        """Maximise Σ weights[t]·f_t subject to f_t ≥ lower[t] (None: no bound); None when
        infeasible. Bounds not named in ``lower`` are dropped."""
        lower = dict(lower or {})
        for t in list(weights) + list(lower):
            if t not in self.terms:
                raise ValueError(f"term {t} is not modelled here (terms: {self.terms})")
        for t in self.terms:
            bound = lower.get(t)
            row = self._row(t)
            if row is None:
                if bound is not None and bound > CHECK_TOLERANCE:
                    return None  # a term identically 0 cannot reach a positive bound
                continue
            self.engine.set_row_bounds(row, bound, None)
        cost = sum(
            (float(w) * self.vectors[t] for t, w in weights.items()),
            start=np.zeros(len(self._vars)),
        )
        if self._vars and not self._trivial:
            self.engine.set_objective_coefficients(zip(self._vars, cost.tolist(), strict=True))
        started = time.perf_counter()
        if self.warm_start:
            self.engine.warm_start(self.engine.last_values)
        outcome = self.engine.resolve(self.options)
        self.last_outcome = outcome
        self.seconds += time.perf_counter() - started
        self.solves += 1
        if outcome.status == Status.INFEASIBLE:
            return None
        if not outcome.has_solution:
            raise TradeOffError(
                f"a solve ended {outcome.status.value} without a solution "
                f"({outcome.message}); try a longer --time-limit"
            )
        point = self._read(outcome.status == Status.OPTIMAL)
        for t, bound in lower.items():
            if bound is not None and point.terms[t] < bound - CHECK_TOLERANCE * max(
                1.0, abs(bound)
            ):
                raise SolutionCheckError(
                    f"{t} = {point.terms[t]:.9g} recomputed from the data, below its bound "
                    f"{bound:.9g}"
                )
        return point

    def _read(self, proven: bool) -> Point:
        solution = read_solution(self.model, self.instance.types, self.instance.districts)
        evaluation = evaluate(solution, self.region, self._checked, self.tables)
        if evaluation.violations:
            raise SolutionCheckError(
                "a trade-off point breaks constraints: " + "; ".join(evaluation.violations[:5])
            )
        terms = dict(evaluation.terms)
        if "member" not in self.terms:
            terms["member"] = math.nan
        return Point(terms, list(solution.cores), list(solution.members), proven)


@dataclass
class PayoffTable:
    """One lexicographic row per term of ``terms``; the ideal and nadir of each term."""

    terms: list[str]
    rows: dict[str, Point]  # term optimised first -> its row
    orders: dict[str, list[str]]  # term optimised first -> the lexicographic order used
    solves: int = 0
    seconds: float = 0.0

    @property
    def ideal(self) -> dict[str, float]:
        return {t: self.rows[t].terms[t] for t in self.terms}

    @property
    def nadir(self) -> dict[str, float]:
        return {t: min(row.terms[t] for row in self.rows.values()) for t in self.terms}

    @property
    def ranges(self) -> dict[str, float]:
        ideal, nadir = self.ideal, self.nadir
        return {t: max(0.0, ideal[t] - nadir[t]) for t in self.terms}


def lexicographic(
    solver: TermSolver,
    order: Sequence[str],
    tolerances: Sequence[str | float] | None = None,
    lower: Mapping[str, float | None] | None = None,
) -> tuple[Point | None, list[float]]:
    """Maximise ``order[0]``; hold it ≥ its optimum less its tolerance; maximise ``order[1]``;
    and so on. Returns the last level's point (None when infeasible) and each level's optimum.

    ``tolerances``: one per level, absolute numbers or texts ending in % (relative to that
    level's optimum); default 0 (a relative 1e-7 is always allowed for rounding).
    """
    point, optima, _bounds = lexicographic_levels(solver, order, tolerances, lower)
    return point, optima


def lexicographic_levels(
    solver: TermSolver,
    order: Sequence[str],
    tolerances: Sequence[str | float] | None = None,
    lower: Mapping[str, float | None] | None = None,
) -> tuple[Point | None, list[float], dict[str, float | None]]:
    """:func:`lexicographic`, also returning the bounds every level ends up held at."""
    tolerances = list(tolerances) if tolerances is not None else [0.0] * len(order)
    if len(tolerances) != len(order):
        raise ValueError("one tolerance per level")
    bounds: dict[str, float | None] = dict(lower or {})
    point: Point | None = None
    optima: list[float] = []
    for term, tolerance in zip(order, tolerances, strict=True):
        point = solver.maximise({term: 1.0}, bounds)
        if point is None:
            return None, optima, bounds
        optimum = point.terms[term]
        optima.append(optimum)
        previous = bounds.get(term)
        held = optimum - _give(tolerance, optimum)
        bounds[term] = held if previous is None else max(previous, held)
    return point, optima, bounds


def payoff_table(solver: TermSolver, terms: Sequence[str] | None = None) -> PayoffTable | None:
    """Each term maximised first, then the others lexicographically in ``terms`` order.

    None when the scenario is infeasible.
    """
    terms = list(terms or solver.terms)
    started, solves = time.perf_counter(), solver.solves
    rows: dict[str, Point] = {}
    orders: dict[str, list[str]] = {}
    for term in terms:
        order = [term, *(t for t in terms if t != term)]
        point, _ = lexicographic(solver, order)
        if point is None:
            return None
        rows[term], orders[term] = point, order
    return PayoffTable(terms, rows, orders, solver.solves - solves, time.perf_counter() - started)


def normalised_weights(table: PayoffTable, shares: Mapping[str, float]) -> dict[str, float]:
    """w_t = share_t / (ideal_t − nadir_t); 0 for a term whose range is 0 or share is 0."""
    ranges = table.ranges
    weights: dict[str, float] = {}
    for t in TERMS:
        share = float(shares.get(t, 0.0))
        r = ranges.get(t, 0.0)
        weights[t] = share / r if share > 0 and r > 0 else 0.0
    return weights


@dataclass
class WeightedPoint:
    """The siting that maximises Σ w_t f_t for given weights."""

    weights: dict[str, float]
    point: Point | None
    shares: dict[str, float] = field(default_factory=dict)
