"""``run.py types [--region DIR]``: the cluster types a scenario can name, with their facts."""

from __future__ import annotations

import argparse

from model.commands.districts import add_region_option, print_table
from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "types",
        help="list a region's cluster types: ids, names, sectors, flags and cooperation",
        description="List the cluster types of a region's catalogue as scenarios may name them "
        "(id or name, in any letter case) with their sector weights, their flags (cross_border: "
        "subject to the border rule; needs_corridor: subject to the corridor rule) and their "
        "cooperation intensities.",
    )
    add_region_option(parser)
    add_quiet(parser, "the table")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.region import load_region, resolve_region_path

    region = load_region(resolve_region_path(args.region))
    rows = []
    for k, cluster in region.clusters.items():
        flags = [f for f in ("cross_border", "needs_corridor") if getattr(cluster, f)]
        rows.append(
            [
                k,
                cluster.name,
                ", ".join(f"{s} {w:g}" for s, w in cluster.sectors.items()),
                ", ".join(flags) or "-",
                ", ".join(f"{o} {c:g}" for o, c in cluster.cooperation.items()) or "-",
            ]
        )
    print_table(["id", "name", "sectors", "flags", "cooperation"], rows, right=set())
    if args.quiet:
        return 0
    print(
        f"{len(rows)} cluster types in {region.path / 'clusters.yaml'}; a scenario may name a "
        "type by its id or name, in any letter case"
    )
    return 0
