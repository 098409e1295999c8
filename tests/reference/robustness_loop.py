"""The robustness samples solved one by one, as ``model.robustness`` did before the array path.

For each sample region (``model.noise.sample_regions``): every indicator recomputed by
``compute_indicators``, the scenario solved on one :class:`~model.fast_resolve.FastResolver`
(which builds each sample's instance with ``build_instance``), the cores read off the run, and
the baseline siting valued on the sample's tables. ``tests/test_sample_resolve.py`` checks the
array path (``model.sample_resolve``) against it sample by sample.
"""

from __future__ import annotations

from model.fast_resolve import FastResolver
from model.instance import compute_indicators
from model.noise import Noise, sample_regions
from model.pipeline import RunResult
from model.results import evaluate
from model.robustness import read_assignments


def loop_samples(
    result: RunResult, count: int, seed: int, noise: Noise
) -> list[tuple[str, float | None, frozenset[tuple[str, str]], float | None]]:
    """(status, objective, cores, baseline value) of each sample, in order."""
    loaded, scenario = result.loaded, result.loaded.scenario
    baseline = read_assignments(result)
    resolver = FastResolver(loaded, result.region, result.tables, diagnose=False)
    out = []
    for region in sample_regions(result.region, count, noise.sigma, seed, noise):
        tables = compute_indicators(region, scenario)
        run = resolver.solve(loaded, region, tables)
        cores = run.core_set() if run.has_solution else frozenset()
        evaluation = evaluate(baseline, region, scenario, tables)
        value = None if evaluation.violations else evaluation.objective
        out.append((run.status, run.objective, cores, value))
    return out
