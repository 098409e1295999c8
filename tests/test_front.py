"""Pareto fronts by AUGMECON2 (``model.front``, ``run.py front``).

**Against enumeration.** On random tiny regions (tests/reference/tiny.py) the independent
enumerator of tests/reference/bruteforce.py lists every core set that meets the rules;
``scored_core_sets`` run with one term's weight at 1 and the others at 0 gives that term's
best value for each core set. fit, export and coop depend on the cores alone, member on the
cores and the member arcs, and the arcs change no other term, so the best member value of a
core set is the one every non-dominated siting with those cores has: the vectors
(fit, export, member, coop) per core set hold every non-dominated vector of any subset of
terms, whatever the weights of the scenario (they are not used: the terms are unweighted).

**How exactness is ensured.** AUGMECON2 finds every non-dominated vector when (a) each
constrained term's grid step is below the least positive difference between two of its values
over all feasible core sets, so that the box of the grid point just below a point's value holds
the same sitings as the box at that value, and (b) ε is small enough that the augmentation
cannot trade any positive difference of the first term (docs/model.md §8). The test takes the
differences from the enumeration, sets the grid to the term's full spread over the smallest
difference (plus one) and ε to half the bound of (b), and skips instances whose values differ by
less than 1e-4 (below the solver's tolerances) or would need more than 400 intervals. The
front must then equal the enumerated non-dominated set (within 1e-6), both ways.

pyaugmecon is not used as a second reference: its latest release (1.0.8) pins numpy ~=1.25,
pandas ~=2.0 and pyomo ~=6.6 (the project runs numpy 2, pandas 3, pyomo 6.10) and defaults to
Gurobi; installing it would downgrade the shared environment.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from model.front import augmecon2, hypervolume, non_dominated
from model.payoff import Point, TermSolver, payoff_table
from model.pipeline import solve, solver_options
from model.results import Solution, check_constraints
from model.scenario import load_scenario
from tests.inprocess import run_main
from tests.reference.bruteforce import scored_core_sets
from tests.reference.tiny import write_random_instance
from tests.test_cli import run_cli

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
TERMS = ("fit", "export", "member", "coop")
COMBOS = [
    ("fit", "coop"),
    ("export", "member"),
    ("coop", "fit"),
    ("fit", "export"),
    ("member", "coop"),
    ("fit", "export", "coop"),
    ("fit", "member", "coop"),
]
SEEDS = range(28)
# (seed, COMBOS index) whose enumerated fronts have 4 to 15 points and whose outer grid (three
# terms) needs at most 80 intervals (found by scanning seeds 0-299 with the enumerator alone)
RICH = [
    *((seed, 5) for seed in (1, 110, 141, 191)),  # fit, export, coop
    *((seed, 6) for seed in (52, 116, 124, 130, 137, 208, 241, 256, 274)),  # fit, member, coop
    (6, 1),
    (29, 0),
    (63, 1),
    (95, 3),
    (99, 1),
    (120, 3),
    (147, 3),
    (197, 1),
    (214, 1),
    (298, 4),
]
MIN_GAP = 1e-4
# two terms: the bypass makes a fine grid cheap; three: one inner loop per outer grid point
MAX_GRID = {2: 100_000, 3: 80}


def write_case(seed: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def enumerated_vectors(scenario: dict[str, Any]) -> dict[frozenset[Any], dict[str, float]]:
    """Core set -> its four unweighted terms, members at their best (module docstring)."""
    vectors: dict[frozenset[Any], dict[str, float]] = {}
    for term in TERMS:
        alone = {**scenario, "weights": {t: 1.0 if t == term else 0.0 for t in TERMS}}
        for cores, value in scored_core_sets(Path(scenario["region"]), alone):
            vectors.setdefault(cores, {})[term] = value
    return vectors


def _min_gap(values: list[float]) -> float:
    distinct = sorted(set(round(v, 9) for v in values))
    gaps = [b - a for a, b in itertools.pairwise(distinct)]
    return min(gaps) if gaps else math.inf


def _nondominated(vectors: list[tuple[float, ...]]) -> set[tuple[float, ...]]:
    def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return all(x >= y - 1e-9 for x, y in zip(a, b, strict=True)) and any(
            x > y + 1e-9 for x, y in zip(a, b, strict=True)
        )

    unique = {tuple(round(x, 9) for x in v) for v in vectors}
    return {v for v in unique if not any(dominates(w, v) for w in unique)}


def _same_sets(a: set[tuple[float, ...]], b: set[tuple[float, ...]]) -> bool:
    def near(v: tuple[float, ...], w: tuple[float, ...]) -> bool:
        return all(abs(x - y) <= 1e-6 for x, y in zip(v, w, strict=True))

    return all(any(near(v, w) for w in b) for v in a) and all(any(near(v, w) for w in a) for v in b)


@pytest.mark.parametrize("seed", SEEDS)
def test_front_matches_enumeration(seed: int, tmp_path: Path) -> None:
    check_against_enumeration(seed, list(COMBOS[seed % len(COMBOS)]), tmp_path)


@pytest.mark.parametrize(("seed", "combo"), RICH)
def test_larger_fronts_match_enumeration(seed: int, combo: int, tmp_path: Path) -> None:
    check_against_enumeration(seed, list(COMBOS[combo]), tmp_path)


def check_against_enumeration(seed: int, terms: list[str], tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path)
    vectors = enumerated_vectors(scenario)
    loaded = load_scenario(path)
    result = solve(loaded)
    if not vectors:
        assert result.status == "infeasible"
        solver = TermSolver(
            result.region, loaded.scenario, result.tables, terms, solver_options(loaded)
        )
        assert augmecon2(solver, terms) is None
        return
    points = [tuple(v[t] for t in terms) for v in vectors.values()]
    gaps = {t: _min_gap([v[t] for v in vectors.values()]) for t in terms}
    if any(g < MIN_GAP for g in gaps.values()):
        pytest.skip(f"values closer than {MIN_GAP}: {gaps}")
    spread = {
        t: max(v[t] for v in vectors.values()) - min(v[t] for v in vectors.values()) for t in terms
    }
    grid = [math.ceil(spread[t] / gaps[t]) + 1 if spread[t] > 0 else 1 for t in terms[1:]]
    if grid[-1] > MAX_GRID[len(terms)]:
        pytest.skip(f"would need {grid} grid intervals")
    solver = TermSolver(
        result.region, loaded.scenario, result.tables, terms, solver_options(loaded)
    )
    table = payoff_table(solver, terms)
    assert table is not None
    ranges = table.ranges
    scale = ranges[terms[0]] or 1.0
    trade = sum(10.0**-n * spread[t] / ranges[t] for n, t in enumerate(terms[1:]) if ranges[t] > 0)
    eps = min(1e-5, 0.5 * gaps[terms[0]] / (scale * trade)) if trade > 0 else 1e-5
    front = augmecon2(solver, terms, grid=grid, eps=eps)
    assert front is not None
    found = {tuple(p.terms[t] for t in terms) for p in front.points}
    expected = _nondominated(points)
    assert _same_sets(found, expected), (terms, sorted(found), sorted(expected))
    # every point's siting is one of the enumerated core sets with the enumerated terms
    for p in front.points:
        enumerated = vectors[frozenset(p.cores)]
        for t in terms:
            assert p.terms[t] == pytest.approx(enumerated[t], abs=1e-6)
    # early exit: at most one infeasible solve per inner loop, one inner loop per outer point
    assert front.infeasible <= (grid[-1] + 1 if len(terms) == 3 else 1)
    assert front.solves == front.found + front.infeasible


def test_hypervolume_by_hand() -> None:
    assert hypervolume([(3, 1), (1, 3), (2, 2)], (0, 0)) == pytest.approx(6.0)
    assert hypervolume([(3, 1)], (3, 0)) == 0.0  # on the reference: nothing dominated
    # two boxes of 1×1×2 and 2×2×1 overlapping in 1×1×1
    assert hypervolume([(1, 1, 2), (2, 2, 1)], (0, 0, 0)) == pytest.approx(2 + 4 - 1)


def test_non_dominated_keeps_one_per_vector() -> None:
    def point(f: float, c: float, where: str) -> Point:
        return Point({"fit": f, "coop": c}, [("a", where)], [], True)

    kept = non_dominated(
        [point(1, 2, "x"), point(1, 2, "y"), point(2, 1, "z"), point(0.5, 1.5, "w")],
        ["fit", "coop"],
    )
    assert [(p.terms["fit"], p.cores[0][1]) for p in kept] == [(2, "z"), (1, "x")]


# --- degenerate cases and the command ----------------------------------------------------


def test_term_identically_zero_gives_a_single_point(tmp_path: Path) -> None:
    """One cluster type: no cooperating pair, so coop is 0 on every siting; the front of
    fit and coop is the single siting of best fit."""
    out = tmp_path / "front"
    done = run_cli(
        "front",
        str(BASELINE),
        "--terms",
        "fit,coop",
        "--set",
        "rules.clusters=[wood]",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    front = pd.read_csv(out / "front.csv")
    assert len(front) == 1 and front["coop"].iloc[0] == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["points"] == 1
    assert any("coop is identically 0" in note for note in summary["notes"])
    assert summary["hypervolume"] == 0.0 and summary["hypervolume_share"] is None
    best = solve(
        load_scenario(
            BASELINE,
            ["rules.clusters=[wood]", "weights.coop=0", "weights.export=0", "weights.member=0"],
        )
    )
    assert front["fit"].iloc[0] == pytest.approx(best.objective, abs=1e-6)


def test_infeasible_scenario_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "front"
    done = run_cli(
        "front",
        str(BASELINE),
        "--terms",
        "fit,coop",
        "--set",
        "rules.min_border_sites=100",
        "--out",
        str(out),
    )
    assert done.returncode == 3 and "no trade-offs" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--terms", "fit"], "--terms"),
        (["--terms", "fit,coop,export,member"], "--terms"),
        (["--terms", "fit,fit"], "--terms"),
        (["--terms", "fit,joy"], "--terms"),
        (["--terms", "fit,coop", "--grid", "0"], "--grid"),
        (["--terms", "fit,coop", "--eps", "2"], "--eps"),
    ],
)
def test_bad_requests_exit_2(args: list[str], option: str, tmp_path: Path) -> None:
    """The first refusal through a real process (the exit status the shell sees), the others
    through ``main`` in this process (the same code path, a second less each)."""
    out = tmp_path / "front"
    runner = run_cli if args == ["--terms", "fit"] else run_main
    done = runner("front", str(BASELINE), *args, "--out", str(out))
    assert done.returncode == 2 and option in done.stderr, done.stderr
    assert not out.exists()


@pytest.mark.slow
def test_baseline_front_of_fit_and_coop(tmp_path: Path) -> None:
    """The command's files; every point's cores pass the project's check and are mutually
    non-dominated; the ends of the front are the payoff table's rows."""
    out = tmp_path / "front"
    done = run_cli("front", str(BASELINE), "--terms", "fit,coop", "--grid", "40", "--out", str(out))
    assert done.returncode == 0, done.stderr
    for name in (
        "front.csv",
        "front.png",
        "payoff.csv",
        "summary.json",
        "report.md",
        "report.html",
    ):
        assert (out / name).is_file(), name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    front = pd.read_csv(out / "front.csv")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(front) == summary["points"] >= 2
    vectors = list(zip(front["fit"], front["coop"], strict=True))
    assert len(_nondominated(vectors)) == len(vectors)
    assert front["fit"].max() == pytest.approx(summary["ideal"]["fit"])
    assert front["coop"].max() == pytest.approx(summary["ideal"]["coop"])
    loaded = load_scenario(BASELINE)
    result = solve(loaded)
    for cores in front["cores"]:
        sites = [tuple(c.split("@")) for c in cores.split(";")]
        solution = Solution(sites, [])  # type: ignore[arg-type]
        assert check_constraints(solution, result.region, loaded.scenario, result.tables) == []
    hv = hypervolume(vectors, (summary["nadir"]["fit"], summary["nadir"]["coop"]))
    assert summary["hypervolume"] == pytest.approx(hv)
    # the scenario's weighted optimum is on the front (it maximises a positive sum)
    optimum = summary["weighted_optimum"]["terms"]
    assert (
        any(abs(f - optimum["fit"]) < 1e-6 and abs(c - optimum["coop"]) < 1e-6 for f, c in vectors)
        or _dominated_by_front(vectors, (optimum["fit"], optimum["coop"])) is False
    )


def _dominated_by_front(vectors: list[tuple[float, float]], v: tuple[float, float]) -> bool:
    return any(
        f >= v[0] - 1e-9 and c >= v[1] - 1e-9 and (f > v[0] + 1e-9 or c > v[1] + 1e-9)
        for f, c in vectors
    )
