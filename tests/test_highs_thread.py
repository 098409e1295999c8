"""The kept HiGHS solve thread (``solvers.highs_thread``): solves are reused on one thread,
a change of ``threads`` between solves is honoured, a job's error reaches the caller, and
Ctrl-C stops a solve through HiGHS's interrupt callback and leaves the thread usable."""

from __future__ import annotations

import _thread
import importlib.util
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import highspy
import numpy as np
import pytest

from solvers import highs_thread
from solvers.highs_thread import SolveThread, abandoned_solves, reset_scheduler, run_interruptible

BENCH = Path(__file__).resolve().parent.parent / "bench" / "solve_thread.py"


def knapsack(values: list[float], weights: list[float], capacity: float) -> highspy.Highs:
    """max values·x, weights·x <= capacity, x binary: a MIP whose optimum is easy to check."""
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    n = len(values)
    solver.passModel(
        n,
        1,
        n,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        np.array(values, dtype=np.float64),
        np.zeros(n),
        np.ones(n),
        np.array([-highspy.kHighsInf]),
        np.array([capacity], dtype=np.float64),
        np.arange(n + 1, dtype=np.int32),
        np.zeros(n, dtype=np.int32),
        np.array(weights, dtype=np.float64),
        np.ones(n, dtype=np.int32),
    )
    return solver


def market_split(rows: int = 5, cols: int = 40, seed: int = 7) -> highspy.Highs:
    """A feasibility MIP (Cornuéjols and Dawande's market split) that branch and bound does
    not settle in minutes: A x = floor(sum(A)/2), x binary."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(rows, cols)).astype(np.float64)
    d = np.floor(a.sum(axis=1) / 2)
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    start = np.arange(0, rows * cols + 1, rows, dtype=np.int32)
    solver.passModel(
        cols,
        rows,
        rows * cols,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.zeros(cols),
        np.zeros(cols),
        np.ones(cols),
        d,
        d,
        start,
        np.tile(np.arange(rows, dtype=np.int32), cols),
        a.T.reshape(-1).copy(),
        np.ones(cols, dtype=np.int32),
    )
    return solver


def solve_small(threads: int = 0) -> float:
    solver = knapsack([6, 5, 4, 3], [4, 3, 2, 2], 7)  # optimum 6+4 (weight 6) < 5+4+3 (7) = 12
    solver.setOptionValue("threads", threads)
    run_interruptible(solver)
    assert solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(solver.getInfo().objective_function_value)


def test_solves_reuse_one_kept_thread() -> None:
    assert solve_small() == 12.0
    kept = highs_thread._idle
    assert kept is not None and not kept.busy
    assert solve_small() == 12.0
    assert highs_thread._idle is kept


@pytest.mark.parametrize("order", [(1, 2, 0, 2), (2, 1, 1, 0)])
def test_a_change_of_threads_between_solves_is_honoured(order: tuple[int, ...]) -> None:
    # HiGHS answers a ``threads`` other than its scheduler's with an error; the kept thread
    # starts its scheduler anew when the option changes
    for threads in order:
        assert solve_small(threads) == 12.0
        assert highs_thread._idle is not None
        assert highs_thread._idle.threads_option == threads
    reset_scheduler()
    assert highs_thread._idle is not None and highs_thread._idle.threads_option is None
    assert solve_small(1) == 12.0


def test_a_jobs_error_reaches_the_waiting_thread() -> None:
    worker = SolveThread()

    def fail() -> None:
        raise ValueError("from the solve thread")

    worker.start(fail)
    with pytest.raises(ValueError, match="from the solve thread"):
        while not worker.wait(0.05):
            pass
    assert not worker.busy
    worker.call(lambda: None)  # still serves


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt in this test, whatever the suite inherited: a shell
    starts a background job (`make test &`, nohup) with SIGINT ignored, and then
    ``_thread.interrupt_main`` does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_stops_a_long_solve_and_the_thread_serves_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a long grace so that a loaded machine still sees HiGHS stop by its interrupt callback
    monkeypatch.setattr(highs_thread, "INTERRUPT_GRACE_SECONDS", 5.0)
    solver = market_split()
    solver.setOptionValue("time_limit", 10.0)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_interruptible(solver)
    finally:
        timer.cancel()
    # stopped through the interrupt callback within the grace period, not abandoned
    assert solver.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert abandoned_solves() == 0
    assert highs_thread._idle is not None and not highs_thread._idle.busy
    assert solve_small() == 12.0


def test_the_solve_thread_bench_runs_and_the_three_paths_agree(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("bench_solve_thread", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    try:
        assert bench.main(["--districts", "12", "--types", "2", "--repeat", "1"]) == 0
    finally:
        # its "main" path solved on this thread: drop that scheduler, as a run never makes one
        highspy.Highs.resetGlobalScheduler(True)
    out = capsys.readouterr().out
    for path in ("main", "kept thread", "thread per solve"):
        assert f"  {path} " in out
    assert "objectives agree: True" in out


class _Hooks:
    """Stands in for a highspy callback list: ``+=`` subscribes."""

    def __init__(self) -> None:
        self.subscribed: list[object] = []

    def __iadd__(self, callback: object) -> _Hooks:
        self.subscribed.append(callback)
        return self


class StubbornSolver:
    """A "solver" whose run ignores the interrupt flag until the test releases it, as HiGHS
    does during a long root LP."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.runs = 0
        self.cbSimplexInterrupt, self.cbIpmInterrupt, self.cbMipInterrupt = (
            _Hooks(),
            _Hooks(),
            _Hooks(),
        )

    def getOptionValue(self, name: str) -> tuple[int, int]:  # noqa: N802 (highspy's name)
        assert name == "threads"
        return 0, 0

    def run(self) -> None:
        self.runs += 1
        assert self.release.wait(30.0)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_a_solve_that_ignores_ctrl_c_is_left_running_and_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(highs_thread, "INTERRUPT_GRACE_SECONDS", 0.2)
    stubborn = StubbornSolver()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_interruptible(stubborn)  # type: ignore[arg-type]
    finally:
        timer.cancel()
    assert abandoned_solves() == 1 and highs_thread.still_solving(stubborn)  # type: ignore[arg-type]
    left = highs_thread._abandoned[-1]
    # the model of a solve left running is not solved a second time at once
    with pytest.raises(RuntimeError, match="still running an interrupted solve"):
        run_interruptible(stubborn)  # type: ignore[arg-type]
    # other solves go on, on a new thread
    assert solve_small() == 12.0 and highs_thread._idle is not left
    stubborn.release.set()
    left._thread.join(10.0)
    assert not left.alive  # its thread ended once the solve returned
    assert abandoned_solves() == 0 and not highs_thread.still_solving(stubborn)  # type: ignore[arg-type]
    run_interruptible(stubborn)  # type: ignore[arg-type]
    assert stubborn.runs == 2
