"""The run's sitings as GIS layers for QGIS and other desktop GIS (README, "What a run writes").

Four layers, in longitude/latitude (EPSG:4326, RFC 7946 axis order):

- ``cores``: a point per sited cluster at its core district's centre (``districts.csv`` lat,
  lon: where the map draws it), with the type, its name, the district, the contribution and
  the estimate flags of that siting in ``summary.json``;
- ``members``: a feature per member district of a cluster (its polygon from
  ``boundaries.geojson``, or its centre point when the region has no polygon for every
  district);
- ``links``: a line from the core's centre to each member's centre, with the road minutes;
- ``districts``: every district (polygon or point) with the fit of every type (``fit_<type>``)
  and the location quotient of every sector (``lq_<sector>``).

Each layer is always written as ``sitings_<layer>.geojson`` with the standard ``json``
module, and ``sitings_cores.qml`` styles the cores by type with the maps' Okabe–Ito colours
and marker shapes (QGIS applies a ``.qml`` of the same base name on opening). When pyogrio is
installed (``pip install 'clustersite[gis]'``), the same four layers go into one GeoPackage,
``sitings.gpkg``, with the cores' style stored as the layer's default style. Geometries are
encoded to WKB here, so neither path needs shapely. A run with nothing sited writes empty
``cores``, ``members`` and ``links`` layers (valid files); ``districts`` is always full.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.etree import ElementTree as ET

import numpy as np

from model.report.geo import Ring, load_shapes
from model.report.style import type_styles

if TYPE_CHECKING:
    from model.pipeline import RunResult

LAYERS = ("cores", "members", "links", "districts")
GEOJSON_NAME = "sitings_{}.geojson"
GPKG_NAME = "sitings.gpkg"
QML_NAME = "sitings_cores.qml"
CRS = "EPSG:4326"
INSTALL_HINT = "pip install 'clustersite[gis]'"

# matplotlib marker (model.report.style.MARKERS) -> QGIS simple marker shape and its angle
QGIS_MARKERS: dict[str, tuple[str, float]] = {
    "o": ("circle", 0.0),
    "s": ("square", 0.0),
    "^": ("triangle", 0.0),
    "D": ("diamond", 0.0),
    "v": ("triangle", 180.0),
    "P": ("cross_fill", 0.0),
    "X": ("cross_fill", 45.0),
    "*": ("star", 0.0),
    "h": ("hexagon", 0.0),
    "p": ("pentagon", 0.0),
}

Point = tuple[float, float]
Polygons = list[list[Ring]]  # one district: polygons, each a list of rings (exterior first)
Geometry = Point | tuple[Point, Point] | Polygons

_hinted = False  # the GeoPackage hint is printed once per process


@dataclass
class Layer:
    """One layer: its geometry type, field names and one row (geometry, values) per feature."""

    name: str
    geometry_type: str  # Point, LineString or MultiPolygon
    fields: list[str]
    kinds: list[type]  # str, float, int or bool per field (for empty layers and nulls)
    geometries: list[Geometry]
    rows: list[list[Any]]


# ---------------------------------------------------------------- geometry encodings


def _closed(ring: Ring) -> list[list[float]]:
    coords: list[list[float]] = np.asarray(ring, dtype=float)[:, :2].tolist()  # C speed
    if coords and coords[0] != coords[-1]:
        coords.append(list(coords[0]))
    return coords


def _geojson_geometry(kind: str, geometry: Geometry) -> dict[str, Any]:
    if kind == "Point":
        x, y = cast(Point, geometry)
        return {"type": "Point", "coordinates": [x, y]}
    if kind == "LineString":
        a, b = cast(tuple[Point, Point], geometry)
        return {"type": "LineString", "coordinates": [list(a), list(b)]}
    polygons = cast(Polygons, geometry)
    return {
        "type": "MultiPolygon",
        "coordinates": [[_closed(ring) for ring in polygon] for polygon in polygons],
    }


def _wkb_points(coords: Sequence[Sequence[float]]) -> bytes:
    return struct.pack("<I", len(coords)) + b"".join(
        struct.pack("<dd", float(x), float(y)) for x, y in coords
    )


def _wkb(kind: str, geometry: Geometry) -> bytes:
    """Little-endian 2D WKB of a point, a two-point line or a multipolygon."""
    if kind == "Point":
        x, y = cast(Point, geometry)
        return struct.pack("<BIdd", 1, 1, float(x), float(y))
    if kind == "LineString":
        return struct.pack("<BI", 1, 2) + _wkb_points(cast(tuple[Point, Point], geometry))
    polygons = cast(Polygons, geometry)
    out = [struct.pack("<BII", 1, 6, len(polygons))]
    for polygon in polygons:
        out.append(struct.pack("<BII", 1, 3, len(polygon)))
        out += [_wkb_points(_closed(ring)) for ring in polygon]
    return b"".join(out)


def _value(value: Any) -> Any:
    """JSON-safe: NaN and infinities are null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------- the layers


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def build_layers(result: RunResult, sitings: Sequence[Mapping[str, Any]]) -> list[Layer]:
    """The four layers of a run; ``sitings`` as in summary.json (with the estimate flags)."""
    region = result.region
    frame = region.districts
    ids = [str(d) for d in frame.index]
    names = {str(k): str(v) for k, v in frame["name"].items()}
    points: dict[str, Point] = {
        str(d): (float(lon), float(lat))
        for d, lon, lat in zip(frame.index, frame["lon"], frame["lat"], strict=True)
    }
    shapes = load_shapes(region.path, set(ids)).polygons
    with_polygons = bool(ids) and all(d in shapes for d in ids)
    area_kind = "MultiPolygon" if with_polygons else "Point"

    def area(district: str) -> Geometry:
        return shapes[district] if with_polygons else points[district]

    type_names = {k: c.name for k, c in region.clusters.items()}
    times = result.tables.times

    def minutes(a: str, b: str) -> float | None:
        try:
            return _float(times.at[a, b])
        except KeyError:
            return None

    cores = Layer(
        "cores",
        "Point",
        [
            "cluster_type", "type_name", "district", "district_name", "contribution",
            "members", "estimated_share", "export_estimated_share", "rests_on_estimates",
            "single_estimated_row", "greenfield", "bases", "export_bases", "oldest_year",
            "members_on_estimates",
        ],
        [str, str, str, str, float, int, float, float, bool, bool, bool, str, str, int, str],
        [],
        [],
    )  # fmt: skip
    members = Layer(
        "members",
        area_kind,
        ["cluster_type", "type_name", "core", "core_name", "district", "district_name",
         "on_estimates"],
        [str, str, str, str, str, str, bool],
        [],
        [],
    )  # fmt: skip
    links = Layer(
        "links",
        "LineString",
        ["cluster_type", "type_name", "core", "member", "minutes"],
        [str, str, str, str, float],
        [],
        [],
    )
    for siting in sitings:
        kind = str(siting["cluster_type"])
        core = str(siting["core"])
        member_ids = [str(m) for m in siting.get("members", [])]
        on_estimates = {str(m) for m in siting.get("members_on_estimates", [])}
        oldest = siting.get("oldest_year")
        cores.geometries.append(points[core])
        cores.rows.append(
            [
                kind,
                type_names.get(kind, kind),
                core,
                names.get(core, core),
                _float(siting.get("contribution")),
                len(member_ids),
                _float(siting.get("estimated_share")),
                _float(siting.get("export_estimated_share")),
                bool(siting.get("rests_on_estimates", False)),
                bool(siting.get("single_estimated_row", False)),
                bool(siting.get("greenfield", False)),
                ", ".join(str(b) for b in siting.get("bases", [])),
                ", ".join(str(b) for b in siting.get("export_bases", [])),
                int(oldest) if isinstance(oldest, int) else None,
                ", ".join(sorted(on_estimates)),
            ]
        )
        for member in member_ids:
            members.geometries.append(area(member))
            members.rows.append(
                [
                    kind,
                    type_names.get(kind, kind),
                    core,
                    names.get(core, core),
                    member,
                    names.get(member, member),
                    member in on_estimates,
                ]
            )
            links.geometries.append((points[core], points[member]))
            links.rows.append(
                [kind, type_names.get(kind, kind), core, member, minutes(core, member)]
            )

    fit = result.tables.fit  # type × district
    lq = result.tables.lq  # district × sector
    types = [str(k) for k in fit.index]
    sectors = [str(s) for s in lq.columns]
    districts = Layer(
        "districts",
        area_kind,
        ["id", "name", "population", "border"]
        + [f"fit_{k}" for k in types]
        + [f"lq_{s}" for s in sectors],
        [str, str, float, bool] + [float] * (len(types) + len(sectors)),
        [],
        [],
    )
    for d in ids:
        row = frame.loc[d]
        districts.geometries.append(area(d))
        districts.rows.append(
            [d, names[d], _float(row.get("population")), bool(row.get("border", False))]
            + [_float(fit.at[k, d]) if d in fit.columns else None for k in types]
            + [_float(lq.at[d, s]) if d in lq.index else None for s in sectors]
        )
    return [cores, members, links, districts]


