"""Hand-worked two-district cases that pin the brute-force reference (tests/reference).

Region used throughout unless a test says otherwise: districts a and b, one road a-b of 30
minutes, sectors wood and food with activity a: wood 3, food 1; b: wood 1, food 3. Then
V = 8, V[wood] = V[food] = 4, V[a] = V[b] = 4, so
LQ[wood,a] = (3/4)/(4/8) = 1.5, LQ[wood,b] = (1/4)/(4/8) = 0.5, and food the other way round.
With LQ_cap = 3: fit[wood-type,a] = 1.5/3 = 1/2, fit[wood-type,b] = 0.5/3 = 1/6.
link[a,b] = exp(-30/60) = exp(-1/2) (tau 60, 30 ≤ 120).

The cases up to the section "fit methods, intra-district time, greenfield" pin the canonical
model (fit: lq, intra_district: none, greenfield: true), whatever the defaults; the cases
after it pin the other settings.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reference.bruteforce import solve_by_enumeration as enumerate_scenario

LINK_AB = math.exp(-0.5)
FIT_ONLY = {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 0.0}


def solve_by_enumeration(region: Path, scenario: dict[str, Any]) -> tuple[str, float | None]:
    """Enumerate the scenario under the canonical fit, co-location and greenfield settings
    unless it sets them itself."""
    scenario = dict(scenario)
    scenario["indicators"] = {
        "fit": "lq",
        "intra_district": "none",
        **scenario.get("indicators", {}),
    }
    scenario["rules"] = {"greenfield": True, **scenario.get("rules", {})}
    return enumerate_scenario(region, scenario)


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_region(
    folder: Path,
    clusters: dict[str, Any],
    *,
    border: tuple[bool, bool] = (False, False),
    roads: list[list[Any]] | None = None,
    crossings: tuple[str, ...] | list[str] = (),
    exports: tuple[list[Any], ...] | list[list[Any]] = (),
    activity: list[list[Any]] | None = None,
) -> Path:
    """Write the two-district region described in the module docstring; return its folder."""
    region = folder / "region"
    region.mkdir()
    _csv(
        region / "districts.csv",
        ["id", "name", "name_local", "lat", "lon", "population", "area_km2", "border"],
        [
            ["a", "A", "Альфа", 54.0, 32.0, 1000, 100.0, str(border[0]).lower()],
            ["b", "B", "Бета", 55.0, 33.0, 1000, 100.0, str(border[1]).lower()],
        ],
    )
    if activity is None:
        activity = [["a", "wood", 3], ["a", "food", 1], ["b", "wood", 1], ["b", "food", 3]]
    _csv(region / "activity.csv", ["district", "sector", "value"], activity)
    _csv(region / "exports.csv", ["district", "sector", "share"], list(exports))
    _csv(region / "roads.csv", ["a", "b", "minutes", "kind"], roads or [["a", "b", 30, "federal"]])
    _csv(
        region / "crossings.csv",
        ["id", "name", "district", "mode"],
        [[f"x{n}", f"X{n}", d, "road"] for n, d in enumerate(crossings)],
    )
    (region / "clusters.yaml").write_text(yaml.safe_dump(clusters), encoding="utf-8")
    return region


def wood_type(**extra: Any) -> dict[str, Any]:
    """Return a catalogue entry for a wood-only type; ``extra`` overrides its fields."""
    spec = {"name": "Wood", "sectors": {"wood": 1.0}, "cross_border": False}
    spec.update({"needs_corridor": False, "cooperation": {}})
    spec.update(extra)
    return spec


def solve(region: Path, weights: dict[str, float] | None = None, **rules: Any) -> Any:
    """Enumerate a scenario on ``region`` with the given weights and rules."""
    scenario: dict[str, Any] = {"region": str(region), "rules": rules}
    if weights is not None:
        scenario["weights"] = weights
    return solve_by_enumeration(region, scenario)


def test_fit_picks_the_specialised_district(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    status, objective = solve(region, FIT_ONLY)
    assert status == "optimal"
    assert objective == pytest.approx(1 / 2)  # core at a


def test_lq_cap_truncates_fit(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    scenario = {"region": str(region), "weights": FIT_ONLY, "indicators": {"lq_cap": 1.2}}
    # min(1.5, 1.2) / 1.2 = 1 at a; 0.5 / 1.2 = 5/12 at b.
    assert solve_by_enumeration(region, scenario) == ("optimal", pytest.approx(1.0))


def test_member_adds_fit_times_link(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    # default weights: fit 1, export 1 (no exports), member 0.5.
    # core a + member b: 1/2 + 0.5 * 1/6 * e^-0.5 = 0.5505 beats
    # core b + member a: 1/6 + 0.5 * 1/2 * e^-0.5 = 0.3183.
    status, objective = solve(region)
    assert status == "optimal"
    assert objective == pytest.approx(1 / 2 + LINK_AB / 12)


def test_parallel_roads_use_the_fastest_link(tmp_path: Path) -> None:
    roads = [["a", "b", 90, "local"], ["b", "a", 30, "regional"]]
    region = write_region(tmp_path, {"wood": wood_type()}, roads=roads)
    assert solve(region) == ("optimal", pytest.approx(1 / 2 + LINK_AB / 12))


def test_member_out_of_reach_or_capped_adds_nothing(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    far = {"region": str(region), "indicators": {"member_max_minutes": 20}}
    assert solve_by_enumeration(region, far) == ("optimal", pytest.approx(1 / 2))
    assert solve(region, max_members=0) == ("optimal", pytest.approx(1 / 2))


def test_member_beyond_link_range_counts_zero(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    scenario = {"region": str(region), "indicators": {"link_max_minutes": 20}}
    # 30 > 20 so link[a,b] = 0: the member at b adds 0.5 * 1/6 * 0.
    assert solve_by_enumeration(region, scenario) == ("optimal", pytest.approx(1 / 2))


def test_exports_can_outweigh_fit(tmp_path: Path) -> None:
    exports = [["a", "wood", 0.2], ["b", "wood", 0.9], ["b", "food", 1.0]]
    region = write_region(tmp_path, {"wood": wood_type()}, exports=exports)
    weights = {"fit": 1.0, "export": 1.0, "member": 0.0, "coop": 0.0}
    # core a: 1/2 + 0.2 = 0.7; core b: 1/6 + 0.9 = 1.0667 (food exports do not count for wood).
    assert solve(region, weights) == ("optimal", pytest.approx(1 / 6 + 0.9))


def test_sector_missing_from_activity_has_zero_lq(tmp_path: Path) -> None:
    spec = wood_type(sectors={"wood": 0.5, "textiles": 0.5})
    region = write_region(tmp_path, {"wood": spec})
    # fit[a] = 0.5 * (1.5/3) + 0.5 * 0 = 1/4.
    assert solve(region, FIT_ONLY) == ("optimal", pytest.approx(1 / 4))


def test_district_without_activity_has_zero_lq(tmp_path: Path) -> None:
    activity = [["a", "wood", 0], ["b", "wood", 2], ["b", "food", 2]]
    region = write_region(tmp_path, {"wood": wood_type()}, activity=activity)
    # V[a] = 0 so LQ[wood,a] = 0; LQ[wood,b] = (2/4)/(2/4) = 1, fit = 1/3.
    # Core a: 0 + member b 0.5 * 1/3 * e^-0.5; core b: 1/3 + member a 0.5 * 0 * e^-0.5.
    assert solve(region) == ("optimal", pytest.approx(1 / 3))


def test_cooperation_is_the_larger_stated_intensity(tmp_path: Path) -> None:
    food = wood_type(name="Food", sectors={"food": 1.0}, cooperation={"wood": 0.8})
    region = write_region(tmp_path, {"wood": wood_type(cooperation={"food": 0.4}), "food": food})
    weights = {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 1.0}
    # split (wood a, food b): 1/2 + 1/2 + 0.8 * e^-0.5 = 1.4852;
    # together in a or b: 1/2 + 1/6 + 0.8 * 1 = 1.4667.
    assert solve(region, weights) == ("optimal", pytest.approx(1 + 0.8 * LINK_AB))
    weights["coop"] = 2.0
    # split: 1 + 1.6 * e^-0.5 = 1.9704; together: 2/3 + 1.6 = 2.2667.
    assert solve(region, weights) == ("optimal", pytest.approx(2 / 3 + 1.6))
    # capacity 1 forbids sharing a district.
    expected = 1 + 1.6 * LINK_AB
    assert solve(region, weights, max_clusters_per_district=1) == (
        "optimal",
        pytest.approx(expected),
    )


def test_border_rule_restricts_cross_border_cores(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type(cross_border=True)}, crossings=["b"])
    # tb[a] = 30, tb[b] = 0.
    assert solve(region, FIT_ONLY, border={"enforce": True, "max_minutes": 20}) == (
        "optimal",
        pytest.approx(1 / 6),
    )
    assert solve(region, FIT_ONLY, border={"enforce": True, "max_minutes": 40}) == (
        "optimal",
        pytest.approx(1 / 2),
    )
    assert solve(region, FIT_ONLY, border={"enforce": False, "max_minutes": 20}) == (
        "optimal",
        pytest.approx(1 / 2),
    )


def test_border_rule_without_crossings_excludes_every_core(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type(cross_border=True)})
    assert solve(region, FIT_ONLY) == ("infeasible", None)


def test_corridor_rule_needs_a_federal_link(tmp_path: Path) -> None:
    local = [["a", "b", 30, "local"]]
    region = write_region(tmp_path, {"wood": wood_type(needs_corridor=True)}, roads=local)
    assert solve(region, FIT_ONLY) == ("infeasible", None)  # tc = inf everywhere, min 1 site
    assert solve(region, FIT_ONLY, sites={"default": {"min": 0, "max": 1}}) == ("optimal", 0.0)
    assert solve(region, FIT_ONLY, corridor={"enforce": False, "max_minutes": 30}) == (
        "optimal",
        pytest.approx(1 / 2),
    )


def test_forbid_and_lock(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    forbid_a = [{"cluster": "wood", "district": "a"}]
    assert solve(region, FIT_ONLY, forbid=forbid_a) == ("optimal", pytest.approx(1 / 6))
    lock_b = [{"cluster": "wood", "district": "b"}]
    assert solve(region, FIT_ONLY, lock=lock_b) == ("optimal", pytest.approx(1 / 6))
    lock_a = [{"cluster": "wood", "district": "a"}]
    assert solve(region, FIT_ONLY, lock=lock_a, forbid=forbid_a) == ("infeasible", None)


def test_per_type_sites_override_the_default(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    sites = {"default": {"min": 1, "max": 1}, "wood": {"max": 2}}
    # min 1 max 2, fit only: both cores, 1/2 + 1/6.
    assert solve(region, FIT_ONLY, sites=sites) == ("optimal", pytest.approx(2 / 3))
    sites = {"default": {"min": 1, "max": 1}, "wood": {"min": 3, "max": 3}}
    assert solve(region, FIT_ONLY, sites=sites) == ("infeasible", None)


def test_clusters_subset_drops_other_types(tmp_path: Path) -> None:
    food = wood_type(name="Food", sectors={"food": 1.0})
    region = write_region(tmp_path, {"wood": wood_type(), "food": food})
    # both types: wood a 1/2 + food b 1/2; only food: 1/2.
    assert solve(region, FIT_ONLY) == ("optimal", pytest.approx(1.0))
    assert solve(region, FIT_ONLY, clusters=["food"]) == ("optimal", pytest.approx(1 / 2))


def test_min_border_sites_counts_cores_in_border_districts(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()}, border=(False, True))
    assert solve(region, FIT_ONLY, min_border_sites=1) == ("optimal", pytest.approx(1 / 6))
    assert solve(region, FIT_ONLY, min_border_sites=2) == ("infeasible", None)


def test_groups_cap_and_floor_cores(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    capped = [{"name": "towns", "districts": ["a"], "max_sites": 0}]
    assert solve(region, FIT_ONLY, groups=capped) == ("optimal", pytest.approx(1 / 6))
    floor = [{"name": "towns", "districts": ["b"], "max_sites": None, "min_sites": 1}]
    assert solve(region, FIT_ONLY, groups=floor) == ("optimal", pytest.approx(1 / 6))
    both = [{"name": "towns", "districts": ["a"], "max_sites": 0, "min_sites": 1}]
    assert solve(region, FIT_ONLY, groups=both) == ("infeasible", None)


def test_budget_limits_core_costs(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    budget = {"limit": 1.0, "costs": {"a": 2.0, "b": 0.5}}
    assert solve(region, FIT_ONLY, budget=budget) == ("optimal", pytest.approx(1 / 6))
    # a has no listed cost, so it costs default_cost 0.9 ≤ 1.
    budget = {"limit": 1.0, "default_cost": 0.9, "costs": {"b": 0.5}}
    assert solve(region, FIT_ONLY, budget=budget) == ("optimal", pytest.approx(1 / 2))
    # default_cost defaults to 1.0, so limit 0.4 fits neither a (1.0) nor b (0.5).
    budget = {"limit": 0.4, "costs": {"b": 0.5}}
    assert solve(region, FIT_ONLY, budget=budget) == ("infeasible", None)


# ---------------------------------------------------------------------------------------------
# fit methods, intra-district time, greenfield


def test_critical_mass_damps_the_fit_by_the_share_of_the_sector(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    scenario = {
        "region": str(region),
        "weights": FIT_ONLY,
        "indicators": {"fit": "critical_mass", "critical_mass": 0.9, "intra_district": "none"},
    }
    # a holds 3/4 of wood: 1/2 · (0.75/0.9) = 0.41667; b holds 1/4: 1/6 · (0.25/0.9).
    assert enumerate_scenario(region, scenario) == ("optimal", pytest.approx(0.5 * 0.75 / 0.9))


def test_critical_mass_absolute_in_the_activity_unit(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    indicators = {"fit": "critical_mass", "critical_mass": 6, "critical_mass_kind": "absolute"}
    scenario = {"region": str(region), "weights": FIT_ONLY, "indicators": indicators}
    # a has 3 wood workers of a critical 6: 1/2 · 3/6 = 1/4.
    assert enumerate_scenario(region, scenario) == ("optimal", pytest.approx(1 / 4))


def test_stars_fit(tmp_path: Path) -> None:
    region = write_region(tmp_path, {"wood": wood_type()})
    scenario = {"region": str(region), "weights": FIT_ONLY, "indicators": {"fit": "stars"}}
    # wood shares of the sector: a 3/4, b 1/4; 90th pct = 1/4 + 0.9·(1/2) = 0.7 → a has size.
    # LQ 1.5 < 2: no specialization star. District shares of positive pairs: 3/4, 1/4, 1/4,
    # 3/4 → 90th pct = 3/4 → a wood has focus. a: 2 stars, 2/3.
    assert enumerate_scenario(region, scenario) == ("optimal", pytest.approx(2 / 3))


def test_disc_makes_two_cores_in_one_district_cooperate_less_than_one(tmp_path: Path) -> None:
    food = wood_type(name="Food", sectors={"food": 1.0}, cooperation={"wood": 0.8})
    region = write_region(tmp_path, {"wood": wood_type(), "food": food})
    weights = {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 2.0}
    indicators = {"fit": "lq", "intra_district": "disc", "intra_speed_kmh": 40, "intra_detour": 1.3}
    scenario = {"region": str(region), "weights": weights, "indicators": indicators}
    # area 100 km²: (2/3)·sqrt(100/π) = 3.7613 km × 1.3 / 40 km/h = 7.3345 min;
    # link[a,a] = e^{-7.3345/60} = 0.88492. Together: 2/3 + 1.6 · 0.88492 = 2.0825;
    # split: 1 + 1.6 · e^-0.5 = 1.9704. Together still wins, by less than with link 1.
    within = math.exp(-(2 / 3) * math.sqrt(100 / math.pi) * 1.3 / 40 * 60 / 60)
    assert enumerate_scenario(region, {**scenario, "rules": {"greenfield": True}}) == (
        "optimal",
        pytest.approx(2 / 3 + 1.6 * within),
    )


def test_greenfield_rule_excludes_a_core_without_own_activity(tmp_path: Path) -> None:
    activity = [["a", "wood", 3], ["a", "food", 1], ["b", "food", 3]]
    region = write_region(tmp_path, {"wood": wood_type()}, activity=activity)
    indicators = {"fit": "lq", "intra_district": "none"}
    lock_b = {"lock": [{"cluster": "wood", "district": "b"}]}
    base = {"region": str(region), "weights": FIT_ONLY, "indicators": indicators}
    # b has no wood: a core there is greenfield, refused by default, allowed on request.
    refused = {**base, "rules": {**lock_b, "greenfield": False}}
    assert enumerate_scenario(region, refused) == ("infeasible", None)
    allowed = {**base, "rules": {**lock_b, "greenfield": True}}
    assert enumerate_scenario(region, allowed) == ("optimal", pytest.approx(0.0))
