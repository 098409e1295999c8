"""Explanations of sitings (model/report/explain.py) on a region small enough to solve by hand.

The hand region: districts a, b, c on a line of roads a–b (30 min, federal) and b–c (40 min),
two sectors and two cluster types (wood on s1, food on s2, cooperation 0.5), a border crossing
in c and food flagged cross_border. Every expected number below is worked out in the test from
these inputs with the formulas of docs/model.md §4–5, not read from the program.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.pipeline import RunResult, solve
from model.region import load_region
from model.report.explain import explain
from model.scenario import load_scenario, scenario_from_dict

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"

ACTIVITY = {("a", "s1"): 60.0, ("a", "s2"): 20.0, ("b", "s1"): 10.0, ("b", "s2"): 30.0,
            ("c", "s1"): 0.0, ("c", "s2"): 40.0}  # fmt: skip
MINUTES = {("a", "b"): 30.0, ("b", "c"): 40.0}
COOP = 0.5


def write_hand_region(folder: Path, boundaries: bool = False) -> Path:
    """Write the hand region (optionally with square polygons and a border line)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "districts.csv").write_text(
        "id,name,name_local,lat,lon,population,area_km2,border\n"
        "a,Alpha,Альфа,54.80,32.00,10000,500,false\n"
        "b,Beta,Бета,54.80,32.40,20000,600,false\n"
        "c,Gamma,Гамма,54.80,32.80,30000,700,true\n",
        encoding="utf-8",
    )
    (folder / "activity.csv").write_text(
        "district,sector,value\n" + "".join(f"{d},{s},{v}\n" for (d, s), v in ACTIVITY.items()),
        encoding="utf-8",
    )
    (folder / "roads.csv").write_text(
        "a,b,minutes,kind\na,b,30,federal\nb,c,40,local\n", encoding="utf-8"
    )
    (folder / "crossings.csv").write_text(
        "id,name,district,mode\nx1,Crossing One,c,road\n", encoding="utf-8"
    )
    catalogue = {
        "wood": {"name": "Wood", "sectors": {"s1": 1.0}, "cross_border": False,
                 "needs_corridor": False, "cooperation": {"food": COOP}},
        "food": {"name": "Food", "sectors": {"s2": 1.0}, "cross_border": True,
                 "needs_corridor": False, "cooperation": {"wood": COOP}},
    }  # fmt: skip
    (folder / "clusters.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    if boundaries:
        write_squares(folder)
    return folder


def square(lon: float, lat: float, half: float) -> list[list[float]]:
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def write_squares(folder: Path) -> None:
    """Three square districts (b with a hole) and a border line east of c."""
    features = []
    for district, lon in (("a", 32.0), ("b", 32.4), ("c", 32.8)):
        rings = [square(lon, 54.8, 0.2)]
        if district == "b":
            rings.append(square(lon, 54.8, 0.05)[::-1])
        features.append(
            {
                "type": "Feature",
                "properties": {"id": district},
                "geometry": {"type": "Polygon", "coordinates": rings},
            }
        )
    boundaries = {
        "type": "FeatureCollection",
        "attribution": "© OpenStreetMap contributors, ODbL 1.0; test squares",
        "features": features,
    }
    line = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[33.0, 54.6], [33.0, 55.0]]},
            }
        ],
    }
    (folder / "boundaries.geojson").write_text(json.dumps(boundaries), encoding="utf-8")
    (folder / "border_line.geojson").write_text(json.dumps(line), encoding="utf-8")


def hand_solve(folder: Path, **rules: Any) -> RunResult:
    """Solve the hand region under the canonical model the hand calculation below follows."""
    canonical = {"fit": "lq", "intra_district": "none"}
    rules = {"greenfield": True, **rules}
    data = {"name": "hand", "region": str(folder), "rules": rules, "indicators": canonical}
    loaded = scenario_from_dict(data)
    return solve(loaded, load_region(folder))


# --- the hand calculation -------------------------------------------------------------------


def lq(district: str, sector: str) -> float:
    total = sum(ACTIVITY.values())
    own = sum(v for (d, _), v in ACTIVITY.items() if d == district)
    sector_total = sum(v for (_, s), v in ACTIVITY.items() if s == sector)
    return (ACTIVITY[(district, sector)] / own) / (sector_total / total)


def fit(kind: str, district: str) -> float:
    sector = "s1" if kind == "wood" else "s2"
    return min(lq(district, sector), 3.0) / 3.0


