"""``run.py rerun RUN_FOLDER``: reproduce a run and say whether it came out the same."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.commands.quiet import add_quiet

EXIT_NOT_REPRODUCED = 5


def register(commands: argparse._SubParsersAction) -> None:
    rerun = commands.add_parser(
        "rerun",
        help="reproduce a saved run from its resolved scenario and compare",
        description="Solve the scenario saved in RUN_FOLDER/summary.json again on the same "
        "region folder, warn about data files that changed since, write a new run folder and "
        "say whether assignments.csv came out byte for byte the same.",
    )
    rerun.add_argument("run_folder", type=Path, help="a run folder written by `run.py run`")
    rerun.add_argument("--out", type=Path, help="new run folder (default: under runs/)")
    rerun.add_argument("--force", action="store_true", help="replace the results held in --out")
    rerun.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new run folders go (runs/)"
    )
    rerun.add_argument(
        "--check",
        action="store_true",
        help=f"exit with status {EXIT_NOT_REPRODUCED} unless the assignments are identical",
    )
    add_quiet(rerun, "the run folder and whether the run was reproduced")
    rerun.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.commands.run import claim_folder, exit_status, render_report
    from model.errors import InputError
    from model.geojson_check import check_region_geojson
    from model.output import write_run
    from model.pipeline import logs_into
    from model.rerun import changed_files, read_saved_run, rerun, saved_scenario
    from model.staging import early_staging

    saved = read_saved_run(args.run_folder)
    loaded = saved_scenario(saved)
    if args.out is not None and args.out.resolve() == args.run_folder.resolve():
        raise InputError(args.out, None, "--out is the run folder being rerun; choose another")
    check_region_geojson(saved.region)
    changes = changed_files(saved)
    if changes:
        print(
            "warning: the data changed since the saved run: " + ", ".join(changes),
            file=sys.stderr,
        )
    # claim the folder before solving; a relative solver log goes into its staging folder
    with claim_folder(args, loaded.scenario.name) as folder, logs_into(early_staging(folder)):
        result = rerun(saved, loaded)
        write_run(result, folder, force=args.force)
    print(folder if args.quiet else render_report(result, folder))
    before, after = args.run_folder / "assignments.csv", folder / "assignments.csv"
    same = _same_bytes(before, after)
    print(
        "reproduced: assignments.csv is identical"
        if same
        else "NOT reproduced: assignments.csv differs from the saved run"
    )
    if args.check and not same:
        return EXIT_NOT_REPRODUCED
    return exit_status(result)


def _same_bytes(first: Path, second: Path) -> bool:
    if first.exists() != second.exists():
        return False
    return not first.exists() or first.read_bytes() == second.read_bytes()
