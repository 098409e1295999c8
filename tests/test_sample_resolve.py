"""The array path of robustness samples against the per-sample loop it replaces.

``model.sample_data`` / ``model.sample_tables`` / ``model.sample_resolve`` must give, sample by
sample, exactly what the loop of ``tests/reference/robustness_loop.py`` gives (every indicator
recomputed with ``compute_indicators``, each instance built by ``build_instance``, solved on a
``FastResolver``): the same data, the same tables and instances to the last bit, and so the
same statuses, objectives, cores and baseline values. Checked on the baseline and on random
tiny regions, under every noise model, and on degenerate runs (no spread, all weights 0 so that
every siting ties, nothing sited).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.instance import build_instance, compute_indicators
from model.noise import Noise, sample_regions
from model.pipeline import RunResult, solve_scenario_file
from model.robustness import read_assignments, robustness
from model.sample_data import activity_grids, draw_samples, export_grids
from model.sample_resolve import SampleSolver
from model.sample_tables import SampleTables
from tests.reference.robustness_loop import loop_samples
from tests.test_against_enumeration import write_case

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
NOISES = [
    Noise("lognormal", 0.3),
    Noise("additive", 0.3),
    Noise("zero_inflated", 0.3, drop=0.3, appear=0.3),
    Noise("lognormal", 0.3, times_sigma=0.3),
]
NOISE_IDS = ["lognormal", "additive", "zero_inflated", "road_minutes"]
TABLES = [
    "activity",
    "lq",
    "fit",
    "export",
    "times",
    "link",
    "border_minutes",
    "corridor_minutes",
    "own_activity",
    "intra_minutes",
]


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    return solve_scenario_file(BASELINE)


def tiny_runs(tmp_path: Path, seeds: range) -> list[RunResult]:
    runs = []
    for seed in seeds:
        path, _ = write_case(seed, tmp_path / f"case{seed}")
        result = solve_scenario_file(path)
        if result.has_solution:
            runs.append(result)
    return runs


def assert_same_tables(result: RunResult, noise: Noise, count: int, seed: int) -> None:
    """Every table of every sample equals compute_indicators on the sample's region."""
    region, scenario = result.region, result.loaded.scenario
    samples = draw_samples(region, count, seed, noise)
    activity, exports = activity_grids(samples, region), export_grids(samples, region)
    maker = SampleTables(region, scenario, result.tables)
    expected_regions = list(sample_regions(region, count, noise.sigma, seed, noise))
    assert len(samples) == len(expected_regions) == count
    for n, (sample, expected_region) in enumerate(zip(samples, expected_regions, strict=True)):
        made = sample.as_region(region)
        pd.testing.assert_frame_equal(made.activity, expected_region.activity, check_exact=True)
        pd.testing.assert_frame_equal(made.exports, expected_region.exports, check_exact=True)
        pd.testing.assert_frame_equal(made.roads, expected_region.roads, check_exact=True)
        roads = made if sample.minutes is not None else None
        tables = maker.tables(
            activity[n].values, activity[n].sectors, exports[n].values, exports[n].sectors, roads
        )
        expected = compute_indicators(expected_region, scenario)
        for name in TABLES:
            got, want = getattr(tables, name), getattr(expected, name)
            if want is None:
                assert got is None, name
            elif isinstance(want, pd.Series):
                pd.testing.assert_series_equal(got, want, check_exact=True, obj=name)
            else:
                pd.testing.assert_frame_equal(got, want, check_exact=True, obj=name)
        assert tables.settings == expected.settings


def assert_same_outcomes(result: RunResult, noise: Noise, count: int, seed: int) -> None:
    """robustness() per sample equals the reference loop exactly (objectives bit for bit)."""
    found = robustness(
        result,
        count,
        noise.sigma,
        seed,
        noise.model,
        drop=noise.drop if noise.model == "zero_inflated" else None,
        appear=noise.appear if noise.model == "zero_inflated" else None,
        times_sigma=noise.times_sigma,
        progress=False,
    )
    expected = loop_samples(result, count, seed, noise)
    assert len(found.samples) == len(expected) == count
    for row, (status, objective, cores, value) in zip(
        found.samples.itertuples(), expected, strict=True
    ):
        assert row.status == status
        assert row.cores == ";".join(f"{k}@{i}" for k, i in sorted(cores))
        for got, want in ((row.objective, objective), (row.baseline_value, value)):
            assert (math.isnan(got) and want is None) or got == want


@pytest.mark.parametrize("noise", NOISES, ids=NOISE_IDS)
def test_tables_equal_compute_indicators_on_the_baseline(baseline: RunResult, noise: Noise) -> None:
    assert_same_tables(baseline, noise, 12, seed=3)


@pytest.mark.parametrize("noise", NOISES, ids=NOISE_IDS)
def test_tables_equal_compute_indicators_on_tiny_regions(noise: Noise, tmp_path: Path) -> None:
    runs = tiny_runs(tmp_path, range(20, 32))
    assert len(runs) >= 6
    for run in runs:
        assert_same_tables(run, noise, 5, seed=11)


