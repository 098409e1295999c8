"""Plausibility of the Smolensk road graph (data/smolensk/roads.csv) as a whole.

roads.csv times each link as great-circle km x 1.3 / class speed (85 / 55 / 40 km/h), and
trips between units follow shortest paths over the links. These tests bound the shortest-path
times from above and below by simple, documented rules, so that a missing link (a trip forced
through a detour, as when every trip out of Smolensk city passed the Smolensky okrug centroid)
or an implausibly fast one fails loudly.
"""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "smolensk"

DETOUR_FACTOR = 1.3  # SOURCES.md, "roads.csv"
SLOWEST_KMH = 40.0  # the `local` class
REGIONAL_KMH = 55.0
# Fastest believable door-to-door average: the Russian rural speed limit for cars, 90 km/h
# (traffic rules, PDD RF 10.3), over the same detour factor.
FASTEST_KMH = 90.0
# Margin over the "slowest class, straight line x 1.3" bound. Links join neighbouring centres
# only, so a trip between distant units bends through intermediate centres that are not on the
# straight line; the detour factor itself is 1.3 +/- 0.1 (Wang et al. 2024), i.e. up to ~8%
# more. 25% allows for these kinks; the largest ratio outside Desnogorsk is ~1.23
# (Kholm-Zhirkovsky - Sychyovsky, no sourced road between them). This bound catches a unit cut
# off behind slow detours; it does not catch a fast road timed as slow, which is what the
# radial test below checks for the city (its old detour, 50 min to Kardymovsky for 27 km, was
# still under the 40 km/h bound).
MARGIN = 0.25
# Known gap, with its reason: Desnogorsk is an enclave in Roslavlsky okrug, so inside the
# region's graph it is reached only through Roslavl; its real roads towards the north-east
# (A130 towards Spas-Demensk) leave the oblast and are not in a graph of the oblast's units.
# Its pairs get the wider margin below; the largest is Desnogorsk - Ugransky (~1.53).
DESNOGORSK_MARGIN = 0.55


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return pd.read_csv(DATA / "districts.csv").set_index("id")[["lat", "lon"]]


@pytest.fixture(scope="module")
def shortest() -> dict[str, dict[str, float]]:
    roads = pd.read_csv(DATA / "roads.csv")
    graph = nx.Graph()
    for a, b, m in zip(roads.a, roads.b, roads.minutes, strict=True):
        graph.add_edge(a, b, minutes=float(m))
    return dict(nx.all_pairs_dijkstra_path_length(graph, weight="minutes"))


def _km(points: pd.DataFrame, a: str, b: str) -> float:
    return _haversine(*points.loc[a], *points.loc[b])


def _bound(km: float, kmh: float) -> float:
    return km * DETOUR_FACTOR / kmh * 60.0


def test_no_trip_much_slower_than_the_slowest_class_on_a_straight_line(
    points: pd.DataFrame, shortest: dict[str, dict[str, float]]
) -> None:
    """Shortest-path minutes <= great-circle km x 1.3 / 40 km/h x (1 + margin), all pairs."""
    too_slow = []
    for a, b in combinations(sorted(points.index), 2):
        margin = DESNOGORSK_MARGIN if "desnogorsk" in (a, b) else MARGIN
        limit = _bound(_km(points, a, b), SLOWEST_KMH) * (1 + margin)
        if shortest[a][b] > limit:
            too_slow.append((a, b, round(shortest[a][b], 1), round(limit, 1)))
    assert not too_slow


def test_no_trip_faster_than_the_speed_limit(
    points: pd.DataFrame, shortest: dict[str, dict[str, float]]
) -> None:
    """Shortest-path minutes >= great-circle km x 1.3 / 90 km/h for every pair."""
    for a, b in combinations(sorted(points.index), 2):
        assert shortest[a][b] >= _bound(_km(points, a, b), FASTEST_KMH) - 0.1, (a, b)


@pytest.mark.parametrize(
    ("unit", "km", "most_minutes"),
    [
        # Straight-line km from the city's point (54.7833, 32.05); the real road distances are
        # about 35 (Kardymovo), 65 (Yartsevo, M1) and 55 km (Pochinok, R120).
        ("kardymovsky", 27.2, 30.0),
        ("yartsevsky", 51.3, 50.0),
        ("pochinkovsky", 49.8, 50.0),
    ],
)
def test_city_radials_are_plausible(
    points: pd.DataFrame,
    shortest: dict[str, dict[str, float]],
    unit: str,
    km: float,
    most_minutes: float,
) -> None:
    """City -> Kardymovsky / Yartsevsky / Pochinkovsky: direct, at least regional-road speed
    over the straight line (they were 50, 73 and 74 min through the Smolensky centroid)."""
    assert _km(points, "smolensk", unit) == pytest.approx(km, abs=0.1)
    minutes = shortest["smolensk"][unit]
    assert minutes <= most_minutes
    assert minutes <= _bound(km, REGIONAL_KMH)
    assert minutes >= _bound(km, FASTEST_KMH)
