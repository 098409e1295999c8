"""Estimate sector employment (activity.csv) and export shares (exports.csv) per district.

No municipal statistics by sector were found (raw/STATISTICS_SEARCH.md), so both files are
ESTIMATES built from the enterprise list (raw/enterprises.csv, raw/enterprise_figures.csv) and
the district populations (raw/districts.csv). The method is in SOURCES.md ("What is
estimated"); every parameter below is a named constant with its source or marked ASSUMPTION.

``derive(raw_dir)`` is pure (reads only ``raw_dir``, returns data frames); ``main()`` writes
``activity.csv`` and ``exports.csv`` next to this script with sorted rows and fixed formatting.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RAW_DIR = HERE / "raw"

# Sector vocabulary of activity.csv / exports.csv / clusters.yaml.
SECTORS: tuple[str, ...] = (
    "plastics",
    "chemicals",
    "metallurgy",
    "machinery",
    "electrical",
    "building_materials",
    "wood",
    "food",
    "light",
    "energy",
    "other",
)
# Source sector labels outside the vocabulary. "defense" rows are aircraft/missile and
# instrument makers that raw/region_stats.md counts in the region's machine-building complex;
# "metal_products" belongs with metallurgy (the study's "metallurgy and metal products").
SECTOR_ALIASES: dict[str, str] = {"defense": "machinery", "metal_products": "metallurgy"}

# --- which enterprise rows count ---------------------------------------------------------
# Rows whose `status` contains one of these markers (case-insensitive) are not counted as
# current employment: closed, historical, only planned or under construction, or with a status
# the source itself calls unknown. Yartsevo LPZ ("current status/ownership NOT verified") is
# kept: raw/region_stats.md lists the "Steel rolling mill plant" among the largest enterprises
# (smolinvest, c. 2013).
EXCLUDED_STATUS_MARKERS: tuple[str, ...] = (
    "closed",
    "historical",
    "planned",
    "construction",
    "status unknown",
    "status not established",
)
# Rows without `district_id` whose `district_unsourced` names a unit are placed there (flagged
# in SOURCES.md): Vorga glassworks -> yershichsky ("general knowledge" in the source). Rows
# with no district at all (BaltEnergoMash) are dropped.
USE_UNSOURCED_DISTRICT = True

# --- staff figures -----------------------------------------------------------------------
# Headcounts from raw/enterprise_figures.csv for enterprises of raw/enterprises.csv:
# (name substring in enterprises.csv, district_id, substring of `sector_okved`, substring of
# `indicator`). The figure replaces the enterprises.csv headcount when its year is later or
# when enterprises.csv states none.
STAFF_FROM_FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("Vyazma Machine-Building Plant", "vyazemsky", "Вяземский машиностроительный", "employment"),
    ("Dorogobuzh PJSC", "dorogobuzhsky", "ПАО «Дорогобуж»", "employment"),
    ("Roslavl Wagon-Repair Plant", "roslavlsky", "вагоноремонтный завод", "employment"),
    ("Smolensk Aviation Plant", "smolensk", "Смоленский авиационный завод", "employment"),
    ("Igorevsky DOK", "kholm_zhirkovsky", "restart with Kronospan", "planned hiring"),
)
# Enterprises found only in raw/enterprise_figures.csv and operating at the figure's date:
# (district_id, substring of `sector_okved`, substring of `indicator`, name, sector).
# STK's figure is fabric output, not staff, so it gets the named-enterprise default.
EXTRA_FROM_FIGURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("yartsevsky", "C13 textiles", "production", "STK (technical fabrics)", "light"),
    ("safonovsky", "Гидромос", "employment", "Gidromos (pump units)", "machinery"),
)

# --- defaults where no headcount is stated (size classes of Federal Law 209-FZ art. 4:
# small <= 100, medium 101-250, large > 250 average employees) ------------------------------
# Enterprises named among the region's largest or key firms (raw/region_stats.md: smolinvest
# list c. 2013; governor's list of machine-building firms, Sept 2023). ASSUMPTION: they are
# at least "large", so the floor of that class, 250, is used.
KEY_ENTERPRISE_MARKERS: tuple[str, ...] = (
    "Kristall",
    "Dorogobuzh PJSC",
    "SPO Analitpribor",
    "Liteyno-prokatny",
    "NPO Izmeritel",
    "Roslavl Wagon-Repair",
    "Smolensk Aviation Plant",
    "Zavod KDM",
    "Roslavl Brake Systems",
    "Vyazma Machine-Building",
    "Safonovo Gidrometpribor",
)
DEFAULT_STAFF_KEY = 250.0
# Other named enterprises. ASSUMPTION: the small/medium boundary of 209-FZ, 100.
DEFAULT_STAFF_NAMED = 100.0
# Unnamed groups from encyclopedia text ("(unnamed) ... enterprises"). ASSUMPTION: the whole
# group is one small-enterprise ceiling, 100.
DEFAULT_STAFF_GROUP = 100.0
# Stabna SEZ residents: "about 130 jobs" across the three residents Arsenal Regiony, Plazmamet
# and STERTECH (raw/region_stats.md, SEZ section), split equally.
STABNA_JOBS = 130.0
STABNA_RESIDENTS = 3
# Unnamed groups whose row lists a second sector split their staff equally (ASSUMPTION); a
# named enterprise counts fully in its first sector (one main activity per firm).
GROUP_SECOND_SECTOR_SHARE = 0.5

# --- population-based rural baseline -------------------------------------------------------
# The study names food and wood as leading rural industries. Each municipal okrug (not the two
# urban okrugs) gets food and wood employment = population x share, on top of listed firms.
# ASSUMPTION, order-of-magnitude check: Smolenskstat counts 260 food-production organisations
# (raw/region_stats.md, ria24); at an assumed ~35 staff each that is ~9,100 jobs, ~1% of the
# oblast's ~0.92 m people.
RURAL_FOOD_SHARE = 0.01
# ASSUMPTION: half the food rate; no wood employment figure was found.
RURAL_WOOD_SHARE = 0.005
RURAL_UNIT_TYPE = "municipal_okrug"

# --- exports -------------------------------------------------------------------------------
# Enterprises the sources name as exporters (name substring -> evidence). Polimer: products
# "exports" (enterprises.csv); RVRZ: "exports to KZ, BY, UZ" (enterprises.csv); EGGER: "top-3
# exporter of the oblast" (enterprise_figures.csv); Dorogobuzh and Kristall: "stated exporters"
# (raw/region_stats.md, section 3).
EXPORTERS: tuple[str, ...] = (
    "Polimer LLC",
    "Roslavl Wagon-Repair Plant",
    "Egger Drevprodukt",
    "Dorogobuzh PJSC",
    "Kristall Production Association",
)
# ASSUMPTION: share of an exporter's output sold abroad; no firm-level export share was found.
EXPORTER_EXPORT_SHARE = 0.3

VALUE_DECIMALS = 1
SHARE_DECIMALS = 4


def first_int(text: str) -> int | None:
    """First integer in a free-text cell ('>2,500' -> 2500, '~1000 (...)' -> 1000)."""
    m = re.search(r"\d[\d,]*", text)
    return int(m.group(0).replace(",", "")) if m else None


def first_year(text: object) -> int | None:
    """First four-digit year in a cell, or None."""
    m = re.search(r"(19|20)\d{2}", str(text))
    return int(m.group(0)) if m else None


def sector_id(label: object) -> str | None:
    """Map a source sector label to the vocabulary (None for an empty cell)."""
    if pd.isna(label) or str(label).strip() == "":
        return None
    s = SECTOR_ALIASES.get(str(label).strip(), str(label).strip())
    if s not in SECTORS:
        raise ValueError(f"enterprises.csv: unknown sector {label!r}")
    return s


def is_current(status: object) -> bool:
    """True unless the status marks the row closed, historical, planned or of unknown status."""
    text = str(status).lower()
    return not any(marker in text for marker in EXCLUDED_STATUS_MARKERS)


def _district(row: pd.Series) -> str | None:
    """Sourced district, else the unsourced one when allowed, else None."""
    if pd.notna(row["district_id"]):
        return str(row["district_id"])
    if USE_UNSOURCED_DISTRICT and pd.notna(row["district_unsourced"]):
        return str(row["district_unsourced"]).split()[0]
    return None


def _figure(figs: pd.DataFrame, district: str, okved: str, indicator: str) -> pd.Series:
    """The single enterprise_figures.csv row matching district, OKVED text and indicator."""
    hit = figs[
        (figs.district_id == district)
        & figs.sector_okved.str.contains(okved, regex=False, na=False)
        & figs.indicator.str.contains(indicator, regex=False, na=False)
    ]
    if len(hit) != 1:
        raise ValueError(f"enterprise_figures.csv: {len(hit)} rows for {district}/{okved}")
    return hit.iloc[0]


def enterprise_staff(raw_dir: Path) -> pd.DataFrame:
    """One row per counted enterprise: district, name, sectors, staff and how staff was set."""
    ent = pd.read_csv(raw_dir / "enterprises.csv")
    figs = pd.read_csv(raw_dir / "enterprise_figures.csv", dtype=str)
    rows = []
    for _, r in ent.iterrows():
        district = _district(r)
        if district is None or not is_current(r["status"]):
            continue
        name = str(r["name"])
        staff, basis, year = None, "", None
        if pd.notna(r["employees"]):
            staff = first_int(str(r["employees"]))
            basis = "new jobs (lower bound)" if str(r["employees"]).startswith("+") else "stated"
            year = first_year(r["employees_year"]) or first_year(r["employees"])
        for marker, fig_district, okved, indicator in STAFF_FROM_FIGURES:
            if marker in name and fig_district == district:
                fig = _figure(figs, fig_district, okved, indicator)
                fig_year = first_year(fig["year"])
                if staff is None or (fig_year and (year is None or fig_year > year)):
                    staff, basis, year = first_int(str(fig["value"])), "stated (figures)", fig_year
        if staff is None:
            if name.startswith("(unnamed)"):
                staff, basis = DEFAULT_STAFF_GROUP, "default: unnamed group"
            elif "Stabna SEZ resident" in name:
                staff, basis = STABNA_JOBS / STABNA_RESIDENTS, "SEZ jobs / residents"
            elif any(m in name for m in KEY_ENTERPRISE_MARKERS):
                staff, basis = DEFAULT_STAFF_KEY, "default: key enterprise"
            else:
                staff, basis = DEFAULT_STAFF_NAMED, "default: named enterprise"
        rows.append(
            {
                "district": district,
                "name": name,
                "sector": sector_id(r["sector"]),
                "sector2": sector_id(r["sector2"]),
                "staff": float(staff),
                "basis": basis,
                "group": name.startswith("(unnamed)"),
            }
        )
    for district, okved, indicator, name, sector in EXTRA_FROM_FIGURES:
        fig = _figure(figs, district, okved, indicator)
        if indicator == "employment":
            staff, basis = float(first_int(str(fig["value"])) or 0), "stated (figures)"
        else:
            staff, basis = DEFAULT_STAFF_NAMED, "default: named enterprise"
        rows.append(
            {
                "district": district,
                "name": name,
                "sector": sector,
                "sector2": None,
                "staff": staff,
                "basis": basis,
                "group": False,
            }
        )
    return pd.DataFrame(rows)


def _allocate(staff: pd.DataFrame) -> pd.DataFrame:
    """Split each enterprise's staff over its sectors (district, sector, value, name)."""
    parts = []
    for r in staff.itertuples(index=False):
        has_second = isinstance(r.sector2, str) and r.sector2 != r.sector
        second = r.sector2 if (r.group and has_second) else None
        share = GROUP_SECOND_SECTOR_SHARE if second else 0.0
        parts.append((r.district, r.sector, r.staff * (1 - share), r.name))
        if second:
            parts.append((r.district, second, r.staff * share, r.name))
    return pd.DataFrame(parts, columns=["district", "sector", "value", "name"])


