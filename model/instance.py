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
from scipy.sparse import csr_matrix

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


def table_block(frame: pd.DataFrame, rows: list[str], columns: list[str]) -> np.ndarray:
    """``frame.loc[rows, columns]`` as a float array, by integer positions: ``.loc`` with
    lists builds a pandas index of the labels, about a millisecond a call, which the conflict
    search pays thousands of times. A missing label is a KeyError, as with ``.loc``."""
    values = frame.to_numpy(dtype=float)  # may be the frame's own buffer: never written into
    row_at, column_at = _positions(frame.index, rows), _positions(frame.columns, columns)
    if row_at is not None:
        values = values[row_at]
    if column_at is not None:
        values = values[:, column_at]
    return values


def _aligned(series: pd.Series, labels: list[str]) -> np.ndarray:
    """``series.reindex(labels)`` as floats (NaN where a label is missing), without the
    reindex when the series is in that order already."""
    if series.index.tolist() != labels:
        series = series.reindex(labels)
    return series.to_numpy(dtype=float)


def _positions(index: pd.Index, labels: list[str]) -> np.ndarray | None:
    """Where each label is in ``index``; None when the index is the labels, in order."""
    held = index.tolist()
    if held == labels:
        return None
    at = {label: n for n, label in enumerate(held)}
    missing = [label for label in labels if label not in at]
    if missing:
        raise KeyError(f"not in the table: {missing[:5]}")
    return np.fromiter((at[label] for label in labels), dtype=np.int64, count=len(labels))


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


class PairTable:
    """The cooperating core pairs (k, i, k', j) as parallel arrays, in the model's order.

    ``first_type`` / ``second_type`` index ``types``, ``first_district`` / ``second_district``
    index ``districts``; ``coef`` is w_coop · coop[k,k'] · link[i,j]. The list of tuples and the
    coefficient dict that the pair formulation indexes are made the first time they are asked
    for: the compact formulation works on the arrays alone, which at 3,000 districts × 51 types
    saves building 1.8 million tuples.
    """

    def __init__(
        self,
        types: list[str],
        districts: list[str],
        first_type: np.ndarray,
        first_district: np.ndarray,
        second_type: np.ndarray,
        second_district: np.ndarray,
        coef: np.ndarray,
    ) -> None:
        self.types = types
        self.districts = districts
        self.first_type = first_type
        self.first_district = first_district
        self.second_type = second_type
        self.second_district = second_district
        self.coef = coef
        self._keys: list[Pair] | None = None
        self._coef_map: dict[Pair, float] | None = None

    @classmethod
    def from_parts(
        cls, types: list[str], districts: list[str], parts: list[tuple[np.ndarray, ...]]
    ) -> PairTable:
        """Concatenate (first type, first district, second type, second district, coef)
        blocks."""
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(types, districts, empty, empty, empty, empty, np.zeros(0))
        columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
        return cls(types, districts, *columns)

    def __len__(self) -> int:
        return len(self.coef)

    def keys(self) -> list[Pair]:
        if self._keys is None:
            t, d = self.types, self.districts
            self._keys = [
                (t[a], d[b], t[a2], d[c])
                for a, b, a2, c in zip(
                    self.first_type.tolist(),
                    self.first_district.tolist(),
                    self.second_type.tolist(),
                    self.second_district.tolist(),
                    strict=True,
                )
            ]
        return self._keys

    def coef_map(self) -> dict[Pair, float]:
        if self._coef_map is None:
            self._coef_map = dict(zip(self.keys(), self.coef.tolist(), strict=True))
        return self._coef_map


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
    pair_table: PairTable  # the cooperating pairs as arrays (tuples made on demand)
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
    cooperation: str = "pairs"  # the cooperation formulation: pairs or compact (§5.1)
    # the position of each site's type and district in ``types`` / ``districts``, and of each
    # member arc's type, core district and member district, as build_instance made them
    # (model.column_index reads them; an instance assembled by hand leaves them None and the
    # positions are then looked up from the tuples)
    site_positions: tuple[np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    member_positions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )

    def core_coef(self, site: Site) -> float:
        return self.fit_coef[site] + self.export_coef[site]

    @property
    def pairs(self) -> list[Pair]:
        """The cooperating pairs (k, i, k', j), k before k' (made from the arrays once)."""
        return self.pair_table.keys()

    @property
    def pair_coef(self) -> dict[Pair, float]:
        """w_coop · coop[k,k'] · link[i,j] per pair (made from the arrays once)."""
        return self.pair_table.coef_map()

    @property
    def pair_count(self) -> int:
        return len(self.pair_table)