def minutes(i: str, j: str) -> float:
    if i == j:
        return 0.0
    order = "abc"
    lo, hi = sorted((i, j), key=order.index)
    if (lo, hi) == ("a", "c"):
        return MINUTES[("a", "b")] + MINUTES[("b", "c")]
    return MINUTES[(lo, hi)]


def link(i: str, j: str) -> float:
    return math.exp(-minutes(i, j) / 60) if minutes(i, j) <= 120 else 0.0


def member(kind: str, core: str, district: str) -> float:
    return 0.5 * fit(kind, district) * link(core, district)


# Hand enumeration (default weights 1, 1, 0.5, 1; export 0; members within 60 minutes, so a and
# c are never in one cluster; food only within 60 min of the crossing in c, i.e. in b or c):
#   wood@a (member b) + food@b (members a, c) + coop(a, b)  <- the optimum
#   wood@b (member a) + food@b (members a, c) + coop(b, b)  <- best without wood@a
#   wood@a (member b) + food@c (member b)     + coop(a, c)  <- best without food@b
def value_wood_a_food_b() -> float:
    return (
        fit("wood", "a") + member("wood", "a", "b")
        + fit("food", "b") + member("food", "b", "a") + member("food", "b", "c")
        + COOP * link("a", "b")
    )  # fmt: skip


def value_wood_b_food_b() -> float:
    return (
        fit("wood", "b") + member("wood", "b", "a")
        + fit("food", "b") + member("food", "b", "a") + member("food", "b", "c")
        + COOP * link("b", "b")
    )  # fmt: skip


def value_wood_a_food_c() -> float:
    return (
        fit("wood", "a") + member("wood", "a", "b")
        + fit("food", "c") + member("food", "c", "b")
        + COOP * link("a", "c")
    )  # fmt: skip


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hand_region(tmp_path_factory.mktemp("hand") / "region")


def test_hand_optimum_is_the_one_worked_out_by_hand(hand: Path) -> None:
    result = hand_solve(hand)
    assert {(s.cluster_type, s.core) for s in result.sitings()} == {("wood", "a"), ("food", "b")}
    assert result.objective == pytest.approx(value_wood_a_food_b(), abs=1e-9)
    assert value_wood_a_food_b() > value_wood_b_food_b() > value_wood_a_food_c()


def test_terms_of_each_cluster_are_its_own_terms_and_half_of_each_pair(hand: Path) -> None:
    result = hand_solve(hand)
    by_type = {e.cluster_type: e for e in explain(result, runner_ups=False)}
    wood, food = by_type["wood"], by_type["food"]
    pair = COOP * link("a", "b")
    assert wood.terms["fit"] == pytest.approx(fit("wood", "a"))
    assert wood.terms["export"] == 0.0
    assert wood.terms["member"] == pytest.approx(member("wood", "a", "b"))
    assert wood.terms["coop"] == pytest.approx(pair / 2)
    assert food.terms["member"] == pytest.approx(
        member("food", "b", "a") + member("food", "b", "c")
    )
    assert food.terms["coop"] == pytest.approx(pair / 2)
    assert wood.value + food.value == pytest.approx(value_wood_a_food_b())
    assert wood.share("fit") == pytest.approx(fit("wood", "a") / wood.value)
    assert [(p.cluster_type, p.core) for p in wood.partners] == [("food", "b")]
    assert wood.partners[0].value == pytest.approx(pair)


def test_sectors_are_the_lqs_of_the_core_district(hand: Path) -> None:
    result = hand_solve(hand)
    food = next(e for e in explain(result, runner_ups=False) if e.cluster_type == "food")
    assert food.type_sectors == [("s2", 1.0, pytest.approx(lq("b", "s2")))]
    # b: s2 LQ 1.33 > s1 LQ 0.57
    assert [s for s, _ in food.leading_sectors] == ["s2", "s1"]
    assert food.leading_sectors[1][1] == pytest.approx(lq("b", "s1"))


def test_runner_ups_match_the_hand_enumeration(hand: Path) -> None:
    result = hand_solve(hand)
    by_type = {e.cluster_type: e.runner_up for e in explain(result, budget_s=None)}
    assert by_type["wood"].districts == ["b"]
    assert by_type["wood"].given_up == pytest.approx(
        value_wood_a_food_b() - value_wood_b_food_b(), abs=1e-9
    )
    assert by_type["food"].districts == ["c"]
    assert by_type["food"].given_up == pytest.approx(
        value_wood_a_food_b() - value_wood_a_food_c(), abs=1e-9
    )
    assert by_type["food"].moved == []