def derive(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (activity, exports): the full district x sector grid of estimated employment
    (persons) and the estimated export share per district and sector (rows > 0 only)."""
    districts = pd.read_csv(raw_dir / "districts.csv")
    ids = list(districts["id"])
    alloc = _allocate(enterprise_staff(raw_dir))
    unknown = set(alloc.district) - set(ids)
    if unknown:
        raise ValueError(f"enterprises.csv: unknown districts {sorted(unknown)}")
    grid = pd.DataFrame(0.0, index=pd.Index(ids, name="district"), columns=list(SECTORS))
    for r in alloc.itertuples(index=False):
        grid.loc[r.district, r.sector] += r.value
    for r in districts.itertuples(index=False):
        if r.type == RURAL_UNIT_TYPE:
            grid.loc[r.id, "food"] += r.population * RURAL_FOOD_SHARE
            grid.loc[r.id, "wood"] += r.population * RURAL_WOOD_SHARE

    exp_rows = []
    for marker in EXPORTERS:
        hit = alloc[alloc.name.str.contains(marker, regex=False)]
        if hit.empty:
            raise ValueError(f"exporter {marker!r} not among the counted enterprises")
        for r in hit.itertuples(index=False):
            exp_rows.append((r.district, r.sector, r.value))
    exp = pd.DataFrame(exp_rows, columns=["district", "sector", "staff"])
    exp = exp.groupby(["district", "sector"], as_index=False)["staff"].sum()
    exp["share"] = [
        round(EXPORTER_EXPORT_SHARE * s / grid.loc[d, sec], SHARE_DECIMALS)
        for d, sec, s in zip(exp.district, exp.sector, exp.staff, strict=True)
    ]
    exports = exp[["district", "sector", "share"]].sort_values(["district", "sector"])

    activity = grid.reset_index().melt(id_vars="district", var_name="sector", value_name="value")
    activity["value"] = activity["value"].round(VALUE_DECIMALS)
    activity = activity.sort_values(["district", "sector"]).reset_index(drop=True)
    return activity, exports.reset_index(drop=True)


def render_activity(activity: pd.DataFrame) -> str:
    """activity.csv text with fixed formatting."""
    lines = ["district,sector,value"]
    lines += [f"{d},{s},{v:.{VALUE_DECIMALS}f}" for d, s, v in activity.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def render_exports(exports: pd.DataFrame) -> str:
    """exports.csv text with fixed formatting."""
    lines = ["district,sector,share"]
    lines += [f"{d},{s},{v:.{SHARE_DECIMALS}f}" for d, s, v in exports.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write activity.csv and exports.csv next to this script."""
    activity, exports = derive(RAW_DIR)
    (HERE / "activity.csv").write_text(render_activity(activity), encoding="utf-8")
    (HERE / "exports.csv").write_text(render_exports(exports), encoding="utf-8")


if __name__ == "__main__":
    main()
