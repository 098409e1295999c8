"""One report for several runs: small multiples of their maps and side-by-side tables.

``compare`` calls :func:`write_comparison_report` with the solved runs and, when it has them,
its own tables (a DataFrame, or titled DataFrames); without tables, a sitings table and a
terms table are computed here from the runs. Writes ``comparison_maps.png``,
``comparison_report.md`` and a self-contained ``comparison.html``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from model.pipeline import RunResult
from model.report.content import (
    TERM_LABELS,
    estimate_blocks,
    licences_section,
    outcome_sentence,
)
from model.report.document import Callout, Document, Figure, Paragraph, Section, Table
from model.report.estimates import map_marks, map_notice, run_bases
from model.report.explain import TERMS
from model.report.formatting import Names, num
from model.report.geo import RegionShapes, load_shapes
from model.report.html import render_html
from model.report.maps import (
    GREENFIELD_LABEL,
    NOTICE_COLOUR,
    MapLayers,
    draw_labels,
    draw_sitings,
    finish_axes,
    save_figure,
)
from model.report.markdown import render_markdown
from model.report.provenance import read_provenance
from model.report.style import type_styles

MAPS_FILE, MARKDOWN_FILE, HTML_FILE = (
    "comparison_maps.png",
    "comparison_report.md",
    "comparison.html",
)
COLUMNS = 3  # maps per row


def run_labels(results: list[RunResult]) -> list[str]:
    """Scenario names, made unique with a counter where two runs share one."""
    labels: list[str] = []
    for result in results:
        base = result.loaded.scenario.name
        label, n = base, 2
        while label in labels:
            label, n = f"{base}-{n}", n + 1
        labels.append(label)
    return labels


def sitings_frame(results: list[RunResult], labels: list[str]) -> pd.DataFrame:
    """Rows: cluster types; columns: runs; cells: core (number of members)."""
    names = Names(results[0].region)
    types: list[str] = []
    for result in results:
        types += [k for k in result.instance.types if k not in types]
    columns = {}
    for result, label in zip(results, labels, strict=True):
        cells: dict[str, list[str]] = {k: [] for k in types}
        for siting in result.sitings():
            cells[siting.cluster_type].append(f"{names.d(siting.core)} ({len(siting.members)})")
        columns[label] = ["; ".join(c) or "–" for c in cells.values()]
    frame = pd.DataFrame(columns, index=pd.Index([names.t(k) for k in types], name="cluster type"))
    return frame


def terms_frame(results: list[RunResult], labels: list[str]) -> pd.DataFrame:
    """Rows: status, objective and the weighted terms; columns: runs."""
    rows = ["status", "objective", *(TERM_LABELS[t] for t in TERMS)]
    columns = {}
    for result, label in zip(results, labels, strict=True):
        values = [result.objective, *(result.terms.get(t) for t in TERMS)]
        columns[label] = [result.status, *(num(v, 4) for v in values)]
    return pd.DataFrame(columns, index=pd.Index(rows, name="measure"))


def frame_table(frame: pd.DataFrame, caption: str = "") -> Table:
    """A DataFrame as a report table, its index as the first column."""

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, float):
            return f"{value:.4f}"
        return str(value)

    rows = [
        [text(label), *(text(v) for v in row)]
        for label, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return Table([str(frame.index.name or ""), *map(str, frame.columns)], rows, caption=caption)


def maps_figure(results: list[RunResult], labels: list[str]) -> MplFigure:
    """One small map per run on a grid, with one legend of the cluster types."""
    count = len(results)
    columns = min(COLUMNS, count)
    rows = math.ceil(count / columns)
    figure = MplFigure(figsize=(4.6 * columns, 4.3 * rows + 0.9), dpi=100)
    grid = figure.add_gridspec(
        rows,
        columns,
        left=0.04,
        right=0.99,
        top=1 - 0.45 / (4.3 * rows + 0.9),
        bottom=0.75 / (4.3 * rows + 0.9),
        wspace=0.12,
        hspace=0.18,
    )
    shapes_of: dict[Path, RegionShapes] = {}
    any_greenfield = False
    for n, (result, label) in enumerate(zip(results, labels, strict=True)):
        region = result.region
        if region.path not in shapes_of:
            shapes_of[region.path] = load_shapes(region.path, set(region.district_ids))
        shapes = shapes_of[region.path]
        layers = MapLayers(region, shapes)
        ax = figure.add_subplot(grid[n // columns, n % columns])
        sitings = result.sitings()
        bases = run_bases(result)
        marks = map_marks(bases)
        any_greenfield = any_greenfield or bool(marks.greenfield)
        draw_sitings(
            ax,
            layers,
            sitings,
            type_styles(list(region.clusters)),
            small=True,
            greenfield=marks.greenfield,
        )
        cores = {s.core for s in sitings}
        suffix = {d: marks.label_suffix(d) for d in cores}
        draw_labels(ax, layers, cores, small=True, suffix=suffix)
        short = map_notice(bases, short=True)
        if short:  # inside the map's upper left corner: below it sits the common legend
            ax.text(
                0.01,
                0.99,
                short,
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=7,
                color=NOTICE_COLOUR,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
                zorder=10,
            )
        finish_axes(ax, layers, layers.shapes.attribution, small=True)
        value = f"{result.objective:.3f}" if result.objective is not None else "–"
        status = "" if result.status == "optimal" else f" [{result.status}, NOT optimal]"
        ax.set_title(f"{label}: {value}{status}", fontsize=10, loc="left")
    region = results[0].region
    styles = type_styles(list(region.clusters))
    shown = [k for k in region.clusters if any(k in r.instance.types for r in results)]
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=styles[k].marker,
            markersize=9,
            markerfacecolor=styles[k].colour,
            markeredgecolor="black",
            label=region.clusters[k].name,
        )
        for k in shown
    ]
    if any_greenfield:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor="#555555",
                markeredgewidth=2,
                label=GREENFIELD_LABEL,
            )
        )
    figure.legend(
        handles=handles, loc="lower center", ncols=min(len(handles), 4), fontsize=8, frameon=False
    )
    return figure


def comparison_document(
    results: list[RunResult],
    labels: list[str],
    maps_png: bytes,
    tables: Mapping[str, pd.DataFrame],
) -> Document:
    document = Document(
        title="Scenario comparison: " + ", ".join(labels),
        subtitle=f"{len(results)} runs; the first is the reference.",
    )
    for result, label in zip(results, labels, strict=True):
        sentence, proven = outcome_sentence(result)
        if not proven:
            document.lead.append(Callout(f"{label}: {sentence}"))
    provenance = read_provenance(results[0].region.path)
    document.lead.append(Callout(provenance.warning))
    document.sections.append(
        Section(
            "Maps",
            [
                Figure(
                    MAPS_FILE,
                    maps_png,
                    "Maps of the compared runs",
                    caption="One map per run (title: scenario and objective); cores coloured by "
                    "type, members shaded and linked to their core.",
                )
            ],
        )
    )
    section = Section("Side by side", [])
    for title, frame in tables.items():
        section.add(Section(title, [frame_table(frame)]))
    if not tables:
        section.add(Paragraph("No tables were given."))
    document.sections.append(section)
    document.sections.append(
        Section(
            "Data provenance",
            [
                Paragraph(f"Region folder: `{results[0].region.path}`."),
                *estimate_blocks(provenance),
            ],
        )
    )
    credit = load_shapes(results[0].region.path, set(results[0].region.district_ids)).attribution
    document.sections.append(licences_section(provenance, credit))
    return document


def write_comparison_report(
    results: list[RunResult],
    folder: Path,
    tables: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    labels: list[str] | None = None,
) -> list[Path]:
    """Write comparison_maps.png, comparison_report.md and comparison.html into ``folder``."""
    if not results:
        raise ValueError("nothing to compare")
    labels = labels or run_labels(results)
    if tables is None:
        titled: Mapping[str, pd.DataFrame] = {
            "Sitings: core (number of members)": sitings_frame(results, labels),
            "Objective and terms": terms_frame(results, labels),
        }
    elif isinstance(tables, pd.DataFrame):
        titled = {"Comparison": tables}
    else:
        titled = tables
    buffer = io.BytesIO()
    save_figure(maps_figure(results, labels), buffer)
    png = buffer.getvalue()
    document = comparison_document(results, labels, png, titled)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / MAPS_FILE, folder / MARKDOWN_FILE, folder / HTML_FILE]
    paths[0].write_bytes(png)
    paths[1].write_text(render_markdown(document), encoding="utf-8")
    paths[2].write_text(render_html(document), encoding="utf-8")
    return paths
