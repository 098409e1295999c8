"""Near-optimal alternatives (``model.alternatives``) against brute-force enumeration.

On random tiny instances the enumerator (tests/reference/bruteforce.py) lists every core set
that meets the rules with the best objective it allows; the alternatives must be the best of
those sets after the optimum, in order, each with its enumerated value, and none below the
objective floor.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from model.alternatives import near_optimal
from model.errors import InputError
from model.pipeline import RunResult, solve_scenario_file
from model.scenario import load_scenario
from tests.inprocess import run_main
from tests.reference.bruteforce import scored_core_sets
from tests.test_against_enumeration import write_case
from tests.test_cli import run_cli

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SEEDS = range(40)
TOLERANCE = 1e-6
TERMS = ("fit", "export", "member", "coop")
CoreSet = frozenset[tuple[str, str]]


def cores_of(result: RunResult) -> CoreSet:
    return frozenset((s.cluster_type, s.core) for s in result.sitings())


def ranked(seed: int, folder: Path) -> tuple[RunResult, list[float], dict[CoreSet, float]]:
    """The seed's run, its core sets' values best first, and each core set's value."""
    path, scenario = write_case(seed, folder)
    sets = scored_core_sets(Path(scenario["region"]), scenario)
    values = sorted((value for _cores, value in sets), reverse=True)
    return solve_scenario_file(path), values, dict(sets)


