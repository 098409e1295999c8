"""``run.py classic MODEL``: a classic location model on a region or an OR-Library file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InputError

if TYPE_CHECKING:
    from model.classic import ClassicResult, LocationData, Params

MODEL_NAMES = ("pmedian", "pcenter", "pdispersion", "mclp", "lscp", "uflp", "cpmedian")
EXIT_OK, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 3, 4


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "classic",
        help="solve a classic location model (p-median, p-center, ...) on a region",
        description="Solve a classic location model on a region's districts (road travel "
        "minutes, population weights) or on an OR-Library file. The last line printed is "
        "'objective <value>' when it is proven optimal, 'objective <value>  [<status>]' "
        "otherwise (time_limit: the best found; 'objective none  [<status>]' when none). "
        "--time-limit bounds every stage, the Lagrangian reduction included.",
    )
    parser.add_argument("model", choices=MODEL_NAMES, help="the model to solve")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--region", type=Path, help="region folder (or a name under data/)")
    source.add_argument(
        "--orlib", type=Path, help="OR-Library file: pmedN.txt (p from the file), or capXX.txt"
    )
    parser.add_argument("--p", type=int, help="facilities to open, predefined ones included")
    parser.add_argument("--radius", type=float, help="service radius (mclp, lscp), minutes")
    parser.add_argument(
        "--existing", default="", help="predefined facilities, comma-separated site ids"
    )
    parser.add_argument(
        "--weight",
        default="population",
        help="districts.csv column weighting the clients, or 'none' (default population)",
    )
    parser.add_argument("--fixed-cost", type=float, help="uflp: one fixed cost for every site")
    parser.add_argument("--capacity", type=float, help="cpmedian: one capacity for every site")
    parser.add_argument("--formulation", choices=("radius", "textbook"), help="pmedian, uflp")
    parser.add_argument(
        "--no-reduce", action="store_true", help="pmedian, uflp: no Lagrangian site fixing"
    )
    parser.add_argument("--solver", default="highs", help="solver name (default highs)")
    parser.add_argument("--time-limit", type=float, metavar="S", help="time limit in seconds")
    parser.add_argument("--quiet", action="store_true", help="print only the objective line")
    parser.set_defaults(handler=handle)


def load_data(args: argparse.Namespace) -> tuple[LocationData, int | None]:
    """The location data of --region or --orlib, and the p an OR-Library p-median file sets."""
    import numpy as np

    from model.classic import LocationData
    from model.region import resolve_region_path

    if args.orlib is not None:
        if not args.orlib.is_file():
            raise InputError(args.orlib, None, "file not found")
        if args.orlib.name.startswith("cap"):
            return LocationData.from_orlib_uflp(args.orlib), None
        data, p = LocationData.from_orlib_pmedian(args.orlib)
        return data, p
    folder = resolve_region_path(str(args.region))
    weight = None if args.weight.lower() == "none" else args.weight
    data = LocationData.from_region(folder, weight=weight)
    if args.fixed_cost is not None:
        if not args.fixed_cost >= 0:
            raise InputError(None, "--fixed-cost", "expected a cost ≥ 0")
        from dataclasses import replace

        data = replace(data, fixed_costs=np.full(len(data.sites), args.fixed_cost))
    return data, None


def params_from(args: argparse.Namespace, file_p: int | None) -> Params:
    from model.classic import Params

    if args.time_limit is not None and not args.time_limit > 0:
        raise InputError(None, "--time-limit", f"expected seconds > 0, got {args.time_limit}")
    return Params(
        p=args.p if args.p is not None else file_p,
        radius=args.radius,
        formulation=args.formulation,
        reduce=not args.no_reduce,
        capacity=args.capacity,
    )


def handle(args: argparse.Namespace) -> int:
    import time

    from model.classic import solve_classic
    from solvers import SolverOptions

    started = time.monotonic()
    data, file_p = load_data(args)
    if args.existing:
        data = data.with_existing([s.strip() for s in args.existing.split(",") if s.strip()])
    params = params_from(args, file_p)
    limit = args.time_limit
    if limit is not None:  # reading the file (shortest paths of an OR-Library graph) counts too
        limit = max(limit - (time.monotonic() - started), 1e-3)
    result = solve_classic(args.model, data, params, args.solver, SolverOptions(time_limit=limit))
    if not args.quiet:
        print(render(result))
    if result.objective is None:
        print(f"objective none  [{result.status}]")
        return EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_NO_SOLUTION
    print(objective_line(result))
    return EXIT_OK


def objective_line(result: ClassicResult) -> str:
    """The last line: the objective, with the status in brackets unless it is proven optimal
    (``objective 9934``, ``objective 10041  [time_limit]``), as ``run`` marks its own."""
    assert result.objective is not None
    text = f"objective {format_number(result.objective)}"
    return text if result.status == "optimal" else f"{text}  [{result.status}]"


def format_number(value: float) -> str:
    """Up to 6 decimals, trailing zeros dropped: 5819, 932615.75, 17156454.478."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def render(result: ClassicResult) -> str:
    """Open sites with the clients each serves, status, bound and timings."""
    served: dict[str, list[str]] = {site: [] for site in result.open_sites}
    for client, site in result.assignment.items():
        if site:
            served.setdefault(site, []).append(client)
    lines = [f"{result.model} on {result.instance}", ""]
    if result.open_sites:
        width = max(len(s) for s in result.open_sites)
        lines.append(f"{'site':<{width}}  clients")
        for site in result.open_sites:
            clients = served.get(site, [])
            shown = ", ".join(clients[:8]) + (f", ... ({len(clients)})" if len(clients) > 8 else "")
            lines.append(f"{site:<{width}}  {shown or '-'}")
        lines.append("")
    label = result.status if result.status == "optimal" else f"{result.status} (NOT proven optimal)"
    lines.append(f"status {label}; {len(result.open_sites)} sites open")
    if result.bound is not None and result.status != "optimal":
        lines.append(f"  bound {result.bound:.6g}, gap {result.gap:.4%}" if result.gap else "")
    lines += [f"  {note}" for note in result.notes if note]
    if result.timings:
        lines.append(
            "  time: " + ", ".join(f"{stage} {sec:.2f}s" for stage, sec in result.timings.items())
        )
    return "\n".join(lines)
