"""Read district polygons and a state border from a GIS file (pyogrio), in WGS 84.

The validation boundary for the geometry inputs: the file's size, its layer's fields, every
feature's id (unique, usable as a district id), name and geometry (a non-empty polygon) are
checked before anything is computed; each problem is one InputError naming the file, the
feature and the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.regionbuild.geo import require_geo
from model.tables import MAX_INPUT_BYTES, check_readable, has_control, shown

MAX_DISTRICTS = 10_000
MAX_NAME_CHARS = 200
ID_OK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Unit:
    """One district polygon: its id (as written to districts.csv), name, source id, geometry."""

    id: str
    name: str
    source_id: str
    geometry: Any  # shapely Polygon or MultiPolygon, lon/lat degrees (WGS 84)


def slug(text: str) -> str:
    """A district id from a source value: kept when it is already a valid id, otherwise
    lower-cased ASCII with runs of other characters turned into ``_`` ("Kholm-Zhirkovsky
    District" → ``kholm_zhirkovsky_district``); empty when nothing ASCII is left."""
    if ID_OK.match(text):
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def _check_file(path: Path) -> None:
    check_readable(path)
    if path.stat().st_size > MAX_INPUT_BYTES:  # pragma: no cover - check_readable refuses it
        raise InputError(path, None, "file too large")


def _read_layer(path: Path, columns: list[str] | None) -> tuple[dict[str, Any], list[Any], Any]:
    """(meta, field arrays, WKB geometries) of the file's first layer, or an InputError."""
    mods = require_geo()
    _check_file(path)
    pyogrio = mods["pyogrio"]
    try:
        info = pyogrio.read_info(path)
        if int(info.get("features") or 0) > MAX_DISTRICTS:
            raise InputError(path, None, f"more than {MAX_DISTRICTS} features")
        meta, _, geometry, fields = pyogrio.raw.read(path, columns=columns)
    except InputError:
        raise
    except Exception as err:  # pyogrio raises its own DataSourceError, FieldError, ...
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, None, f"cannot read as a GIS file: {shown(first)}") from err
    return meta, fields, geometry


def _to_wgs84(path: Path, crs: str | None, geometries: list[Any]) -> list[Any]:
    """Reproject to WGS 84 lon/lat when the layer's CRS is another one."""
    mods = require_geo()
    pyproj, shapely = mods["pyproj"], mods["shapely"]
    if not crs:
        return geometries  # GeoJSON without a crs member is WGS 84 by RFC 7946
    try:
        source = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as err:
        raise InputError(path, None, f"unknown coordinate reference system {shown(crs)}") from err
    if source.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        return geometries
    transformer = pyproj.Transformer.from_crs(source, WGS84, always_xy=True)
    return [
        shapely.transform(g, lambda xy: _stack(transformer.transform(xy[:, 0], xy[:, 1])))
        for g in geometries
    ]


def _stack(xy: tuple[Any, Any]) -> Any:
    import numpy as np

    return np.column_stack(xy)


def read_units(path: Path, id_field: str, name_field: str | None) -> list[Unit]:
    """The district polygons of ``path`` keyed by ``id_field`` (named by ``name_field``)."""
    mods = require_geo()
    shapely = mods["shapely"]
    fields_wanted = [id_field] + ([name_field] if name_field and name_field != id_field else [])
    info = _layer_fields(path)
    for field in fields_wanted:
        if field not in info:
            raise InputError(
                path, f"field {field}", f"not in the file; its fields: {', '.join(info) or 'none'}"
            )
    meta, fields, wkb = _read_layer(path, fields_wanted)
    values = dict(zip(meta["fields"], fields, strict=True))
    geometries = [shapely.from_wkb(g) if g is not None else None for g in wkb]
    if not geometries:
        raise InputError(path, None, "no features")
    units: list[Unit] = []
    seen: dict[str, int] = {}
    checked: list[Any] = []
    for n, geometry in enumerate(geometries, start=1):
        where = f"feature {n}"
        raw_id = _text(values[id_field][n - 1])
        if not raw_id:
            raise InputError(path, f"{where}, field {id_field}", "empty id")
        district_id = slug(raw_id)
        if not district_id:
            raise InputError(
                path,
                f"{where}, field {id_field}",
                f"{shown(raw_id)} gives no ASCII id; choose a code field with --id-field",
            )
        if district_id in seen:
            raise InputError(
                path,
                f"{where}, field {id_field}",
                f"duplicate id {district_id!r} (first in feature {seen[district_id]})",
            )
        seen[district_id] = n
        name = _text(values[name_field][n - 1]) if name_field else raw_id
        if not name or len(name) > MAX_NAME_CHARS or has_control(name):
            raise InputError(
                path, f"{where}, field {name_field}", "name must be 1-200 characters on one line"
            )
        checked.append(_polygonal(path, where, geometry))
        units.append(Unit(district_id, name, raw_id, None))
    wgs = _to_wgs84(path, meta.get("crs"), checked)
    for n, g in enumerate(wgs, start=1):
        minx, miny, maxx, maxy = g.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError(path, f"feature {n}", "coordinates outside lon -180..180, lat -90..90")
    return [Unit(u.id, u.name, u.source_id, g) for u, g in zip(units, wgs, strict=True)]


def _layer_fields(path: Path) -> list[str]:
    mods = require_geo()
    _check_file(path)
    try:
        return [str(f) for f in mods["pyogrio"].read_info(path)["fields"]]
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, None, f"cannot read as a GIS file: {shown(first)}") from err


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric code read as 12.0
    return str(value).strip()


def _polygonal(path: Path, where: str, geometry: Any) -> Any:
    """The geometry as a valid (Multi)Polygon, repaired with make_valid when it is not."""
    shapely = require_geo()["shapely"]
    if geometry is None or geometry.is_empty:
        raise InputError(path, where, "no geometry")
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(path, where, f"expected a polygon, got a {geometry.geom_type}")
    if not geometry.is_valid:
        repaired = shapely.make_valid(geometry)
        parts = [
            p for p in getattr(repaired, "geoms", [repaired]) if p.geom_type.endswith("Polygon")
        ]
        geometry = shapely.union_all(parts) if parts else None
        if geometry is None or geometry.is_empty:
            raise InputError(path, where, "invalid polygon that cannot be repaired")
    return geometry


def read_border(path: Path) -> Any:
    """The state border as lines in WGS 84: line features as they are, polygon features by
    their outline."""
    mods = require_geo()
    shapely = mods["shapely"]
    meta, _, wkb = _read_layer(path, [])
    lines: list[Any] = []
    for n, g in enumerate(wkb, start=1):
        geometry = shapely.from_wkb(g) if g is not None else None
        if geometry is None or geometry.is_empty:
            raise InputError(path, f"feature {n}", "no geometry")
        if geometry.geom_type in ("Polygon", "MultiPolygon"):
            geometry = geometry.boundary
        if geometry.geom_type not in ("LineString", "MultiLineString"):
            raise InputError(
                path, f"feature {n}", f"expected a line or polygon, got {geometry.geom_type}"
            )
        lines.append(geometry)
    if not lines:
        raise InputError(path, None, "no features")
    wgs = _to_wgs84(path, meta.get("crs"), lines)
    return shapely.line_merge(shapely.union_all(wgs))
