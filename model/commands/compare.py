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
        "terms, and the settings that differ, with one plain-language line per scenario after the "
        "first. Writes sitings.csv, terms.csv, settings.csv, comparison.md, a printable "
        "comparison.html with a map per run, and each solved run into the output folder.",
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
    snapshots: list[Snapshot] | None = None,
) -> None:
    """The tables, every freshly solved run in runs/<label>/, and the comparison report
    (comparison.md, comparison.html, the maps), written all at once.

    ``snapshots``: every compared column in order (saved run folders among them); without
    them every column is one of ``results``. A saved run whose region is gone gets no map:
    the report is written without maps and says why.
    """
    from model.errors import InputError
    from model.output import write_run
    from model.report.comparison import (
        MapPanel,
        result_panel,
        saved_panel,
        write_comparison_report,
    )
    from model.staging import staged_folder

    with staged_folder(folder, force) as staging:
        comparison.write(staging)
        for result, label in zip(results, labels, strict=True):
            write_run(result, staging / "runs" / label, runner_ups=runner_ups)
        solved = iter(zip(results, labels, strict=True))
        panels: list[MapPanel] = []
        notes: list[str] = []
        for snap in snapshots or []:
            if Path(snap.source).is_dir():
                try:
                    panels.append(saved_panel(Path(snap.source), snap.label))
                except InputError as err:
                    notes.append(f"no maps: {snap.label} cannot be drawn ({err})")
            else:
                result, label = next(solved)
                panels.append(result_panel(result, label))
        if snapshots is None:
            panels = [result_panel(r, label) for r, label in zip(results, labels, strict=True)]
        if not panels:
            return
        write_comparison_report(
            results,
            staging,
            tables=comparison.tables(),
            labels=[p.label for p in panels],
            summary=comparison.summary,
            panels=panels,
            notes=notes,
            draw_maps=not notes,
        )


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
        write_comparison(
            comparison, results, solved_labels, folder, args.force, snapshots=snapshots
        )
    if args.quiet:
        print(folder)
    else:
        print(comparison.to_markdown())
        print(f"\nresults in {folder}/")
    return 0
