"""Whole-process wall time of the baseline run and of ``--help`` (``make bench-startup``).

Each command runs as its own process, timed from launch to exit, ``--repeat`` times (5 by
default); the median is printed beside the target (the baseline in ≤ 2 s; ``--help`` without
Pyomo or matplotlib). One warm-up run first, so that the operating system's file cache holds
the interpreter and the packages, as it does for a planner running the tool twice. The load
average is printed too: on a shared machine the figures are only comparable at a low load.

The baseline is timed three ways, interleaved so that a change of load hits all three alike:
as a user runs it (the map drawn in a second process when a core is idle,
``model.report.map_process``), and with that process forced on and off
(``CLUSTERSITE_MAP_PROCESS=1`` / ``0``); the ratio of the last two is the second process's gain,
measured in this one run. The CPU time of each run (the process and its children) is printed
too, since on a busy machine wall time mostly measures the other processes.

``--against REV`` also times the baseline run of an earlier revision of this repository (its
files taken with ``git archive`` into a temporary folder), interleaved with this tree's, and
prints the ratio of the two medians: on a busy machine the absolute figures mostly measure
the other processes, while a ratio measured in one run still compares the two codes.

Usage: ``python bench/startup.py [--repeat 5] [--against main]``.
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
sys.path.insert(0, str(ROOT))

from model.report.map_process import wanted  # noqa: E402  (the run's own rule)

BASELINE_TARGET_S = 2.0
LOADED_CHECK = (
    "import runpy, sys, io, contextlib\n"
    "sys.argv = ['run.py', '--help']\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    try: runpy.run_path('run.py', run_name='__main__')\n"
    "    except SystemExit: pass\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyomo', 'matplotlib', 'pandas'}))"
)


MODES = {"as run": None, "map process on": "1", "map process off": "0"}


def wall(
    argv: list[str], map_process: str | None = None, folder: Path = ROOT
) -> tuple[float, float]:
    """Wall and CPU seconds (this child and its own children) of one run of ``argv`` with
    ``folder`` (this tree, unless an earlier revision's) as the working directory."""
    env = dict(os.environ)
    env.pop("CLUSTERSITE_MAP_PROCESS", None)
    # timed as an ordinary install runs: with its compiled modules cached after the first run
    # (some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every run compile the project)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if map_process is not None:
        env["CLUSTERSITE_MAP_PROCESS"] = map_process
    before = os.times()
    start = time.perf_counter()
    subprocess.run(argv, cwd=folder, check=True, stdout=subprocess.DEVNULL, env=env)
    seconds = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return seconds, cpu


def against(revision: str, repeat: int) -> None:
    """The baseline run (as run) of ``revision`` and of this tree, interleaved; the ratio."""
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        earlier = Path(tmp) / "earlier"
        earlier.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(earlier)], input=archive, check=True)
        trees = {revision: earlier, "this tree": ROOT}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for n in range(repeat + 1):  # the first round warms the file cache and compiles
            for name, folder in trees.items():
                out = Path(tmp) / f"{name.replace('/', '_')}-{n}"
                argv = [python, "run.py", "run", "scenarios/baseline.yaml", "--quiet"]
                timed = wall([*argv, "--out", str(out)], folder=folder)
                if n:
                    runs[name].append(timed)
    medians = {}
    for name, pairs in runs.items():
        medians[name] = statistics.median(w for w, _ in pairs)
        each = ", ".join(f"{w:.2f}" for w, _ in pairs)
        cpu = statistics.median(c for _, c in pairs)
        print(
            f"baseline run ({name}), as run: median {medians[name]:.2f} s of {repeat} "
            f"({each}); CPU {cpu:.2f} s"
        )
    print(
        f"this tree / {revision} = {medians['this tree'] / medians[revision]:.2f} "
        "(wall, medians of this run, interleaved)"
    )


def median_wall(argv_of: list[list[str]]) -> tuple[float, list[float]]:
    times = [wall(argv)[0] for argv in argv_of]
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--against", metavar="REV", help="also time this git revision's baseline, interleaved"
    )
    args = parser.parse_args()
    python = sys.executable
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    chose_process = 0
    with tempfile.TemporaryDirectory() as tmp:

        def baseline_run(name: str) -> list[str]:
            out = str(Path(tmp) / name)
            return [python, "run.py", "run", "scenarios/baseline.yaml", "--quiet", "--out", out]

        wall(baseline_run("warm-up"))
        for n in range(args.repeat):
            for mode, switch in MODES.items():
                if switch is None:  # the run's own rule, read a moment before the run reads it
                    chose_process += wanted()
                times[mode].append(wall(baseline_run(f"{switch}-{n}"), switch))
    medians = {mode: statistics.median(w for w, _ in runs) for mode, runs in times.items()}
    baseline = medians["as run"]
    helps, help_times = median_wall([[python, "run.py", "--help"]] * args.repeat)
    loaded = subprocess.run(
        [python, "-c", LOADED_CHECK], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    verdict = "meets" if baseline <= BASELINE_TARGET_S else "misses"
    for mode, runs in times.items():
        each = ", ".join(f"{w:.2f}" for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"baseline run ({mode}), whole process: median {medians[mode]:.2f} s of "
            f"{args.repeat} ({each}); CPU {cpu:.2f} s"
        )
    print(
        f"baseline run: median {baseline:.2f} s; {verdict} the {BASELINE_TARGET_S:.0f} s target "
        f"(as run: the map process chosen in about {chose_process} of {args.repeat} runs)"
    )
    gain = medians["map process off"] / medians["map process on"]
    print(f"map process: off / on = {gain:.2f} (wall, medians of this run)")
    print(
        f"run.py --help: median {helps:.2f} s ({', '.join(f'{t:.2f}' for t in help_times)}); "
        f"heavy packages loaded: {loaded}"
    )
    if args.against:
        print(f"load average before the comparison: {os.getloadavg()[0]:.2f}")
        against(args.against, args.repeat)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
