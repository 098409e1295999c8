"""Robustness to the estimated data (``model.robustness``).

Perturbed samples are checked three ways: the perturbation's statistics, the bookkeeping of
the shares, and each perturbed solve against the brute-force enumerator run on the perturbed
data written to disk (which recomputes every indicator itself).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.pipeline import solve_scenario_file
from model.robustness import _factors, perturbed_region, robustness, sample_regions
from tests.reference.bruteforce import solve_by_enumeration
from tests.test_against_enumeration import write_case
from tests.test_cli import run_cli

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    return solve_scenario_file(BASELINE)


def test_factors_are_mean_one_log_normal() -> None:
    sigma, count = 0.3, 200_000
    factors = _factors(np.random.default_rng(5), count, sigma)
    standard_error = math.sqrt(math.exp(sigma**2) - 1) / math.sqrt(count)
    assert abs(factors.mean() - 1.0) < 4 * standard_error
    logs = np.log(factors)
    assert abs(logs.mean() + sigma**2 / 2) < 4 * sigma / math.sqrt(count)
    assert logs.std() == pytest.approx(sigma, rel=0.01)


def test_only_the_estimates_are_perturbed(baseline) -> None:  # type: ignore[no-untyped-def]
    region = baseline.region
    before = region.activity["value"].copy()
    changed = perturbed_region(region, np.random.default_rng(1), 0.2)
    nonzero = before != 0
    assert (changed.activity["value"][nonzero] != before[nonzero]).all()
    assert (changed.activity["value"][~nonzero] == 0).all(), "an absent sector stays absent"
    assert region.activity["value"].equals(before), "the run's own region is left alone"
    assert changed.exports["share"].between(0, 1).all()
    assert changed.roads is region.roads and changed.districts is region.districts
    assert changed.crossings is region.crossings and changed.clusters is region.clusters
    unchanged = perturbed_region(region, np.random.default_rng(1), 0.0)
    assert unchanged.activity["value"].equals(before)


def test_no_spread_keeps_the_optimum_in_every_sample(baseline) -> None:  # type: ignore[no-untyped-def]
    found = robustness(baseline, 3, 0.0)
    assert found.optimum_kept == 1.0
    assert found.shares["in_optimum"].all() and (found.shares["share"] == 1.0).all()
    assert found.samples["objective"].tolist() == pytest.approx([baseline.objective] * 3)


def test_shares_count_the_samples_and_seeds_repeat(baseline) -> None:  # type: ignore[no-untyped-def]
    found = robustness(baseline, 12, 0.4, seed=3)
    assert set(found.samples["status"]) == {"optimal"}
    # one core per type (the default), so each type's shares add up to one
    totals = found.shares.groupby("cluster_type")["share"].sum()
    assert totals.to_numpy() == pytest.approx(np.ones(len(totals)))
    counted = found.samples["cores"].str.split(";").explode().value_counts() / 12
    for row in found.shares.itertuples():
        key = f"{row.cluster_type}@{row.district}"
        assert row.share == pytest.approx(counted.get(key, 0.0))
    optimum = ";".join(sorted(f"{s.cluster_type}@{s.core}" for s in baseline.sitings()))
    assert found.optimum_kept == pytest.approx((found.samples["cores"] == optimum).mean())
    again = robustness(baseline, 12, 0.4, seed=3)
    pd.testing.assert_frame_equal(found.samples, again.samples)
    other = robustness(baseline, 12, 0.4, seed=4)
    assert other.samples["objective"].tolist() != found.samples["objective"].tolist()


@pytest.mark.parametrize("seed", range(8))
def test_each_sample_matches_brute_force_on_its_perturbed_data(seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path / "case")
    result = solve_scenario_file(path)
    if not result.has_solution:
        with pytest.raises(InputError):
            robustness(result, 2, 0.3, seed)
        return
    found = robustness(result, 3, 0.5, seed)
    for n, region in enumerate(sample_regions(result.region, 3, 0.5, seed)):
        folder = tmp_path / f"sample{n}"
        shutil.copytree(Path(scenario["region"]), folder)
        region.activity[["district", "sector", "value"]].to_csv(
            folder / "activity.csv", index=False
        )
        if (folder / "exports.csv").exists():
            region.exports[["district", "sector", "share"]].to_csv(
                folder / "exports.csv", index=False
            )
        status, objective = solve_by_enumeration(folder, {**scenario, "region": str(folder)})
        assert status == found.samples["status"][n]
        assert objective == pytest.approx(found.samples["objective"][n], abs=1e-6)


def test_bad_requests_are_refused(baseline) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="--samples"):
        robustness(baseline, 0, 0.1)
    for sigma in (-0.1, math.nan):
        with pytest.raises(InputError, match="--sigma"):
            robustness(baseline, 1, sigma)


def test_command_writes_shares_samples_and_the_optimum(tmp_path: Path) -> None:
    out = tmp_path / "rob"
    done = run_cli("robustness", str(BASELINE), "--samples", "4", "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    shares = pd.read_csv(out / "shares.csv")
    assert list(shares.columns) == ["cluster_type", "district", "share", "in_optimum"]
    assert len(pd.read_csv(out / "samples.csv")) == 4
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["samples"] == 4 and summary["seed"] == 2
    assert (out / "optimum" / "assignments.csv").is_file()
    again = run_cli("robustness", str(BASELINE), "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr


def test_command_on_an_infeasible_scenario_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "rob"
    done = run_cli(
        "robustness", str(BASELINE), "--set", "rules.min_border_sites=100", "--out", str(out)
    )
    assert done.returncode == 3 and "no siting to test" in done.stderr
    assert not out.exists()

