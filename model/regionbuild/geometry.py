"""Geometry of a region: representative points, ellipsoidal areas, adjacency, border flags.

* **Point** of a district: shapely's ``point_on_surface`` (always inside the polygon, unlike
  the centroid of a crescent or of an okrug with a city hole), unless the user gives points.
* **Area**: on the WGS 84 ellipsoid (pyproj ``Geod.geometry_area_perimeter``), in km².
* **Adjacency**: two districts are neighbours when the boundary of one runs within
  ``tolerance_m`` of the other for at least ``min_shared_m`` metres. The tolerance bridges the
  slivers and gaps of independently digitised boundaries; the minimum length keeps corner
  (point) contacts out. Lengths are measured in an azimuthal equidistant projection centred on
  the region (distortion below 0.1 % within 300 km of the centre).
* **Border flag**: a district is a border district when its polygon lies within
  ``border_tolerance_m`` of the state border line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from model.regionbuild.boundaries import Unit
from model.regionbuild.defaults import (
    ADJACENCY_TOLERANCE_M,
    BORDER_TOLERANCE_M,
    MIN_SHARED_M,
)
from model.regionbuild.geo import require_geo


@dataclass(frozen=True)
class Adjacency:
    a: str
    b: str
    shared_km: float


class LocalProjection:
    """WGS 84 lon/lat ↔ metres in an azimuthal equidistant projection at the region's centre."""

    def __init__(self, units: Sequence[Unit]) -> None:
        mods = require_geo()
        self._shapely = mods["shapely"]
        pyproj = mods["pyproj"]
        centre = self._shapely.union_all([u.geometry.envelope for u in units]).centroid
        crs = pyproj.CRS.from_proj4(
            f"+proj=aeqd +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +datum=WGS84 +units=m"
        )
        self._forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def metres(self, geometry: Any) -> Any:
        import numpy as np

        def project(xy: Any) -> Any:
            x, y = self._forward.transform(xy[:, 0], xy[:, 1])
            return np.column_stack((x, y))

        return self._shapely.transform(geometry, project)


def representative_points(units: Sequence[Unit]) -> dict[str, tuple[float, float]]:
    """(lat, lon) of a point inside each district (shapely ``point_on_surface``)."""
    points = {}
    for unit in units:
        p = unit.geometry.point_on_surface()
        points[unit.id] = (p.y, p.x)
    return points


def areas_km2(units: Sequence[Unit]) -> dict[str, float]:
    """Area of each district on the WGS 84 ellipsoid, km²."""
    pyproj = require_geo()["pyproj"]
    geod = pyproj.Geod(ellps="WGS84")
    return {u.id: abs(geod.geometry_area_perimeter(u.geometry)[0]) / 1e6 for u in units}


def adjacency(
    units: Sequence[Unit],
    projection: LocalProjection,
    tolerance_m: float = ADJACENCY_TOLERANCE_M,
    min_shared_m: float = MIN_SHARED_M,
) -> list[Adjacency]:
    """Neighbour pairs (a < b) with the length of boundary they share, km."""
    shapely = require_geo()["shapely"]
    metric = [projection.metres(u.geometry) for u in units]
    tree = shapely.STRtree(metric)
    pairs: list[Adjacency] = []
    for i, geom in enumerate(metric):
        near = tree.query(geom, predicate="dwithin", distance=tolerance_m)
        boundary = geom.boundary
        for j in sorted(int(k) for k in near):
            if j <= i:
                continue
            zone = metric[j].buffer(tolerance_m)
            shared = boundary.intersection(zone).length
            if shared >= min_shared_m:
                a, b = sorted((units[i].id, units[j].id))
                pairs.append(Adjacency(a, b, shared / 1000.0))
    return sorted(pairs, key=lambda p: (p.a, p.b))


def border_flags(
    units: Sequence[Unit],
    border: Any,
    projection: LocalProjection,
    tolerance_m: float = BORDER_TOLERANCE_M,
) -> dict[str, bool]:
    """True for each district within ``tolerance_m`` of the border line (all False without)."""
    if border is None:
        return {u.id: False for u in units}
    line = projection.metres(border)
    return {u.id: bool(projection.metres(u.geometry).distance(line) <= tolerance_m) for u in units}


def containing_unit(units: Sequence[Unit], lat: float, lon: float) -> str | None:
    """The id of the district whose polygon holds (lat, lon), or None."""
    shapely = require_geo()["shapely"]
    point = shapely.Point(lon, lat)
    for unit in units:
        if unit.geometry.covers(point):
            return unit.id
    return None
