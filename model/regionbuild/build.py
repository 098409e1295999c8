"""``region init``: read and check every input, compute the region, write the folder.

The folder is written through :func:`model.staging.staged_folder`: into a hidden staging
folder that becomes OUT only when every file is written and the result loads with
:func:`model.region.load_region`; OUT must not exist or be empty (nothing of the user's is
ever overwritten). Every input passes :mod:`.boundaries` or :mod:`.inputs` first, so a bad
input stops the build with one line and nothing written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from model.basis import BASES
from model.errors import InputError
from model.region import ROAD_KINDS, load_region
from model.regionbuild import geometry, travel
from model.regionbuild.boundaries import Unit, read_border, read_units
from model.regionbuild.check import summary
from model.regionbuild.geo import require_geo
from model.regionbuild.inputs import (
    YEAR_RANGE,
    Crossing,
    DistrictLookup,
    read_activity,
    read_crossings,
    read_pairs,
    read_points,
    read_population,
)
from model.regionbuild.sectors import load_mapping
from model.regionbuild.writer import RegionBuild, validation_md, write_folder
from model.staging import check_destination, staged_folder

SHIPPED_CATALOGUE = Path(__file__).resolve().parent / "catalogue.yaml"


@dataclass
class BuildOptions:
    """Everything ``region init`` reads; paths are the user's files (None: not given)."""

    out: Path
    boundaries: Path
    activity: Path
    id_field: str = "id"
    name_field: str | None = None
    mapping: Path | None = None
    activity_basis: str = "unstated"
    activity_year: int | None = None
    population: Path | None = None
    crossings: Path | None = None
    border: Path | None = None
    points: Path | None = None
    od: Path | None = None
    graph: Path | None = None
    road_kinds: Path | None = None
    default_kind: str = travel.DEFAULT_KIND
    detour: float = travel.DETOUR_FACTOR
    speeds: dict[str, float] = field(default_factory=lambda: dict(travel.SPEED_KMH))
    clusters: Path | None = None
    adjacency_tolerance_m: float = geometry.ADJACENCY_TOLERANCE_M
    min_shared_m: float = geometry.MIN_SHARED_M
    border_tolerance_m: float = geometry.BORDER_TOLERANCE_M

    def input_files(self) -> dict[str, Path]:
        """role → file for every input given (SOURCES.md lists each with its SHA-256)."""
        roles = {
            "boundaries": self.boundaries,
            "activity": self.activity,
            "mapping": self.mapping,
            "population": self.population,
            "crossings": self.crossings,
            "border": self.border,
            "points": self.points,
            "od": self.od,
            "graph": self.graph,
            "road kinds": self.road_kinds,
            "clusters": self.clusters,
        }
        return {role: path for role, path in roles.items() if path is not None}


def travel_mode(options: BuildOptions) -> str:
    if options.od and options.graph:
        raise InputError(None, "--od/--graph", "give one source of travel times, not both")
    return "od" if options.od else "graph" if options.graph else "great_circle"


def _check_options(options: BuildOptions) -> None:
    for name in ("adjacency_tolerance_m", "min_shared_m", "border_tolerance_m", "detour"):
        value = getattr(options, name)
        if not math.isfinite(value) or value < 0 or value > 1e6:
            raise InputError(None, f"--{name.replace('_', '-')}", f"out of range: {value!r}")
    if options.detour < 1:
        raise InputError(None, "--detour", "a road is never shorter than the great circle (≥ 1)")
    if options.activity_basis not in BASES:
        raise InputError(None, "--activity-basis", f"expected one of {', '.join(BASES)}")
    lo, hi = YEAR_RANGE
    if options.activity_year is not None and not lo <= options.activity_year <= hi:
        raise InputError(None, "--activity-year", f"expected a year {lo}-{hi}")
    if options.default_kind not in ROAD_KINDS:
        raise InputError(None, "--road-kind", f"expected one of {', '.join(ROAD_KINDS)}")
    for kind, kph in options.speeds.items():
        if kind not in ROAD_KINDS or not math.isfinite(kph) or not 1 <= kph <= 300:
            raise InputError(None, "--speed", f"{kind}={kph!r}: expected KIND=KM/H, 1..300")


