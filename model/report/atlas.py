"""The indicator atlas of a region: indicator tables as CSV and one fit map per cluster type.

Nothing is solved: the indicators of docs/model.md §4 are computed with a scenario's indicator
settings (the defaults unless a scenario is given) and written with a short ``atlas.md`` that
lists the files and shows the LQ and fit tables.

Estimate marks: ``lq_basis.csv`` gives, per (district, sector) with activity, the activity, its
estimated part and share, the bases and the oldest year; ``fit_basis.csv`` the same per
(district, type) for the type's own-sector activity, with the greenfield flag. In atlas.md an
LQ or fit is marked ``†`` when more than half (``model.report.estimates.MAJORITY``) of the
activity behind it is estimated; each fit map says in the figure how many districts' fits are
so marked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.indicators import cluster_stars
from model.instance import IndicatorTables, compute_indicators
from model.region import Region
from model.report.document import Document, Figure, Paragraph, Section, Table
from model.report.estimates import (
    MAJORITY,
    MARK,
    UNSTATED_TEXT,
    fit_basis_frame,
    fit_marks,
    lq_basis_frame,
    lq_marks,
)
from model.report.formatting import Names
from model.report.geo import load_shapes
from model.report.indicator_tables import district_frame, fit_table, lq_table, type_fit_frame
from model.report.maps import choropleth_figure, save_figure
from model.report.markdown import render_markdown
from model.report.provenance import read_provenance
from model.scenario import Scenario


def indicator_frames(tables: IndicatorTables, region: Region) -> dict[str, pd.DataFrame]:
    """The CSV tables of the atlas, by file stem."""
    types = list(region.clusters)
    lq = tables.lq.copy()
    lq.index.name = "district"
    export = tables.export.loc[types].T.astype(float)
    export.index.name = "district"
    times = tables.times.copy()
    times.index.name = "district"
    return {
        "lq": lq,
        "fit": type_fit_frame(tables.fit, types),
        "export": export,
        "districts": district_frame(tables, region),
        "travel_minutes": times,
        "stars": cluster_stars(tables.activity).set_index(["district", "sector"]),
        "lq_basis": lq_basis_frame(region),
        "fit_basis": fit_basis_frame(region, types),
    }


MAX_ATLAS_TABLE_DISTRICTS = 60  # larger regions: the LQ and fit tables only as CSV
ATLAS_MARK_NOTE = (
    f"{MARK} rests on estimates: more than {MAJORITY:.0%} of the activity behind the number "
    "(the district's activity in the sector, or in the type's sectors for a fit) is estimated; "
    "`lq_basis.csv` and `fit_basis.csv` give the share of every number"
)


def unstated_sentence(region: Region) -> str:
    """' …' when activity rows do not state their basis ('' when every row does)."""
    marks = lq_marks(region)
    unstated = sum(1 for c in marks.values() if c.unstated_only)
    if not unstated:
        return ""
    return (
        f" {unstated} of the {len(marks)} district–sector pairs with activity do not state "
        f"their basis ({UNSTATED_TEXT}): they carry no mark, which does not mean they are "
        "measured."
    )


def fit_notice(region: Region, cluster_type: str) -> str | None:
    """The estimate notice of one fit map (None when nothing behind it is estimated/unstated)."""
    marks = fit_marks(region, [cluster_type])
    names = Names(region)
    marked = [d for (_, d), c in marks.items() if c.marked]
    if marked:
        shown = ", ".join(names.d(d) for d in marked[:4]) + (", ..." if len(marked) > 4 else "")
        return (
            f"{MARK} The fit rests on estimates (more than {MAJORITY:.0%} of the activity in the "
            f"type's sectors estimated) in {len(marked)} of {len(region.district_ids)} "
            f"districts: {shown}. See fit_basis.csv."
        )
    partly = [d for (_, d), c in marks.items() if c.has_estimate]
    if partly:
        return (
            f"The fit rests partly on estimates (at most {MAJORITY:.0%}) in {len(partly)} of "
            f"{len(region.district_ids)} districts. See fit_basis.csv."
        )
    if any(c.unstated_only for c in marks.values()):
        return f"Activity behind the fit: {UNSTATED_TEXT}."
    return None


def write_atlas(region: Region, folder: Path, scenario: Scenario | None = None) -> list[Path]:
    """Write the CSV tables, fit_<type>.png per type and atlas.md into ``folder``."""
    scenario = scenario or Scenario.model_validate({"name": "indicators"})
    tables = compute_indicators(region, scenario)
    written = []
    for stem, frame in indicator_frames(tables, region).items():
        path = folder / f"{stem}.csv"
        frame.to_csv(path, lineterminator="\n", float_format="%.6g")
        written.append(path)
    shapes = load_shapes(region.path, set(region.district_ids))
    names = Names(region)
    figures = []
    for k, cluster in region.clusters.items():
        row = tables.fit.loc[k].to_numpy(dtype=float)
        values = {str(d): float(v) for d, v in zip(tables.fit.columns, row, strict=True)}
        marked = {d for (_, d), c in fit_marks(region, [k]).items() if c.marked}
        figure = choropleth_figure(
            region,
            shapes,
            values,
            f"Specialization fit: {cluster.name}",
            "fit (0..1)",
            notice=fit_notice(region, k),
            suffix={d: MARK for d in marked},
        )
        path = folder / f"fit_{k}.png"
        save_figure(figure, path)
        written.append(path)
        figures.append(Figure(path.name, b"", f"fit of {cluster.name}", caption=cluster.name))
    provenance = read_provenance(region.path)
    document = Document(
        title=f"Indicator atlas: {region.path.name}",
        subtitle=f"LQ cap {scenario.indicators.lq_cap:g}; nothing solved.",
    )
    document.lead.append(Paragraph(provenance.warning[:1].upper() + provenance.warning[1:]))
    document.sections.append(
        Section(
            "Files",
            [
                Table(
                    ["file", "content"],
                    [[f"`{p.name}`", _describe(p.name, names)] for p in written],
                )
            ],
        )
    )
    types = list(region.clusters)
    if len(region.district_ids) <= MAX_ATLAS_TABLE_DISTRICTS:
        lq_marked = {key for key, c in lq_marks(region).items() if c.marked}
        fit_marked = {key for key, c in fit_marks(region, types).items() if c.marked}
        short = f"{MARK} rests on estimates (see above)"
        document.sections.append(
            Section(
                "Tables",
                [
                    Paragraph(f"{ATLAS_MARK_NOTE}.{unstated_sentence(region)}"),
                    lq_table(tables.lq, names, scenario.indicators.lq_cap, lq_marked, short),
                    fit_table(tables.fit, types, names, set(), fit_marked, short),
                ],
            )
        )
    else:
        document.sections.append(
            Section(
                "Tables",
                [
                    Paragraph(
                        f"The region has {len(region.district_ids)} districts: the LQ and fit "
                        f"tables are in the CSV files only. {ATLAS_MARK_NOTE}."
                    )
                ],
            )
        )
    document.sections.append(Section("Fit maps", list(figures)))
    markdown = folder / "atlas.md"
    markdown.write_text(render_markdown(document), encoding="utf-8")
    return [*written, markdown]


def _describe(file_name: str, names: Names) -> str:
    fixed = {
        "lq.csv": "location quotients, district × sector",
        "fit.csv": "specialization fit, district × cluster type (0..1)",
        "export.csv": "export orientation, district × cluster type (0..1)",
        "districts.csv": "population, border flag, minutes to a crossing and to a federal road, "
        "Hoover and Krugman specialization",
        "travel_minutes.csv": "shortest road minutes, district × district",
        "stars.csv": "European Cluster Observatory stars per district and sector with activity",
        "lq_basis.csv": "the basis of each LQ: activity, estimated part and share, bases, oldest "
        "year, per district and sector with activity",
        "fit_basis.csv": "the basis of each fit: the type's own-sector activity, estimated share, "
        "bases, oldest year, single estimated row, greenfield, per district and type",
    }
    if file_name in fixed:
        return fixed[file_name]
    type_id = file_name.removeprefix("fit_").removesuffix(".png")
    return f"map of the fit of {names.t(type_id)}"
