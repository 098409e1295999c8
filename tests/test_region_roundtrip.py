"""Round trip: rebuild Smolensk from its raw polygons with ``region init``.

What must come back, and within what:

* **Adjacency**: exactly the 57 neighbour pairs of ``raw/adjacency.csv`` (transcribed from the
  district articles, not computed from the polygons), with the default tolerances.
* **Border flags**: exactly the shipped ``border`` column (``--border`` the raw border line).
* **Travel times, road graph** (``--graph``): the shipped ``roads.csv`` is a road network drawn
  from sourced road names, which polygons alone cannot reproduce, so it is fed as a GraphML
  graph (nodes at the shipped district points, ``travel_time`` = minutes × 60). Every pair's
  shortest time must equal the shipped one within 0.1 minute (the rounding of one written
  link; each routed link here is one shipped link).
* **Travel times, great circle**: with the shipped points (``--points``) and the shipped link
  kinds (``--road-kinds``), the formula of ``region init`` must give every shipped link's
  minutes within 0.1 (both round to 0.1 minute).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

pytest.importorskip("pyproj")  # the geo extra (the dev extra installs it)

from model.cli import main
from model.indicators import travel_times
from model.region import DATA_DIR, load_region

SMOLENSK = DATA_DIR / "smolensk"
RAW_GEO = SMOLENSK / "raw" / "geo"
# the raw polygons carry no slug id: init makes one from name_en ("Kholm-Zhirkovsky District"
# → kholm_zhirkovsky_district); the shipped files use the short slug (kholm_zhirkovsky)
SUFFIXES = ("_district", "_urban_okrug")
TIME_TOLERANCE_MIN = 0.1
OSM_CLASS = {"federal": "trunk", "regional": "secondary", "local": "tertiary"}
SECTOR_CODE = {"food": "C10", "wood": "C16", "chemicals": "C20", "plastics": "C22",
               "building_materials": "C23", "metallurgy": "C24", "electrical": "C27",
               "machinery": "C28", "light": "C13", "energy": "D35", "other": "C32"}  # fmt: skip


def shipped_id(built: str) -> str:
    for suffix in SUFFIXES:
        built = built.removesuffix(suffix)
    return built


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def name_en_by_id() -> dict[str, str]:
    fc = json.loads((RAW_GEO / "smolensk_districts.geojson").read_text(encoding="utf-8"))
    names = [f["properties"]["name_en"] for f in fc["features"]]
    by_id = {}
    for name in names:
        slug = name.lower().replace("-", "_").replace(" (urban okrug)", "_urban_okrug")
        by_id[shipped_id(slug.replace(" district", "_district"))] = name
    return by_id


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return smolensk_inputs(tmp_path_factory.mktemp("smolensk_inputs"))


def smolensk_inputs(tmp: Path) -> dict[str, Path]:
    """The tables a planner would bring, made from the shipped files (bench/region_roundtrip.py
    uses them too): activity by code, points, link kinds, population and the road graph."""
    names = name_en_by_id()
    assert len(names) == 27
    activity = [[names[r["district"]], SECTOR_CODE[r["sector"]], r["value"], r["basis"]]
                for r in read(SMOLENSK / "activity.csv")]  # fmt: skip
    # one row per district and code: the shipped file may hold one per basis
    merged: dict[tuple[str, str, str], float] = {}
    for d, c, v, b in activity:
        merged[(d, c, b)] = merged.get((d, c, b), 0.0) + float(v)
    districts = read(SMOLENSK / "districts.csv")
    graph = nx.MultiDiGraph()
    for r in districts:
        graph.add_node(r["id"], x=r["lon"], y=r["lat"])
    for r in read(SMOLENSK / "roads.csv"):
        graph.add_edge(r["a"], r["b"], travel_time=str(float(r["minutes"]) * 60),
                       highway=OSM_CLASS[r["kind"]])  # fmt: skip
    nx.write_graphml(graph, tmp / "roads.graphml")
    return {
        "activity": write(tmp / "activity.csv", ["district", "code", "value", "basis"],
                          [[d, c, v, b] for (d, c, b), v in sorted(merged.items())]),
        "points": write(tmp / "points.csv", ["district", "lat", "lon"],
                        [[names[r["id"]], r["lat"], r["lon"]] for r in districts]),
        "kinds": write(tmp / "kinds.csv", ["origin", "destination", "kind"],
                       [[names[r["a"]], names[r["b"]], r["kind"]]
                        for r in read(SMOLENSK / "roads.csv")]),
        "population": write(tmp / "population.csv", ["district", "population", "year"],
                            [[names[r["id"]], r["population"], r["population_year"]]
                             for r in districts]),
        "graph": tmp / "roads.graphml",
    }  # fmt: skip


def init(out: Path, inputs: dict[str, Path], *extra: str) -> Path:
    status = main([
        "region", "init", str(out),
        "--boundaries", str(RAW_GEO / "smolensk_districts.geojson"),
        "--id-field", "name_en", "--activity", str(inputs["activity"]),
        "--population", str(inputs["population"]),
        "--border", str(RAW_GEO / "smolensk_belarus_border.geojson"), *extra,
    ])  # fmt: skip
    assert status == 0
    return out


def shipped_pairs() -> set[tuple[str, str]]:
    return {tuple(sorted((r["id_a"], r["id_b"]))) for r in read(SMOLENSK / "raw/adjacency.csv")}  # type: ignore[misc]


def test_adjacency_and_border_flags_come_back(tmp_path, inputs):
    folder = init(tmp_path / "gc", inputs)
    built = {tuple(sorted((shipped_id(r["a"]), shipped_id(r["b"]))))
             for r in read(folder / "roads.csv")}  # fmt: skip
    expected = shipped_pairs()
    assert len(expected) == 57
    assert built == expected  # great-circle mode writes one link per neighbour pair
    border = {shipped_id(r["id"]): r["border"] for r in read(folder / "districts.csv")}
    assert border == {r["id"]: r["border"] for r in read(SMOLENSK / "districts.csv")}


def all_pairs(folder: Path, rename: bool) -> dict[tuple[str, str], float]:
    region = load_region(folder)
    times = travel_times(region.roads, region.district_ids)
    ids = [shipped_id(i) if rename else i for i in times.index]
    values = times.to_numpy(dtype=float)
    return {(a, b): float(values[i, j]) for i, a in enumerate(ids) for j, b in enumerate(ids)}


def test_travel_times_through_the_shipped_road_graph(tmp_path, inputs):
    folder = init(tmp_path / "graph", inputs, "--points", str(inputs["points"]),
                  "--graph", str(inputs["graph"]))  # fmt: skip
    built = all_pairs(folder, rename=True)
    shipped = all_pairs(SMOLENSK, rename=False)
    assert built.keys() == shipped.keys() and len(shipped) == 27 * 27
    worst = max(abs(built[k] - shipped[k]) for k in shipped)
    assert worst <= TIME_TOLERANCE_MIN
    # the corridor rule reads federal link ends: the same districts must be at one
    federal = {shipped_id(d) for r in read(folder / "roads.csv") if r["kind"] == "federal"
               for d in (r["a"], r["b"])}  # fmt: skip
    shipped_federal = {d for r in read(SMOLENSK / "roads.csv") if r["kind"] == "federal"
                       for d in (r["a"], r["b"])}  # fmt: skip
    assert federal == shipped_federal


def test_great_circle_formula_gives_the_shipped_minutes(tmp_path, inputs):
    folder = init(tmp_path / "formula", inputs, "--points", str(inputs["points"]),
                  "--road-kinds", str(inputs["kinds"]))  # fmt: skip
    built = {(shipped_id(r["a"]), shipped_id(r["b"])): (float(r["minutes"]), r["kind"])
             for r in read(folder / "roads.csv")}  # fmt: skip
    shipped = {tuple(sorted((r["a"], r["b"]))): (float(r["minutes"]), r["kind"])
               for r in read(SMOLENSK / "roads.csv")}  # fmt: skip
    built = {tuple(sorted(k)): v for k, v in built.items()}  # type: ignore[misc]
    assert built.keys() == shipped.keys()
    diffs = np.array([abs(built[k][0] - shipped[k][0]) for k in shipped])
    assert diffs.max() <= TIME_TOLERANCE_MIN
    assert all(built[k][1] == shipped[k][1] for k in shipped)