def build_region(options: BuildOptions) -> tuple[Path, RegionBuild]:
    """Build the region folder ``options.out``; returns it and what was computed."""
    require_geo()
    _check_options(options)
    mode = travel_mode(options)
    check_destination(options.out, force=False, results_only=True)
    units = read_units(options.boundaries, options.id_field, options.name_field)
    lookup = DistrictLookup(units)
    mapping = load_mapping(options.mapping)
    activity = read_activity(
        options.activity, lookup, mapping, options.activity_basis, options.activity_year
    )
    population = read_population(options.population, lookup) if options.population else {}
    crossings = _crossings(options, lookup, units)
    points = geometry.representative_points(units)
    if options.points:
        points.update(_checked_points(options.points, lookup, units))
    projection = geometry.LocalProjection(units)
    border = read_border(options.border) if options.border else None
    pairs = geometry.adjacency(
        units, projection, options.adjacency_tolerance_m, options.min_shared_m
    )
    build = RegionBuild(
        options=options,
        mode=mode,
        units=units,
        points=points,
        areas=geometry.areas_km2(units),
        adjacency=pairs,
        border=border,
        border_flags=geometry.border_flags(units, border, projection, options.border_tolerance_m),
        activity=activity,
        mapping=mapping,
        population=population,
        crossings=crossings,
        catalogue=_catalogue_text(options.clusters),
    )
    _travel(build, lookup)
    with staged_folder(options.out) as staging:
        write_folder(staging, build)
        try:
            region = load_region(staging)
        except InputError as err:  # a gap in the checks above: say so, write nothing
            raise InputError(
                options.out, None, f"the built folder does not load: {err.message}"
            ) from err
        build.summary = summary(region, options.out)
        (staging / "VALIDATION.md").write_text(validation_md(build, build.summary), "utf-8")
    return options.out, build


def _crossings(options: BuildOptions, lookup: DistrictLookup, units: list[Unit]) -> list[Crossing]:
    if not options.crossings:
        return []
    return read_crossings(
        options.crossings, lookup, lambda lat, lon: geometry.containing_unit(units, lat, lon)
    )


def _checked_points(
    path: Path, lookup: DistrictLookup, units: list[Unit]
) -> dict[str, tuple[float, float]]:
    points = read_points(path, lookup)
    shapely = require_geo()["shapely"]
    polygons = {u.id: u.geometry for u in units}
    for district, (lat, lon) in points.items():
        if not polygons[district].covers(shapely.Point(lon, lat)):
            raise InputError(
                path, f"district {district}", f"({lat}, {lon}) lies outside its polygon"
            )
    return points


def _catalogue_text(path: Path | None) -> str:
    from model.tables import read_text

    return read_text(path or SHIPPED_CATALOGUE)


def _travel(build: RegionBuild, lookup: DistrictLookup) -> None:
    options, ids = build.options, [u.id for u in build.units]
    if build.mode == "great_circle":
        kinds: dict[tuple[str, str], str] = {}
        extra: list[tuple[str, str]] = []
        if options.road_kinds:
            for pair in read_pairs(options.road_kinds, lookup, need_minutes=False):
                kinds[(pair.a, pair.b)] = pair.kind or options.default_kind
                extra.append((pair.a, pair.b))
        links = travel.great_circle_links(
            build.points,
            [(p.a, p.b) for p in build.adjacency] + extra,
            kinds,
            options.default_kind,
            options.detour,
            options.speeds,
        )
        build.bridges = travel.bridge_links(
            ids, links, build.points, options.detour, options.speeds
        )
        build.links = links + build.bridges
    elif build.mode == "od":
        assert options.od is not None
        given = read_pairs(options.od, lookup, need_minutes=True)
        links = [travel.Link(p.a, p.b, p.minutes, p.kind or options.default_kind) for p in given]
        parts = travel.components(ids, links)
        if len(parts) > 1:
            cut = ", ".join(parts[-1][:5])
            raise InputError(
                options.od,
                None,
                f"the pairs leave {len(parts)} unconnected parts; the smallest holds {cut}",
            )
        build.links = travel.prune(ids, links)
    else:
        assert options.graph is not None
        routing = travel.graph_links(options.graph, build.points, options.speeds)
        build.links = routing.links
        build.snap_km = routing.snap_km
        build.graph_size = (routing.nodes, routing.edges)