# ---------------------------------------------------------------- writers


def write_geojson(layer: Layer, path: Path) -> None:
    """One FeatureCollection (RFC 7946: no crs member, WGS 84 longitude/latitude)."""
    features = [
        {
            "type": "Feature",
            "properties": {f: _value(v) for f, v in zip(layer.fields, row, strict=True)},
            "geometry": _geojson_geometry(layer.geometry_type, geometry),
        }
        for geometry, row in zip(layer.geometries, layer.rows, strict=True)
    ]
    collection = {"type": "FeatureCollection", "name": layer.name, "features": features}
    # json.dumps, not json.dump: only the one-shot form uses the C encoder (10x faster here)
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text + "\n")


def _column(kind: type, values: list[Any]) -> tuple[Any, Any]:
    """A numpy column for pyogrio and its null mask (None when nothing is null)."""
    import numpy as np

    mask = np.array([v is None for v in values], dtype=bool)
    if kind is float:
        data = np.array([np.nan if v is None else v for v in values], dtype=float)
    elif kind is int:
        data = np.array([0 if v is None else v for v in values], dtype=np.int64)
    elif kind is bool:
        data = np.array([bool(v) for v in values], dtype=bool)
    else:
        data = np.array(["" if v is None else str(v) for v in values], dtype=object)
    return data, (mask if mask.any() else None)