# From this many districts on, travel times are computed only up to the largest radius in use
# and read inf beyond it (the times table, travel_minutes.csv of the atlas); the model, the
# rules and the access times (tb, tc) are the same numbers as with the full matrix.
BOUNDED_TIMES_FROM = 1000


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
    # large regions: times only within the largest radius the model uses (link, member)
    limit = (
        max(settings.link_max_minutes, settings.member_max_minutes)
        if len(districts) >= BOUNDED_TIMES_FROM
        else None
    )
    times = ind.travel_times(region.roads, districts, limit)
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
        border_minutes=ind.border_access(times, region.crossings, region.roads),
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
    """Why each excluded core site is excluded (forbid, greenfield, border and corridor rules).

    The rules are tested as boolean arrays over the districts, one type at a time; only the
    excluded sites get a Python loop (to word their reasons).
    """
    rules = scenario.rules
    districts = region.district_ids
    position = {d: n for n, d in enumerate(districts)}
    border = _aligned(tables.border_minutes, districts)
    corridor = _aligned(tables.corridor_minutes, districts)
    own = tables.own_activity
    if own is not None and own.columns.tolist() != districts:
        own = own.reindex(columns=districts)
    own_values = own.to_numpy(dtype=float) if own is not None else None
    own_row = {k: n for n, k in enumerate(own.index.tolist())} if own is not None else {}
    reasons: dict[Site, str] = {}
    for k in types:
        cluster = region.clusters[k]
        forbidden = np.zeros(len(districts), dtype=bool)
        for pick in rules.forbid:
            if pick.cluster in (None, k) and pick.district in position:
                forbidden[position[pick.district]] = True
        far_border = (
            border > rules.border.max_minutes
            if rules.border.applies_to(cluster)
            else np.zeros(len(districts), dtype=bool)
        )
        far_corridor = (
            corridor > rules.corridor.max_minutes
            if rules.corridor.applies_to(cluster)
            else np.zeros(len(districts), dtype=bool)
        )
        greenfield = (
            ~(own_values[own_row[k]] > 0)
            if not rules.greenfield and own_values is not None
            else np.zeros(len(districts), dtype=bool)
        )
        for b in np.flatnonzero(forbidden | far_border | far_corridor | greenfield):
            i = districts[b]
            found: list[str] = []
            if forbidden[b]:
                found.append("forbidden by rules.forbid")
            if far_border[b]:
                found.append(
                    f"border rule: {k} must reach a crossing and the nearest one is "
                    f"{border[b]:.0f} min away (> {rules.border.max_minutes:g})"
                )
            if far_corridor[b]:
                found.append(
                    f"corridor rule: {k} must reach a federal road and the nearest one is "
                    f"{corridor[b]:.0f} min away (> {rules.corridor.max_minutes:g})"
                )
            if greenfield[b]:
                sectors = ", ".join(s for s, w in cluster.sectors.items() if w > 0)
                found.append(
                    f"greenfield rule: {i} has no activity in the sectors of {k} ({sectors}); "
                    "rules.greenfield: true allows such a core"
                )
            reasons[(k, i)] = "; and ".join(found)
    return reasons


def _nonzero_pattern(matrix: np.ndarray) -> csr_matrix:
    """The positive entries of a square matrix as CSR (sorted: row-major order)."""
    pattern = csr_matrix(np.where(matrix > 0, matrix, 0.0))
    pattern.sort_indices()
    return pattern


