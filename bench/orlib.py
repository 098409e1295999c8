#!/usr/bin/env python3
"""``make bench-orlib``: solve the 40 OR-Library p-median instances and compare with the
published optima (data/orlib/pmed_optima.csv).

Prints one row per instance (size, p, published optimum, our objective, status, whether the
optimum was reproduced, seconds) and the totals. Options: ``--instances pmed1,pmed7``,
``--time-limit S`` (per instance, default 300), ``--formulation radius|textbook``,
``--no-reduce`` (skip the Lagrangian site fixing and branch and bound: the MIP alone),
``--solver NAME``, ``--csv FILE``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.classic.base import LocationData, Params
from model.classic.solve import solve_classic
from model.orlib import pmedian_path, published_optima
from solvers import SolverOptions

TOLERANCE = 1e-6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", help="comma-separated names (default: all 40)")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--formulation", default="radius", choices=("radius", "textbook"))
    parser.add_argument("--no-reduce", action="store_true")
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    optima = published_optima("pmed")
    names = args.instances.split(",") if args.instances else list(optima)
    header = f"{'instance':<9} {'n':>4} {'p':>4} {'published':>9} {'objective':>10} "
    header += f"{'status':<10} {'reproduced':<10} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    rows = []
    started = time.perf_counter()
    for name in names:
        clock = time.perf_counter()
        data, p = LocationData.from_orlib_pmedian(pmedian_path(name))
        params = Params(p=p, formulation=args.formulation, reduce=not args.no_reduce)
        result = solve_classic(
            "pmedian", data, params, args.solver, SolverOptions(time_limit=args.time_limit)
        )
        seconds = time.perf_counter() - clock
        published = optima[name]
        reproduced = (
            result.status == "optimal"
            and result.objective is not None
            and abs(result.objective - published) <= TOLERANCE * max(1.0, published)
        )
        objective = "-" if result.objective is None else f"{result.objective:.0f}"
        print(
            f"{name:<9} {len(data.sites):>4} {p:>4} {published:>9.0f} {objective:>10} "
            f"{result.status:<10} {'yes' if reproduced else 'NO':<10} {seconds:>8.2f}",
            flush=True,
        )
        rows.append(
            {
                "instance": name,
                "n": len(data.sites),
                "p": p,
                "published": published,
                "objective": result.objective,
                "bound": result.bound,
                "status": result.status,
                "reproduced": reproduced,
                "seconds": round(seconds, 3),
                "notes": " | ".join(result.notes),
            }
        )
    total = time.perf_counter() - started
    hits = sum(row["reproduced"] for row in rows)
    print("-" * len(header))
    print(f"reproduced {hits}/{len(rows)} published optima; total {total:.1f} s")
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 0 if hits == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
