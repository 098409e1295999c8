"""Command-line interface of ``run.py``: the parser, the commands, and exit statuses.

Exit status: 0 a solution (optimal, or a labelled time-limit incumbent); 2 bad input (one line
naming the file and field, nothing written); 3 an infeasible scenario (summary.json with a
diagnosis, no assignments); 4 no solution for another reason (time limit without an incumbent,
solver error); 1 a solution that failed its own check (a bug: please report it); 130
interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from model.commands import COMMAND_MODULES
from model.errors import ClusterSiteError

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
EXIT_OS_ERROR = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report it


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Site innovative industrial clusters in the districts of a region. "
        "Without a command, runs scenarios/baseline.yaml on the embedded Smolensk data.",
        epilog="Exit status: 0 solution, 2 bad input, 3 infeasible scenario, "
        "4 no solution found (time limit without incumbent, solver error).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled like Ctrl-C (staging removed, exit status 130)."""


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # a second signal while the first unwinds would cut the clean-up short: ignore it
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signal.Signals(signum).name)


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {n: signal.getsignal(getattr(signal, n)) for n in names}
    sigint = signal.getsignal(signal.SIGINT)
    for name in names:
        signal.signal(getattr(signal, name), _terminate)
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
        signal.signal(signal.SIGINT, sigint)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", str(BASELINE)])
    with _signals_interrupt():
        status = _run(args)
    highs = sys.modules.get("solvers.highs_thread")
    if argv is None and highs is not None and highs.abandoned_solves():
        # an interrupted HiGHS solve still runs in a daemon thread (it checks for interrupts
        # only between phases): its results are already discarded and the staging folder
        # removed, so end the process now instead of finalizing under a running C++ solver
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    if argv is None and owns_process():
        exit_without_teardown(status)
    return status


def owns_process() -> bool:
    """Whether this process was started only to run this command line (``python run.py ...``
    or the ``clustersite`` script, its arguments untouched), not by a program that goes on
    after it (``runpy``, ``python -m cProfile run.py``, a test calling :func:`main`)."""
    original = getattr(sys, "orig_argv", [])
    return len(original) == len(sys.argv) + 1 and original[1:] == sys.argv


def exit_without_teardown(status: int) -> None:
    """End the process now, skipping the interpreter's teardown; return if it is not safe.

    At exit Python frees every object of every loaded module one by one: with pandas, scipy,
    Pyomo and matplotlib loaded that takes 0.2-0.6 s, a tenth to a fifth of a baseline run,
    and changes nothing on disk, since every file a command writes is closed (and moved into
    place) before :func:`main` returns. What exit must still do is done here: stdout and
    stderr flushed, then the ``atexit`` functions (logging's flush and close, temporary
    folders). A thread still running (exit would wait for it) or an output that cannot be
    flushed (a closed pipe) leaves the ordinary exit to handle it.
    """
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(not t.daemon for t in others):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    import atexit

    atexit._run_exitfuncs()  # runs each function once, and empties the list
    with suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(status)


def _run(args: argparse.Namespace) -> int:
    try:
        status: int = args.handler(args)
    except ClusterSiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as err:
        cause = f" by {err}" if isinstance(err, Terminated) else ""
        print(f"interrupted{cause}: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RecursionError:  # a guard missed some deeply nested input: still one line
        print("error: input nested too deeply; nothing was written", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`); silence the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as err:  # a full disk, a permission: results were not moved into place
        print(f"error: {err}; no results were written", file=sys.stderr)
        return EXIT_OS_ERROR
    return status
