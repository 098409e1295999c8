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
import sys
from typing import Any


def _skip_pyomo_scipy_finaliser() -> None:
    """Keep Pyomo from importing scipy.stats, .integrate and .spatial when scipy is imported.

    Pyomo registers an import hook for its optional dependencies: the moment anyone imports
    scipy, a callback imports those three subpackages (0.6-0.9 s, a quarter of a whole
    baseline run here). Nothing in this program uses them through Pyomo, so the callback is
    dropped before scipy is first imported. Pyomo's own ``scipy`` shim still resolves, with
    its declared submodules imported on first use. If Pyomo changes this internal, nothing
    breaks: the start-up is only slower again.
    """
    if "scipy" in sys.modules:
        return
    from pyomo.common import dependencies

    indicator = getattr(dependencies, "scipy_available", None)
    if indicator is not None and hasattr(indicator, "_callback"):
        indicator._callback = None


_skip_pyomo_scipy_finaliser()

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
