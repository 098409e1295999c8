"""Synthetic regions of any size, in the data format of docs/model.md §3, for benchmarks and tests.

``generate_region(folder, districts, seed)`` writes a region that the loader accepts and
``run`` solves through a scenario's ``region:`` key. The same arguments give the same files
byte for byte on every platform: every draw comes from Python's ``random.Random(seed)`` (whose
``random()`` stream is fixed across Python versions), numbers are written with a fixed number
of decimals, and nothing depends on the clock or on set or dict ordering.

Layout (the numbers echo Smolensk Oblast: 27 units over about 50,000 km²):

- districts sit on a jittered grid about 43 km apart (one row and column per ``√n``), the
  westernmost column being the state border; ids ``d0001``…;
- roads join grid neighbours (so the graph is connected) plus some diagonals; road kinds are
  ``federal`` along an east–west and a north–south corridor (one more pair of corridors per
  ~10 rows or columns), ``regional`` next to a centre or at random, ``local`` otherwise;
  minutes are straight-line km × 1.3 (circuity) at 85 / 55 / 40 km/h, as in the Smolensk data;
- a few specialised centres (one per ~25 districts, at least two) hold large populations and
  activity several times the usual in one or two sectors, with export shares;
- crossings lie in about every third border district, road or rail;
- ``clusters.yaml`` has ``types`` cluster types over ``sectors`` sectors (weights 0.75 / 0.25,
  exact in binary floating point), about a third ``cross_border``, a quarter
  ``needs_corridor``, each cooperating with its neighbour in the list and sometimes another.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Sequence
from pathlib import Path

from model.errors import InputError
from model.staging import staged_folder

GENERATOR_VERSION = 1
SPACING_KM = 43.0  # Smolensk: ~1,850 km² per district
MIN_SPACING_KM, MAX_SPACING_KM = 1.0, 500.0
CIRCUITY = 1.3
SPEED_KMH = {"federal": 85.0, "regional": 55.0, "local": 40.0}
MAX_LATITUDE_SPAN = 60.0  # degrees; beyond this the map coordinates are compressed
MIN_DISTRICTS, MAX_DISTRICTS = 2, 200_000
MAX_TYPES, MAX_SECTORS = 99, 99
COOPERATION_LEVELS = (0.3, 0.5, 0.8)
COOPERATION_ODDS = 0.2  # beyond the chain k01-k02-…, each pair cooperates with this odds


def generate_region(
    folder: Path,
    districts: int,
    seed: int,
    *,
    types: int = 6,
    sectors: int = 11,
    overwrite: bool = False,
    spacing_km: float = SPACING_KM,
) -> Path:
    """Write a synthetic region of ``districts`` units into ``folder``; return the folder.

    The folder is written complete or not at all (a temporary sibling renamed into place). An
    existing non-empty folder is refused unless ``overwrite``. ``spacing_km`` sets the density:
    closer districts give more member arcs and cooperating pairs per core (20 km gives about
    150,000 columns at 1,000 districts and 6 types, the size first measured for the solver
    hand-off).
    """
    folder = Path(folder)
    files = region_files(districts, seed, types=types, sectors=sectors, spacing_km=spacing_km)
    with staged_folder(folder, force=overwrite) as staging:
        for name, text in files.items():
            (staging / name).write_bytes(text.encode("utf-8"))
    return folder


def _check_sizes(districts: int, seed: int, types: int, sectors: int) -> None:
    if not MIN_DISTRICTS <= districts <= MAX_DISTRICTS:
        raise InputError(
            None, "districts", f"expected {MIN_DISTRICTS}..{MAX_DISTRICTS}, got {districts}"
        )
    if seed < 0:
        raise InputError(None, "seed", f"expected an integer ≥ 0, got {seed}")
    if not 1 <= types <= MAX_TYPES:
        raise InputError(None, "types", f"expected 1..{MAX_TYPES}, got {types}")
    if not 2 <= sectors <= MAX_SECTORS:
        raise InputError(None, "sectors", f"expected 2..{MAX_SECTORS}, got {sectors}")


def region_files(
    districts: int,
    seed: int,
    *,
    types: int = 6,
    sectors: int = 11,
    spacing_km: float = SPACING_KM,
) -> dict[str, str]:
    """The region's files as text, by file name (what ``generate_region`` writes)."""
    _check_sizes(districts, seed, types, sectors)
    if not MIN_SPACING_KM <= spacing_km <= MAX_SPACING_KM:
        raise InputError(
            None, "spacing_km", f"expected {MIN_SPACING_KM:g}..{MAX_SPACING_KM:g}, got {spacing_km}"
        )
    rng = random.Random(seed)
    grid = _Grid(districts, rng, spacing_km)
    sector_ids = [f"s{n + 1:02d}" for n in range(sectors)]
    centres = _centres(grid, rng)
    specialities = {c: rng.sample(sector_ids, 1 if rng.random() < 0.5 else 2) for c in centres}
    population = _population(grid, centres, rng)
    roads = _roads(grid, centres, rng)
    crossings = _crossings(grid, rng)
    return {
        "districts.csv": _districts_csv(grid, population),
        "activity.csv": _activity_csv(grid, population, sector_ids, specialities, rng),
        "exports.csv": _exports_csv(grid, sector_ids, specialities, rng),
        "roads.csv": _csv(["a", "b", "minutes", "kind"], roads),
        "crossings.csv": _csv(["id", "name", "district", "mode"], crossings),
        "clusters.yaml": _clusters_yaml(types, sector_ids, rng),
        "SOURCES.md": _sources(districts, seed, types, sectors, spacing_km),
    }


