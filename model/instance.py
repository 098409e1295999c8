"""Turn a region and a scenario into the sparse index lists and coefficients of the model.

Everything the formulation needs is computed here once, with numpy, so that building the Pyomo
model is a matter of declaring variables over lists that already hold only the (k, i, j) that
exist. Sites that a rule excludes are kept with the reason, for the infeasibility diagnosis of
locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model import indicators as ind
from model.errors import InputError
from model.region import Region
from model.scenario import Indicators, Scenario

Site = tuple[str, str]  # (cluster type, district)
Member = tuple[str, str, str]  # (cluster type, core district, member district)
Pair = tuple[str, str, str, str]  # (type k, core i, type k', core j) with k before k'


@dataclass(frozen=True)
class IndicatorTables:
    """The indicators of docs/model.md §4 for one region under one scenario's settings."""

    activity: pd.DataFrame  # district × sector
    lq: pd.DataFrame  # district × sector
    fit: pd.DataFrame  # type × district
    export: pd.DataFrame  # type × district
    times: pd.DataFrame  # district × district, minutes
    link: pd.DataFrame  # district × district
    border_minutes: pd.Series  # tb per district
    corridor_minutes: pd.Series  # tc per district
    settings: Indicators | None = None  # the scenario settings these were computed with
    own_activity: pd.DataFrame | None = None  # type × district: activity in the type's sectors
    intra_minutes: pd.Series | None = None  # t[i,i] of intra_district: disc (None with none)


@dataclass(frozen=True)
class Group:
    name: str
    districts: tuple[str, ...]
    min_sites: int
    max_sites: int | None
    types: tuple[str, ...] | None = None  # only cores of these types count; None = every type

    def counts(self, site: Site) -> bool:
        """Whether a core site counts toward the group's floor and cap."""
        k, i = site
        return i in self.districts and (self.types is None or k in self.types)


@dataclass(frozen=True)
class LockSet:
    """rules.lock[index]: at least one core of ``cluster`` in one of ``districts``."""

    index: int
    cluster: str
    districts: tuple[str, ...]

    @property
    def sites(self) -> list[Site]:
        return [(self.cluster, i) for i in self.districts]

    def describe(self) -> str:
        where = (
            self.districts[0]
            if len(self.districts) == 1
            else ("one of " + ", ".join(self.districts))
        )
        return f"{self.cluster} in {where}"


@dataclass
class SitingInstance:
    """Sparse index lists and coefficients of the siting model (docs/model.md §5)."""

    types: list[str]
    districts: list[str]
    sites: list[Site]
    fit_coef: dict[Site, float]  # w_fit · fit[k,i]
    export_coef: dict[Site, float]  # w_export · exp[k,i]
    members: list[Member]
    member_coef: dict[Member, float]  # w_member · fit[k,j] · link[i,j]
    pairs: list[Pair]
    pair_coef: dict[Pair, float]  # w_coop · coop[k,k'] · link[i,j]
    site_range: dict[str, tuple[int, int]]
    capacity: int
    max_members: int
    border_districts: frozenset[str]
    min_border_sites: int
    groups: list[Group]
    locks: list[LockSet]
    site_cost: dict[str, float] | None  # per district, when a budget applies
    budget_limit: float | None
    excluded: dict[Site, str] = field(default_factory=dict)  # site -> the rule excluding it

    def core_coef(self, site: Site) -> float:
        return self.fit_coef[site] + self.export_coef[site]


def compute_indicators(region: Region, scenario: Scenario) -> IndicatorTables:
    """Compute every indicator table under the scenario's indicator settings."""
    settings = scenario.indicators
    districts = region.district_ids
    activity = ind.activity_matrix(region.activity, districts)
    lq = ind.location_quotients(activity)
    scores = ind.fit_scores(
        settings.fit,
        lq,
        activity,
        settings.lq_cap,
        settings.critical_mass,
        settings.critical_mass_kind,
    )
    fit = ind.weighted_fit(scores, region.clusters)
    export = ind.export_orientation(region.exports, region.clusters, districts)
    times = ind.travel_times(region.roads, districts)
    intra = None
    if settings.intra_district == "disc":
        intra = ind.intra_district_minutes(
            district_areas(region), settings.intra_speed_kmh, settings.intra_detour
        )
    link = ind.cooperation_links(times, settings.link_tau, settings.link_max_minutes, intra)
    return IndicatorTables(
        activity=activity,
        lq=lq,
        fit=fit,
        export=export,
        times=times,
        link=link,
        border_minutes=ind.border_access(times, region.crossings),
        corridor_minutes=ind.corridor_access(times, region.roads),
        settings=settings,
        own_activity=ind.own_sector_activity(activity, region.clusters),
        intra_minutes=intra,
    )