def _pattern_entries(pattern: csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of every stored entry, in row-major order."""
    rows = np.repeat(np.arange(pattern.shape[0], dtype=np.int64), np.diff(pattern.indptr))
    return rows, pattern.indices.astype(np.int64), pattern.data


def build_instance(
    region: Region, scenario: Scenario, tables: IndicatorTables | None = None
) -> SitingInstance:
    """Precompute the allowed sites, member arcs and cooperating pairs with their coefficients.

    Everything is array work over the sparse pattern of the link matrix (only district pairs
    within the link radius are ever visited); Python tuples are made only for the sites and
    member arcs, which the model indexes. Pairs stay arrays (:class:`PairTable`) until a caller
    asks for their tuples, which the compact cooperation formulation never does.
    """
    tables = tables or compute_indicators(region, scenario)
    rules, weights = scenario.rules, scenario.weights
    types = active_types(region, scenario)
    districts = region.district_ids
    excluded = _exclusion_reasons(region, scenario, tables, types)

    fit = table_block(tables.fit, types, districts)
    export = table_block(tables.export, types, districts)
    times = table_block(tables.times, districts, districts)
    link = table_block(tables.link, districts, districts)
    allowed = np.ones((len(types), len(districts)), dtype=bool)
    type_pos = {k: a for a, k in enumerate(types)}
    district_pos = {d: b for b, d in enumerate(districts)}
    for k, i in excluded:
        allowed[type_pos[k], district_pos[i]] = False

    site_type, site_district = np.nonzero(allowed)  # row-major: type by type, as before
    sites: list[Site] = [
        (types[a], districts[b])
        for a, b in zip(site_type.tolist(), site_district.tolist(), strict=True)
    ]
    fit_coef = dict(zip(sites, (weights.fit * fit[site_type, site_district]).tolist(), strict=True))
    export_coef = dict(
        zip(sites, (weights.export * export[site_type, site_district]).tolist(), strict=True)
    )

    # x[k,i,j]: j ≠ i within the member radius; arcs worth nothing are left out, which cannot
    # change the optimum because the objective never gains from them.
    members: list[Member] = []
    member_coef: dict[Member, float] = {}
    member_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if weights.member > 0 and rules.max_members > 0:
        reach = np.where(times <= scenario.indicators.member_max_minutes, link, 0.0)
        np.fill_diagonal(reach, 0.0)
        near_i, near_j, near_link = _pattern_entries(_nonzero_pattern(reach))
        for a, k in enumerate(types):
            gain = weights.member * fit[a][near_j] * near_link  # fit[k,j] · link[i,j]
            keep = allowed[a][near_i] & (gain > 0)
            arcs = [
                (k, districts[b], districts[c])
                for b, c in zip(near_i[keep].tolist(), near_j[keep].tolist(), strict=True)
            ]
            members.extend(arcs)
            member_coef.update(zip(arcs, gain[keep].tolist(), strict=True))
            member_parts.append((np.full(len(arcs), a, dtype=np.int64), near_i[keep], near_j[keep]))

    pair_parts: list[tuple[np.ndarray, ...]] = []
    if weights.coop > 0:
        link_i, link_j, link_value = _pattern_entries(_nonzero_pattern(link))
        for a, k in enumerate(types):
            for a2 in range(a + 1, len(types)):
                coop = symmetric_cooperation(region, k, types[a2])
                if coop <= 0:
                    continue
                keep = np.flatnonzero(allowed[a][link_i] & allowed[a2][link_j])
                pair_parts.append(
                    (
                        np.full(len(keep), a, dtype=np.int64),
                        link_i[keep],
                        np.full(len(keep), a2, dtype=np.int64),
                        link_j[keep],
                        weights.coop * coop * link_value[keep],
                    )
                )
    pair_table = PairTable.from_parts(types, districts, pair_parts)

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
        pair_table=pair_table,
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
        cooperation=choose_cooperation(scenario.solver.cooperation, len(pair_table)),
        site_positions=(site_type.astype(np.int64), site_district.astype(np.int64)),
        member_positions=_concatenated(member_parts),
    )


def _concatenated(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    first, second, third = (
        np.concatenate(column).astype(np.int64) for column in zip(*parts, strict=True)
    )
    return first, second, third


# From this many cooperating pairs on, ``solver.cooperation: auto`` takes the compact
# formulation: its LP bound is weaker (300 x 12: the pair model reached a 1 % gap in 57 s, the
# compact one stood at 12.9 % after 120 s), so it pays only where the pair model no longer fits
# (3,000 x 51: 1.85 million pairs, 6.5 GB, its LP unsolved after 300 s). bench/scale.py
# measures both at every size (docs/bench/scale.md).
AUTO_COMPACT_PAIRS = 1_000_000


def choose_cooperation(setting: str, pair_count: int) -> str:
    """``pairs`` or ``compact``: the setting itself, or by size for ``auto``."""
    if setting != "auto":
        return setting
    return "compact" if pair_count >= AUTO_COMPACT_PAIRS else "pairs"
