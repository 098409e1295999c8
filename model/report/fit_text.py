"""One sentence per core on how its fit method turned the sector figures into the fit.

The capped LQ alone (``indicators.fit: lq``) needs no sentence beyond the LQs; the other two
methods do: ``critical_mass`` damps each sector's capped LQ by the district's size in the
sector, and ``stars`` replaces it by the share of the three Cluster Observatory stars held.
"""

from __future__ import annotations

import pandas as pd

from model.indicators import critical_mass_factor, critical_mass_sizes, star_flags
from model.pipeline import RunResult

STAR_NAMES = ("size", "specialization", "focus")  # in the order of indicators.star_flags


def fit_method_sentence(result: RunResult, cluster_type: str, district: str) -> str | None:
    """E.g. "**Fit method** critical mass (full credit from 20% of the region's sector): plastics
    10.9% of the region → ×0.54." None for the ``lq`` method."""
    settings = result.loaded.scenario.indicators
    activity: pd.DataFrame = result.tables.activity
    sectors = [
        s
        for s, w in sorted(
            result.region.clusters[cluster_type].sectors.items(), key=lambda x: -x[1]
        )
        if w > 0
    ]
    row = list(activity.index).index(district)
    columns = {sector: n for n, sector in enumerate(activity.columns)}
    if settings.fit == "critical_mass":
        mass, kind = settings.critical_mass, settings.critical_mass_kind
        sizes = critical_mass_sizes(activity, kind).to_numpy()
        factors = critical_mass_factor(sizes, mass)
        parts = []
        for s in sectors:
            n = columns.get(s)
            size = float(sizes[row, n]) if n is not None else 0.0
            factor = float(factors[row, n]) if n is not None else 0.0
            shown = f"{size:.1%} of the region" if kind == "share" else f"{size:,.0f}"
            parts.append(f"{s} {shown} → ×{factor:.2f}")
        rule = (
            f"full credit from {mass:.0%} of the region's sector"
            if kind == "share"
            else f"full credit from {mass:,g} in the sector"
        )
        return (
            f"**Fit method** critical mass ({rule}; each capped LQ is multiplied by the size "
            f"factor): {'; '.join(parts)}."
        )
    if settings.fit == "stars":
        values = activity.to_numpy(dtype=float)
        flags = star_flags(activity)
        parts = []
        for s in sectors:
            n = columns.get(s)
            if n is None or not values[row, n] > 0:
                parts.append(f"{s} no activity, no star")
                continue
            held = [name for name, flag in zip(STAR_NAMES, flags, strict=True) if flag[row, n]]
            parts.append(f"{s} {len(held)} of 3 ({', '.join(held) or 'none'})")
        return (
            "**Fit method** Cluster Observatory stars (size, specialization, focus; the score "
            f"is stars/3): {'; '.join(parts)}."
        )
    return None
