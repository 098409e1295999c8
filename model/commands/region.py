"""``run.py region init OUT --boundaries FILE ...`` and ``run.py region check FOLDER``."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "region",
        help="build a region folder from a boundary file, or check one",
        description="Build a region folder from a boundary file and a statistics table "
        "(region init), or validate and summarise any region folder (region check). "
        "Format and defaults: docs/region.md.",
    )
    sub = parser.add_subparsers(
        dest="region_command", metavar="{init,check,example}", required=True
    )
    _register_init(sub)
    check = sub.add_parser("check", help="validate and summarise a region folder")
    check.add_argument("folder", help="a region folder, or the name of a shipped region")
    add_quiet(check, "the summary")
    check.set_defaults(handler=handle_check)
    example = sub.add_parser(
        "example", help="write the FICTIONAL input files of the worked example (Exampleshire)"
    )
    example.add_argument("folder", type=Path, help="folder to write (new or empty)")
    add_quiet(example, "the folder written")
    example.set_defaults(handler=handle_example)


def _register_init(sub: argparse._SubParsersAction) -> None:
    from model.regionbuild.defaults import (
        ADJACENCY_TOLERANCE_M,
        BORDER_TOLERANCE_M,
        DEFAULT_KIND,
        DETOUR_FACTOR,
        MIN_SHARED_M,
    )

    init = sub.add_parser(
        "init",
        help="build a region folder (needs the geo extra)",
        description="Write a complete region folder OUT (districts, activity, roads, "
        "crossings, catalogue, GeoJSON, SOURCES.md, VALIDATION.md) from a boundary file "
        "(GeoPackage, Shapefile, GeoJSON) and an activity table by district and NACE/OKVED "
        "code. OUT must not exist or be empty. Needs pip install 'clustersite[geo]'.",
    )
    init.add_argument("out", type=Path, help="region folder to write (new or empty)")
    init.add_argument("--boundaries", type=Path, required=True, help="district polygons")
    init.add_argument("--id-field", default="id", help="field with the district id (default id)")
    init.add_argument("--name-field", help="field with the district name (default: the id)")
    init.add_argument(
        "--activity",
        type=Path,
        required=True,
        help="CSV with district, code, value (+ optional basis, year): employment or output "
        "by NACE Rev. 2 / OKVED2 code",
    )
    init.add_argument("--mapping", type=Path, help="CSV division,sector replacing the shipped one")
    init.add_argument(
        "--activity-basis",
        default="unstated",
        help="basis of the activity figures (model/basis.py), e.g. official (default unstated)",
    )
    init.add_argument("--activity-year", type=int, help="year of the activity figures")
    init.add_argument("--population", type=Path, help="CSV district,population[,year]")
    init.add_argument("--crossings", type=Path, help="CSV name,mode and district or lat,lon [,id]")
    init.add_argument("--border", type=Path, help="state border: a line or polygon file")
    init.add_argument(
        "--points", type=Path, help="CSV district,lat,lon replacing the computed points"
    )
    times = init.add_mutually_exclusive_group()
    times.add_argument("--od", type=Path, help="CSV origin,destination,minutes[,kind]")
    times.add_argument("--graph", type=Path, help="road graph, GraphML as osmnx saves it")
    init.add_argument(
        "--road-kinds",
        type=Path,
        help="CSV origin,destination,kind: kinds of neighbour links, and extra links",
    )
    init.add_argument(
        "--road-kind",
        default=DEFAULT_KIND,
        help=f"kind of a neighbour link not listed (default {DEFAULT_KIND})",
    )
    init.add_argument(
        "--detour", type=float, default=DETOUR_FACTOR, help=f"default {DETOUR_FACTOR}"
    )
    init.add_argument(
        "--speed",
        action="append",
        default=[],
        metavar="KIND=KMH",
        help="speed of a road kind, e.g. local=50 (repeatable; defaults in docs/region.md)",
    )
    init.add_argument("--clusters", type=Path, help="cluster catalogue (default: shipped one)")
    init.add_argument("--adjacency-tolerance-m", type=float, default=ADJACENCY_TOLERANCE_M)
    init.add_argument("--min-shared-m", type=float, default=MIN_SHARED_M)
    init.add_argument("--border-tolerance-m", type=float, default=BORDER_TOLERANCE_M)
    add_quiet(init, "the region folder written")
    init.set_defaults(handler=handle_init)


def _speeds(values: list[str]) -> dict[str, float]:
    from model.errors import InputError
    from model.regionbuild.defaults import SPEED_KMH

    speeds = dict(SPEED_KMH)
    for value in values:
        kind, _, number = value.partition("=")
        try:
            speeds[kind] = float(number)
        except ValueError as err:
            raise InputError(None, "--speed", f"expected KIND=KM/H, got {value!r}") from err
    return speeds


def handle_init(args: argparse.Namespace) -> int:
    from model.regionbuild.build import BuildOptions, build_region

    options = BuildOptions(
        out=args.out,
        boundaries=args.boundaries,
        activity=args.activity,
        id_field=args.id_field,
        name_field=args.name_field,
        mapping=args.mapping,
        activity_basis=args.activity_basis,
        activity_year=args.activity_year,
        population=args.population,
        crossings=args.crossings,
        border=args.border,
        points=args.points,
        od=args.od,
        graph=args.graph,
        road_kinds=args.road_kinds,
        default_kind=args.road_kind,
        detour=args.detour,
        speeds=_speeds(args.speed),
        clusters=args.clusters,
        adjacency_tolerance_m=args.adjacency_tolerance_m,
        min_shared_m=args.min_shared_m,
        border_tolerance_m=args.border_tolerance_m,
    )
    from model.regionbuild.writer import build_notes

    folder, build = build_region(options)
    if args.quiet:
        print(folder)
        return 0
    print("\n".join(build.summary))
    for note in build_notes(build):
        print(f"note: {note}")
    print(f"wrote region {folder} (SOURCES.md lists the inputs and defaults: fill in its TODOs)")
    print(f"use it from a scenario with:  region: {folder.resolve()}")
    return 0


def handle_check(args: argparse.Namespace) -> int:
    from model.region import load_region, resolve_region_path
    from model.regionbuild.check import summary

    region = load_region(resolve_region_path(args.folder))
    print("\n".join(summary(region)))
    if not args.quiet:
        print("ok: the folder loads as a region")
    return 0


def handle_example(args: argparse.Namespace) -> int:
    from model.regionbuild.example import write_example

    files = write_example(args.folder)
    if args.quiet:
        print(args.folder)
        return 0
    print(
        f"wrote {len(files)} FICTIONAL input files to {args.folder}: "
        + ", ".join(p.name for p in files)
    )
    return 0
