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
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", str(BASELINE)])
    try:
        status: int = args.handler(args)
    except ClusterSiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`); silence the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as err:  # a full disk, a permission: results were not moved into place
        print(f"error: {err}; no results were written", file=sys.stderr)
        return EXIT_OS_ERROR
    return status
