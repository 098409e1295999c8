"""The benchmark harness: instance families, shifted geometric means and performance profiles
worked by hand, a real grid on a Dask cluster, the MPS collection, and missing solvers.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.bench.instances import FAMILIES, Instance, resolve_instances, write_generated
from model.bench.mps import export_collection
from model.bench.report import (
    charged_times,
    compared_instances,
    disagreements,
    instance_times,
    over_limit_by_solver,
    performance_ratios,
    profile,
    shifted_geometric_mean,
    summary_table,
    write_report,
)
from model.bench.runner import COLUMNS, Job, make_jobs, run_grid, run_job
from model.commands.bench import available_solvers
from model.errors import InputError
from model.scenario import load_scenario
from tests.installed_solvers import solvers_under_test

ROOT = Path(__file__).resolve().parent.parent


def test_shifted_geometric_mean_by_hand() -> None:
    # (1+10)(89+10) = 1089 = 33², so the SGM is 33 - 10 = 23
    assert shifted_geometric_mean([1.0, 89.0]) == pytest.approx(23.0)
    assert shifted_geometric_mean([5.0, 5.0, 5.0]) == pytest.approx(5.0)
    assert math.isnan(shifted_geometric_mean([]))


def runs_table() -> pd.DataFrame:
    """Two instances, two solvers; solver b times out on p2 (charged the limit, 60 s)."""
    rows = [
        ("p1", "a", 0, "optimal", "ok", 10.0, 2.0),
        ("p1", "b", 0, "optimal", "ok", 10.0, 4.0),
        ("p2", "a", 0, "optimal", "ok", 5.0, 30.0),
        ("p2", "b", 0, "time_limit", "ok", 4.0, 60.0),
    ]
    frame = pd.DataFrame(
        rows, columns=["instance", "solver", "seed", "status", "check", "objective", "solve_s"]
    )
    return frame.assign(
        time_limit=60.0, solver_version="x", family="f", bound=[10.0, 10.0, 5.0, 6.0]
    )


def test_unsolved_runs_are_charged_the_time_limit() -> None:
    runs = runs_table()
    assert charged_times(runs).tolist() == [2.0, 4.0, 30.0, 60.0]
    table = summary_table(runs).set_index("solver")
    assert table.loc["a", "solved"] == 2 and table.loc["b", "solved"] == 1
    assert table.loc["b", "time_limit"] == 1
    # b: sqrt((4+10)(60+10)) - 10 = sqrt(980) - 10
    assert table.loc["b", "sgm_s"] == pytest.approx(math.sqrt(980) - 10, abs=1e-3)


def test_performance_profile_by_hand() -> None:
    ratios = performance_ratios(instance_times(runs_table()))
    assert ratios.loc["p1"].tolist() == [1.0, 2.0]  # a 2 s, b 4 s
    assert ratios.loc["p2", "a"] == 1.0 and math.isinf(ratios.loc["p2", "b"])
    taus = np.array([1.0, 1.9, 2.0, 100.0])
    assert profile(ratios["a"], taus).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert profile(ratios["b"], taus).tolist() == [0.0, 0.0, 0.5, 0.5]


def test_disagreeing_optima_are_listed() -> None:
    runs = runs_table()
    assert disagreements(runs) == []
    runs.loc[1, ["objective", "bound"]] = 11.0
    assert disagreements(runs) == [
        "p1: optimal objectives differ (a:10, b:11)",
        "p1: a (seed 0) reports bound 10, but a checked solution has 11",
    ]
    runs.loc[1, ["objective", "bound"]] = 10.0
    runs.loc[3, "bound"] = -3.0  # below the checked 5 of solver a on a maximisation
    runs.loc[2, "status"] = "time_limit"
    assert disagreements(runs) == ["p2: b (seed 0) reports bound -3, but a checked solution has 5"]
    runs.loc[3, ["status", "check", "bound"]] = ["infeasible", "none", None]
    assert disagreements(runs) == [
        "p2: b (seed 0) reports infeasible, but a checked solution exists (5)"
    ]


def test_families_span_every_axis_and_grow() -> None:
    assert {f.family for f in FAMILIES[:4]} == {"size", "types", "radii", "tight"}
    sizes = [f.districts for f in FAMILIES if f.family == "size"]
    assert sizes == sorted(sizes) and sizes[-1] >= 1000
    assert len(FAMILIES) == 20


def test_generated_instances_are_scenarios_over_generated_regions(tmp_path: Path) -> None:
    found = write_generated(tmp_path, 5)
    assert [i.family for i in found] == ["size", "types", "radii", "tight", "size"]
    for instance in found:
        loaded = load_scenario(instance.scenario)
        assert loaded.region_path().is_dir()
    tight = load_scenario(found[3].scenario).scenario.rules
    assert tight.max_clusters_per_district == 1 and tight.max_members == 2
    assert resolve_instances(str(tmp_path), tmp_path / "unused")[0].scenario.suffix == ".yaml"
    with pytest.raises(InputError, match="generated:N"):
        resolve_instances("generated:x", tmp_path)
    with pytest.raises(InputError, match="no scenario file"):
        resolve_instances(str(tmp_path / "nothing*.yaml"), tmp_path)


def test_missing_solvers_are_reported_not_run() -> None:
    found, skipped = available_solvers(["highs", "no_such_solver"])
    assert found == ["highs"]
    assert list(skipped) == ["no_such_solver"]


def test_grid_on_a_dask_cluster_checks_every_run(tmp_path: Path) -> None:
    instances = write_generated(tmp_path / "instances", 2)
    jobs = make_jobs(instances, ["highs"], repeats=2, time_limit=30)
    rows = run_grid(jobs, workers=2, processes=False, progress=False)
    runs = pd.DataFrame(rows, columns=list(COLUMNS))
    assert len(runs) == 4
    assert set(runs["status"]) == {"optimal"} and set(runs["check"]) == {"ok"}
    assert runs["cores"].notna().all() and runs["solver_version"].notna().all()
    # the same instance gives the same optimum for every seed
    assert runs.groupby("instance")["objective"].nunique().eq(1).all()
    report = write_report(runs, tmp_path, {"gurobi": "pip install gurobipy"})
    text = report.read_text(encoding="utf-8")
    assert "gurobi" in text and "No run's claim is refuted by another." in text
    assert (tmp_path / "profile.png").stat().st_size > 0
    table = export_collection(instances, tmp_path / "mps", runs)
    meta = pd.read_csv(table)
    assert meta["status"].tolist() == ["easy", "easy"]
    assert (meta["binaries"] > 0).all() and (meta["nonzeros"] > meta["rows"]).all()
    assert all((tmp_path / "mps" / name).is_file() for name in meta["file"])


@pytest.mark.slow
def test_cli_writes_csv_report_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [
            sys.executable, "run.py", "bench", "--solvers", "highs,no_such_solver",
            "--instances", "generated:1", "--repeats", "1", "--time-limit", "20",
            "--workers", "1", "--no-progress", "--out", str(out),
        ],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "skipped solver no_such_solver" in done.stdout
    runs = pd.read_csv(out / "runs.csv")
    assert runs["status"].tolist() == ["optimal"]
    assert {"runs.csv", "summary.csv", "profile.png", "report.md"} <= {
        p.name for p in out.iterdir()
    }


def test_over_licence_limit_runs_leave_the_comparison() -> None:
    """Solver c's licence refuses p1: p1 leaves the SGM and the profile of every solver."""
    runs = runs_table()
    extra = pd.DataFrame(
        [
            ("p1", "c", 0, "over_licence_limit", "none", None, None, None),
            ("p2", "c", 0, "optimal", "ok", 5.0, 20.0, 5.0),
        ],
        columns=["instance", "solver", "seed", "status", "check", "objective", "solve_s", "bound"],
    ).assign(time_limit=60.0, solver_version="y", family="f")
    runs = pd.concat([runs, extra], ignore_index=True)
    assert compared_instances(runs) == ["p2"]
    assert over_limit_by_solver(runs) == {"c": ["p1"]}
    table = summary_table(runs).set_index("solver")
    assert table.loc["c", "over_licence_limit"] == 1 and table.loc["a", "over_licence_limit"] == 0
    assert table.loc["c", "solved"] == 1 and table.loc["c", "errors"] == 0
    # one compared instance: the SGM of a single time is that time (a 30 s, b charged 60 s)
    assert table["sgm_s"].to_dict() == {"a": 30.0, "b": 60.0, "c": 20.0}
    ratios = performance_ratios(instance_times(runs))
    assert list(ratios.index) == ["p2"]
    assert ratios.loc["p2"].tolist() == [1.5, math.inf, 1.0]  # a 30 / 20, b unsolved, c best
    assert disagreements(runs) == []


