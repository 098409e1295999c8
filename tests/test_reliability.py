"""Reproducible runs, reruns, safe outputs and safe inputs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import model.output
from model.cli import main

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SMOLENSK = REPO / "data" / "smolensk"


def without_timings(summary: dict[str, Any]) -> dict[str, Any]:
    """summary.json minus what legitimately changes between identical runs (timings)."""
    cleaned = dict(summary)
    cleaned.pop("timings")
    cleaned["solver"] = {
        k: v for k, v in summary["solver"].items() if k not in ("time_s", "wall_time_s")
    }
    return cleaned


def read_summary(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_same_inputs_give_identical_results(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        assert main(["run", str(BASELINE), "--out", str(folder), "--quiet"]) == 0
    assert (first / "assignments.csv").read_bytes() == (second / "assignments.csv").read_bytes()
    assert without_timings(read_summary(first)) == without_timings(read_summary(second))


def test_rerun_reproduces_a_run_and_checks_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": "copy", "region": "region", "weights": {"coop": 1.5}}),
        encoding="utf-8",
    )
    original, again = tmp_path / "original", tmp_path / "again"
    assert main(["run", str(scenario), "--out", str(original), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["rerun", str(original), "--out", str(again), "--check"]) == 0
    captured = capsys.readouterr()
    assert "reproduced: assignments.csv is identical" in captured.out
    assert "warning" not in captured.err
    assert read_summary(again)["scenario"]["weights"]["coop"] == 1.5
    # change a data file: the rerun warns and names it
    exports = region / "exports.csv"
    exports.write_text(exports.read_text(encoding="utf-8") + "smolensk,food,0.5\n", "utf-8")
    main(["rerun", str(original), "--out", str(tmp_path / "third")])
    assert "exports.csv (changed)" in capsys.readouterr().err


def test_an_interrupted_run_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: Any) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(model.output, "summary_dict", interrupted)
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out)]) == 130
    assert "nothing was written" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a staging folder


def test_a_failing_write_keeps_the_earlier_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), "--quiet"]) == 0
    before = (out / "summary.json").read_bytes()

    def disk_full(*_: Any) -> dict[str, Any]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model.output, "summary_dict", disk_full)
    assert main(["run", str(BASELINE), "--out", str(out), "--force", "--quiet"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def scenario_with_region(tmp_path: Path, region: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "probe", "region": str(region)}), encoding="utf-8")
    return path


def run_expecting_error(tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str]) -> str:
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    assert not out.exists()
    message = capsys.readouterr().err
    assert message.count("\n") == 1
    return message


def test_region_path_that_is_a_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    message = run_expecting_error(tmp_path, scenario_with_region(tmp_path, fifo), capsys)
    assert "region" in message and "not a folder" in message


def test_region_path_that_is_a_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = run_expecting_error(
        tmp_path, scenario_with_region(tmp_path, Path("/dev/null")), capsys
    )
    assert "not a folder" in message


def test_region_path_in_a_symlink_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    message = run_expecting_error(
        tmp_path, scenario_with_region(tmp_path, tmp_path / "loop_a"), capsys
    )
    assert "loop" in message


def test_a_data_file_that_is_a_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    (region / "exports.csv").unlink()
    os.mkfifo(region / "exports.csv")
    message = run_expecting_error(tmp_path, scenario_with_region(tmp_path, region), capsys)
    assert "exports.csv" in message and "not a regular file" in message


def test_an_oversized_data_file_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import model.tables

    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    # a limit just below the real file's size stands in for a 2 GB file
    monkeypatch.setattr(model.tables, "MAX_INPUT_BYTES", 1000)
    message = run_expecting_error(tmp_path, scenario_with_region(tmp_path, region), capsys)
    assert "more than the limit" in message


def test_absolute_and_relative_region_paths_both_work(tmp_path: Path) -> None:
    region = tmp_path / "elsewhere" / "myregion"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    nested = tmp_path / "scenarios"
    nested.mkdir()
    relative = nested / "rel.yaml"
    relative.write_text(
        yaml.safe_dump({"name": "rel", "region": "../elsewhere/myregion"}), encoding="utf-8"
    )
    absolute = nested / "abs.yaml"
    absolute.write_text(yaml.safe_dump({"name": "abs", "region": str(region)}), encoding="utf-8")
    for path in (relative, absolute):
        out = tmp_path / f"out-{path.stem}"
        assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
        assert Path(read_summary(out)["provenance"]["region"]) == region.resolve()
