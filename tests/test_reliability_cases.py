"""Reliability: no traceback on any input, no result ever lost (one test per reported case).

Bad input exits 2 with one line naming the file and the key or line, and writes nothing; a run
folder is claimed before the solve, so concurrent runs never share one; --force replaces only
an earlier run; the solver log stays inside the run folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from model.cli import main
from model.errors import InputError, OutputExistsError
from model.scenario import load_scenario
from model.tables import load_yaml, read_csv_rows

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SMOLENSK = REPO / "data" / "smolensk"


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("error: ") and "Traceback" not in err
    return err.strip()


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("saved") / "run"
    assert main(["run", str(BASELINE), "--out", str(folder), "--quiet"]) == 0
    return folder


def copy_of(run: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run, target)
    return target


# ---- YAML -------------------------------------------------------------------------------


def test_yaml_nested_thousands_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\nweights: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="nested more than 64 levels deep"):
        load_yaml(path)
    block = "".join("  " * i + f"k{i}:\n" for i in range(3000))
    path.write_text(block, encoding="utf-8")
    with pytest.raises(InputError, match="nested more than"):
        load_yaml(path)


def test_yaml_list_as_mapping_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.yaml"
    path.write_text("name: x\n? [a, b]\n: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2.*mapping key must be a plain value"):
        load_yaml(path)


def test_yaml_integer_of_5000_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "int.yaml"
    path.write_text("name: x\nsolver:\n  seed: " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="integer of 5000 digits"):
        load_yaml(path)


def test_lone_surrogate_in_description_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text('name: x\ndescription: "before \\ud800 after"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    message = one_line_error(capsys)
    assert str(path) in message and "line 2" in message and "surrogate" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_a_merge_key_then_an_explicit_key_overrides(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text(
        "name: merged\nrules:\n  sites:\n    default: &d {min: 0, max: 1}\n"
        "    plastics:\n      <<: *d\n      max: 2\n",
        encoding="utf-8",
    )
    sites = load_scenario(path).scenario.rules.sites
    assert (sites["plastics"].min, sites["plastics"].max) == (0, 2)
    assert sites["default"].max == 1
    # an explicit key given twice is still a duplicate
    path.write_text("name: x\nweights:\n  fit: 1\n  fit: 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate key 'fit'"):
        load_scenario(path)


# ---- command-line options ---------------------------------------------------------------


def test_bad_set_value_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--set", "weights.coop=[1, 2", "--out", str(out)]) == 2
    message = one_line_error(capsys)
    assert "--set weights.coop=[1, 2" in message and "cannot read value" in message
    assert not out.exists()


def test_a_tiny_time_limit_is_not_blamed_on_a_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(["run", str(BASELINE), "--time-limit", "0.00001", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status in (0, 4), err  # a solution or none within the limit: not bad input
    assert "--set" not in err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"]["solver"]["time_limit"] == pytest.approx(1e-5)


def test_an_out_of_range_time_limit_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("1e12", "inf", "nan"):
        assert main(["run", str(BASELINE), "--time-limit", value]) == 2
        message = one_line_error(capsys)
        assert message.startswith("error: --time-limit: ") and "--set" not in message


def test_out_dot_with_force_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for out in (".", "./", str(tmp_path), ".."):
        assert main(["run", str(BASELINE), "--out", out, "--force"]) == 2
        assert "current folder" in one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt"]


def test_force_never_replaces_a_folder_without_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    before = sorted(p.name for p in region.iterdir())
    assert main(["run", str(BASELINE), "--out", str(region), "--force"]) == 2
    assert "--force replaces only an earlier run" in one_line_error(capsys)
    assert sorted(p.name for p in region.iterdir()) == before
    # an earlier run is replaced
    run = tmp_path / "run"
    assert main(["run", str(BASELINE), "--out", str(run), "--quiet"]) == 0
    assert main(["run", str(BASELINE), "--out", str(run), "--force", "--quiet"]) == 0


def test_sweep_with_a_repeated_value_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for values in ("0,1,0", "1,1.0", "[a,b],[a, b]"):
        status = main(
            ["sweep", str(BASELINE), "--param", "weights.coop", "--values", values, "--no-progress"]
        )
        assert status == 2
        message = one_line_error(capsys)
        assert message.startswith("error: --values: ") and "repeats" in message
    assert list(tmp_path.iterdir()) == []


# ---- CSV --------------------------------------------------------------------------------


def test_csv_errors_give_physical_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,name\na,"two\nlines"\nb,ok\nc,bad,extra\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 5: has 3 fields"):
        read_csv_rows(path, ["id", "name"])
    path.write_text('id,name\na,"two\nlines"\nb,ok\n', encoding="utf-8")
    _, rows = read_csv_rows(path, ["id", "name"])
    assert [(r.line, r.values["name"]) for r in rows] == [(2, "two\nlines"), (4, "ok")]


# ---- saved run folders given to rerun, compare and map ----------------------------------

BROKEN_SUMMARIES = {
    "empty": "",
    "truncated": '{"status": "optimal", "terms": {"fit": 1.0',
    "a list": "[1, 2, 3]",
    "deep": "[" * 100_000 + "]" * 100_000,
    "status a number": json.dumps({"status": 3, "terms": {}, "scenario": {}, "provenance": {}}),
    "terms a list": json.dumps(
        {"status": "optimal", "terms": [1], "scenario": {}, "provenance": {"region": "x"}}
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN_SUMMARIES))
@pytest.mark.parametrize("command", ["rerun", "compare", "map"])
def test_a_broken_summary_is_one_line(
    kind: str,
    command: str,
    saved_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = copy_of(saved_run, tmp_path)
    (folder / "summary.json").write_text(BROKEN_SUMMARIES[kind], encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = {
        "rerun": ["rerun", str(folder)],
        "compare": ["compare", str(folder), str(folder)],
        "map": ["map", str(folder), "--out", str(work / "m.png")],
    }[command]
    assert main(args) == 2
    message = one_line_error(capsys)
    assert "summary.json" in message
    assert list(work.iterdir()) == []


BROKEN_ASSIGNMENTS = {
    "empty": ("", "empty"),
    "header only, sitings listed": ("cluster_type,core,district,role,contribution\n", "missing"),
    "wrong columns": ("a,b\n1,2\n", "missing column"),
    "truncated row": ("cluster_type,core,district,role,contribution\nfood,x,x\n", "line 2"),
    "bad role": ("cluster_type,core,district,role,contribution\nfood,x,x,boss,1\n", "role"),
    "text contribution": (
        "cluster_type,core,district,role,contribution\nfood,x,x,core,a\n",
        "contribution",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN_ASSIGNMENTS))
@pytest.mark.parametrize("command", ["rerun", "compare", "map"])
def test_a_broken_assignments_file_is_one_line(
    kind: str,
    command: str,
    saved_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = copy_of(saved_run, tmp_path)
    text, fragment = BROKEN_ASSIGNMENTS[kind]
    (folder / "assignments.csv").write_text(text, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = {
        "rerun": ["rerun", str(folder)],
        "compare": ["compare", str(folder), str(folder)],
        "map": ["map", str(folder), "--out", str(work / "m.png")],
    }[command]
    assert main(args) == 2
    message = one_line_error(capsys)
    assert "assignments.csv" in message and fragment in message
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("value", [42, None, ["a"], {"path": "x"}, ""])
def test_a_tampered_provenance_region_is_named(
    value: object,
    saved_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = copy_of(saved_run, tmp_path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["provenance"]["region"] = value
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for args in (["rerun", str(folder)], ["map", str(folder)]):
        assert main(args) == 2
        message = one_line_error(capsys)
        assert "provenance.region" in message and "expected str" not in message
        assert "region folder's path" in message


def test_map_refuses_a_malformed_boundaries_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: probe\nregion: {region}\n", encoding="utf-8")
    run = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(run), "--quiet"]) == 0
    capsys.readouterr()
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "smolensk"},
                "geometry": {"type": "MultiPolygon", "coordinates": [1, [2]]},
            }
        ],
    }
    (region / "boundaries.geojson").write_text(json.dumps(bad), encoding="utf-8")
    before = (run / "map.png").read_bytes()
    assert main(["map", str(run)]) == 2
    message = one_line_error(capsys)
    assert "boundaries.geojson: features[0].geometry.coordinates[0]" in message
    (region / "boundaries.geojson").write_text(
        '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}",
        encoding="utf-8",
    )
    assert main(["map", str(run)]) == 2
    assert "nested more than" in one_line_error(capsys)
    assert (run / "map.png").read_bytes() == before


# ---- solver log file --------------------------------------------------------------------


def test_a_relative_log_file_goes_into_the_run_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {"extends": str(BASELINE), "name": "logged", "solver": {"log_file": "highs.log"}}
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "first"
    assert main(["run", str(scenario), "--out", str(first), "--quiet"]) == 0
    assert (first / "highs.log").stat().st_size > 0
    assert not (tmp_path / "highs.log").exists()
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    # a rerun writes its log into the new folder, never into the saved run's
    again = tmp_path / "again"
    assert main(["rerun", str(first), "--out", str(again)]) == 0
    assert (again / "highs.log").stat().st_size > 0
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    capsys.readouterr()
    # an absolute log path inside another run folder is refused
    inside = tmp_path / "inside.yaml"
    inside.write_text(
        yaml.safe_dump(
            {
                "extends": str(BASELINE),
                "name": "inside",
                "solver": {"log_file": str(first / "other.log")},
            }
        ),
        encoding="utf-8",
    )
    assert main(["run", str(inside), "--out", str(tmp_path / "third")]) == 2
    message = one_line_error(capsys)
    assert "solver.log_file" in message and "earlier run folder" in message
    assert not (first / "other.log").exists() and not (tmp_path / "third").exists()


def test_a_failed_run_leaves_no_log_and_no_staging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import model.output

    def broken(*_: object) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(model.output, "summary_dict", broken)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {"extends": str(BASELINE), "name": "logged", "solver": {"log_file": "highs.log"}}
        ),
        encoding="utf-8",
    )
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


# ---- folders: claims and the final rename -----------------------------------------------


def test_default_names_are_unique_within_one_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import model.staging as staging

    with (
        staging.claimed_new(tmp_path, "run") as first,
        staging.claimed_new(tmp_path, "run") as second,
    ):
        assert first != second
        assert first.name.rsplit("-", 1)[0] in second.name
    assert list(tmp_path.iterdir()) == []  # the claims leave nothing behind


def test_two_claims_of_one_folder_the_second_is_refused(tmp_path: Path) -> None:
    import model.staging as staging

    out = tmp_path / "out"
    lock = staging._lock_path(out)
    fd = staging._try_lock(lock)  # another process's claim, as seen from this one
    assert fd is not None
    try:
        staging._held.pop(lock, None)
        with pytest.raises(OutputExistsError, match="another run is writing"), staging.claimed(out):
            pass
    finally:
        import os

        os.close(fd)


def test_the_final_rename_never_replaces_a_folder_that_appeared(tmp_path: Path) -> None:
    from model.staging import staged_folder

    out = tmp_path / "out"
    appeared = pytest.raises(OutputExistsError, match="appeared while the run worked")
    with appeared as caught, staged_folder(out) as staging:
        (staging / "summary.json").write_text("{}", encoding="utf-8")
        out.mkdir()
        (out / "theirs.txt").write_text("theirs", encoding="utf-8")
    assert (out / "theirs.txt").read_text(encoding="utf-8") == "theirs"
    assert str(tmp_path / "out-2") in str(caught.value)
    assert (tmp_path / "out-2" / "summary.json").is_file()  # the new results are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out-2"]


def run_cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(REPO / "run.py"), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_concurrent_runs_never_share_a_folder(tmp_path: Path) -> None:
    # several runs with one --out: one wins, the others exit 2 naming the folder
    out = tmp_path / "shared"
    procs = [
        run_cli("run", str(BASELINE), "--out", str(out), "--quiet", cwd=tmp_path) for _ in range(4)
    ]
    done = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    winners = [d for d in done if d[0] == 0]
    assert len(winners) == 1, done
    for status, _, err in done:
        if status != 0:
            assert status == 2 and str(out) in err and err.count("\n") == 1, err
    assert (out / "summary.json").is_file() and (out / "assignments.csv").is_file()
    # several runs with default names, started in the same second: each its own folder
    runs = tmp_path / "runs"
    procs = [
        run_cli("run", str(BASELINE), "--runs-dir", str(runs), "--quiet", cwd=tmp_path)
        for _ in range(4)
    ]
    done = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [d[0] for d in done] == [0, 0, 0, 0], done
    folders = {d[1].strip() for d in done}
    assert len(folders) == 4
    for folder in folders:
        assert (Path(folder) / "summary.json").is_file()
        assert (Path(folder) / "assignments.csv").is_file()
    assert sorted(p.name for p in runs.iterdir()) == sorted(Path(f).name for f in folders)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "shared"]


def test_a_lone_surrogate_in_a_saved_summary_is_refused(
    saved_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(saved_run, tmp_path)
    text = (folder / "summary.json").read_text(encoding="utf-8")
    summary = json.loads(text)
    summary["scenario"]["description"] = "PLACEHOLDER"
    text = json.dumps(summary).replace("PLACEHOLDER", "\\ud800")
    (folder / "summary.json").write_text(text, encoding="utf-8")
    assert main(["rerun", str(folder), "--out", str(tmp_path / "again")]) == 2
    assert "lone surrogate" in one_line_error(capsys)
    assert not (tmp_path / "again").exists()


def test_set_reads_python_float_notation_as_a_number() -> None:
    from model.scenario import parse_override

    assert parse_override("solver.time_limit=1e-05") == (["solver", "time_limit"], 1e-05)
    assert parse_override("weights.coop=2E3") == (["weights", "coop"], 2000.0)
    assert parse_override("description=e5") == (["description"], "e5")


def test_a_set_argument_with_a_line_break_is_quoted_on_one_line() -> None:
    from model.errors import InputError
    from model.scenario import parse_override

    with pytest.raises(InputError) as info:
        parse_override("weights.coop=[1\n2")
    assert "\n" not in str(info.value) and "'weights.coop=[1\\n2'" in str(info.value)
