"""Signals: SIGTERM and SIGHUP end a run like Ctrl-C (exit 130, no staging folder left), and
Ctrl-C stops a long HiGHS solve within a second or two instead of waiting for it to finish."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.generate import generate_region

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def slow_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic region whose solve (presolve on) runs far longer than these tests wait."""
    base = tmp_path_factory.mktemp("slow")
    generate_region(base / "region", 600, seed=3, spacing_km=20)
    scenario = base / "slow.yaml"
    scenario.write_text(
        "name: slow\nregion: region\nsolver:\n  time_limit: 120\n  presolve: true\n",
        encoding="utf-8",
    )
    return scenario


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_signal(scenario: Path, work: Path, signum: signal.Signals) -> tuple[int, str, float]:
    """Start a run, wait until it is solving (its staging folder exists), send ``signum``;
    the exit status, stderr and the seconds from the signal to the exit."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "run.py"), "run", str(scenario), "--out", str(work / "out")],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell starts background jobs with SIGINT ignored, and the child would inherit
        # that (the suite run as `make test &`): the run must see Ctrl-C as a terminal sends it
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while not list(work.glob(".out.*.partial")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started solving"
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the solve
    sent = time.monotonic()
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    return process.returncode, err, time.monotonic() - sent


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_run_exits_130_and_leaves_nothing(
    signum: signal.Signals, slow_scenario: Path, tmp_path: Path
) -> None:
    status, err, seconds = start_and_signal(slow_scenario, tmp_path, signum)
    assert status == 130, err
    assert "nothing was written" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no out/, no .partial staging, no lock file
    # HiGHS is asked to stop through its interrupt callback and not waited for past 0.5 s
    assert seconds < 20, f"took {seconds:.1f} s to stop"  # 45 s before the interrupt callback
