"""``run.py bench``: benchmark solvers on a grid of instances × solvers × seeds, on Dask."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from model.commands.quiet import add_quiet
from model.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="benchmark solvers on generated or given instances (Dask, CSV, report, profiles)",
        description="Run every instance with every solver and seed on Dask, check each "
        "solution against the instance, and write runs.csv, summary.csv (solved counts, "
        "shifted geometric means), profile.png (performance profiles) and report.md. Runs "
        "that a solver's licence refuses (a free edition's size limit) are marked "
        "over_licence_limit, and the SGM and the profile are taken over the instances every "
        "solver could take.",
    )
    parser.add_argument(
        "--solvers",
        default="all",
        help="comma-separated solver names, or all: every installed solver of "
        "run.py solvers (default all)",
    )
    parser.add_argument(
        "--instances",
        required=True,
        metavar="SPEC",
        help="generated:N[:SEED] (graded families over generated regions), or scenario "
        "files, folders and globs, comma-separated",
    )
    parser.add_argument("--repeats", type=int, default=1, help="seeds per solver (default 1)")
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="per run")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (default: local)")
    parser.add_argument("--workers", type=int, help="local cluster workers (default: cores)")
    parser.add_argument(
        "--out", type=Path, help="output folder (default runs/bench-<UTC time>); must be new"
    )
    parser.add_argument(
        "--export-mps", type=Path, metavar="DIR", help="also write the instances as MPS + metadata"
    )
    parser.add_argument(
        "--export-only", action="store_true", help="write the MPS collection, run nothing"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_quiet(parser, "the results folder")
    parser.set_defaults(handler=handle)


def available_solvers(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The installed solvers among ``names`` and, for the others, how to install them."""
    import logging

    from solvers import adapter_for

    found, skipped = [], {}
    quiet = logging.getLogger("pyomo")
    level = quiet.level
    for name in names:
        adapter = adapter_for(name)
        quiet.setLevel(logging.CRITICAL)  # Pyomo logs a traceback for a name it does not know
        try:
            installed = adapter.available()
        finally:
            quiet.setLevel(level)
        if installed:
            found.append(name)
        else:
            skipped[name] = adapter.install_hint()
    return found, skipped


def handle(args: argparse.Namespace) -> int:
    import pandas as pd

    from model.bench.instances import resolve_instances
    from model.bench.mps import export_collection
    from model.bench.report import summary_table, write_report
    from model.bench.runner import make_jobs, run_grid, write_rows

    if args.repeats < 1:
        raise InputError(None, "--repeats", "expected at least 1")
    if not args.time_limit > 0:
        raise InputError(None, "--time-limit", f"expected seconds > 0, got {args.time_limit}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("runs") / f"bench-{stamp}"
    if out.exists() and any(out.iterdir()):
        raise InputError(out, None, "output folder already holds files")
    names = [n.strip() for n in args.solvers.split(",") if n.strip()]
    if names == ["all"]:
        from solvers import KNOWN_SOLVERS

        names = list(KNOWN_SOLVERS)
    solvers, skipped = available_solvers(names)
    for name, hint in skipped.items():
        if not args.quiet:
            print(f"skipped solver {name}: not installed ({hint})")
    if not solvers and not args.export_only:
        raise InputError(None, "--solvers", "none of the requested solvers is installed")
    out.mkdir(parents=True, exist_ok=True)
    instances = resolve_instances(args.instances, out / "instances")
    if args.export_only:
        table = export_collection(instances, args.export_mps or out / "mps")
        print(f"MPS collection: {table.parent}/ ({len(instances)} files, {table.name})")
        return 0
    jobs = make_jobs(instances, solvers, args.repeats, args.time_limit)
    if not args.quiet:
        print(f"{len(instances)} instances × {len(solvers)} solvers × {args.repeats} seeds")
    rows = run_grid(
        jobs,
        address=args.scheduler,
        workers=args.workers,
        progress=not (args.no_progress or args.quiet),
    )
    runs_csv = write_rows(rows, out / "runs.csv")
    runs = pd.read_csv(runs_csv)
    report = write_report(runs, out, skipped)
    if args.export_mps:
        export_collection(instances, args.export_mps, runs)
    if args.quiet:
        print(out)
        return 0
    print(summary_table(runs).to_string(index=False))
    print(f"results in {out}/ (runs.csv, summary.csv, profile.png, {report.name})")
    return 0
