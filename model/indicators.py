r"""Indicators of docs/model.md §4, each a small pure function over plain tables.

Notation: :math:`v_{s,i}` activity of sector *s* in district *i*; :math:`V_i = \sum_s v_{s,i}`,
:math:`V_s = \sum_i v_{s,i}`, :math:`V = \sum_{s,i} v_{s,i}`; :math:`w_{k,s}` the sector weights of
cluster type *k*.

- Location quotient :math:`LQ_{s,i} = (v_{s,i}/V_i) / (V_s/V)`, 0 where :math:`V_i = 0` or
  :math:`V_s = 0`.
- Specialization fit :math:`fit_{k,i} = \sum_s w_{k,s} \min(LQ_{s,i}, cap)/cap` in [0, 1]; a
  sector of the catalogue that has no activity rows has LQ 0.
- Export orientation :math:`exp_{k,i} = \sum_s w_{k,s}\, share_{s,i}` (missing rows are 0).
- Travel time :math:`t_{i,j}`: shortest-path minutes on the undirected road graph (parallel
  links: the fastest), :math:`t_{i,i} = 0`.
- Cooperation link :math:`link_{i,j} = e^{-t_{i,j}/\tau}` if :math:`t_{i,j} \le T_{link}`, else 0;
  :math:`link_{i,i} = 1`.
- Border access :math:`tb_i` = least travel time to a district with a crossing; corridor access
  :math:`tc_i` = least travel time to an end of a ``federal`` link; infinite when none exists.
- Reported only: Hoover and Krugman specialization per district and the European Cluster
  Observatory "stars" per district and sector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra, shortest_path

from model.region import ClusterType

# European Cluster Observatory star thresholds: LQ of 2 for specialization, the top decile
# for size and focus.
STAR_LQ = 2.0
STAR_TOP_SHARE = 0.10


def activity_matrix(activity: pd.DataFrame, districts: Iterable[str]) -> pd.DataFrame:
    """Activity in wide form: one row per district (in the given order, zeros for a district
    without rows; rows of other districts are left out), one column per sector (sorted, every
    sector of ``activity``), repeated (district, sector) rows summed.

    Array work rather than ``pivot_table``, which took 9 ms on 27 districts: the indicators are
    computed again for every run, variant and feasibility test.
    """
    order = list(districts)
    sectors = sorted(set(activity["sector"].tolist()))
    row_of = {d: n for n, d in enumerate(order)}
    column_of = {s: n for n, s in enumerate(sectors)}
    rows = np.fromiter((row_of.get(d, -1) for d in activity["district"].tolist()), np.int64)
    columns = np.fromiter((column_of[s] for s in activity["sector"].tolist()), np.int64)
    keep = rows >= 0
    cells = rows[keep] * len(sectors) + columns[keep]
    values = summed_cells(cells, activity["value"].to_numpy(float)[keep], len(order) * len(sectors))
    values = values.reshape(len(order), len(sectors))
    # made sector × district and transposed: ``to_numpy`` then hands over a row-major array,
    # as it did from ``pivot_table``, and the sums over it keep their order to the last bit
    return pd.DataFrame(
        values.T, index=pd.Index(sectors, name="sector"), columns=pd.Index(order, name="district")
    ).T


def summed_cells(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The sum of ``values`` per cell (``size`` cells; ``values`` one row per entry of
    ``cells``, with one column per sample when 2-D), each a plain running sum in row order.

    The one summation of repeated (district, sector) rows: :func:`activity_matrix` and the
    sampled grids of ``model.sample_data`` both call it, so that they agree to the last bit
    (pandas' grouped ``sum`` gives a group a result that depends on the other groups).
    """
    total = np.zeros((size, *values.shape[1:]))
    np.add.at(total, cells, values)  # unbuffered: in row order
    return total


def location_quotients(activity_wide: pd.DataFrame) -> pd.DataFrame:
    """LQ[i, s] = (v[s,i]/V[i]) / (V[s]/V); 0 where a district or a sector has no activity."""
    lq = location_quotient_array(activity_wide.to_numpy(dtype=float))
    return pd.DataFrame(lq, index=activity_wide.index, columns=activity_wide.columns)


