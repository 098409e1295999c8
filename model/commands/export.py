"""``run.py export SCENARIO --format mps|lp --out FILE``: write a scenario's model to a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.commands.quiet import add_quiet
from model.commands.run import add_override_option
from model.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="write a scenario's model as an MPS or LP file",
        description="Build a scenario's model and write it as a free-format MPS file or a "
        "CPLEX LP file, for any MIP solver. Names follow the model: y(type,district) for "
        "cores, x(type,core,member) for members, z(...) for cooperating pairs.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file (see scenarios/)")
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument(
        "--format",
        choices=["mps", "lp"],
        help="file format (default: from the extension of --out)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")
    add_override_option(parser)
    add_quiet(parser, "the file written")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.export import export_scenario

    file_format = args.format or args.out.suffix.lstrip(".").lower()
    if file_format not in ("mps", "lp"):
        raise InputError(None, "--format", "give --format mps or lp (or an --out ending in one)")
    if args.out.exists() and (args.out.is_dir() or not args.force):
        raise InputError(args.out, None, "exists; choose another --out or add --force")
    written = export_scenario(args.scenario, args.out, file_format, args.overrides)
    print(written if args.quiet else f"wrote {written} ({file_format})")
    return 0
