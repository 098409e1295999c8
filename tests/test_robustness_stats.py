"""Citable robustness statistics: Wilson intervals, the regret, and their report.

The regret is checked against a hand calculation on a two-district region where the fit is
the capped location quotient, so every sample's optimum and the baseline siting's value can be
recomputed here from the sampled activity with pencil-and-paper arithmetic.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.instance import compute_indicators
from model.pipeline import solve, solve_scenario_file
from model.region import load_region
from model.report.robustness_report import district_shares, robustness_document
from model.robustness import (
    baseline_value,
    read_assignments,
    regret_summary,
    robustness,
    sample_regions,
    wilson_interval,
)
from model.scenario import load_scenario

# d1 is specialised in x (LQ 1.5, fit 0.5), d2 is not (LQ 0.5, fit 1/6): the core goes to d1
ACTIVITY = {("d1", "x"): 30.0, ("d1", "y"): 10.0, ("d2", "x"): 10.0, ("d2", "y"): 30.0}


def write_two_districts(folder: Path, activity: dict[tuple[str, str], float]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "districts.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "lat", "lon", "population", "border"])
        out.writerow(["d1", "One", 54.0, 32.0, 1000, "false"])
        out.writerow(["d2", "Two", 54.1, 32.0, 1000, "false"])
    with (folder / "activity.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["district", "sector", "value", "basis", "year", "note"])
        for (d, s), v in activity.items():
            out.writerow([d, s, v, "group_default", 2021, ""])
    with (folder / "roads.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["a", "b", "minutes", "kind"], ["d1", "d2", 30, "local"]])
    clusters = {"tx": {"name": "Type X", "sectors": {"x": 1.0}}}
    (folder / "clusters.yaml").write_text(yaml.safe_dump(clusters), encoding="utf-8")
    return folder


def write_scenario(tmp_path: Path, region: Path) -> Path:
    scenario = {
        "name": "two",
        "region": str(region.resolve()),
        "weights": {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 0.0},
        "indicators": {"fit": "lq", "lq_cap": 3.0, "intra_district": "none"},
        "rules": {"greenfield": True},
    }
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


def hand_fit(activity: dict[tuple[str, str], float], district: str) -> float:
    """min(LQ, 3)/3 of sector x in ``district``, LQ = (v[x,i]/V[i]) / (V[x]/V)."""
    total = sum(activity.values())
    in_district = sum(v for (d, _), v in activity.items() if d == district)
    in_sector = sum(v for (_, s), v in activity.items() if s == "x")
    lq = (activity[(district, "x")] / in_district) / (in_sector / total)
    return min(lq, 3.0) / 3.0


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # z = 1.959964; at 0 of n the upper end is z²/(n + z²) = 3.8415/13.8415
        (0, 10, 0.0, 0.27753),
        # centre 0.5, half z/(1 + z²/n)·sqrt(0.025 + z²/400) = 1.41601 · 0.18601
        (5, 10, 0.23659, 0.76341),
        (10, 10, 0.72247, 1.0),
        # 1 of 4: z²/n = 0.960365; centre (0.25 + 0.480182)/1.960365 = 0.372473; half
        # (1.959964/1.960365)·sqrt(0.046875 + 3.841459/64) = 0.999795 · 0.326953 = 0.326886
        (1, 4, 0.045587, 0.699359),
    ],
)
def test_wilson_interval_against_hand_figures(
    successes: int, trials: int, low: float, high: float
) -> None:
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_regret_against_a_hand_calculation(tmp_path: Path) -> None:
    region_dir = write_two_districts(tmp_path / "base", ACTIVITY)
    path = write_scenario(tmp_path, region_dir)
    base = solve_scenario_file(path)
    assert base.core_set() == {("tx", "d1")}
    assert base.objective == pytest.approx(0.5)
    # a sample in which d2 has become the specialist: LQ d1 = (10/40)/(30/80) = 2/3,
    # LQ d2 = (20/40)/(30/80) = 4/3; fits 2/9 and 4/9; regret 4/9 - 2/9 = 2/9
    shifted = {("d1", "x"): 10.0, ("d1", "y"): 30.0, ("d2", "x"): 20.0, ("d2", "y"): 20.0}
    sample = load_region(write_two_districts(tmp_path / "sample", shifted))
    loaded = load_scenario(path)
    tables = compute_indicators(sample, loaded.scenario)
    run = solve(loaded, sample, tables=tables)
    assert run.objective == pytest.approx(4 / 9)
    value = baseline_value(read_assignments(base), sample, loaded.scenario, tables)
    assert value == pytest.approx(2 / 9)
    assert run.objective - value == pytest.approx(2 / 9)


def test_regret_of_random_samples_against_hand_lqs(tmp_path: Path) -> None:
    """Every sample's regret equals max_i fit(i) − fit(d1), computed here from its activity."""
    path = write_scenario(tmp_path, write_two_districts(tmp_path / "base", ACTIVITY))
    base = solve_scenario_file(path)
    found = robustness(base, 40, 0.5, seed=3, progress=False)
    expected = []
    for region in sample_regions(base.region, 40, 0.5, 3):
        frame = region.activity
        activity = {
            (str(d), str(s)): float(v)
            for d, s, v in zip(frame["district"], frame["sector"], frame["value"], strict=True)
        }
        fits = {d: hand_fit(activity, d) for d in ("d1", "d2")}
        expected.append(max(fits.values()) - fits["d1"])
    assert found.samples["regret"].to_numpy() == pytest.approx(np.array(expected), abs=1e-9)
    moved = sum(r > 1e-9 for r in expected)
    assert 0 < moved < 40  # the sigma moves the core in some samples, not in all
    regret = found.regret
    assert regret is not None and regret.counted == 40
    assert regret.mean == pytest.approx(float(np.mean(expected)))
    assert regret.zero_share == pytest.approx(1 - moved / 40)
    # t interval: mean ± t(0.975, 39)·s/sqrt(40), t(0.975, 39) = 2.02269
    half = 2.02269 * float(np.std(expected, ddof=1)) / math.sqrt(40)
    assert (regret.low, regret.high) == pytest.approx(
        (regret.mean - half, regret.mean + half), rel=1e-4
    )
    shares = found.shares.set_index(["cluster_type", "district"])
    assert shares.loc[("tx", "d1"), "kept"] == 40 - moved