def test_nothing_compared_when_every_instance_is_over_a_limit(tmp_path: Path) -> None:
    runs = runs_table()
    refused = runs[runs["solver"] == "a"].assign(
        solver="c", status="over_licence_limit", check="none", objective=None, bound=None
    )
    runs = pd.concat([runs, refused], ignore_index=True).assign(
        host="h", cpu="c", cores=2, memory_gb=1.0, python="3"
    )
    assert compared_instances(runs) == []
    assert summary_table(runs)["sgm_s"].isna().all()
    assert instance_times(runs).empty and list(instance_times(runs).columns) == ["a", "b", "c"]
    text = write_report(runs, tmp_path, {}).read_text(encoding="utf-8")
    assert "over the 0 of 2 instances" in text
    assert "- c: p1, p2" in text
    assert (tmp_path / "profile.png").stat().st_size > 0


@pytest.mark.skipif("cplex" not in solvers_under_test(), reason="CPLEX is not installed")
def test_a_run_over_the_licence_limit_is_recorded_as_such(tmp_path: Path) -> None:
    """A generated 100-district instance (over 1,000 columns) with CPLEX Community Edition."""
    from model.generate import generate_region

    generate_region(tmp_path / "region", 100, 1)
    scenario = tmp_path / "r100.yaml"
    scenario.write_text("name: r100\nregion: region\n", encoding="utf-8")
    row = run_job(Job(Instance("r100", scenario), "cplex", 0, 30.0))
    if row["status"] == "optimal":  # CPLEX with a full licence: no limit to meet
        pytest.skip("CPLEX runs on a full licence here")
    assert row["status"] == "over_licence_limit" and row["check"] == "none"
    assert row["message"].startswith("solver cplex: model too large for the Community Edition")
    assert row["objective"] is None


def test_generated_and_scenario_files_mix_in_one_spec(tmp_path: Path) -> None:
    found = resolve_instances(f"generated:2,{ROOT / 'scenarios' / 'baseline.yaml'}", tmp_path)
    assert [i.name for i in found] == ["size-n30-k6-s1", "types-n60-k4-s1", "baseline"]
    with pytest.raises(InputError, match="at most one generated"):
        resolve_instances("generated:1,generated:2", tmp_path)
