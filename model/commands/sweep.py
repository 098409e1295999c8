"""``run.py sweep SCENARIO --param KEY --values V1,V2,...``: one parameter across values."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from model.commands.quiet import add_quiet
from model.commands.run import add_folder_options, add_solver_options, check_time_limit
from model.errors import InputError

if TYPE_CHECKING:
    from model.pipeline import RunResult


def register(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="solve a scenario for each value of one parameter and compare",
        description="Solve the scenario once per value of a dotted scenario key and write the "
        "same side-by-side tables as `compare` (the first value is the reference).",
    )
    sweep.add_argument("scenario", type=Path, help="scenario YAML file")
    sweep.add_argument(
        "--param", required=True, metavar="KEY", help="dotted scenario key, e.g. weights.coop"
    )
    sweep.add_argument(
        "--values",
        required=True,
        metavar="V1,V2,...",
        help="comma-separated values, each read as YAML (e.g. 0,0.5,1,2 or [a,b],[c])",
    )
    add_folder_options(sweep, "sweep-<timestamp>")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    sweep.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="solve on a local Dask cluster of N worker processes (default 1: in this process)",
    )
    sweep.add_argument(
        "--scheduler", metavar="ADDRESS", help="solve on an existing Dask scheduler instead"
    )
    sweep.add_argument(
        "--variant-folders",
        action="store_true",
        help="also write every variant's run folder (runs/<value>/: report, map, GeoJSON) and "
        "comparison.html with small multiples of the maps (off by default: the tables only)",
    )
    sweep.add_argument(
        "--runner-ups",
        action="store_true",
        help="with --variant-folders: give every run's report its runner-up re-solves (one "
        "solve per siting; off by default in sweeps)",
    )
    sweep.add_argument(
        "--rebuild",
        action="store_true",
        help="build and hand off the model again for every value instead of re-solving one "
        "persistent HiGHS model per worker (model/fast_resolve.py; same results, slower)",
    )
    add_solver_options(sweep)
    add_quiet(sweep, "the output folder")
    sweep.set_defaults(handler=handle)


def split_values(text: str) -> list[str]:
    """Split on commas that are not inside brackets or braces: '0,[a,b],2' -> 3 values."""
    values, depth, current = [], 0, ""
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            values.append(current.strip())
            current = ""
        else:
            current += char
    values.append(current.strip())
    if depth != 0 or any(not v for v in values):
        raise InputError(None, "--values", f"cannot split {text!r} into values")
    return values


@dataclass(frozen=True)
class Variant:
    """One point of a sweep: the scenario file and its overrides (picklable for Dask)."""

    scenario: Path
    overrides: tuple[str, ...]
    solver: str | None
    time_limit: float | None
    log_dir: Path | None = None  # where a relative solver.log_file goes
    fast: bool = True  # re-solve this worker's persistent model (model.fast_resolve)


def solve_variant(variant: Variant) -> RunResult:
    """One value of the sweep: on this process's persistent base model, or rebuilt.

    The base model is the scenario with every override but the swept one (the last), so all
    the values of a sweep share it; a value that changes more than costs and bounds is
    rebuilt inside :meth:`model.fast_resolve.FastResolver.solve`.
    """
    from model.pipeline import logs_into, solve
    from model.scenario import load_scenario

    if variant.fast:
        from model.fast_resolve import BaseKey, solve_with_overrides

        key = BaseKey(variant.scenario, variant.overrides[:-1], variant.solver, variant.time_limit)
        with logs_into(variant.log_dir):
            return solve_with_overrides(key, variant.overrides[-1:])
    loaded = load_scenario(
        variant.scenario,
        list(variant.overrides),
        solver=variant.solver,
        time_limit=variant.time_limit,
    )
    with logs_into(variant.log_dir):
        return solve(loaded)


def check_distinct(param: str, values: list[str]) -> None:
    """Refuse a value given twice (also as 1 and 1.0), or two that share a folder name."""
    from model.scenario import parse_override

    parsed = [parse_override(f"{param}={value}")[1] for value in values]
    for n, value in enumerate(parsed):
        for m in range(n):
            earlier = parsed[m]
            if earlier == value and isinstance(earlier, bool) == isinstance(value, bool):
                raise InputError(
                    None,
                    "--values",
                    f"{values[n]!r} repeats {values[m]!r}; give each value once",
                )
    folders: dict[str, str] = {}
    for value in values:
        name = _folder_name(f"{param}={value}")
        if name in folders:
            raise InputError(
                None,
                "--values",
                f"{folders[name]!r} and {value!r} would share the run folder {name}; "
                "give values that differ in letters or digits",
            )
        folders[name] = value


def handle(args: argparse.Namespace) -> int:
    from model.commands.compare import write_comparison
    from model.compare import compare, snapshot_of
    from model.distributed import map_tasks
    from model.geojson_check import check_region_geojson
    from model.pipeline import checked_region_path
    from model.scenario import load_scenario
    from model.staging import claimed, claimed_new, early_staging

    check_time_limit(args)
    if args.runner_ups and not args.variant_folders:
        raise InputError(None, "--runner-ups", "needs --variant-folders (runs have no folders)")
    if args.workers < 1:
        raise InputError(None, "--workers", f"expected 1 or more, got {args.workers}")
    values = split_values(args.values)
    check_distinct(args.param, values)
    settings = [f"{args.param}={value}" for value in values]
    for setting in settings:  # every variant is valid before any is solved
        loaded = load_scenario(
            args.scenario,
            [*args.overrides, setting],
            solver=args.solver,
            time_limit=args.time_limit,
        )
        check_region_geojson(checked_region_path(loaded))
    name = loaded.scenario.name
    claim = (
        claimed(args.out, args.force)
        if args.out is not None
        else claimed_new(args.runs_dir, f"sweep-{name}")
    )
    with claim as folder:  # before solving: two sweeps never share a folder
        logs = early_staging(folder) / "logs"
        variants = [
            Variant(
                args.scenario.resolve(),
                (*args.overrides, s),
                args.solver,
                args.time_limit,
                logs / _folder_name(s),
                fast=not args.rebuild,
            )
            for s in settings
        ]
        results = map_tasks(
            solve_variant,
            variants,
            workers=args.workers,
            address=args.scheduler,
            desc=args.param,
            progress=not (args.no_progress or args.quiet),
        )
        snapshots = [snapshot_of(r, label=s) for r, s in zip(results, settings, strict=True)]
        comparison = compare(snapshots)
        labels = [_folder_name(s.label) for s in snapshots]
        if args.variant_folders:
            write_comparison(comparison, results, labels, folder, args.force, args.runner_ups)
        else:
            write_comparison(comparison, [], [], folder, args.force)
    if args.quiet:
        print(folder)
        return 0
    print(comparison.to_markdown(title=f"Sweep of {args.param}"))
    print(f"\nresults in {folder}/")
    return 0


def _folder_name(label: str) -> str:
    return "".join(c if c.isalnum() or c in "._=-" else "_" for c in label)
