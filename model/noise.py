"""The noise models of robustness samples: how one perturbed copy of a region is drawn.

The models (``lognormal``, ``additive``, ``zero_inflated``), the capping of export shares and
the road-minute noise are defined in the docstring of ``model/robustness.py``; this module
draws them. Samples come from ``numpy.random.default_rng(seed)`` one after another, so a seed
gives the same samples on any machine.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from model.basis import UNSTATED, is_estimate
from model.errors import InputError
from model.region import Region

NOISE_MODELS = ("lognormal", "additive", "zero_inflated")
DEFAULT_DROP = 0.1
DEFAULT_APPEAR = 0.05


@dataclass(frozen=True)
class Noise:
    """How a sample is drawn (module docstring): the model and its parameters."""

    model: str = "lognormal"
    sigma: float = 0.2
    drop: float = DEFAULT_DROP  # zero_inflated only
    appear: float = DEFAULT_APPEAR  # zero_inflated only
    times_sigma: float = 0.0

    def describe(self) -> dict[str, object]:
        """The parameters that matter for this model, for summary.json and reports."""
        out: dict[str, object] = {"model": self.model, "sigma": self.sigma}
        if self.model == "zero_inflated":
            out["drop"] = self.drop
            out["appear"] = self.appear
        out["times_sigma"] = self.times_sigma
        return out


def perturbed_region(
    region: Region, rng: np.random.Generator, sigma: float, noise: Noise | None = None
) -> Region:
    """The region with its activity, export shares (and road minutes) perturbed (docstring)."""
    noise = noise or Noise(sigma=sigma)
    if noise.model == "lognormal":
        activity = region.activity.copy()
        activity["value"] = activity["value"].to_numpy() * _factors(rng, len(activity), sigma)
        exports = region.exports.copy()
        shares = exports["share"].to_numpy() * _factors(rng, len(exports), sigma)
        exports["share"] = np.minimum(shares, 1.0)
    elif noise.model == "additive":
        activity = _additive(region.activity, "value", region.district_ids, rng, sigma)
        exports = _additive(region.exports, "share", region.district_ids, rng, sigma)
    elif noise.model == "zero_inflated":
        activity = _zero_inflated(region.activity, "value", region.district_ids, rng, noise)
        exports = _zero_inflated(region.exports, "share", region.district_ids, rng, noise)
    else:
        raise InputError(None, "--noise", f"expected one of {', '.join(NOISE_MODELS)}")
    changed = replace(region, activity=activity, exports=_cap_shares(exports))
    if noise.times_sigma > 0:
        roads = region.roads.copy()
        roads["minutes"] = roads["minutes"].to_numpy() * _factors(
            rng, len(roads), noise.times_sigma
        )
        changed = replace(changed, roads=roads)
    return changed


def _factors(rng: np.random.Generator, count: int, sigma: float) -> np.ndarray:
    """Mean-one log-normal factors: exp(σZ − σ²/2)."""
    return np.exp(sigma * rng.standard_normal(count) - sigma**2 / 2)


def full_grid(frame: pd.DataFrame, column: str, districts: list[str]) -> pd.DataFrame:
    """Rows summed per cell, on every district × every sector of the file (zeros included)."""
    sectors = sorted(set(frame["sector"]))
    if frame.empty or not sectors:
        return pd.DataFrame(index=pd.Index(districts, name="district"), dtype=float)
    wide = frame.pivot_table(
        index="district", columns="sector", values=column, aggfunc="sum", fill_value=0.0
    )
    return wide.reindex(index=districts, columns=sectors, fill_value=0.0).astype(float)


def _long(wide: pd.DataFrame, column: str, basis: str) -> pd.DataFrame:
    """A district × sector grid back as rows (every cell, zeros included)."""
    values = wide.to_numpy(dtype=float)
    rows = [
        (district, sector, float(values[r, c]), basis, math.nan, "")
        for r, district in enumerate(wide.index)
        for c, sector in enumerate(wide.columns)
    ]
    frame = pd.DataFrame(rows, columns=["district", "sector", column, "basis", "year", "note"])
    return frame.astype({column: float, "year": float})


def sector_scale(wide: pd.DataFrame) -> pd.Series:
    """m_s: the mean of each sector's positive cells (0 for a sector without one)."""
    positive = wide.where(wide > 0)
    return positive.mean(axis=0).fillna(0.0)


def _additive(
    frame: pd.DataFrame, column: str, districts: list[str], rng: np.random.Generator, sigma: float
) -> pd.DataFrame:
    """max(0, v + σ·m_s·Z) on every cell of the full grid (module docstring)."""
    wide = full_grid(frame, column, districts)
    if wide.shape[1] == 0:
        return frame.copy()
    scale = sector_scale(wide).to_numpy()
    values = wide.to_numpy()
    noisy = np.maximum(0.0, values + sigma * scale * rng.standard_normal(values.shape))
    return _long(pd.DataFrame(noisy, index=wide.index, columns=wide.columns), column, UNSTATED)


def _zero_inflated(
    frame: pd.DataFrame, column: str, districts: list[str], rng: np.random.Generator, noise: Noise
) -> pd.DataFrame:
    """Drop estimated rows with p, scale the rest, let zero cells appear (module docstring)."""
    wide = full_grid(frame, column, districts)
    if wide.shape[1] == 0:
        return frame.copy()
    bases = frame["basis"] if "basis" in frame else pd.Series(UNSTATED, index=frame.index)
    estimated = bases.map(is_estimate).to_numpy(dtype=bool)
    dropped = (rng.random(len(frame)) < noise.drop) & estimated
    kept = frame.loc[~dropped].copy()
    kept[column] = kept[column].to_numpy() * _factors(rng, len(kept), noise.sigma)
    values = wide.to_numpy()
    zero = values <= 0
    appears = (rng.random(values.shape) < noise.appear) & zero
    new_rows = []
    index = list(wide.index)
    for col, sector in enumerate(wide.columns):
        pool = values[:, col][values[:, col] > 0]
        for row in np.flatnonzero(appears[:, col]):
            if len(pool) == 0:
                continue
            drawn = float(pool[rng.integers(len(pool))])
            new_rows.append((index[int(row)], sector, drawn, "assumed", math.nan, "appeared"))
    added = pd.DataFrame(new_rows, columns=["district", "sector", column, "basis", "year", "note"])
    if added.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, added.astype({column: float, "year": float})], ignore_index=True)


def _cap_shares(exports: pd.DataFrame) -> pd.DataFrame:
    """Scale a (district, sector)'s export rows down together where they add up above 1."""
    if exports.empty:
        return exports
    totals = exports.groupby(["district", "sector"])["share"].transform("sum").to_numpy()
    shares = exports["share"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        capped = np.where(totals > 1.0, shares / totals, shares)
    out = exports.copy()
    out["share"] = np.minimum(capped, 1.0)
    return out


def sample_regions(
    region: Region, count: int, sigma: float, seed: int, noise: Noise | None = None
) -> Iterator[Region]:
    """The ``count`` perturbed regions of a seed, in order."""
    noise = noise or Noise(sigma=sigma)
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield perturbed_region(region, rng, sigma, noise)
