"""The siting map: districts, border, road links, cluster cores and their members.

Drawn with matplotlib's object API (``Figure`` + Agg canvas, no pyplot state, no display
needed). Coordinates are longitude/latitude on a plate carrée with the aspect corrected at the
region's mean latitude, which keeps a region the size of an oblast true to shape within a few
per cent and needs no projection library; a scale bar (valid at the mean latitude) and a
graticule give distance and position. A region without ``boundaries.geojson`` is drawn as
points at the admin centres of ``districts.csv``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import numpy as np

import model.report.matplotlib_import  # noqa: F401  (first: matplotlib without its docstrings)

# isort: split
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from model.report.geo import RegionShapes, Ring
from model.report.map_data import (  # noqa: F401 (re-exported: the maps' public names)
    ESTIMATE_MARK,
    GREENFIELD_LABEL,
    MapMarks,
    MapSiting,
    RegionLike,
    SitingLike,
)
from model.report.style import TypeStyle, type_styles

KM_PER_DEGREE = 111.32  # length of a degree of latitude (and of longitude at the equator)
BASE_FILL, EDGE = "#eeeeec", "#9a9a96"
ROAD_COLOURS = {"federal": "#5c5c5c", "regional": "#a0a0a0", "local": "#c4c4c4"}
ROAD_WIDTHS = {"federal": 2.2, "regional": 1.0, "local": 0.8}
BORDER_COLOUR = "#7a0019"
MANY_DISTRICTS = 60  # above this, only cores are named and points shrink
SCALE_STEPS_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)
RGB = tuple[float, float, float]
HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


NOTICE_COLOUR = "#7a4b00"


@dataclass(frozen=True)
class MapLayers:
    """Everything drawn under the sitings: one region's geometry and network."""

    region: RegionLike
    shapes: RegionShapes

    @cached_property
    def points(self) -> dict[str, tuple[float, float]]:
        frame = self.region.districts
        return {
            str(d): (float(lon), float(lat))
            for d, lon, lat in zip(frame.index, frame["lon"], frame["lat"], strict=True)
        }

    @property
    def mean_latitude(self) -> float:
        return float(self.region.districts["lat"].mean())


def _oriented(ring: Ring, clockwise: bool) -> Ring:
    """The ring in the wanted direction, so that holes stay empty under the nonzero rule."""
    x, y = ring[:, 0], ring[:, 1]
    signed_area = 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return ring[::-1] if (signed_area < 0) != clockwise else ring


def polygon_path(polygons: list[list[Ring]]) -> MplPath:
    """One compound path of a district's polygons (exterior rings CCW, holes CW)."""
    parts = []
    for polygon in polygons:
        for n, ring in enumerate(polygon):
            parts.append(MplPath(_oriented(ring, clockwise=n > 0), closed=True))
    return MplPath.make_compound_path(*parts)


def draw_districts(ax: Axes, layers: MapLayers, fills: dict[str, str | RGB] | None = None) -> None:
    """District polygons (or points) with an optional fill colour per district."""
    fills = fills or {}
    shapes = layers.shapes
    districts = list(shapes.polygons)
    if districts:
        # one collection, added without updating the data limits (set later from the extent):
        # per-patch limit updates of a few thousand vertices cost more than drawing them
        collection = PathCollection(
            [polygon_path(shapes.polygons[d]) for d in districts],
            facecolors=[fills.get(d, BASE_FILL) for d in districts],
            edgecolors=EDGE,
            linewidths=0.6,
            zorder=1,
        )
        ax.add_collection(collection, autolim=False)
    unshaped = [d for d in layers.region.district_ids if d not in shapes.polygons]
    if unshaped:
        points = layers.points
        ax.scatter(
            [points[d][0] for d in unshaped],
            [points[d][1] for d in unshaped],
            s=point_size(len(layers.points)),
            c=[fills.get(d, BASE_FILL) for d in unshaped],
            edgecolors=EDGE,
            linewidths=0.8,
            zorder=1,
        )


