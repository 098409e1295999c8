"""``run.py payoff SCENARIO`` and ``run.py front SCENARIO --terms fit,coop``: the trade-offs
between the objective terms (docs/model.md §8)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.commands.quiet import add_quiet
from model.commands.run import add_folder_options, add_solver_options, check_time_limit
from model.errors import InputError

if TYPE_CHECKING:
    from model.payoff import Point, TermSolver
    from model.pipeline import RunResult
    from model.report.document import Section


def register(commands: argparse._SubParsersAction) -> None:
    payoff = commands.add_parser(
        "payoff",
        help="payoff table of the objective terms; lexicographic order; normalised weights",
        description="Maximise each objective term alone, then the others lexicographically, "
        "and report the payoff table with each term's ideal and nadir (unweighted terms). "
        "--order adds a lexicographic solve, --normalised a solve whose weights are shares of "
        "each term's range. Writes payoff.csv, summary.json, report.md and report.html.",
    )
    payoff.add_argument("scenario", type=Path, help="scenario YAML file")
    payoff.add_argument(
        "--terms",
        default="fit,export,member,coop",
        metavar="T,T,...",
        help="terms of the table, in the order used after the first (default all four)",
    )
    payoff.add_argument(
        "--order",
        metavar="T,T,...",
        help="also solve lexicographically in this order of terms, e.g. fit,coop",
    )
    payoff.add_argument(
        "--tolerance",
        metavar="TOL[,TOL...]",
        help="how far below its optimum each --order level may be held: one value for every "
        "level or one per level; absolute, or relative with %% (e.g. 0.05 or 1%%); default 0",
    )
    payoff.add_argument(
        "--normalised",
        metavar="T=SHARE,...",
        help="also solve with weights w_t = share_t / (ideal_t - nadir_t), e.g. "
        "fit=1,export=1,member=0.5,coop=1 (terms not named: 0)",
    )
    add_folder_options(payoff, "payoff-<name>-<timestamp>")
    add_solver_options(payoff)
    add_quiet(payoff, "the output folder")
    payoff.set_defaults(handler=handle_payoff)

    front = commands.add_parser(
        "front",
        help="exact Pareto front of two or three objective terms (AUGMECON2)",
        description="The non-dominated sitings of two or three unweighted objective terms by "
        "the augmented epsilon-constraint method AUGMECON2 (bypass and early exit). Writes "
        "front.csv (points with their cores), front.png, payoff.csv, summary.json (with the "
        "hypervolume from the nadir), report.md and report.html.",
    )
    front.add_argument("scenario", type=Path, help="scenario YAML file")
    front.add_argument(
        "--terms",
        required=True,
        metavar="T,T[,T]",
        help="two or three of fit, export, member, coop; the first is maximised, the others "
        "constrained",
    )
    front.add_argument(
        "--grid",
        metavar="N[,M]",
        help="grid intervals per constrained term, one number for all or one per term "
        "(default 1000 for two terms, 100 for three)",
    )
    front.add_argument(
        "--eps",
        type=float,
        default=1e-5,
        metavar="E",
        help="augmentation weight, relative to the first term's range (default 1e-5)",
    )
    add_folder_options(front, "front-<name>-<timestamp>")
    add_solver_options(front)
    add_quiet(front, "the output folder")
    front.set_defaults(handler=handle_front)


def _solve_first(args: argparse.Namespace, prefix: str, body: Any) -> int:
    """Load, claim the folder, solve the scenario as it is (an infeasible one ends here with
    exit 3 and its diagnosis), then run ``body(result, folder)``."""
    from model.commands.run import claim_folder, load_options, refuse_run, solve_into
    from model.pipeline import logs_into
    from model.staging import early_staging

    check_time_limit(args)
    loaded = load_options(args, args.scenario)
    if loaded.scenario.solver.name.strip().lower() not in ("highs", "highspy"):
        raise InputError(
            None, "--solver", "the trade-off commands re-solve one HiGHS model: use highs"
        )
    name = loaded.scenario.name
    with claim_folder(args, f"{prefix}-{name}") as folder, logs_into(early_staging(folder)):
        result = solve_into(loaded)
        if not result.has_solution:
            return int(refuse_run(result, "there are no trade-offs to compute"))
        return int(body(result, folder))


def _term_solver(result: RunResult, terms: list[str]) -> TermSolver:
    from model.payoff import TermSolver
    from model.pipeline import solver_options

    loaded = result.loaded
    return TermSolver(result.region, loaded.scenario, result.tables, terms, solver_options(loaded))


def unweighted_terms(result: RunResult) -> dict[str, float]:
    """The four terms of the scenario's weighted optimum, recomputed without weights."""
    from model.results import Solution, evaluate
    from model.scenario import Weights

    cores = []
    members = []
    for siting in result.sitings():
        cores.append((siting.cluster_type, siting.core))
        members += [(siting.cluster_type, siting.core, j) for j in siting.members]
    scenario = result.loaded.scenario.model_copy(
        update={"weights": Weights(fit=1.0, export=1.0, member=1.0, coop=1.0)}
    )
    return evaluate(Solution(cores, members), result.region, scenario, result.tables).terms


