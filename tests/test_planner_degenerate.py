"""Degenerate cases of the planner outputs: objective 0, nothing sited, one district, a saved
run whose region is gone, an infeasible column in a comparison."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pytest

from model.cli import main
from model.compare import Snapshot, compare, flatten
from tests.test_degenerate_outputs import CASES


@pytest.mark.parametrize("name", [*CASES, "one_district"])
def test_clusters_csv_adds_up_in_degenerate_runs(
    name: str,
    degenerate_runs: dict[str, Path],
) -> None:
    folder = degenerate_runs[name]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    path = folder / "clusters.csv"
    assert path.is_file() == (folder / "assignments.csv").is_file()
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    assert "nan" not in text.lower().replace("name", "")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(summary["sitings"])
    assert math.fsum(float(r["value"]) for r in rows) == pytest.approx(
        summary["objective"], abs=1e-6
    )
    if summary["objective"] == 0:  # no share of nothing
        assert all(r["share_of_objective"] == "" for r in rows)


def test_one_district_report_has_nowhere_else_to_go(
    degenerate_runs: dict[str, Path],
) -> None:
    report = (degenerate_runs["one_district"] / "report.md").read_text(encoding="utf-8")
    assert "**Why not elsewhere.** No other district scores higher" in report
    assert "**Tie.**" not in report and "gives up 0.000" not in report


def test_zero_weights_make_every_allowed_district_a_tie(
    degenerate_runs: dict[str, Path],
) -> None:
    report = (degenerate_runs["zero_weights"] / "report.md").read_text(encoding="utf-8")
    assert "**Tie.**" in report
    assert "gives up 0.000" not in report


def test_compare_of_a_saved_run_whose_region_is_gone_writes_the_page_without_maps(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    degenerate_runs: dict[str, Path],
) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(degenerate_runs["one_district"], moved)
    summary = json.loads((moved / "summary.json").read_text(encoding="utf-8"))
    summary["provenance"]["region"] = str(tmp_path / "gone")
    (moved / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    out = tmp_path / "cmp"
    assert (
        main(["compare", str(degenerate_runs["one_district"]), str(moved), "--out", str(out)]) == 0
    )
    names = {p.name for p in out.iterdir()}
    assert {"comparison.html", "comparison.md", "sitings.csv"} <= names
    assert "comparison_maps.png" not in names
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "no maps:" in page and "region folder not found" in page


def test_an_infeasible_column_gets_a_plain_line() -> None:
    terms = {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 0.0}
    base = Snapshot("base", "optimal", 1.0, terms, {"wood": [("x", ())]}, flatten({}), "base")
    none = Snapshot("tight", "infeasible", None, {}, {}, flatten({"rules": {"budget": 0}}), "t")
    result = compare([base, none])
    assert result.summary == ["tight: rules.budget null → 0: no siting (infeasible)."]
    assert result.terms.loc["status", "tight"] == "infeasible"
    assert result.sitings.loc["wood", "tight"] == "-"
    assert result.sitings.loc["wood", "tight change"] == "*"
