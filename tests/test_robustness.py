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
from model.instance import compute_indicators
from model.noise import NoisePlan
from model.pipeline import solve_scenario_file
from model.region import Region, load_region
from model.robustness import (
    Noise,
    _factors,
    check_request,
    full_grid,
    perturbed_region,
    robustness,
    sample_regions,
)
from tests.inprocess import run_main
from tests.reference.bruteforce import solve_by_enumeration
from tests.test_against_enumeration import write_case
from tests.test_cli import run_cli
from tests.test_sensitivity import write_region, write_scenario

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
    done = run_main("robustness", str(BASELINE), "--samples", "4", "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    shares = pd.read_csv(out / "shares.csv")
    assert list(shares.columns) == [
        "cluster_type",
        "district",
        "kept",
        "share",
        "low",
        "high",
        "in_optimum",
    ]
    assert ((shares["low"] <= shares["share"]) & (shares["share"] <= shares["high"])).all()
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 4 and {"baseline_value", "regret"} <= set(samples.columns)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["samples"] == 4 and summary["seed"] == 2
    assert summary["regret"]["samples_counted"] == 4
    assert summary["regret"]["mean"] == pytest.approx(samples["regret"].mean())
    assert (out / "stability_map.png").read_bytes().startswith(b"\x89PNG")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Stability map" in page and "data:image/png;base64," in page
    assert "Wilson" in page and "Expected regret" in page
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


# --- noise models (module docstring of model/robustness.py) --------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> Region:
    """The three-district region of test_sensitivity: several bases, one zero cell (a/dairy)."""
    return load_region(write_region(tmp_path / "region"))


def test_lognormal_noise_is_the_first_versions(tiny: Region) -> None:
    """Backward compatibility: the default draws exactly the factors it always drew."""
    rng = np.random.default_rng(7)
    expected_activity = tiny.activity["value"].to_numpy() * _factors(rng, len(tiny.activity), 0.3)
    expected_exports = np.minimum(
        tiny.exports["share"].to_numpy() * _factors(rng, len(tiny.exports), 0.3), 1.0
    )
    for noise in (None, Noise("lognormal", 0.3)):
        changed = perturbed_region(tiny, np.random.default_rng(7), 0.3, noise)
        assert changed.activity["value"].to_numpy() == pytest.approx(expected_activity)
        assert changed.exports["share"].to_numpy() == pytest.approx(expected_exports)
        assert changed.roads is tiny.roads


def test_additive_noise_turns_zero_cells_positive_half_the_time(tiny: Region) -> None:
    sigma, count = 0.2, 2000
    rng = np.random.default_rng(11)
    # each sample's full activity grid as drawn (the grid of perturbed_region's table, checked
    # in tests/test_noise_plan.py), from the random numbers perturbed_region would take
    plan = NoisePlan.of(tiny, sigma, Noise("additive", sigma))
    assert plan.activity.wide is not None
    rows, columns = plan.activity.wide.index, plan.activity.wide.columns
    zero_at = (rows.get_loc("a"), columns.get_loc("dairy"))  # no row in the file
    big_at = (rows.get_loc("b"), columns.get_loc("other"))  # 90, sector mean of positive cells 60
    zero_cell, big_cell = [], []
    for _ in range(count):
        drawn = plan.draw(rng).activity
        assert drawn is not None
        grid = drawn.values
        assert grid.shape == (3, 3) and (grid >= 0).all()
        zero_cell.append(grid[zero_at])
        big_cell.append(grid[big_at])
    zero = np.array(zero_cell)
    share = (zero > 0).mean()
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / count)
    # the positive part of N(0, (σ·m)²) with m = mean(20, 80) = 50 for dairy
    assert zero.mean() == pytest.approx(sigma * 50 / math.sqrt(2 * math.pi), rel=0.1)
    big = np.array(big_cell)
    assert abs(big.mean() - 90) < 4 * sigma * 60 / math.sqrt(count), "symmetric noise"
    assert big.std() == pytest.approx(sigma * 60, rel=0.1)


def test_additive_noise_leaves_a_sector_without_activity_alone(tiny: Region) -> None:
    empty = pd.DataFrame([{"district": "a", "sector": "textiles", "value": 0.0, "basis": "stated"}])
    region = replace_activity(tiny, pd.concat([tiny.activity, empty], ignore_index=True))
    changed = perturbed_region(region, np.random.default_rng(0), 0.5, Noise("additive", 0.5))
    grid = full_grid(changed.activity, "value", tiny.district_ids)
    assert (grid["textiles"] == 0).all()


