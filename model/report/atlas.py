"""The indicator atlas of a region: indicator tables as CSV and one fit map per cluster type.

Nothing is solved: the indicators of docs/model.md §4 are computed with a scenario's indicator
settings (the defaults unless a scenario is given) and written with a short ``atlas.md`` that
lists the files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.indicators import cluster_stars
from model.instance import IndicatorTables, compute_indicators
from model.region import Region
from model.report.document import Document, Figure, Paragraph, Section, Table
from model.report.formatting import Names
from model.report.geo import load_shapes
from model.report.indicator_tables import district_frame, type_fit_frame
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
    }


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
        figure = choropleth_figure(
            region, shapes, values, f"Specialization fit: {cluster.name}", "fit (0..1)"
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
    }
    if file_name in fixed:
        return fixed[file_name]
    type_id = file_name.removeprefix("fit_").removesuffix(".png")
    return f"map of the fit of {names.t(type_id)}"
