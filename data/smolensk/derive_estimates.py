"""Estimate sector employment (activity.csv) and export shares (exports.csv) per district.

No municipal statistics by sector were found (raw/STATISTICS_SEARCH.md), so both files are
ESTIMATES built from the enterprise list (raw/enterprises.csv, raw/enterprise_figures.csv) and
the district populations (raw/districts.csv). The method is in SOURCES.md ("What is
estimated"); every parameter below is a named constant with its source or marked ASSUMPTION.

Every figure is written as its own row keyed by (district, sector, basis) with the year of the
underlying figure and a note naming the firms or the statistic (format: docs/model.md); rows of
one basis in one pair are summed, and their year is the OLDEST year among the summed parts (so a
row shows how stale its weakest part is). The loader adds the bases of a pair up.

``derive(raw_dir)`` is pure (reads only ``raw_dir``, returns data frames); ``main()`` writes
``activity.csv`` and ``exports.csv`` next to this script with sorted rows and fixed formatting.
"""

from __future__ import annotations

import csv
import io
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
# Groups whose named activities do not fit the row's two sector labels: split equally over the
# activities the source names instead (the same equal-split ASSUMPTION). Shumyachi's "peat,
# glass and food enterprises" is labelled building_materials + food in raw/enterprises.csv, but
# peat extraction is mining (OKVED B08.92), which the sector list maps to `other`, not to
# building materials (C23, where glass belongs): one third each to other (peat),
# building_materials (glass) and food.
GROUP_SPLITS: dict[str, tuple[tuple[str, float], ...]] = {
    "(unnamed) peat, glass and food enterprises": (
        ("other", 1 / 3),
        ("building_materials", 1 / 3),
        ("food", 1 / 3),
    ),
}

# Year of the evidence behind a firm whose staff is a default (no headcount is stated): the
# year of the source that names the firm as operating or among the key firms (raw/enterprises.csv
# `status` / `output_or_capacity`, raw/region_stats.md). Name substring -> year.
EVIDENCE_YEAR: dict[str, int] = {
    "Avangard": 2012,  # status "operating (2012 source)"
    "Smolenskaya GRES": 2023,  # gas share of fuel, 2023 (raw/region_stats.md)
    "NPO Izmeritel": 2023,  # "operating (2007 source; named again 2023)"
    "SPO Analitpribor": 2023,  # governor's list of key machine-building firms, Sept 2023
    "Zavod KDM": 2023,  # status "operating (2023)"
    "Roslavl Brake Systems": 2023,  # governor's list, Sept 2023 (the 2025 subsidy is no status)
    "Troparevo-Kaidakovo": 2017,  # status "operating (2017)"
    "Liteyno-prokatny": 2008,  # "figures from 2007-2008; current status NOT verified"
    "Gagarinkonservmoloko": 2017,  # output figures for 2017
    "KrolЪ i K": 2020,  # status "operating (2020)"
    "Smetanino": 2025,  # expansion reported 2025
    "Stabna SEZ resident": 2025,  # "about 130 jobs" (raw/region_stats.md; 2025 sources)
    "Smolenskoye Pole": 2017,  # status "operating (2017)"
    "Slavyansky Produkt": 2017,  # status "operating (2017)"
    "Safonovo Gidrometpribor": 2023,  # governor's list, Sept 2023
    "UrAl LLC": 2013,  # "launched 2013"
    "Vorga glassworks": 2014,  # "named as successful project in 2014"
    "STK (technical fabrics)": 2024,  # fabric output figure, 2024 (enterprise_figures.csv)
}
# Rows whose source states no date at all (the unnamed groups from encyclopedia translations and
# VKP LT) get no year: the research material read those pages in 2026, but that says nothing
# about when the figure held, and a year of 2026 would make a stale description look current.
# The note of such a row says "undated source" and SOURCES.md lists them.

# --- corrections (raw/corrections.csv, each row with its source) ---------------------------
# `enterprise` rows add a firm with a stated headcount; `replaces` = "<group name>/<sector>"
# drops that sector's part of an unnamed group the firm supersedes (Pochinok: the sewing factory,
# ~600 staff in 2021, replaces the 50-person light-industry half of the unnamed textile-and-food
# group; the food half stays).
CORRECTIONS_FILE = "corrections.csv"