def point_size(count: int) -> float:
    """Marker area of a district drawn as a point: smaller as the districts get more."""
    return float(min(150.0, max(6.0, 150.0 * math.sqrt(27 / max(count, 1)))))


def draw_hatch(ax: Axes, layers: MapLayers, district: str, colour: str, pattern: str) -> None:
    """Hatching in a type's colour over a district (a second or third role there)."""
    polygons = layers.shapes.polygons.get(district)
    if polygons is None:
        x, y = layers.points[district]
        size = 1.8 * point_size(len(layers.points))
        ax.scatter([x], [y], s=size, facecolors="none", edgecolors=colour, linewidths=2, zorder=2)
        return
    patch = PathPatch(
        polygon_path(polygons),
        facecolor="none",
        edgecolor=colour,
        hatch=pattern,
        linewidth=0,
        zorder=2,
    )
    patch.set_transform(ax.transData)
    ax.add_artist(patch)  # not add_patch: the limits are set from the extent


def draw_network(ax: Axes, layers: MapLayers) -> None:
    """Road links between admin centres (federal links heavier) and the state border."""
    points = layers.points
    roads = layers.region.roads
    for zorder, kind in enumerate(("local", "regional", "federal")):
        chosen = roads[roads["kind"] == kind]
        segments = [[points[a], points[b]] for a, b in zip(chosen["a"], chosen["b"], strict=True)]
        if segments:
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=ROAD_COLOURS[kind],
                    linewidths=ROAD_WIDTHS[kind],
                    capstyle="round",
                    zorder=3 + zorder / 10,
                ),
                autolim=False,
            )
    for line in layers.shapes.border_lines:
        ax.plot(line[:, 0], line[:, 1], color=BORDER_COLOUR, linewidth=2.4, zorder=4)
        ax.plot(
            line[:, 0],
            line[:, 1],
            color="white",
            linewidth=0.9,
            linestyle=(0, (4, 3)),
            zorder=4,
        )
    draw_crossings(ax, layers)


CROSSING_COLOUR = "#111111"


def crossing_points(layers: MapLayers) -> list[tuple[float, float, str, str]]:
    """(lon, lat, mode, name) of every border crossing.

    ``crossings.csv`` names a crossing's district, not its position: it is drawn on the state
    border line at the point nearest the district's admin centre (at the centre when the
    region has no border line); several crossings of one district sit side by side along the
    border, a fixed small step apart, so the drawing is the same on every run.
    """
    crossings = layers.region.crossings
    if crossings is None or crossings.empty:
        return []
    lines = layers.shapes.border_lines
    vertices = np.concatenate([line[:, :2] for line in lines]) if lines else None
    cos_lat = math.cos(math.radians(layers.mean_latitude))
    found = []
    seen: dict[str, int] = defaultdict(int)
    for _, row in crossings.iterrows():
        district = str(row["district"])
        x, y = layers.points[district]
        if vertices is not None and len(vertices):
            dx = (vertices[:, 0] - x) * cos_lat
            dy = vertices[:, 1] - y
            nearest = int(np.argmin(dx * dx + dy * dy))
            x, y = float(vertices[nearest, 0]), float(vertices[nearest, 1])
        step = seen[district]
        seen[district] += 1
        found.append((x, y + 0.035 * step, str(row.get("mode", "road")), str(row["name"])))
    return found


def draw_crossings(ax: Axes, layers: MapLayers, small: bool = False) -> None:
    """Border crossings: filled squares for road crossings, hollow ones for rail."""
    for x, y, mode, _ in crossing_points(layers):
        rail = mode.strip().lower() == "rail"
        ax.scatter(
            [x],
            [y],
            s=16 if small else 34,
            marker="s",
            facecolors="white" if rail else CROSSING_COLOUR,
            edgecolors=CROSSING_COLOUR,
            linewidths=1.1,
            zorder=7,
        )