def test_regret_summary_degenerate_cases() -> None:
    none = regret_summary(pd.Series([math.nan, math.nan]), baseline_infeasible=2)
    assert none.mean is None and none.counted == 0 and none.baseline_infeasible == 2
    one = regret_summary(pd.Series([0.25]))
    assert one.mean == 0.25 and one.low is None and one.high is None and one.zero_share == 0.0
    zeros = regret_summary(pd.Series([0.0, 0.0, 0.0]))
    assert (zeros.mean, zeros.low, zeros.high, zeros.zero_share) == (0.0, 0.0, 0.0, 1.0)


def test_report_of_an_optimum_with_no_core(tmp_path: Path) -> None:
    """Nothing sited (no type must be sited, every weight 0): an empty map, no crash."""
    path = write_scenario(tmp_path, write_two_districts(tmp_path / "base", ACTIVITY))
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["weights"] = {"fit": 0.0, "export": 0.0, "member": 0.0, "coop": 0.0}
    data["rules"]["sites"] = {"default": {"min": 0, "max": 1}}
    data["rules"]["forbid"] = [{"district": "d1"}, {"district": "d2"}]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    base = solve_scenario_file(path)
    assert base.status == "optimal" and base.assignments.empty
    found = robustness(base, 5, 0.2, seed=1, progress=False)
    assert found.optimum_kept == 1.0 and found.shares.empty
    assert found.regret is not None and found.regret.mean == 0.0
    assert district_shares(found) == {}
    document = robustness_document(found, base)
    titles = [s.title for s in document.sections]
    assert "Stability map" in titles and "Regret of the baseline siting" in titles


@pytest.mark.slow
def test_samples_on_a_local_dask_cluster_match_the_sequential_ones(tmp_path: Path) -> None:
    """Two worker processes, each with its own persistent model, give the same samples.

    The two-worker run is a separate process: Dask's cluster start-up leaves sockets for the
    garbage collector, which pytest's warnings-as-errors setting would report against this
    test. One worker starts no cluster, so that run stays in this process.
    """
    import subprocess
    import sys

    from model.cli import main

    repo = Path(__file__).resolve().parent.parent
    tables = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        arguments = ["robustness", str(repo / "scenarios" / "baseline.yaml"), "--samples", "6"]
        arguments += ["--seed", "4", "--workers", workers, "--out", str(out), "--no-progress"]
        if workers == "1":
            assert main(arguments) == 0
        else:
            done = subprocess.run(
                [sys.executable, str(repo / "run.py"), *arguments],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr
        tables[workers] = pd.read_csv(out / "samples.csv")
    assert tables["1"]["cores"].tolist() == tables["2"]["cores"].tolist()
    assert np.allclose(tables["1"]["objective"], tables["2"]["objective"], rtol=1e-9)
    assert np.allclose(tables["1"]["regret"], tables["2"]["regret"], rtol=1e-9, atol=1e-12)
