r"""Robustness of a siting to the estimated data: how often each core survives perturbation.

The sector activity and the export shares of each district are estimates (README, data
section). This analysis asks how much the siting depends on them. Each sample perturbs the
data under one of three noise models (``noise``), optionally perturbs the road minutes too,
recomputes every indicator from the perturbed data, and solves the scenario again through the
ordinary pipeline, checks included. Border crossings, the cluster catalogue and the rules stay
as they are. The result is, for every (cluster type, district), the share of samples that put
a core there, and the share of samples whose whole set of cores equals the unperturbed
optimum's. Below, :math:`Z \sim N(0, 1)` is an independent standard normal draw.

``lognormal`` (the default, unchanged since the first version so that earlier seeds give the
same samples): every activity row and every export row is multiplied by a mean-one log-normal
factor

.. math::

    \tilde v = v \cdot e^{\sigma Z - \sigma^2 / 2}.

A zero stays zero and a sector absent from a district stays absent, so this model cannot
create activity where the files have none; a location quotient already above the cap mostly
stays above it.

``additive``: the rows are first summed into the full district × sector grid (every district
of the region and every sector present in the file, zeros and missing rows included), and every
cell gets

.. math::

    \tilde v_{s,i} = \max\bigl(0,\; v_{s,i} + \sigma \cdot m_s \cdot Z\bigr),

where :math:`m_s` is the mean of the sector's positive cells (the typical size of the sector in
a district where it exists; a sector without a positive cell gets no noise). The noise is
symmetric, so a cell well above zero keeps its mean; a zero cell becomes positive with
probability 1/2 (half-normal, mean :math:`\sigma m_s / \sqrt{2\pi}`). Export shares get the
same on their own grid (every district × every sector of ``exports.csv``, :math:`m_s` the mean
positive share of the sector). The sample's rows are the grid cells (basis ``unstated``: the
per-basis split of a cell is not kept).

``zero_inflated``: every row whose basis is an estimate (:func:`model.basis.is_estimate`) is
dropped with probability ``drop`` (default 0.1); every row that stays is multiplied by the
mean-one log-normal factor of ``lognormal`` (rows of measured or stated bases are never
dropped, only scaled). Then each cell of the full grid whose unperturbed total is zero becomes
positive with probability ``appear`` (default 0.05): it gets one new row (basis ``assumed``)
whose value is drawn uniformly from the sector's positive cells in the unperturbed grid (the
sector's empirical distribution; a sector with no positive cell gets none). Exports follow the
same rules on their own grid. Random numbers are drawn in that order: drop draws, factors,
appear draws, appearing values; activity first, then exports.

After any model, export shares are capped so that each (district, sector) total is at most 1
(a pair's rows are scaled down together).

``times_sigma`` (default 0 = off): each road link's minutes are multiplied by a mean-one
log-normal factor :math:`e^{s Z - s^2/2}` with spread ``times_sigma``, drawn after the data
noise of the sample, and every travel time, cooperation link, crossing and corridor distance is
recomputed from them (a rule on minutes can then make a sample infeasible; it is counted as
such). With ``times_sigma = 0`` no draw is made, so the data samples are those of the model
alone.

Samples are drawn from ``numpy.random.default_rng(seed)``, one after another, so a seed
gives the same samples on any machine.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from model.basis import UNSTATED, is_estimate
from model.errors import InputError
from model.fast_resolve import FastResolver
from model.instance import compute_indicators
from model.pipeline import RunResult, solve
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


@dataclass(frozen=True)
class Robustness:
    """The samples' outcomes and how often each core was chosen."""

    sigma: float
    seed: int
    samples: pd.DataFrame  # one row per sample: sample, status, objective, cores
    shares: pd.DataFrame  # cluster_type, district, share, in_optimum; by type, share desc
    optimum_kept: float  # share of samples whose set of cores is the optimum's
    noise: Noise = field(default_factory=Noise)


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