def specialization_fit(
    lq: pd.DataFrame, clusters: Mapping[str, ClusterType], lq_cap: float
) -> pd.DataFrame:
    """fit[k, i] = Σ_s w[k,s]·min(LQ[s,i], cap)/cap, one row per type, one column per district."""
    return weighted_fit(capped_lq_scores(lq, lq_cap), clusters)


def weighted_fit(scores: pd.DataFrame, clusters: Mapping[str, ClusterType]) -> pd.DataFrame:
    """fit[k, i] = Σ_s w[k,s]·score[i,s]; a sector without a column scores 0."""
    fit = weighted_fit_array(scores.to_numpy(dtype=float), list(scores.columns), clusters)
    return pd.DataFrame(fit, index=list(clusters), columns=scores.index)


def capped_lq_scores(lq: pd.DataFrame, lq_cap: float) -> pd.DataFrame:
    """score[i, s] = min(LQ[s,i], cap)/cap: the ``lq`` fit method."""
    return lq.clip(upper=lq_cap) / lq_cap


def critical_mass_sizes(activity_wide: pd.DataFrame, kind: str) -> pd.DataFrame:
    """size[i, s]: the activity v[s,i] (``kind = "absolute"``) or the district's share of the
    sector, v[s,i]/V[s] (``kind = "share"``; 0 for a sector without activity)."""
    values = activity_wide.to_numpy(dtype=float)
    if kind == "share":
        by_sector = values.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(by_sector > 0, values / by_sector, 0.0)
    return pd.DataFrame(values, index=activity_wide.index, columns=activity_wide.columns)


def critical_mass_factor(size: np.ndarray, mass: float) -> np.ndarray:
    """min(1, size/mass): full credit from the critical mass up, in proportion below it."""
    return np.minimum(1.0, size / mass)


def critical_mass_scores(
    lq: pd.DataFrame, activity_wide: pd.DataFrame, lq_cap: float, mass: float, kind: str
) -> pd.DataFrame:
    """score[i, s] = min(LQ, cap)/cap · min(1, size[s,i]/mass): the ``critical_mass`` method.

    ``size`` is the activity v[s,i] itself (``kind = "absolute"``, mass in the activity unit)
    or the district's share of the sector, v[s,i]/V[s] (``kind = "share"``, mass in 0..1).
    A specialised district with less than the critical mass gets credit in proportion.
    """
    damping = critical_mass_factor(critical_mass_sizes(activity_wide, kind).to_numpy(), mass)
    return capped_lq_scores(lq, lq_cap) * damping


def star_scores(activity_wide: pd.DataFrame) -> pd.DataFrame:
    """score[i, s] = (size + specialization + focus stars)/3: the ``stars`` fit method.

    The stars are those of :func:`cluster_stars` (European Cluster Observatory); a pair
    without activity has none.
    """
    size, special, focus = star_flags(activity_wide)
    count = size.astype(float) + special + focus
    return pd.DataFrame(count / 3.0, index=activity_wide.index, columns=activity_wide.columns)


def fit_scores(
    method: str,
    lq: pd.DataFrame,
    activity_wide: pd.DataFrame,
    lq_cap: float,
    critical_mass: float,
    critical_mass_kind: str,
) -> pd.DataFrame:
    """District × sector scores in [0, 1] of the chosen fit method (lq, stars, critical_mass)."""
    if method == "stars":
        return star_scores(activity_wide)
    if method == "critical_mass":
        return critical_mass_scores(lq, activity_wide, lq_cap, critical_mass, critical_mass_kind)
    return capped_lq_scores(lq, lq_cap)


def export_orientation(
    exports: pd.DataFrame, clusters: Mapping[str, ClusterType], districts: Iterable[str]
) -> pd.DataFrame:
    """exp[k, i] = Σ_s w[k,s]·share[s,i]; one row per type, one column per district."""
    order = list(districts)
    share: dict[tuple[str, str], float] = {}
    for d, s, v in exports[["district", "sector", "share"]].itertuples(False):
        share[(d, s)] = share.get((d, s), 0.0) + v  # one row per basis: the parts add up
    rows = {
        type_id: [
            sum(weight * share.get((d, sector), 0.0) for sector, weight in cluster.sectors.items())
            for d in order
        ]
        for type_id, cluster in clusters.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=order).astype(float)


