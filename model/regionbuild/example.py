"""The input files of the worked example: *Exampleshire*, a FICTIONAL region.

``run.py region example DIR`` writes what a planner would get from a statistics office:
a GeoPackage of district polygons, an employment table by district and NACE Rev. 2 code, a
population table, a border-crossing table with coordinates, the state border as a line and a
road classification. Every figure is invented by a seeded random generator, so that the
example runs anywhere with no download, and every activity row is marked ``assumed`` when
``region init`` reads it with ``--activity-basis assumed``. The region sits near 0° N 0° E,
in the Gulf of Guinea, so that no map shows it on land or mistakes it for a real place.

Geometry: nine districts, the Voronoi cells of a jittered 3 × 3 grid of seed points, clipped
to a 1.5° × 1.0° rectangle; the state border is its western edge (x = 0); the "motorway"
(federal) runs along the middle row of districts.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

from model.regionbuild.geo import require_geo
from model.staging import staged_folder

SEED = 17
WIDTH, HEIGHT = 1.5, 1.0  # degrees
NAMES = [
    "Ashford",
    "Birchley",
    "Cedarton",
    "Dunmore",
    "Elmstead",
    "Fernbury",
    "Gorseway",
    "Hazelby",
    "Ivydale",
]
# divisions with the employment range a district may hold of each (fictional)
DIVISIONS = {
    "10": (200, 3000),
    "16": (50, 1500),
    "20": (0, 800),
    "22": (0, 600),
    "23": (0, 700),
    "25": (0, 900),
    "28": (0, 1200),
    "14": (0, 400),
    "47": (500, 4000),
}
FILES = (
    "districts.gpkg",
    "employment.csv",
    "population.csv",
    "crossings.csv",
    "border.geojson",
    "road_kinds.csv",
    "README.md",
)


def _cells(rng: random.Random) -> list[tuple[str, str, Any]]:
    shapely = require_geo()["shapely"]
    seeds = []
    for row in range(3):
        for col in range(3):
            x = (col + 0.5 + rng.uniform(-0.25, 0.25)) * WIDTH / 3
            y = (row + 0.5 + rng.uniform(-0.25, 0.25)) * HEIGHT / 3
            seeds.append(shapely.Point(x, y))
    frame = shapely.box(0.0, 0.0, WIDTH, HEIGHT)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=frame)
    out = []
    for n, seed in enumerate(seeds):
        cell = next(c for c in cells.geoms if c.contains(seed))
        out.append((f"X{n + 1:02d}", NAMES[n], cell.intersection(frame)))
    return out


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_example(folder: Path) -> list[Path]:
    """Write the example inputs into ``folder`` (new or empty, never overwritten: the files go
    to a staging folder that becomes ``folder`` when complete); returns the files."""
    require_geo()
    with staged_folder(folder) as staging:
        _write(staging)
    return [folder / name for name in FILES]


def _write(folder: Path) -> None:
    mods = require_geo()
    shapely, pyogrio = mods["shapely"], mods["pyogrio"]
    rng = random.Random(SEED)
    cells = _cells(rng)
    import numpy as np

    pyogrio.raw.write(
        folder / "districts.gpkg",
        geometry=np.array([shapely.to_wkb(g) for _, _, g in cells], dtype=object),
        field_data=[np.array([c for c, _, _ in cells]), np.array([n for _, n, _ in cells])],
        fields=["code", "name"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="GPKG",
    )
    employment = []
    for code, _, _ in cells:
        for division, (lo, hi) in DIVISIONS.items():
            value = rng.randint(lo, hi) if rng.random() < 0.8 else 0
            if value:
                employment.append([code, f"C{division}" if division != "47" else "G47", value])
    _csv(
        folder / "employment.csv",
        ["district", "code", "value", "year"],
        [[*r, 2024] for r in employment],
    )
    _csv(
        folder / "population.csv",
        ["district", "population", "year"],
        [[c, rng.randint(8_000, 120_000), 2024] for c, _, _ in cells],
    )
    west = [c for c in cells if c[2].bounds[0] <= 1e-9]
    crossing = west[len(west) // 2][2].representative_point()
    _csv(
        folder / "crossings.csv",
        ["id", "name", "mode", "lat", "lon"],
        [["west_gate", "West Gate", "road", round(crossing.y, 4), round(crossing.x, 4)]],
    )
    line = {"type": "LineString", "coordinates": [[0.0, 0.0], [0.0, HEIGHT]]}
    (folder / "border.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": "state border"}, "geometry": line}
                ],
            }
        )
        + "\n"
    )
    middle = [c for c, _, _ in cells[3:6]]
    _csv(
        folder / "road_kinds.csv",
        ["origin", "destination", "kind"],
        [[middle[0], middle[1], "federal"], [middle[1], middle[2], "federal"]],
    )
    (folder / "README.md").write_text(
        "# Exampleshire: FICTIONAL inputs of the clustersite worked example\n\n"
        "Written by `run.py region example` (model/regionbuild/example.py, seed "
        f"{SEED}). Every polygon and number here is invented; the region lies in the sea near "
        "0° N 0° E. Use it to learn the commands, never to quote a result.\n",
        encoding="utf-8",
    )
