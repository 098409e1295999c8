r"""Robustness of a siting to the estimated data: how often each core survives perturbation.

The sector activity and the export shares of each district are estimates (README, data
section). This analysis asks how much the siting depends on them. Each sample multiplies
every activity value and every export share by an independent mean-one log-normal factor

.. math::

    \tilde v = v \cdot e^{\sigma Z - \sigma^2 / 2}, \qquad Z \sim N(0, 1),

(export shares are then capped at 1; a zero, a sector absent from a district, stays zero),
recomputes every indicator from the perturbed data, and solves the scenario again through
the ordinary pipeline, checks included. Roads, border crossings, the cluster catalogue and
the rules stay as they are. The result is, for every (cluster type, district), the share of
samples that put a core there, and the share of samples whose whole set of cores equals the
unperturbed optimum's.

Samples are drawn from ``numpy.random.default_rng(seed)``, one after another, so a seed
gives the same samples on any machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from model.errors import InputError
from model.instance import compute_indicators
from model.pipeline import RunResult, solve
from model.region import Region


@dataclass(frozen=True)
class Robustness:
    """The samples' outcomes and how often each core was chosen."""

    sigma: float
    seed: int
    samples: pd.DataFrame  # one row per sample: sample, status, objective, cores
    shares: pd.DataFrame  # cluster_type, district, share, in_optimum; by type, share desc
    optimum_kept: float  # share of samples whose set of cores is the optimum's


def perturbed_region(region: Region, rng: np.random.Generator, sigma: float) -> Region:
    """The region with its activity values and export shares perturbed (module docstring)."""
    activity = region.activity.copy()
    activity["value"] = activity["value"].to_numpy() * _factors(rng, len(activity), sigma)
    exports = region.exports.copy()
    shares = exports["share"].to_numpy() * _factors(rng, len(exports), sigma)
    exports["share"] = np.minimum(shares, 1.0)
    return replace(region, activity=activity, exports=exports)


def _factors(rng: np.random.Generator, count: int, sigma: float) -> np.ndarray:
    """Mean-one log-normal factors: exp(σZ − σ²/2)."""
    return np.exp(sigma * rng.standard_normal(count) - sigma**2 / 2)


def sample_regions(region: Region, count: int, sigma: float, seed: int) -> Iterator[Region]:
    """The ``count`` perturbed regions of a seed, in order."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield perturbed_region(region, rng, sigma)


def check_request(count: int, sigma: float) -> None:
    """Refuse fewer than 1 sample or a spread below 0 (or NaN), before anything is solved."""
    if count < 1:
        raise InputError(None, "--samples", f"expected 1 or more, got {count}")
    if not sigma >= 0:  # also refuses NaN
        raise InputError(None, "--sigma", f"expected 0 or more, got {sigma}")


def robustness(result: RunResult, count: int, sigma: float, seed: int = 0) -> Robustness:
    """Solve the run's scenario on ``count`` perturbed copies of its region.

    ``result`` is the unperturbed run: its region and scenario are perturbed and re-solved,
    and its cores are the optimum that ``in_optimum`` and ``optimum_kept`` refer to.
    """
    check_request(count, sigma)
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
    for n, region in enumerate(sample_regions(result.region, count, sigma, seed)):
        tables = compute_indicators(region, scenario)
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
    return Robustness(sigma, seed, pd.DataFrame(rows), shares, kept / count)