# GDAL's GeoPackage (SQLite) driver syncs the file to disk after every transaction, a few per
# layer: 0.2-0.4 s of a baseline run's 2 s here. The package is written into the run's staging
# folder, which is renamed into place only when complete, and no other file of a run is synced
# either, so the syncs buy nothing: they are turned off while the package is written.
SQLITE_SYNC_OPTION = "OGR_SQLITE_SYNCHRONOUS"


@contextmanager
def _unsynced_sqlite() -> Iterator[None]:
    """GDAL's SQLite writes without syncs while the body runs; the option restored after."""
    from pyogrio import get_gdal_config_option, set_gdal_config_options

    previous = get_gdal_config_option(SQLITE_SYNC_OPTION)
    set_gdal_config_options({SQLITE_SYNC_OPTION: "OFF"})
    try:
        yield
    finally:
        set_gdal_config_options({SQLITE_SYNC_OPTION: previous})


def write_gpkg(layers: Sequence[Layer], path: Path, qml: str | None = None) -> None:
    """Every layer into one GeoPackage with pyogrio; ``qml`` becomes the cores' default style."""
    with _unsynced_sqlite():
        _write_layers(layers, path)
    if qml is not None:
        store_default_style(path, "cores", qml)


def _write_layers(layers: Sequence[Layer], path: Path) -> None:
    import numpy as np

    _import_pyogrio()
    from pyogrio.raw import write

    for n, layer in enumerate(layers):
        columns = [
            _column(kind, [row[i] for row in layer.rows]) for i, kind in enumerate(layer.kinds)
        ]
        write(
            str(path),
            np.array([_wkb(layer.geometry_type, g) for g in layer.geometries], dtype=object),
            [data for data, _ in columns],
            layer.fields,
            field_mask=[mask for _, mask in columns],
            layer=layer.name,
            driver="GPKG",
            geometry_type=layer.geometry_type,
            crs=CRS,
            append=n > 0,
        )