def replace_activity(region: Region, activity: pd.DataFrame) -> Region:
    from dataclasses import replace

    return replace(region, activity=activity)


def test_zero_inflated_drops_about_p_of_the_estimated_rows(tiny: Region) -> None:
    p, count = 0.3, 1000
    noise = Noise("zero_inflated", 0.2, drop=p, appear=0.0)
    rng = np.random.default_rng(3)
    estimated = (tiny.activity["basis"] != "stated").to_numpy()
    assert estimated.sum() == 4 and (~estimated).sum() == 6
    # each sample's dropped rows as drawn (the sample's table is the rows not dropped, checked
    # in tests/test_noise_plan.py), from the random numbers perturbed_region would take
    plan = NoisePlan.of(tiny, 0.2, noise)
    dropped = 0
    for _ in range(count):
        drawn = plan.draw(rng).activity
        assert drawn is not None and drawn.dropped is not None
        assert not drawn.dropped[~estimated].any(), "stated rows stay"
        assert drawn.appeared == ()
        dropped += int(drawn.dropped[estimated].sum())
    trials = count * int(estimated.sum())
    assert abs(dropped / trials - p) < 4 * math.sqrt(p * (1 - p) / trials)


def test_zero_inflated_zero_cells_appear_with_values_of_their_sector(tiny: Region) -> None:
    q, count = 0.2, 1000
    noise = Noise("zero_inflated", 0.0, drop=0.0, appear=q)
    rng = np.random.default_rng(4)
    # each sample's appearing cells and kept rows as drawn (checked against the sample's table
    # in tests/test_noise_plan.py), from the random numbers perturbed_region would take
    plan = NoisePlan.of(tiny, 0.0, noise)
    assert plan.activity.wide is not None
    rows, columns = plan.activity.wide.index, plan.activity.wide.columns
    values = tiny.activity["value"].to_numpy()
    appeared = []
    for _ in range(count):
        drawn = plan.draw(rng).activity
        assert drawn is not None and drawn.dropped is not None
        cells = {(rows[r], columns[c]) for r, c, _value in drawn.appeared}
        assert cells <= {("a", "dairy")}
        appeared += [value for _r, _c, value in drawn.appeared]
        assert not drawn.dropped.any() and np.array_equal(drawn.values, values)  # σ 0, p 0
    assert abs(len(appeared) / count - q) < 4 * math.sqrt(q * (1 - q) / count)
    assert set(appeared) == {20.0, 80.0}, "drawn from the dairy cells of b and c"


def test_times_noise_changes_travel_times_reproducibly(tiny: Region, tmp_path: Path) -> None:
    scenario = solve_scenario_file(write_scenario(tmp_path / "s.yaml", tiny.path)).loaded.scenario
    noise = Noise("lognormal", 0.0, times_sigma=0.3)
    first = list(sample_regions(tiny, 3, 0.0, 5, noise))
    again = list(sample_regions(tiny, 3, 0.0, 5, noise))
    for one, two in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(one.roads, two.roads)
        assert not np.allclose(one.roads["minutes"], tiny.roads["minutes"])
        before = compute_indicators(tiny, scenario).times
        after = compute_indicators(one, scenario).times
        # a - b - c on a line: the path a-c is the sum of its two perturbed links
        ab, bc = one.roads["minutes"]
        assert after.at["a", "c"] == pytest.approx(ab + bc)
        assert after.at["a", "c"] != pytest.approx(before.at["a", "c"])
    assert not first[0].roads.equals(first[1].roads)
    off = next(iter(sample_regions(tiny, 1, 0.2, 5, Noise("lognormal", 0.2))))
    assert off.roads is tiny.roads


