"""The documented defaults of ``region init`` (docs/region.md "Defaults"), with their sources.

A module of constants only, so that ``run.py --help`` can show them without loading the
geometry and routing code (shapely, scipy).
"""

from __future__ import annotations

# Defaults (docs/region.md "Defaults"): 50 m bridges digitising slivers of 1:10,000-1:50,000
# boundary data; 500 m of shared boundary is ten times that, so a corner contact (whose
# buffered length is about twice the tolerance) never counts as a neighbour.
ADJACENCY_TOLERANCE_M = 50.0
MIN_SHARED_M = 500.0
# 1 km: a unit whose polygon comes that close to the border line is a border unit (the
# Smolensk build uses 0.012° ≈ 0.8-1.3 km for the same purpose).
BORDER_TOLERANCE_M = 1000.0
# Road km ÷ great-circle km. Wang, Bette, Schreckenberg & Guhr (2024), npj Complexity 1:22:
# "we typically have to drive 1.3 ± 0.1 times longer than the crow flies"; Ballou, Rahardja &
# Sakai (2002), Transportation Research A 36(9):843-848 (circuity factors 1.12-1.65 by country).
DETOUR_FACTOR = 1.3
# km/h by road kind: the OSRM default car profile (profiles/car.lua, Project-OSRM/osrm-backend)
# speeds for the OSM classes trunk (85), secondary (55) and tertiary (40); the mapping
# federal → trunk, regional → secondary, local → tertiary is an ASSUMPTION (as in data/smolensk).
SPEED_KMH: dict[str, float] = {"federal": 85.0, "regional": 55.0, "local": 40.0}
# Kind of a neighbour link when the user names none (ASSUMPTION: the middle class).
DEFAULT_KIND = "regional"