# --- population-based rural baseline -------------------------------------------------------
# The study names food and wood as leading rural industries. Each municipal okrug (not the two
# urban okrugs) gets food and wood employment = population x share, on top of listed firms;
# basis `population_baseline`, year = the population's year. No district table of farmland,
# livestock, forest area or timber harvest was found (searches listed in SOURCES.md), so there
# is no `sector_baseline`.
# ASSUMPTION, order-of-magnitude check: Smolenskstat counts 260 food-production organisations
# (raw/region_stats.md, ria24); at an assumed ~35 staff each that is ~9,100 jobs, ~1% of the
# oblast's ~0.92 m people. The rural baseline (~5,750) plus the listed food firms (~3,330)
# already add up to that check total, which is why the urban okrugs get no baseline: adding
# 1% of their ~344,000 people would overshoot the check by ~40%.
RURAL_FOOD_SHARE = 0.01
# ASSUMPTION: half the food rate; no wood employment figure was found.
RURAL_WOOD_SHARE = 0.005
RURAL_UNIT_TYPE = "municipal_okrug"

# --- exports -------------------------------------------------------------------------------
# Enterprises the sources name as exporters: (name substring, year of the evidence, evidence).
EXPORTERS: tuple[tuple[str, int, str], ...] = (
    ("Polimer LLC", 2024, "products 'exports' (enterprises.csv, 2024 sources)"),
    # 2025: second place, "exporter of the year in machine building" (large firms), federal
    # stage of the national "Exporter of the Year" award: https://news.mail.ru/society/68247204/
    ("Roslavl Wagon-Repair Plant", 2025, "'exports to KZ, BY, UZ'; Exporter of the Year 2025"),
    ("Egger Drevprodukt", 2019, "'top-3 exporter of the oblast' (lesprom.com ~2019)"),
    ("Dorogobuzh PJSC", 2020, "stated exporter of fertilisers (region_stats.md s.3)"),
    ("Kristall Production Association", 2007, "stated exporter of polished diamonds"),
)
# ASSUMPTION: share of an exporter's output sold abroad; no firm-level export share was found.
# Basis `assumed`. No commodity structure of the oblast's exports was found either (searches in
# SOURCES.md), so there are no `regional_distribution` rows.
EXPORTER_EXPORT_SHARE = 0.3

VALUE_DECIMALS = 1
SHARE_DECIMALS = 4

# Sort order of the bases within a pair in the written files.
BASIS_ORDER: tuple[str, ...] = (
    "official",
    "stated",
    "proxy",
    "size_class_default",
    "group_default",
    "sector_baseline",
    "population_baseline",
    "regional_distribution",
    "assumed",
)


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


def _evidence_year(name: str) -> tuple[int | None, bool]:
    """(year, dated) for a firm without a stated headcount; undated sources get no year."""
    for marker, year in EVIDENCE_YEAR.items():
        if marker in name:
            return year, True
    return None, False


def load_corrections(raw_dir: Path) -> pd.DataFrame:
    """raw/corrections.csv: sourced corrections (coordinates, firms) that supersede raw rows."""
    return pd.read_csv(raw_dir / CORRECTIONS_FILE, dtype=str)