def road_graph(roads: pd.DataFrame, districts: Iterable[str]) -> csr_matrix:
    """The road links as an upper-triangular sparse matrix of minutes (parallel links: the
    fastest; scipy would add duplicates of a COO matrix together)."""
    order = list(districts)
    position = {d: n for n, d in enumerate(order)}
    size = len(order)
    if roads.empty:
        return csr_matrix((size, size))
    ends_a = np.fromiter((position[d] for d in roads["a"].tolist()), np.int64, len(roads))
    ends_b = np.fromiter((position[d] for d in roads["b"].tolist()), np.int64, len(roads))
    u, v = np.minimum(ends_a, ends_b), np.maximum(ends_a, ends_b)
    minutes = roads["minutes"].to_numpy(float)
    # sorted by (u, v, minutes): the first link of each (u, v) run is the fastest
    order_by = np.lexsort((minutes, v, u))
    u, v, minutes = u[order_by], v[order_by], minutes[order_by]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return coo_matrix((minutes[first], (u[first], v[first])), shape=(size, size)).tocsr()


def travel_times(
    roads: pd.DataFrame, districts: Iterable[str], limit: float | None = None
) -> pd.DataFrame:
    """All-pairs shortest-path minutes on the undirected road graph (inf between parts).

    With ``limit``, paths longer than ``limit`` minutes are not followed and read inf (scipy's
    bounded Dijkstra); every time up to the limit is the same number as without it.
    """
    order = list(districts)
    size = len(order)
    if roads.empty:
        times = np.full((size, size), np.inf)
        np.fill_diagonal(times, 0.0)
        return pd.DataFrame(times, index=order, columns=order)
    graph = road_graph(roads, order)
    if limit is None:
        times = shortest_path(graph, method="D", directed=False)
    else:
        times = dijkstra(graph, directed=False, limit=limit)
    return pd.DataFrame(times, index=order, columns=order)


def cooperation_links(
    times: pd.DataFrame, tau: float, max_minutes: float, intra: pd.Series | None = None
) -> pd.DataFrame:
    """link[i, j] = exp(-t/τ) where t ≤ T_link, else 0.

    On the diagonal ``t`` is the intra-district time ``intra[i]`` when given (so two cores in
    one district are linked like two districts that far apart), and link[i, i] = 1 otherwise.
    """
    t = times.to_numpy(dtype=float).copy()
    if intra is None:
        np.fill_diagonal(t, 0.0)
    else:
        np.fill_diagonal(t, intra.reindex(times.index).to_numpy(dtype=float))
    with np.errstate(over="ignore"):
        link = np.where(t <= max_minutes, np.exp(-t / tau), 0.0)
    return pd.DataFrame(link, index=times.index, columns=times.columns)


def intra_district_minutes(area_km2: pd.Series, speed_kmh: float, detour: float) -> pd.Series:
    """t[i, i] = (2/3)·sqrt(A_i/π) · detour / speed · 60 minutes.

    (2/3)·R is the mean distance from a uniform point of a disc of radius R to its centre; the
    disc has the district's area A_i. The detour factor and the speed turn it into road time.
    """
    radius = np.sqrt(area_km2.to_numpy(dtype=float) / np.pi)
    minutes = (2.0 / 3.0) * radius * detour / speed_kmh * 60.0
    return pd.Series(minutes, index=area_km2.index, name="intra_minutes")


def access_times(
    times: pd.DataFrame, targets: Iterable[str], roads: pd.DataFrame | None = None
) -> pd.Series:
    """Least travel time from every district to any of the targets (inf if there is none).

    ``times`` may be bounded (``travel_times(..., limit)``): districts that reach no target
    within it get their time from one multi-source Dijkstra on ``roads`` instead (longer than
    the limit, so they compare with any rule threshold up to the limit as the exact times do).
    """
    chosen = sorted(set(targets))
    if not chosen:
        return pd.Series(np.inf, index=times.index, dtype=float)
    least = times[chosen].min(axis=1).astype(float)
    far = ~np.isfinite(least.to_numpy())
    if roads is not None and not roads.empty and far.any():
        order = list(times.index)
        position = {d: n for n, d in enumerate(order)}
        exact = dijkstra(
            road_graph(roads, order),
            directed=False,
            indices=[position[d] for d in chosen],
            min_only=True,
        )
        least = least.where(~far, pd.Series(exact, index=times.index))
    return least


