r"""Robustness of a siting to the estimated data: how often each core survives perturbation.

The sector activity and the export shares of each district are estimates (README, data
section). This analysis asks how much the siting depends on them. Each sample perturbs the
data under one of three noise models (``noise``), optionally perturbs the road minutes too,
recomputes every indicator from the perturbed data, and solves the scenario again, checks
included (the same numbers as the ordinary pipeline on the perturbed region; the work is done
as arrays for all samples and on one persistent model, ``model.sample_resolve``). The noise
models are drawn in ``model.noise``. Border crossings, the cluster catalogue and the rules stay
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

**Keep-shares with intervals.** For a core :math:`c` of the unperturbed optimum, let
:math:`x_c` be the number of the *n* samples whose optimum sites a core of the same type in the
same district (a sample that ends infeasible or without a solution keeps nothing). The
keep-share is :math:`\hat p = x_c / n` with the 95 % Wilson score interval (Wilson, *JASA* 22
(1927) 209–212; recommended over the Wald interval by Brown, Cai and DasGupta, *Statistical
Science* 16 (2001) 101–133)

.. math::

    \frac{\hat p + z^2/2n \pm z \sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n},
    \quad z = 1.95996,

which stays inside [0, 1] and is exact at the ends (0 below at :math:`x = 0`, 1 above at
:math:`x = n`). Every (type, district) chosen in some sample gets the same.

**Regret of the baseline siting.** Let :math:`S_0` be the unperturbed optimum's siting (its
cores *and* members) and, for sample *s*, :math:`F_s` its objective (docs/model.md §5, with
the scenario's weights) computed from the sample's indicator tables. The sample's regret is

.. math::

    r_s = \max_S F_s(S) - F_s(S_0) \;\ge 0,

what the planner would lose by keeping the baseline siting if the sample's data were the
truth. :math:`F_s(S_0)` is recomputed by ``model.results.evaluate`` on the sample's data;
where :math:`S_0` breaks a rule of the sample (a core no longer allowed, e.g. greenfield under
``zero_inflated`` or out of reach with ``times_sigma``; a member out of reach) it has no value,
and the sample is counted as *baseline infeasible* instead. The expected regret is the mean
:math:`\bar r` over the samples with a regret, with the 95 % Student-t interval of the mean
:math:`\bar r \pm t_{0.975, m-1}\, s_r / \sqrt m` (*m* such samples, :math:`s_r` their
standard deviation); also reported: the share of them with :math:`r_s = 0` (the baseline stays
optimal) and the largest. The interval is for the mean under the noise model, not for the
error of the data themselves.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm import tqdm

from model.errors import InputError
from model.instance import IndicatorTables
from model.noise import (  # noqa: F401  (re-exported: the noise models' public names)
    DEFAULT_APPEAR,
    DEFAULT_DROP,
    NOISE_MODELS,
    Noise,
    _factors,
    full_grid,
    perturbed_region,
    sample_regions,
    sector_scale,
)
from model.pipeline import RunResult
from model.region import Region
from model.results import Solution
from model.sample_data import DataSample, draw_samples
from model.sample_resolve import (  # noqa: F401  (re-exported)
    SampleOutcome,
    SampleSolver,
    baseline_value,
)
from model.scenario import LoadedScenario

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile: two-sided 95 %
REGRET_ZERO = 1e-9  # a relative regret below this counts as none (the baseline is optimal)


@dataclass(frozen=True)
class Robustness:
    """The samples' outcomes and how often each core was chosen."""

    sigma: float
    seed: int
    samples: pd.DataFrame  # one row per sample: sample, status, objective, cores
    shares: pd.DataFrame  # cluster_type, district, share, in_optimum; by type, share desc
    optimum_kept: float  # share of samples whose set of cores is the optimum's
    noise: Noise = field(default_factory=Noise)
    regret: Regret | None = None
    rebuilds: int = 0  # samples solved by rebuilding the model (all of them without fast)


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


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial share (module docstring); (0, 1) for no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    # at 0 and at n the bounds are exactly 0 and 1; clip the rounding of the formula there
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Regret:
    """The expected regret of the baseline siting over the samples (module docstring)."""

    mean: float | None  # None when no sample has a regret
    low: float | None  # 95 % interval of the mean (Student t)
    high: float | None
    counted: int  # samples with a regret: solved, and the baseline siting feasible in them
    zero_share: float | None  # of those, the share where the baseline siting is optimal
    baseline_infeasible: int  # solved samples in which the baseline siting breaks a rule
    largest: float | None = None


