"""Rules of ``region init`` checked on generated cases: adjacency of square grids against the
count worked by hand, the pruning of OD links against Dijkstra on every given pair, and the
input checks that have no place in the hand-worked fixture of test_region_init.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

pytest.importorskip("pyproj")  # the geo extra (the dev extra installs it)
import shapely

from model.region import load_region
from model.regionbuild import geometry, travel
from model.regionbuild.boundaries import Unit
from tests.test_region_init import SQUARES, init, square, write_boundaries, write_csv


def grid_units(rows: int, cols: int, lat0: float, size: float) -> list[Unit]:
    units = []
    for r in range(rows):
        for c in range(cols):
            polygon = shapely.Polygon(square(c * size, lat0 + r * size, size)[0])
            units.append(Unit(f"u{r}_{c}", f"U {r} {c}", f"u{r}_{c}", polygon))
    return units


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 5),
    cols=st.integers(1, 5),
    lat0=st.floats(-60, 60),
    size=st.sampled_from([0.05, 0.1, 0.5]),
)
def test_grid_adjacency_is_edges_not_corners(rows, cols, lat0, size):
    units = grid_units(rows, cols, lat0, size)
    pairs = geometry.adjacency(units, geometry.LocalProjection(units))
    # a grid has rows·(cols-1) horizontal and cols·(rows-1) vertical shared edges; the
    # (rows-1)·(cols-1)·2 diagonal corner contacts are not neighbours
    assert len(pairs) == rows * (cols - 1) + cols * (rows - 1)
    for pair in pairs:
        (ra, ca), (rb, cb) = (tuple(map(int, p[1:].split("_"))) for p in (pair.a, pair.b))
        assert abs(ra - rb) + abs(ca - cb) == 1


def all_pairs(ids: list[str], links: list[travel.Link]) -> np.ndarray:
    pos = {d: n for n, d in enumerate(ids)}
    rows = [pos[lk.a] for lk in links]
    cols = [pos[lk.b] for lk in links]
    graph = coo_matrix(([lk.minutes for lk in links], (rows, cols)), shape=(len(ids),) * 2)
    return dijkstra(graph.tocsr(), directed=False)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 7),
    data=st.data(),
)
def test_pruning_keeps_every_pair_time(n, data):
    ids = [f"d{i}" for i in range(n)]
    pairs = [(ids[i], ids[j]) for i in range(n) for j in range(i + 1, n)]
    chosen = data.draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
    # whole minutes make ties (a route through a third district exactly as fast) common
    minutes = data.draw(st.lists(st.integers(1, 30), min_size=len(chosen), max_size=len(chosen)))
    links = [
        travel.Link(a, b, float(m), "local") for (a, b), m in zip(chosen, minutes, strict=True)
    ]
    kept = travel.prune(ids, links)
    np.testing.assert_array_equal(all_pairs(ids, kept), all_pairs(ids, links))
    full = all_pairs(ids, links)
    pos = {d: i for i, d in enumerate(ids)}
    for lk in kept:  # no kept link is matched by a route through a third district
        i, j = pos[lk.a], pos[lk.b]
        via = [full[i, k] + full[k, j] for k in range(n) if k not in (i, j)]
        assert all(v > lk.minutes for v in via)


def test_a_tie_through_a_third_district_drops_the_direct_link():
    ids = ["a", "b", "c"]
    links = [
        travel.Link("a", "b", 10, "local"),
        travel.Link("b", "c", 15, "local"),
        travel.Link("a", "c", 25, "local"),
    ]
    assert [(lk.a, lk.b) for lk in travel.prune(ids, links)] == [("a", "b"), ("b", "c")]


def test_a_projected_gpkg_gives_the_same_region(tmp_path, inputs_factory):
    import pyogrio
    from pyproj import Transformer

    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    geoms, codes = [], []
    for code, (x, y) in SQUARES.items():
        polygon = shapely.Polygon(square(x, y)[0])
        geoms.append(
            shapely.to_wkb(
                shapely.transform(
                    polygon, lambda xy: np.column_stack(to_mercator.transform(xy[:, 0], xy[:, 1]))
                )
            )
        )
        codes.append(code)
    gpkg = tmp_path / "mercator.gpkg"
    pyogrio.raw.write(
        gpkg,
        geometry=np.array(geoms, dtype=object),
        field_data=[np.array(codes), np.array([f"District {c}" for c in codes])],
        fields=["code", "label"],
        crs="EPSG:3857",
        geometry_type="Polygon",
        driver="GPKG",
    )
    inputs = inputs_factory(tmp_path)
    assert init(tmp_path, inputs, out="wgs") == 0
    assert init(tmp_path, dict(inputs, boundaries=gpkg), out="mercator") == 0
    a, b = load_region(tmp_path / "wgs"), load_region(tmp_path / "mercator")
    for column in ("lat", "lon", "area_km2"):
        np.testing.assert_allclose(a.districts[column], b.districts[column], rtol=1e-6)
    assert a.roads[["a", "b", "kind"]].equals(b.roads[["a", "b", "kind"]])


@pytest.fixture
def inputs_factory():
    def make(tmp_path: Path) -> dict[str, Path]:
        return {
            "boundaries": write_boundaries(tmp_path / "districts.geojson"),
            "activity": write_csv(
                tmp_path / "activity.csv",
                ["district", "code", "value"],
                [["A", "C10", 1], ["B", "C16", 2]],
            ),
        }

    return make


def test_a_self_crossing_polygon_is_repaired(tmp_path, inputs_factory, capsys):
    inputs = inputs_factory(tmp_path)
    data = json.loads(inputs["boundaries"].read_text())
    # a bow-tie over C's square: invalid as given, two triangles after make_valid
    data["features"][2]["geometry"]["coordinates"] = [
        [[0.2, 0.0], [0.3, 0.1], [0.3, 0.0], [0.2, 0.1], [0.2, 0.0]]
    ]
    inputs["boundaries"].write_text(json.dumps(data))
    assert init(tmp_path, inputs) == 0
    area = load_region(tmp_path / "region").districts.loc["C", "area_km2"]
    assert area == pytest.approx(11.1320 * 11.0574 / 2, rel=2e-3)  # two of four triangles


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["features"][0].update(
                geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
            ),
            "feature 1: expected a polygon, got a LineString",
        ),
        (
            lambda d: d["features"][0]["properties"].update(code="Омега"),
            "feature 1, field code: Омега gives no ASCII id",
        ),
        (lambda d: d["features"][0].update(geometry=None), "feature 1: no geometry"),
    ],
)
def test_bad_features(tmp_path, inputs_factory, capsys, change, expected):
    inputs = inputs_factory(tmp_path)
    data = json.loads(inputs["boundaries"].read_text())
    change(data)
    inputs["boundaries"].write_text(json.dumps(data, ensure_ascii=False))
    assert init(tmp_path, inputs) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err
    assert not (tmp_path / "region").exists()


def test_bad_optional_inputs(tmp_path, inputs_factory, capsys):
    inputs = inputs_factory(tmp_path)
    cases = [
        (
            [
                "--points",
                write_csv(tmp_path / "p.csv", ["district", "lat", "lon"], [["A", 0.5, 0.5]]),
            ],
            "p.csv: district A: (0.5, 0.5) lies outside",
        ),
        (
            [
                "--crossings",
                write_csv(
                    tmp_path / "c.csv", ["name", "mode", "lat", "lon"], [["Gate", "road", 5.0, 5.0]]
                ),
            ],
            "c.csv: line 2: the point lies in no district",
        ),
        (
            [
                "--od",
                write_csv(
                    tmp_path / "od.csv",
                    ["origin", "destination", "minutes"],
                    [["A", "B", 10], ["C", "D", 10]],
                ),
            ],
            "od.csv: the pairs leave",
        ),
        (
            [
                "--od",
                write_csv(
                    tmp_path / "od2.csv", ["origin", "destination", "minutes"], [["A", "B", "soon"]]
                ),
            ],
            "od2.csv: line 2, column minutes",
        ),
        (
            [
                "--population",
                write_csv(tmp_path / "pop.csv", ["district", "population"], [["A", 5], ["a", 6]]),
            ],
            "pop.csv: line 3: second row for A",
        ),
        (["--speed", "local=0"], "--speed: local=0.0"),
        (["--detour", "0.5"], "--detour: a road is never shorter"),
        (["--road-kind", "motorway"], "--road-kind: expected one of federal, regional, local"),
        (["--activity-basis", "guess"], "--activity-basis: expected one of official"),
        (["--activity-year", "1850"], "--activity-year: expected a year 1900-2100"),
    ]
    for n, (extra, expected) in enumerate(cases):
        assert init(tmp_path, inputs, *map(str, extra), out=f"out{n}") == 2
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1, (expected, err)
        assert not (tmp_path / f"out{n}").exists()


def test_crossings_by_district_and_by_point(tmp_path, inputs_factory):
    inputs = inputs_factory(tmp_path)
    by_name = write_csv(tmp_path / "c1.csv", ["name", "mode", "district"], [["Gate", "road", "a"]])
    by_point = write_csv(
        tmp_path / "c2.csv",
        ["id", "name", "mode", "lat", "lon"],
        [["east", "East", "rail", 0.05, 0.55]],
    )
    assert init(tmp_path, inputs, "--crossings", str(by_name), out="one") == 0
    assert init(tmp_path, inputs, "--crossings", str(by_point), out="two") == 0
    one, two = load_region(tmp_path / "one"), load_region(tmp_path / "two")
    assert one.crossings[["id", "district"]].values.tolist() == [
        ["Gate", "A"]
    ]  # a valid id is kept as written
    assert two.crossings[["id", "district", "mode"]].values.tolist() == [["east", "E", "rail"]]


def test_speed_and_detour_options_scale_the_minutes(tmp_path, inputs_factory):
    inputs = inputs_factory(tmp_path)
    assert init(tmp_path, inputs, out="base") == 0
    assert init(tmp_path, inputs, "--speed", "regional=110", "--detour", "2.6", out="x") == 0
    base = load_region(tmp_path / "base").roads.set_index(["a", "b"])
    scaled = load_region(tmp_path / "x").roads.set_index(["a", "b"])
    regional = base["kind"] == "regional"
    assert regional.sum() == 3 and (base["kind"] == scaled["kind"]).all()
    # regional links: twice the detour at twice the speed, the same minutes (to the 0.1 of
    # rounding); the local bridge C-E: twice the detour at the same speed, twice the minutes
    diff = (base["minutes"] - scaled["minutes"]).abs()
    assert diff[regional].max() <= 0.1 + 1e-9
    bridge = ("C", "E")
    assert math.isclose(scaled.loc[bridge, "minutes"], 2 * base.loc[bridge, "minutes"], abs_tol=0.2)