def test_border_rule_is_named_with_its_reach_and_what_it_excludes(hand: Path) -> None:
    result = hand_solve(hand)
    food = next(e for e in explain(result, runner_ups=False) if e.cluster_type == "food")
    # b is 40 min from the crossing in c; a is 70 min away and excluded (limit 60)
    (rule,) = [r for r in food.rules if r.startswith("border rule")]
    assert "40 min" in rule and "limit 60" in rule and "excludes 1 of 3" in rule
    wood = next(e for e in explain(result, runner_ups=False) if e.cluster_type == "wood")
    assert not any(r.startswith("border rule") for r in wood.rules)


def test_a_lock_has_no_runner_up_and_a_full_district_is_named(hand: Path) -> None:
    result = hand_solve(
        hand,
        lock=[{"cluster": "wood", "district": "b"}, {"cluster": "food", "district": "b"}],
        max_clusters_per_district=2,
    )
    for e in explain(result):
        assert e.runner_up.status == "locked"
        assert e.runner_up.objective is None
        assert any(r.startswith("lock") for r in e.rules)
        assert any(r.startswith("capacity") and "2 of 2" in r for r in e.rules)


def test_runner_up_is_infeasible_when_the_core_is_the_only_allowed_site(hand: Path) -> None:
    # with a 30-minute reach, food may only sit in c (b is 40 minutes from the crossing)
    result = hand_solve(hand, border={"enforce": True, "max_minutes": 30})
    food = next(e for e in explain(result, budget_s=None) if e.cluster_type == "food")
    assert food.core == "c"
    assert food.runner_up.status == "infeasible"
    assert food.runner_up.objective is None
    assert "no siting satisfies" in food.runner_up.note


# --- the embedded baseline: runner-ups against an independent re-solve -------------------------


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    loaded = load_scenario(BASELINE)
    return solve(loaded, load_region(loaded.region_path()))


def test_baseline_runner_ups_agree_with_forbidding_the_core_and_solving_again(
    baseline: RunResult,
) -> None:
    """Forbid each core through a --set override (not through the report's code) and re-solve.

    The objective given up must equal the difference of the two optima, and the runner-up
    district must be a best core: locking it with the core forbidden reaches the same optimum
    (this holds even when several districts tie as runner-up).
    """
    assert baseline.status == "optimal" and baseline.objective is not None
    explanations = explain(baseline, budget_s=None)
    assert len(explanations) == 6
    for e in explanations:
        forbid = f"rules.forbid=[{{cluster: {e.cluster_type}, district: {e.core}}}]"
        again = solve(load_scenario(BASELINE, [forbid]), baseline.region)
        assert again.status == "optimal" and again.objective is not None
        assert e.runner_up.objective == pytest.approx(again.objective, abs=1e-6)
        assert e.runner_up.given_up == pytest.approx(baseline.objective - again.objective, abs=1e-6)
        assert e.runner_up.given_up >= -1e-9
        (district,) = e.runner_up.districts
        assert district != e.core
        lock = f"rules.lock=[{{cluster: {e.cluster_type}, district: {district}}}]"
        forced = solve(load_scenario(BASELINE, [forbid, lock]), baseline.region)
        assert forced.objective == pytest.approx(again.objective, abs=1e-6)


def test_baseline_cluster_values_add_up_to_the_objective(baseline: RunResult) -> None:
    explanations = explain(baseline, runner_ups=False)
    assert sum(e.value for e in explanations) == pytest.approx(baseline.objective, abs=1e-9)
    for term in ("fit", "export", "member", "coop"):
        assert sum(e.terms[term] for e in explanations) == pytest.approx(
            baseline.terms[term], abs=1e-9
        )


def test_runner_ups_are_skipped_when_the_re_solves_would_be_too_slow(hand: Path) -> None:
    import dataclasses

    slow = dataclasses.replace(hand_solve(hand), timings={"solve": 30.0})
    for e in explain(slow):  # two sitings at 30 s each exceed the default budget
        assert e.runner_up.status == "not computed"
        assert "budget" in e.runner_up.note
    assert all(e.runner_up.status == "optimal" for e in explain(slow, budget_s=None))
