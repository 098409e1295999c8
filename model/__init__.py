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
import importlib.abc
import importlib.machinery
import sys
from typing import Any


def _drop_pyomo_import_finalisers(dependencies: Any) -> None:
    """Keep Pyomo from importing extra subpackages when scipy or matplotlib is imported.

    Pyomo registers an import hook for its optional dependencies: the moment anyone imports
    scipy, a callback imports scipy.stats, .integrate and .spatial (0.6-0.9 s here), and the
    moment anyone imports matplotlib, another imports matplotlib.pyplot and pylab (0.3 s).
    Nothing in this program uses them through Pyomo (maps use matplotlib's object API, not
    pyplot), so the callbacks are dropped before either package is first imported. Pyomo's
    own shims still resolve, with their declared submodules imported on first use. If Pyomo
    changes this internal, nothing breaks: start-up is only slower again.
    """
    for name in ("scipy", "matplotlib"):
        indicator: Any = getattr(dependencies, f"{name}_available", None)
        if hasattr(indicator, "_callback"):
            indicator._callback = None


class _BeforeScipyOrMatplotlib(importlib.abc.MetaPathFinder):
    """Drop Pyomo's finalisers before scipy, matplotlib or Pyomo's dependency table loads.

    An import hook rather than an import of Pyomo here, so that commands which never touch
    scipy, matplotlib or Pyomo (``run.py --help``, ``districts``) do not load Pyomo at all. Pyomo
    runs a finaliser at once for a package already imported when its dependency table loads,
    so the table must be loaded, and its callbacks dropped, before scipy or matplotlib is.
    """

    TRIGGERS = ("scipy", "matplotlib", "pyomo.common.dependencies")

    def find_spec(
        self, fullname: str, path: Any, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.TRIGGERS:
            return None
        sys.meta_path.remove(self)  # once only, and no recursion into this finder
        if fullname != "pyomo.common.dependencies":
            _drop_pyomo_import_finalisers(importlib.import_module("pyomo.common.dependencies"))
            return None  # the import itself goes on as usual
        # the table itself is being imported: drop the callbacks as soon as it has run
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        run_module = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            run_module(module)
            _drop_pyomo_import_finalisers(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "pyomo.common.dependencies" in sys.modules:
    _drop_pyomo_import_finalisers(sys.modules["pyomo.common.dependencies"])
else:
    sys.meta_path.insert(0, _BeforeScipyOrMatplotlib())

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
