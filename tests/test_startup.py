"""Start-up cost: commands load only what they use (issue: the baseline in two seconds).

Each check runs a fresh interpreter, because the modules a process loads are the point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import contextlib, io, json, runpy, sys
sys.argv = ["run.py", *json.loads(sys.argv[1])]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        runpy.run_path("run.py", run_name="__main__")
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(*argv: str, map_process: str = "0") -> set[str]:
    """The modules of a process that ran ``run.py *argv``; ``map_process`` says whether a run
    draws its map in a second process (model.report.map_process; off unless asked for)."""
    env = {**os.environ, "CLUSTERSITE_MAP_PROCESS": map_process}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(argv))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str], package: str) -> list[str]:
    return [m for m in modules if m == package or m.startswith(package + ".")]


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["front", "--help"]])
def test_help_loads_neither_pyomo_nor_matplotlib(argv: list[str]) -> None:
    modules = loaded_modules(*argv)
    assert heavy(modules, "pyomo") == []
    assert heavy(modules, "matplotlib") == []


@pytest.mark.parametrize("argv", [["districts"], ["types"], ["show", "scenarios/baseline.yaml"]])
def test_listing_commands_build_no_model_and_draw_nothing(argv: list[str]) -> None:
    # they read the region (scipy's shortest paths), which loads Pyomo's small dependency
    # table through the hook in model/__init__.py, but never the modelling layer
    modules = loaded_modules(*argv)
    assert "pyomo.environ" not in modules
    assert heavy(modules, "matplotlib") == []


def test_a_run_does_not_load_what_pyomo_would_finalise(tmp_path: Path) -> None:
    # Pyomo's import finalisers would pull in scipy.stats and matplotlib.pyplot (~1 s); the
    # run uses neither, so the hook in model/__init__.py drops them whatever loads first
    modules = loaded_modules("run", "scenarios/baseline.yaml", "--out", str(tmp_path / "r"))
    assert "pyomo.common.dependencies" in modules and "matplotlib" in modules  # the probe ran
    assert "scipy.stats" not in modules
    assert "matplotlib.pyplot" not in modules


def test_a_run_with_highs_builds_no_pyomo_model(tmp_path: Path) -> None:
    # HiGHS takes the model as arrays (model/matrix_model.py), runner-ups included
    modules = loaded_modules("run", "scenarios/baseline.yaml", "--out", str(tmp_path / "r"))
    assert "pyomo.environ" not in modules
    assert "model.matrix_model" in modules and "model.resolver" in modules  # it did solve


def test_a_pyomo_model_does_not_load_what_pyomo_would_finalise(tmp_path: Path) -> None:
    # writing the model to a file builds the Pyomo model, after scipy is loaded
    out = tmp_path / "s.lp"
    modules = loaded_modules(
        "export", "scenarios/baseline.yaml", "--format", "lp", "--out", str(out)
    )
    assert "pyomo.environ" in modules and "scipy" in modules  # the probe did run
    assert "scipy.stats" not in modules
    assert "matplotlib.pyplot" not in modules


def test_a_run_drawing_its_map_in_a_second_process_never_loads_matplotlib(
    tmp_path: Path,
) -> None:
    out = tmp_path / "r"
    modules = loaded_modules("run", "scenarios/baseline.yaml", "--out", str(out), map_process="1")
    assert "model.resolver" in modules  # the probe did run
    assert heavy(modules, "matplotlib") == []
    assert (out / "map.png").read_bytes().startswith(b"\x89PNG")  # drawn by the child
