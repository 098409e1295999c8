"""``run.py generate --districts N --seed S --out DIR``: write a synthetic region."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "generate",
        help="write a synthetic region of any size",
        description="Write a synthetic region (districts.csv, activity.csv, exports.csv, "
        "roads.csv, crossings.csv, clusters.yaml) that a scenario's region: key can name. "
        "The same arguments give the same files, byte for byte.",
    )
    parser.add_argument("--districts", type=int, required=True, help="number of districts")
    parser.add_argument("--seed", type=int, required=True, help="random seed (≥ 0)")
    parser.add_argument("--out", type=Path, required=True, help="region folder to write")
    parser.add_argument("--types", type=int, default=6, help="cluster types (default 6)")
    parser.add_argument("--sectors", type=int, default=11, help="sectors (default 11)")
    parser.add_argument(
        "--spacing-km",
        type=float,
        default=43.0,
        help="distance between neighbouring districts (default 43, Smolensk's density; "
        "smaller is denser: more members and cooperating pairs per core)",
    )
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    add_quiet(parser, "the region folder")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.generate import generate_region

    folder = generate_region(
        args.out,
        args.districts,
        args.seed,
        types=args.types,
        sectors=args.sectors,
        overwrite=args.force,
        spacing_km=args.spacing_km,
    )
    if args.quiet:
        print(folder)
        return 0
    print(f"wrote region {folder} ({args.districts} districts, {args.types} cluster types)")
    print(f"use it from a scenario with:  region: {folder.resolve()}")
    return 0
