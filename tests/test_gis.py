"""GIS outputs of a run: GeoJSON layers, the cores' QGIS style and the GeoPackage, read back
with pyogrio (no geopandas) and checked against summary.json and the region files."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
import yaml

from model.cli import main
from model.generate import generate_region
from model.report import gis
from model.report.style import type_styles

pyogrio = pytest.importorskip("pyogrio")
from pyogrio.raw import read  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = REPO / "data" / "smolensk"
LAYERS = ("cores", "members", "links", "districts")


def write_scenario(path: Path, region: Path, **rules: object) -> Path:
    data: dict[str, Any] = {"name": path.stem, "region": str(region)}
    if rules:
        data["rules"] = rules
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def records(gpkg: Path, layer: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[bytes]]:
    """The layer's metadata, one dict per feature, and the WKB geometries."""
    meta, _, geometry, fields = read(gpkg, layer=layer)
    names = list(meta["fields"])
    rows = [{name: fields[i][n] for i, name in enumerate(names)} for n in range(len(geometry))]
    return meta, rows, list(geometry)


def point(wkb: bytes) -> tuple[float, float]:
    order = "<" if wkb[0] == 1 else ">"
    kind, x, y = struct.unpack(order + "Idd", wkb[1:21])
    assert kind == 1
    return x, y


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gis") / "run"
    assert (
        main(["run", str(REPO / "scenarios" / "baseline.yaml"), "--out", str(out), "--quiet"]) == 0
    )
    return out


def test_a_run_writes_every_layer_as_geojson_and_geopackage(baseline: Path) -> None:
    for layer in LAYERS:
        assert (baseline / f"sitings_{layer}.geojson").is_file()
    assert (baseline / "sitings_cores.qml").is_file()
    listed = {name for name, _ in pyogrio.list_layers(baseline / "sitings.gpkg")}
    assert set(LAYERS) <= listed
    for layer, kind in zip(
        LAYERS, ("Point", "MultiPolygon", "LineString", "MultiPolygon"), strict=True
    ):
        info = pyogrio.read_info(baseline / "sitings.gpkg", layer=layer)
        assert info["geometry_type"] == kind, layer
        assert info["crs"] == "EPSG:4326"


def test_cores_match_summary_json(baseline: Path) -> None:
    summary = json.loads((baseline / "summary.json").read_text(encoding="utf-8"))
    districts = pd.read_csv(SMOLENSK / "districts.csv").set_index("id")
    catalogue = yaml.safe_load((SMOLENSK / "clusters.yaml").read_text(encoding="utf-8"))
    names = {type_id: entry["name"] for type_id, entry in catalogue.items()}
    _, cores, geometry = records(baseline / "sitings.gpkg", "cores")
    sitings = summary["sitings"]
    assert len(cores) == len(sitings) == 6
    for core, wkb, siting in zip(cores, geometry, sitings, strict=True):
        assert core["cluster_type"] == siting["cluster_type"]
        assert core["district"] == siting["core"]
        assert core["district_name"] == districts.loc[siting["core"], "name"]
        assert core["type_name"] == names[siting["cluster_type"]]
        assert core["contribution"] == pytest.approx(siting["contribution"])
        assert core["members"] == len(siting["members"])
        assert core["estimated_share"] == pytest.approx(siting["estimated_share"])
        assert core["export_estimated_share"] == pytest.approx(siting["export_estimated_share"])
        assert bool(core["greenfield"]) == siting["greenfield"]
        assert bool(core["rests_on_estimates"]) == siting["rests_on_estimates"]
        assert bool(core["single_estimated_row"]) == siting["single_estimated_row"]
        assert core["bases"] == ", ".join(siting["bases"])
        x, y = point(wkb)
        assert (x, y) == pytest.approx(
            (districts.loc[siting["core"], "lon"], districts.loc[siting["core"], "lat"])
        )
    assert any(c["rests_on_estimates"] for c in cores)  # the baseline has marked cores


def test_members_links_and_districts(baseline: Path) -> None:
    summary = json.loads((baseline / "summary.json").read_text(encoding="utf-8"))
    gpkg = baseline / "sitings.gpkg"
    expected = sorted(
        (s["cluster_type"], s["core"], m) for s in summary["sitings"] for m in s["members"]
    )
    _, members, _ = records(gpkg, "members")
    assert sorted((m["cluster_type"], m["core"], m["district"]) for m in members) == expected
    _, links, lines = records(gpkg, "links")
    assert sorted((k["cluster_type"], k["core"], k["member"]) for k in links) == expected
    assert all(k["minutes"] > 0 for k in links)
    assert all(struct.unpack("<II", wkb[1:9]) == (2, 2) for wkb in lines)  # two-point lines
    meta, districts, _ = records(gpkg, "districts")
    table = pd.read_csv(SMOLENSK / "districts.csv")
    assert sorted(d["id"] for d in districts) == sorted(table["id"])
    fields = list(meta["fields"])
    catalogue = yaml.safe_load((SMOLENSK / "clusters.yaml").read_text(encoding="utf-8"))
    assert len(catalogue) == 8
    for type_id in catalogue:
        assert f"fit_{type_id}" in fields
    assert any(f.startswith("lq_") for f in fields)
    # the fit of each core's type in its district is the core's fit (positive)
    by_id = {d["id"]: d for d in districts}
    for siting in summary["sitings"]:
        assert by_id[siting["core"]][f"fit_{siting['cluster_type']}"] > 0


