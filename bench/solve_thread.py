"""Where HiGHS's solve runs, and what it costs (``make bench-solve-thread``).

The same program (a generated region, its LP arrays and the greedy start, as a run builds
them) is solved from a fresh HiGHS copy three ways, interleaved round by round so that a change
of load hits all three alike:

- **main**: ``Highs.run()`` on the calling thread (no Ctrl-C until HiGHS returns);
- **kept thread**: ``solvers.highs_thread.run_interruptible``, the project's path (one solve
  thread kept for the next solve, Ctrl-C seen within 50 ms);
- **thread per solve**: highspy's ``startSolve``/``wait`` with its user-interrupt callbacks,
  what the project used before (a new thread, and HiGHS's scheduler started anew, each solve).

Only the solve is timed (hand-off and read-back are the same code in all three). Medians of
``--repeat`` rounds are printed with each path's ratio to **main**; the objectives must agree.

Usage: ``python bench/solve_thread.py [--districts 300] [--types 6] [--repeat 9]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import SEED, sectors_for  # noqa: E402  (the scale bench's regions)

if TYPE_CHECKING:
    import highspy
    import numpy as np

    from solvers.linear_program import LinearProgram


def build(districts: int, types: int, folder: Path) -> tuple[LinearProgram, np.ndarray | None]:
    """The program's arrays and the greedy start vector of a generated region."""
    from model.generate import generate_region
    from model.instance import build_instance, compute_indicators
    from model.matrix_model import build_program
    from model.region import load_region
    from model.scenario import scenario_from_dict
    from model.warmstart import greedy_siting, start_vector

    generate_region(folder, districts, SEED, types=types, sectors=sectors_for(types))
    scenario = scenario_from_dict({"name": "bench", "region": str(folder)}).scenario
    region = load_region(folder)
    instance = build_instance(region, scenario, compute_indicators(region, scenario))
    program = build_program(instance, instance.cooperation)
    if program is None:
        raise SystemExit("the generated region's scenario has a row that can never hold")
    start = greedy_siting(instance, program.index)
    vector = start_vector(instance, start, program.compact) if start is not None else None
    return program.lp, vector


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--districts", type=int, default=300)
    parser.add_argument("--types", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    import numpy as np

    from solvers.base import SolverOptions
    from solvers.highs import apply_options, new_highs, pass_model
    from solvers.highs_thread import run_interruptible

    with tempfile.TemporaryDirectory() as scratch:
        lp, start = build(args.districts, args.types, Path(scratch) / "region")
    options = SolverOptions(mip_gap=0.01, time_limit=300.0, presolve=False)

    def fresh() -> highspy.Highs:
        solver = new_highs()
        pass_model(solver, lp)
        apply_options(solver, options)
        if start is not None:
            columns = np.arange(lp.num_col, dtype=np.int32)
            solver.setSolution(len(columns), columns, np.asarray(start, dtype=np.float64))
        return solver

    def thread_per_solve(solver: highspy.Highs) -> None:
        solver.HandleUserInterrupt = True
        solver.startSolve()
        while not solver.wait(0.05)[0]:
            pass

    paths: dict[str, Callable[[highspy.Highs], object]] = {
        "main": lambda solver: solver.run(),
        "kept thread": run_interruptible,
        "thread per solve": thread_per_solve,
    }
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    objectives: set[float] = set()
    for path in paths.values():  # warm-up: first solves pay one-time costs
        path(fresh())
    for _ in range(args.repeat):
        for name, path in paths.items():
            solver = fresh()
            began = time.perf_counter()
            path(solver)
            seconds[name].append(time.perf_counter() - began)
            objectives.add(round(solver.getInfo().objective_function_value, 6))
    print(
        f"{args.districts} districts × {args.types} types: {lp.num_col:,} columns, "
        f"{lp.num_row:,} rows; solve only, median of {args.repeat} interleaved rounds"
    )
    main_median = statistics.median(seconds["main"])
    for name, times in seconds.items():
        median = statistics.median(times)
        print(
            f"  {name:<17} {median * 1000:8.1f} ms  (min {min(times) * 1000:7.1f})  "
            f"ratio to main {median / main_median:.3f}"
        )
    print(f"objectives agree: {len(objectives) == 1}  load average {os.getloadavg()[0]:.1f}")
    return 0 if len(objectives) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
