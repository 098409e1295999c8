"""``run.py run SCENARIO``: solve a scenario and write a run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InputError

if TYPE_CHECKING:
    from model.pipeline import RunResult

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
    if args.time_limit is not None and not args.time_limit > 0:
        raise InputError(None, "--time-limit", f"expected seconds > 0, got {args.time_limit}")


def handle(args: argparse.Namespace) -> int:
    from model.output import default_run_folder, write_run
    from model.pipeline import solve_scenario_file
    from model.staging import check_destination

    check_time_limit(args)
    if args.out is not None:
        check_destination(args.out, args.force)  # before solving: fail fast, write nothing
    result = solve_scenario_file(
        args.scenario, args.overrides, solver=args.solver, time_limit=args.time_limit
    )
    folder = args.out or default_run_folder(args.runs_dir, result.loaded.scenario.name)
    write_run(result, folder, force=args.force)
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
        if result.outcome is not None and result.outcome.gap:
            lines.append(f"  gap {result.outcome.gap:.4%}, bound {result.outcome.bound}")
    lines.append(
        "  time: "
        + ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
    )
    lines.append("")
    written = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    lines.append(f"results in {folder}/ ({', '.join(written)})")
    return "\n".join(lines)