def regret_summary(regrets: pd.Series, baseline_infeasible: int = 0) -> Regret:
    """Mean regret with a Student-t 95 % interval of the mean (one value: no interval)."""
    values = regrets.dropna().to_numpy(dtype=float)
    n = len(values)
    if n == 0:
        return Regret(None, None, None, 0, None, baseline_infeasible)
    mean = float(values.mean())
    zero = float(np.mean(values <= REGRET_ZERO * max(1.0, abs(mean))))
    if n == 1:
        return Regret(mean, None, None, 1, zero, baseline_infeasible, float(values.max()))
    # the t quantile as scipy.stats.t.ppf computes it, without importing scipy.stats (1 s)
    from scipy.special import stdtrit

    half = float(stdtrit(n - 1, 0.975)) * float(values.std(ddof=1)) / math.sqrt(n)
    return Regret(mean, mean - half, mean + half, n, zero, baseline_infeasible, float(values.max()))


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
    progress: bool = True,
    workers: int = 1,
    address: str | None = None,
) -> Robustness:
    """Solve the run's scenario on ``count`` perturbed copies of its region.

    ``result`` is the unperturbed run: its region and scenario are perturbed and re-solved,
    and its cores are the optimum that ``in_optimum`` and ``optimum_kept`` refer to; its
    siting (cores and members) is the one whose regret is measured.
    ``fast``: re-solve one persistent HiGHS model with each sample's coefficients, the
    indicators and coefficients computed as arrays (``model.sample_resolve``; a sample whose
    structure differs is rebuilt there); False rebuilds the model for every sample. Both
    give the same results. ``progress``: a tqdm bar.
    ``workers`` > 1 or ``address`` (a Dask scheduler): the samples are drawn here in order,
    split into one chunk per worker (four for a scheduler), and each chunk is solved on its
    worker's own persistent model (``model.distributed``); the results are the same.
    """
    settings = check_request(count, sigma, seed, noise, drop, appear, times_sigma)
    if not result.has_solution:
        raise InputError(
            result.loaded.path or "<scenario>",
            None,
            f"the unperturbed run ended {result.status}; there is no siting to test",
        )
    optimum = result.core_set()
    baseline = read_assignments(result)
    drawn = draw_samples(result.region, count, seed, settings)
    outcomes: list[SampleOutcome] = []
    if workers <= 1 and address is None:
        solver = SampleSolver(result.loaded, result.region, result.tables, baseline, fast)
        outcomes.extend(
            tqdm(solver.solve_all(drawn), total=count, desc="samples", disable=not progress)
        )
        rebuilds = solver.rebuilds
    else:
        from model.distributed import map_tasks

        # drawn here, in order: a seed gives the same samples anywhere
        parts = max(1, workers) if address is None else 4
        edges = np.linspace(0, count, parts + 1).round().astype(int)
        chunks = [
            SampleChunk(
                result.loaded, result.region, result.tables, baseline, fast, int(a), drawn[a:b]
            )
            for a, b in itertools.pairwise(edges.tolist())
            if b > a
        ]
        done = map_tasks(
            solve_chunk,
            chunks,
            workers=workers,
            address=address,
            desc="sample chunks",
            progress=progress,
        )
        for chunk_outcomes, _ in done:
            outcomes.extend(chunk_outcomes)
        rebuilds = sum(r for _, r in done)
    rows = []
    chosen: Counter[tuple[str, str]] = Counter()
    kept = 0
    for n, outcome in enumerate(outcomes):
        chosen.update(outcome.cores)
        kept += outcome.cores == optimum
        rows.append(
            {
                "sample": n,
                "status": outcome.status,
                "objective": outcome.objective,
                "cores": ";".join(f"{k}@{i}" for k, i in sorted(outcome.cores)),
                "baseline_value": outcome.baseline_value,
                "regret": outcome.regret,
            }
        )
    samples = pd.DataFrame(rows).astype({"objective": float, "baseline_value": float})
    sites = sorted(set(chosen) | optimum)
    bounds = [wilson_interval(chosen[s], count) for s in sites]
    shares = pd.DataFrame(
        {
            "cluster_type": [k for k, _ in sites],
            "district": [i for _, i in sites],
            "kept": [chosen[s] for s in sites],
            "share": [chosen[s] / count for s in sites],
            "low": [b[0] for b in bounds],
            "high": [b[1] for b in bounds],
            "in_optimum": [s in optimum for s in sites],
        }
    )
    # typed even when empty (nothing sited anywhere): a boolean mask must stay a mask
    shares = shares.astype(
        {
            "cluster_type": str,
            "district": str,
            "kept": int,
            "share": float,
            "low": float,
            "high": float,
            "in_optimum": bool,
        }
    )
    order = {k: n for n, k in enumerate(result.instance.types)}
    shares = shares.sort_values(
        ["cluster_type", "share", "district"],
        ascending=[True, False, True],
        key=lambda column: column.map(order) if column.name == "cluster_type" else column,
    ).reset_index(drop=True)
    has_optimum = samples["objective"].notna()
    infeasible_baseline = int((has_optimum & samples["baseline_value"].isna()).sum())
    return Robustness(
        sigma,
        seed,
        samples,
        shares,
        kept / count,
        settings,
        regret=regret_summary(samples["regret"], infeasible_baseline),
        rebuilds=rebuilds,
    )


@dataclass(frozen=True)
class SampleChunk:
    """Samples to solve in one process, with what they need (picklable, for Dask)."""

    loaded: LoadedScenario
    region: Region
    tables: IndicatorTables
    baseline: Solution
    fast: bool
    first: int  # index of the chunk's first sample
    samples: list[DataSample]


def solve_chunk(chunk: SampleChunk) -> tuple[list[SampleOutcome], int]:
    """Solve a chunk of samples on one persistent model; the outcomes and the rebuilds."""
    solver = SampleSolver(chunk.loaded, chunk.region, chunk.tables, chunk.baseline, chunk.fast)
    outcomes = list(solver.solve_all(chunk.samples))
    return outcomes, solver.rebuilds


def read_assignments(result: RunResult) -> Solution:
    """The run's siting (cores and members) as a :class:`~model.results.Solution`."""
    frame = result.assignments
    cores = [
        (str(k), str(i))
        for k, i, role in zip(frame["cluster_type"], frame["core"], frame["role"], strict=True)
        if role == "core"
    ]
    members = [
        (str(k), str(i), str(j))
        for k, i, j, role in zip(
            frame["cluster_type"], frame["core"], frame["district"], frame["role"], strict=True
        )
        if role == "member"
    ]
    return Solution(cores, members)
