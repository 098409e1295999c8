"""Write a run's map.png, report.md and report.html into a folder.

``model.output.write_run`` calls :func:`write_report` on its staging folder, so the report
files appear together with assignments.csv and summary.json, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from model.pipeline import RunResult
from model.report.content import run_document
from model.report.estimates import map_marks, run_bases
from model.report.explain import explain
from model.report.geo import load_shapes
from model.report.html import render_html
from model.report.map_data import MapRegion, MapSiting
from model.report.map_process import MapInputs, draw_map
from model.report.markdown import render_markdown
from model.report.provenance import read_provenance

MAP_FILE, MARKDOWN_FILE, HTML_FILE = "map.png", "report.md", "report.html"


def plain_title(name: str, status: str, sited: int) -> str:
    """The map's title in a planner's words: the scenario and what the map shows.

    No objective value (a bare number means nothing on a map); a run that is not proven
    optimal or has no siting says so.
    """
    if status == "infeasible" or (sited == 0 and status not in ("optimal", "time_limit")):
        return f"Scenario {name}: no siting satisfies the rules ({status})"
    what = (
        "no cluster core is sited"
        if sited == 0
        else f"where the {sited} cluster core{'s' if sited != 1 else ''} and their members go"
    )
    caveat = "" if status == "optimal" else f" (best found, NOT proven optimal: {status})"
    return f"Scenario {name}: {what}{caveat}"


def map_title(result: RunResult) -> str:
    """The run's map title (:func:`plain_title`)."""
    return plain_title(result.loaded.scenario.name, result.status, len(result.sitings()))


def map_inputs(result: RunResult) -> MapInputs:
    """The run's map inputs (the region's shapes read and checked here)."""
    return MapInputs(
        MapRegion.of(result.region),
        load_shapes(result.region.path, set(result.region.district_ids)),
        [MapSiting(s.cluster_type, s.core, list(s.members)) for s in result.sitings()],
        list(result.instance.types),
        map_title(result),
        map_marks(run_bases(result)),
    )


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
