"""Reports of runs: maps, explanations of each siting, Markdown and self-contained HTML.

- :func:`write_report` (``model.report.writer``): map.png, report.md, report.html of a run;
- :func:`write_comparison_report` (``model.report.comparison``): small multiples of the maps
  and side-by-side tables of several runs;
- :func:`write_atlas` (``model.report.atlas``): indicator tables and fit maps of a region.

Names are imported on first use, so that drawing a saved run's map does not load Pyomo.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "write_report": "model.report.writer",
    "write_comparison_report": "model.report.comparison",
    "write_atlas": "model.report.atlas",
    "explain": "model.report.explain",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model.report' has no attribute {name!r}")
