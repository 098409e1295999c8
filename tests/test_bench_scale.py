"""The scale benchmark's own code (bench/scale.py --quick): it measures, agrees with direct
highspy on the objective, and writes its table and plot."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slope_of_a_power_law() -> None:
    bench = _bench()
    xs = [10.0, 100.0, 1000.0]
    assert bench.slope(xs, [3 * x**1.5 for x in xs]) == pytest.approx(1.5)
    assert math.isnan(bench.slope([5.0, 5.0], [1.0, 2.0]))  # no spread in size
    assert math.isnan(bench.slope([5.0], [1.0]))


@pytest.mark.slow
def test_quick_bench_runs_and_writes_its_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _bench()
    assert bench.main(["--quick", "--out", str(tmp_path), "--time-limit", "60"]) == 0
    printed = capsys.readouterr().out
    assert "empirical exponents: build" in printed
    assert "p-dispersion, 60 sites, p = 10: threshold search" in printed
    assert "optimal" in printed.splitlines()[0]
    assert "largest ratio project/direct" in printed
    table = (tmp_path / "scale.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith(("| 40 ", "| 80 "))]
    assert len(rows) == 4
    assert (tmp_path / "scale.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import json

    records = [json.loads(line) for line in (tmp_path / "scale.jsonl").read_text().splitlines()]
    assert len(records) == 4
    for r in records:
        project, direct, other = r["project"], r["direct"], r["other"]
        assert r["peak_mb"] > 10
        assert project["status"] == "optimal"
        # the same LP to a 1 % gap: the two objectives lie within the gap of each other
        assert direct["objective"] == pytest.approx(project["objective"], rel=0.011)
        assert other["form"] != project["form"]
        assert other["objective"] == pytest.approx(project["objective"], rel=0.011)
        if r["warm_start"]["objective"] is not None:
            assert r["warm_start"]["objective"] <= project["bound"] + 1e-9


def _row(districts: int, types: int, solve: float, nodes: tuple[int, int]) -> dict[str, object]:
    return {
        "districts": districts,
        "types": types,
        "instance": 1.0,
        "pairs": 10,
        "peak_mb": 100.0 * types,
        "load_average": [1.0, 1.0, 1.0],
        "warm_start": {"objective": None},
        "project": {
            "form": "pairs", "model_build": 0.5, "handoff": 0.25, "solve": solve,
            "readback": 0.25, "status": "optimal", "objective": 1.0, "bound": 1.0,
            "nodes": nodes[0], "columns": 5,
        },
        "direct": {"handoff": 0.5, "solve": 2.0, "readback": 0.0, "nodes": nodes[1]},
    }


def test_ratios_by_hand_and_the_report_of_saved_rows(tmp_path: Path) -> None:
    bench = _bench()
    bounded = _row(10, 2, 4.0, (7, 7))
    bounded["project"] = bounded["project"] | {"bound_s": 2.5}
    # the Lagrangian bound's seconds count in the project's total: (5 + 2.5) / 2.5
    assert bench.totals(bounded)["ratio"] == pytest.approx(3.0)
    same = bench.totals(_row(10, 2, 4.0, (7, 7)))
    # project 0.5 + 0.25 + 4 + 0.25 = 5 against direct 0.5 + 2 = 2.5; with the direct solve
    # charged to both: (5 - 4 + 2) / 2.5 = 1.2
    assert same["ratio"] == pytest.approx(2.0)
    assert same["same_search_ratio"] == pytest.approx(1.2)
    assert math.isnan(bench.totals(_row(10, 2, 4.0, (7, 8)))["same_search_ratio"])
    rows = [_row(10, 2, 4.0, (7, 7)), _row(100, 2, 4.0, (1, 2))]
    assert bench.exponents(rows)["memory"] == pytest.approx(0.0)
    lines = bench.verdict(rows)
    assert "largest same-search ratio (1 of 2 sizes" in lines[1] and "NOT met" in lines[1]
    saved = tmp_path / "rows.jsonl"
    import json

    saved.write_text("\n".join(json.dumps(r | {"gap": 0.01, "time_limit": 5}) for r in rows))
    bench.report([json.loads(x) for x in saved.read_text().splitlines()], tmp_path, "cmd", "pd")
    text = (tmp_path / "scale.md").read_text(encoding="utf-8")
    assert "| 10 × 2 |" in text and "| 100 × 2 |" in text and "## p-dispersion" in text


def test_the_lagrangian_column() -> None:
    bench = _bench()
    assert bench._fmt_lagrangian(None, 3.0) == "–"
    assert bench._fmt_lagrangian({"value": 6.0, "seconds": 12.4}, 3.0) == "6.000 (100.0%, 12 s)"
    row = _row(10, 2, 4.0, (7, 7)) | {"lagrangian": {"value": 6.0, "rounds": 300, "seconds": 1}}
    row["project"] = row["project"] | {"objective": 3.0, "status": "time_limit"}
    assert any("6.000 (100.0%, 1 s)" in line for line in bench.table([row]))
    assert "Lagrangian bound: 6.000 (100.0%, 1 s)" in bench.verdict([row])[-1]


def test_the_ratio_to_plain_highspy_by_hand() -> None:
    """Project 5 s against plain highspy (no start) 0.5 + 4.5 + 0 = 5 s: 1.0; none where the
    row has no plain solve (a time-limited size) or a time limit stopped the project."""
    bench = _bench()
    row = _row(10, 2, 4.0, (7, 7)) | {"plain": {"handoff": 0.5, "solve": 4.5, "readback": 0.0}}
    assert bench.totals(row)["plain_ratio"] == pytest.approx(1.0)
    assert math.isnan(bench.totals(_row(10, 2, 4.0, (7, 7)))["plain_ratio"])
    limited = _row(10, 2, 4.0, (7, 7))
    limited["project"] = limited["project"] | {"status": "time_limit"}
    assert math.isnan(bench.totals(limited)["same_search_ratio"])
    lines = bench.verdict([row, _row(100, 2, 4.0, (1, 2))])
    assert any(
        line.startswith("largest ratio to plain highspy, no start (1 of 2") for line in lines
    )


def test_short_solves_are_measured_more_often() -> None:
    bench = _bench()
    assert bench.repeat_rounds(3.0) == 1  # long enough: one run
    assert bench.repeat_rounds(1.0) == 5  # the fewest repeated runs
    assert bench.repeat_rounds(0.3) == 15  # about 4 s of direct solving, an odd count
    assert bench.repeat_rounds(0.06) == 21  # the most
    assert bench.repeat_rounds(0.0) == 21


def test_a_scenario_the_rule_checks_prove_infeasible(tmp_path: Path) -> None:
    """The project's path, as a run, builds no model when the rule checks find the conflict;
    the direct path still gets the LP, and HiGHS agrees that it is infeasible."""
    import highspy

    from model.instance import build_instance, compute_indicators
    from model.region import load_region
    from model.scenario import load_scenario
    from solvers.base import SolverOptions
    from tests.reference.crowded import REPO, crowded_scenario

    bench = _bench()
    region = load_region(REPO / "data" / "smolensk")
    scenario = load_scenario(crowded_scenario(tmp_path)).scenario
    instance = build_instance(region, scenario, compute_indicators(region, scenario))
    options = SolverOptions(mip_gap=0.01, time_limit=60, presolve=False)
    project = bench._solve_project(instance, "pairs", options, False)
    assert project["status"] == "infeasible" and project["before_model"]
    assert project["solve"] == project["handoff"] == 0.0 and project["model_build"] > 0
    assert bench._fmt_status(project) == "infeasible (rule checks, no model)"
    # no ratio for it (a run explains the conflict, the direct path does not), and it is
    # left out of the exponents and of the largest-ratio line
    row = _row(10, 2, 4.0, (7, 7)) | {"project": project}
    row["project"]["nodes"] = None
    assert math.isnan(bench.totals(row)["ratio"]) and math.isnan(bench.totals(row)["plain_ratio"])
    other = _row(100, 2, 4.0, (7, 7))
    assert bench.verdict([row, other])[0].startswith("largest ratio project/direct (1 of 2 sizes")
    assert math.isnan(bench.exponents([row, other])["build"])  # one size left: no slope
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    from solvers.highs import pass_model

    pass_model(solver, project["lp"])
    solver.run()
    assert solver.getModelStatus() == highspy.HighsModelStatus.kInfeasible
