"""The baseline run's speed-ups keep its outputs (issue: the baseline in two seconds).

Timing itself is measured by ``make bench-startup`` (bench/startup.py), not here.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from model.report import gis, map_process
from model.report.map_data import MapSiting

pyogrio = pytest.importorskip("pyogrio")


def _layer() -> gis.Layer:
    return gis.Layer(
        "cores", "Point", ["district"], [str], [(30.0, 54.0), (31.5, 55.25)], [["a"], ["b"]]
    )


@pytest.mark.parametrize("before", [None, "NORMAL"])
def test_gpkg_is_written_unsynced_and_the_gdal_option_restored(
    tmp_path: Path, before: str | None
) -> None:
    pyogrio.set_gdal_config_options({gis.SQLITE_SYNC_OPTION: before})
    try:
        gis.write_gpkg([_layer()], tmp_path / "x.gpkg", qml="<qgis/>")
        assert pyogrio.get_gdal_config_option(gis.SQLITE_SYNC_OPTION) == before
    finally:
        pyogrio.set_gdal_config_options({gis.SQLITE_SYNC_OPTION: None})
    with sqlite3.connect(tmp_path / "x.gpkg") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT district FROM cores ORDER BY fid").fetchall()
        styles = db.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall()
    assert rows == [("a",), ("b",)]
    assert styles == [("cores", "<qgis/>")]


# ---------------------------------------------------------------- the map's drawing process

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def baseline_inputs() -> map_process.MapInputs:
    from model.pipeline import solve_scenario_file
    from model.report.writer import map_inputs

    return map_inputs(solve_scenario_file(REPO / "scenarios" / "baseline.yaml"))


def nothing_sited(inputs: map_process.MapInputs) -> map_process.MapInputs:
    return dataclasses.replace(inputs, sitings=[], title="Scenario x: no cluster core is sited")


@pytest.mark.parametrize("case", ["baseline", "nothing sited"])
def test_the_map_drawn_in_the_child_is_the_map_drawn_here(
    baseline_inputs: map_process.MapInputs, case: str
) -> None:
    inputs = baseline_inputs if case == "baseline" else nothing_sited(baseline_inputs)
    here = map_process.draw_map(inputs)
    child = map_process.MapProcess()
    try:
        assert child._child is not None  # a child did start: the comparison means something
        there = child.draw(inputs)()
    finally:
        child.close()
    assert there[0].startswith(b"\x89PNG")
    assert there == here  # the same PNG bytes and credit line


def test_an_error_while_drawing_is_raised_here_with_the_childs_traceback(
    baseline_inputs: map_process.MapInputs,
) -> None:
    # a siting of a cluster type the region does not have: drawing it fails in either place
    broken = dataclasses.replace(
        baseline_inputs, sitings=[MapSiting("no_such_type", "smolensk", [])]
    )
    with pytest.raises(KeyError) as here:
        map_process.draw_map(broken)
    child = map_process.MapProcess()
    try:
        with pytest.raises(KeyError) as there:
            child.draw(broken)()
    finally:
        child.close()
    assert there.value.args == here.value.args
    assert any("map's drawing process" in note for note in there.value.__notes__)


def test_a_child_that_died_leaves_the_map_to_this_process(
    baseline_inputs: map_process.MapInputs,
) -> None:
    child = map_process.MapProcess()
    assert child._child is not None
    child._child.kill()
    child._child.wait()
    try:
        png = child.draw(baseline_inputs)()
    finally:
        child.close()
    assert png == map_process.draw_map(baseline_inputs)


def test_close_ends_a_child_that_still_runs() -> None:
    child = map_process.MapProcess()
    started = child._child
    assert started is not None and started.poll() is None
    child.close()
    assert started.poll() is not None  # killed and reaped: nothing left behind
    assert child._child is None


@pytest.mark.parametrize(
    ("switch", "cpus", "load", "expected"),
    [
        ("1", 1, 9.0, True),
        ("0", 8, 0.0, False),
        ("", 1, 0.0, False),  # one CPU: nothing to run beside
        ("", 2, 0.3, True),
        ("", 2, 2.5, False),  # every core already busy
    ],
)
def test_a_child_is_started_only_when_it_can_pay_off(
    monkeypatch: pytest.MonkeyPatch, switch: str, cpus: int, load: float, expected: bool
) -> None:
    monkeypatch.setenv(map_process.ENVIRONMENT_SWITCH, switch)
    monkeypatch.setattr(map_process, "usable_cpus", lambda: cpus)
    monkeypatch.setattr(map_process.os, "getloadavg", lambda: (load, load, load))
    assert map_process.wanted() is expected


def test_pyogrio_is_loaded_without_pyproj_and_pyproj_still_imports_after() -> None:
    pytest.importorskip("pyproj")
    probe = (
        "import sys; from model.report import gis; assert gis.have_pyogrio(); "
        "print('pyproj' in sys.modules); import pyproj; print(bool(pyproj.__version__))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


def test_the_child_answers_a_broken_request_with_an_error_not_a_map() -> None:
    import io
    import pickle

    sink = io.BytesIO()
    map_process.serve(io.BytesIO(b"not a pickle"), sink)
    status, error, trace = pickle.loads(sink.getvalue())
    assert status == "error"
    assert isinstance(error, pickle.UnpicklingError)
    assert "UnpicklingError" in trace


def test_a_child_that_does_not_answer_in_time_is_ended_and_the_map_drawn_here(
    baseline_inputs: map_process.MapInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(map_process, "WAIT_LIMIT_S", 0.0)  # it is still importing matplotlib
    child = map_process.MapProcess()
    started = child._child
    assert started is not None
    try:
        png = child.draw(baseline_inputs)()
    finally:
        child.close()
    assert started.poll() is not None  # ended, not left running
    assert png == map_process.draw_map(baseline_inputs)


def test_a_process_pinned_to_one_cpu_starts_no_child() -> None:
    import shutil

    taskset = shutil.which("taskset")
    if taskset is None:
        pytest.skip("taskset is not installed")
    probe = (
        "from model.report.map_process import usable_cpus, wanted; print(usable_cpus(), wanted())"
    )
    env = {k: v for k, v in os.environ.items() if k != map_process.ENVIRONMENT_SWITCH}
    done = subprocess.run(
        [taskset, "-c", "0", sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert done.stdout.split() == ["1", "False"]


def test_matplotlib_is_imported_without_property_docstrings_and_kwdoc_restored() -> None:
    probe = (
        "import model.report.maps; import matplotlib.artist as a; "
        "from matplotlib.lines import Line2D; "
        "from model.report.matplotlib_import import NOTE; "
        "print(NOTE in Line2D.set.__doc__, a.kwdoc.__module__, 'linewidth' in a.kwdoc(Line2D))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "matplotlib.artist", "True"]


def test_a_run_collects_garbage_less_often_and_restores_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from model.cli import main
    from model.commands import run

    seen = []
    original = run.solve_into

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold()[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(run, "solve_into", recording)
    monkeypatch.setenv(map_process.ENVIRONMENT_SWITCH, "0")
    before = gc.get_threshold()
    assert (
        main(
            [
                "run",
                str(REPO / "scenarios" / "baseline.yaml"),
                "--quiet",
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    assert seen == [max(before[0], run.YOUNG_GENERATION)]
    assert gc.get_threshold() == before
