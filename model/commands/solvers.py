"""``run.py solvers``: which solvers are installed here, their versions, licences and limits."""

from __future__ import annotations

import argparse

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "solvers",
        help="list the MIP solvers, which are installed, and the commercial ones' licences",
        description="List the solver families the program can use (highs, cbc, glpk, scip, "
        "gurobi, cplex, xpress, copt), whether each is installed, its version, how to install "
        "it, and for the commercial ones the licence found (full, size-limited, none) and its "
        "size limit, found by solving two tiny models with each. Any other name Pyomo knows "
        "can be given to --solver as well.",
    )
    add_quiet(parser, "the table")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from solvers import solver_table

    rows = solver_table(licences=True)
    table = [("solver", "installed", "version", "licence", "size limit", "how to install")]
    for row in rows:
        licence = row.licence.state
        if row.licence.state == "none" and row.licence.detail:
            licence = f"none ({row.licence.detail})"
        elif row.licence.detail:
            licence = f"{licence} ({row.licence.detail})"
        elif row.installed and not licence:
            licence = "free"  # open-source solvers
        table.append(
            (
                row.name,
                "yes" if row.installed else "no",
                row.version,
                licence,
                row.licence.limit,
                "" if row.installed else row.install_hint,
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        cells = [f"{cell:<{width}}" for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())
    return 0