def test_geojson_layers_hold_what_the_geopackage_holds(baseline: Path) -> None:
    for layer in LAYERS:
        data = json.loads((baseline / f"sitings_{layer}.geojson").read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection"
        _, rows, _ = records(baseline / "sitings.gpkg", layer)
        assert len(data["features"]) == len(rows), layer
        for feature, row in zip(data["features"], rows, strict=True):
            for key, value in feature["properties"].items():
                if isinstance(value, float):
                    assert row[key] == pytest.approx(value), (layer, key)
                elif value is not None:
                    assert row[key] == value, (layer, key)
    # pyogrio reads the GeoJSON files too
    info = pyogrio.read_info(baseline / "sitings_members.geojson")
    assert info["features"] > 0 and info["geometry_type"] == "MultiPolygon"


def test_qgis_style_uses_the_map_colours(baseline: Path) -> None:
    text = (baseline / "sitings_cores.qml").read_text(encoding="utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "cluster_type"
    categories = renderer.findall("categories/category")
    catalogue = [c.get("value") or "" for c in categories]
    styles = type_styles(catalogue)
    summary = json.loads((baseline / "summary.json").read_text(encoding="utf-8"))
    assert {s["cluster_type"] for s in summary["sitings"]} <= set(catalogue)
    for category in categories:
        symbol = renderer.find(f"symbols/symbol[@name='{category.get('symbol')}']")
        assert symbol is not None
        colour = symbol.find("layer/Option/Option[@name='color']")
        assert colour is not None
        hexa = styles[category.get("value") or ""].colour
        rgb = ",".join(str(int(hexa[n : n + 2], 16)) for n in (1, 3, 5))
        assert (colour.get("value") or "").startswith(rgb + ",")
    # the GeoPackage carries the same style as the cores' default
    with sqlite3.connect(baseline / "sitings.gpkg") as db:
        stored = db.execute(
            "SELECT f_table_name, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    db.close()
    assert stored == [("cores", 1, text)]


def test_a_region_without_boundaries_gets_points(tmp_path: Path) -> None:
    region = generate_region(tmp_path / "region", 12, seed=3, types=3)
    assert not (region / "boundaries.geojson").exists()
    scenario = write_scenario(tmp_path / "syn.yaml", region)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), "--quiet"]) == 0
    for layer, kind in (("members", "Point"), ("districts", "Point"), ("cores", "Point")):
        info = pyogrio.read_info(out / "sitings.gpkg", layer=layer)
        assert info["geometry_type"] == kind
        data = json.loads((out / f"sitings_{layer}.geojson").read_text(encoding="utf-8"))
        assert {f["geometry"]["type"] for f in data["features"]} <= {"Point"}
    assert pyogrio.read_info(out / "sitings.gpkg", layer="districts")["features"] == 12


def test_nothing_sited_gives_empty_valid_layers(tmp_path: Path) -> None:
    scenario = write_scenario(
        tmp_path / "clash.yaml",
        SMOLENSK,
        max_clusters_per_district=1,
        lock=[
            {"cluster": "wood", "district": "velizhsky"},
            {"cluster": "food", "district": "velizhsky"},
        ],
    )
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), "--quiet"]) == 3
    for layer in ("cores", "members", "links"):
        data = json.loads((out / f"sitings_{layer}.geojson").read_text(encoding="utf-8"))
        assert data == {"type": "FeatureCollection", "name": layer, "features": []}
        info = pyogrio.read_info(out / "sitings.gpkg", layer=layer)
        assert info["features"] == 0
        assert "cluster_type" in list(info["fields"])
    assert pyogrio.read_info(out / "sitings.gpkg", layer="districts")["features"] == 27


def test_without_pyogrio_the_geojson_is_written_and_the_hint_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(gis, "have_pyogrio", lambda: False)
    monkeypatch.setattr(gis, "_hinted", False)
    region = generate_region(tmp_path / "region", 6, seed=2, types=2)
    scenario = write_scenario(tmp_path / "syn.yaml", region)
    for name in ("one", "two"):
        assert main(["run", str(scenario), "--out", str(tmp_path / name), "--quiet"]) == 0
        assert (tmp_path / name / "sitings_cores.geojson").is_file()
        assert not (tmp_path / name / "sitings.gpkg").exists()
    err = capsys.readouterr().err
    assert err.count("pip install 'clustersite[gis]'") == 1


def test_wkb_round_trip_of_a_polygon_with_a_hole(tmp_path: Path) -> None:
    import numpy as np

    outer = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])  # open ring: closed here
    hole = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [1.0, 1.0]])
    layer = gis.Layer("d", "MultiPolygon", ["id"], [str], [[[outer, hole]]], [["a"]])
    gis.write_gpkg([layer], tmp_path / "x.gpkg")
    gis.write_geojson(layer, tmp_path / "x.geojson")
    for path in (tmp_path / "x.gpkg", tmp_path / "x.geojson"):
        info = pyogrio.read_info(path)
        assert info["features"] == 1
        assert info["total_bounds"] == pytest.approx((0.0, 0.0, 4.0, 4.0))
    data = json.loads((tmp_path / "x.geojson").read_text(encoding="utf-8"))
    rings = data["features"][0]["geometry"]["coordinates"][0]
    assert rings[0][0] == rings[0][-1] and len(rings[0]) == 5 and len(rings[1]) == 4
