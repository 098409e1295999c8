"""``run.py solvers``: which solvers are installed here, with versions and install hints."""

from __future__ import annotations

import argparse

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "solvers",
        help="list the MIP solvers and which are installed",
        description="List the solver families the program can use (highs, cbc, glpk, scip, "
        "gurobi, cplex), whether each is installed, its version, and how to install it. "
        "Any other name Pyomo knows can be given to --solver as well.",
    )
    add_quiet(parser, "the table")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from solvers import solver_table

    rows = solver_table()
    width = max(len(r.name) for r in rows)
    version_width = max([len(r.version) for r in rows] + [len("version")])
    print(f"{'solver':<{width}}  {'installed':<9}  {'version':<{version_width}}  how to install")
    for row in rows:
        installed = "yes" if row.installed else "no"
        hint = "" if row.installed else row.install_hint
        print(
            f"{row.name:<{width}}  {installed:<9}  {row.version:<{version_width}}  {hint}".rstrip()
        )
    return 0
