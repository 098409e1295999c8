"""``run.py studio [SCENARIO]``: the scenario studio, a local web app (extra ``studio``)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from model.commands.quiet import add_quiet
from model.errors import InputError

EXTRA_HINT = (
    "run.py studio needs the studio extra: pip install 'clustersite[studio]' "
    "(in a checkout: pip install -e '.[studio]')"
)


def register(commands: argparse._SubParsersAction) -> None:
    studio = commands.add_parser(
        "studio",
        help="a local web app: click locks and bans, drag weights, see the siting at once",
        description="Serve the scenario studio on 127.0.0.1: the map, the objective terms, why "
        "each core sits where it does, undo, comparison with saved runs, and export to a "
        "scenario file and a run folder. Every asset is served locally (works offline).",
    )
    studio.add_argument(
        "scenario", type=Path, nargs="?", help="scenario file or run folder to start from"
    )
    studio.add_argument("--port", type=int, default=8050, help="port (8050; 0 = any free one)")
    studio.add_argument(
        "--host", default="127.0.0.1", help="address to bind (127.0.0.1: this machine only)"
    )
    studio.add_argument(
        "--root",
        dest="roots",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="folder the studio may read scenarios, runs and regions from, and write new run "
        "folders into (runs/ of the first); repeatable; default the current folder",
    )
    studio.add_argument(
        "--time-cap", type=float, default=10.0, metavar="S",
        help="seconds any one solve may take (10)",
    )
    add_quiet(studio, "the address it serves")
    studio.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        import dash  # noqa: F401
    except ImportError:
        raise InputError(None, None, EXTRA_HINT) from None
    from model.studio.roots import Roots
    from model.studio.server import make_studio, start

    if not 0 <= args.port <= 65535:
        raise InputError(None, "--port", f"expected 0 to 65535, got {args.port}")
    if not (math.isfinite(args.time_cap) and 0 < args.time_cap <= 3600):
        raise InputError(None, "--time-cap", f"expected seconds in (0, 3600], got {args.time_cap}")
    roots = Roots.of(args.roots)
    app, _ = make_studio(args.scenario, roots, args.time_cap)
    try:
        server, thread = start(app, args.host, args.port)
    except OSError as err:
        where = f"{args.host}:{args.port}"
        raise InputError(None, "--port", f"cannot listen on {where}: {err}") from err
    print(f"studio on http://{args.host}:{server.server_port}/ (Ctrl-C stops it)", flush=True)
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()
        if not args.quiet:
            print("studio stopped")
    return 0
