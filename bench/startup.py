"""Whole-process wall time of the baseline run and of ``--help`` (``make bench-startup``).

Each command runs as its own process, timed from launch to exit, ``--repeat`` times (5 by
default); the median is printed beside the target (the baseline in ≤ 2 s; ``--help`` without
Pyomo or matplotlib). One warm-up run first, so that the operating system's file cache holds
the interpreter and the packages, as it does for a planner running the tool twice. The load
average is printed too: on a shared machine the figures are only comparable at a low load.

Usage: ``python bench/startup.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_TARGET_S = 2.0
LOADED_CHECK = (
    "import runpy, sys, io, contextlib\n"
    "sys.argv = ['run.py', '--help']\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    try: runpy.run_path('run.py', run_name='__main__')\n"
    "    except SystemExit: pass\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyomo', 'matplotlib', 'pandas'}))"
)


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_wall(argv_of: list[list[str]]) -> tuple[float, list[float]]:
    times = [wall(argv) for argv in argv_of]
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            [python, "run.py", "run", "scenarios/baseline.yaml", "--quiet", "--out",
             str(Path(tmp) / f"baseline-{n}")]
            for n in range(args.repeat + 1)
        ]
        wall(runs[0])  # warm-up
        baseline, times = median_wall(runs[1:])
    helps, help_times = median_wall([[python, "run.py", "--help"]] * args.repeat)
    loaded = subprocess.run(
        [python, "-c", LOADED_CHECK], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    verdict = "meets" if baseline <= BASELINE_TARGET_S else "misses"
    each = ", ".join(f"{t:.2f}" for t in times)
    print(f"baseline run, whole process: median {baseline:.2f} s of {args.repeat} ({each}); "
          f"{verdict} the {BASELINE_TARGET_S:.0f} s target")
    print(f"run.py --help: median {helps:.2f} s ({', '.join(f'{t:.2f}' for t in help_times)}); "
          f"heavy packages loaded: {loaded}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