def store_default_style(path: Path, layer: str, qml: str) -> None:
    """Save ``qml`` in the GeoPackage's ``layer_styles`` table, QGIS's default-style store."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous = OFF")  # as for the layers (SQLITE_SYNC_OPTION)
        db.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
            "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
            "update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"
        )
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', '', ?)",
            (
                layer,
                f"{layer} by cluster type",
                qml,
                "clustersite: cores by cluster type, the maps' colours and markers",
                datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            ),
        )
    db.close()


def _rgba(colour: str) -> str:
    return ",".join(str(int(colour[n : n + 2], 16)) for n in (1, 3, 5)) + ",255"


def cores_qml(catalogue: Mapping[str, str]) -> str:
    """A QGIS style for the cores layer: categorised on ``cluster_type`` (id → name), one
    colour and marker per type as on the maps (``model.report.style``), labels by district."""
    styles = type_styles(list(catalogue))
    root = ET.Element(
        "qgis", version="3.28.0", styleCategories="Symbology|Labeling", labelsEnabled="1"
    )
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol",
        attr="cluster_type",
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for n, (type_id, name) in enumerate(catalogue.items()):
        ET.SubElement(
            categories, "category", symbol=str(n), value=type_id, label=name, render="true"
        )
        style = styles[type_id]
        shape, angle = QGIS_MARKERS.get(style.marker, ("circle", 0.0))
        symbol = ET.SubElement(
            symbols,
            "symbol",
            type="marker",
            name=str(n),
            alpha="1",
            clip_to_extent="1",
            force_rhr="0",
        )
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "pass": "0"}
        )
        options = ET.SubElement(layer, "Option", type="Map")
        for key, value in (
            ("name", shape),
            ("color", _rgba(style.colour)),
            ("outline_color", "35,35,35,255"),
            ("outline_style", "solid"),
            ("outline_width", "0.4"),
            ("outline_width_unit", "MM"),
            ("size", "4"),
            ("size_unit", "MM"),
            ("angle", f"{angle:g}"),
        ):
            ET.SubElement(options, "Option", type="QString", name=key, value=value)
            ET.SubElement(layer, "prop", k=key, v=value)  # what QGIS before 3.26 reads
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(
        settings, "text-style", fieldName="district_name", fontSize="8", textColor="0,0,0,255"
    )
    ET.SubElement(settings, "placement", placement="1", dist="1.5")
    ET.SubElement(settings, "rendering", drawLabels="1")
    ET.indent(root)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


def have_pyogrio() -> bool:
    try:
        _import_pyogrio()
    except ImportError:
        return False
    return True


def _import_pyogrio() -> None:
    """Import pyogrio (and its ``raw`` writer) without pyproj.

    pyogrio imports pyproj, when installed (the ``[geo]`` extra), only to set a flag that
    pyogrio itself never reads; pyproj then loads its CRS database bindings: 0.1-0.25 s of a
    run here. A ``None`` in ``sys.modules`` makes that one import fail as "not installed";
    the entry is removed at once, so a later ``import pyproj`` (``run.py region``) works.
    """
    if "pyogrio.raw" in sys.modules or "pyproj" in sys.modules:
        import pyogrio.raw

        return
    sys.modules["pyproj"] = None  # type: ignore[assignment]
    try:
        import pyogrio.raw  # noqa: F401
    finally:
        if sys.modules.get("pyproj", False) is None:
            del sys.modules["pyproj"]


def write_gis(result: RunResult, folder: Path, sitings: Sequence[Mapping[str, Any]]) -> list[str]:
    """Write the GeoJSON layers, the cores' QGIS style and (with pyogrio) the GeoPackage into
    ``folder``; the names written. Without pyogrio, say once on stderr how to get it."""
    global _hinted
    layers = build_layers(result, sitings)
    written = []
    for layer in layers:
        name = GEOJSON_NAME.format(layer.name)
        write_geojson(layer, folder / name)
        written.append(name)
    catalogue = {k: c.name for k, c in result.region.clusters.items()}
    qml = cores_qml(catalogue)
    (folder / QML_NAME).write_text(qml, encoding="utf-8")
    written.append(QML_NAME)
    if have_pyogrio():
        write_gpkg(layers, folder / GPKG_NAME, qml)
        written.append(GPKG_NAME)
    elif not _hinted:
        _hinted = True
        print(
            f"note: no {GPKG_NAME} (the GeoPackage needs {INSTALL_HINT}; in a checkout "
            "pip install -e '.[gis]'); the GeoJSON layers are written",
            file=sys.stderr,
        )
    return written
