"""One report for several runs: a summary line per change, maps, side-by-side tables.

``compare`` calls :func:`write_comparison_report` with the solved runs, or with map panels of
saved run folders (:func:`saved_panel`), and its own tables and summary lines; without tables,
a sitings table and a terms table are computed here from the runs. Writes
``comparison_maps.png``, ``comparison.md`` (the one Markdown file of a comparison: summary,
tables, maps and provenance) and a self-contained, printable ``comparison.html``.

Every map after the first rings the cores that moved against the first (the reference) and
says in its title, in plain words, how the objective changed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from model.compare import MARKS_NOTE
from model.pipeline import RunResult
from model.region import Region
from model.report.content import (
    TERM_LABELS,
    estimate_blocks,
    licences_section,
    outcome_sentence,
)
from model.report.document import (
    Bullets,
    Callout,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
)
from model.report.estimates import map_marks, run_bases
from model.report.explain import TERMS
from model.report.formatting import Names, num
from model.report.geo import RegionShapes, load_shapes
from model.report.html import render_html
from model.report.maps import (
    GREENFIELD_LABEL,
    NOTICE_COLOUR,
    MapLayers,
    MapMarks,
    SitingLike,
    core_positions,
    crossing_handles,
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
    "comparison.md",
    "comparison.html",
)
LEGACY_MARKDOWN_FILE = "comparison_report.md"  # before the merge; no longer written
COLUMNS = 2  # maps per row: two stay readable on a printed A4 page
MOVED_COLOUR = "#d00000"


@dataclass(frozen=True)
class MapPanel:
    """One small map of a comparison: a run's region, sitings and marks, and its title."""

    label: str
    region: Region
    sitings: Sequence[SitingLike]
    types: list[str]
    marks: MapMarks
    objective: float | None
    status: str
    weights: dict[str, float] = field(default_factory=dict)


def result_panel(result: RunResult, label: str) -> MapPanel:
    """The panel of a freshly solved run."""
    return MapPanel(
        label,
        result.region,
        result.sitings(),
        list(result.instance.types),
        map_marks(run_bases(result)),
        result.objective,
        result.status,
        dict(result.loaded.scenario.weights.model_dump()),
    )


def saved_panel(folder: Path, label: str) -> MapPanel:
    """The panel of a saved run folder (its region must still be where the run found it)."""
    from model.report.saved import read_saved_run
    from model.saved import read_summary

    saved = read_saved_run(folder)
    _, summary = read_summary(folder)
    objective = summary.get("objective")
    weights = summary.get("scenario", {}).get("weights", {})
    return MapPanel(
        label,
        saved.region,
        saved.sitings,
        saved.types,
        saved.marks,
        float(objective) if isinstance(objective, int | float) else None,
        str(summary.get("status", "?")),
        {str(k): v for k, v in weights.items()} if isinstance(weights, dict) else {},
    )


def moved_cores(panel: MapPanel, reference: MapPanel) -> set[tuple[str, str]]:
    """Cores of ``panel`` whose type has other cores in the reference."""

    def cores(p: MapPanel) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for s in p.sitings:
            found.setdefault(s.cluster_type, []).append(s.core)
        return {k: sorted(v) for k, v in found.items()}

    mine, theirs = cores(panel), cores(reference)
    return {
        (s.cluster_type, s.core)
        for s in panel.sitings
        if mine.get(s.cluster_type) != theirs.get(s.cluster_type)
    }


def panel_title(panel: MapPanel, reference: MapPanel) -> str:
    """The map's title in plain words: the reference, or how the objective changed."""
    if panel.objective is None:
        return f"{panel.label}: no siting ({panel.status})"
    proven = "" if panel.status == "optimal" else " (not proven optimal)"
    if panel is reference:
        return f"{panel.label} (reference){proven}"
    if panel.weights != reference.weights:
        return f"{panel.label}: other weights, objective not comparable{proven}"
    if reference.objective is None or reference.objective == 0:
        return f"{panel.label}{proven}"
    change = (panel.objective - reference.objective) / abs(reference.objective)
    if abs(change) < 5e-4:
        return f"{panel.label}: objective as {reference.label}{proven}"
    word = "lower" if change < 0 else "higher"
    return f"{panel.label}: objective {abs(change):.1%} {word} than {reference.label}{proven}"


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


def maps_figure(
    runs: Sequence[RunResult] | Sequence[MapPanel], labels: list[str] | None = None
) -> MplFigure:
    """One map per run on a grid (two per row), with one legend of the cluster types; every
    map after the first rings the cores that moved against the first."""
    panels: list[MapPanel] = []
    for run, label in zip(runs, labels or [""] * len(runs), strict=True):
        if isinstance(run, MapPanel):
            panels.append(run)
        else:
            assert isinstance(run, RunResult)
            panels.append(result_panel(run, label))
    count = len(panels)
    columns = min(COLUMNS, count)
    rows = math.ceil(count / columns)
    height = 5.6 * rows + 1.0
    figure = MplFigure(figsize=(6.4 * columns, height), dpi=100)
    grid = figure.add_gridspec(
        rows,
        columns,
        left=0.04,
        right=0.99,
        top=1 - 0.45 / height,
        bottom=0.85 / height,
        wspace=0.12,
        hspace=0.16,
    )
    shapes_of: dict[Path, RegionShapes] = {}
    any_greenfield = any_moved = False
    reference = panels[0]
    for n, panel in enumerate(panels):
        region = panel.region
        if region.path not in shapes_of:
            shapes_of[region.path] = load_shapes(region.path, set(region.district_ids))
        layers = MapLayers(region, shapes_of[region.path])
        ax = figure.add_subplot(grid[n // columns, n % columns])
        marks = panel.marks
        any_greenfield = any_greenfield or bool(marks.greenfield)
        styles = type_styles(list(region.clusters))
        draw_sitings(ax, layers, panel.sitings, styles, small=True, greenfield=marks.greenfield)
        moved = moved_cores(panel, reference) if panel is not reference else set()
        if moved:
            any_moved = True
            ring_cores(ax, layers, panel.sitings, moved)
        finish_axes(ax, layers, layers.shapes.attribution, small=True)
        cores = {s.core for s in panel.sitings}
        suffix = {d: marks.label_suffix(d) for d in cores}
        draw_labels(ax, layers, cores, small=True, suffix=suffix)
        short = marks.notice and map_notice_short(marks)
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
        ax.set_title(panel_title(panel, reference), fontsize=10, loc="left")
    region = panels[0].region
    styles = type_styles(list(region.clusters))
    shown = [k for k in region.clusters if any(k in p.types for p in panels)]
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
    if any_moved:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor=MOVED_COLOUR,
                markeredgewidth=2,
                label=f"ringed: core moved against {reference.label}",
            )
        )
    handles += crossing_handles(region)
    figure.legend(
        handles=handles, loc="lower center", ncols=min(len(handles), 4), fontsize=8, frameon=False
    )
    return figure


