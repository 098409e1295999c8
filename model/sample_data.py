"""Robustness samples as arrays: the perturbed data of many samples, drawn and summed at once.

:func:`draw_samples` draws exactly the samples of :func:`model.noise.sample_regions` (same
seed, same random numbers in the same order) but keeps each one as arrays over the rows of the
region's files instead of a new :class:`~model.region.Region`: under ``lognormal`` noise the
rows stay the region's own and only their values change, so no data frame is built. The other
noise models make rows of their own; their samples are drawn as regions and read into arrays.

:func:`activity_grids` and :func:`export_grids` then sum the rows of every sample into its
district × sector grid, the same numbers as ``model.indicators`` sums them for that sample
alone (for ``lognormal``, one grouped sum whose columns are the samples), ready for
``model.sample_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from model import indicators as ind
from model.noise import Noise, _factors, sample_regions
from model.region import Region


@dataclass(frozen=True)
class Rows:
    """One sample's rows of activity.csv or exports.csv: district positions, sectors, values."""

    district: np.ndarray  # int, position in region.district_ids
    sector: np.ndarray  # object, sector ids
    value: np.ndarray  # float


@dataclass(frozen=True)
class DataSample:
    """One perturbed copy of the data (module docstring)."""

    activity: Rows
    exports: Rows  # shares after capping
    minutes: np.ndarray | None  # road minutes per row of region.roads; None: unchanged
    region: Region | None = None  # the perturbed region, when the noise model made its rows

    def as_region(self, base: Region) -> Region:
        """The sample as a :class:`Region`, equal to the one ``sample_regions`` draws."""
        if self.region is not None:
            return self.region
        activity = base.activity.copy()
        activity["value"] = self.activity.value
        exports = base.exports.copy()
        exports["share"] = self.exports.value
        changed = replace(base, activity=activity, exports=exports)
        if self.minutes is not None:
            roads = base.roads.copy()
            roads["minutes"] = self.minutes
            changed = replace(changed, roads=roads)
        return changed


def rows_of(frame: pd.DataFrame, column: str, position: dict[str, int]) -> Rows:
    """The rows of an activity or exports table as arrays."""
    return Rows(
        np.asarray([position[d] for d in frame["district"]], dtype=np.int64),
        frame["sector"].to_numpy(dtype=object),
        frame[column].to_numpy(dtype=float),
    )


def draw_samples(region: Region, count: int, seed: int, noise: Noise) -> list[DataSample]:
    """The ``count`` samples of ``seed`` in order, as :func:`model.noise.sample_regions`."""
    position = {d: n for n, d in enumerate(region.district_ids)}
    if noise.model != "lognormal":
        return [
            DataSample(
                rows_of(r.activity, "value", position),
                rows_of(r.exports, "share", position),
                None if r.roads is region.roads else r.roads["minutes"].to_numpy(dtype=float),
                region=r,
            )
            for r in sample_regions(region, count, noise.sigma, seed, noise)
        ]
    rng = np.random.default_rng(seed)
    activity = rows_of(region.activity, "value", position)
    exports = rows_of(region.exports, "share", position)
    minutes = region.roads["minutes"].to_numpy(dtype=float)
    values, shares, times = [], [], []
    for _ in range(count):  # the draws of model.noise.perturbed_region, in its order
        values.append(activity.value * _factors(rng, len(activity.value), noise.sigma))
        share = exports.value * _factors(rng, len(exports.value), noise.sigma)
        shares.append(np.minimum(share, 1.0))
        if noise.times_sigma > 0:
            times.append(minutes * _factors(rng, len(minutes), noise.times_sigma))
    capped = _cap_all(exports, shares, region.district_ids)
    return [
        DataSample(
            replace(activity, value=values[n]),
            replace(exports, value=capped[n]),
            times[n] if times else None,
        )
        for n in range(count)
    ]


def _stacked(rows: Rows, values: list[np.ndarray], districts: list[str]) -> pd.DataFrame:
    """The rows' (district, sector) ids with one value column per sample (the same keys as
    the sample's own table, so that pandas groups and adds up exactly as there)."""
    ids = np.asarray(districts, dtype=object)[rows.district]
    keys = pd.DataFrame({"district": ids, "sector": rows.sector})
    return pd.concat([keys, pd.DataFrame(np.column_stack(values))], axis=1)


def _cap_all(exports: Rows, shares: list[np.ndarray], districts: list[str]) -> list[np.ndarray]:
    """``model.noise._cap_shares`` of every sample: a cell's rows scaled down together where
    they add up above 1. The cell totals come from one grouped sum whose columns are the
    samples: pandas adds up each column exactly as it adds up a sample's own table."""
    if not shares or len(exports.value) == 0:
        return shares
    table = _stacked(exports, shares, districts)
    columns = list(range(len(shares)))
    totals = table.groupby(["district", "sector"])[columns].transform("sum").to_numpy()
    flat = np.column_stack(shares)
    with np.errstate(divide="ignore", invalid="ignore"):
        capped = np.minimum(np.where(totals > 1.0, flat / totals, flat), 1.0)
    return [capped[:, n].copy() for n in range(len(shares))]


@dataclass(frozen=True)
class Grid:
    """One sample's rows summed per (district, sector): district × ``sectors`` (sorted, the
    sectors that have rows), as ``model.indicators.activity_matrix`` lays them out."""

    values: np.ndarray
    sectors: list[str]


def activity_grids(samples: list[DataSample], region: Region) -> list[Grid]:
    """The activity grid of every sample, the numbers of ``activity_matrix``.

    Samples on the region's own rows (``lognormal``) are summed in one pass whose columns are
    the samples (``model.indicators.summed_cells``, as there); samples with rows of their own
    (and a region without activity rows) go through ``activity_matrix``.
    """
    districts = region.district_ids
    if not samples:
        return []
    if any(s.region is not None for s in samples) or len(samples[0].activity.value) == 0:
        out = []
        for s in samples:
            wide = ind.activity_matrix(s.as_region(region).activity, districts)
            out.append(Grid(wide.to_numpy(dtype=float), [str(c) for c in wide.columns]))
        return out
    rows = samples[0].activity
    sectors = sorted({str(x) for x in rows.sector.tolist()})
    column = {x: n for n, x in enumerate(sectors)}
    cells = rows.district * len(sectors) + np.fromiter(
        (column[str(x)] for x in rows.sector.tolist()), np.int64, len(rows.district)
    )
    # one column per sample, summed as activity_matrix sums one sample's table
    stacked = np.column_stack([s.activity.value for s in samples])
    summed = ind.summed_cells(cells, stacked, len(districts) * len(sectors))
    return [
        Grid(summed[:, n].reshape(len(districts), len(sectors)).copy(), sectors)
        for n in range(len(samples))
    ]


def export_grids(samples: list[DataSample], region: Region) -> list[Grid]:
    """Every sample's export shares summed per cell in row order (0.0 + v1 + v2 + ...), as
    ``model.indicators.export_orientation`` adds them up; sectors sorted."""
    out = []
    for s in samples:
        rows = s.exports
        sectors = sorted({str(x) for x in rows.sector.tolist()})
        column = {x: n for n, x in enumerate(sectors)}
        grid = np.zeros((len(region.district_ids), len(sectors)))
        cols = np.asarray([column[str(x)] for x in rows.sector.tolist()], dtype=np.int64)
        np.add.at(grid, (rows.district, cols), rows.value)  # unbuffered: in row order
        out.append(Grid(grid, sectors))
    return out
