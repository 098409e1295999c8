"""``run.py robustness SCENARIO --samples N --sigma S [--noise M]``: the siting under noise."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from model.commands.quiet import add_quiet
from model.commands.run import (
    add_folder_options,
    add_solver_options,
    check_time_limit,
    refuse_run,
)
from model.errors import InputError

if TYPE_CHECKING:
    from model.pipeline import RunResult
    from model.robustness import Noise, Robustness


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "robustness",
        help="re-solve on perturbed activity and export estimates; how often each core stays",
        description="Solve the scenario, then solve it again on --samples copies of its region "
        "whose sector activity and export shares (the estimated data) are perturbed by the "
        "--noise model (default: multiplied by mean-one log-normal factors of spread --sigma), "
        "and report how often each core is chosen. Writes shares.csv, samples.csv, "
        "summary.json, report.md, report.html and the unperturbed run. The noise models are "
        "defined in the docstring of model/robustness.py.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--samples", type=int, default=100, metavar="N", help="perturbed solves (default 100)"
    )
    parser.add_argument(
        "--sigma",
        type=float,
        default=0.2,
        metavar="S",
        help="spread of the log-normal factors (default 0.2, about ±20 %%)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed, 0 or more (default 0)")
    parser.add_argument(
        "--noise",
        default="lognormal",
        metavar="MODEL",
        help="lognormal (default: every row × a mean-one log-normal factor; zeros stay zero), "
        "additive (every cell of the full district × sector grid gets max(0, v + "
        "sigma·m_s·Z), m_s the sector's mean positive value: zeros can become positive), "
        "zero_inflated (estimated rows dropped with probability --drop, the rest × log-normal "
        "factors, zero cells appear with probability --appear)",
    )
    parser.add_argument(
        "--drop",
        type=float,
        metavar="P",
        help="zero_inflated: probability that an estimated row is dropped (default 0.1)",
    )
    parser.add_argument(
        "--appear",
        type=float,
        metavar="Q",
        help="zero_inflated: probability that a zero cell gets a value drawn from its "
        "sector's positive cells (default 0.05)",
    )
    parser.add_argument(
        "--times-sigma",
        type=float,
        default=0.0,
        metavar="S",
        help="spread of mean-one log-normal factors on every road link's minutes "
        "(default 0 = off); travel times are recomputed",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="solve the samples on a local Dask cluster of N worker processes, each with its "
        "own persistent model (default 1: in this process)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="solve on an existing Dask scheduler instead"
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the model again for every sample instead of re-solving one persistent "
        "HiGHS model (model/fast_resolve.py; same results, slower)",
    )
    add_folder_options(parser, "robustness-<name>-<timestamp>")
    add_solver_options(parser)
    add_quiet(parser, "the output folder")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.commands.run import claim_folder, load_options, solve_into
    from model.pipeline import logs_into
    from model.robustness import check_request
    from model.staging import early_staging

    check_time_limit(args)
    if args.workers < 1:
        raise InputError(None, "--workers", f"expected 1 or more, got {args.workers}")
    noise = check_request(
        args.samples, args.sigma, args.seed, args.noise, args.drop, args.appear, args.times_sigma
    )
    loaded = load_options(args, args.scenario)
    name = loaded.scenario.name
    # claim the folder before solving: a second run on the same --out fails at once
    with claim_folder(args, f"robustness-{name}") as folder, logs_into(early_staging(folder)):
        result = solve_into(loaded)
        if not result.has_solution:
            return refuse_run(result, "there is no siting to test")
        return _sample_and_write(args, noise, result, folder)


def _sample_and_write(
    args: argparse.Namespace, noise: Noise, result: RunResult, folder: Path
) -> int:
    """Solve the samples and write the folder (claimed by the caller)."""
    from model.output import write_run
    from model.report.robustness_report import robustness_document, write_robustness_documents
    from model.robustness import robustness
    from model.staging import staged_folder

    name = result.loaded.scenario.name
    found = robustness(
        result,
        args.samples,
        args.sigma,
        args.seed,
        noise=noise.model,
        drop=args.drop,
        appear=args.appear,
        times_sigma=noise.times_sigma,
        fast=not args.rebuild,
        progress=not args.no_progress,
        workers=args.workers,
        address=args.scheduler,
    )
    optimum = found.shares[found.shares["in_optimum"]]
    with staged_folder(folder, args.force, results_only=True) as staging:
        found.shares.to_csv(staging / "shares.csv", index=False, lineterminator="\n")
        found.samples.to_csv(staging / "samples.csv", index=False, lineterminator="\n")
        summary = {
            "scenario": name,
            "region": str(result.region.path),
            "samples": args.samples,
            "sigma": args.sigma,
            "seed": args.seed,
            "noise": noise.describe(),
            "optimum_kept": found.optimum_kept,
            "cores_kept": {
                f"{k}@{i}": share
                for k, i, share in zip(
                    optimum["cluster_type"], optimum["district"], optimum["share"], strict=True
                )
            },
            "cores_kept_interval": {
                f"{k}@{i}": [low, high]
                for k, i, low, high in zip(
                    optimum["cluster_type"],
                    optimum["district"],
                    optimum["low"],
                    optimum["high"],
                    strict=True,
                )
            },
            "interval": "95% Wilson score interval of the keep-share",
            "regret": regret_json(found),
            "statuses": found.samples["status"].value_counts().to_dict(),
            "perturbed": ["activity.value", "exports.share"]
            + (["roads.minutes"] if noise.times_sigma > 0 else []),
        }
        (staging / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_robustness_documents(robustness_document(found, result), staging)
        write_run(result, staging / "optimum", runner_ups=False)
    if args.quiet:
        print(folder)
        return 0
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    print(render(found, names, args.samples))
    print(f"\nresults in {folder}/")
    return 0


def regret_json(found: Robustness) -> dict[str, object]:
    """The regret statistics for summary.json (None where a statistic has no value)."""
    regret = found.regret
    if regret is None:
        return {}
    return {
        "mean": regret.mean,
        "interval": [regret.low, regret.high],
        "interval_kind": "95% Student t interval of the mean",
        "samples_counted": regret.counted,
        "zero_share": regret.zero_share,
        "largest": regret.largest,
        "baseline_infeasible": regret.baseline_infeasible,
    }


def render(found: Robustness, names: dict[str, str], samples: int) -> str:
    """Per cluster type: each district chosen in some sample, with its share (* = optimum)."""
    lines = [
        f"{samples} samples, {_noise_text(found)}, seed {found.seed}: the optimum's whole "
        f"siting in {found.optimum_kept:.0%} of them",
        "",
    ]
    for cluster_type, rows in found.shares.groupby("cluster_type", sort=False):
        cells = [
            f"{'*' if in_optimum else ''}{names.get(str(district), str(district))} {share:.0%}"
            for district, share, in_optimum in zip(
                rows["district"], rows["share"], rows["in_optimum"], strict=True
            )
        ]
        lines.append(f"  {cluster_type:<20} {', '.join(cells)}")
    lines.append("")
    lines.append("* = a core of the unperturbed optimum")
    optimum = found.shares[found.shares["in_optimum"]]
    for k, i, share, low, high in zip(
        optimum["cluster_type"],
        optimum["district"],
        optimum["share"],
        optimum["low"],
        optimum["high"],
        strict=True,
    ):
        place = names.get(str(i), str(i))
        lines.append(f"  kept {k} in {place}: {share:.0%} (95% Wilson {low:.0%}-{high:.0%})")
    regret = found.regret
    if regret is not None and regret.mean is not None:
        interval = (
            f", 95% interval {regret.low:.4f} to {regret.high:.4f}"
            if regret.low is not None and regret.high is not None
            else ""
        )
        lines.append(
            f"expected regret of the optimum's siting {regret.mean:.4f}{interval} "
            f"({regret.counted} samples; regret 0 in {regret.zero_share:.0%})"
        )
    elif regret is not None:
        lines.append("expected regret: no sample was solved with the optimum's siting feasible")
    return "\n".join(lines)


def _noise_text(found: Robustness) -> str:
    """'sigma 0.2' for the default model, else the model and its parameters."""
    noise = found.noise
    text = f"sigma {found.sigma:g}"
    if noise.model != "lognormal":
        text = f"{noise.model} noise, {text}"
    if noise.model == "zero_inflated":
        text += f", drop {noise.drop:g}, appear {noise.appear:g}"
    if noise.times_sigma > 0:
        text += f", road minutes sigma {noise.times_sigma:g}"
    return text
