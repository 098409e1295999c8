"""Load and validate a region folder (docs/model.md §3).

A region folder holds ``districts.csv``, ``activity.csv``, ``roads.csv`` and ``clusters.yaml``
(required) and ``exports.csv``, ``crossings.csv``, ``boundaries.geojson`` (optional: no exports,
no crossings, maps fall back to points). Every problem is an :class:`InputError` naming the file,
the line and the column, raised before anything is solved or written.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from model.basis import BASES, UNSTATED
from model.errors import InputError
from model.tables import (
    CsvRow,
    iter_known,
    load_yaml,
    parse_bool,
    parse_float,
    read_csv_rows,
    require_text,
)

MAX_ACTIVITY_TOTAL = 1e15  # any sum of activity values (column, district, sector) stays below
REQUIRED_FILES = ("districts.csv", "activity.csv", "roads.csv", "clusters.yaml")
OPTIONAL_FILES = ("exports.csv", "crossings.csv", "boundaries.geojson", "border_line.geojson")
ROAD_KINDS = ("federal", "regional", "local")
WEIGHT_SUM_TOLERANCE = 1e-6
ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")

# Regions shipped with the project live in data/ next to the packages.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class ClusterType:
    """One candidate cluster type of the catalogue (clusters.yaml)."""

    id: str
    name: str
    sectors: dict[str, float]
    cross_border: bool
    needs_corridor: bool
    cooperation: dict[str, float]


@dataclass(frozen=True)
class Region:
    """A validated region: tables indexed by district id, the cluster catalogue, file hashes."""

    path: Path
    districts: pd.DataFrame  # index id; columns name, name_local, lat, lon, population, ...
    activity: pd.DataFrame  # columns district, sector, value, basis, year, note
    exports: pd.DataFrame  # columns district, sector, share, basis, year, note
    roads: pd.DataFrame  # columns a, b, minutes, kind
    crossings: pd.DataFrame  # columns id, name, district, mode
    clusters: dict[str, ClusterType]
    file_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def district_ids(self) -> list[str]:
        return list(self.districts.index)

    @property
    def boundaries_path(self) -> Path | None:
        path = self.path / "boundaries.geojson"
        return path if path.is_file() else None


def is_shipped(ref: str) -> bool:
    """True when ``ref`` names a region shipped in data/ (a bare name, not a path)."""
    return "/" not in ref and "\\" not in ref and (DATA_DIR / ref).is_dir()


def resolve_region_path(ref: str, base_dir: Path | None = None) -> Path:
    """Turn a scenario's ``region:`` value into a folder.

    A bare name (no path separator) that exists under ``data/`` is a shipped region; anything
    else is a path, relative paths resolving against ``base_dir`` (the scenario file's folder).
    """
    if is_shipped(ref):
        return DATA_DIR / ref
    candidate = Path(ref).expanduser()
    if not candidate.is_absolute():
        candidate = (base_dir or Path.cwd()) / candidate
    return candidate


def load_region(path: Path | str) -> Region:
    """Read and validate every file of a region folder."""
    folder = Path(path)
    if folder.is_symlink() and not folder.exists():
        raise InputError(folder, None, "broken symbolic link or a loop of links")
    if not folder.exists():
        raise InputError(folder, None, "region folder not found")
    if not folder.is_dir():
        raise InputError(folder, None, "region path is not a folder")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise InputError(folder, None, f"not a region folder: missing {', '.join(missing)}")

    districts = _load_districts(folder / "districts.csv")
    known = set(districts.index)
    activity = _load_activity(folder / "activity.csv", known)
    exports = _load_exports(folder / "exports.csv", known)
    roads = _load_roads(folder / "roads.csv", known)
    crossings = _load_crossings(folder / "crossings.csv", known)
    clusters = _load_clusters(folder / "clusters.yaml")
    hashes = {
        name: _sha256(folder / name)
        for name in (*REQUIRED_FILES, *OPTIONAL_FILES)
        if (folder / name).is_file()
    }
    return Region(folder, districts, activity, exports, roads, crossings, clusters, hashes)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_id(path: Path, row: CsvRow, column: str) -> str:
    value = require_text(path, row, column)
    if not ID_PATTERN.match(value):
        raise InputError(
            path,
            f"line {row.line}, column {column}",
            f"id {value!r} must use letters, digits, '_', '-' or '.' only",
        )
    return value


def _load_districts(path: Path) -> pd.DataFrame:
    _, rows = read_csv_rows(path, ["id", "name", "lat", "lon", "border"])
    if not rows:
        raise InputError(path, None, "no districts")
    records: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for row in rows:
        district_id = _check_id(path, row, "id")
        if district_id in first_line:
            raise InputError(
                path,
                f"line {row.line}, column id",
                f"duplicate id {district_id!r} (first on line {first_line[district_id]})",
            )
        first_line[district_id] = row.line
        record: dict[str, Any] = {
            "id": district_id,
            "name": require_text(path, row, "name"),
            "name_local": row.values.get("name_local", ""),
            "lat": parse_float(path, row, "lat", minimum=-90, maximum=90),
            "lon": parse_float(path, row, "lon", minimum=-180, maximum=180),
            "border": parse_bool(path, row, "border"),
        }
        for column in ("population", "area_km2"):
            raw = row.values.get(column, "")
            record[column] = parse_float(path, row, column, minimum=0) if raw else math.nan
        records.append(record)
    return pd.DataFrame.from_records(records).set_index("id")


ACTIVITY_COLUMNS = ["district", "sector", "value", "basis", "year", "note"]
EXPORT_COLUMNS = ["district", "sector", "share", "basis", "year", "note"]
YEAR_RANGE = (1900, 2100)
MAX_NOTE_CHARS = 500


def _provenance(path: Path, row: CsvRow) -> dict[str, Any]:
    """The optional basis, year and note cells of an activity or export row."""
    basis = row.values.get("basis", "") or UNSTATED
    if basis not in BASES:
        raise InputError(
            path,
            f"line {row.line}, column basis",
            f"unknown basis {basis!r}; expected one of {', '.join(BASES)}",
        )
    raw_year = row.values.get("year", "")
    year: float = math.nan
    if raw_year:
        lo, hi = YEAR_RANGE
        if not raw_year.isdigit() or not lo <= int(raw_year) <= hi:
            raise InputError(
                path,
                f"line {row.line}, column year",
                f"expected a year {lo}-{hi}, got {raw_year!r}",
            )
        year = float(raw_year)
    note = row.values.get("note", "")
    if len(note) > MAX_NOTE_CHARS:
        raise InputError(
            path, f"line {row.line}, column note", f"longer than {MAX_NOTE_CHARS} characters"
        )
    return {"basis": basis, "year": year, "note": note}


def _keyed_rows(path: Path, rows: list[CsvRow]) -> None:
    """One row per (district, sector, basis): a pair may hold one row per basis."""
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = (
            row.values["district"],
            row.values["sector"],
            row.values.get("basis", "") or UNSTATED,
        )
        if key in seen:
            what = "district/sector pair" + (f" with basis {key[2]}" if key[2] != UNSTATED else "")
            raise InputError(
                path,
                f"line {row.line}",
                f"duplicate {what} {key[0]}/{key[1]} (first on line {seen[key]})",
            )
        seen[key] = row.line


def _load_activity(path: Path, known: set[str]) -> pd.DataFrame:
    _, rows = read_csv_rows(path, ["district", "sector", "value"])
    records: list[dict[str, Any]] = []
    for row, district in iter_known(path, rows, "district", known, "district"):
        sector = require_text(path, row, "sector")
        value = parse_float(path, row, "value", minimum=0)
        records.append(
            {"district": district, "sector": sector, "value": value, **_provenance(path, row)}
        )
    _keyed_rows(path, rows)
    if not any(r["value"] > 0 for r in records):
        raise InputError(path, "column value", "at least one value must be positive")
    _check_totals(path, records)
    return pd.DataFrame.from_records(records, columns=ACTIVITY_COLUMNS).astype(
        {"value": float, "year": float}
    )


def _check_totals(path: Path, records: list[dict[str, Any]]) -> None:
    """Refuse activity whose sums leave the range the quotients are computed in.

    The location quotients divide a pair's value by its district's, its sector's and the whole
    column's total; a total past MAX_ACTIVITY_TOTAL (or one that overflows to infinity) would
    turn every quotient into 0 and a run into nonsense reported as optimal.
    """
    limit = f"the limit is {MAX_ACTIVITY_TOTAL:.0e} (totals must stay finite)"
    for key, label in (("district", "district"), ("sector", "sector")):
        groups: dict[str, list[float]] = {}
        for record in records:
            groups.setdefault(record[key], []).append(record["value"])
        for name, values in groups.items():
            total = _fsum(values)
            if not math.isfinite(total) or total > MAX_ACTIVITY_TOTAL:
                raise InputError(
                    path,
                    "column value",
                    f"the values of {label} '{name}' sum to {total:.4g}; {limit}",
                )
    total = _fsum([r["value"] for r in records])
    if not math.isfinite(total) or total > MAX_ACTIVITY_TOTAL:
        raise InputError(path, "column value", f"the values sum to {total:.4g}; {limit}")


def _fsum(values: list[float]) -> float:
    """math.fsum, infinity where it overflows (fsum raises on an intermediate overflow)."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def _load_exports(path: Path, known: set[str]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=EXPORT_COLUMNS).astype({"share": float, "year": float})
    _, rows = read_csv_rows(path, ["district", "sector", "share"])
    records = []
    for row, district in iter_known(path, rows, "district", known, "district"):
        sector = require_text(path, row, "sector")
        share = parse_float(path, row, "share", minimum=0, maximum=1)
        records.append(
            {"district": district, "sector": sector, "share": share, **_provenance(path, row)}
        )
    _keyed_rows(path, rows)
    frame = pd.DataFrame.from_records(records, columns=EXPORT_COLUMNS).astype(
        {"share": float, "year": float}
    )
    totals = frame.groupby(["district", "sector"])["share"].sum()
    over = totals[totals > 1 + 1e-9]
    if not over.empty:
        pair, total = next(iter(over.items()))
        district, sector = pair  # type: ignore[misc]
        raise InputError(
            path, "column share", f"shares of {district}/{sector} add up to {total:g}, above 1"
        )
    return frame


def _load_roads(path: Path, known: set[str]) -> pd.DataFrame:
    columns = ["a", "b", "minutes", "kind"]
    _, rows = read_csv_rows(path, columns)
    records = []
    for row in rows:
        ends = []
        for column in ("a", "b"):
            value = require_text(path, row, column)
            if value not in known:
                raise InputError(
                    path, f"line {row.line}, column {column}", f"unknown district {value!r}"
                )
            ends.append(value)
        if ends[0] == ends[1]:
            raise InputError(path, f"line {row.line}", f"link from {ends[0]!r} to itself")
        minutes = parse_float(path, row, "minutes", strictly_positive=True)
        kind = require_text(path, row, "kind")
        if kind not in ROAD_KINDS:
            raise InputError(
                path,
                f"line {row.line}, column kind",
                f"expected one of {', '.join(ROAD_KINDS)}, got {kind!r}",
            )
        records.append({"a": ends[0], "b": ends[1], "minutes": minutes, "kind": kind})
    roads = pd.DataFrame.from_records(records, columns=columns).astype({"minutes": float})
    parts = _road_components(sorted(known), roads)
    if len(parts) > 1:
        cut_off = parts[0]
        shown = ", ".join(cut_off[:5]) + (" ..." if len(cut_off) > 5 else "")
        raise InputError(
            path,
            None,
            f"road graph is not connected: {len(parts)} parts; the smallest holds {shown}",
        )
    return roads


def _road_components(districts: list[str], roads: pd.DataFrame) -> list[list[str]]:
    """The connected parts of the road graph, smallest first, each sorted.

    scipy's connected_components rather than networkx: the same answer, and scipy is loaded
    anyway for the travel times, while importing networkx would add 0.1 s to every run.
    """
    position = {d: n for n, d in enumerate(districts)}
    rows = [position[a] for a in roads["a"]]
    cols = [position[b] for b in roads["b"]]
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(districts), len(districts)))
    count, labels = connected_components(graph, directed=False)
    parts: list[list[str]] = [[] for _ in range(count)]
    for district, label in zip(districts, labels, strict=True):
        parts[label].append(district)
    return sorted(parts, key=len)


