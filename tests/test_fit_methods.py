"""Hand-worked examples for the fit methods, the intra-district time and the greenfield rule.

Each expected value is worked out in the comments from the small tables here, never copied
from the program's output.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from model.indicators import (
    activity_matrix,
    cooperation_links,
    critical_mass_scores,
    fit_scores,
    intra_district_minutes,
    location_quotients,
    own_sector_activity,
    star_scores,
    weighted_fit,
)
from model.region import ClusterType

# Three districts, two sectors. Totals: a 100, b 10, c 90; wood 60, food 140; all 200.
#   LQ wood: a (50/100)/(60/200) = 1.6667; b (10/10)/(0.3) = 3.3333; c 0
#   LQ food: a (50/100)/(140/200) = 0.7143; b 0; c (90/90)/(0.7) = 1.4286
ACTIVITY = pd.DataFrame(
    [("a", "wood", 50.0), ("a", "food", 50.0), ("b", "wood", 10.0), ("c", "food", 90.0)],
    columns=["district", "sector", "value"],
)
WIDE = activity_matrix(ACTIVITY, ["a", "b", "c"])
LQ = location_quotients(WIDE)


def cluster(type_id: str, sectors: dict[str, float]) -> ClusterType:
    return ClusterType(type_id, type_id, sectors, False, False, {})


def test_hand_lqs_of_the_example() -> None:
    assert LQ.loc["a", "wood"] == pytest.approx(5 / 3)
    assert LQ.loc["b", "wood"] == pytest.approx(10 / 3)
    assert LQ.loc["c", "food"] == pytest.approx(1 / 0.7)


def test_critical_mass_absolute_damps_a_small_specialised_district() -> None:
    """mass 40: b has LQ 3.33 (capped at 3: score 1) but only 10 workers: 10/40 = 0.25;
    a has LQ 1.667/3 = 0.5556 and 50 ≥ 40 workers: full credit."""
    scores = critical_mass_scores(LQ, WIDE, lq_cap=3.0, mass=40.0, kind="absolute")
    assert scores.loc["b", "wood"] == pytest.approx(0.25)
    assert scores.loc["a", "wood"] == pytest.approx((5 / 3) / 3)
    assert scores.loc["c", "wood"] == 0.0


def test_critical_mass_share_uses_the_share_of_the_sector() -> None:
    """mass 0.5 of the sector: b holds 10/60 of wood, so 1 · (1/6)/0.5 = 1/3; a holds 50/60,
    above 0.5: full 0.5556; food in a: 50/140 = 0.357 → 0.2381 · 0.714 = …"""
    scores = critical_mass_scores(LQ, WIDE, lq_cap=3.0, mass=0.5, kind="share")
    assert scores.loc["b", "wood"] == pytest.approx(1 / 3)
    assert scores.loc["a", "wood"] == pytest.approx((5 / 3) / 3)
    assert scores.loc["a", "food"] == pytest.approx((0.5 / 0.7) / 3 * (50 / 140) / 0.5)


def test_critical_mass_of_a_sector_without_activity_is_zero_not_nan() -> None:
    wide = WIDE.assign(metal=0.0)
    scores = critical_mass_scores(location_quotients(wide), wide, 3.0, 0.1, "share")
    assert (scores["metal"] == 0.0).all()


def test_star_scores_by_hand() -> None:
    """Size (top decile of districts per sector, linear quantile over a, b, c):
    wood shares 50/60, 10/60, 0 → 90th pct = 0.1667 + 0.8·(0.8333-0.1667) = 0.7 → a only.
    food shares 50/140, 0, 90/140 → 90th pct between 0.357 and 0.643: 0.357+0.8·0.286 = 0.586 → c.
    Specialization (LQ ≥ 2): b wood only.
    Focus (top decile of positive pairs' shares of their district: 0.5, 0.5, 1, 1):
    90th pct of [0.5, 0.5, 1, 1] = 1 → b wood and c food.
    So a wood 1 star, a food 0, b wood 2, c food 2."""
    scores = star_scores(WIDE)
    assert scores.loc["a", "wood"] == pytest.approx(1 / 3)
    assert scores.loc["a", "food"] == 0.0
    assert scores.loc["b", "wood"] == pytest.approx(2 / 3)
    assert scores.loc["c", "food"] == pytest.approx(2 / 3)
    assert scores.loc["c", "wood"] == 0.0


def test_stars_of_an_all_zero_table_are_zero() -> None:
    wide = WIDE * 0.0
    assert (star_scores(wide).to_numpy() == 0.0).all()


def test_weighted_fit_and_the_lq_method_reproduce_the_capped_lq() -> None:
    """fit_scores('lq') · weights = Σ w · min(LQ, 3)/3: mixed type 0.5 wood + 0.5 food in a:
    0.5 · 0.5556 + 0.5 · 0.2381 = 0.3968."""
    scores = fit_scores("lq", LQ, WIDE, 3.0, 0.1, "share")
    fit = weighted_fit(scores, {"mixed": cluster("mixed", {"wood": 0.5, "food": 0.5})})
    assert fit.loc["mixed", "a"] == pytest.approx(0.5 * (5 / 3) / 3 + 0.5 * (0.5 / 0.7) / 3)
    assert list(fit.columns) == ["a", "b", "c"]


def test_intra_district_minutes_by_hand() -> None:
    """Area π·9 km²: radius 3 km, mean distance to the centre 2 km; ×1.5 detour = 3 km at
    60 km/h = 3 minutes."""
    minutes = intra_district_minutes(pd.Series({"a": math.pi * 9}), speed_kmh=60, detour=1.5)
    assert minutes["a"] == pytest.approx(3.0)


def test_intra_time_sets_the_diagonal_of_the_links() -> None:
    """t = 30 between a and b; intra a 6, b 200 min; τ 60, T_link 120:
    link[a,a] = e^{-0.1}, link[b,b] = 0 (beyond T_link), link[a,b] = e^{-0.5}."""
    times = pd.DataFrame([[0.0, 30.0], [30.0, 0.0]], index=["a", "b"], columns=["a", "b"])
    link = cooperation_links(times, 60, 120, pd.Series({"a": 6.0, "b": 200.0}))
    assert link.loc["a", "a"] == pytest.approx(math.exp(-0.1))
    assert link.loc["b", "b"] == 0.0
    assert link.loc["a", "b"] == pytest.approx(math.exp(-0.5))
    assert (cooperation_links(times, 60, 120).to_numpy().diagonal() == 1.0).all()


def test_own_sector_activity_marks_greenfield_sites() -> None:
    """wood type (wood 0.875, food 0.125): a 100, b 10, c 90 (c has food only);
    metal type: nothing anywhere."""
    clusters = {
        "wood": cluster("wood", {"wood": 0.875, "food": 0.125}),
        "metal": cluster("metal", {"metal": 1.0}),
    }
    own = own_sector_activity(WIDE, clusters)
    assert own.loc["wood"].tolist() == [100.0, 10.0, 90.0]
    assert own.loc["metal"].tolist() == [0.0, 0.0, 0.0]


# --- through the pipeline: the greenfield rule and the disc's need for areas -----------------


def write_pair_region(folder: Path, area_b: str = "100") -> Path:
    """Districts a (wood 3, food 1) and b (food 3), 30 minutes apart; one wood type."""
    folder.mkdir(parents=True)
    (folder / "districts.csv").write_text(
        "id,name,lat,lon,population,area_km2,border\n"
        "a,A,54.0,32.0,1000,100,false\n"
        f"b,B,54.2,32.2,1000,{area_b},false\n",
        encoding="utf-8",
    )
    (folder / "activity.csv").write_text(
        "district,sector,value\na,wood,3\na,food,1\nb,food,3\n", encoding="utf-8"
    )
    (folder / "roads.csv").write_text("a,b,minutes,kind\na,b,30,regional\n", encoding="utf-8")
    (folder / "clusters.yaml").write_text(
        "wood: {name: Wood, sectors: {wood: 1.0}}\n", encoding="utf-8"
    )
    return folder


def test_a_lock_on_a_greenfield_site_is_infeasible_and_the_rule_is_named(tmp_path: Path) -> None:
    from model.pipeline import solve
    from model.region import load_region
    from model.scenario import scenario_from_dict

    region = write_pair_region(tmp_path / "r")
    data = {
        "name": "g",
        "region": str(region),
        "rules": {"lock": [{"cluster": "wood", "district": "b"}]},
    }
    refused = solve(scenario_from_dict(data), load_region(region))
    assert refused.status == "infeasible"
    assert "rules.greenfield" in refused.conflict
    assert any(
        "greenfield rule: b has no activity in the sectors of wood" in line
        for line in refused.diagnosis
    )
    data["rules"]["greenfield"] = True
    allowed = solve(scenario_from_dict(data), load_region(region))
    assert allowed.status == "optimal" and allowed.core_set() == {("wood", "b")}


def test_disc_needs_an_area_for_every_district(tmp_path: Path) -> None:
    from model.errors import InputError
    from model.pipeline import solve
    from model.region import load_region
    from model.scenario import scenario_from_dict

    region = write_pair_region(tmp_path / "r", area_b="")
    loaded = scenario_from_dict({"name": "d", "region": str(region)})
    with pytest.raises(InputError) as info:
        solve(loaded, load_region(region))
    assert "area_km2" in str(info.value) and "intra_district" in str(info.value)
    assert info.value.exit_code == 2
    none = scenario_from_dict(
        {"name": "d", "region": str(region), "indicators": {"intra_district": "none"}}
    )
    assert solve(none, load_region(region)).status == "optimal"


def test_why_here_says_how_the_fit_method_made_the_fit(tmp_path: Path) -> None:
    from model.pipeline import solve
    from model.region import load_region
    from model.report.fit_text import fit_method_sentence
    from model.scenario import scenario_from_dict

    region = write_pair_region(tmp_path / "r")

    def sentence(indicators: dict[str, object]) -> str | None:
        data = {"name": "f", "region": str(region), "indicators": indicators}
        result = solve(scenario_from_dict(data), load_region(region))
        assert result.core_set() == {("wood", "a")}
        return fit_method_sentence(result, "wood", "a")

    # a has 3 wood workers of a critical mass of 6: factor 0.50
    absolute = {"fit": "critical_mass", "critical_mass": 6, "critical_mass_kind": "absolute"}
    assert "wood 3 → ×0.50" in str(sentence(absolute))
    # a holds all the region's wood: 100% of the sector, full credit
    assert "wood 100.0% of the region → ×1.00" in str(sentence({"fit": "critical_mass"}))
    # stars: size yes (a holds all wood); LQ (3/4)/(3/7) = 1.75 < 2; focus 0.75 below the
    # 90th percentile 0.95 of the shares 0.25, 0.75, 1.0
    assert "wood 1 of 3 (size)" in str(sentence({"fit": "stars"}))
    assert sentence({"fit": "lq"}) is None