def crossing_handles(region: RegionLike) -> list[Line2D]:
    """Legend entries of the crossings (none when the region has none)."""
    crossings = region.crossings
    if crossings is None or crossings.empty:
        return []
    modes = {str(m).strip().lower() for m in crossings.get("mode", [])}
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=6,
            markerfacecolor=CROSSING_COLOUR,
            markeredgecolor=CROSSING_COLOUR,
            label="border crossing (road)",
        )
    ]
    if "rail" in modes:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="s",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=CROSSING_COLOUR,
                label="border crossing (rail)",
            )
        )
    return handles


def _extent(layers: MapLayers) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for polygons in layers.shapes.polygons.values():
        for polygon in polygons:
            xs += [float(polygon[0][:, 0].min()), float(polygon[0][:, 0].max())]
            ys += [float(polygon[0][:, 1].min()), float(polygon[0][:, 1].max())]
    for x, y in layers.points.values():
        xs.append(x)
        ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad_x = max(0.04 * (x1 - x0), 0.05)
    pad_y = max(0.04 * (y1 - y0), 0.05)
    return x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y


def _degrees(axis: str) -> FuncFormatter:
    def label(value: float, _: float) -> str:
        hemisphere = ("E" if value >= 0 else "W") if axis == "x" else ("N" if value >= 0 else "S")
        return f"{abs(value):g}°{hemisphere}"

    return FuncFormatter(label)


def scale_length_km(width_km: float) -> float:
    """A round bar length near a fifth of the map's width."""
    target = width_km / 5
    return min(SCALE_STEPS_KM, key=lambda step: abs(math.log(step / target)))


def finish_axes(
    ax: Axes,
    layers: MapLayers,
    attribution: str | None,
    small: bool = False,
) -> None:
    """Extent, aspect, graticule, scale bar and attribution."""
    x0, x1, y0, y1 = _extent(layers)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    cos_lat = math.cos(math.radians(layers.mean_latitude))
    ax.set_aspect(1 / max(cos_lat, 0.05))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5 if small else 8, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4 if small else 6, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(_degrees("x"))
    ax.yaxis.set_major_formatter(_degrees("y"))
    ax.tick_params(labelsize=6 if small else 8, color="#888888", labelcolor="#555555")
    ax.grid(True, color="#d0d0d0", linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)
    ax.set_facecolor("#f8fbfd")

    width_km = (x1 - x0) * KM_PER_DEGREE * cos_lat
    bar_km = scale_length_km(width_km)
    bar_deg = bar_km / (KM_PER_DEGREE * cos_lat)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    height = 0.008 * (y1 - y0)
    for n in range(2):
        ax.add_patch(
            Rectangle(
                (bx + n * bar_deg / 2, by),
                bar_deg / 2,
                height,
                facecolor="#333333" if n == 0 else "white",
                edgecolor="#333333",
                linewidth=0.8,
                zorder=6,
            )
        )
    ax.text(
        bx + bar_deg / 2,
        by + 2.2 * height,
        f"{bar_km:g} km",
        ha="center",
        va="bottom",
        fontsize=6 if small else 8,
        path_effects=HALO,
        zorder=6,
    )
    if attribution:
        ax.text(
            0.995,
            0.005,
            attribution,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=5.5 if small else 7,
            color="#333333",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
            zorder=7,
        )


def _core_positions(
    sitings: Sequence[SitingLike], points: dict[str, tuple[float, float]], spread: float
) -> dict[tuple[str, str], tuple[float, float]]:
    """Marker position of each core; several cores in one district sit side by side."""
    per_district: dict[str, list[str]] = defaultdict(list)
    for siting in sitings:
        per_district[siting.core].append(siting.cluster_type)
    positions = {}
    for district, kinds in per_district.items():
        x, y = points[district]
        for n, kind in enumerate(kinds):
            offset = (n - (len(kinds) - 1) / 2) * spread
            positions[(kind, district)] = (x + offset, y)
    return positions


