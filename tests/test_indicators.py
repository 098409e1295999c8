"""Hand-worked examples for every indicator of docs/model.md §4 (model/indicators.py).

Every expected value is derived by hand in the test from the small tables built here, never
copied from the program's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.indicators import (
    STAR_LQ,
    activity_matrix,
    border_access,
    cluster_stars,
    cooperation_links,
    corridor_access,
    export_orientation,
    location_quotients,
    specialization_fit,
    specialization_indices,
    travel_times,
)
from model.region import ClusterType

# ---------------------------------------------------------------------------------------------
# helpers


def cluster(type_id: str, sectors: dict[str, float], **flags: bool) -> ClusterType:
    """A ClusterType with the given sector weights and no cooperation."""
    return ClusterType(
        id=type_id,
        name=type_id.title(),
        sectors=sectors,
        cross_border=flags.get("cross_border", False),
        needs_corridor=flags.get("needs_corridor", False),
        cooperation={},
    )


def long_activity(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Activity in the loader's long format (district, sector, value)."""
    return pd.DataFrame(rows, columns=["district", "sector", "value"])


def roads_table(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    """Roads in the loader's format (a, b, minutes, kind)."""
    return pd.DataFrame(rows, columns=["a", "b", "minutes", "kind"]).astype({"minutes": float})


def crossings_table(districts: list[str]) -> pd.DataFrame:
    """One road crossing per given district (the loader's columns)."""
    rows = [(f"x{n}", f"Crossing {n}", d, "road") for n, d in enumerate(districts)]
    return pd.DataFrame(rows, columns=["id", "name", "district", "mode"])


# Activity used by the LQ tests:
#   a: s1 = 30, s2 = 10, s3 = 0      V[a] = 40
#   b: s1 = 20, s2 = 40, s3 = 0      V[b] = 60
#   d: no rows at all                V[d] = 0
#   V[s1] = 50, V[s2] = 50, V[s3] = 0, V = 100
LQ_ROWS = [
    ("a", "s1", 30.0),
    ("a", "s2", 10.0),
    ("a", "s3", 0.0),
    ("b", "s1", 20.0),
    ("b", "s2", 40.0),
    ("b", "s3", 0.0),
]
LQ_DISTRICTS = ["a", "b", "d"]

# Road network used by the travel time and access tests:
#   a --100-- b   (slow direct link)
#   a --30-- c --40-- b   (the fast way from a to b: 70)
#   b --50/20/35-- d       (three parallel links, the fastest is 20)
#   e                      (no road at all in the disconnected variant)
NETWORK_DISTRICTS = ["a", "b", "c", "d"]
NETWORK_ROADS = [
    ("a", "b", 100.0, "regional"),
    ("a", "c", 30.0, "local"),
    ("c", "b", 40.0, "federal"),
    ("b", "d", 50.0, "local"),
    ("d", "b", 20.0, "local"),
    ("b", "d", 35.0, "regional"),
]


@pytest.fixture
def network_times() -> pd.DataFrame:
    """Travel times of the NETWORK_ROADS example."""
    return travel_times(roads_table(NETWORK_ROADS), NETWORK_DISTRICTS)


# ---------------------------------------------------------------------------------------------
# activity matrix and location quotients


def test_activity_matrix_is_wide_in_district_order_with_missing_districts_zero() -> None:
    """The long table pivots to districts x sectors; a district without rows is all zeros."""
    wide = activity_matrix(long_activity(LQ_ROWS), ["d", "b", "a"])
    assert list(wide.index) == ["d", "b", "a"]
    assert list(wide.columns) == ["s1", "s2", "s3"]
    assert wide.loc["a", "s1"] == 30.0
    assert wide.loc["b", "s2"] == 40.0
    assert wide.loc["d"].tolist() == [0.0, 0.0, 0.0]


def test_activity_matrix_sums_repeated_rows_and_drops_unlisted_districts() -> None:
    """Repeated (district, sector) rows add up in row order; rows of a district that is not
    listed are left out, though their sector still gets a column; the array is row-major."""
    rows = [("b", "s2", 0.1), ("a", "s1", 1.0), ("b", "s2", 0.2), ("x", "s9", 5.0)]
    rows += [("b", "s2", 0.3), ("a", "s1", 2.5)]
    wide = activity_matrix(long_activity(rows), ["a", "b"])
    assert list(wide.columns) == ["s1", "s2", "s9"]
    assert wide.loc["a"].tolist() == [3.5, 0.0, 0.0]
    assert wide.loc["b", "s2"] == (0.1 + 0.2) + 0.3  # 0.6000000000000001, not 0.6
    assert wide.loc["b", "s9"] == 0.0
    assert (wide.index.name, wide.columns.name) == ("district", "sector")
    assert wide.to_numpy().flags["C_CONTIGUOUS"]


def test_activity_matrix_of_no_rows_is_empty() -> None:
    wide = activity_matrix(long_activity([]), ["a", "b"])
    assert wide.shape == (2, 0)


def test_location_quotients_match_hand_calculation() -> None:
    """LQ[s,i] = (v[s,i]/V[i]) / (V[s]/V) for every active district and sector."""
    lq = location_quotients(activity_matrix(long_activity(LQ_ROWS), LQ_DISTRICTS))
    assert lq.loc["a", "s1"] == pytest.approx((30 / 40) / (50 / 100))  # 1.5
    assert lq.loc["a", "s2"] == pytest.approx((10 / 40) / (50 / 100))  # 0.5
    assert lq.loc["b", "s1"] == pytest.approx((20 / 60) / (50 / 100))  # 2/3
    assert lq.loc["b", "s2"] == pytest.approx((40 / 60) / (50 / 100))  # 4/3


def test_location_quotient_is_zero_for_a_district_without_activity() -> None:
    """V[i] = 0 gives LQ 0 (not NaN) in every sector."""
    lq = location_quotients(activity_matrix(long_activity(LQ_ROWS), LQ_DISTRICTS))
    assert lq.loc["d"].tolist() == [0.0, 0.0, 0.0]


def test_location_quotient_is_zero_for_a_sector_without_activity() -> None:
    """V[s] = 0 gives LQ 0 (not NaN) in every district."""
    lq = location_quotients(activity_matrix(long_activity(LQ_ROWS), LQ_DISTRICTS))
    assert lq["s3"].tolist() == [0.0, 0.0, 0.0]
    assert np.isfinite(lq.to_numpy()).all()


def test_location_quotient_of_a_single_district_region_is_one() -> None:
    """With one district its mix is the region's mix: LQ = (v/V)/(v/V) = 1 where active."""
    wide = pd.DataFrame({"s1": [3.0], "s2": [7.0]}, index=["only"])
    lq = location_quotients(wide)
    assert lq.loc["only", "s1"] == pytest.approx((3 / 10) / (3 / 10))
    assert lq.loc["only", "s2"] == pytest.approx((7 / 10) / (7 / 10))


# ---------------------------------------------------------------------------------------------
# specialization fit


def test_specialization_fit_clips_lq_at_the_cap() -> None:
    """fit = Σ w·min(LQ, cap)/cap: an LQ of 4 counts as 3 under the default cap 3."""
    lq = pd.DataFrame({"s1": [4.0, 1.5], "s2": [0.5, 3.0]}, index=["a", "b"])
    clusters = {"k1": cluster("k1", {"s1": 0.75, "s2": 0.25})}
    fit = specialization_fit(lq, clusters, lq_cap=3.0)
    assert fit.loc["k1", "a"] == pytest.approx(0.75 * min(4.0, 3.0) / 3 + 0.25 * 0.5 / 3)
    assert fit.loc["k1", "b"] == pytest.approx(0.75 * 1.5 / 3 + 0.25 * 3.0 / 3)


def test_specialization_fit_uses_the_given_cap() -> None:
    """A cap of 2 clips LQ 4 and LQ 3 to 2 and divides by 2."""
    lq = pd.DataFrame({"s1": [4.0, 1.5], "s2": [0.5, 3.0]}, index=["a", "b"])
    clusters = {"k1": cluster("k1", {"s1": 0.75, "s2": 0.25})}
    fit = specialization_fit(lq, clusters, lq_cap=2.0)
    assert fit.loc["k1", "a"] == pytest.approx(0.75 * 2 / 2 + 0.25 * 0.5 / 2)
    assert fit.loc["k1", "b"] == pytest.approx(0.75 * 1.5 / 2 + 0.25 * 2 / 2)


def test_specialization_fit_is_one_when_every_sector_is_above_the_cap() -> None:
    """Weights sum to 1 and every capped term is cap/cap = 1, so fit = 1 (its upper bound)."""
    lq = pd.DataFrame({"s1": [5.0], "s2": [9.0]}, index=["a"])
    clusters = {"k1": cluster("k1", {"s1": 0.5, "s2": 0.5})}
    fit = specialization_fit(lq, clusters, lq_cap=3.0)
    assert fit.loc["k1", "a"] == pytest.approx(0.5 * 1 + 0.5 * 1)


def test_specialization_fit_counts_a_sector_absent_from_activity_as_zero() -> None:
    """A catalogue sector with no activity column contributes 0, the others still count."""
    lq = pd.DataFrame({"s1": [4.0, 1.5], "s2": [0.5, 3.0]}, index=["a", "b"])
    clusters = {"k2": cluster("k2", {"s2": 0.5, "ghost": 0.5})}
    fit = specialization_fit(lq, clusters, lq_cap=3.0)
    assert fit.loc["k2", "a"] == pytest.approx(0.5 * 0.5 / 3 + 0.5 * 0)
    assert fit.loc["k2", "b"] == pytest.approx(0.5 * 3.0 / 3 + 0.5 * 0)


def test_specialization_fit_has_one_row_per_type_and_one_column_per_district() -> None:
    """Shape and labels: types as rows (catalogue order), districts as columns (LQ order)."""
    lq = pd.DataFrame({"s1": [1.0, 2.0, 0.0]}, index=["c", "a", "b"])
    clusters = {"k2": cluster("k2", {"s1": 1.0}), "k1": cluster("k1", {"s1": 1.0})}
    fit = specialization_fit(lq, clusters, lq_cap=3.0)
    assert list(fit.index) == ["k2", "k1"]
    assert list(fit.columns) == ["c", "a", "b"]
    assert fit.loc["k1"].tolist() == pytest.approx([1 / 3, 2 / 3, 0 / 3])


def test_specialization_fit_from_location_quotients_end_to_end() -> None:
    """Fit computed from the LQ example: a's s1 LQ is 1.5, b's s2 LQ is 4/3, d has 0."""
    lq = location_quotients(activity_matrix(long_activity(LQ_ROWS), LQ_DISTRICTS))
    clusters = {"k": cluster("k", {"s1": 0.5, "s2": 0.5})}
    fit = specialization_fit(lq, clusters, lq_cap=3.0)
    lq_a_s1 = (30 / 40) / (50 / 100)
    lq_a_s2 = (10 / 40) / (50 / 100)
    assert fit.loc["k", "a"] == pytest.approx(0.5 * lq_a_s1 / 3 + 0.5 * lq_a_s2 / 3)
    assert fit.loc["k", "d"] == 0.0


# ---------------------------------------------------------------------------------------------
# export orientation


EXPORTS = pd.DataFrame(
    [("a", "s1", 0.4), ("b", "s2", 0.2), ("c", "s1", 1.0)],
    columns=["district", "sector", "share"],
)


def test_export_orientation_is_the_weighted_share_with_missing_rows_zero() -> None:
    """exp[k,i] = Σ w[k,s]·share[s,i], a missing (district, sector) row counting 0."""
    clusters = {"k1": cluster("k1", {"s1": 0.75, "s2": 0.25})}
    exp = export_orientation(EXPORTS, clusters, ["a", "b", "c", "d"])
    assert exp.loc["k1", "a"] == pytest.approx(0.75 * 0.4 + 0.25 * 0)
    assert exp.loc["k1", "b"] == pytest.approx(0.75 * 0 + 0.25 * 0.2)
    assert exp.loc["k1", "c"] == pytest.approx(0.75 * 1.0 + 0.25 * 0)
    assert exp.loc["k1", "d"] == pytest.approx(0.75 * 0 + 0.25 * 0)


def test_export_orientation_is_zero_for_a_type_whose_sectors_never_export() -> None:
    """A type over a sector with no export rows scores 0 everywhere."""
    clusters = {"k2": cluster("k2", {"s3": 1.0})}
    exp = export_orientation(EXPORTS, clusters, ["a", "b", "c"])
    assert exp.loc["k2"].tolist() == [0.0, 0.0, 0.0]


def test_export_orientation_with_an_empty_exports_table_is_zero() -> None:
    """No exports.csv (an empty table with the columns) means every share is 0."""
    empty = pd.DataFrame(columns=["district", "sector", "share"]).astype({"share": float})
    clusters = {"k1": cluster("k1", {"s1": 0.75, "s2": 0.25})}
    exp = export_orientation(empty, clusters, ["a", "b"])
    assert list(exp.columns) == ["a", "b"]
    assert exp.loc["k1"].tolist() == [0.0, 0.0]


def test_export_orientation_of_a_fully_exporting_district_is_one() -> None:
    """Every sector of the type exports its whole output: exp = Σ w·1 = 1."""
    exports = pd.DataFrame(
        [("a", "s1", 1.0), ("a", "s2", 1.0)], columns=["district", "sector", "share"]
    )
    clusters = {"k1": cluster("k1", {"s1": 0.75, "s2": 0.25})}
    exp = export_orientation(exports, clusters, ["a"])
    assert exp.loc["k1", "a"] == pytest.approx(0.75 * 1 + 0.25 * 1)


# ---------------------------------------------------------------------------------------------
# travel times


def test_travel_time_takes_the_shortest_path_through_a_third_district(
    network_times: pd.DataFrame,
) -> None:
    """a→c→b (30 + 40) beats the slow direct a–b link (100)."""
    assert network_times.loc["a", "b"] == pytest.approx(30 + 40)
    assert network_times.loc["b", "a"] == pytest.approx(30 + 40)


def test_travel_time_of_parallel_links_is_the_fastest(network_times: pd.DataFrame) -> None:
    """Three b–d links (50, 20 written as d–b, 35): the time is 20, not their sum."""
    assert network_times.loc["b", "d"] == pytest.approx(min(50, 20, 35))
    assert network_times.loc["d", "b"] == pytest.approx(min(50, 20, 35))


def test_travel_time_chains_the_fastest_links(network_times: pd.DataFrame) -> None:
    """a→d = a→c→b (70) + the fastest b–d link (20); c→d = 40 + 20."""
    assert network_times.loc["a", "d"] == pytest.approx(30 + 40 + 20)
    assert network_times.loc["c", "d"] == pytest.approx(40 + 20)
    assert network_times.loc["a", "c"] == pytest.approx(30)


def test_travel_time_to_itself_is_zero_and_the_matrix_is_symmetric(
    network_times: pd.DataFrame,
) -> None:
    """t[i,i] = 0 and t[i,j] = t[j,i] on the undirected graph, in the given district order."""
    assert list(network_times.index) == NETWORK_DISTRICTS
    assert list(network_times.columns) == NETWORK_DISTRICTS
    assert np.diag(network_times.to_numpy()).tolist() == [0.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(network_times.to_numpy(), network_times.to_numpy().T)


def test_travel_time_between_disconnected_parts_is_infinite() -> None:
    """A district without roads is unreachable (inf) but 0 from itself."""
    times = travel_times(roads_table(NETWORK_ROADS), [*NETWORK_DISTRICTS, "e"])
    assert times.loc["a", "e"] == math.inf
    assert times.loc["e", "b"] == math.inf
    assert times.loc["e", "e"] == 0.0


def test_travel_times_without_any_road_are_zero_on_the_diagonal_and_inf_elsewhere() -> None:
    """An empty road table: t[i,i] = 0, t[i,j] = inf."""
    times = travel_times(roads_table([]), ["a", "b"])
    assert times.to_numpy().tolist() == [[0.0, math.inf], [math.inf, 0.0]]


# ---------------------------------------------------------------------------------------------
# cooperation links


def hand_times() -> pd.DataFrame:
    """A symmetric travel time table written by hand (minutes)."""
    names = ["p", "q", "r", "s", "u"]
    t = [
        [0.0, 30.0, 120.0, 150.0, math.inf],
        [30.0, 0.0, 90.0, 119.0, math.inf],
        [120.0, 90.0, 0.0, 121.0, math.inf],
        [150.0, 119.0, 121.0, 0.0, math.inf],
        [math.inf, math.inf, math.inf, math.inf, 0.0],
    ]
    return pd.DataFrame(t, index=names, columns=names)


def test_cooperation_link_decays_exponentially_inside_the_limit() -> None:
    """link = exp(-t/τ) for t ≤ T_link (τ = 60, T_link = 120)."""
    link = cooperation_links(hand_times(), tau=60, max_minutes=120)
    assert link.loc["p", "q"] == pytest.approx(math.exp(-30 / 60))
    assert link.loc["q", "r"] == pytest.approx(math.exp(-90 / 60))
    assert link.loc["q", "s"] == pytest.approx(math.exp(-119 / 60))


def test_cooperation_link_includes_the_boundary_t_equal_to_the_limit() -> None:
    """t == T_link = 120 still links: exp(-120/60) = exp(-2)."""
    link = cooperation_links(hand_times(), tau=60, max_minutes=120)
    assert link.loc["p", "r"] == pytest.approx(math.exp(-120 / 60))
    assert link.loc["r", "p"] == pytest.approx(math.exp(-120 / 60))


def test_cooperation_link_is_zero_beyond_the_limit_and_between_disconnected_parts() -> None:
    """t = 121 or 150 > 120 gives 0; an infinite time gives 0."""
    link = cooperation_links(hand_times(), tau=60, max_minutes=120)
    assert link.loc["r", "s"] == 0.0
    assert link.loc["p", "s"] == 0.0
    assert link.loc["p", "u"] == 0.0
    assert link.loc["u", "q"] == 0.0


def test_cooperation_link_is_one_on_the_diagonal() -> None:
    """link[i,i] = 1, also for a district cut off from every other."""
    link = cooperation_links(hand_times(), tau=60, max_minutes=120)
    assert np.diag(link.to_numpy()).tolist() == [1.0] * 5


def test_cooperation_link_uses_the_given_tau_and_limit() -> None:
    """τ = 30, T_link = 100: t = 90 gives exp(-3), t = 120 is now beyond the limit."""
    link = cooperation_links(hand_times(), tau=30, max_minutes=100)
    assert link.loc["q", "r"] == pytest.approx(math.exp(-90 / 30))
    assert link.loc["p", "r"] == 0.0


def test_cooperation_link_on_computed_travel_times(network_times: pd.DataFrame) -> None:
    """Links from the network example: a–b is 70 minutes (via c), a–d is 90."""
    link = cooperation_links(network_times, tau=60, max_minutes=80)
    assert link.loc["a", "b"] == pytest.approx(math.exp(-(30 + 40) / 60))
    assert link.loc["a", "d"] == 0.0  # 30 + 40 + 20 = 90 > 80


# ---------------------------------------------------------------------------------------------
# border and corridor access


def test_border_access_is_the_least_time_to_a_district_with_a_crossing(
    network_times: pd.DataFrame,
) -> None:
    """Crossing in d only: tb = t[i, d]; d itself has 0."""
    tb = border_access(network_times, crossings_table(["d"]))
    assert tb["a"] == pytest.approx(30 + 40 + 20)
    assert tb["b"] == pytest.approx(20)
    assert tb["c"] == pytest.approx(40 + 20)
    assert tb["d"] == 0.0


def test_border_access_takes_the_nearest_of_several_crossings(
    network_times: pd.DataFrame,
) -> None:
    """Crossings in a and d (two in d): c is 30 from a and 60 from d, so tb[c] = 30."""
    tb = border_access(network_times, crossings_table(["d", "a", "d"]))
    assert tb["c"] == pytest.approx(min(30, 40 + 20))
    assert tb["b"] == pytest.approx(min(30 + 40, 20))
    assert tb["a"] == 0.0
    assert tb["d"] == 0.0


def test_border_access_is_infinite_without_any_crossing(network_times: pd.DataFrame) -> None:
    """An empty crossings table: tb = inf everywhere."""
    tb = border_access(network_times, crossings_table([]))
    assert tb.tolist() == [math.inf] * 4


def test_corridor_access_is_the_least_time_to_an_end_of_a_federal_link(
    network_times: pd.DataFrame,
) -> None:
    """The only federal link is c–b: tc[a] = min(t[a,c], t[a,b]) = 30, tc[d] = 20."""
    tc = corridor_access(network_times, roads_table(NETWORK_ROADS))
    assert tc["a"] == pytest.approx(min(30, 30 + 40))
    assert tc["b"] == 0.0
    assert tc["c"] == 0.0
    assert tc["d"] == pytest.approx(min(20, 20 + 40))


def test_corridor_access_is_infinite_without_a_federal_link(
    network_times: pd.DataFrame,
) -> None:
    """No federal road: tc = inf everywhere."""
    roads = roads_table([(a, b, m, "regional") for a, b, m, _ in NETWORK_ROADS])
    tc = corridor_access(network_times, roads)
    assert tc.tolist() == [math.inf] * 4


# ---------------------------------------------------------------------------------------------
# Hoover and Krugman specialization


# a: (30, 10) V=40; b: (20, 40) V=60; c: (0, 50) V=50; d: nothing.
# V[s1] = 50, V[s2] = 100, V = 150.
SPEC_WIDE = pd.DataFrame(
    {"s1": [30.0, 20.0, 0.0, 0.0], "s2": [10.0, 40.0, 50.0, 0.0]}, index=["a", "b", "c", "d"]
)


def test_hoover_index_is_half_the_distance_to_the_regional_mix() -> None:
    """Hoover[i] = ½ Σ_s |v[s,i]/V[i] − V[s]/V|."""
    spec = specialization_indices(SPEC_WIDE)
    assert spec.loc["a", "hoover"] == pytest.approx(
        0.5 * (abs(30 / 40 - 50 / 150) + abs(10 / 40 - 100 / 150))
    )
    assert spec.loc["b", "hoover"] == pytest.approx(
        0.5 * (abs(20 / 60 - 50 / 150) + abs(40 / 60 - 100 / 150))
    )
    assert spec.loc["c", "hoover"] == pytest.approx(
        0.5 * (abs(0 / 50 - 50 / 150) + abs(50 / 50 - 100 / 150))
    )


def test_krugman_index_is_the_distance_to_the_rest_of_the_region() -> None:
    """Krugman[i] = Σ_s |v[s,i]/V[i] − v[s,−i]/V[−i]|; the rest of a is b + c + d = (20, 90)."""
    spec = specialization_indices(SPEC_WIDE)
    assert spec.loc["a", "krugman"] == pytest.approx(
        abs(30 / 40 - 20 / 110) + abs(10 / 40 - 90 / 110)
    )
    # rest of b: a + c = (30, 60), V = 90
    assert spec.loc["b", "krugman"] == pytest.approx(
        abs(20 / 60 - 30 / 90) + abs(40 / 60 - 60 / 90)
    )
    # rest of c: a + b = (50, 50), V = 100
    assert spec.loc["c", "krugman"] == pytest.approx(abs(0 / 50 - 50 / 100) + abs(1 - 50 / 100))


def test_specialization_indices_are_nan_for_a_district_without_activity() -> None:
    """A district with no activity has no mix: both indices NaN."""
    spec = specialization_indices(SPEC_WIDE)
    assert math.isnan(spec.loc["d", "hoover"])
    assert math.isnan(spec.loc["d", "krugman"])


def test_specialization_indices_of_a_district_with_the_regional_mix_are_zero() -> None:
    """Two districts with the same mix (1:3): Hoover and Krugman are 0 for both."""
    wide = pd.DataFrame({"s1": [1.0, 2.0], "s2": [3.0, 6.0]}, index=["a", "b"])
    spec = specialization_indices(wide)
    assert spec["hoover"].tolist() == pytest.approx([0.0, 0.0])
    assert spec["krugman"].tolist() == pytest.approx([0.0, 0.0])


# ---------------------------------------------------------------------------------------------
# cluster stars (European Cluster Observatory)


def test_cluster_stars_list_only_positive_pairs_with_hand_worked_stars() -> None:
    """Size, specialization and focus stars on the SPEC_WIDE example.

    With fewer than ten districts the top decile of a sector is its largest district share:
    s1 shares a 30/50, b 20/50, c 0 → a; s2 shares a 10/100, b 40/100, c 50/100 → c.
    LQ: a/s1 (30/40)/(50/150) = 2.25 ≥ 2; every other LQ is below 2.
    Focus shares of the five positive pairs: a/s1 .75, a/s2 .25, b/s1 1/3, b/s2 2/3, c/s2 1;
    the top decile of five values is the largest, c/s2.
    """
    stars = cluster_stars(SPEC_WIDE).set_index(["district", "sector"])
    assert sorted(stars.index) == [("a", "s1"), ("a", "s2"), ("b", "s1"), ("b", "s2"), ("c", "s2")]
    assert stars.loc[("a", "s1"), "lq"] == pytest.approx((30 / 40) / (50 / 150))
    assert stars.loc[("c", "s2"), "lq"] == pytest.approx((50 / 50) / (100 / 150))
    assert stars.loc[("a", "s1"), "value"] == 30.0
    expected = {
        # (size, specialization, focus)
        ("a", "s1"): (True, True, False),
        ("a", "s2"): (False, False, False),
        ("b", "s1"): (False, False, False),
        ("b", "s2"): (False, False, False),
        ("c", "s2"): (True, False, True),
    }
    for pair, (size, special, focus) in expected.items():
        row = stars.loc[pair]
        assert bool(row["size_star"]) is size, pair
        assert bool(row["specialization_star"]) is special, pair
        assert bool(row["focus_star"]) is focus, pair
        assert row["stars"] == int(size) + int(special) + int(focus), pair


def test_cluster_specialization_star_includes_lq_exactly_two() -> None:
    """a/s1 has LQ (10/20)/(10/40) = 2.0 exactly, which is a specialization star (LQ ≥ 2)."""
    wide = pd.DataFrame({"s1": [10.0, 0.0], "s2": [10.0, 20.0]}, index=["a", "b"])
    stars = cluster_stars(wide).set_index(["district", "sector"])
    assert stars.loc[("a", "s1"), "lq"] == pytest.approx((10 / 20) / (10 / 40))
    assert STAR_LQ == 2.0
    assert bool(stars.loc[("a", "s1"), "specialization_star"]) is True
    # a/s2 has LQ (10/20)/(30/40) = 2/3: no star
    assert bool(stars.loc[("a", "s2"), "specialization_star"]) is False
