"""``run.py alternatives SCENARIO --count N --slack F``: the next-best distinct sitings."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.commands.run import (
    add_folder_options,
    add_solver_options,
    check_time_limit,
    refuse_run,
)
from model.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "alternatives",
        help="list the next-best distinct sitings within a slack of the optimum",
        description="Solve the scenario, then find the next-best distinct sets of cores, best "
        "first (or with --diverse the most different ones), each at least (1 - slack) of the "
        "optimum, and write them side by side like `compare` (the optimum is the reference), "
        "with a printable comparison.html holding a map per siting. HiGHS only.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--count", type=int, default=5, metavar="N", help="alternatives to find (default 5)"
    )
    parser.add_argument(
        "--slack",
        type=float,
        default=0.05,
        metavar="F",
        help="fraction of the optimum an alternative may lose (default 0.05)",
    )
    parser.add_argument(
        "--diverse",
        action="store_true",
        help="each alternative shares the fewest cores with those before it (then the best "
        "objective), instead of being the next best",
    )
    add_folder_options(parser, "alternatives-<name>-<timestamp>")
    add_solver_options(parser)
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only the output folder (no tables, no progress bar)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.alternatives import check_request, near_optimal
    from model.commands.compare import write_comparison
    from model.compare import compare, snapshot_of
    from model.output import default_run_folder
    from model.pipeline import solve_scenario_file
    from model.resolver import PERSISTENT_SOLVERS
    from model.staging import check_destination

    check_time_limit(args)
    check_request(args.count, args.slack)
    if args.solver is not None and args.solver.strip().lower() not in PERSISTENT_SOLVERS:
        raise InputError(None, "--solver", f"alternatives are found with HiGHS; got {args.solver}")
    if args.out is not None:
        check_destination(args.out, args.force)  # before solving: fail fast, write nothing
    result = solve_scenario_file(
        args.scenario, args.overrides, solver=args.solver, time_limit=args.time_limit
    )
    name = result.loaded.scenario.name
    folder = args.out or default_run_folder(args.runs_dir, f"alternatives-{name}")
    if result.status != "optimal":  # nothing to start from; write nothing
        return refuse_run(result, "alternatives need a proven optimum to start from")
    found = near_optimal(
        result, args.count, args.slack, diverse=args.diverse, progress=not args.quiet
    )
    results = [result, *found.results]
    labels = ["optimum", *(f"alternative-{n}" for n in range(1, len(results)))]
    snapshots = [snapshot_of(r, label=label) for r, label in zip(results, labels, strict=True)]
    comparison = compare(snapshots)
    write_comparison(comparison, results, labels, folder, args.force, runner_ups=False)
    if args.quiet:
        print(folder)
        return 0
    kind = "Most different alternatives" if args.diverse else "Alternatives"
    print(comparison.to_markdown(title=f"{kind} within {args.slack:.1%} of the optimum"))
    if found.ended != "count":
        why = {
            "slack": "no other siting is within the slack",
            "time_limit": "the solver hit its time limit before proving the next one "
            "(the last, if labelled time_limit, is not proven)",
        }.get(found.ended, f"the solver stopped: {found.ended}")
        print(f"\n{len(found.results)} of {args.count} alternatives: {why}")
    print(f"\nresults in {folder}/")
    return 0
