"""Read a region's GeoJSON files strictly: size, nesting depth and the shape of every geometry.

``model.report.geo`` draws the polygons and lines; this module makes sure that what it gets is
a FeatureCollection whose geometries have exactly the nesting their type requires (a
MultiPolygon is a list of polygons, each a list of rings, each a list of ``[lon, lat]``
positions of finite numbers), so a malformed or absurdly nested file is a one-line
:class:`InputError` naming the file and the feature, not a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.saved import read_json

# a region of 10,000 districts with detailed borders is about 100 MB of GeoJSON
MAX_GEOJSON_BYTES = 256 * 1024 * 1024
# how many list levels each geometry's coordinates have (positions are the innermost)
COORDINATE_DEPTH = {
    "Point": 1,
    "LineString": 2,
    "MultiPoint": 2,
    "Polygon": 3,
    "MultiLineString": 3,
    "MultiPolygon": 4,
}
POLYGONS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")


def _is_position(node: list[Any]) -> bool:
    """``[lon, lat]`` or ``[lon, lat, height]`` of finite numbers (not booleans)."""
    return 2 <= len(node) <= 3 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in node
    )


def _check_coordinates(path: Path, where: str, coords: Any, depth: int) -> None:
    """Every position at exactly ``depth`` list levels, without recursion."""
    stack: list[tuple[Any, int, str]] = [(coords, depth, where)]
    while stack:
        node, level, at = stack.pop()
        if not isinstance(node, list):
            raise InputError(path, at, f"expected a list, got {type(node).__name__}")
        if level == 1:  # a position: [lon, lat] or [lon, lat, height]
            if not _is_position(node):
                raise InputError(path, at, "expected a [lon, lat] position of finite numbers")
            continue
        if level == 2:  # a line or ring: its positions checked here, in order
            if len(node) < 2:
                raise InputError(path, at, "a line or ring needs at least 2 positions")
            for n, position in enumerate(node):
                if not (isinstance(position, list) and _is_position(position)):
                    _check_coordinates(path, f"{at}[{n}]", position, 1)  # raises its error
            continue
        # pushed last first, so that the first bad position is the one reported
        stack.extend((node[n], level - 1, f"{at}[{n}]") for n in reversed(range(len(node))))


def check_geometry(path: Path, where: str, geometry: Any, allowed: tuple[str, ...]) -> None:
    """Check one geometry object: its type is one of ``allowed``, its coordinates well formed."""
    if not isinstance(geometry, dict):
        raise InputError(path, where, f"expected a geometry object ({' or '.join(allowed)})")
    kind = geometry.get("type")
    if kind not in allowed:
        raise InputError(path, f"{where}.type", f"expected {' or '.join(allowed)}, got {kind!r}")
    _check_coordinates(
        path, f"{where}.coordinates", geometry.get("coordinates"), COORDINATE_DEPTH[kind]
    )


def load_geojson(path: Path, allowed: tuple[str, ...] = POLYGONS + LINES) -> dict[str, Any]:
    """A FeatureCollection of bounded size and depth whose geometries are all well formed.

    ``allowed`` names the geometry types the file may hold (``POLYGONS`` for
    ``boundaries.geojson``, ``LINES`` for ``border_line.geojson``). The result is shared
    between callers that read the same unchanged file: do not modify it.
    """
    try:
        stat = path.stat()
        key: tuple[str, int, int, tuple[str, ...]] | None = (
            str(path.resolve()), stat.st_mtime_ns, stat.st_size, allowed
        )
    except OSError:
        key = None  # read_json names the problem
    if key is not None and key in _CHECKED:
        return _CHECKED[key]
    data = _parse_and_check(path, allowed)
    if key is not None:
        if len(_CHECKED) >= _CACHE_SIZE:
            _CHECKED.pop(next(iter(_CHECKED)))
        _CHECKED[key] = data
    return data


# One run reads the same boundaries three times (the region check, the map, the GIS layers);
# a checked file is kept by path, modification time and size, so it is parsed and checked once.
# Callers treat the returned object as read-only.
_CACHE_SIZE = 8
_CHECKED: dict[tuple[str, int, int, tuple[str, ...]], dict[str, Any]] = {}


def _parse_and_check(path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Parse and check one GeoJSON file (see :func:`load_geojson`)."""
    data = read_json(path, MAX_GEOJSON_BYTES)
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise InputError(path, None, "expected a GeoJSON FeatureCollection with 'features'")
    for n, feature in enumerate(data["features"]):
        where = f"features[{n}]"
        if not isinstance(feature, dict):
            raise InputError(path, where, "expected a Feature object")
        properties = feature.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise InputError(path, f"{where}.properties", "expected an object")
        check_geometry(path, f"{where}.geometry", feature.get("geometry"), allowed)
    return data


def check_region_geojson(region_dir: Path) -> None:
    """Check the optional GeoJSON files of a region folder (before a run draws its map)."""
    boundaries = region_dir / "boundaries.geojson"
    if boundaries.exists():
        load_geojson(boundaries, POLYGONS)
    border = region_dir / "border_line.geojson"
    if border.exists():
        load_geojson(border, LINES)