def _load_crossings(path: Path, known: set[str]) -> pd.DataFrame:
    columns = ["id", "name", "district", "mode"]
    if not path.exists():
        return pd.DataFrame(columns=columns)
    _, rows = read_csv_rows(path, columns)
    records = []
    seen: dict[str, int] = {}
    for row, district in iter_known(path, rows, "district", known, "district"):
        crossing_id = _check_id(path, row, "id")
        if crossing_id in seen:
            raise InputError(
                path,
                f"line {row.line}, column id",
                f"duplicate id {crossing_id!r} (first on line {seen[crossing_id]})",
            )
        seen[crossing_id] = row.line
        records.append(
            {
                "id": crossing_id,
                "name": row.values["name"] or crossing_id,
                "district": district,
                "mode": require_text(path, row, "mode"),
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def _as_mapping(path: Path, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        raise InputError(path, where, "is empty; expected a mapping of keys")
    if not isinstance(value, dict):
        raise InputError(path, where, f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            # YAML reads 01 as 1 and 10.10 as 10.1: the spelling is lost, so refuse the key
            raise InputError(
                path, f"{where}.{key}", f"key {key!r} is read as a number; quote it ('{key}')"
            )
    return dict(value)


def _as_number(path: Path, where: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, where, f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < lo or number > hi:
        raise InputError(path, where, f"expected a number in [{lo:g}, {hi:g}], got {value!r}")
    return number


def _as_bool(path: Path, where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, where, f"expected true or false, got {value!r}")
    return value


CLUSTER_KEYS = {"name", "sectors", "cross_border", "needs_corridor", "cooperation", "description"}


def _load_clusters(path: Path) -> dict[str, ClusterType]:
    data = load_yaml(path)
    if isinstance(data, dict) and set(data) == {"clusters"}:
        data = data["clusters"]  # also accept the catalogue nested under one `clusters:` key
    catalogue = _as_mapping(path, "top level", data)
    if not catalogue:
        raise InputError(path, None, "the catalogue holds no cluster types")
    raw_types: dict[str, dict[str, Any]] = {}
    for type_id, spec in catalogue.items():
        if not ID_PATTERN.match(type_id):
            raise InputError(path, type_id, "cluster id must use letters, digits, '_', '-', '.'")
        raw_types[type_id] = _as_mapping(path, type_id, spec)
    clusters: dict[str, ClusterType] = {}
    for type_id, spec in raw_types.items():
        unknown = sorted(set(spec) - CLUSTER_KEYS)
        if unknown:
            raise InputError(
                path,
                f"{type_id}.{unknown[0]}",
                f"unknown key; expected one of {', '.join(sorted(CLUSTER_KEYS))}",
            )
        if "sectors" not in spec:
            raise InputError(path, f"{type_id}.sectors", "missing (sector weights summing to 1)")
        sectors = {
            sector: _as_number(path, f"{type_id}.sectors.{sector}", weight, 0.0, 1.0)
            for sector, weight in _as_mapping(path, f"{type_id}.sectors", spec["sectors"]).items()
        }
        total = sum(sectors.values())
        if not sectors or abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            raise InputError(
                path, f"{type_id}.sectors", f"weights must sum to 1, they sum to {total:.6g}"
            )
        cooperation = {}
        for other, intensity in _as_mapping(
            path, f"{type_id}.cooperation", spec.get("cooperation") or {}
        ).items():
            where = f"{type_id}.cooperation.{other}"
            if other not in raw_types:
                raise InputError(path, where, f"unknown cluster type {other!r}")
            if other == type_id:
                raise InputError(path, where, "a type cannot cooperate with itself")
            cooperation[other] = _as_number(path, where, intensity, 0.0, 1.0)
        name = spec.get("name", type_id)
        if not isinstance(name, str) or not name:
            raise InputError(path, f"{type_id}.name", f"expected a non-empty text, got {name!r}")
        clusters[type_id] = ClusterType(
            id=type_id,
            name=name,
            sectors=sectors,
            cross_border=_as_bool(path, f"{type_id}.cross_border", spec.get("cross_border", False)),
            needs_corridor=_as_bool(
                path, f"{type_id}.needs_corridor", spec.get("needs_corridor", False)
            ),
            cooperation=cooperation,
        )
    return clusters