def test_noise_settings_are_checked() -> None:
    assert check_request(1, 0.2) == Noise()
    assert check_request(1, 0.2, 0, "zero_inflated", 0.5) == Noise("zero_inflated", 0.2, drop=0.5)
    refused = [
        ((1, math.inf), "--sigma"),
        ((1, 0.2, -1), "--seed"),
        ((1, 0.2, 0, "gaussian"), "--noise"),
        ((1, 0.2, 0, "zero_inflated", 1.5), "--drop"),
        ((1, 0.2, 0, "zero_inflated", math.nan), "--drop"),
        ((1, 0.2, 0, "additive", 0.1), "--drop"),
        ((1, 0.2, 0, "zero_inflated", None, -0.1), "--appear"),
        ((1, 0.2, 0, "lognormal", None, None, math.inf), "--times-sigma"),
        ((1, 0.2, 0, "lognormal", None, None, -1.0), "--times-sigma"),
    ]
    for args, option in refused:
        with pytest.raises(InputError, match=option):
            check_request(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", ["additive", "zero_inflated"])
@pytest.mark.parametrize("seed", range(4))
def test_new_noise_samples_match_brute_force(model: str, seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path / "case")
    result = solve_scenario_file(path)
    if not result.has_solution:
        return
    found = robustness(result, 3, 0.5, seed, noise=model)
    noise = Noise(model, 0.5)
    for n, region in enumerate(sample_regions(result.region, 3, 0.5, seed, noise)):
        folder = tmp_path / f"sample{n}"
        shutil.copytree(Path(scenario["region"]), folder)
        # one row per pair (the parts add up), as the reference reads the plain format
        region.activity.groupby(["district", "sector"], as_index=False)["value"].sum().to_csv(
            folder / "activity.csv", index=False
        )
        if (folder / "exports.csv").exists():
            region.exports.groupby(["district", "sector"], as_index=False)["share"].sum().to_csv(
                folder / "exports.csv", index=False
            )
        status, objective = solve_by_enumeration(folder, {**scenario, "region": str(folder)})
        assert status == found.samples["status"][n]
        assert objective == pytest.approx(found.samples["objective"][n], abs=1e-6)


def test_robustness_records_its_noise_and_repeats_its_seed(tiny: Region, tmp_path: Path) -> None:
    result = solve_scenario_file(write_scenario(tmp_path / "s.yaml", tiny.path))
    found = robustness(result, 6, 0.3, 2, noise="zero_inflated", drop=0.5, times_sigma=0.1)
    assert found.noise == Noise("zero_inflated", 0.3, drop=0.5, times_sigma=0.1)
    again = robustness(result, 6, 0.3, 2, noise="zero_inflated", drop=0.5, times_sigma=0.1)
    pd.testing.assert_frame_equal(found.samples, again.samples)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--sigma", "inf"], "--sigma"),
        (["--sigma", "nan"], "--sigma"),
        (["--seed", "-1"], "--seed"),
        (["--noise", "zero_inflated", "--drop", "1.5"], "--drop"),
        (["--drop", "0.2"], "--drop"),
        (["--noise", "zero_inflated", "--appear", "-0.1"], "--appear"),
        (["--times-sigma", "nan"], "--times-sigma"),
        (["--noise", "gaussian"], "--noise"),
        (["--samples", "0"], "--samples"),
    ],
)
def test_command_refuses_bad_noise_values(args: list[str], option: str, tmp_path: Path) -> None:
    """The first refusal through a real process (the exit status the shell sees), the others
    through ``main`` in this process (the same code path, a second less each)."""
    out = tmp_path / "rob"
    runner = run_cli if args == ["--sigma", "inf"] else run_main
    done = runner("robustness", str(BASELINE), *args, "--out", str(out))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and option in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_command_with_new_noise_writes_its_reports(tiny: Region, tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s.yaml", tiny.path)
    out = tmp_path / "rob"
    done = run_main(
        "robustness",
        str(scenario),
        "--samples",
        "5",
        "--noise",
        "zero_inflated",
        "--drop",
        "0.4",
        "--times-sigma",
        "0.2",
        "--seed",
        "9",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "zero_inflated noise" in done.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["noise"] == {
        "model": "zero_inflated",
        "sigma": 0.2,
        "drop": 0.4,
        "appear": 0.05,
        "times_sigma": 0.2,
    }
    assert "roads.minutes" in summary["perturbed"]
    samples = pd.read_csv(out / "samples.csv")
    for core, share in summary["cores_kept"].items():
        assert share == pytest.approx(
            samples["cores"].str.split(";").map(lambda cores, core=core: core in cores).mean()
        )
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Cores of the optimum" in report and f"{summary['optimum_kept']:.0%}" in report
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "http" not in page and "<script" not in page
