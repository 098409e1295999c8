"""``run.py sensitivity SCENARIO``: the siting with each data basis dropped or replaced."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from model.commands.quiet import add_quiet
from model.commands.run import (
    add_folder_options,
    add_solver_options,
    check_time_limit,
    refuse_run,
)

if TYPE_CHECKING:
    from model.sensitivity import Sensitivity


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sensitivity",
        help="re-solve with each data basis dropped or replaced; which cores rest on which",
        description="Solve the scenario, then solve it again once per basis of the region's "
        "activity and export rows with that basis's rows dropped, and once with them replaced "
        "by a neutral alternative (activity spread by population, export shares set to the "
        "sector's mean). Reports per core of the optimum whether it stays or moves, and what "
        "its activity rests on. Writes variants.csv, cores.csv, summary.json, report.md and "
        "report.html.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    add_folder_options(parser, "sensitivity-<name>-<timestamp>")
    add_solver_options(parser)
    add_quiet(parser, "the output folder")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.commands.run import claim_folder, load_options, solve_into
    from model.pipeline import logs_into
    from model.report.analysis_report import sensitivity_document, write_documents
    from model.sensitivity import sensitivity
    from model.staging import early_staging, staged_folder

    check_time_limit(args)
    loaded = load_options(args, args.scenario)
    name = loaded.scenario.name
    # claim the folder before solving: a second run on the same --out fails at once
    with claim_folder(args, f"sensitivity-{name}") as folder, logs_into(early_staging(folder)):
        result = solve_into(loaded)
        if not result.has_solution:
            return refuse_run(result, "there is no siting to test")
        found = sensitivity(result)
        with staged_folder(folder, args.force, results_only=True) as staging:
            for file_name, table in (
                ("variants.csv", found.variants_table()),
                ("cores.csv", found.cores_table()),
            ):
                table.round(9).to_csv(staging / file_name, index=False, lineterminator="\n")
            (staging / "summary.json").write_text(
                json.dumps(summary(found), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            write_documents(sensitivity_document(found), staging)
    if args.quiet:
        print(folder)
        return 0
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    print(render(found, names))
    print(f"\nresults in {folder}/")
    return 0


def _number(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def summary(found: Sensitivity) -> dict[str, object]:
    """summary.json: the settings, every variant, and per core its rests-on and outcomes."""
    base = found.baseline
    return {
        "scenario": base.loaded.scenario.name,
        "region": str(base.region.path),
        "bases": found.bases,
        "baseline": {
            "status": base.status,
            "objective": base.objective,
            "cores": [f"{k}@{i}" for k, i in found.cores],
        },
        "variants": [
            {
                "mode": v.mode,
                "basis": v.basis,
                "status": v.status,
                "objective": _number(v.objective),
                "cores": sorted(f"{k}@{i}" for k, i in v.cores),
                "activity_rows": v.activity_rows,
                "export_rows": v.export_rows,
                "note": v.note,
            }
            for v in found.variants
        ],
        "cores": [
            {
                "cluster_type": k,
                "district": i,
                "flag": found.flags.get((k, i), ""),
                "rests_on": {
                    str(r.basis): {
                        "weighted_activity": r.weighted_activity,
                        "share": r.share,
                        "rows": r.rows,
                        "estimate": bool(r.estimate),
                    }
                    for r in found.rests_on.itertuples(index=False)
                    if r.cluster_type == k and r.district == i
                },
                "outcomes": {v.name: found.outcome((k, i), v) for v in found.variants},
            }
            for k, i in found.cores
        ],
        "method": {
            "drop": "the basis's activity and export rows removed",
            "replace": "activity: the basis's total per sector spread over all districts in "
            "proportion to population; exports: each row of the basis set to the sector's "
            "mean share over the rows of other bases (pair total capped at 1)",
        },
    }


def render(found: Sensitivity, names: dict[str, str]) -> str:
    """The console table: one line per solve, then per core its bases and flags."""
    cores = found.cores
    lines = [f"bases: {', '.join(found.bases)}", ""]
    header = f"  {'variant':<30} {'status':<14} {'objective':>10} {'change':>8}  kept"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for row in found.rows():
        variant = "baseline" if row.mode == "baseline" else f"{row.mode} {row.basis}"
        objective = "-" if row.objective is None else f"{row.objective:.4f}"
        change = (
            ""
            if row.mode == "baseline" or row.objective_change is None
            else f"{row.objective_change:+.4f}"
        )
        kept = "-" if row.cores_kept is None else f"{row.cores_kept}/{len(cores)}"
        lines.append(f"  {variant:<30} {row.status:<14} {objective:>10} {change:>8}  {kept}")
        if row.note:
            lines.append(f"      {row.note}")
    if not cores:
        return "\n".join([*lines, "", "  the baseline sites no core"])
    lines += ["", f"  {'core':<36} rests on"]
    for core in cores:
        summary = found.summary_of(core)
        where = f"{core[0]} in {names.get(core[1], core[1])}"
        flag = f"  [{summary.flag}]" if summary.flag else ""
        lines.append(f"  {where:<36} {summary.rests_on or '-'}{flag}")
        moved = [
            f"{v.name}: {found.outcome(core, v, names)}"
            for v in found.variants
            if v.solved and found.outcome(core, v) != "kept"
        ]
        if moved:
            lines.append(f"      {'; '.join(moved)}")
    return "\n".join(lines)