class _Grid:
    """District positions (km) on a jittered grid, row-major from the north-west corner."""

    def __init__(self, n: int, rng: random.Random, spacing_km: float) -> None:
        self.n = n
        self.spacing = spacing_km
        self.cols = max(1, math.ceil(math.sqrt(n)))
        self.rows = math.ceil(n / self.cols)
        width = len(str(n))
        self.ids = [f"d{idx + 1:0{max(4, width)}d}" for idx in range(n)]
        self.x: list[float] = []
        self.y: list[float] = []
        for idx in range(n):
            row, col = divmod(idx, self.cols)
            self.x.append((col + rng.uniform(-0.3, 0.3)) * spacing_km)
            self.y.append((row + rng.uniform(-0.3, 0.3)) * spacing_km)

    def index(self, row: int, col: int) -> int | None:
        idx = row * self.cols + col
        return idx if 0 <= row < self.rows and 0 <= col < self.cols and idx < self.n else None

    def cell(self, idx: int) -> tuple[int, int]:
        row, col = divmod(idx, self.cols)
        return row, col

    def km(self, a: int, b: int) -> float:
        return math.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])


def _centres(grid: _Grid, rng: random.Random) -> list[int]:
    count = min(grid.n, max(2, grid.n // 25))
    return sorted(rng.sample(range(grid.n), count))


def _population(grid: _Grid, centres: list[int], rng: random.Random) -> list[int]:
    people = [int(8000 * math.exp(rng.gauss(0.0, 0.6))) + 2000 for _ in range(grid.n)]
    for c in centres:
        people[c] = int(people[c] * rng.uniform(4.0, 12.0))
    return people


def _corridor_lines(count: int) -> set[int]:
    """The middle line plus one more every ~10 lines for large grids."""
    lines = {count // 2}
    lines.update(range(count // 2 % 10, count, 10) if count > 15 else ())
    return lines


def _roads(grid: _Grid, centres: list[int], rng: random.Random) -> list[list[object]]:
    federal_rows = _corridor_lines(grid.rows)
    federal_cols = _corridor_lines(grid.cols)
    centre_set = set(centres)
    links: list[list[object]] = []
    for idx in range(grid.n):
        row, col = grid.cell(idx)
        neighbours = [(grid.index(row, col + 1), "row"), (grid.index(row + 1, col), "col")]
        if rng.random() < 0.3:
            neighbours.append((grid.index(row + 1, col + 1), "diag"))
        if rng.random() < 0.2:
            neighbours.append((grid.index(row + 1, col - 1), "diag"))
        for other, direction in neighbours:
            if other is None:
                continue
            if (direction == "row" and row in federal_rows) or (
                direction == "col" and col in federal_cols
            ):
                kind = "federal"
            elif idx in centre_set or other in centre_set or rng.random() < 0.3:
                kind = "regional"
            else:
                kind = "local"
            minutes = max(1.0, grid.km(idx, other) * CIRCUITY / SPEED_KMH[kind] * 60.0)
            links.append([grid.ids[idx], grid.ids[other], f"{minutes:.1f}", kind])
    if grid.n > 1 and not links:  # pragma: no cover - a grid of n ≥ 2 always has a link
        raise AssertionError("generated road graph has no links")
    return links


def _crossings(grid: _Grid, rng: random.Random) -> list[list[object]]:
    west = [grid.index(row, 0) for row in range(grid.rows)]
    border = [idx for idx in west if idx is not None]
    chosen = border[rng.randrange(min(3, len(border))) :: 3] or border[:1]
    return [
        [
            f"x{n + 1:03d}",
            f"Crossing {n + 1}",
            grid.ids[idx],
            "rail" if rng.random() < 0.25 else "road",
        ]
        for n, idx in enumerate(chosen)
    ]


def _latlon(grid: _Grid, idx: int) -> tuple[float, float]:
    span = grid.rows * grid.spacing / 111.0
    squeeze = min(1.0, MAX_LATITUDE_SPAN / span) if span > 0 else 1.0
    lat = 56.0 - grid.y[idx] / 111.0 * squeeze
    lon = 30.0 + grid.x[idx] / (111.0 * math.cos(math.radians(54.0))) * squeeze
    return lat, min(lon, 180.0)


def _districts_csv(grid: _Grid, population: list[int]) -> str:
    rows = []
    for idx, district in enumerate(grid.ids):
        lat, lon = _latlon(grid, idx)
        rows.append(
            [
                district,
                f"District {idx + 1}",
                f"Район {idx + 1}",
                f"{lat:.4f}",
                f"{lon:.4f}",
                population[idx],
                f"{grid.spacing * grid.spacing:.1f}",
                "true" if grid.cell(idx)[1] == 0 else "false",
            ]
        )
    header = ["id", "name", "name_local", "lat", "lon", "population", "area_km2", "border"]
    return _csv(header, rows)


def _activity_csv(
    grid: _Grid,
    population: list[int],
    sector_ids: list[str],
    specialities: dict[int, list[str]],
    rng: random.Random,
) -> str:
    base = [rng.uniform(0.3, 1.0) for _ in sector_ids]
    total = sum(base)
    rows = []
    for idx, district in enumerate(grid.ids):
        special = specialities.get(idx, [])
        for share, sector in zip(base, sector_ids, strict=True):
            if rng.random() < 0.15 and sector not in special:
                value = 0.0
            else:
                value = population[idx] / 100.0 * share / total * math.exp(rng.gauss(0.0, 0.7))
                if sector in special:
                    value *= rng.uniform(5.0, 15.0)
            rows.append([district, sector, f"{value:.1f}"])
    return _csv(["district", "sector", "value"], rows)


def _exports_csv(
    grid: _Grid, sector_ids: list[str], specialities: dict[int, list[str]], rng: random.Random
) -> str:
    rows = []
    for idx, district in enumerate(grid.ids):
        special = specialities.get(idx, [])
        for sector in sector_ids:
            if sector in special:
                share = rng.uniform(0.2, 0.6)
            elif rng.random() < 0.05:
                share = rng.uniform(0.01, 0.2)
            else:
                continue
            rows.append([district, sector, f"{share:.4f}"])
    return _csv(["district", "sector", "share"], rows)


def _clusters_yaml(types: int, sector_ids: list[str], rng: random.Random) -> str:
    type_ids = [f"k{n + 1:02d}" for n in range(types)]
    cooperation: dict[str, dict[str, float]] = {k: {} for k in type_ids}

    def link(a: str, b: str) -> None:
        intensity = COOPERATION_LEVELS[rng.randrange(len(COOPERATION_LEVELS))]
        cooperation[a][b] = cooperation[b][a] = intensity

    for n in range(types - 1):
        link(type_ids[n], type_ids[n + 1])
    for n in range(types):
        for other in type_ids[n + 2 :]:
            if rng.random() < COOPERATION_ODDS:
                link(type_ids[n], other)
    lines = [
        f"# Synthetic cluster catalogue ({types} types over {len(sector_ids)} sectors); "
        "format: docs/model.md §3.",
        "",
    ]
    for n, k in enumerate(type_ids):
        main = sector_ids[n % len(sector_ids)]
        second = sector_ids[(3 * n + 1) % len(sector_ids)]
        if second == main:
            second = sector_ids[(n + 1) % len(sector_ids)]
        coop = ", ".join(f"{other}: {value}" for other, value in sorted(cooperation[k].items()))
        lines += [
            f"{k}:",
            f"  name: Cluster type {n + 1}",
            f"  sectors: {{{main}: 0.75, {second}: 0.25}}",
            f"  cross_border: {'true' if n % 3 == 1 else 'false'}",
            f"  needs_corridor: {'true' if n % 4 == 2 else 'false'}",
            f"  cooperation: {{{coop}}}",
            "",
        ]
    return "\n".join(lines)


def _sources(districts: int, seed: int, types: int, sectors: int, spacing_km: float) -> str:
    spacing = "" if spacing_km == SPACING_KM else f" --spacing-km {spacing_km:g}"
    return (
        "# Synthetic region\n\n"
        f"Generated by clustersite's `model/generate.py` (generator version {GENERATOR_VERSION}): "
        f"`python run.py generate --districts {districts} --seed {seed} --types {types} "
        f"--sectors {sectors}{spacing}`.\n"
        "No figure describes a real place; every value is a seeded random draw.\n"
    )


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
