"""``run.py districts [--region DIR]``: the districts a scenario can name, with key facts."""

from __future__ import annotations

import argparse
import math

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "districts",
        help="list a region's districts: ids, names, local names and key facts",
        description="List the districts of a region as scenarios may name them (id, name or "
        "local name, in any letter case) with population, area, whether they are border "
        "districts, their border crossing (or the minutes to the nearest one) and their "
        "federal road (or the minutes to the nearest one).",
    )
    add_region_option(parser)
    add_quiet(parser, "the table")
    parser.set_defaults(handler=handle)


def add_region_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--region",
        default="smolensk",
        metavar="DIR",
        help="a region shipped in data/ (by name) or a region folder (default smolensk)",
    )


def print_table(header: list[str], rows: list[list[str]], right: set[int]) -> None:
    """Aligned columns; the columns in ``right`` (numbers) are right-aligned."""
    widths = [max(len(str(r[n])) for r in [header, *rows]) for n in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[n]) if n in right else cell.ljust(widths[n])
            for n, cell in enumerate(cells)
        ).rstrip()

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def _number(value: float, unit: str = "") -> str:
    return "-" if not math.isfinite(value) else f"{value:,.0f}{unit}"


def _reach(minutes: float, here: str) -> str:
    if minutes == 0:
        return here
    return "none" if not math.isfinite(minutes) else f"{minutes:.0f} min"


def handle(args: argparse.Namespace) -> int:
    from model import indicators as ind
    from model.region import load_region, resolve_region_path

    region = load_region(resolve_region_path(args.region))
    frame = region.districts
    ids = region.district_ids
    times = ind.travel_times(region.roads, ids)
    to_crossing = ind.border_access(times, region.crossings)
    to_federal = ind.corridor_access(times, region.roads)
    crossings: dict[str, list[str]] = {}
    for row in region.crossings.itertuples():
        crossings.setdefault(str(row.district), []).append(str(row.name))
    names = frame["name"].astype(str).to_dict()
    locals_ = frame["name_local"].to_dict() if "name_local" in frame.columns else {}
    population = frame["population"].astype(float).to_dict()
    area = frame["area_km2"].astype(float).to_dict()
    border = frame["border"].astype(bool).to_dict()
    rows = []
    for i in ids:
        local = locals_.get(i)
        rows.append(
            [
                i,
                names[i],
                local if isinstance(local, str) and local else "-",
                _number(population[i]),
                _number(area[i]),
                "yes" if border[i] else "no",
                ", ".join(crossings[i]) if i in crossings else _reach(float(to_crossing[i]), ""),
                _reach(float(to_federal[i]), "on one"),
            ]
        )
    header = [
        "id",
        "name",
        "local name",
        "population",
        "area km²",
        "border",
        "crossing (or nearest)",
        "federal road (or nearest)",
    ]
    print_table(header, rows, right={3, 4})
    if args.quiet:
        return 0
    print(
        f"{len(ids)} districts in {region.path}; a scenario may name a district by its id, "
        "name or local name, in any letter case"
    )
    return 0
