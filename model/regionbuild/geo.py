"""The optional geometry libraries of ``region init`` (extra ``geo``), imported on demand.

The core install stays light: shapely, pyproj and pyogrio are needed only to build a region,
never to run one. A missing library is one line naming the extra to install (exit status 2).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from model.errors import InputError

GEO_MODULES = ("shapely", "pyproj", "pyogrio")
INSTALL_HINT = "pip install 'clustersite[geo]' (in a checkout: pip install -e '.[geo]')"


def require_geo() -> dict[str, ModuleType]:
    """Import shapely, pyproj and pyogrio, or raise one InputError saying what to install."""
    modules: dict[str, ModuleType] = {}
    missing: list[str] = []
    for name in GEO_MODULES:
        try:
            modules[name] = importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise InputError(
            None,
            None,
            f"region init needs {', '.join(missing)} (the geo extra): {INSTALL_HINT}",
        )
    return modules
