"""``run.py compare A.yaml B.yaml [RUN_FOLDER ...]``: scenarios side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from model.commands.run import add_folder_options, add_solver_options, check_time_limit

if TYPE_CHECKING:
    from model.compare import Comparison, Snapshot
    from model.pipeline import RunResult


def register(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare",
        help="solve scenarios (or read saved runs) and compare them side by side",
        description="Solve each scenario file, or read each saved run folder without "
        "re-solving, and print and write a side-by-side table: the core and members of every "
        "cluster type per scenario (changes against the first marked), the objective and its "
        "terms, and the settings that differ. Writes sitings.csv, terms.csv, settings.csv, "
        "comparison.md and each solved run into the output folder.",
    )
    compare.add_argument(
        "items",
        nargs="+",
        type=Path,
        metavar="SCENARIO_OR_RUN",
        help="scenario files or run folders",
    )
    add_folder_options(compare, "compare-<timestamp>")
    add_solver_options(compare)
    compare.set_defaults(handler=handle)


def collect(
    items: list[Path], args: argparse.Namespace
) -> tuple[list[Snapshot], list[RunResult]]:
    """Snapshots of every item, solving the scenario files; the solved results too."""
    from model.compare import snapshot_of, snapshot_of_folder
    from model.errors import InputError
    from model.pipeline import solve_scenario_file

    snapshots, results = [], []
    for item in items:
        if item.is_dir():
            snapshots.append(snapshot_of_folder(item))
        elif item.is_file():
            result = solve_scenario_file(
                item, args.overrides, solver=args.solver, time_limit=args.time_limit
            )
            results.append(result)
            snapshots.append(snapshot_of(result))
        else:
            raise InputError(item, None, "neither a scenario file nor a run folder")
    return snapshots, results


def write_comparison(
    comparison: Comparison,
    results: list[RunResult],
    labels: list[str],
    folder: Path,
    force: bool,
    runner_ups: bool = True,
) -> None:
    """The tables, every freshly solved run in runs/<label>/, and (when every column was
    solved here) the comparison report with small multiples of the maps, written all at once."""
    from model.output import write_run
    from model.report import write_comparison_report
    from model.staging import staged_folder

    with staged_folder(folder, force) as staging:
        comparison.write(staging)
        for result, label in zip(results, labels, strict=True):
            write_run(result, staging / "runs" / label, runner_ups=runner_ups)
        if results and len(results) == len(comparison.sitings.columns):
            tables = {
                "Sitings (* core moved, ~ other members)": comparison.sitings,
                "Objective and terms": comparison.terms,
                "Settings that differ": comparison.settings,
            }
            write_comparison_report(results, staging, tables=tables, labels=labels)


def handle(args: argparse.Namespace) -> int:
    from model.compare import compare, unique_labels
    from model.output import default_run_folder
    from model.staging import check_destination

    check_time_limit(args)
    if args.out is not None:
        check_destination(args.out, args.force)
    snapshots, results = collect(args.items, args)
    snapshots = unique_labels(snapshots)
    comparison = compare(snapshots)
    folder = args.out or default_run_folder(args.runs_dir, "compare")
    solved_labels = [s.label for s in snapshots if s.source != "" and not Path(s.source).is_dir()]
    write_comparison(comparison, results, solved_labels, folder, args.force)
    print(comparison.to_markdown())
    print(f"\nresults in {folder}/")
    return 0
