"""Read a region's optional GeoJSON files into plain coordinate arrays for the maps.

Only what the maps draw is read: the district polygons of ``boundaries.geojson`` (Polygon or
MultiPolygon, property ``id``) and the lines of ``border_line.geojson`` (LineString or
MultiLineString). Coordinates are longitude, latitude (RFC 7946). A file that is present but
unusable is an :class:`InputError` naming the file and the feature; a missing file is simply
``None`` (maps fall back to points, or draw no border line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InputError
from model.geojson_check import LINES, POLYGONS, load_geojson

Ring = np.ndarray  # shape (n, 2): lon, lat
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class RegionShapes:
    """District polygons (each a list of polygons, each a list of rings, exterior first)."""

    polygons: dict[str, list[list[Ring]]]
    border_lines: list[Ring] = field(default_factory=list)
    attribution: str | None = None  # short credit line for the map, None when not stated


def _ring(path: Path, where: str, raw: Any) -> Ring:
    try:
        ring = np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(path, where, "coordinates are not numbers") from err
    if ring.ndim != 2 or ring.shape[0] < 2 or ring.shape[1] < 2 or not np.isfinite(ring).all():
        raise InputError(path, where, "expected a list of [lon, lat] positions")
    return ring[:, :2]


def _polygons(path: Path, where: str, geometry: Any) -> list[list[Ring]]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon" and isinstance(coords, list):
        parts = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        parts = coords
    else:
        raise InputError(path, where, f"expected a Polygon or MultiPolygon, got {kind!r}")
    return [[_ring(path, where, ring) for ring in part] for part in parts]


def _lines(path: Path, where: str, geometry: Any) -> list[Ring]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "LineString" and isinstance(coords, list):
        return [_ring(path, where, coords)]
    if kind == "MultiLineString" and isinstance(coords, list):
        return [_ring(path, where, line) for line in coords]
    raise InputError(path, where, f"expected a LineString or MultiLineString, got {kind!r}")


def short_attribution(text: str | None) -> str | None:
    """The credit line for a map: OSM's standard line for OSM data, else the stated text."""
    if not text:
        return None
    if "openstreetmap" in text.lower():
        return OSM_ATTRIBUTION
    return text.split(";")[0].strip()


def read_boundaries(path: Path, known: set[str]) -> tuple[dict[str, list[list[Ring]]], str | None]:
    """Polygons per district id, and the file's top-level ``attribution`` (if any)."""
    data = load_geojson(path, POLYGONS)  # size, depth and coordinate shape checked first
    polygons: dict[str, list[list[Ring]]] = {}
    for n, feature in enumerate(data["features"]):
        where = f"features[{n}]"
        props = feature.get("properties") if isinstance(feature, dict) else None
        district = props.get("id") if isinstance(props, dict) else None
        if not isinstance(district, str):
            raise InputError(path, f"{where}.properties.id", "every feature needs a district id")
        if district not in known:
            raise InputError(path, f"{where}.properties.id", f"unknown district {district!r}")
        if district in polygons:
            raise InputError(path, f"{where}.properties.id", f"duplicate district {district!r}")
        polygons[district] = _polygons(path, f"{where}.geometry", feature.get("geometry"))
    attribution = data.get("attribution")
    return polygons, attribution if isinstance(attribution, str) else None


def read_border_lines(path: Path) -> list[Ring]:
    """Every line of a border GeoJSON file."""
    data = load_geojson(path, LINES)
    lines: list[Ring] = []
    for n, feature in enumerate(data["features"]):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        lines += _lines(path, f"features[{n}].geometry", geometry)
    return lines


def load_shapes(region_dir: Path, districts: set[str]) -> RegionShapes:
    """The region's shapes; no polygons when it has no ``boundaries.geojson``."""
    boundaries = region_dir / "boundaries.geojson"
    polygons: dict[str, list[list[Ring]]] = {}
    attribution = None
    if boundaries.is_file():
        polygons, attribution = read_boundaries(boundaries, districts)
    border = region_dir / "border_line.geojson"
    lines = read_border_lines(border) if border.is_file() else []
    return RegionShapes(polygons, lines, short_attribution(attribution))