def _names(result: RunResult) -> dict[str, str]:
    return {str(k): str(v) for k, v in result.region.districts["name"].items()}


def _point_json(point: Point) -> dict[str, Any]:
    return {
        "terms": {t: (None if math.isnan(v) else v) for t, v in point.terms.items()},
        "cores": [f"{k}@{i}" for k, i in point.cores],
        "proven": point.proven,
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def handle_payoff(args: argparse.Namespace) -> int:
    from model.payoff import parse_shares, parse_terms, parse_tolerances

    terms = parse_terms(args.terms)
    order = parse_terms(args.order, "--order") if args.order else None
    tolerances = parse_tolerances(args.tolerance, len(order)) if order else None
    if args.tolerance and not order:
        raise InputError(None, "--tolerance", "goes with --order")
    shares = parse_shares(args.normalised) if args.normalised else None
    if order and not set(order) <= set(terms):
        raise InputError(None, "--order", "name only terms among --terms")

    def body(result: RunResult, folder: Path) -> int:
        return _payoff_into(args, result, folder, terms, order, tolerances, shares)

    return _solve_first(args, "payoff", body)


def _payoff_into(
    args: argparse.Namespace,
    result: RunResult,
    folder: Path,
    terms: list[str],
    order: list[str] | None,
    tolerances: list[str] | None,
    shares: dict[str, float] | None,
) -> int:
    from model.payoff import lexicographic, normalised_weights, payoff_table
    from model.report.analysis_report import write_documents
    from model.report.front_report import payoff_document, payoff_frame, point_section
    from model.staging import staged_folder

    solver = _term_solver(result, terms)
    table = payoff_table(solver)
    if table is None:  # the scenario solved, so this is a bug
        raise RuntimeError("the payoff table found no siting of a feasible scenario")
    names = _names(result)
    summary: dict[str, Any] = {
        "scenario": result.loaded.scenario.name,
        "region": str(result.region.path),
        "terms": terms,
        "ideal": table.ideal,
        "nadir": table.nadir,
        "ranges": table.ranges,
        "rows": {t: {"order": table.orders[t], **_point_json(table.rows[t])} for t in terms},
        "proven": all(p.proven for p in table.rows.values()),
    }
    sections: list[Section] = []
    lines = _payoff_lines(table, terms)
    if order:
        point, optima = lexicographic(solver, order, tolerances)
        assert point is not None  # the scenario is feasible
        summary["lexicographic"] = {
            "order": order,
            "tolerances": tolerances,
            "level_optima": dict(zip(order, optima, strict=True)),
            # their values are whatever the last solve left (member: the arcs it kept)
            "not_optimised": [t for t in terms if t not in order],
            **_point_json(point),
        }
        text = (
            f"Lexicographic order {' → '.join(order)}, tolerances {', '.join(tolerances or [])} "
            "(absolute, or relative with %): each level maximised with the levels before it "
            "held at their optima less their tolerance. Terms not in the order are not "
            "optimised (a member term of 0 means the last solve kept no member arc)."
        )
        sections.append(point_section("Lexicographic solution", text, point, names))
        lines += ["", f"lexicographic {','.join(order)}: " + _terms_text(point.terms, terms)]
        lines.append(f"  cores {point.cores_text()}")
    if shares:
        missing = [t for t, s in shares.items() if s > 0 and t not in terms]
        if missing:
            raise InputError(None, "--normalised", f"{', '.join(missing)} not among --terms")
        weights = normalised_weights(table, shares)
        found = solver.maximise({t: w for t, w in weights.items() if t in terms})
        assert found is not None
        summary["normalised"] = {
            "shares": shares,
            "weights": weights,
            "set": [f"weights.{t}={w:.12g}" for t, w in weights.items()],
            **_point_json(found),
        }
        text = (
            "Weights as shares of each term's range: w_t = share_t / (ideal_t − nadir_t) = "
            + ", ".join(f"{t} {w:.6g}" for t, w in weights.items())
            + "; the same siting as `run.py run` with "
            + " ".join(f"`--set weights.{t}={w:.12g}`" for t, w in weights.items())
            + "."
        )
        sections.append(point_section("Normalised weights", text, found, names))
        lines += ["", "normalised weights " + _terms_text(weights, list(weights), 6)]
        lines += ["  solution " + _terms_text(found.terms, terms), f"  cores {found.cores_text()}"]
    with staged_folder(folder, args.force, results_only=True) as staging:
        payoff_frame(table).to_csv(staging / "payoff.csv", index=False, lineterminator="\n")
        _write_json(staging / "summary.json", summary)
        doc = payoff_document(result.loaded.scenario.name, table, names, sections)
        write_documents(doc, staging)
    if args.quiet:
        print(folder)
        return 0
    print("\n".join(lines))
    print(f"\nresults in {folder}/")
    return 0


def _terms_text(values: dict[str, float], terms: list[str], digits: int = 4) -> str:
    return "  ".join(f"{t} {values[t]:.{digits}f}" for t in terms)


def _payoff_lines(table: Any, terms: list[str]) -> list[str]:
    lines = ["payoff table (unweighted terms; each row lexicographic from its term)"]
    lines.append("  " + f"{'row':<8}" + "".join(f"{t:>10}" for t in terms))
    for t in terms:
        lines.append("  " + f"{t:<8}" + "".join(f"{table.rows[t].terms[u]:>10.4f}" for u in terms))
    lines.append("  " + f"{'ideal':<8}" + "".join(f"{table.ideal[u]:>10.4f}" for u in terms))
    lines.append("  " + f"{'nadir':<8}" + "".join(f"{table.nadir[u]:>10.4f}" for u in terms))
    return lines


def handle_front(args: argparse.Namespace) -> int:
    from model.front import check_front_terms
    from model.payoff import parse_terms

    terms = parse_terms(args.terms)
    check_front_terms(terms)
    grid = parse_grid(args.grid, len(terms) - 1)
    if not (math.isfinite(args.eps) and 0 < args.eps < 1):
        raise InputError(None, "--eps", f"expected 0 < eps < 1, got {args.eps}")

    def body(result: RunResult, folder: Path) -> int:
        return _front_into(args, result, folder, terms, grid)

    return _solve_first(args, "front", body)


def parse_grid(text: str | None, count: int) -> list[int] | None:
    """'50' or '50,10' -> intervals per constrained term; None: the default."""
    if text is None:
        return None
    parts = [p.strip() for p in str(text).split(",")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 1:
        numbers = numbers * count
    if len(numbers) != count or any(n < 1 for n in numbers):
        raise InputError(
            None, "--grid", f"expected one or {count} numbers of intervals >= 1, got {text}"
        )
    return numbers


def _front_into(
    args: argparse.Namespace,
    result: RunResult,
    folder: Path,
    terms: list[str],
    grid: list[int] | None,
) -> int:
    from model.front import augmecon2
    from model.report.analysis_report import write_documents
    from model.report.front_report import (
        front_document,
        front_figure,
        payoff_frame,
        points_frame,
    )
    from model.staging import staged_folder

    solver = _term_solver(result, terms)
    front = augmecon2(solver, terms, grid, args.eps)
    if front is None:  # the scenario solved, so this is a bug
        raise RuntimeError("AUGMECON2 found no siting of a feasible scenario")
    optimum = unweighted_terms(result)
    names = _names(result)
    png = front_figure(front, optimum)
    hv, share = front.hypervolume(), front.hypervolume_share()
    summary: dict[str, Any] = {
        "scenario": result.loaded.scenario.name,
        "region": str(result.region.path),
        "terms": terms,
        "method": "AUGMECON2 (bypass, early exit)",
        "grid": front.grid,
        "eps": front.eps,
        "grid_steps": front.steps,
        "points": len(front.points),
        "hypervolume": hv,
        "hypervolume_share": share,
        "reference_point": front.reference,
        "ideal": {t: front.payoff.ideal[t] for t in terms},
        "nadir": {t: front.payoff.nadir[t] for t in terms},
        "solves": {
            "payoff": front.payoff.solves,
            "augmecon": front.solves,
            "infeasible": front.infeasible,
            "bypassed_grid_points": front.bypassed,
        },
        "seconds": front.seconds,
        "proven": front.proven,
        "notes": front.notes,
        "weighted_optimum": {"terms": optimum, "cores": [f"{k}@{i}" for k, i in result.core_set()]},
    }
    with staged_folder(folder, args.force, results_only=True) as staging:
        frame = points_frame(front.points)
        frame.to_csv(staging / "front.csv", index=False, lineterminator="\n")
        payoff_frame(front.payoff).to_csv(staging / "payoff.csv", index=False, lineterminator="\n")
        (staging / "front.png").write_bytes(png)
        _write_json(staging / "summary.json", summary)
        doc = front_document(result.loaded.scenario.name, front, png, names, optimum)
        write_documents(doc, staging)
    if args.quiet:
        print(folder)
        return 0
    print(
        f"Pareto front of {', '.join(terms)}: {len(front.points)} points, hypervolume "
        f"{hv:.6g}" + (f" ({share:.1%} of the nadir-ideal box)" if share else "")
    )
    for n, p in enumerate(front.points, 1):
        print(f"  {n:>3}  " + _terms_text(p.terms, terms) + f"  {p.cores_text()}")
    print(
        f"{front.solves} AUGMECON2 solves ({front.infeasible} infeasible, {front.bypassed} "
        f"grid points bypassed), {front.payoff.solves} payoff solves, {front.seconds:.1f} s"
    )
    if not front.proven:
        print("some solves stopped at the time limit: the front is NOT proven")
    print(f"\nresults in {folder}/")
    return 0
