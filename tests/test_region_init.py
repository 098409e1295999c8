"""``run.py region init`` / ``region check`` on tiny regions whose answers are worked by hand.

The fixture: four 0.1° squares near the equator, A B C in a row (x 0-0.3), D above A (it
touches B only at a corner), and an island E at x 0.5-0.6. Hand results: neighbours A-B, B-C,
A-D (the corner contact B-D is not one); A and D touch the border line x = 0; each square has
11.132 km × 11.057 km ≈ 123.09 km² (1° of longitude at the equator 111.320 km, 1° of latitude
near it 110.574 km, WGS 84).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import networkx as nx
import pytest

pytest.importorskip("pyproj")  # the geo extra (the dev extra installs it)

from model.cli import main
from model.region import load_region
from model.regionbuild.sectors import division_of, load_mapping
from model.tables import CsvRow


def square(x: float, y: float, size: float = 0.1) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


SQUARES = {"A": (0.0, 0.0), "B": (0.1, 0.0), "C": (0.2, 0.0), "D": (0.0, 0.1), "E": (0.5, 0.0)}


def write_boundaries(path: Path, names: dict[str, tuple[float, float]] = SQUARES) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "label": f"District {code}"},
            "geometry": {"type": "Polygon", "coordinates": square(*xy)},
        }
        for code, xy in names.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    border = tmp_path / "border.geojson"
    line = {"type": "LineString", "coordinates": [[0.0, -0.5], [0.0, 0.5]]}
    border.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": line}]}))  # fmt: skip
    return {
        "boundaries": write_boundaries(tmp_path / "districts.geojson"),
        "activity": write_csv(
            tmp_path / "activity.csv",
            ["district", "code", "value"],
            [
                ["A", "C10", 100],
                ["A", "C16", 50],
                ["B", "10.11", 30],
                ["C", "C29", 20],
                ["district e", "C11", 5],
                ["A", "F41", 7],
            ],
        ),
        "border": border,
    }


def init(tmp_path: Path, inputs: dict[str, Path], *extra: str, out: str = "region") -> int:
    return main([
        "region", "init", str(tmp_path / out), "--boundaries", str(inputs["boundaries"]),
        "--id-field", "code", "--name-field", "label", "--activity", str(inputs["activity"]),
        *extra,
    ])  # fmt: skip


def rows(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_init_writes_a_region_the_loader_accepts(tmp_path, inputs, capsys):
    assert init(tmp_path, inputs, "--border", str(inputs["border"])) == 0
    folder = tmp_path / "region"
    region = load_region(folder)
    assert sorted(region.district_ids) == ["A", "B", "C", "D", "E"]
    # adjacency: A-B, B-C, A-D from shared edges; E is an island joined by one bridge to C
    pairs = {(r["a"], r["b"]) for r in rows(folder / "roads.csv")}
    assert pairs == {("A", "B"), ("B", "C"), ("A", "D"), ("C", "E")}
    kinds = {(r["a"], r["b"]): r["kind"] for r in rows(folder / "roads.csv")}
    assert kinds[("C", "E")] == "local" and kinds[("A", "B")] == "regional"
    border = {i: region.districts.loc[i, "border"] for i in region.district_ids}
    assert border == {"A": True, "B": False, "C": False, "D": True, "E": False}
    for i in region.district_ids:
        assert region.districts.loc[i, "area_km2"] == pytest.approx(11.1320 * 11.0574, rel=2e-3)
    validation = (folder / "VALIDATION.md").read_text()
    assert "bridge link C–E" in validation
    assert "districts with no neighbour by shared boundary: E" in validation
    assert "districts with no activity (1): D" in validation
    assert "divisions mapped to `other` (not in the mapping): 41" in validation
    sources = (folder / "SOURCES.md").read_text()
    for name in ("districts.geojson", "activity.csv", "border.geojson"):
        assert f"`{name}`" in sources
    assert "| detour factor | 1.3 |" in sources
    out = capsys.readouterr().out
    assert "no activity    1: D" in out and "unreachable pairs 0" in out


def test_travel_minutes_by_hand(tmp_path, inputs):
    assert init(tmp_path, inputs) == 0
    roads = {(r["a"], r["b"]): float(r["minutes"]) for r in rows(tmp_path / "region/roads.csv")}
    pts = {r["id"]: (float(r["lat"]), float(r["lon"])) for r in
           rows(tmp_path / "region/districts.csv")}  # fmt: skip
    # the points lie inside their squares (point_on_surface)
    for code, (x, y) in SQUARES.items():
        lat, lon = pts[code]
        assert x < lon < x + 0.1 and y < lat < y + 0.1
    # A-B: both points at the same latitude; km = R · Δλ · cos(lat), 1.3 detour, 55 km/h
    (lat_a, lon_a), (lat_b, lon_b) = pts["A"], pts["B"]
    assert lat_a == pytest.approx(lat_b)
    km = 6371.0 * math.radians(lon_b - lon_a) * math.cos(math.radians(lat_a))
    assert roads[("A", "B")] == pytest.approx(km * 1.3 / 55 * 60, abs=0.05)


def test_activity_codes_go_to_the_catalogue_sectors(tmp_path, inputs):
    assert init(tmp_path, inputs, "--activity-basis", "official", "--activity-year", "2023") == 0
    act = {(r["district"], r["sector"]): r for r in rows(tmp_path / "region/activity.csv")}
    assert act[("A", "food")]["value"] == "100" and act[("A", "wood")]["value"] == "50"
    assert act[("B", "food")]["value"] == "30"  # OKVED2 10.11 is division 10
    assert act[("C", "machinery")]["value"] == "20"  # C29 motor vehicles
    assert act[("E", "food")]["value"] == "5"  # district named by its name, any case
    assert act[("A", "other")]["value"] == "7"  # F41 construction: not a catalogue sector
    assert {r["basis"] for r in act.values()} == {"official"}
    assert {r["year"] for r in act.values()} == {"2023"}


def test_od_matrix_is_pruned_to_links_that_matter(tmp_path, inputs):
    od = write_csv(tmp_path / "od.csv", ["origin", "destination", "minutes"], [
        ["A", "B", 30], ["B", "C", 40], ["A", "C", 100], ["A", "D", 20], ["C", "E", 25],
        ["B", "A", 35], ["A", "A", 0]])  # fmt: skip
    assert init(tmp_path, inputs, "--od", str(od)) == 0
    roads = {(r["a"], r["b"]): float(r["minutes"]) for r in rows(tmp_path / "region/roads.csv")}
    # A-C (100) is slower than A-B-C (70): dropped; A-B keeps the faster direction (30)
    assert roads == {("A", "B"): 30, ("B", "C"): 40, ("A", "D"): 20, ("C", "E"): 25}


def test_graph_is_routed_between_district_points(tmp_path, inputs):
    # a road along y = 0.05 through the five squares' points, osmnx-style string attributes
    assert init(tmp_path, inputs, out="plain") == 0
    pts = {r["id"]: (float(r["lat"]), float(r["lon"])) for r in
           rows(tmp_path / "plain/districts.csv")}  # fmt: skip
    graph = nx.MultiDiGraph()
    for code, (lat, lon) in pts.items():
        graph.add_node(code, x=str(lon), y=str(lat))
    graph.add_node("junction", x=str(pts["A"][1]), y=str((pts["A"][0] + pts["D"][0]) / 2))
    graph.add_edge("A", "B", length="10000", highway="trunk")  # 10 km at 85 km/h
    graph.add_edge("B", "C", length="11000", highway="['primary', 'secondary']")  # at 55
    graph.add_edge("A", "junction", length="4000", highway="residential")  # at 40
    graph.add_edge("junction", "D", length="4000", highway="residential")
    graph.add_edge("C", "E", travel_time="1200")  # 20 minutes, stated
    path = tmp_path / "roads.graphml"
    nx.write_graphml(graph, path)
    assert init(tmp_path, inputs, "--graph", str(path)) == 0
    roads = {(r["a"], r["b"]): (float(r["minutes"]), r["kind"])
             for r in rows(tmp_path / "region/roads.csv")}  # fmt: skip
    assert roads == {
        ("A", "B"): (round(10 / 85 * 60, 1), "federal"),
        ("B", "C"): (round(11 / 55 * 60, 1), "regional"),
        ("A", "D"): (round(8 / 40 * 60, 1), "local"),
        ("C", "E"): (20.0, "local"),
    }


def test_one_district_is_a_region(tmp_path, capsys):
    inputs = {
        "boundaries": write_boundaries(tmp_path / "one.geojson", {"A": (0.0, 0.0)}),
        "activity": write_csv(tmp_path / "a.csv", ["district", "code", "value"], [["A", "C10", 1]]),
    }
    assert init(tmp_path, inputs) == 0
    assert rows(tmp_path / "region/roads.csv") == []
    assert main(["region", "check", str(tmp_path / "region")]) == 0
    assert "one district, no pairs" in capsys.readouterr().out


def test_bad_inputs_exit_2_with_one_line_and_write_nothing(tmp_path, inputs, capsys):
    cases = [
        (["district", "code", "value"], [["Z", "C10", 1]], "line 2, column district"),
        (["district", "code", "value"], [["A", "X10", 1]], "line 2, column code"),
        (["district", "code", "value"], [["A", "B10", 1]], "division 10 is in section C"),
        (["district", "code", "value"], [["A", "C10", -1]], "line 2, column value"),
        (["district", "code"], [["A", "C10"]], "missing column(s) value"),
        (["district", "code", "value"], [["A", "C10", 0]], "at least one value must be positive"),
    ]
    for n, (header, data, expected) in enumerate(cases):
        bad = dict(inputs, activity=write_csv(tmp_path / f"bad{n}.csv", header, data))
        assert init(tmp_path, bad, out=f"out{n}") == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"bad{n}.csv" in err and expected in err, err
        assert not (tmp_path / f"out{n}").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_bad_boundary_files(tmp_path, inputs, capsys):
    dup = write_boundaries(tmp_path / "dup.geojson")
    data = json.loads(dup.read_text())
    data["features"][1]["properties"]["code"] = "A"
    dup.write_text(json.dumps(data))
    for path, extra, expected in [
        (dup, [], "feature 2, field code: duplicate id 'A'"),
        (inputs["boundaries"], ["--id-field", "nope"], "field nope: not in the file"),
        (tmp_path / "missing.gpkg", [], "file not found"),
    ]:
        args = dict(inputs, boundaries=path)
        assert init(tmp_path, args, *extra, out="x") == 2
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1, err
        assert not (tmp_path / "x").exists()


def test_out_must_be_new_or_empty(tmp_path, inputs, capsys):
    out = tmp_path / "region"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    assert init(tmp_path, inputs) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    (out / "mine.txt").unlink()
    assert init(tmp_path, inputs) == 0  # an empty folder is fine


def test_missing_geo_extra_is_one_line(tmp_path, inputs, capsys, monkeypatch):
    import importlib

    real = importlib.import_module

    def no_pyproj(name: str, *args: object) -> object:
        if name == "pyproj":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr("model.regionbuild.geo.importlib.import_module", no_pyproj)
    assert init(tmp_path, inputs) == 2
    err = capsys.readouterr().err
    assert "pip install 'clustersite[geo]'" in err and err.count("\n") == 1
    assert not (tmp_path / "region").exists()


def test_shipped_mapping_matches_the_issue():
    mapping = load_mapping()
    expected = {"10": "food", "11": "food", "16": "wood", "20": "chemicals", "22": "plastics",
                "23": "building_materials", "24": "metallurgy", "25": "metallurgy",
                "27": "electrical", "28": "machinery", "29": "machinery", "30": "machinery",
                "13": "light", "14": "light", "15": "light"}  # fmt: skip
    assert mapping.sectors == expected
    assert mapping.sector("12") == "other"


@pytest.mark.parametrize(("code", "division"), [("C10", "10"), ("10.11", "10"),
                         ("C 22.2", "22"), ("28.99.1", "28"), ("a01", "01")])  # fmt: skip
def test_code_spellings(code, division):
    assert division_of(Path("t.csv"), CsvRow(2, {"code": code}), "code") == division


def test_check_of_the_shipped_region(capsys):
    from model.region import DATA_DIR

    districts = rows(DATA_DIR / "smolensk/districts.csv")
    roads = rows(DATA_DIR / "smolensk/roads.csv")
    border = sum(r["border"] == "true" for r in districts)
    count = {k: sum(r["kind"] == k for r in roads) for k in ("federal", "regional", "local")}
    assert main(["region", "check", "smolensk"]) == 0
    out = capsys.readouterr().out
    assert f"districts      {len(districts)} ({border} on the state border" in out
    assert (f"links          {len(roads)} (federal {count['federal']}, "
            f"regional {count['regional']}, local {count['local']})") in out  # fmt: skip


def test_check_of_a_broken_folder(tmp_path, capsys):
    assert main(["region", "check", str(tmp_path)]) == 2
    assert "not a region folder" in capsys.readouterr().err


def test_check_marks_sectors_resting_on_estimates(tmp_path, inputs, capsys):
    # food: 100 official + 150 assumed (60% estimated, marked); wood: 50 official + 10
    # assumed (17%, not marked); a code may hold one row per basis
    activity = write_csv(
        tmp_path / "mixed.csv",
        ["district", "code", "value", "basis"],
        [
            ["A", "C10", 100, "official"],
            ["B", "C10", 150, "assumed"],
            ["A", "C16", 50, "official"],
            ["A", "C16", 10, "assumed"],
        ],
    )
    assert init(tmp_path, dict(inputs, activity=activity)) == 0
    capsys.readouterr()
    assert main(["region", "check", str(tmp_path / "region")]) == 0
    out = capsys.readouterr().out
    assert "sectors        2: food 250†, wood 60\n" in out
    assert "activity rows  4; estimated 2 (52% of the value)" in out  # 160 of 310
    assert "† rests on estimates" in out


def test_a_user_mapping_replaces_the_shipped_one(tmp_path, inputs, capsys):
    mapping = write_csv(tmp_path / "map.csv", ["division", "sector"], [["C10", "dairy"]])
    assert init(tmp_path, inputs, "--mapping", str(mapping)) == 0
    sectors = {r["sector"] for r in rows(tmp_path / "region/activity.csv")}
    assert sectors == {"dairy", "other"}  # C16, C29, C11 and F41 are not in this mapping
    bad = write_csv(tmp_path / "bad.csv", ["division", "sector"], [["1O", "food"]])
    assert init(tmp_path, inputs, "--mapping", str(bad), out="bad") == 2
    err = capsys.readouterr().err
    assert "bad.csv: line 2, column division" in err and not (tmp_path / "bad").exists()