def test_instances_equal_build_instance(baseline: RunResult, tmp_path: Path) -> None:
    """The array-made instance is build_instance's, field by field, wherever it is made."""
    made = 0
    for run in [baseline, *tiny_runs(tmp_path, range(40, 52))]:
        region, scenario = run.region, run.loaded.scenario
        solver = SampleSolver(run.loaded, region, run.tables, read_assignments(run))
        samples = draw_samples(region, 6, 5, Noise("lognormal", 0.4))
        activity, exports = activity_grids(samples, region), export_grids(samples, region)
        for n in range(len(samples)):
            tables = solver.indicators.tables(
                activity[n].values, activity[n].sectors, exports[n].values, exports[n].sectors
            )
            instance = solver._instance(tables)
            assert solver.resolver is not None
            if solver.resolver.engine is None:  # no base model (a constant one): no fast path
                continue
            if scenario.indicators.fit != "stars":  # stars move with the data, and so arcs
                assert instance is not None, "lognormal noise keeps the sites and arcs"
            if instance is None:
                continue
            made += 1
            expected = build_instance(region, scenario, tables)
            assert instance.sites == expected.sites
            assert instance.fit_coef == expected.fit_coef
            assert instance.export_coef == expected.export_coef
            assert instance.members == expected.members
            assert instance.member_coef == expected.member_coef
            assert instance.pairs == expected.pairs
            assert instance.pair_coef == expected.pair_coef
            assert instance.excluded == expected.excluded
    assert made >= 6 + 3 * 6  # the baseline and at least three tiny regions


def test_the_baseline_samples_take_the_fast_path_and_match_the_loop(baseline: RunResult) -> None:
    solver = SampleSolver(
        baseline.loaded, baseline.region, baseline.tables, read_assignments(baseline)
    )
    samples = draw_samples(baseline.region, 10, 0, Noise("lognormal", 0.2))
    outcomes = list(solver.solve_all(samples))
    assert solver.resolver is not None
    assert (solver.resolver.fast, solver.resolver.rebuilds) == (10, 0)
    assert {o.status for o in outcomes} == {"optimal"}
    assert_same_outcomes(baseline, Noise("lognormal", 0.2), 25, seed=0)


@pytest.mark.parametrize("noise", NOISES, ids=NOISE_IDS)
def test_outcomes_match_the_loop_on_the_baseline(baseline: RunResult, noise: Noise) -> None:
    assert_same_outcomes(baseline, noise, 8, seed=9)


@pytest.mark.parametrize("noise", NOISES, ids=NOISE_IDS)
def test_outcomes_match_the_loop_on_tiny_regions(noise: Noise, tmp_path: Path) -> None:
    runs = tiny_runs(tmp_path, range(60, 70))
    assert len(runs) >= 5
    for run in runs:
        assert_same_outcomes(run, noise, 4, seed=2)


def test_degenerate_runs_match_the_loop(baseline: RunResult) -> None:
    # no spread: every sample is the unperturbed data, so every sample repeats the optimum
    assert_same_outcomes(baseline, Noise("lognormal", 0.0), 3, seed=1)
    # all weights 0: objective 0, every feasible siting optimal (ties everywhere)
    zero = solve_scenario_file(
        BASELINE, [f"weights.{w}=0" for w in ("fit", "export", "member", "coop")]
    )
    assert zero.objective == 0
    assert_same_outcomes(zero, Noise("lognormal", 0.3), 4, seed=1)
    # no core allowed: every sample sites nothing, objective 0
    empty = solve_scenario_file(
        BASELINE, ["rules.sites.default.min=0", "rules.sites.default.max=0"]
    )
    assert empty.has_solution and empty.objective == 0 and not empty.core_set()
    assert_same_outcomes(empty, Noise("lognormal", 0.3), 4, seed=1)


def test_distributed_chunks_match_one_process(baseline: RunResult) -> None:
    one = robustness(baseline, 6, 0.3, seed=4, progress=False)
    split = robustness(baseline, 6, 0.3, seed=4, progress=False, workers=2)
    pd.testing.assert_frame_equal(one.samples, split.samples)
    assert np.array_equal(one.shares["kept"].to_numpy(), split.shares["kept"].to_numpy())


def test_one_highs_thread_in_the_main_thread_only_and_handed_back(baseline: RunResult) -> None:
    import threading

    from model.sample_resolve import SAMPLE_THREADS

    solution = read_assignments(baseline)
    here = SampleSolver(baseline.loaded, baseline.region, baseline.tables, solution)
    assert here.resolver is not None and here.resolver.threads == SAMPLE_THREADS == 1
    elsewhere: list[SampleSolver] = []
    worker = threading.Thread(
        target=lambda: elsewhere.append(
            SampleSolver(baseline.loaded, baseline.region, baseline.tables, solution)
        )
    )
    worker.start()
    worker.join()
    assert elsewhere[0].resolver is not None and elsewhere[0].resolver.threads is None
    outcomes = list(here.solve_all(draw_samples(baseline.region, 3, 0, Noise("lognormal", 0.2))))
    assert len(outcomes) == 3 and not here.resolver._threads_set  # the pool was handed back
    # a solve with HiGHS's own thread choice after the samples: the same optimum as before
    again = solve_scenario_file(BASELINE)
    assert again.status == "optimal" and again.objective == baseline.objective
