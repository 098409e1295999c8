"""``run.py run SCENARIO``: solve a scenario and write a run folder."""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InputError

if TYPE_CHECKING:
    from model.pipeline import RunResult
    from model.report.map_process import MapProcess
    from model.scenario import LoadedScenario

EXIT_OK, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 3, 4


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="solve a scenario and write a run folder",
        description="Solve a scenario file and write assignments.csv and summary.json into a "
        "new run folder.",
    )
    run.add_argument("scenario", type=Path, help="scenario YAML file (see scenarios/)")
    run.add_argument(
        "--out",
        type=Path,
        help="run folder to write (must not hold results unless --force); "
        "default: a new folder runs/<scenario>-<timestamp>",
    )
    run.add_argument("--force", action="store_true", help="replace the results held in --out")
    add_solver_options(run)
    run.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new run folders go (runs/)"
    )
    run.add_argument("--quiet", action="store_true", help="print only the run folder path")
    run.set_defaults(handler=handle)


def add_solver_options(parser: argparse.ArgumentParser) -> None:
    """--solver, --time-limit and --set, shared by every command that solves scenarios."""
    parser.add_argument("--solver", help="solver name, overriding the scenario's (default highs)")
    parser.add_argument(
        "--time-limit", type=float, metavar="S", help="solver time limit in seconds"
    )
    add_override_option(parser)


def add_folder_options(parser: argparse.ArgumentParser, default: str) -> None:
    """--out, --force and --runs-dir, shared by the commands that write one results folder."""
    parser.add_argument("--out", type=Path, help=f"output folder (default: runs/{default})")
    parser.add_argument("--force", action="store_true", help="replace the results held in --out")
    parser.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new folders go (runs/)"
    )


def add_override_option(parser: argparse.ArgumentParser) -> None:
    """--set KEY=VALUE (repeatable), collected in ``args.overrides``."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set weights.coop=2 (repeatable)",
    )


def check_time_limit(args: argparse.Namespace) -> None:
    """--time-limit and --solver, checked here so that an error names the option typed."""
    from model.scenario import BIG

    limit = args.time_limit
    if limit is not None and not (math.isfinite(limit) and 0 < limit <= BIG):
        raise InputError(None, "--time-limit", f"expected seconds > 0 and <= {BIG:g}, got {limit}")
    solver = getattr(args, "solver", None)
    if solver is not None and not solver.strip():
        raise InputError(None, "--solver", "expected a solver name, got an empty text")


def load_options(args: argparse.Namespace, path: Path) -> LoadedScenario:
    """The scenario file with ``--set``, ``--solver`` and ``--time-limit`` applied; its
    region's GeoJSON files checked too (the report draws them after the solve)."""
    from model.geojson_check import check_region_geojson
    from model.pipeline import checked_region_path
    from model.scenario import load_scenario

    loaded = load_scenario(path, args.overrides, solver=args.solver, time_limit=args.time_limit)
    check_region_geojson(checked_region_path(loaded))
    return loaded


@contextmanager
def claim_folder(args: argparse.Namespace, name: str) -> Iterator[Path]:
    """Claim ``--out`` (or a new ``runs/<name>-<stamp>``) for this run, before solving."""
    from model.staging import claimed, claimed_new

    if args.out is not None:
        with claimed(args.out, args.force) as folder:
            yield folder
    else:
        with claimed_new(args.runs_dir, name) as folder:
            yield folder


def solve_into(loaded: LoadedScenario, load_seconds: float = 0.0) -> RunResult:
    """Solve a loaded scenario (inside ``logs_into`` of the run's staging folder, so that a
    relative solver.log_file goes there), timing the scenario load as ``load_scenario``."""
    from model.pipeline import _Stopwatch, solve

    watch = _Stopwatch()
    watch.timings["load_scenario"] = load_seconds
    return solve(loaded, watch=watch, with_bound=True)


