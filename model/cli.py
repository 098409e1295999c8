"""Command-line interface: ``python run.py`` and ``python run.py run SCENARIO``.

Exit status: 0 a solution (optimal, or a labelled time-limit incumbent); 2 bad input (one line
naming the file and field, nothing written); 3 an infeasible scenario (summary.json with a
diagnosis, no assignments); 4 no solution for another reason (time limit without an incumbent,
solver error); 1 a solution that failed its own check (a bug: please report it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.errors import ClusterSiteError
from model.output import check_destination, default_run_folder, write_run
from model.pipeline import RunResult, solve_scenario_file
from model.region import DATA_DIR

BASELINE = DATA_DIR.parent / "scenarios" / "baseline.yaml"
EXIT_OK, EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_INTERRUPTED = 0, 2, 3, 4, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Site innovative industrial clusters in the districts of a region. "
        "Without a command, runs scenarios/baseline.yaml on the embedded Smolensk data.",
        epilog="Exit status: 0 solution, 2 bad input, 3 infeasible scenario, "
        "4 no solution found (time limit without incumbent, solver error).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    run.add_argument("--solver", help="solver name, overriding the scenario's (default highs)")
    run.add_argument("--time-limit", type=float, metavar="S", help="solver time limit in seconds")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set weights.coop=2 (repeatable)",
    )
    run.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new run folders go (runs/)"
    )
    run.add_argument("--quiet", action="store_true", help="print only the run folder path")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["run", str(BASELINE)])
    try:
        return _run(args)
    except ClusterSiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    if args.time_limit is not None and not args.time_limit > 0:
        print(f"error: --time-limit: expected seconds > 0, got {args.time_limit}", file=sys.stderr)
        return EXIT_BAD_INPUT
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
    if result.status == "infeasible":
        return EXIT_INFEASIBLE
    if not result.has_solution:
        return EXIT_NO_SOLUTION
    return EXIT_OK


def render_report(result: RunResult, folder: Path) -> str:
    """The short console report: siting table, objective terms, status, files."""
    scenario = result.loaded.scenario
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    lines = [f"scenario {scenario.name} on {result.region.path}", ""]
    if result.status == "infeasible":
        lines.append("INFEASIBLE: no siting satisfies every rule.")
        lines += [f"  - {reason}" for reason in result.diagnosis]
    elif not result.has_solution:
        lines.append(f"NO SOLUTION: status {result.status} ({'; '.join(result.diagnosis)})")
    else:
        sitings = result.sitings()
        header = ("cluster type", "core district", "members", "contribution")
        table = [
            (
                row.cluster_type,
                str(names.get(row.core, row.core)),
                ", ".join(str(names.get(m, m)) for m in row.members) or "-",
                f"{row.contribution:.3f}",
            )
            for row in sitings
        ]
        widths = [max(len(r[c]) for r in [header, *table]) for c in range(3)]
        fmt = f"{{:<{widths[0]}}}  {{:<{widths[1]}}}  {{:<{widths[2]}}}  {{:>12}}"
        lines.append(fmt.format(*header))
        lines.append(fmt.format(*("-" * w for w in widths), "-" * 12))
        lines += [fmt.format(*row) for row in table]
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
    timings = result.timings
    lines.append(
        "  time: " + ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in timings.items())
    )
    lines.append("")
    written = ["summary.json"] if not result.has_solution else ["assignments.csv", "summary.json"]
    lines.append(f"results in {folder}/ ({', '.join(written)})")
    return "\n".join(lines)