def _short(name: str) -> str:
    """A firm name without its parenthesised owner or group ('(unnamed) x' kept as 'unnamed x')."""
    if name.startswith("(unnamed) "):
        return "unnamed " + name[len("(unnamed) ") :]
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def enterprise_staff(raw_dir: Path) -> pd.DataFrame:
    """One row per counted enterprise: district, name, sectors, staff, basis, year and a label
    saying where the staff figure comes from."""
    ent = pd.read_csv(raw_dir / "enterprises.csv")
    figs = pd.read_csv(raw_dir / "enterprise_figures.csv", dtype=str)
    rows = []
    for _, r in ent.iterrows():
        district = _district(r)
        if district is None or not is_current(r["status"]):
            continue
        name = str(r["name"])
        staff: float | None = None
        basis, year, label = "", None, ""
        if pd.notna(r["employees"]):
            text = str(r["employees"])
            staff = first_int(text)
            year = first_year(r["employees_year"]) or first_year(text)
            if text.startswith("+"):
                # "+310 new jobs (2024 project)": new jobs, not the plant's total staff.
                basis, label = "proxy", f"{staff} new jobs, {year}; total staff not stated"
            else:
                basis, label = "stated", f"{text.split(' (')[0]}, {year}"
        for marker, fig_district, okved, indicator in STAFF_FROM_FIGURES:
            if marker in name and fig_district == district:
                fig = _figure(figs, fig_district, okved, indicator)
                fig_year = first_year(fig["year"])
                if staff is None or (fig_year and (year is None or fig_year > year)):
                    staff, year = first_int(str(fig["value"])), fig_year
                    if "planned" in indicator:
                        basis, label = "proxy", f"{staff} planned hiring at the {year} restart"
                    else:
                        basis, label = "stated", f"{str(fig['value']).split(' (')[0]}, {year}"
        if staff is None:
            year, dated = _evidence_year(name)
            when = f"source {year}" if dated else "undated source"
            if name.startswith("(unnamed)"):
                staff, basis = DEFAULT_STAFF_GROUP, "group_default"
                label = f"group default {DEFAULT_STAFF_GROUP:g}, {when}"
            elif "Stabna SEZ resident" in name:
                staff, basis = STABNA_JOBS / STABNA_RESIDENTS, "proxy"
                label = f"SEZ {STABNA_JOBS:g} jobs / {STABNA_RESIDENTS} residents, {when}"
            elif any(m in name for m in KEY_ENTERPRISE_MARKERS):
                staff, basis = DEFAULT_STAFF_KEY, "size_class_default"
                label = f"key-firm default {DEFAULT_STAFF_KEY:g}, {when}"
            else:
                staff, basis = DEFAULT_STAFF_NAMED, "size_class_default"
                label = f"named-firm default {DEFAULT_STAFF_NAMED:g}, {when}"
        if pd.isna(r["district_id"]):
            label += "; district unsourced"
        rows.append(
            {
                "district": district,
                "name": name,
                "sector": sector_id(r["sector"]),
                "sector2": sector_id(r["sector2"]),
                "staff": float(staff),
                "basis": basis,
                "year": int(year) if year else None,
                "label": label,
                "group": name.startswith("(unnamed)"),
            }
        )
    for district, okved, indicator, name, sector in EXTRA_FROM_FIGURES:
        fig = _figure(figs, district, okved, indicator)
        fig_year = first_year(fig["year"])
        if indicator == "employment":
            staff, basis = float(first_int(str(fig["value"])) or 0), "stated"
            label = f"{str(fig['value']).split(' (')[0]}, {fig_year}"
        else:
            staff, basis = DEFAULT_STAFF_NAMED, "size_class_default"
            label = f"named-firm default {DEFAULT_STAFF_NAMED:g}, source {fig_year}"
        rows.append(
            {
                "district": district,
                "name": name,
                "sector": sector,
                "sector2": None,
                "staff": staff,
                "basis": basis,
                "year": fig_year,
                "label": label,
                "group": False,
            }
        )
    corr = load_corrections(raw_dir)
    for r in corr[corr.kind == "enterprise"].itertuples(index=False):
        rows.append(
            {
                "district": r.district,
                "name": r.item,
                "sector": sector_id(r.sector),
                "sector2": None,
                "staff": float(r.value),
                "basis": r.basis,
                "year": int(r.year),
                "label": f"about {int(float(r.value))}, {r.year}",
                "group": False,
            }
        )
    return pd.DataFrame(rows)


def _replaced_parts(raw_dir: Path) -> set[tuple[str, str]]:
    """(group name, sector) parts of unnamed groups superseded by a corrections.csv firm."""
    corr = load_corrections(raw_dir)
    parts = set()
    for text in corr.loc[corr.kind == "enterprise", "replaces"].dropna():
        group, sector = text.rsplit("/", 1)
        parts.add((group, sector))
    return parts


def _allocate(staff: pd.DataFrame, replaced: set[tuple[str, str]]) -> pd.DataFrame:
    """Split each enterprise's staff over its sectors: district, sector, value, name, basis,
    year, label (one row per firm and sector)."""
    parts = []
    for r in staff.itertuples(index=False):
        has_second = isinstance(r.sector2, str) and r.sector2 != r.sector
        second = r.sector2 if (r.group and has_second) else None
        share = GROUP_SECOND_SECTOR_SHARE if second else 0.0
        pieces = [(r.sector, r.staff * (1 - share))]
        if second:
            pieces.append((second, r.staff * share))
        split = f", {1 - share:g}/{share:g} split" if second else ""
        if r.name in GROUP_SPLITS:
            pieces = [(sector, r.staff * w) for sector, w in GROUP_SPLITS[r.name]]
            split = f", split equally over {len(pieces)} named activities"
        for sector, value in pieces:
            if (r.name, sector) in replaced:
                continue
            label = r.label + split
            parts.append((r.district, sector, value, r.name, r.basis, r.year, label))
    return pd.DataFrame(
        parts, columns=["district", "sector", "value", "name", "basis", "year", "label"]
    )