def _probability(option: str, value: float) -> None:
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise InputError(None, option, f"expected a probability from 0 to 1, got {value}")


def _spread(option: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):  # refuses NaN and inf
        raise InputError(None, option, f"expected a finite number 0 or more, got {value}")


def check_request(
    count: int,
    sigma: float,
    seed: int = 0,
    noise: str = "lognormal",
    drop: float | None = None,
    appear: float | None = None,
    times_sigma: float = 0.0,
) -> Noise:
    """Refuse bad values before anything is solved; the noise settings to use."""
    if count < 1:
        raise InputError(None, "--samples", f"expected 1 or more, got {count}")
    _spread("--sigma", sigma)
    if seed < 0:
        raise InputError(None, "--seed", f"expected 0 or more, got {seed}")
    if noise not in NOISE_MODELS:
        raise InputError(
            None, "--noise", f"expected one of {', '.join(NOISE_MODELS)}, got {noise!r}"
        )
    for option, value in (("--drop", drop), ("--appear", appear)):
        if value is None:
            continue
        _probability(option, value)
        if noise != "zero_inflated":
            raise InputError(None, option, "applies to --noise zero_inflated only")
    _spread("--times-sigma", times_sigma)
    return Noise(
        model=noise,
        sigma=sigma,
        drop=DEFAULT_DROP if drop is None else drop,
        appear=DEFAULT_APPEAR if appear is None else appear,
        times_sigma=times_sigma,
    )


def robustness(
    result: RunResult,
    count: int,
    sigma: float,
    seed: int = 0,
    noise: str = "lognormal",
    drop: float | None = None,
    appear: float | None = None,
    times_sigma: float = 0.0,
    fast: bool = True,
) -> Robustness:
    """Solve the run's scenario on ``count`` perturbed copies of its region.

    ``result`` is the unperturbed run: its region and scenario are perturbed and re-solved,
    and its cores are the optimum that ``in_optimum`` and ``optimum_kept`` refer to.
    ``fast``: re-solve one persistent HiGHS model with each sample's coefficients
    (``model.fast_resolve``; a sample whose structure differs is rebuilt there); False
    rebuilds the model for every sample. Both give the same results.
    """
    settings = check_request(count, sigma, seed, noise, drop, appear, times_sigma)
    if not result.has_solution:
        raise InputError(
            result.loaded.path or "<scenario>",
            None,
            f"the unperturbed run ended {result.status}; there is no siting to test",
        )
    optimum = result.core_set()
    rows = []
    chosen: Counter[tuple[str, str]] = Counter()
    kept = 0
    scenario = result.loaded.scenario
    resolver = (
        FastResolver(result.loaded, result.region, result.tables, diagnose=False) if fast else None
    )
    for n, region in enumerate(sample_regions(result.region, count, sigma, seed, settings)):
        tables = compute_indicators(region, scenario)
        if resolver is not None:
            run = resolver.solve(result.loaded, region, tables)
        else:
            run = solve(result.loaded, region, tables=tables)
        cores = run.core_set() if run.has_solution else frozenset()
        chosen.update(cores)
        kept += cores == optimum
        rows.append(
            {
                "sample": n,
                "status": run.status,
                "objective": run.objective,
                "cores": ";".join(f"{k}@{i}" for k, i in sorted(cores)),
            }
        )
    sites = sorted(set(chosen) | optimum)
    shares = pd.DataFrame(
        {
            "cluster_type": [k for k, _ in sites],
            "district": [i for _, i in sites],
            "share": [chosen[s] / count for s in sites],
            "in_optimum": [s in optimum for s in sites],
        }
    )
    order = {k: n for n, k in enumerate(result.instance.types)}
    shares = shares.sort_values(
        ["cluster_type", "share", "district"],
        ascending=[True, False, True],
        key=lambda column: column.map(order) if column.name == "cluster_type" else column,
    ).reset_index(drop=True)
    return Robustness(sigma, seed, pd.DataFrame(rows), shares, kept / count, settings)