def district_areas(region: Region) -> pd.Series:
    """area_km2 per district; refused (exit 2) when a district has none, since the intra-district
    time of ``indicators.intra_district: disc`` needs it."""
    areas = region.districts["area_km2"].astype(float)
    missing = [str(d) for d, a in areas.items() if not (np.isfinite(a) and a > 0)]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InputError(
            region.path / "districts.csv",
            "column area_km2",
            f"indicators.intra_district: disc needs a positive area for every district; "
            f"missing or 0 for {shown} (set intra_district: none to do without)",
        )
    return areas


def active_types(region: Region, scenario: Scenario) -> list[str]:
    """The types to site: rules.clusters in its order, or the whole catalogue in file order."""
    chosen = scenario.rules.clusters
    return list(chosen) if chosen is not None else list(region.clusters)


def symmetric_cooperation(region: Region, first: str, second: str) -> float:
    """coop[k, k'] = the larger of the two stated intensities (0 when neither states one)."""
    a = region.clusters[first].cooperation.get(second, 0.0)
    b = region.clusters[second].cooperation.get(first, 0.0)
    return max(a, b)


def _exclusion_reasons(
    region: Region, scenario: Scenario, tables: IndicatorTables, types: list[str]
) -> dict[Site, str]:
    """Why each excluded core site is excluded (forbid, greenfield, border and corridor rules)."""
    rules = scenario.rules
    reasons: dict[Site, str] = {}
    own = tables.own_activity.to_dict(orient="index") if tables.own_activity is not None else None
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


def build_instance(
    region: Region, scenario: Scenario, tables: IndicatorTables | None = None
) -> SitingInstance:
    """Precompute the allowed sites, member arcs and cooperating pairs with their coefficients."""
    tables = tables or compute_indicators(region, scenario)
    rules, weights = scenario.rules, scenario.weights
    types = active_types(region, scenario)
    districts = region.district_ids
    excluded = _exclusion_reasons(region, scenario, tables, types)

    fit = tables.fit.loc[types, districts].to_numpy(float)
    export = tables.export.loc[types, districts].to_numpy(float)
    times = tables.times.loc[districts, districts].to_numpy(float)
    link = tables.link.loc[districts, districts].to_numpy(float)
    allowed = np.array([[(k, i) not in excluded for i in districts] for k in types], dtype=bool)

    sites: list[Site] = []
    fit_coef: dict[Site, float] = {}
    export_coef: dict[Site, float] = {}
    for a, k in enumerate(types):
        for b in np.flatnonzero(allowed[a]):
            site = (k, districts[b])
            sites.append(site)
            fit_coef[site] = weights.fit * float(fit[a, b])
            export_coef[site] = weights.export * float(export[a, b])

    # x[k,i,j]: j ≠ i within the member radius; arcs worth nothing are left out, which cannot
    # change the optimum because the objective never gains from them.
    members: list[Member] = []
    member_coef: dict[Member, float] = {}
    reach = times <= scenario.indicators.member_max_minutes
    np.fill_diagonal(reach, False)
    if weights.member > 0 and rules.max_members > 0:
        for a, k in enumerate(types):
            gain = weights.member * fit[a][None, :] * link  # [i, j] = fit[k,j] · link[i,j]
            for b in np.flatnonzero(allowed[a]):
                for c in np.flatnonzero(reach[b] & (gain[b] > 0)):
                    arc = (k, districts[b], districts[c])
                    members.append(arc)
                    member_coef[arc] = float(gain[b, c])

    pairs: list[Pair] = []
    pair_coef: dict[Pair, float] = {}
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

    border = frozenset(region.districts.index[region.districts["border"]])
    budget = rules.budget
    return SitingInstance(
        types=types,
        districts=districts,
        sites=sites,
        fit_coef=fit_coef,
        export_coef=export_coef,
        members=members,
        member_coef=member_coef,
        pairs=pairs,
        pair_coef=pair_coef,
        site_range={k: rules.site_range(k) for k in types},
        capacity=rules.max_clusters_per_district,
        max_members=rules.max_members,
        border_districts=border,
        min_border_sites=rules.min_border_sites,
        groups=[
            Group(
                g.name,
                tuple(g.districts),
                g.min_sites,
                g.max_sites,
                tuple(g.types) if g.types is not None else None,
            )
            for g in rules.groups
        ],
        locks=[LockSet(n, p.cluster, p.places) for n, p in enumerate(rules.lock)],
        site_cost=(
            {i: budget.costs.get(i, budget.default_cost) for i in districts} if budget else None
        ),
        budget_limit=budget.limit if budget else None,
        excluded=excluded,
    )
