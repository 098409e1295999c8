"""``run.py indicators``: the indicator tables and fit maps of a region, without solving."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "indicators",
        help="write a region's indicator tables and fit maps (no solving)",
        description="Compute the indicators of a region (location quotients, fit and export "
        "per cluster type, travel minutes, border and corridor access, Hoover and Krugman "
        "specialization, cluster stars) and write them as CSV, with one choropleth map of "
        "each cluster type's fit.",
    )
    parser.add_argument(
        "--region",
        default="smolensk",
        metavar="DIR",
        help="a region shipped in data/ (by name) or a region folder (default smolensk)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write (default runs/indicators-<region>-<time>)",
    )
    parser.add_argument("--force", action="store_true", help="replace what --out holds")
    parser.add_argument(
        "--runs-dir", type=Path, default=Path("runs"), help="where new folders go (runs/)"
    )
    add_quiet(parser, "the output folder")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.output import default_run_folder
    from model.region import load_region, resolve_region_path
    from model.report.atlas import write_atlas
    from model.staging import check_destination, staged_folder

    if args.out is not None:
        check_destination(args.out, args.force)
    region = load_region(resolve_region_path(args.region))
    folder = args.out or default_run_folder(args.runs_dir, f"indicators-{region.path.name}")
    with staged_folder(folder, args.force) as staging:
        written = write_atlas(region, staging)
    print(folder if args.quiet else f"{len(written)} files in {folder}/ (atlas.md lists them)")
    return 0