def map_notice_short(marks: MapMarks) -> str | None:
    """The short estimate notice of a panel (the marks carry the long one)."""
    return marks.short_notice or None


def ring_cores(
    ax: Axes, layers: MapLayers, sitings: Sequence[SitingLike], moved: set[tuple[str, str]]
) -> None:
    """A red ring around each moved core."""
    positions = core_positions(layers, sitings)
    xs = [positions[site][0] for site in sorted(moved)]
    ys = [positions[site][1] for site in sorted(moved)]
    ax.scatter(
        xs,
        ys,
        s=330,
        facecolors="none",
        edgecolors=MOVED_COLOUR,
        linewidths=2.0,
        zorder=9,
    )


def comparison_document(
    panels: list[MapPanel],
    maps_png: bytes | None,
    tables: Mapping[str, pd.DataFrame],
    summary: list[str] | None = None,
    results: list[RunResult] | None = None,
    notes: list[str] | None = None,
) -> Document:
    """The comparison as one document: summary lines, maps, tables, provenance, licences."""
    labels = [p.label for p in panels]
    document = Document(
        title="Scenario comparison: " + ", ".join(labels),
        subtitle=f"{len(panels)} runs; the first, {labels[0]}, is the reference.",
    )
    for result, label in zip(results or [], labels, strict=False):
        sentence, proven = outcome_sentence(result)
        if not proven:
            document.lead.append(Callout(f"{label}: {sentence}"))
    region = panels[0].region
    provenance = read_provenance(region.path)
    document.lead.append(Callout(provenance.warning))
    if summary:
        document.sections.append(Section("In one line each", [Bullets(list(summary))]))
    if maps_png is not None:
        document.sections.append(
            Section(
                "Maps",
                [
                    Figure(
                        MAPS_FILE,
                        maps_png,
                        "Maps of the compared runs",
                        caption="One map per run; cores coloured by type, members shaded and "
                        "linked to their core, border crossings as black squares; a red ring "
                        f"marks a core that moved against {labels[0]}.",
                    )
                ],
            )
        )
    for note in notes or []:
        document.lead.append(Callout(note, kind="note"))
    section = Section("Side by side", [])
    for title, frame in tables.items():
        caption = MARKS_NOTE if "change" in " ".join(map(str, frame.columns)) else ""
        section.add(Section(title, [frame_table(frame, caption)]))
    if not tables:
        section.add(Paragraph("No tables were given."))
    document.sections.append(section)
    document.sections.append(
        Section(
            "Data provenance",
            [
                Paragraph(f"Region folder: `{region.path}`."),
                *estimate_blocks(provenance),
            ],
        )
    )
    credit = load_shapes(region.path, set(region.district_ids)).attribution
    document.sections.append(licences_section(provenance, credit))
    return document


def write_comparison_report(
    results: list[RunResult],
    folder: Path,
    tables: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    labels: list[str] | None = None,
    summary: list[str] | None = None,
    panels: list[MapPanel] | None = None,
    notes: list[str] | None = None,
    draw_maps: bool = True,
) -> list[Path]:
    """Write comparison_maps.png (unless ``draw_maps`` is false), comparison.md and
    comparison.html into ``folder``.

    ``panels`` (one per compared run, e.g. saved run folders) replace the maps of
    ``results``; ``summary``: one plain-language line per run after the first.
    """
    if not results and not panels:
        raise ValueError("nothing to compare")
    labels = labels or run_labels(results)
    if panels is None:
        panels = [result_panel(r, label) for r, label in zip(results, labels, strict=True)]
    if tables is None:
        titled: Mapping[str, pd.DataFrame] = {
            "Sitings: core (number of members)": sitings_frame(results, labels),
            "Objective and terms": terms_frame(results, labels),
        }
    elif isinstance(tables, pd.DataFrame):
        titled = {"Comparison": tables}
    else:
        titled = tables
    png: bytes | None = None
    if draw_maps:
        buffer = io.BytesIO()
        save_figure(maps_figure(panels), buffer)
        png = buffer.getvalue()
    document = comparison_document(panels, png, titled, summary, results, notes)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / MAPS_FILE] if png is not None else []
    paths += [folder / MARKDOWN_FILE, folder / HTML_FILE]
    if png is not None:
        paths[0].write_bytes(png)
    paths[-2].write_text(render_markdown(document), encoding="utf-8")
    paths[-1].write_text(render_html(document), encoding="utf-8")
    return paths
