"""Import the parts of matplotlib the maps use, without generating their property docstrings.

When a matplotlib Artist class is defined, matplotlib writes the docstring of its ``set``
method by inspecting every property of the class (``matplotlib.artist.kwdoc``): about a third
of the time that importing matplotlib's figure, axes, text and collections takes here (0.1-0.2
s of a run). The maps never read those docstrings, so while the modules are first imported
``kwdoc`` returns a one-line note instead; it is restored at once, so that calling it later
works as documented. Drawing is unaffected (the PNG bytes are the same). If matplotlib
changes this internal, nothing breaks: the import is only slower again.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

MODULES = (
    "matplotlib.figure",
    "matplotlib.axes",
    "matplotlib.collections",
    "matplotlib.lines",
    "matplotlib.patches",
    "matplotlib.patheffects",
    "matplotlib.ticker",
    "matplotlib.backends.backend_agg",
)
NOTE = "Properties: see the matplotlib documentation (not generated in this process)."


def _short_kwdoc(_artist: Any) -> str:
    return NOTE


def import_matplotlib() -> None:
    """Import :data:`MODULES` (a no-op for those already imported)."""
    if all(name in sys.modules for name in MODULES):
        return
    artist = importlib.import_module("matplotlib.artist")
    original = getattr(artist, "kwdoc", None)
    if original is not None:
        setattr(artist, "kwdoc", _short_kwdoc)  # noqa: B010  (a module attribute)
    try:
        for name in MODULES:
            importlib.import_module(name)
    finally:
        if original is not None:
            setattr(artist, "kwdoc", original)  # noqa: B010


import_matplotlib()
