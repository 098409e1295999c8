"""MPS/LP export: the written file, solved by HiGHS outside the project, gives the optimum."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import highspy
import pytest

from model.export import file_names
from model.pipeline import solve_scenario_file
from tests.inprocess import run_main

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def solve_file(path: Path) -> tuple[str, float, int]:
    """Plain highspy, nothing from the project: read, solve, report."""
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    assert solver.readModel(str(path)) == highspy.HighsStatus.kOk
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.run()
    status = solver.modelStatusToString(solver.getModelStatus())
    return status, solver.getInfo().objective_function_value, solver.getNumCol()


@pytest.fixture(scope="module")
def baseline_objective() -> float:
    result = solve_scenario_file(BASELINE)
    assert result.status == "optimal" and result.objective is not None
    return result.objective


@pytest.mark.parametrize("file_format", ["mps", "lp"])
def test_exported_baseline_solves_to_the_pipeline_optimum(
    file_format: str, baseline_objective: float, tmp_path: Path
) -> None:
    out = tmp_path / f"baseline.{file_format}"
    done = run_main("export", str(BASELINE), "--format", file_format, "--out", str(out))
    assert done.returncode == 0, done.stderr
    status, objective, columns = solve_file(out)
    assert status == "Optimal"
    assert objective == pytest.approx(baseline_objective, abs=1e-6)
    assert columns > 0


def test_mps_names_follow_the_model(tmp_path: Path) -> None:
    out = tmp_path / "baseline.mps"
    assert run_main("export", str(BASELINE), "--out", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "OBJSENSE" in text and "MAX" in text
    assert "y(wood,kholm_zhirkovsky)" in text
    assert "sites_per_type(wood)" in text


def test_overrides_change_the_written_model(tmp_path: Path) -> None:
    out = tmp_path / "coop.mps"
    done = run_main("export", str(BASELINE), "--out", str(out), "--set", "weights.coop=2")
    assert done.returncode == 0, done.stderr
    expected = solve_scenario_file(BASELINE, ["weights.coop=2"]).objective
    assert solve_file(out)[1] == pytest.approx(expected, abs=1e-6)


def test_refuses_an_existing_file_and_an_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "model.mps"
    out.write_text("keep me", encoding="utf-8")
    done = run_cli("export", str(BASELINE), "--out", str(out))
    assert done.returncode == 2 and out.read_text(encoding="utf-8") == "keep me"
    done = run_cli("export", str(BASELINE), "--out", str(tmp_path / "model.txt"))
    assert done.returncode == 2 and "--format" in done.stderr


def test_file_names_are_safe_and_unique() -> None:
    assert file_names(["y[a,b]", "c[x y]", "c[x_y]", "c[x-y]"]) == [
        "y(a,b)",
        "c(x_y)",
        "c(x_y)_2",
        "c(x_y)_3",
    ]
