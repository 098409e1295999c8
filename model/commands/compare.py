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
    compare.add_argument("--quiet", action="store_true", help="print only the output folder path")
    compare.set_defaults(handler=handle)


def collect(
    items: list[Path], args: argparse.Namespace, log_dir: Path | None = None
) -> tuple[list[Snapshot], list[RunResult]]:
    """Snapshots of every item, solving the scenario files; the solved results too.

    Every item is read and checked before the first solve, so a bad one fails at once.
    ``log_dir``: a relative solver.log_file of item ``n`` goes to ``log_dir/<n>-<name>/``.
    """
    from model.commands.run import load_options, solve_into
    from model.compare import snapshot_of, snapshot_of_folder
    from model.errors import InputError
    from model.pipeline import logs_into
    from model.scenario import LoadedScenario

    read: list[Snapshot | LoadedScenario] = []
    for item in items:
        if item.is_dir():
            read.append(snapshot_of_folder(item))
        elif item.is_file():
            read.append(load_options(args, item))
        else:
            raise InputError(item, None, "neither a scenario file nor a run folder")
    snapshots, results = [], []
    for n, entry in enumerate(read, start=1):
        if isinstance(entry, LoadedScenario):
            logs = log_dir / f"{n}-{entry.scenario.name}" if log_dir is not None else None
            with logs_into(logs):
                result = solve_into(entry)
            results.append(result)
            snapshots.append(snapshot_of(result))
        else:
            snapshots.append(entry)
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
    from model.staging import claimed, claimed_new, early_staging

    check_time_limit(args)
    claim = (
        claimed(args.out, args.force)
        if args.out is not None
        else claimed_new(args.runs_dir, "compare")
    )
    with claim as folder:  # before solving: two comparisons never share a folder
        logs = early_staging(folder) / "logs"
        snapshots, results = collect(args.items, args, logs)
        snapshots = unique_labels(snapshots)
        comparison = compare(snapshots)
        solved_labels = [
            s.label for s in snapshots if s.source != "" and not Path(s.source).is_dir()
        ]
        write_comparison(comparison, results, solved_labels, folder, args.force)
    if args.quiet:
        print(folder)
    else:
        print(comparison.to_markdown())
        print(f"\nresults in {folder}/")
    return 0