def border_access(
    times: pd.DataFrame, crossings: pd.DataFrame, roads: pd.DataFrame | None = None
) -> pd.Series:
    """tb[i]: minutes to the nearest district that has a border crossing."""
    return access_times(times, crossings["district"], roads).rename("border_minutes")


def corridor_access(times: pd.DataFrame, roads: pd.DataFrame) -> pd.Series:
    """tc[i]: minutes to the nearest district at an end of a federal road link."""
    federal = roads[roads["kind"] == "federal"]
    ends = set(federal["a"]) | set(federal["b"])
    return access_times(times, ends, roads).rename("corridor_minutes")


def specialization_indices(activity_wide: pd.DataFrame) -> pd.DataFrame:
    """Hoover and Krugman specialization of each district's sector mix.

    Hoover (coefficient of specialization): ½ Σ_s |v[s,i]/V[i] − V[s]/V|, in [0, 1).
    Krugman: Σ_s |v[s,i]/V[i] − v[s,−i]/V[−i]| against the rest of the region, in [0, 2].
    Districts without activity get NaN.
    """
    values = activity_wide.to_numpy(dtype=float)
    by_district = values.sum(axis=1, keepdims=True)
    by_sector = values.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = values / by_district
        region_mix = by_sector / values.sum()
        rest = by_sector - values
        rest_mix = rest / rest.sum(axis=1, keepdims=True)
        hoover = 0.5 * np.abs(own - region_mix).sum(axis=1)
        krugman = np.abs(own - rest_mix).sum(axis=1)
    empty = by_district.ravel() == 0
    hoover[empty] = np.nan
    krugman[empty] = np.nan
    return pd.DataFrame({"hoover": hoover, "krugman": krugman}, index=activity_wide.index)


