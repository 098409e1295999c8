"""clustersite: where to place innovative industrial clusters in a region.

The stages can be called alone from Python::

    from model import load_region, load_scenario, solve
    loaded = load_scenario("scenarios/baseline.yaml")
    region = load_region(loaded.region_path())
    result = solve(loaded, region)
    result.assignments, result.terms

Names are imported on first use, so that ``python run.py --help`` does not load Pyomo.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ClusterSiteError": "model.errors",
    "InputError": "model.errors",
    "LoadedScenario": "model.scenario",
    "load_scenario": "model.scenario",
    "Region": "model.region",
    "load_region": "model.region",
    "build_instance": "model.instance",
    "compute_indicators": "model.instance",
    "RunResult": "model.pipeline",
    "solve": "model.pipeline",
    "solve_scenario_file": "model.pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