def components(raw_dir: Path) -> pd.DataFrame:
    """Every part of the activity estimate: one row per firm-sector or baseline, with columns
    district, sector, value, basis, year, name, label."""
    districts = pd.read_csv(raw_dir / "districts.csv")
    ids = set(districts["id"])
    alloc = _allocate(enterprise_staff(raw_dir), _replaced_parts(raw_dir))
    unknown = set(alloc.district) - ids
    if unknown:
        raise ValueError(f"enterprises.csv: unknown districts {sorted(unknown)}")
    rows = [alloc]
    base = []
    for r in districts.itertuples(index=False):
        if r.type != RURAL_UNIT_TYPE:
            continue
        for sector, rate in (("food", RURAL_FOOD_SHARE), ("wood", RURAL_WOOD_SHARE)):
            label = f"{rate:.1%} of population {r.population:,} ({r.population_year})"
            name, basis = "rural baseline", "population_baseline"
            base.append((r.id, sector, r.population * rate, name, basis, r.population_year, label))
    rows.append(
        pd.DataFrame(
            base, columns=["district", "sector", "value", "name", "basis", "year", "label"]
        )
    )
    return pd.concat(rows, ignore_index=True)


def _note(group: pd.DataFrame) -> str:
    """The note of one (district, sector, basis) row: each part's name and label."""
    parts = []
    for r in group.itertuples(index=False):
        if r.basis == "population_baseline":
            parts.append(f"rural baseline: {r.label}")
        else:
            parts.append(f"{_short(r.name)} ({r.label})")
    return "; ".join(parts)


def derive(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (activity, exports) in long format with columns district, sector, value|share,
    basis, year, note: one row per (district, sector, basis), positive values only."""
    comp = components(raw_dir)
    rows = []
    for (d, s, b), g in comp.groupby(["district", "sector", "basis"], sort=False):
        rows.append((d, s, round(g.value.sum(), VALUE_DECIMALS), b, _oldest(g.year), _note(g)))
    activity = pd.DataFrame(rows, columns=["district", "sector", "value", "basis", "year", "note"])
    activity = activity[activity.value > 0]
    activity = _sorted(activity)
    totals = comp.groupby(["district", "sector"])["value"].sum()

    exp_rows = []
    for marker, year, evidence in EXPORTERS:
        hit = comp[comp.name.str.contains(marker, regex=False)]
        if hit.empty:
            raise ValueError(f"exporter {marker!r} not among the counted enterprises")
        for r in hit.itertuples(index=False):
            exp_rows.append((r.district, r.sector, r.value, year, f"{_short(r.name)}: {evidence}"))
    exp = pd.DataFrame(exp_rows, columns=["district", "sector", "staff", "year", "what"])
    out = []
    for (d, s), g in exp.groupby(["district", "sector"]):
        share = round(EXPORTER_EXPORT_SHARE * g.staff.sum() / totals[(d, s)], SHARE_DECIMALS)
        note = (
            f"assumed export share {EXPORTER_EXPORT_SHARE:g} of named exporters' output "
            f"x their staff {g.staff.sum():,.0f} / pair activity {totals[(d, s)]:,.1f}; "
            + "; ".join(g.what)
        )
        out.append((d, s, share, "assumed", int(g.year.min()), note))
    exports = pd.DataFrame(out, columns=["district", "sector", "share", "basis", "year", "note"])
    return activity, _sorted(exports)


def _oldest(years: pd.Series) -> int | None:
    """The oldest year among the summed parts; None when every part is undated."""
    dated = years.dropna()
    return int(dated.min()) if not dated.empty else None


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by district, sector and the fixed basis order."""
    key = frame.basis.map({b: i for i, b in enumerate(BASIS_ORDER)})
    return (
        frame.assign(_k=key)
        .sort_values(["district", "sector", "_k"])
        .drop(columns="_k")
        .reset_index(drop=True)
    )


def _render(frame: pd.DataFrame, column: str, decimals: int) -> str:
    """CSV text with fixed number formatting and minimal quoting."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["district", "sector", column, "basis", "year", "note"])
    for r in frame.itertuples(index=False):
        value = getattr(r, column)
        year = "" if r.year is None or pd.isna(r.year) else int(r.year)
        writer.writerow([r.district, r.sector, f"{value:.{decimals}f}", r.basis, year, r.note])
    return buf.getvalue()


def render_activity(activity: pd.DataFrame) -> str:
    """activity.csv text with fixed formatting."""
    return _render(activity, "value", VALUE_DECIMALS)


def render_exports(exports: pd.DataFrame) -> str:
    """exports.csv text with fixed formatting."""
    return _render(exports, "share", SHARE_DECIMALS)


def main() -> None:
    """Write activity.csv and exports.csv next to this script."""
    activity, exports = derive(RAW_DIR)
    (HERE / "activity.csv").write_text(render_activity(activity), encoding="utf-8")
    (HERE / "exports.csv").write_text(render_exports(exports), encoding="utf-8")


if __name__ == "__main__":
    main()