def star_flags(activity_wide: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The size, specialization and focus stars per (district, sector), as boolean arrays in
    the table's row and column order."""
    lq = location_quotients(activity_wide).to_numpy(dtype=float)
    values = activity_wide.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        size_share = np.nan_to_num(values / values.sum(axis=0, keepdims=True))
        focus_share = np.nan_to_num(values / values.sum(axis=1, keepdims=True))
    positive = values > 0
    if not positive.any():
        empty = np.zeros_like(positive)
        return empty, empty, empty
    size_cut = np.quantile(size_share, 1 - STAR_TOP_SHARE, axis=0, keepdims=True)
    focus_cut = np.quantile(focus_share[positive], 1 - STAR_TOP_SHARE)
    size = positive & (size_share >= size_cut)
    special = positive & (lq >= STAR_LQ)
    focus = positive & (focus_share >= focus_cut)
    return size, special, focus


def cluster_stars(activity_wide: pd.DataFrame) -> pd.DataFrame:
    """European Cluster Observatory stars per (district, sector): size, specialization, focus.

    - size: the district's share of the sector's regional activity is in the top decile of
      districts for that sector;
    - specialization: LQ ≥ 2;
    - focus: the sector's share of the district's activity is in the top decile of all
      (district, sector) pairs with activity.
    Deciles are numpy's linear-interpolation quantiles. Only pairs with positive activity
    are listed.
    """
    lq = location_quotients(activity_wide).to_numpy(dtype=float)
    values = activity_wide.to_numpy(dtype=float)
    size, special, focus = star_flags(activity_wide)
    records = []
    for n, district in enumerate(activity_wide.index):
        for m, sector in enumerate(activity_wide.columns):
            if not values[n, m] > 0:
                continue
            records.append(
                {
                    "district": district,
                    "sector": sector,
                    "value": values[n, m],
                    "lq": lq[n, m],
                    "size_star": bool(size[n, m]),
                    "specialization_star": bool(special[n, m]),
                    "focus_star": bool(focus[n, m]),
                    "stars": int(size[n, m]) + int(special[n, m]) + int(focus[n, m]),
                }
            )
    return pd.DataFrame.from_records(records)


def own_sector_activity(
    activity_wide: pd.DataFrame, clusters: Mapping[str, ClusterType]
) -> pd.DataFrame:
    """a[k, i] = Σ_{s: w[k,s] > 0} v[s,i]: activity of each district in each type's own sectors.

    A core (k, i) with a[k, i] = 0 is *greenfield*: nothing of its kind exists there yet.
    One row per type, one column per district.
    """
    own = own_sector_activity_array(
        activity_wide.to_numpy(dtype=float), list(activity_wide.columns), clusters
    )
    return pd.DataFrame(own, index=list(clusters), columns=activity_wide.index)


# -- array forms for many samples of one region (model.sample_tables) -------------------------
# Each gives the same numbers as the labelled function named in its docstring, from plain
# arrays in the same row and column order, with the same floating-point operations in the
# same order; tests/test_sample_tables.py compares them on every sample.


def location_quotient_array(values: np.ndarray) -> np.ndarray:
    """:func:`location_quotients` of a district × sector activity array (summed in row-major
    order whatever the layout handed over, so that a frame and a plain array of the same
    numbers give the same quotients to the last bit)."""
    values = np.ascontiguousarray(values, dtype=float)
    by_district = values.sum(axis=1, keepdims=True)
    by_sector = values.sum(axis=0, keepdims=True)
    total = values.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (values / by_district) / (by_sector / total)
    lq[~np.isfinite(lq)] = 0.0
    lq[(by_district == 0).ravel(), :] = 0.0
    lq[:, (by_sector == 0).ravel()] = 0.0
    return lq


def fit_score_array(
    method: str,
    lq: np.ndarray,
    values: np.ndarray,
    lq_cap: float,
    critical_mass: float,
    critical_mass_kind: str,
) -> np.ndarray:
    """:func:`fit_scores` on arrays (``stars`` goes through the labelled function)."""
    if method == "stars":
        return star_scores(pd.DataFrame(values)).to_numpy(dtype=float)
    values = np.ascontiguousarray(values, dtype=float)
    capped = np.minimum(lq, lq_cap) / lq_cap
    if method != "critical_mass":
        return capped
    size = values
    if critical_mass_kind == "share":
        by_sector = values.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            size = np.where(by_sector > 0, values / by_sector, 0.0)
    return capped * critical_mass_factor(size, critical_mass)


def weighted_fit_array(
    scores: np.ndarray, sectors: list[str], clusters: Mapping[str, ClusterType]
) -> np.ndarray:
    """:func:`weighted_fit`: type × district, ``scores`` district × ``sectors``."""
    column = {s: n for n, s in enumerate(sectors)}
    out = np.empty((len(clusters), scores.shape[0]))
    for row, cluster in enumerate(clusters.values()):
        score = np.zeros(scores.shape[0])
        for sector, weight in cluster.sectors.items():
            if sector in column:
                score = score + weight * scores[:, column[sector]]
        out[row] = score
    return out


def export_orientation_array(
    shares: np.ndarray, sectors: list[str], clusters: Mapping[str, ClusterType]
) -> np.ndarray:
    """:func:`export_orientation`: type × district from the summed district × ``sectors``
    shares (Python's own ``sum`` over Python floats, as there)."""
    column = {s: n for n, s in enumerate(sectors)}
    cells = shares.tolist()
    rows = []
    for cluster in clusters.values():
        used = [(column.get(s), w) for s, w in cluster.sectors.items()]
        rows.append([sum(w * (row[c] if c is not None else 0.0) for c, w in used) for row in cells])
    return np.asarray(rows, dtype=float).reshape(len(clusters), shares.shape[0])


def own_sector_activity_array(
    values: np.ndarray, sectors: list[str], clusters: Mapping[str, ClusterType]
) -> np.ndarray:
    """:func:`own_sector_activity`: type × district, ``values`` district × ``sectors``."""
    values = np.ascontiguousarray(values, dtype=float)
    column = {s: n for n, s in enumerate(sectors)}
    out = np.zeros((len(clusters), values.shape[0]))
    for row, cluster in enumerate(clusters.values()):
        own = [column[s] for s, w in cluster.sectors.items() if w > 0 and s in column]
        if own:
            out[row] = values[:, own].sum(axis=1)
    return out
