"""Write the files of a built region: the four tables, the catalogue, the GeoJSON layers, the
``SOURCES.md`` skeleton and the ``VALIDATION.md`` summary. Output is deterministic: the same
inputs give the same bytes (fixed row order, fixed number formats, no time stamps)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.basis import is_estimate
from model.regionbuild import geometry, travel
from model.regionbuild.boundaries import Unit
from model.regionbuild.inputs import Activity, Crossing
from model.regionbuild.sectors import SHIPPED_MAPPING, Mapping

if TYPE_CHECKING:
    from model.regionbuild.build import BuildOptions

COORD_DECIMALS = 6  # about 0.1 m
MINUTE_DECIMALS = 1


@dataclass
class RegionBuild:
    """What ``region init`` read and computed, before it is written."""

    options: BuildOptions
    mode: str
    units: list[Unit]
    points: dict[str, tuple[float, float]]
    areas: dict[str, float]
    adjacency: list[geometry.Adjacency]
    border: Any
    border_flags: dict[str, bool]
    activity: Activity
    mapping: Mapping
    population: dict[str, tuple[float, int | None]]
    crossings: list[Crossing]
    catalogue: str
    links: list[travel.Link] = field(default_factory=list)
    bridges: list[travel.Link] = field(default_factory=list)
    snap_km: dict[str, float] = field(default_factory=dict)
    graph_size: tuple[int, int] = (0, 0)
    summary: list[str] = field(default_factory=list)


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def districts_csv(build: RegionBuild) -> str:
    rows: list[list[object]] = []
    for unit in build.units:
        lat, lon = build.points[unit.id]
        population, year = build.population.get(unit.id, (math.nan, None))
        rows.append([
            unit.id, unit.name, "",
            f"{lat:.{COORD_DECIMALS}f}", f"{lon:.{COORD_DECIMALS}f}",
            "" if math.isnan(population) else _number(population), year or "",
            f"{build.areas[unit.id]:.2f}", "true" if build.border_flags[unit.id] else "false",
        ])  # fmt: skip
    header = ["id", "name", "name_local", "lat", "lon", "population", "population_year",
              "area_km2", "border"]  # fmt: skip
    return _csv(header, rows)


def activity_csv(build: RegionBuild) -> str:
    name = build.options.activity.name
    rows: list[list[object]] = []
    for key in sorted(build.activity.rows):
        district, sector, basis = key
        codes = ", ".join(sorted(set(build.activity.codes[key])))
        year = build.activity.years.get(key)
        rows.append([district, sector, _number(build.activity.rows[key]), basis, year or "",
                     f"{name}: codes {codes}"])  # fmt: skip
    return _csv(["district", "sector", "value", "basis", "year", "note"], rows)


def roads_csv(build: RegionBuild) -> str:
    rows: list[list[object]] = [
        [lk.a, lk.b, f"{max(lk.minutes, 0.1):.{MINUTE_DECIMALS}f}", lk.kind]
        for lk in sorted(build.links, key=lambda lk: (lk.a, lk.b))
    ]
    return _csv(["a", "b", "minutes", "kind"], rows)


def crossings_csv(build: RegionBuild) -> str:
    rows: list[list[object]] = [[c.id, c.name, c.district, c.mode] for c in build.crossings]
    return _csv(["id", "name", "district", "mode"], rows)


def boundaries_geojson(build: RegionBuild) -> str:
    import shapely

    features = [
        {
            "type": "Feature",
            "properties": {"id": u.id, "name": u.name},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(u.geometry, 1e-6))),
        }
        for u in build.units
    ]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":")) + "\n"  # fmt: skip


def border_geojson(build: RegionBuild) -> str:
    import shapely

    geometry_json = json.loads(shapely.to_geojson(build.border))
    feature = {"type": "Feature", "properties": {"name": "state border"}, "geometry": geometry_json}
    return json.dumps({"type": "FeatureCollection", "features": [feature]},
                      separators=(",", ":")) + "\n"  # fmt: skip


def write_folder(folder: Path, build: RegionBuild) -> None:
    """Every file of the region except VALIDATION.md (written once the folder loads)."""
    files = {
        "districts.csv": districts_csv(build),
        "activity.csv": activity_csv(build),
        "roads.csv": roads_csv(build),
        "clusters.yaml": build.catalogue,
        "boundaries.geojson": boundaries_geojson(build),
        "SOURCES.md": sources_md(build),
    }
    if build.crossings:
        files["crossings.csv"] = crossings_csv(build)
    if build.border is not None:
        files["border_line.geojson"] = border_geojson(build)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sources_md(build: RegionBuild) -> str:
    o = build.options
    lines = [
        "# Region sources (skeleton written by `run.py region init`)",
        "",
        "Fill in every TODO before quoting a result: what each input is, who published it, "
        "for which year, and under which licence.",
        "",
        "## Input files",
        "",
        "| role | file | SHA-256 | bytes |",
        "|---|---|---|---|",
    ]
    for role, path in o.input_files().items():
        lines.append(f"| {role} | `{path.name}` | `{_sha256(path)}` | {path.stat().st_size} |")
    mapping = "shipped NACE Rev. 2 mapping" if build.mapping.path == SHIPPED_MAPPING else (
        f"`{build.mapping.path.name}`")  # fmt: skip
    catalogue = (
        f"`{o.clusters.name}`"
        if o.clusters
        else ("the shipped default catalogue (Smolensk's judgement, cross_border false): REVIEW it")
    )
    lines += [
        "",
        "## Choices and defaults used",
        "",
        "| item | value | source or basis |",
        "|---|---|---|",
        f"| district id, name | fields `{o.id_field}`, `{o.name_field or o.id_field}` | "
        "boundary file |",
        f"| district point | {'`' + o.points.name + '`' if o.points else 'point_on_surface'} | "
        "shapely: a point inside each polygon |",
        "| area_km2 | WGS 84 ellipsoid | pyproj Geod.geometry_area_perimeter |",
        f"| adjacency | boundaries within {o.adjacency_tolerance_m:g} m for ≥ {o.min_shared_m:g} m"
        " | ASSUMPTION: bridges digitising slivers, excludes corner contacts (docs/region.md) |",
        f"| border flag | polygon within {o.border_tolerance_m:g} m of the border line | "
        + (f"`{o.border.name}`" if o.border else "no --border given: every flag is false")
        + " |",
        f"| code → sector | {mapping} | NACE Rev. 2 divisions (OKVED2 agrees to the division);"
        " other divisions → `other` |",
        f"| activity basis | `{o.activity_basis}` (unless the file has a basis column) | "
        "TODO: say what the figures are (employment or output), their unit and year |",
        f"| cluster catalogue | {catalogue} | judgement |",
    ]
    lines += _travel_rows(build)
    lines += [
        "",
        "## TODO",
        "",
        "- Licence and attribution of the boundary file (e.g. ODbL for OpenStreetMap data).",
        "- The statistic behind the activity table: publisher, table name, year, unit.",
        "- Population: publisher and year (districts.csv `population_year`).",
        "- Exports: no exports.csv is written, so the export term of every run is 0.",
        "",
    ]
    return "\n".join(lines)


def _travel_rows(build: RegionBuild) -> list[str]:
    o = build.options
    if build.mode == "od":
        assert o.od is not None
        return [f"| travel times | `{o.od.name}` (OD matrix), pruned to the links no route "
                "through a third district matches | user input |"]  # fmt: skip
    if build.mode == "graph":
        assert o.graph is not None
        return [
            f"| travel times | routed on `{o.graph.name}` (Dijkstra, undirected) | user input |",
            "| edge time | travel_time, else length ÷ speed_kph, else ÷ the speed of its kind | "
            "OSRM car profile speeds (below) |",
            _speed_row(o.speeds),
        ]
    rows = [
        "| travel times | great circle × detour ÷ speed of the link's kind, neighbour pairs"
        + (f" and the pairs of `{o.road_kinds.name}`" if o.road_kinds else "")
        + " | formula |",
        f"| detour factor | {o.detour:g} | Wang, Bette, Schreckenberg & Guhr (2024), npj "
        "Complexity 1:22 (1.3 ± 0.1); Ballou, Rahardja & Sakai (2002), Transp. Res. A 36(9) |",
        _speed_row(o.speeds),
        f"| kind of a neighbour link | `{o.default_kind}` unless listed | ASSUMPTION |",
        f"| Earth radius | {travel.EARTH_RADIUS_KM:g} km | "
        "IUGG mean radius 6371.0088 km, rounded |",
    ]
    if build.bridges:
        rows.append(f"| bridge links | {len(build.bridges)} (parts with no shared boundary) | "
                    "ASSUMPTION: great circle, kind local |")  # fmt: skip
    return rows


def _speed_row(speeds: dict[str, float]) -> str:
    text = ", ".join(f"{k} {v:g}" for k, v in speeds.items())
    return (f"| speeds, km/h | {text} | OSRM default car profile (trunk 85, secondary 55, "
            "tertiary 40); kind → class mapping is an ASSUMPTION |")  # fmt: skip


def _listed(ids: list[str], limit: int = 10) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def build_notes(build: RegionBuild) -> list[str]:
    """What the build found that a user should look at (one line each)."""
    notes = [
        f"{build.activity.lines} activity lines read into {len(build.activity.rows)} "
        "district/sector/basis rows"
    ]
    if build.activity.unmapped_codes:
        divisions = ", ".join(sorted(build.activity.unmapped_codes))
        notes.append(f"divisions mapped to `other` (not in the mapping): {divisions}")
    with_activity = {d for (d, _, _), v in build.activity.rows.items() if v > 0}
    missing = [u.id for u in build.units if u.id not in with_activity]
    if missing:
        notes.append(f"districts with no activity ({len(missing)}): {_listed(missing)}")
    no_pop = [u.id for u in build.units if u.id not in build.population]
    if no_pop:
        notes.append(f"districts without population ({len(no_pop)}): {_listed(no_pop)}")
    touching = {p.a for p in build.adjacency} | {p.b for p in build.adjacency}
    isolated = [u.id for u in build.units if u.id not in touching]
    if isolated and len(build.units) > 1:
        notes.append(f"districts with no neighbour by shared boundary: {_listed(isolated)}")
    for lk in build.bridges:
        notes.append(f"bridge link {lk.a}–{lk.b}: {lk.minutes:.1f} min (assumed, great circle)")
    if build.snap_km:
        worst = max(build.snap_km, key=lambda d: build.snap_km[d])
        notes.append(
            f"graph: {build.graph_size[0]} nodes, {build.graph_size[1]} edges; farthest snap "
            f"{build.snap_km[worst]:.2f} km ({worst})"
        )
    estimated = [k for k in build.activity.rows if is_estimate(k[2])]
    if estimated:
        notes.append(f"{len(estimated)} activity rows rest on estimates (their basis)")
    return notes


def validation_md(build: RegionBuild, summary: list[str]) -> str:
    """The build's own findings, then the summary ``region check`` prints."""
    notes = [f"- {note}" for note in build_notes(build)]
    lines = ["# Validation summary", "", "## Build", "", *notes, ""]
    return "\n".join([*lines, "## Region check", "", "```", *summary, "```", ""])
