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
    plan = NoisePlan.of(region, sigma, noise)
    return plan.region_of(plan.draw(rng))


@dataclass(frozen=True)
class TablePlan:
    """What every sample of one table (activity or exports) shares: the table, and for the
    grid models its full district × sector grid (``wide``; ``scale`` = m_s under additive,
    ``estimated`` = the rows an estimate under zero_inflated). ``wide`` is None when the file
    has no sector: the grid models then leave the table as it is and draw nothing."""

    frame: pd.DataFrame
    column: str
    wide: pd.DataFrame | None = None
    scale: np.ndarray | None = None
    estimated: np.ndarray | None = None


@dataclass(frozen=True)
class TableDraw:
    """One sample's random part of one table, as arrays.

    ``values``: lognormal, every row's new value (shares not yet capped); additive, every cell
    of the grid (``TablePlan.wide``'s layout); zero_inflated, the new values of the rows kept.
    ``dropped``: zero_inflated, the rows dropped. ``appeared``: zero_inflated, the cells that
    appear as (grid row, grid column, value), in the order drawn.
    """

    values: np.ndarray
    dropped: np.ndarray | None = None
    appeared: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class Draw:
    """One sample's random numbers turned into values (``minutes``: None when not drawn)."""

    activity: TableDraw | None
    exports: TableDraw | None
    minutes: np.ndarray | None


@dataclass(frozen=True)
class NoisePlan:
    """The part of a sample that does not depend on the random numbers, made once per region:
    :meth:`draw` then takes a sample's random numbers in the documented order and
    :meth:`region_of` builds its region, the same as drawing it from scratch."""

    region: Region
    noise: Noise
    activity: TablePlan
    exports: TablePlan

    @classmethod
    def of(cls, region: Region, sigma: float, noise: Noise | None = None) -> NoisePlan:
        noise = noise or Noise(sigma=sigma)
        if noise.model not in NOISE_MODELS:
            raise InputError(None, "--noise", f"expected one of {', '.join(NOISE_MODELS)}")
        return cls(
            region,
            noise,
            _table_plan(region.activity, "value", region.district_ids, noise.model),
            _table_plan(region.exports, "share", region.district_ids, noise.model),
        )

    @property
    def sigma(self) -> float:
        return self.noise.sigma

    def draw(self, rng: np.random.Generator) -> Draw:
        """One sample's values: activity, then exports, then road minutes."""
        noise, sigma = self.noise, self.noise.sigma
        drawn: tuple[TableDraw | None, TableDraw | None]
        if noise.model == "lognormal":
            activity = TableDraw(
                self.activity.frame["value"].to_numpy()
                * _factors(rng, len(self.activity.frame), sigma)
            )
            shares = self.exports.frame["share"].to_numpy() * _factors(
                rng, len(self.exports.frame), sigma
            )
            exports = TableDraw(np.minimum(shares, 1.0))
            drawn = (activity, exports)
        elif noise.model == "additive":
            drawn = (_additive(self.activity, rng, sigma), _additive(self.exports, rng, sigma))
        else:
            drawn = (
                _zero_inflated(self.activity, rng, noise),
                _zero_inflated(self.exports, rng, noise),
            )
        minutes = None
        if noise.times_sigma > 0:
            roads = self.region.roads
            minutes = roads["minutes"].to_numpy() * _factors(rng, len(roads), noise.times_sigma)
        return Draw(drawn[0], drawn[1], minutes)

    def region_of(self, draw: Draw) -> Region:
        """The sample's region: its tables built from the drawn values, shares capped."""
        activity = self._table(self.activity, draw.activity)
        exports = self._table(self.exports, draw.exports)
        changed = replace(self.region, activity=activity, exports=_cap_shares(exports))
        if draw.minutes is not None:
            roads = self.region.roads.copy()
            roads["minutes"] = draw.minutes
            changed = replace(changed, roads=roads)
        return changed

    def _table(self, plan: TablePlan, drawn: TableDraw | None) -> pd.DataFrame:
        if drawn is None:  # a grid model on a file without sectors
            return plan.frame.copy()
        if self.noise.model == "lognormal":
            out = plan.frame.copy()
            out[plan.column] = drawn.values
            return out
        assert plan.wide is not None
        if self.noise.model == "additive":
            noisy = pd.DataFrame(drawn.values, index=plan.wide.index, columns=plan.wide.columns)
            return _long(noisy, plan.column, UNSTATED)
        return _zero_inflated_table(plan, drawn)


def _table_plan(frame: pd.DataFrame, column: str, districts: list[str], model: str) -> TablePlan:
    if model == "lognormal":
        return TablePlan(frame, column)
    wide = full_grid(frame, column, districts)
    if wide.shape[1] == 0:
        return TablePlan(frame, column)
    if model == "additive":
        return TablePlan(frame, column, wide, scale=sector_scale(wide).to_numpy())
    bases = frame["basis"] if "basis" in frame else pd.Series(UNSTATED, index=frame.index)
    estimated = bases.map(is_estimate).to_numpy(dtype=bool)
    return TablePlan(frame, column, wide, estimated=estimated)


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


def _additive(plan: TablePlan, rng: np.random.Generator, sigma: float) -> TableDraw | None:
    """max(0, v + σ·m_s·Z) on every cell of the full grid (module docstring)."""
    if plan.wide is None:
        return None
    assert plan.scale is not None
    values = plan.wide.to_numpy()
    return TableDraw(
        np.maximum(0.0, values + sigma * plan.scale * rng.standard_normal(values.shape))
    )


def _zero_inflated(plan: TablePlan, rng: np.random.Generator, noise: Noise) -> TableDraw | None:
    """Drop estimated rows with p, scale the rest, let zero cells appear (module docstring)."""
    if plan.wide is None:
        return None
    assert plan.estimated is not None
    dropped = (rng.random(len(plan.frame)) < noise.drop) & plan.estimated
    kept = plan.frame[plan.column].to_numpy()[~dropped]
    kept = kept * _factors(rng, len(kept), noise.sigma)
    values = plan.wide.to_numpy()
    zero = values <= 0
    appears = (rng.random(values.shape) < noise.appear) & zero
    appeared = []
    for col in range(values.shape[1]):
        pool = values[:, col][values[:, col] > 0]
        for row in np.flatnonzero(appears[:, col]):
            if len(pool) == 0:
                continue
            appeared.append((int(row), col, float(pool[rng.integers(len(pool))])))
    return TableDraw(kept, dropped, tuple(appeared))


def _zero_inflated_table(plan: TablePlan, drawn: TableDraw) -> pd.DataFrame:
    """The kept rows with their new values, then one ``assumed`` row per appearing cell."""
    assert plan.wide is not None and drawn.dropped is not None
    kept = plan.frame.loc[~drawn.dropped].copy()
    kept[plan.column] = drawn.values
    index, sectors = list(plan.wide.index), list(plan.wide.columns)
    new_rows = [
        (index[row], sectors[col], value, "assumed", math.nan, "appeared")
        for row, col, value in drawn.appeared
    ]
    columns = ["district", "sector", plan.column, "basis", "year", "note"]
    added = pd.DataFrame(new_rows, columns=columns)
    if added.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, added.astype({plan.column: float, "year": float})], ignore_index=True)


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
    plan = NoisePlan.of(region, sigma, noise)
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield plan.region_of(plan.draw(rng))
