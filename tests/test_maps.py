"""Maps (model/report/maps.py, geo.py) and the ``map`` command.

The drawn figures are inspected as matplotlib objects (what is on them, in which colour);
looking at the pictures themselves was done by hand while building them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from model.errors import InputError
from model.region import load_region
from model.report.geo import OSM_ATTRIBUTION, load_shapes, read_boundaries, short_attribution
from model.report.maps import (
    MapSiting,
    choropleth_figure,
    polygon_path,
    scale_length_km,
    siting_figure,
)
from model.report.style import PALETTE, type_styles
from tests.test_explain import hand_solve, write_hand_region

REPO = Path(__file__).resolve().parent.parent


def texts(figure: object) -> list[str]:
    """Every text on a figure: titles, labels, legend entries, attribution."""
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text)]  # type: ignore[attr-defined]


def test_boundaries_are_read_per_district_with_their_holes(tmp_path: Path) -> None:
    region = write_hand_region(tmp_path / "r", boundaries=True)
    polygons, attribution = read_boundaries(region / "boundaries.geojson", {"a", "b", "c"})
    assert set(polygons) == {"a", "b", "c"}
    assert [len(p) for p in polygons["b"]] == [2]  # one polygon: exterior and one hole
    assert polygons["a"][0][0].shape == (5, 2)
    assert short_attribution(attribution) == OSM_ATTRIBUTION


def test_a_hole_stays_empty_whatever_the_ring_direction() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], dtype=float)
    hole = np.array([[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]], dtype=float)  # same direction
    figure = Figure(figsize=(1, 1), dpi=40)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 4)
    ax.axis("off")
    ax.add_patch(PathPatch(polygon_path([[outer, hole]]), facecolor="black", linewidth=0))
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    assert pixels[35, 5, :3].tolist() == [0, 0, 0]  # in the ring: filled
    assert pixels[20, 20, :3].tolist() == [255, 255, 255]  # in the hole: empty


SQUARE = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", "line 1"),
        ('{"type": "FeatureCollection"}', "expected a GeoJSON FeatureCollection"),
        ('{"features": [{"properties": {}, "geometry": null}]}', "features[0].geometry"),
        (
            '{"features": [{"properties": {}, "geometry": ' + SQUARE + "}]}",
            "features[0].properties.id",
        ),
        (
            '{"features": [{"properties": {"id": "zz"}, "geometry": ' + SQUARE + "}]}",
            "unknown district",
        ),
        (
            '{"features": [{"properties": {"id": "a"}, "geometry": {"type": "Point", '
            '"coordinates": [1, 2]}}]}',
            "features[0].geometry",
        ),
    ],
)
def test_bad_boundaries_name_the_file_and_the_feature(
    tmp_path: Path, content: str, where: str
) -> None:
    path = tmp_path / "boundaries.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_boundaries(path, {"a", "b", "c"})
    assert "boundaries.geojson" in str(caught.value)
    assert where in str(caught.value)


def test_siting_map_shows_cores_members_border_legend_scale_and_credit(tmp_path: Path) -> None:
    folder = write_hand_region(tmp_path / "r", boundaries=True)
    region = load_region(folder)
    shapes = load_shapes(folder, set(region.district_ids))
    sitings = [MapSiting("wood", "a", ["b"]), MapSiting("food", "b", ["a", "c"])]
    figure = siting_figure(region, shapes, sitings, ["wood", "food"], "hand")
    styles = type_styles(list(region.clusters))
    shown = texts(figure)
    assert "Wood: Alpha" in shown and "Food: Beta" in shown  # legend: type and core
    assert OSM_ATTRIBUTION in shown
    assert any(t.endswith(" km") for t in shown)  # scale bar
    assert {"Alpha", "Beta", "Gamma"} <= set(shown)
    ax = figure.axes[0]
    # core markers: one scatter per core in its type's colour, with its own marker shape
    core_colours = [
        to_hex(c.get_facecolor()[0])
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_sizes().size and c.get_sizes()[0] >= 150
    ]
    assert sorted(core_colours) == sorted(
        [styles["wood"].colour.lower(), styles["food"].colour.lower()]
    )
    # member links: one line per member in the type's colour
    link_colours = [to_hex(line.get_color()) for line in ax.lines]
    assert link_colours.count(styles["food"].colour.lower()) == 2
    assert link_colours.count(styles["wood"].colour.lower()) == 1
    # the border line is drawn (its dark red under a white dash)
    assert "#7a0019" in link_colours


def test_greenfield_cores_are_hollow_and_the_notice_sits_in_the_figure(tmp_path: Path) -> None:
    from model.report.maps import GREENFIELD_LABEL, MapMarks

    folder = write_hand_region(tmp_path / "r", boundaries=True)
    region = load_region(folder)
    shapes = load_shapes(folder, set(region.district_ids))
    sitings = [MapSiting("wood", "c", ["b"]), MapSiting("food", "b", ["a", "c"])]
    marks = MapMarks(
        greenfield=frozenset({("wood", "c")}),
        estimated=frozenset({("food", "b")}),
        notice="† a notice",
    )
    figure = siting_figure(region, shapes, sitings, ["wood", "food"], "hand", marks)
    shown = texts(figure)
    assert "† a notice" in shown and GREENFIELD_LABEL in shown
    assert "Wood: Gamma (greenfield)" in shown and "Food: Beta†" in shown and "Beta†" in shown
    styles = type_styles(list(region.clusters))
    cores = {
        to_hex(c.get_edgecolor()[0]): to_hex(c.get_facecolor()[0])
        for c in figure.axes[0].collections
        if isinstance(c, PathCollection) and c.get_sizes().size and c.get_sizes()[0] >= 150
    }
    assert cores[styles["wood"].colour.lower()] == "#ffffff"  # hollow, edged in its colour
    assert cores["#000000"] == styles["food"].colour.lower()
    plain = texts(siting_figure(region, shapes, sitings, ["wood", "food"], "hand"))
    assert "† a notice" not in plain and GREENFIELD_LABEL not in plain and "Beta†" not in plain
    fit = choropleth_figure(region, shapes, {"a": 1.0}, "fit", "fit", notice="† fit notice")
    assert "† fit notice" in texts(fit)


def test_six_types_get_six_different_colours_and_markers() -> None:
    styles = type_styles([f"t{n}" for n in range(6)])
    assert len({s.colour for s in styles.values()}) == 6
    assert len({s.marker for s in styles.values()}) == 6
    assert styles["t0"].colour == PALETTE[0]


def test_region_without_boundaries_is_drawn_as_points(tmp_path: Path) -> None:
    folder = write_hand_region(tmp_path / "r", boundaries=False)
    region = load_region(folder)
    shapes = load_shapes(folder, set(region.district_ids))
    assert shapes.polygons == {} and shapes.border_lines == []
    figure = siting_figure(region, shapes, [MapSiting("wood", "a", ["b"])], ["wood"], "pts")
    shown = texts(figure)
    assert any("admin centres" in t for t in shown)
    assert "Food: not sited" not in shown  # only the scenario's types are listed
    points = [c for c in figure.axes[0].collections if c.get_offsets().shape[0] == 3]
    assert points, "the three districts are drawn as points"


@pytest.mark.parametrize(("width", "bar"), [(400.0, 100), (260.0, 50), (12.0, 2), (9000.0, 2000)])
def test_scale_bar_is_a_round_length_near_a_fifth_of_the_width(width: float, bar: float) -> None:
    assert scale_length_km(width) == bar


def test_choropleth_shades_by_value(tmp_path: Path) -> None:
    folder = write_hand_region(tmp_path / "r", boundaries=True)
    region = load_region(folder)
    shapes = load_shapes(folder, set(region.district_ids))
    figure = choropleth_figure(region, shapes, {"a": 0.0, "b": 0.5, "c": 1.0}, "fit", "fit")
    fills = figure.axes[0].collections[0].get_facecolors()
    # a darker colour for a higher value: the sum of RGB falls from a to c
    brightness = [float(sum(rgba[:3])) for rgba in fills]
    assert brightness[0] > brightness[1] > brightness[2]


def test_map_command_redraws_the_map_of_a_run_folder(tmp_path: Path) -> None:
    from model.output import write_run

    region = write_hand_region(tmp_path / "r", boundaries=True)
    folder = write_run(hand_solve(region), tmp_path / "run")
    out = tmp_path / "again.png"
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "map", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # the same picture as the one the run wrote (the map does not depend on the time)
    assert out.read_bytes() == (folder / "map.png").read_bytes()


def test_map_command_on_a_folder_without_summary_is_bad_input(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "map", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "summary.json" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_map_command_names_a_sited_district_unknown_to_the_region(tmp_path: Path) -> None:
    from model.output import write_run

    region = write_hand_region(tmp_path / "r")
    folder = write_run(hand_solve(region), tmp_path / "run")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["sitings"][0]["core"] = "nowhere"
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "run.py"),
            "map",
            str(folder),
            "--out",
            str(tmp_path / "m.png"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 2
    assert "sitings[0]" in done.stderr and "nowhere" in done.stderr
    assert not (tmp_path / "m.png").exists()
