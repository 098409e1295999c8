"""NACE Rev. 2 / OKVED2 codes → the catalogue's sector ids, and the activity table.

The shipped mapping (``nace_sectors.csv`` beside this module) maps divisions (two digits) of
section C to the sectors of the default catalogue: C10-C11 food, C13-C15 light, C16 wood,
C20 chemicals, C22 plastics, C23 building_materials, C24-C25 metallurgy, C27 electrical,
C28-C30 machinery. OKVED2 (the Russian classification) is harmonised with NACE Rev. 2 down to
the division, so the same file serves both. Codes of other divisions go to the sector
``other`` so that district totals, and so the location quotients, stay whole. A user mapping
(``--mapping CSV``, columns ``division, sector``) replaces the shipped one.

Accepted code spellings: ``C10``, ``10``, ``10.11``, ``C 10.1``, ``10.11.2`` (the division is
the first two digits; a section letter, when given, must be the one of that division).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from model.errors import InputError
from model.region import ID_PATTERN
from model.tables import CsvRow, read_csv_rows, shown

SHIPPED_MAPPING = Path(__file__).resolve().parent / "nace_sectors.csv"
OTHER = "other"
CODE = re.compile(r"^(?P<section>[A-Ua-u])?\s*(?P<division>\d{2})(\.\d{1,2}){0,2}$")
# NACE Rev. 2 sections by their first and last division (Regulation (EC) No 1893/2006, annex I)
SECTIONS = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip


def section_of(division: int) -> str | None:
    """The NACE section letter of a division number, None for an unused number."""
    for letter, first, last in SECTIONS:
        if first <= division <= last:
            return letter
    return None


@dataclass(frozen=True)
class Mapping:
    """division (two digits) → sector id, and the file it came from."""

    path: Path
    sectors: dict[str, str]

    def sector(self, division: str) -> str:
        return self.sectors.get(division, OTHER)


def load_mapping(path: Path | None = None) -> Mapping:
    """The shipped mapping, or a user's CSV with columns ``division, sector``."""
    source = path or SHIPPED_MAPPING
    _, rows = read_csv_rows(source, ["division", "sector"])
    sectors: dict[str, str] = {}
    for row in rows:
        division = row.values["division"].upper().lstrip("ABCDEFGHIJKLMNOPQRSTU").strip()
        where = f"line {row.line}, column division"
        if not re.fullmatch(r"\d{2}", division) or section_of(int(division)) is None:
            raise InputError(
                source,
                where,
                f"expected a NACE division like 10 or C10, got {shown(row.values['division'])}",
            )
        if division in sectors:
            raise InputError(source, where, f"division {division} mapped twice")
        sector = row.values["sector"]
        if not ID_PATTERN.match(sector):
            raise InputError(
                source,
                f"line {row.line}, column sector",
                f"sector id {shown(sector)} must use letters, digits, '_', '-', '.'",
            )
        sectors[division] = sector
    if not sectors:
        raise InputError(source, None, "no rows")
    return Mapping(source, sectors)


def division_of(path: Path, row: CsvRow, column: str) -> str:
    """The two-digit division of a NACE / OKVED code cell, or an InputError naming the cell."""
    raw = row.values[column]
    match = CODE.match(raw.strip())
    where = f"line {row.line}, column {column}"
    if not match:
        raise InputError(
            path, where, f"expected a NACE/OKVED code like C10 or 10.11, got {shown(raw)}"
        )
    division = match.group("division")
    section = section_of(int(division))
    if section is None:
        raise InputError(path, where, f"{shown(raw)}: {division} is not a NACE division")
    given = match.group("section")
    if given and given.upper() != section:
        raise InputError(
            path,
            where,
            f"{shown(raw)}: division {division} is in section {section}, not {given.upper()}",
        )
    return division
