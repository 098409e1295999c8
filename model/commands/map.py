"""``run.py map RUN_FOLDER``: draw (again) the map of a saved run."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "map",
        help="draw the map of a run folder",
        description="Draw map.png of a saved run from its summary.json and the region's data "
        "(nothing is solved). Writes RUN_FOLDER/map.png unless --out is given.",
    )
    parser.add_argument("folder", type=Path, metavar="RUN_FOLDER", help="a run folder")
    parser.add_argument("--out", type=Path, metavar="FILE", help="PNG file to write instead")
    add_quiet(parser, "the map file")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.geojson_check import check_region_geojson
    from model.report.geo import load_shapes
    from model.report.maps import save_figure, siting_figure
    from model.report.saved import read_saved_run
    from model.saved import check_saved_folder

    check_saved_folder(args.folder)  # summary.json and assignments.csv, strictly
    saved = read_saved_run(args.folder)
    check_region_geojson(saved.region.path)
    if saved.stale_files:
        print(
            "note: these data files changed since the run: " + ", ".join(saved.stale_files),
            file=sys.stderr,
        )
    shapes = load_shapes(saved.region.path, set(saved.region.district_ids))
    figure = siting_figure(
        saved.region, shapes, saved.sitings, saved.types, saved.title, saved.marks
    )
    target: Path = args.out or args.folder / "map.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target and rename, so a reader never sees half a PNG
    handle_, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle_)
    try:
        save_figure(figure, Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(target)
    return 0
