"""The validation boundary for the CSV inputs of ``region init``.

Every table names districts by their id, by the source value of the id field, or by name (any
letter case); each cell is checked for shape and range, and each problem is one InputError
naming the file, the line and the column, before anything is computed or written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from model.basis import BASES
from model.errors import InputError
from model.region import ID_PATTERN, ROAD_KINDS
from model.regionbuild.boundaries import Unit
from model.regionbuild.sectors import Mapping, division_of
from model.tables import CsvRow, parse_float, read_csv_rows, require_text, shown

YEAR_RANGE = (1900, 2100)
MAX_MINUTES = 7 * 24 * 60.0  # a week: a longer "travel time" is a unit or typing error


class DistrictLookup:
    """Resolve the district names an input table uses to district ids."""

    def __init__(self, units: Sequence[Unit]) -> None:
        keys: dict[str, set[str]] = {}
        for unit in units:
            for key in (unit.id, unit.source_id, unit.name):
                keys.setdefault(key.casefold(), set()).add(unit.id)
        # a name shared by two districts names neither: the table must use the id
        self._ids = {k: next(iter(v)) for k, v in keys.items() if len(v) == 1}

    def resolve(self, path: Path, row: CsvRow, column: str) -> str:
        value = require_text(path, row, column)
        found = self._ids.get(value.casefold())
        if found is None:
            raise InputError(
                path,
                f"line {row.line}, column {column}",
                f"unknown district {shown(value)} (not an id, source id or unique name of the "
                "boundary file)",
            )
        return found


def _year(path: Path, row: CsvRow, default: int | None) -> int | None:
    raw = row.values.get("year", "")
    if not raw:
        return default
    lo, hi = YEAR_RANGE
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise InputError(path, f"line {row.line}, column year", f"expected a year {lo}-{hi}")
    return int(raw)


@dataclass
class Activity:
    """Activity summed by (district, sector, basis), with the codes behind each sum."""

    rows: dict[tuple[str, str, str], float] = field(default_factory=dict)
    years: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    codes: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    unmapped_codes: set[str] = field(default_factory=set)
    lines: int = 0


def read_activity(
    path: Path,
    lookup: DistrictLookup,
    mapping: Mapping,
    basis: str,
    year: int | None,
) -> Activity:
    """``district, code, value`` (+ optional ``basis, year``) summed to sectors."""
    _, rows = read_csv_rows(path, ["district", "code", "value"])
    activity = Activity()
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        district = lookup.resolve(path, row, "district")
        division = division_of(path, row, "code")
        value = parse_float(path, row, "value", minimum=0)
        if value > 1e15:
            raise InputError(path, f"line {row.line}, column value", "above 1e15")
        row_basis = row.values.get("basis", "") or basis
        if row_basis not in BASES:
            raise InputError(
                path,
                f"line {row.line}, column basis",
                f"unknown basis {shown(row_basis)}; expected one of {', '.join(BASES)}",
            )
        code_key = (district, row.values["code"].strip().upper(), row_basis)
        if code_key in seen:
            raise InputError(
                path,
                f"line {row.line}",
                f"duplicate district/code {district}/{code_key[1]} (first on line "
                f"{seen[code_key]})",
            )
        seen[code_key] = row.line
        sector = mapping.sector(division)
        if division not in mapping.sectors:
            activity.unmapped_codes.add(division)
        key = (district, sector, row_basis)
        activity.rows[key] = activity.rows.get(key, 0.0) + value
        activity.codes.setdefault(key, []).append(code_key[1])
        row_year = _year(path, row, year)
        if key in activity.years and activity.years[key] != row_year:
            activity.years[key] = None  # mixed years: the note lists the codes instead
        else:
            activity.years.setdefault(key, row_year)
        activity.lines += 1
    if not any(v > 0 for v in activity.rows.values()):
        raise InputError(path, "column value", "at least one value must be positive")
    return activity


def read_population(path: Path, lookup: DistrictLookup) -> dict[str, tuple[float, int | None]]:
    """``district, population`` (+ optional ``year``)."""
    _, rows = read_csv_rows(path, ["district", "population"])
    out: dict[str, tuple[float, int | None]] = {}
    for row in rows:
        district = lookup.resolve(path, row, "district")
        if district in out:
            raise InputError(path, f"line {row.line}", f"second row for {district}")
        population = parse_float(path, row, "population", minimum=0, maximum=1e10)
        out[district] = (population, _year(path, row, None))
    return out


@dataclass(frozen=True)
class Crossing:
    id: str
    name: str
    district: str
    mode: str


def read_crossings(path: Path, lookup: DistrictLookup, locate: object) -> list[Crossing]:
    """``id, name, mode`` and either ``district`` or ``lat, lon`` (then the district whose
    polygon holds the point). ``locate(lat, lon)`` returns that district or None."""
    header, rows = read_csv_rows(path, ["name", "mode"])
    by_point = "district" not in header
    if by_point and not {"lat", "lon"} <= set(header):
        raise InputError(path, "header", "needs a district column or lat and lon columns")
    crossings: list[Crossing] = []
    seen: set[str] = set()
    for row in rows:
        name = require_text(path, row, "name")
        crossing_id = row.values.get("id", "") or _slug_id(name)
        if not ID_PATTERN.match(crossing_id) or crossing_id in seen:
            raise InputError(
                path, f"line {row.line}, column id", f"id {shown(crossing_id)} is not a new slug id"
            )
        seen.add(crossing_id)
        if by_point:
            lat = parse_float(path, row, "lat", minimum=-90, maximum=90)
            lon = parse_float(path, row, "lon", minimum=-180, maximum=180)
            district = locate(lat, lon)  # type: ignore[operator]
            if district is None:
                raise InputError(path, f"line {row.line}", "the point lies in no district")
        else:
            district = lookup.resolve(path, row, "district")
        crossings.append(Crossing(crossing_id, name, district, require_text(path, row, "mode")))
    return crossings


def _slug_id(name: str) -> str:
    from model.regionbuild.boundaries import slug

    return slug(name) or "crossing"


def read_points(path: Path, lookup: DistrictLookup) -> dict[str, tuple[float, float]]:
    """``district, lat, lon``: points that replace the computed representative points."""
    _, rows = read_csv_rows(path, ["district", "lat", "lon"])
    points: dict[str, tuple[float, float]] = {}
    for row in rows:
        district = lookup.resolve(path, row, "district")
        lat = parse_float(path, row, "lat", minimum=-90, maximum=90)
        lon = parse_float(path, row, "lon", minimum=-180, maximum=180)
        points[district] = (lat, lon)
    return points


@dataclass(frozen=True)
class PairTime:
    a: str
    b: str
    minutes: float
    kind: str | None


def read_pairs(path: Path, lookup: DistrictLookup, *, need_minutes: bool) -> list[PairTime]:
    """An OD table (``origin, destination, minutes`` + optional ``kind``) or a road-kind table
    (``origin, destination, kind``). A pair given in both directions keeps the shorter time."""
    required = ["origin", "destination"] + (["minutes"] if need_minutes else ["kind"])
    _, rows = read_csv_rows(path, required)
    best: dict[tuple[str, str], PairTime] = {}
    for row in rows:
        a = lookup.resolve(path, row, "origin")
        b = lookup.resolve(path, row, "destination")
        if a == b:
            continue  # the diagonal of a full OD matrix
        minutes = math.nan
        if need_minutes:
            minutes = parse_float(path, row, "minutes", strictly_positive=True, maximum=MAX_MINUTES)
        kind = row.values.get("kind", "") or None
        if kind is not None and kind not in ROAD_KINDS:
            raise InputError(
                path,
                f"line {row.line}, column kind",
                f"expected one of {', '.join(ROAD_KINDS)}, got {shown(kind)}",
            )
        key = (min(a, b), max(a, b))
        old = best.get(key)
        if old is None or (need_minutes and minutes < old.minutes):
            best[key] = PairTime(key[0], key[1], minutes, kind)
    if not best:
        raise InputError(path, None, "no pair of two different districts")
    return sorted(best.values(), key=lambda p: (p.a, p.b))
