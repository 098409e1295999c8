"""A run's map as plain data (:class:`~model.report.map_process.MapInputs`) and its title.

Kept apart from :mod:`model.report.writer`, which loads the whole report (explanations,
document, HTML), so that a run can hand its map to the drawing process
(``model.report.map_process``) before it loads the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.report.estimates import map_marks, run_bases
from model.report.geo import load_shapes
from model.report.map_data import MapRegion, MapSiting
from model.report.map_process import MapInputs

if TYPE_CHECKING:
    from model.pipeline import RunResult


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
