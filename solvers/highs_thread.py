"""HiGHS solves that Ctrl-C can leave: each runs on a long-lived solve thread.

HiGHS releases the GIL while it solves, so the main thread can wait in short steps and see a
signal at once. The solve runs on a thread of its own that is kept for the next solve rather
than started anew: HiGHS keeps its task scheduler (and its worker threads) per calling thread,
and highspy's ``startSolve`` starts a new thread for every solve and tears that scheduler down
after it: 84.2 ms against 79.9 ms for the same 4,830-column solve (``make
bench-solve-thread``, 300 districts × 6 types). A kept thread keeps its scheduler.

On Ctrl-C (or SIGTERM) the waiting thread asks HiGHS to stop through its interrupt callbacks and
waits up to :data:`INTERRUPT_GRACE_SECONDS`. HiGHS looks at that flag only between phases of a
MIP solve (a root node of a large model can run for many seconds without a look), so if it has
not stopped by then its thread is left to finish on its own (a daemon thread: the command-line
process exits without it, see ``model.cli``), a new thread serves the next solve, and the
interrupt is raised.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import highspy

INTERRUPT_POLL_SECONDS = 0.05  # how often the waiting thread looks for Ctrl-C
INTERRUPT_GRACE_SECONDS = 0.5  # how long an interrupted solve may take to stop

_Job = Callable[[], Any]


class SolveThread:
    """A daemon thread that runs one job at a time (a solve, or a scheduler reset) for the
    thread that hands it over, which waits with :meth:`wait` in steps it chooses.

    ``_done`` is the one record of whether a job runs: set while idle, cleared from the hand-
    over until the job has ended. A retired thread (:meth:`retire`) ends after its job, with
    HiGHS's scheduler (and its worker threads) for that thread.
    """

    def __init__(self) -> None:
        self._job: _Job | None = None
        self._error: BaseException | None = None
        self._given = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._retired = False
        self.threads_option: int | None = None  # the ``threads`` its HiGHS scheduler was made with
        self._thread = threading.Thread(target=self._serve, name="clustersite-highs", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return not self._done.is_set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _serve(self) -> None:
        while True:
            self._given.wait()
            self._given.clear()
            job, self._job = self._job, None
            try:
                if job is not None and not self._retired:  # retired before it began: skip
                    job()
            except BaseException as error:  # handed back to the waiting thread
                self._error = error
            finally:
                retired = self._retired
                if retired:
                    highspy.Highs.resetGlobalScheduler(True)
                self._done.set()
            if retired:
                return

    def start(self, job: _Job) -> None:
        """Hand over ``job``; the thread must be idle."""
        assert not self.busy and not self._retired, "a solve thread serves one job at a time"
        self._error = None
        self._job = job
        self._done.clear()
        self._given.set()

    def wait(self, timeout: float) -> bool:
        """Whether the job has ended, after waiting up to ``timeout`` seconds; re-raises the
        job's exception once it has."""
        if not self._done.wait(timeout):
            return False
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return True

    def call(self, job: _Job) -> None:
        """Run ``job`` on this thread and wait for it (for short jobs: no interrupt handling)."""
        self.start(job)
        while not self.wait(INTERRUPT_POLL_SECONDS):
            pass

    def retire(self) -> None:
        """End the thread once its job has ended (at once if it is idle)."""
        self._retired = True
        self._given.set()  # an idle thread wakes with no job, and ends


_idle: SolveThread | None = None  # the kept thread, while no solve runs on it
_abandoned: list[SolveThread] = []  # threads of interrupted solves, until seen stopped
_stop_flags: weakref.WeakKeyDictionary[highspy.Highs, threading.Event] = weakref.WeakKeyDictionary()
# a solver whose interrupted solve was left running, and the thread it runs on
_left_running: weakref.WeakKeyDictionary[highspy.Highs, SolveThread] = weakref.WeakKeyDictionary()


def _forget_threads_in_child() -> None:
    """A forked child has none of its parent's threads: it starts its own when it solves."""
    global _idle
    _idle = None
    _abandoned.clear()
    _left_running.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads_in_child)


def _stop_flag(solver: highspy.Highs) -> threading.Event:
    """The flag that HiGHS's interrupt callbacks of ``solver`` look at (set up once a solver)."""
    flag = _stop_flags.get(solver)
    if flag is None:
        flag = threading.Event()
        _stop_flags[solver] = flag

        def interrupt_if_asked(event: Any) -> None:
            if flag.is_set():
                event.interrupt()

        solver.cbSimplexInterrupt += interrupt_if_asked
        solver.cbIpmInterrupt += interrupt_if_asked
        solver.cbMipInterrupt += interrupt_if_asked
    return flag


def _threads_option(solver: highspy.Highs) -> int:
    return int(solver.getOptionValue("threads")[1])


def _take_thread() -> SolveThread:
    global _idle
    worker, _idle = _idle, None
    return worker if worker is not None else SolveThread()


def still_solving(solver: highspy.Highs) -> bool:
    """Whether an interrupted solve of ``solver`` was left running (do not touch its model)."""
    worker = _left_running.get(solver)
    return worker is not None and worker.busy


def run_interruptible(solver: highspy.Highs) -> None:
    """``solver.run()``, but Ctrl-C (or SIGTERM) stops the wait for HiGHS within a second.

    Outside the main thread (Dask workers) signals do not arrive here: HiGHS runs directly.
    Raises ``RuntimeError`` if an interrupted solve of ``solver`` is still running.
    """
    global _idle
    if still_solving(solver):
        raise RuntimeError("HiGHS is still running an interrupted solve of this model")
    _left_running.pop(solver, None)
    if threading.current_thread() is not threading.main_thread():
        solver.run()
        return
    stop = _stop_flag(solver)
    stop.clear()
    worker = _take_thread()
    threads = _threads_option(solver)
    if worker.threads_option is not None and worker.threads_option != threads:
        # HiGHS refuses a ``threads`` other than its scheduler's: start that one anew
        worker.call(lambda: highspy.Highs.resetGlobalScheduler(True))
    worker.threads_option = threads
    try:
        worker.start(solver.run)
        while not worker.wait(INTERRUPT_POLL_SECONDS):
            pass
    except BaseException:
        # counted as left running first, so that a second Ctrl-C anywhere below still leaves
        # it counted (``model.cli`` then ends the process without waiting for HiGHS)
        _abandoned.append(worker)
        _left_running[solver] = worker
        stop.set()
        deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
        try:
            while worker.busy and time.monotonic() < deadline:
                worker.wait(INTERRUPT_POLL_SECONDS)
        except BaseException:  # a second Ctrl-C, or the job's own error: stop waiting
            pass
        if worker.busy:
            worker.retire()  # it ends once HiGHS returns; the next solve gets a new thread
        else:
            _abandoned.remove(worker)
            del _left_running[solver]
            _idle = worker
        raise
    _idle = worker


def reset_scheduler() -> None:
    """Drop HiGHS's task scheduler of this thread and of the kept solve thread; the next solve
    starts one with its own ``threads``."""
    highspy.Highs.resetGlobalScheduler(True)
    if threading.current_thread() is threading.main_thread() and _idle is not None:
        _idle.call(lambda: highspy.Highs.resetGlobalScheduler(True))
        _idle.threads_option = None


def abandoned_solves() -> int:
    """How many interrupted HiGHS solves are still running in their threads."""
    return sum(1 for worker in _abandoned if worker.busy)
