"""``region check``: a readable validation and summary of any region folder.

The folder is loaded with the same loader a run uses (:func:`model.region.load_region`), so a
folder that passes here is one a scenario can name; the summary then lists what a planner
should look at before a run: districts, sectors and their totals, road links and travel times,
unreachable pairs, districts with no activity, rows resting on estimates, and cluster types
whose sectors have no activity in the region.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from model.basis import is_estimate
from model.indicators import travel_times
from model.region import ROAD_KINDS, Region
from model.report.estimates import MAJORITY, MARK, MARK_NOTE


def summary(region: Region, shown_path: Path | None = None) -> list[str]:
    """Lines of text describing ``region`` (already validated by the loader); the first names
    ``shown_path`` (default: the folder it was loaded from)."""
    d = region.districts
    ids = region.district_ids
    lines = [f"region {shown_path or region.path}"]
    border = int(d["border"].sum())
    with_pop = int(d["population"].notna().sum())
    lines.append(
        f"districts      {len(ids)} ({border} on the state border; population for {with_pop}, "
        f"area for {int(d['area_km2'].notna().sum())})"
    )
    act = region.activity
    totals = act.groupby("sector")["value"].sum().sort_values(ascending=False)
    estimated = act[[is_estimate(b) for b in act["basis"]]]
    estimated_by_sector = estimated.groupby("sector")["value"].sum()
    marked = {
        sector
        for sector, value in totals.items()
        if value > 0 and estimated_by_sector.get(sector, 0.0) / value > MAJORITY
    }
    shown_totals = ", ".join(
        f"{s} {v:,.6g}{MARK if s in marked else ''}" for s, v in totals.items()
    )
    lines.append(f"sectors        {len(totals)}: {shown_totals}")
    total = float(act["value"].sum())
    share = float(estimated["value"].sum()) / total if total > 0 else 0.0
    lines.append(
        f"activity rows  {len(act)}; estimated {len(estimated)} ({share:.0%} of the value); "
        f"basis unstated {int((act['basis'] == 'unstated').sum())}"
    )
    by_district = act.groupby("district")["value"].sum()
    idle = [i for i in ids if by_district.get(i, 0.0) <= 0]
    lines.append(f"no activity    {len(idle)}" + (f": {', '.join(idle)}" if idle else ""))
    roads = region.roads
    kinds = ", ".join(f"{k} {int((roads['kind'] == k).sum())}" for k in ROAD_KINDS)
    lines.append(f"links          {len(roads)} ({kinds})")
    times = travel_times(roads, ids).to_numpy(dtype=float)
    off = times[~np.eye(len(ids), dtype=bool)] if len(ids) > 1 else np.array([])
    unreachable = int((~np.isfinite(off)).sum()) // 2
    finite = off[np.isfinite(off)]
    if finite.size:
        lines.append(
            f"travel minutes between districts: median {np.median(finite):.1f}, "
            f"max {finite.max():.1f}; unreachable pairs {unreachable}"
        )
    else:
        lines.append(f"travel minutes: one district, no pairs; unreachable pairs {unreachable}")
    lines.append(f"crossings      {len(region.crossings)}; exports rows {len(region.exports)}")
    present = set(totals[totals > 0].index)
    lines.append(f"cluster types  {len(region.clusters)}")
    for type_id, spec in region.clusters.items():
        absent = sorted(s for s in spec.sectors if s not in present)
        if absent:
            lines.append(f"  {type_id}: no activity in sector(s) {', '.join(absent)}")
    corridor = [k for k, spec in region.clusters.items() if spec.needs_corridor]
    if corridor and not (roads["kind"] == "federal").any():
        lines.append(
            f"  no federal link: {', '.join(corridor)} need a federal road (needs_corridor) and "
            "cannot be sited while the corridor rule is on; list federal links with --road-kinds"
        )
    if marked:
        lines.append(MARK_NOTE)
    if not math.isfinite(total) or total <= 0:  # pragma: no cover - the loader refuses this
        lines.append("warning: no positive activity")
    return lines
