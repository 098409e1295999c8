"""Write a run's map.png, report.md and report.html into a folder.

``model.output.write_run`` calls :func:`write_report` on its staging folder, so the report
files appear together with assignments.csv and summary.json, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from model.pipeline import RunResult
from model.report.content import run_document
from model.report.explain import explain
from model.report.html import render_html
from model.report.map_process import draw_map
from model.report.markdown import render_markdown
from model.report.provenance import read_provenance
from model.report.run_map import map_inputs, map_title, plain_title

__all__ = ["map_inputs", "map_title", "plain_title", "render_map", "write_report"]

MAP_FILE, MARKDOWN_FILE, HTML_FILE = "map.png", "report.md", "report.html"


def render_map(result: RunResult) -> tuple[bytes, str | None]:
    """The run's map as PNG bytes, and the credit line of its geometry (if any)."""
    return draw_map(map_inputs(result))


def write_report(
    result: RunResult,
    folder: Path,
    runner_ups: bool = True,
    drawn: Callable[[], tuple[bytes, str | None]] | None = None,
) -> list[Path]:
    """Write map.png, report.md and report.html; return their paths.

    ``drawn`` waits for the map being drawn elsewhere (``model.report.map_process``); it is
    called only after the explanations, and raises the drawing's errors.
    """
    explanations = explain(result, runner_ups=runner_ups) if result.has_solution else []
    png, credit = drawn() if drawn is not None else render_map(result)
    document = run_document(result, explanations, png, read_provenance(result.region.path), credit)
    paths = [folder / MAP_FILE, folder / MARKDOWN_FILE, folder / HTML_FILE]
    paths[0].write_bytes(png)
    paths[1].write_text(render_markdown(document), encoding="utf-8")
    paths[2].write_text(render_html(document), encoding="utf-8")
    return paths
