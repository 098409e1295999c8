"""``python run.py`` ends without the interpreter's teardown, and that changes no output; the
map's drawing process starts first and gets its work before the report loads.

(Issue: the baseline in two seconds. The time saved is measured by ``make bench-startup``.)
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from model import cli
from model.report import map_process

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"

# Loaded into the run's process through PYTHONPATH: an object that says on stderr when the
# interpreter's teardown frees it, and an atexit function that says when it runs.
SITECUSTOMIZE = """
import atexit, builtins, os

class _Witness:
    def __del__(self):
        os.write(2, b"[teardown]\\n")

builtins._teardown_witness = _Witness()
atexit.register(lambda: os.write(2, b"[atexit]\\n"))
"""


def run_program(
    tmp_path: Path, *argv: str, map_switch: str = "0"
) -> subprocess.CompletedProcess[str]:
    """``python run.py *argv`` as a user starts it, with the witness of SITECUSTOMIZE."""
    probe = tmp_path / "probe"
    probe.mkdir(exist_ok=True)
    (probe / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(probe), map_process.ENVIRONMENT_SWITCH: map_switch}
    return subprocess.run(
        [sys.executable, "run.py", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_witness_sees_an_ordinary_exit(tmp_path: Path) -> None:
    # --help ends in argparse's sys.exit, before the command runs: the ordinary teardown
    done = run_program(tmp_path, "--help")
    assert done.returncode == 0
    assert "[atexit]" in done.stderr and "[teardown]" in done.stderr


@pytest.mark.parametrize("map_switch", ["0", "1"])
def test_a_run_skips_the_teardown_but_not_the_atexit_functions(
    tmp_path: Path, map_switch: str
) -> None:
    out = tmp_path / "run"
    done = run_program(
        tmp_path, "run", str(BASELINE), "--quiet", "--out", str(out), map_switch=map_switch
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{out}\n"  # printed, and flushed before the end
    assert "[atexit]" in done.stderr
    assert "[teardown]" not in done.stderr


def test_an_infeasible_run_keeps_its_exit_status(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = run_program(
        tmp_path,
        "run",
        str(BASELINE),
        "--out",
        str(out),
        "--set",
        "rules.lock=[{cluster: wood, district: velizhsky}]",
        "--set",
        "rules.forbid=[{cluster: wood, district: velizhsky}]",
    )
    assert done.returncode == 3, done.stderr
    assert "INFEASIBLE" in done.stdout
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["status"] == (
        "infeasible"
    )
    assert "[teardown]" not in done.stderr


def test_bad_input_keeps_its_exit_status_and_message(tmp_path: Path) -> None:
    done = run_program(tmp_path, "run", str(tmp_path / "missing.yaml"), "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("error:") == 1 and "missing.yaml" in done.stderr


def _gpkg_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every user table of a GeoPackage, row by row, without the times of writing that the
    file holds (gpkg_contents.last_change, layer_styles.update_time)."""
    rows = {}
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("gpkg_", "rtree_", "sqlite_"))
        ]
        for table in tables:
            columns = [
                f'"{column}"'
                for _, column, *_ in db.execute(f'PRAGMA table_info("{table}")')
                if column != "update_time"
            ]
            query = f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1'
            rows[table] = db.execute(query).fetchall()
    return rows


def _summary(folder: Path) -> dict[str, Any]:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.pop("timings")  # wall times (and the finishing time) differ between any two runs
    summary["solver"] = {
        k: v for k, v in summary["solver"].items() if k not in ("time_s", "wall_time_s")
    }
    return summary


@pytest.mark.parametrize("map_switch", ["0", "1"])
def test_a_run_ended_early_writes_what_a_run_inside_python_writes(
    tmp_path: Path, map_switch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    program, inside = tmp_path / "program", tmp_path / "inside"
    done = run_program(
        tmp_path, "run", str(BASELINE), "--quiet", "--out", str(program), map_switch=map_switch
    )
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv(map_process.ENVIRONMENT_SWITCH, "0")
    assert cli.main(["run", str(BASELINE), "--quiet", "--out", str(inside)]) == 0
    names = sorted(p.name for p in program.iterdir())
    assert names == sorted(p.name for p in inside.iterdir())
    assert {"map.png", "report.html", "sitings.gpkg", "summary.json"} <= set(names)
    for name in names:
        if name == "summary.json":
            assert _summary(program) == _summary(inside)
        elif name.endswith(".gpkg"):
            assert _gpkg_rows(program / name) == _gpkg_rows(inside / name)
            assert _gpkg_rows(program / name)  # the comparison compared something
        else:
            assert (program / name).read_bytes() == (inside / name).read_bytes(), name


@pytest.mark.parametrize(
    ("original", "argv", "owns"),
    [
        (["python", "run.py", "run", "x.yaml"], ["run.py", "run", "x.yaml"], True),
        (["/venv/bin/python", "/venv/bin/clustersite"], ["/venv/bin/clustersite"], True),
        # runpy.run_path("run.py") after setting sys.argv: the caller goes on afterwards
        (["python", "-c", "import runpy; ..."], ["run.py", "run", "x.yaml"], False),
        # a profiler (or any -m module, or an interpreter option) that runs run.py for itself
        (["python", "-m", "cProfile", "run.py", "run"], ["run.py", "run"], False),
        (["python", "-X", "importtime", "run.py", "run"], ["run.py", "run"], False),
        ([], ["run.py"], False),  # an interpreter that does not say how it was started
    ],
)
def test_only_a_process_started_for_the_command_is_ended_early(
    monkeypatch: pytest.MonkeyPatch, original: list[str], argv: list[str], owns: bool
) -> None:
    monkeypatch.setattr(sys, "orig_argv", original)
    monkeypatch.setattr(sys, "argv", argv)
    assert cli.owns_process() is owns


def test_a_thread_still_running_leaves_the_ordinary_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    ended: list[int] = []
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    release = threading.Event()
    worker = threading.Thread(target=release.wait)  # not a daemon: exit would join it
    worker.start()
    try:
        cli.exit_without_teardown(0)
    finally:
        release.set()
        worker.join()
    assert ended == []


def test_the_map_process_starts_before_pandas_and_draws_before_the_report_loads(
    tmp_path: Path,
) -> None:
    # the child's imports overlap all of the run's, and it has its inputs as soon as the
    # sitings are known: the rest of the report (explanations, document, GIS) loads after
    probe = (
        "import sys; from model.report import map_process as m; seen = []\n"
        "def loaded(*names): return sorted(set(names) & set(sys.modules))\n"
        "original_init, original_draw = m.MapProcess.__init__, m.MapProcess.draw\n"
        "def init(self):\n"
        "    seen.append(loaded('pandas', 'pyomo', 'scipy'))\n"
        "    original_init(self)\n"
        "def draw(self, inputs):\n"
        "    report = ('model.report.writer', 'model.report.explain', 'model.report.gis')\n"
        "    seen.append(loaded('pyomo', *report))\n"
        "    return original_draw(self, inputs)\n"
        "m.MapProcess.__init__, m.MapProcess.draw = init, draw\n"
        "from model.cli import main\n"
        f"status = main(['run', {str(BASELINE)!r}, '--quiet', '--out', sys.argv[1]])\n"
        "print(status, seen)\n"
    )
    env = {**os.environ, map_process.ENVIRONMENT_SWITCH: "1"}
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "run")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "0 [[], ['pyomo']]"  # pyomo: the run had solved
    assert (tmp_path / "run" / "report.md").is_file()
