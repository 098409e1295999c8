"""``run.py sweep SCENARIO --param KEY --values V1,V2,...``: one parameter across values."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.commands.run import add_solver_options, check_time_limit
from model.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="solve a scenario for each value of one parameter and compare",
        description="Solve the scenario once per value of a dotted scenario key and write the "
        "same side-by-side tables as `compare` (the first value is the reference).",
    )
    sweep.add_argument("scenario", type=Path, help="scenario YAML file")
    sweep.add_argument(
        "--param", required=True, metavar="KEY", help="dotted scenario key, e.g. weights.coop"
    )
    sweep.add_argument(
        "--values",
        required=True,
        metavar="V1,V2,...",
        help="comma-separated values, each read as YAML (e.g. 0,0.5,1,2 or [a,b],[c])",
    )
    sweep.add_argument("--out", type=Path, help="output folder (default: runs/sweep-<timestamp>)")
    sweep.add_argument("--force", action="store_true", help="replace the results held in --out")
    sweep.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new folders go (runs/)"
    )
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_solver_options(sweep)
    sweep.set_defaults(handler=handle)


def split_values(text: str) -> list[str]:
    """Split on commas that are not inside brackets or braces: '0,[a,b],2' -> 3 values."""
    values, depth, current = [], 0, ""
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            values.append(current.strip())
            current = ""
        else:
            current += char
    values.append(current.strip())
    if depth != 0 or any(not v for v in values):
        raise InputError(None, "--values", f"cannot split {text!r} into values")
    return values


def handle(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from model.commands.compare import write_comparison
    from model.compare import compare, snapshot_of
    from model.output import default_run_folder
    from model.pipeline import solve_scenario_file
    from model.staging import check_destination

    check_time_limit(args)
    if args.out is not None:
        check_destination(args.out, args.force)
    values = split_values(args.values)
    results, snapshots = [], []
    for value in tqdm(values, desc=args.param, file=sys.stderr, disable=args.no_progress):
        setting = f"{args.param}={value}"
        result = solve_scenario_file(
            args.scenario,
            [*args.overrides, setting],
            solver=args.solver,
            time_limit=args.time_limit,
        )
        results.append(result)
        snapshots.append(snapshot_of(result, label=setting))
    comparison = compare(snapshots)
    name = results[0].loaded.scenario.name
    folder = args.out or default_run_folder(args.runs_dir, f"sweep-{name}")
    labels = [_folder_name(s.label) for s in snapshots]
    write_comparison(comparison, results, labels, folder, args.force)
    print(comparison.to_markdown(title=f"Sweep of {args.param}"))
    print(f"\nresults in {folder}/")
    return 0


def _folder_name(label: str) -> str:
    return "".join(c if c.isalnum() or c in "._=-" else "_" for c in label)