@pytest.mark.parametrize("seed", SEEDS)
def test_alternatives_are_the_next_best_core_sets_in_order(seed: int, tmp_path: Path) -> None:
    result, values, value_of = ranked(seed, tmp_path)
    if not values:  # infeasible: there is no optimum to start from
        assert result.status == "infeasible"
        with pytest.raises(InputError, match="proven optimum"):
            near_optimal(result, count=3, slack=1.0)
        return
    alternatives = near_optimal(result, count=4, slack=math.inf)
    found = alternatives.results
    assert alternatives.ended == ("count" if len(values) > 4 else "slack")
    assert len(found) == min(4, len(values) - 1)
    listed = [result, *found]
    objectives = [r.objective for r in listed]
    assert objectives == pytest.approx(values[: len(listed)], abs=TOLERANCE)
    sets = [cores_of(r) for r in listed]
    assert len(set(sets)) == len(sets), "every alternative is a new set of cores"
    for r, cores in zip(listed, sets, strict=True):
        assert r.status == "optimal"
        assert value_of[cores] == pytest.approx(r.objective, abs=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_diverse_alternatives_share_the_fewest_cores_then_score_best(
    seed: int, tmp_path: Path
) -> None:
    """Each diverse alternative, among the core sets not listed yet and within the floor,
    shares the fewest cores with all listed before it and has the best value among those."""
    result, values, value_of = ranked(seed, tmp_path)
    if not values:
        return  # infeasible: covered by the test above
    slack = 0.2
    floor = values[0] - slack * abs(values[0])
    alternatives = near_optimal(result, count=4, slack=slack, diverse=True)
    found = alternatives.results
    listed = [cores_of(result)]
    for r in [*found, None]:
        union = frozenset().union(*listed)
        candidates = {
            cores: value
            for cores, value in value_of.items()
            if cores not in listed and value >= floor - TOLERANCE
        }
        if r is None:  # the list ended: by the count, or for want of candidates
            assert alternatives.ended == ("count" if len(found) == 4 else "slack")
            assert len(found) == 4 or not candidates
            break
        cores = cores_of(r)
        assert cores in candidates, "within the floor and not listed before"
        fewest = min(len(c & union) for c in candidates)
        assert len(cores & union) == fewest
        best = max(v for c, v in candidates.items() if len(c & union) == fewest)
        assert r.objective == pytest.approx(best, abs=TOLERANCE)
        assert value_of[cores] == pytest.approx(r.objective, abs=TOLERANCE)
        listed.append(cores)


def test_the_floor_cuts_the_list_where_the_slack_ends(tmp_path: Path) -> None:
    """For every seed with a gap between its 2nd and 3rd best values: a slack whose floor
    falls in that gap gives exactly one alternative; at a floor equal to the 3rd best, two."""
    checked = 0
    for seed in SEEDS:
        result, values, _ = ranked(seed, tmp_path / str(seed))
        if len(values) < 3 or values[0] <= 0 or values[1] - values[2] < 1e-3:
            continue
        floor = (values[1] + values[2]) / 2
        slack = (values[0] - floor) / values[0]
        one = near_optimal(result, count=5, slack=slack)
        assert len(one.results) == 1 and one.ended == "slack"
        exact = (values[0] - values[2]) / values[0] + 1e-9
        kept = near_optimal(result, count=5, slack=exact).results
        assert len(kept) >= 2 and all(r.objective >= values[2] - TOLERANCE for r in kept)
        checked += 1
    assert checked >= 5, "too few seeds with a gap to test the floor"


def test_bad_requests_are_refused(tmp_path: Path) -> None:
    result = solve_scenario_file(BASELINE)
    with pytest.raises(InputError, match="--count"):
        near_optimal(result, count=0, slack=0.1)
    for slack in (-0.1, math.nan):
        with pytest.raises(InputError, match="--slack"):
            near_optimal(result, count=1, slack=slack)
    with pytest.raises(InputError, match="proven optimum"):
        near_optimal(replace(result, status="time_limit"), count=1, slack=0.1)
    other = replace(result, loaded=load_scenario(BASELINE, ["solver.name=glpk"]))
    with pytest.raises(InputError, match=r"solver\.name.*HiGHS"):
        near_optimal(other, count=1, slack=0.1)
    tied = near_optimal(result, count=3, slack=0.0).results  # the floor is the optimum
    assert all(r.objective == pytest.approx(result.objective) for r in tied)
    # an optimum of 0 with an infinite slack: the floor stays 0 (not inf · 0)
    zero = solve_scenario_file(BASELINE, [f"weights.{w}=0" for w in TERMS])
    assert zero.objective == 0.0
    for diverse in (False, True):
        found = near_optimal(zero, 2, math.inf, diverse).results
        assert [r.objective for r in found] == [0.0, 0.0]


@pytest.mark.slow
def test_command_writes_the_alternatives_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "alt"
    done = run_main(
        "alternatives", str(BASELINE), "--count", "2", "--slack", "0.05", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    sitings = pd.read_csv(out / "sitings.csv")
    assert list(sitings.columns)[1:] == [
        "optimum",
        "alternative-1",
        "alternative-1 change",
        "alternative-2",
        "alternative-2 change",
        "type id",
    ]
    # the alternatives' report: one printable page with a map per siting
    assert {"comparison.html", "comparison.md", "comparison_maps.png"} <= {
        p.name for p in out.iterdir()
    }
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "alternative-2" in page and "<img" in page
    terms = pd.read_csv(out / "terms.csv", index_col=0)
    objective = terms.loc["objective", ["optimum", "alternative-1", "alternative-2"]]
    values = objective.astype(float).tolist()
    assert values == sorted(values, reverse=True) and values[-1] >= 0.95 * values[0]
    assert (out / "runs" / "alternative-2" / "summary.json").is_file()
    again = run_cli("alternatives", str(BASELINE), "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    other = run_cli("alternatives", str(BASELINE), "--solver", "cbc", "--out", str(tmp_path / "x"))
    assert other.returncode == 2 and "--solver" in other.stderr
    assert not (tmp_path / "x").exists()


def test_command_on_an_infeasible_scenario_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "alt"
    done = run_cli(
        "alternatives", str(BASELINE), "--set", "rules.min_border_sites=100", "--out", str(out)
    )
    assert done.returncode == 3
    assert "alternatives need a proven optimum" in done.stderr
    assert not out.exists()


@pytest.mark.slow
def test_command_diverse_mode_differs_at_least_as_much_as_the_next_best(tmp_path: Path) -> None:
    """The most different first alternative shares no more cores with the optimum than the
    next-best one does (both within the same slack)."""
    shared = []
    for flags in ([], ["--diverse"]):
        out = tmp_path / ("diverse" if flags else "best")
        done = run_main(
            "alternatives", str(BASELINE), "--count", "1", "--slack", "0.1", "--out", str(out),
            *flags,
        )
        assert done.returncode == 0, done.stderr
        sitings = pd.read_csv(out / "sitings.csv", dtype=str).fillna("")
        moved = sitings["alternative-1 change"] == "*"
        assert moved.any(), "an alternative moves at least one core"
        shared.append(int((~moved).sum()))
    assert "Most different alternatives" in done.stdout
    assert shared[1] <= shared[0]
