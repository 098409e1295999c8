"""Numbers and names as the reports print them."""

from __future__ import annotations

import math

from model.region import Region


def num(value: float | None, digits: int = 3) -> str:
    """A number for a table: fixed digits, '–' for missing, '∞' for infinite."""
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞"
    return f"{value:.{digits}f}"


def pct(value: float) -> str:
    return f"{value:.1%}"


class Names:
    """Display names of a region's districts and cluster types."""

    def __init__(self, region: Region) -> None:
        self.districts = {str(k): str(v) for k, v in region.districts["name"].items()}
        self.types = {k: c.name for k, c in region.clusters.items()}

    def d(self, district: str) -> str:
        return self.districts.get(district, district)

    def ds(self, districts: list[str]) -> str:
        return ", ".join(self.d(x) for x in districts) or "–"

    def t(self, cluster_type: str) -> str:
        return self.types.get(cluster_type, cluster_type)