def core_positions(
    layers: MapLayers, sitings: Sequence[SitingLike]
) -> dict[tuple[str, str], tuple[float, float]]:
    """Where each core's marker is drawn (side by side when a district holds several)."""
    x0, x1 = _extent(layers)[:2]
    return _core_positions(sitings, layers.points, 0.022 * (x1 - x0))


def _tint(colour: str, strength: float) -> RGB:
    """The colour mixed with white (strength 1 = the colour itself)."""
    rgb = np.array([int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)])
    mixed = 1 - strength * (1 - rgb)
    return (float(mixed[0]), float(mixed[1]), float(mixed[2]))


def district_roles(sitings: Sequence[SitingLike]) -> dict[str, list[tuple[str, str]]]:
    """(role, type) pairs per district, cores first: what the district does in the siting."""
    roles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for siting in sitings:
        roles[siting.core].append(("core", siting.cluster_type))
    for siting in sitings:
        for member in siting.members:
            roles[member].append(("member", siting.cluster_type))
    return roles


def draw_sitings(
    ax: Axes,
    layers: MapLayers,
    sitings: Sequence[SitingLike],
    styles: dict[str, TypeStyle],
    small: bool = False,
    greenfield: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Shade core and member districts, link members to their core, mark the cores.

    A greenfield core (in ``greenfield``) is drawn hollow: white inside, its type's colour as
    a thick edge.
    """
    points = layers.points
    roles = district_roles(sitings)
    fills: dict[str, str | RGB] = {}
    for district, held in roles.items():
        role, kind = held[0]
        fills[district] = _tint(styles[kind].colour, 0.5 if role == "core" else 0.25)
    draw_districts(ax, layers, fills)
    patterns = ("////", "\\\\\\\\", "||||", "----")
    for district, held in roles.items():
        for n, (_, kind) in enumerate(held[1:]):
            draw_hatch(ax, layers, district, styles[kind].colour, patterns[n % len(patterns)])
    draw_network(ax, layers)

    positions = core_positions(layers, sitings)
    for siting in sitings:
        style = styles[siting.cluster_type]
        cx, cy = positions[(siting.cluster_type, siting.core)]
        for member in siting.members:
            mx, my = points[member]
            ax.plot(
                [cx, mx],
                [cy, my],
                color=style.colour,
                linewidth=1.2 if small else 2.0,
                alpha=0.95,
                zorder=5,
                path_effects=[patheffects.withStroke(linewidth=3.4, foreground="white")],
            )
            ax.scatter(
                [mx],
                [my],
                s=14 if small else 28,
                color=style.colour,
                edgecolors="white",
                linewidths=0.6,
                zorder=6,
            )
    for siting in sitings:
        style = styles[siting.cluster_type]
        cx, cy = positions[(siting.cluster_type, siting.core)]
        hollow = (siting.cluster_type, siting.core) in greenfield
        ax.scatter(
            [cx],
            [cy],
            s=70 if small else 190,
            marker=style.marker,
            facecolors="white" if hollow else style.colour,
            edgecolors=style.colour if hollow else "black",
            linewidths=(1.6 if small else 2.4) if hollow else 0.9,
            zorder=8,
        )


def draw_labels(
    ax: Axes,
    layers: MapLayers,
    emphasise: set[str],
    small: bool = False,
    suffix: dict[str, str] | None = None,
) -> None:
    """District names at their admin centres, cores in bold; only cores on a crowded map.

    Call after :func:`finish_axes` (the placement needs the final extent): labels are placed
    by :func:`model.report.labels.place_labels` so that they do not overlap each other or the
    core markers. ``suffix`` adds text after a district's name (an estimate mark).
    """
    from model.report.labels import place_labels, text_size

    suffix = suffix or {}
    names = layers.region.districts["name"]
    points = layers.points
    crowded = small or len(points) > MANY_DISTRICTS
    shown = [d for d in points if d in emphasise or not crowded]
    # cores first, then north to south, then by name: the order is the placement priority
    shown.sort(key=lambda d: (d not in emphasise, -points[d][1], str(names[d])))
    figure = ax.get_figure()
    dpi = float(figure.dpi) if figure is not None else 100.0
    ax.apply_aspect()
    to_pixels = ax.transData.transform
    anchors = [tuple(map(float, to_pixels(points[d]))) for d in shown]
    texts = [str(names[d]) + suffix.get(d, "") for d in shown]
    sizes_pt = [((6 if small else 8) if d in emphasise else 6.5) for d in shown]
    sizes = [
        text_size(text, size, dpi, bold=d in emphasise)
        for text, size, d in zip(texts, sizes_pt, shown, strict=True)
    ]
    half = (6 if small else 9) * dpi / 72  # half the side of a core marker, in pixels
    obstacles = [
        (x - half, y - half, x + half, y + half)
        for d, (x, y) in zip(shown, anchors, strict=True)
        if d in emphasise
    ]
    frame = ax.get_window_extent()
    placements = place_labels(
        [(x, y) for x, y in anchors],
        sizes,
        gap=(7 if small else 9) * dpi / 72,
        obstacles=obstacles,
        frame=(frame.x0, frame.y0, frame.x1, frame.y1),
    )
    for district, text, size, placement in zip(shown, texts, sizes_pt, placements, strict=True):
        strong = district in emphasise
        ax.annotate(
            text,
            points[district],
            xytext=(placement.dx * 72 / dpi, placement.dy * 72 / dpi),
            textcoords="offset points",
            ha=placement.ha,
            va=placement.va,
            fontsize=size,
            fontweight="bold" if strong else "normal",
            color="#111111" if strong else "#555555",
            path_effects=HALO,
            zorder=9,
        )


def legend_handles(
    sitings: Sequence[SitingLike],
    types: list[str],
    styles: dict[str, TypeStyle],
    region: RegionLike,
    has_border: bool,
    marks: MapMarks | None = None,
) -> list[Line2D]:
    """One entry per type (with where its cores are) and one per map layer.

    With ``marks``, a core's name carries "(greenfield)" and "†" where they apply, and a
    greenfield core gets a legend entry of its own.
    """
    marks = marks or MapMarks()
    names = region.districts["name"]
    cores: dict[str, list[str]] = defaultdict(list)
    for siting in sitings:
        key = (siting.cluster_type, siting.core)
        cores[siting.cluster_type].append(
            str(names[siting.core])
            + (ESTIMATE_MARK if key in marks.estimated else "")
            + (" (greenfield)" if key in marks.greenfield else "")
        )
    handles = []
    for kind in types:
        style = styles[kind]
        where = ", ".join(cores[kind]) if cores[kind] else "not sited"
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=style.marker,
                markersize=10,
                markerfacecolor=style.colour,
                markeredgecolor="black",
                label=f"{region.clusters[kind].name}: {where}",
            )
        )
    if marks.greenfield:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=10,
                markerfacecolor="white",
                markeredgecolor="#555555",
                markeredgewidth=2,
                label=GREENFIELD_LABEL,
            )
        )
    if marks.estimated:
        handles.append(
            Line2D([], [], linestyle="none", label=f"{ESTIMATE_MARK} figures rest on estimates")
        )
    handles.append(Line2D([], [], color="#777777", linewidth=2, label="member → core link"))
    for label, strength in (("core district", 0.5), ("member district", 0.25)):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="s",
                markersize=10,
                markerfacecolor=_tint("#777777", strength),
                markeredgecolor=EDGE,
                label=f"{label} (tint of its type)",
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=10,
            markerfacecolor="white",
            markeredgecolor=EDGE,
            label="hatching: a further core or membership",
        )
    )
    if has_border:
        handles.append(Line2D([], [], color=BORDER_COLOUR, linewidth=2.4, label="state border"))
    handles += crossing_handles(region)
    handles.append(
        Line2D([], [], color=ROAD_COLOURS["federal"], linewidth=2.2, label="federal road link")
    )
    handles.append(
        Line2D([], [], color=ROAD_COLOURS["regional"], linewidth=1.0, label="regional / local link")
    )
    return handles


def siting_figure(
    region: RegionLike,
    shapes: RegionShapes,
    sitings: Sequence[SitingLike],
    types: list[str],
    title: str,
    marks: MapMarks | None = None,
) -> Figure:
    """The map of one run: title, map, legend on the right, the estimate notice at the foot."""
    marks = marks or MapMarks()
    layers = MapLayers(region, shapes)
    styles = type_styles(list(region.clusters))
    figure = Figure(figsize=(12, 8.2), dpi=110)
    # fixed placement (no layout engine: it would lay out every label twice per save)
    ax = figure.add_axes((0.06, 0.05, 0.6, 0.88))
    ax.set_anchor("NE")
    draw_sitings(ax, layers, sitings, styles, greenfield=marks.greenfield)
    cores = {s.core for s in sitings}
    finish_axes(ax, layers, shapes.attribution or _fallback_credit(shapes))
    draw_labels(ax, layers, cores, suffix={d: marks.label_suffix(d) for d in cores})
    figure.suptitle(title, x=0.06, y=0.975, ha="left", fontsize=12)
    figure.legend(
        handles=legend_handles(sitings, types, styles, region, bool(shapes.border_lines), marks),
        loc="upper left",
        bbox_to_anchor=(0.675, 0.93),
        fontsize=8,
        frameon=False,
        title="cluster type: core district",
        title_fontsize=9,
        alignment="left",
    )
    draw_notice(figure, marks.notice)
    return figure


def draw_notice(figure: Figure, notice: str | None, x: float = 0.06) -> None:
    """The estimate notice as a line of text at the foot of the figure (nothing if None)."""
    if notice:
        figure.text(
            x,
            0.008,
            notice,
            ha="left",
            va="bottom",
            fontsize=8,
            color=NOTICE_COLOUR,
            wrap=True,
        )


def _fallback_credit(shapes: RegionShapes) -> str | None:
    if not shapes.polygons:
        return "no boundaries.geojson: districts drawn at their admin centres"
    return None


def save_figure(figure: Figure, target: Path | BinaryIO) -> None:
    """Write a figure as PNG (no software tag in the metadata, so reruns give the same file)."""
    figure.savefig(target, format="png", metadata={"Software": None})


def choropleth_figure(
    region: RegionLike,
    shapes: RegionShapes,
    values: dict[str, float],
    title: str,
    label: str,
    limits: tuple[float, float] = (0.0, 1.0),
    colour_map: str = "YlGnBu",
    notice: str | None = None,
    suffix: dict[str, str] | None = None,
) -> Figure:
    """Districts shaded by a value (polygons, or admin-centre points without boundaries).

    ``notice`` is printed at the foot of the figure; ``suffix`` adds a mark to the names of the
    labelled districts.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, to_hex

    layers = MapLayers(region, shapes)
    scale = Normalize(*limits)
    palette = colormaps[colour_map]
    fills: dict[str, str | RGB] = {
        d: to_hex(palette(scale(v))) for d, v in values.items() if math.isfinite(v)
    }
    figure = Figure(figsize=(9, 7.6), dpi=100)
    ax = figure.add_axes((0.08, 0.06, 0.74, 0.86))
    draw_districts(ax, layers, fills)
    draw_network(ax, layers)
    top = sorted(values, key=lambda d: -values[d])[:3]
    finish_axes(ax, layers, shapes.attribution or _fallback_credit(shapes))
    draw_labels(ax, layers, set(top), suffix=suffix)
    figure.suptitle(title, x=0.08, y=0.975, ha="left", fontsize=12)
    draw_notice(figure, notice, x=0.08)
    bar_axes = figure.add_axes((0.85, 0.2, 0.025, 0.6))
    figure.colorbar(ScalarMappable(scale, palette), cax=bar_axes, label=label)
    return figure
