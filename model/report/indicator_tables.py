"""Indicator tables for reports: LQ heat table, fit per type, access and specialization, stars.

Each function turns indicator frames (``model.instance.IndicatorTables``) into a report
:class:`~model.report.document.Table`; the values come from ``model.indicators`` unchanged.
"""

from __future__ import annotations

import math

import pandas as pd

from model.indicators import cluster_stars, specialization_indices
from model.instance import IndicatorTables
from model.region import Region
from model.report.document import Table
from model.report.formatting import Names, num

CORE_MARK = "◆"
ESTIMATE_MARK = "†"


def lq_table(
    lq: pd.DataFrame,
    names: Names,
    cap: float,
    estimated: set[tuple[str, str]] | None = None,
    mark_note: str = "",
) -> Table:
    """Districts × sectors; shading rises to the model's LQ cap.

    ``estimated`` holds the (district, sector) cells whose LQ rests on estimates: they get
    ``†`` and ``mark_note`` joins the caption.
    """
    estimated = estimated or set()
    values = lq.to_numpy(dtype=float)
    districts = [str(d) for d in lq.index]
    sectors = [str(s) for s in lq.columns]
    rows = [
        [
            names.d(d),
            *(
                num(v, 2) + (ESTIMATE_MARK if (d, s) in estimated else "")
                for s, v in zip(sectors, row, strict=True)
            ),
        ]
        for d, row in zip(districts, values, strict=True)
    ]
    note = f"; {mark_note}" if estimated and mark_note else ""
    return Table(
        ["district", *sectors],
        rows,
        heat=[[None, *(min(v, cap) / cap for v in row)] for row in values],
        caption=f"Location quotients, districts × sectors; shading rises to LQ {cap:g} (the "
        f"model's cap), bold in Markdown at the cap{note}.",
        numeric=[False, *([True] * len(lq.columns))],
    )


def fit_table(
    fit: pd.DataFrame,
    types: list[str],
    names: Names,
    cores: set[tuple[str, str]],
    estimated: set[tuple[str, str]] | None = None,
    mark_note: str = "",
) -> Table:
    """Districts × types of the fit (0..1); the run's cores marked.

    ``estimated`` holds the (type, district) fits that rest on estimates: they get ``†``.
    """
    estimated = estimated or set()
    values = fit.loc[types].to_numpy(dtype=float)
    districts = [str(d) for d in fit.columns]
    rows, heat = [], []
    for c, d in enumerate(districts):
        cells = []
        for r, k in enumerate(types):
            text = num(values[r, c]) + (ESTIMATE_MARK if (k, d) in estimated else "")
            cells.append(f"{text} {CORE_MARK}" if (k, d) in cores else text)
        rows.append([names.d(d), *cells])
        heat.append([None, *(float(values[r, c]) for r in range(len(types)))])
    mark = f"; {CORE_MARK} = a core of this run" if cores else ""
    if estimated and mark_note:
        mark += f"; {mark_note}"
    return Table(
        ["district", *types],
        rows,
        heat=heat,
        caption=f"Specialization fit of each type in each district (0..1){mark}.",
        numeric=[False, *([True] * len(types))],
    )


def district_frame(tables: IndicatorTables, region: Region) -> pd.DataFrame:
    """Per district: population, border flag, access minutes, Hoover and Krugman indices."""
    indices = specialization_indices(tables.activity)
    districts = region.districts
    return pd.DataFrame(
        {
            "population": districts["population"].astype(float),
            "border": districts["border"].astype(bool),
            "border_minutes": tables.border_minutes.astype(float),
            "corridor_minutes": tables.corridor_minutes.astype(float),
            "hoover": indices["hoover"].astype(float),
            "krugman": indices["krugman"].astype(float),
        },
        index=pd.Index(region.district_ids, name="district"),
    )


def access_table(frame: pd.DataFrame, names: Names) -> Table:
    """The district frame as a table."""
    rows = []
    for d, pop, border, tb, tc, hoover, krugman in frame.itertuples():
        rows.append(
            [
                names.d(str(d)),
                "–" if math.isnan(pop) else f"{pop:,.0f}",
                "yes" if border else "",
                num(tb, 0),
                num(tc, 0),
                num(hoover),
                num(krugman),
            ]
        )
    return Table(
        [
            "district",
            "population",
            "border",
            "to crossing, min",
            "to federal road, min",
            "Hoover",
            "Krugman",
        ],
        rows,
        caption="Access (shortest road minutes) and specialization of each district's sector "
        "mix: Hoover ½Σ|own share − regional share| in [0, 1); Krugman Σ|own share − rest of "
        "region| in [0, 2].",
        numeric=[False, True, False, True, True, True, True],
    )


def stars_table(
    activity: pd.DataFrame, names: Names, least: int = 2, limit: int | None = None
) -> Table | None:
    """District–sector pairs with at least ``least`` stars, the first ``limit`` of them."""
    stars = cluster_stars(activity)
    if stars.empty:
        return None
    top = stars[stars["stars"] >= least].sort_values(
        by=["stars", "lq"], ascending=[False, False], kind="stable"
    )
    shown = top if limit is None else top.head(limit)
    rows = []
    for district, sector, value, lq, size, special, focus, count in shown[
        [
            "district",
            "sector",
            "value",
            "lq",
            "size_star",
            "specialization_star",
            "focus_star",
            "stars",
        ]
    ].itertuples(index=False):
        which = [
            label
            for label, flag in (("size", size), ("specialization", special), ("focus", focus))
            if flag
        ]
        rows.append(
            [
                names.d(str(district)),
                str(sector),
                f"{value:,.0f}",
                num(lq, 2),
                "★" * int(count),
                ", ".join(which),
            ]
        )
    return Table(
        ["district", "sector", "activity", "LQ", "stars", "which"],
        rows,
        caption="Cluster stars (European Cluster Observatory): size = top decile of the sector's "
        "districts, specialization = LQ ≥ 2, focus = top decile of the district shares; "
        f"{len(top)} of {len(stars)} district–sector pairs with activity have {least} or more "
        "stars" + (f"; the first {len(shown)} are listed." if len(shown) < len(top) else "."),
        numeric=[False, False, True, True, False, False],
    )


def type_fit_frame(fit: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    """Fit of the chosen types, one row per district (for CSV output)."""
    frame = fit.loc[types].T.astype(float)
    frame.index.name = "district"
    return frame
