"""clustersite: where to place innovative industrial clusters in a region.

The stages can be called alone from Python::

    from model import load_region, load_scenario, solve
    loaded = load_scenario("scenarios/baseline.yaml")
    region = load_region(loaded.region_path())
    result = solve(loaded, region)
    result.assignments, result.terms
"""

from model.errors import ClusterSiteError, InputError
from model.instance import build_instance, compute_indicators
from model.pipeline import RunResult, solve, solve_scenario_file
from model.region import Region, load_region
from model.scenario import LoadedScenario, load_scenario

__all__ = [
    "ClusterSiteError",
    "InputError",
    "LoadedScenario",
    "Region",
    "RunResult",
    "build_instance",
    "compute_indicators",
    "load_region",
    "load_scenario",
    "solve",
    "solve_scenario_file",
]