# Python collects cyclic garbage every 700 net allocations by default: a baseline run then
# collects ~500 times, mostly while importing pandas, Pyomo and matplotlib, whose objects all
# stay alive (0.25 s of its 2.3 s of CPU here). With 50,000 it collects 6 times (0.1 s).
# Cycles are still collected, and the model build pauses the collector anyway (PauseGC).
YOUNG_GENERATION = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The garbage collector's youngest generation at :data:`YOUNG_GENERATION` for the body."""
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], YOUNG_GENERATION), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def handle(args: argparse.Namespace) -> int:
    from model.report.map_process import map_process

    # a second process imports matplotlib now and draws the map once the sitings are known;
    # started first, so that its imports overlap all of this process's
    with fewer_collections(), map_process() as maps:
        check_time_limit(args)
        return _handle(args, maps)


def _handle(args: argparse.Namespace, maps: MapProcess | None) -> int:
    from model.output import write_run
    from model.pipeline import logs_into
    from model.staging import early_staging

    started = time.perf_counter()
    loaded = load_options(args, args.scenario)
    load_seconds = time.perf_counter() - started
    # claim the folder before solving; a relative solver log goes into its staging folder
    with claim_folder(args, loaded.scenario.name) as folder, logs_into(early_staging(folder)):
        result = solve_into(loaded, load_seconds)
        write_run(result, folder, force=args.force, maps=maps)
    if args.quiet:
        print(folder)
    else:
        print(render_report(result, folder))
    return exit_status(result)


def refuse_run(result: RunResult, needs: str) -> int:
    """Say on stderr why a run cannot start an analysis (``needs``); the exit status."""
    reasons = "; ".join(result.diagnosis)
    print(
        f"{result.loaded.scenario.name}: the run ended {result.status}"
        + (f" ({reasons})" if reasons else "")
        + f"; {needs}",
        file=sys.stderr,
    )
    return EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_NO_SOLUTION


def exit_status(result: RunResult) -> int:
    if result.status == "infeasible":
        return EXIT_INFEASIBLE
    if not result.has_solution:
        return EXIT_NO_SOLUTION
    return EXIT_OK


def render_report(result: RunResult, folder: Path) -> str:
    """The short console report: siting table, objective terms, status, files."""
    from model.output import siting_lines

    scenario = result.loaded.scenario
    lines = [f"scenario {scenario.name} on {result.region.path}", ""]
    if result.status == "infeasible":
        lines.append("INFEASIBLE: no siting satisfies every rule.")
        lines += [f"  - {reason}" for reason in result.diagnosis]
    elif not result.has_solution:
        lines.append(f"NO SOLUTION: status {result.status} ({'; '.join(result.diagnosis)})")
    else:
        lines += siting_lines(result)
        lines.append("")
        label = "optimal" if result.status == "optimal" else f"{result.status} (NOT proven optimal)"
        lines.append(f"objective {result.objective:.4f}  [{label}]")
        terms = result.terms
        lines.append(
            "  terms: "
            + "  ".join(f"{name} {terms[name]:.4f}" for name in ("fit", "export", "member", "coop"))
        )
        if result.warm_start is not None:
            warm = result.warm_start
            start = f"{warm.objective:.4f}" if warm.objective is not None else warm.note
            found = f" ({warm.note})" if warm.objective is not None else ""
            lines.append(f"  warm start: {start}{found}")
        if result.outcome is not None and result.outcome.gap:
            lines.append(f"  gap {result.outcome.gap:.4%}, bound {result.outcome.bound}")
        if result.lagrangian is not None:
            from model.lagrangian_bound import bound_sentence

            bound = result.outcome.bound if result.outcome is not None else None
            lines.append(f"  {bound_sentence(result.lagrangian, result.objective, bound)}")
    lines.append(
        "  time: "
        + ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
    )
    lines.append("")
    written = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    lines.append(f"results in {folder}/ ({', '.join(written)})")
    return "\n".join(lines)
