"""The noise draws as ``model.noise`` made them before its :class:`~model.noise.NoisePlan`.

Each sample was drawn from scratch: the full grid, the sector scales and the estimate masks
recomputed for every sample, the sample's frames built as it went. ``tests/test_noise_plan.py``
checks that ``model.noise`` (grids made once per region, draws as arrays) gives the same
samples to the last bit, under every noise model.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd

from model.basis import UNSTATED, is_estimate
from model.errors import InputError
from model.noise import NOISE_MODELS, Noise, _cap_shares, _factors, _long, full_grid, sector_scale
from model.region import Region


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


def sample_regions(
    region: Region, count: int, sigma: float, seed: int, noise: Noise | None = None
) -> Iterator[Region]:
    """The ``count`` perturbed regions of a seed, in order."""
    noise = noise or Noise(sigma=sigma)
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield perturbed_region(region, rng, sigma, noise)
