"""What a planner reads off a map: crossings, labels that do not overlap, moved cores ringed,
a plain title (model/report/maps.py, labels.py, comparison.py, writer.py)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Annotation

from model.pipeline import RunResult, solve_scenario_file
from model.region import load_region
from model.report.geo import load_shapes
from model.report.labels import overlap, place_labels
from model.report.maps import MapLayers, MapSiting, crossing_points, siting_figure

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = REPO / "data" / "smolensk"
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    return solve_scenario_file(SCENARIOS / "baseline.yaml")


@pytest.fixture(scope="module")
def planner() -> RunResult:
    return solve_scenario_file(SCENARIOS / "wood_northeast.yaml")


def test_every_crossing_is_drawn_on_the_border_line() -> None:
    region = load_region(SMOLENSK)
    shapes = load_shapes(SMOLENSK, set(region.district_ids))
    points = crossing_points(MapLayers(region, shapes))
    assert len(points) == len(region.crossings) > 0
    vertices = np.concatenate(shapes.border_lines)
    most = int(region.crossings["district"].value_counts().max())
    for x, y, _mode, _name in points:
        # on a vertex of the border line (a later crossing of one district sits a step north)
        distance = np.min(np.hypot(vertices[:, 0] - x, vertices[:, 1] - y))
        assert distance <= 0.035 * (most - 1) + 1e-9
    modes = {mode for _, _, mode, _ in points}
    assert modes <= {"road", "rail"}


def test_region_without_crossings_draws_none(tmp_path: Path) -> None:
    from tests.test_explain import write_hand_region

    folder = write_hand_region(tmp_path / "hand")
    (folder / "crossings.csv").write_text("id,name,district,mode\n", encoding="utf-8")
    region = load_region(folder)
    assert crossing_points(MapLayers(region, load_shapes(folder, set(region.district_ids)))) == []


def test_map_legend_names_the_crossings_and_the_title_is_plain(baseline: RunResult) -> None:
    from model.report.writer import map_title, plain_title

    title = map_title(baseline)
    assert title == "Scenario baseline: where the 6 cluster cores and their members go"
    assert "objective" not in title and f"{baseline.objective:.3f}" not in title
    assert "NOT proven optimal" in plain_title("x", "time_limit", 3)
    assert plain_title("x", "optimal", 0) == "Scenario x: no cluster core is sited"
    assert "no siting" in plain_title("x", "infeasible", 0)
    region = baseline.region
    shapes = load_shapes(region.path, set(region.district_ids))
    sitings = [MapSiting(s.cluster_type, s.core, s.members) for s in baseline.sitings()]
    figure = siting_figure(region, shapes, sitings, baseline.instance.types, title)
    legend = [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert "border crossing (road)" in legend and "border crossing (rail)" in legend


def label_boxes(figure: object, bold_only: bool) -> list[tuple[float, float, float, float]]:
    canvas = FigureCanvasAgg(figure)  # type: ignore[arg-type]
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = []
    for text in figure.findobj(Annotation):  # type: ignore[attr-defined]
        if bold_only and text.get_fontweight() != "bold":
            continue
        box = text.get_window_extent(renderer)
        boxes.append((box.x0, box.y0, box.x1, box.y1))
    return boxes


def test_district_labels_do_not_overlap_on_the_baseline_map(baseline: RunResult) -> None:
    """The measured text extents (not the placement's estimates) of the 27 district names."""
    region = baseline.region
    shapes = load_shapes(region.path, set(region.district_ids))
    sitings = [MapSiting(s.cluster_type, s.core, s.members) for s in baseline.sitings()]
    figure = siting_figure(region, shapes, sitings, baseline.instance.types, "t")
    boxes = label_boxes(figure, bold_only=False)
    assert len(boxes) == len(region.district_ids)
    clashes = [(a, b) for a, b in itertools.combinations(boxes, 2) if overlap(a, b) > 1.0]
    assert clashes == []


def test_placement_moves_a_label_off_a_taken_spot_and_is_deterministic() -> None:
    anchors = [(100.0, 100.0), (100.0, 100.0), (100.0, 100.0)]  # three names on one point
    sizes = [(40.0, 10.0)] * 3
    first = place_labels(anchors, sizes, gap=5.0)
    assert first == place_labels(anchors, sizes, gap=5.0)
    for a, b in itertools.combinations([p.box for p in first], 2):
        assert overlap(a, b) == 0.0
    assert (first[0].dx, first[0].dy, first[0].va) == (0.0, -5.0, "top")  # below: the default


def test_comparison_rings_exactly_the_moved_cores(baseline: RunResult, planner: RunResult) -> None:
    from model.report.comparison import MOVED_COLOUR, maps_figure, moved_cores, result_panel

    reference = result_panel(baseline, "baseline")
    other = result_panel(planner, "wood_northeast")
    moved = moved_cores(other, reference)
    before = {k: d for k, d in baseline.core_set()}
    expected = {(k, d) for k, d in planner.core_set() if before[k] != d}
    assert moved == expected and moved
    figure = maps_figure([reference, other])
    rings = []
    for ax in figure.axes:
        count = 0
        for collection in ax.collections:
            edges = collection.get_edgecolor()
            if len(edges) and all(
                math.isclose(c, m, abs_tol=1e-3)
                for c, m in zip(edges[0][:3], _rgb(MOVED_COLOUR), strict=True)
            ):
                count += len(collection.get_offsets())
        rings.append(count)
    assert rings == [0, len(expected)]
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    change = (planner.objective - baseline.objective) / baseline.objective
    assert titles == [
        "baseline (reference)",
        f"wood_northeast: objective {abs(change):.1%} lower than baseline",
    ]


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5))  # type: ignore[return-value]
