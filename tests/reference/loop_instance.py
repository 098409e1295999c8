"""The instance lists as the project built them before vectorising (Python loops over sites,
member arcs and pairs), frozen here as the reference that ``model.instance.build_instance``
must reproduce exactly: same entries, same order, same floats.

Only the parts that the vectorised code computes differently are kept: the exclusion reasons,
the sites with their core coefficients, the member arcs and the cooperating pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.instance import IndicatorTables, active_types, symmetric_cooperation
from model.region import Region
from model.scenario import Scenario


def loop_exclusions(
    region: Region, scenario: Scenario, tables: IndicatorTables, types: list[str]
) -> dict[tuple[str, str], str]:
    rules = scenario.rules
    reasons: dict[tuple[str, str], str] = {}
    own = (
        tables.own_activity.to_dict(orient="index") if tables.own_activity is not None else None
    )
    for k in types:
        cluster = region.clusters[k]
        for i in region.district_ids:
            found: list[str] = []
            if rules.forbids(k, i):
                found.append("forbidden by rules.forbid")
            if (
                rules.border.applies_to(cluster)
                and tables.border_minutes[i] > rules.border.max_minutes
            ):
                found.append(
                    f"border rule: {k} must reach a crossing and the nearest one is "
                    f"{tables.border_minutes[i]:.0f} min away (> {rules.border.max_minutes:g})"
                )
            if (
                rules.corridor.applies_to(cluster)
                and tables.corridor_minutes[i] > rules.corridor.max_minutes
            ):
                found.append(
                    f"corridor rule: {k} must reach a federal road and the nearest one is "
                    f"{tables.corridor_minutes[i]:.0f} min away (> {rules.corridor.max_minutes:g})"
                )
            if not rules.greenfield and own is not None and not own[k][i] > 0:
                sectors = ", ".join(s for s, w in cluster.sectors.items() if w > 0)
                found.append(
                    f"greenfield rule: {i} has no activity in the sectors of {k} ({sectors}); "
                    "rules.greenfield: true allows such a core"
                )
            if found:
                reasons[(k, i)] = "; and ".join(found)
    return reasons


def loop_instance(region: Region, scenario: Scenario, tables: IndicatorTables) -> dict[str, Any]:
    """excluded, sites, fit_coef, export_coef, members, member_coef, pairs, pair_coef."""
    rules, weights = scenario.rules, scenario.weights
    types = active_types(region, scenario)
    districts = region.district_ids
    excluded = loop_exclusions(region, scenario, tables, types)
    fit = tables.fit.loc[types, districts].to_numpy(float)
    export = tables.export.loc[types, districts].to_numpy(float)
    times = tables.times.loc[districts, districts].to_numpy(float)
    link = tables.link.loc[districts, districts].to_numpy(float)
    allowed = np.array([[(k, i) not in excluded for i in districts] for k in types], dtype=bool)
    sites, fit_coef, export_coef = [], {}, {}
    for a, k in enumerate(types):
        for b in np.flatnonzero(allowed[a]):
            site = (k, districts[b])
            sites.append(site)
            fit_coef[site] = weights.fit * float(fit[a, b])
            export_coef[site] = weights.export * float(export[a, b])
    members, member_coef = [], {}
    reach = times <= scenario.indicators.member_max_minutes
    np.fill_diagonal(reach, False)
    if weights.member > 0 and rules.max_members > 0:
        for a, k in enumerate(types):
            gain = weights.member * fit[a][None, :] * link
            for b in np.flatnonzero(allowed[a]):
                for c in np.flatnonzero(reach[b] & (gain[b] > 0)):
                    arc = (k, districts[b], districts[c])
                    members.append(arc)
                    member_coef[arc] = float(gain[b, c])
    pairs, pair_coef = [], {}
    if weights.coop > 0:
        for a, k in enumerate(types):
            for a2 in range(a + 1, len(types)):
                k2 = types[a2]
                coop = symmetric_cooperation(region, k, k2)
                if coop <= 0:
                    continue
                rows, cols = np.nonzero(allowed[a][:, None] & allowed[a2][None, :] & (link > 0))
                for b, c in zip(rows, cols, strict=True):
                    pair = (k, districts[b], k2, districts[c])
                    pairs.append(pair)
                    pair_coef[pair] = weights.coop * coop * float(link[b, c])
    return {
        "excluded": excluded,
        "sites": sites,
        "fit_coef": fit_coef,
        "export_coef": export_coef,
        "members": members,
        "member_coef": member_coef,
        "pairs": pairs,
        "pair_coef": pair_coef,
    }
