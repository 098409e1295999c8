"""One sentence per core on how its fit method turned the sector figures into the fit.

The capped LQ alone (``indicators.fit: lq``) needs no sentence beyond the LQs; the other two
methods do: ``critical_mass`` damps each sector's capped LQ by the district's size in the
sector, and ``stars`` replaces it by the share of the three Cluster Observatory stars held.
"""

from __future__ import annotations

import pandas as pd

from model.indicators import cluster_stars
from model.pipeline import RunResult

STAR_NAMES = (
    ("size_star", "size"),
    ("specialization_star", "specialization"),
    ("focus_star", "focus"),
)


def fit_method_sentence(result: RunResult, cluster_type: str, district: str) -> str | None:
    """E.g. "**Fit method** critical mass (full credit from 20% of the region's sector): plastics
    10.9% of the region → ×0.54." None for the ``lq`` method."""
    settings = result.loaded.scenario.indicators
    activity: pd.DataFrame = result.tables.activity
    own = activity.loc[district].to_dict() if district in activity.index else {}
    totals = activity.sum(axis=0).to_dict()
    sectors = [
        s
        for s, w in sorted(
            result.region.clusters[cluster_type].sectors.items(), key=lambda x: -x[1]
        )
        if w > 0
    ]
    if settings.fit == "critical_mass":
        mass = settings.critical_mass
        parts = []
        for s in sectors:
            value = float(own.get(s, 0.0))
            if settings.critical_mass_kind == "share":
                total = float(totals.get(s, 0.0))
                size = value / total if total > 0 else 0.0
                parts.append(f"{s} {size:.1%} of the region → ×{min(1.0, size / mass):.2f}")
            else:
                parts.append(f"{s} {value:,.0f} → ×{min(1.0, value / mass):.2f}")
        rule = (
            f"full credit from {mass:.0%} of the region's sector"
            if settings.critical_mass_kind == "share"
            else f"full credit from {mass:,g} in the sector"
        )
        return (
            f"**Fit method** critical mass ({rule}; each capped LQ is multiplied by the size "
            f"factor): {'; '.join(parts)}."
        )
    if settings.fit == "stars":
        stars = cluster_stars(activity)
        parts = []
        for s in sectors:
            row = (
                stars[(stars["district"] == district) & (stars["sector"] == s)]
                if len(stars)
                else stars
            )
            if row.empty:
                parts.append(f"{s} no activity, no star")
                continue
            held = [name for column, name in STAR_NAMES if bool(row.iloc[0][column])]
            parts.append(f"{s} {len(held)} of 3 ({', '.join(held) or 'none'})")
        return (
            "**Fit method** Cluster Observatory stars (size, specialization, focus; the score "
            f"is stars/3): {'; '.join(parts)}."
        )
    return None
