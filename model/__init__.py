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


def _skip_pyomo_import_finalisers() -> None:
    """Keep Pyomo from importing extra subpackages when scipy or matplotlib is imported.

    Pyomo registers an import hook for its optional dependencies: the moment anyone imports
    scipy, a callback imports scipy.stats, .integrate and .spatial (0.6-0.9 s here), and the
    moment anyone imports matplotlib, another imports matplotlib.pyplot and pylab (0.3 s).
    Nothing in this program uses them through Pyomo (maps use matplotlib's object API, not
    pyplot), so the callbacks are dropped before either package is first imported. Pyomo's
    own shims still resolve, with their declared submodules imported on first use. If Pyomo
    changes this internal, nothing breaks: start-up is only slower again.
    """
    from pyomo.common import dependencies

    for name in ("scipy", "matplotlib"):
        indicator = getattr(dependencies, f"{name}_available", None)
        if name not in sys.modules and hasattr(indicator, "_callback"):
            indicator._callback = None  # type: ignore[union-attr]


_skip_pyomo_import_finalisers()

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
