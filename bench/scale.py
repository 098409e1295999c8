"""Growth of build, hand-off, solve and memory with region size (``make bench-scale``).

For synthetic regions from ``model.generate`` (Smolensk's density: districts 43 km apart) of
300, 1,000 and 3,000 districts × 6, 12, 24 and 51 cluster types (11 sectors, 40 for 51 types),
each size runs in a child process of its own, so that its peak memory (``ru_maxrss``) is its
own. The child solves the default scenario on the region to a relative gap (1 % by default):

- **project**: what ``run.py run`` does with HiGHS: ``build_instance`` + ``build_program``
  (build: the model as arrays, ``model.matrix_model``), ``passModel`` and the MIP start
  (hand-off), ``run`` (solve), the solution read from the column values (read-back), with
  ``solver.cooperation: auto``; peak memory is read after this path;
- **direct**: the same LP arrays handed to a fresh ``highspy.Highs`` with plain ``passModel``,
  the same options, ``run`` and ``getSolution``: the ratio project / direct of the totals
  (model build + hand-off + solve + read-back against hand-off + solve + read-back; the
  instance, which both paths start from, is left out) is the project's overhead. The direct
  path is not charged for making the arrays, so the ratio leans against the project;
- **other form**: the cooperation form that ``auto`` did not choose (pairs or compact),
  built and solved the same way, for the comparison of the two formulations at every size;
- the warm start (``model.warmstart``: the greedy siting, improved by the relocation search of
  ``model.local_search``): its objective, the greedy one's, and seconds. Both paths get it as
  a MIP start (``setSolution``), as ``run.py run`` does; finding it and writing it into the
  variables is charged to the project's total, the direct path gets the values free.

Before the clocks run, both paths run once on a 12-district region (imports, first calls and
HiGHS's thread pool are paid there). A size whose direct solve takes under
``REPEAT_BELOW_S`` is measured 5 to 21 times (``repeat_rounds``: the shorter the solve, the
more), the two paths in alternating order, and each stage's median is reported (the row's
``rounds``): a single short solve is charged the first-at-this-size costs of whichever path
runs first, and solves of a tenth of a second vary by a fifth from one call to the next.

The project's path starts, as a run does, with the rule checks of ``model.diagnosis``
(their seconds count in its model build). Where they find the scenario infeasible, a run
builds no model of it and goes on to explain the conflict (with relaxed feasibility
programs), while the direct path only solves the LP: the row shows both, but no ratio, and
it is left out of the exponents. From 100,000 cooperating pairs on, the project's path also
computes the Lagrangian bound before HiGHS, as a run does (``solver.bound_rounds: auto``):
its seconds count in the project's total and HiGHS gets the limit less them.

It prints one line per size and, at the end, the least-squares slope of log(seconds) and
log(peak MB) against log(districts × types) per stage (the empirical exponent), writes the table
to ``docs/bench/scale.md`` and the log–log plot to ``docs/bench/scale.png``. Timings come from
one run on a possibly shared machine: the load average (``os.getloadavg``) is recorded with
them.

Usage: ``python bench/scale.py [--quick] [--districts 300 1000 3000] [--types 6 12 24 51]
[--gap 0.01] [--time-limit 120] [--out docs/bench] [--no-other-form] [--pdispersion-only]``.
``--quick`` runs 40 and 80 districts × 3 and 6 types (the test of the bench itself). The first
line printed is the time to prove the random 60-site, p = 10 p-dispersion case
(``model.classic.pdispersion``), against the level formulation within ``--levels-limit``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_DISTRICTS = (300, 1000, 3000)
FULL_TYPES = (6, 12, 24, 51)
QUICK_DISTRICTS = (40, 80)
QUICK_TYPES = (3, 6)
SEED = 1
STAGES = ("build", "handoff", "solve", "readback")
TARGET_RATIO = 1.1
# a size whose direct solve takes less than REPEAT_BELOW_S is measured several times, the
# paths in alternating order, and each stage's median is reported: one short solve carries
# the first-at-this-size costs (memory growth) of whichever path runs first, and identical
# HiGHS calls of 50-300 ms vary by ±20 % here, so the shorter the solve, the more rounds
# (about REPEAT_BUDGET_S of direct solving, an odd count from REPEAT_MIN to REPEAT_MAX)
REPEAT_BELOW_S = 2.0
REPEAT_BUDGET_S = 4.0
REPEAT_MIN, REPEAT_MAX = 5, 21
PROJECT_STAGES = (
    "warm_start_s",
    "model_build",
    "start_vector_s",
    "bound_s",
    "handoff",
    "solve",
    "readback",
)
DIRECT_STAGES = ("handoff", "solve", "readback")
TARGET_SECONDS, TARGET_GB = 120.0, 8.0
LAGRANGIAN_ROUNDS = 300


def sectors_for(types: int) -> int:
    """11 sectors as in the generator's default; 40 for the 51 types of the issue."""
    return 40 if types > 24 else 11


def peak_mb() -> float:
    """This process's peak resident set so far, in MB (ru_maxrss is in KB on Linux)."""
    scale = 1.0 if sys.platform == "darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def _solve_project(
    instance: Any, form: str, options: Any, warm: bool, target: float | None = None
) -> dict[str, Any]:
    """Build, hand off and solve as ``run.py run`` does with HiGHS (``model.pipeline``): the
    rule checks, the program's arrays (``model.matrix_model``), then (``warm``) the searched
    siting found with the program's column index, given as the MIP start, and before HiGHS
    the Lagrangian bound of ``solver.bound_rounds: auto`` aimed at the start's value
    ``target``."""
    from model.diagnosis import structural_conflicts
    from model.lagrangian_bound import BOUND_SHARE_OF_LIMIT, bound_rounds_for, lagrangian_bound
    from model.matrix_model import build_program
    from model.pipeline import remaining_time
    from model.warmstart import searched_siting, start_vector
    from solvers.highs import solve_program

    started = time.perf_counter()
    if structural_conflicts(instance):  # the pipeline says why without a model
        return _found_infeasible(instance, form, time.perf_counter() - started)
    program = build_program(instance, form)
    if program is None:
        raise RuntimeError("a row of the generated region's scenario can never hold")
    built = time.perf_counter()
    budget = _search_budget(instance, options, built)
    found = searched_siting(instance, program.index, *budget) if warm else None
    start = found[1] if found is not None else None
    warm_start_s = time.perf_counter() - built
    built = time.perf_counter()
    vector = start_vector(instance, start, program.compact) if start is not None else None
    vectored = time.perf_counter()
    rounds = bound_rounds_for("auto", instance.pair_count)
    bound = None
    if rounds and start is not None and target is not None:
        deadline = built - warm_start_s + BOUND_SHARE_OF_LIMIT * options.time_limit
        bound = lagrangian_bound(instance, target, rounds, program.index, deadline)
        limited = remaining_time(options, warm_start_s + bound.seconds, least=0.25)
    else:
        limited = remaining_time(options, warm_start_s)
    started_solve = time.perf_counter()
    outcome, values = solve_program(program.lp, limited, vector)
    solved = time.perf_counter()
    solution = program.solution(values, instance) if values is not None else None
    done = time.perf_counter()
    solve = outcome.solver_time_s or 0.0
    return {
        "form": form,
        "warm_start_s": warm_start_s,
        "model_build": built - started - warm_start_s,
        "start_vector_s": vectored - built,
        "bound_s": started_solve - vectored,
        "handoff": outcome.handoff_s,
        "solve": solve,
        "readback": (solved - started_solve - outcome.handoff_s - solve) + (done - solved),
        "status": outcome.status.value,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "nodes": outcome.nodes,
        "cores": len(solution.cores) if solution else 0,
        "columns": program.lp.num_col,
        "rows": program.lp.num_row,
        "lp": program.lp,
        "start_vector": vector,
        "lagrangian": (
            {"value": bound.value, "rounds": bound.rounds, "seconds": bound.seconds}
            if bound is not None
            else None
        ),
    }


def _found_infeasible(instance: Any, form: str, seconds: float) -> dict[str, Any]:
    """The project's row where ``model.diagnosis`` finds the scenario infeasible before any
    model is built (``model.pipeline.solve`` then only explains it): the check's seconds are
    its model build, and the program is made, untimed, for the direct path."""
    from model.matrix_model import build_program

    program = build_program(instance, form)
    if program is None:
        raise RuntimeError("a row of the generated region's scenario can never hold")
    return {
        "form": form,
        **dict.fromkeys(PROJECT_STAGES, 0.0),
        "model_build": seconds,
        "status": "infeasible",
        "objective": None,
        "bound": None,
        "nodes": None,
        "cores": 0,
        "columns": program.lp.num_col,
        "rows": program.lp.num_row,
        "lp": program.lp,
        "start_vector": None,
        "before_model": True,
    }


def _search_budget(instance: Any, options: Any, started: float) -> tuple[int, int, float | None]:
    """The ruin-and-recreate rounds, seed and deadline a run gives the start's search
    (``model.pipeline.warm_start``: ``search_rounds: auto``, at most half the time limit)."""
    from model.ruin_recreate import rounds_for

    deadline = started + options.time_limit / 2 if options.time_limit is not None else None
    return rounds_for("auto", instance.pair_count), options.seed, deadline


def _solve_direct(lp: Any, options: Any, start: Any) -> dict[str, Any]:
    """The same arrays through plain highspy calls, with the same MIP start (or none)."""
    import highspy
    import numpy as np

    from solvers.highs import apply_options

    inf = highspy.kHighsInf
    started = time.perf_counter()
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.passModel(
        lp.num_col,
        lp.num_row,
        len(lp.a_value),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        lp.offset,
        lp.cost,
        np.where(np.isfinite(lp.col_lower), lp.col_lower, -inf),
        np.where(np.isfinite(lp.col_upper), lp.col_upper, inf),
        np.where(np.isfinite(lp.row_lower), lp.row_lower, -inf),
        np.where(np.isfinite(lp.row_upper), lp.row_upper, inf),
        lp.a_start,
        lp.a_index,
        lp.a_value,
        lp.integrality.astype(np.int32),
    )
    apply_options(solver, options)
    if start is not None:
        index = np.arange(lp.num_col, dtype=np.int32)
        solver.setSolution(lp.num_col, index, np.ascontiguousarray(start, np.float64))
    handed = time.perf_counter()
    solver.run()
    solved = time.perf_counter()
    values = np.asarray(solver.getSolution().col_value)
    np.flatnonzero(values > 0.5)
    done = time.perf_counter()
    return {
        "handoff": handed - started,
        "solve": solved - handed,
        "readback": done - solved,
        "objective": float(solver.getInfo().objective_function_value),
        "nodes": int(solver.getInfo().mip_node_count),
    }


def repeat_rounds(direct_seconds: float) -> int:
    """How many times a size is measured, from its first direct solve's seconds."""
    if direct_seconds >= REPEAT_BELOW_S:
        return 1
    wanted = math.ceil(REPEAT_BUDGET_S / max(direct_seconds, 1e-3))
    return min(REPEAT_MAX, max(REPEAT_MIN, wanted | 1))


def _total(result: dict[str, Any], stages: tuple[str, ...]) -> float:
    return float(sum(result[stage] for stage in stages))


def _medians(results: list[dict[str, Any]], stages: tuple[str, ...]) -> dict[str, float]:
    """Each stage's median seconds over the rounds."""
    return {stage: statistics.median(r[stage] for r in results) for stage in stages}


def _warm_up(options: Any) -> None:
    """Pay the process's one-time costs before the clocks run: imports, first calls, and the
    thread pool that HiGHS starts at its first solve, which would otherwise be charged to
    whichever path runs first. Both paths run, untimed, on a generated 12-district region
    with 2 types (the project's in both cooperation forms, greedy start included)."""
    from model.generate import generate_region
    from model.instance import build_instance, compute_indicators
    from model.region import load_region
    from model.scenario import scenario_from_dict
    from model.warmstart import greedy_siting

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "tiny"
        generate_region(folder, 12, SEED, types=2, sectors=2)
        scenario = scenario_from_dict({"name": "warm-up", "region": str(folder)}).scenario
        region = load_region(folder)
        instance = build_instance(region, scenario, compute_indicators(region, scenario))
        for form in ("pairs", "compact"):
            project = _solve_project(instance, form, options, greedy_siting(instance) is not None)
            _solve_direct(project["lp"], options, project["start_vector"])


def run_child(region: Path, gap: float, time_limit: float, other_form: bool) -> dict[str, Any]:
    """Measure one size in this process; returns the row (printed as JSON by ``--child``)."""
    from model.instance import build_instance, compute_indicators
    from model.region import load_region
    from model.results import evaluate
    from model.scenario import scenario_from_dict
    from model.warmstart import searched_siting
    from solvers.base import SolverOptions

    loaded = scenario_from_dict({"name": "scale", "region": str(region)})
    scenario = loaded.scenario
    options = SolverOptions(mip_gap=gap, time_limit=time_limit, presolve=False)
    _warm_up(options)
    started = time.perf_counter()
    region_data = load_region(region)
    loaded_at = time.perf_counter()
    tables = compute_indicators(region_data, scenario)
    instance = build_instance(region_data, scenario, tables)
    instanced = time.perf_counter()
    searched = searched_siting(instance, None, *_search_budget(instance, options, instanced))
    found = time.perf_counter()
    greedy, siting, how = searched if searched else (None, None, "")
    warm = evaluate(siting, region_data, scenario, tables) if siting else None
    # a run falls back to the greedy siting when the searched one breaks a rule; the search
    # breaks a rule only where the greedy siting does (model.local_search), so no start then
    start = siting if warm and not warm.violations else None
    greedy_objective = (
        evaluate(greedy, region_data, scenario, tables).objective if start and greedy else None
    )
    target = warm.objective if start is not None and warm else None
    project = _solve_project(instance, instance.cooperation, options, start is not None, target)
    memory = peak_mb()
    lp, start_vector = project.pop("lp"), project.pop("start_vector")
    direct = _solve_direct(lp, options, start_vector)
    # plain highspy as a user would run it, with no start: only where the solves finish in
    # the limit (at the limit every path takes the limit, and without a start HiGHS may
    # return no siting at all)
    plain = _solve_direct(lp, options, None) if project["status"] != "time_limit" else None
    rounds = repeat_rounds(_total(direct, DIRECT_STAGES))
    if rounds > 1:
        # a short solve: more rounds, in alternating order, and each stage's median
        projects, directs, plains = [project], [direct], [plain]
        for round_number in range(1, rounds):
            if round_number % 2:
                directs.append(_solve_direct(lp, options, start_vector))
                plains.append(_solve_direct(lp, options, None) if plain else None)
            projects.append(
                _solve_project(instance, instance.cooperation, options, start is not None, target)
            )
            del projects[-1]["lp"], projects[-1]["start_vector"]
            if not round_number % 2:
                directs.append(_solve_direct(lp, options, start_vector))
                plains.append(_solve_direct(lp, options, None) if plain else None)
        project = {**project, **_medians(projects, PROJECT_STAGES)}
        direct = {**direct, **_medians(directs, DIRECT_STAGES)}
        if plain is not None:
            plain = {**plain, **_medians([p for p in plains if p], DIRECT_STAGES)}
    del lp, start_vector
    row: dict[str, Any] = {
        "load": loaded_at - started,
        "instance": instanced - loaded_at,
        "sites": len(instance.sites),
        "members": len(instance.members),
        "pairs": instance.pair_count,
        "project": project,
        "direct": direct,
        "plain": plain,
        "peak_mb": memory,
        "rounds": rounds,
    }
    row["warm_start"] = {
        "objective": warm.objective if start is not None and warm else None,
        "seconds": found - instanced,
        "greedy_objective": greedy_objective,
        "note": f"{how}, given to both" if start is not None else "none or breaks a rule",
    }
    row["lagrangian"] = project.pop("lagrangian", None) or _lagrangian(instance, project)
    if other_form:
        other = "pairs" if project["form"] == "compact" else "compact"
        result = _solve_project(instance, other, options, start is not None, target)
        result.pop("lagrangian", None)
        result.pop("lp"), result.pop("start_vector")
        row["other"] = result
    return row


def _lagrangian(instance: Any, project: dict[str, Any]) -> dict[str, Any] | None:
    """Where HiGHS stopped at the time limit: the Lagrangian bound of
    ``model.lagrangian_bound`` (``LAGRANGIAN_ROUNDS`` rounds aimed at the best siting), a
    bound that does not need the root LP to finish."""
    from model.lagrangian_bound import lagrangian_bound

    if project["status"] != "time_limit" or project.get("objective") is None:
        return None
    found = lagrangian_bound(instance, project["objective"], LAGRANGIAN_ROUNDS)
    return {"value": found.value, "rounds": found.rounds, "seconds": found.seconds}


def measure(
    districts: int, types: int, workdir: Path, gap: float, time_limit: float, other_form: bool
) -> dict[str, Any]:
    """Generate the region (once) and measure it in a child process."""
    from model.generate import generate_region

    region = workdir / f"region_{districts}_{types}"
    if not region.exists():
        generate_region(region, districts, SEED, types=types, sectors=sectors_for(types))
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(region),
        "--gap",
        str(gap),
        "--time-limit",
        str(time_limit),
    ]
    if not other_form:
        command.append("--no-other-form")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{districts} x {types}: child failed:\n{done.stderr[-2000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row.update(districts=districts, types=types, load_average=os.getloadavg())
    return row


def totals(row: dict[str, Any]) -> dict[str, float]:
    """build (instance + model), hand-off, solve, read-back and the two totals."""
    project, direct = row["project"], row["direct"]
    build = row["instance"] + project["model_build"]
    # the instance (indicators, sites, arcs, pairs) is what both paths start from
    ours = (
        project.get("warm_start_s", 0.0)
        + project.get("start_vector_s", 0.0)
        + project.get("bound_s", 0.0)
        + project["model_build"]
        + project["handoff"]
        + project["solve"]
        + project["readback"]
    )
    theirs = direct["handoff"] + direct["solve"] + direct["readback"]
    # when both searches took the same nodes, the solve is the same work: charging the
    # project the direct solve's seconds removes the noise of a shared machine. Not where
    # either stopped at its time limit: the seconds are then the limit's (the project's
    # HiGHS gets the limit less the start's search), not the work's
    limited = "time_limit" in (project.get("status"), direct.get("status"))
    same = (
        not limited
        and project.get("nodes") is not None
        and project.get("nodes") == direct.get("nodes")
    )
    overhead = ours - project["solve"] + direct["solve"]
    plain = row.get("plain")
    plain_total = plain["handoff"] + plain["solve"] + plain["readback"] if plain else math.nan
    # where the rule checks found the conflict, a run explains it (the conflict search, timed
    # as its diagnosis) and the direct path only says infeasible: not the same job, no ratio
    compared = math.nan if project.get("before_model") else theirs
    if project.get("before_model"):
        plain_total = math.nan
    return {
        "build": build,
        "handoff": project["handoff"],
        "solve": project["solve"],
        "total": ours,
        "direct": theirs,
        "ratio": ours / compared if compared > 0 else math.nan,  # nan > 0 is False
        "same_search_ratio": overhead / theirs if same and theirs > 0 else math.nan,
        "plain_ratio": ours / plain_total if plain_total > 0 else math.nan,
    }


def gap_of(result: dict[str, Any]) -> float | None:
    objective, bound = result.get("objective"), result.get("bound")
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x (points with y ≤ 0 left out)."""
    points = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(points) < 2:
        return math.nan
    mean_x = sum(p[0] for p in points) / len(points)
    mean_y = sum(p[1] for p in points) / len(points)
    spread = sum((p[0] - mean_x) ** 2 for p in points)
    if spread == 0:
        return math.nan
    return sum((p[0] - mean_x) * (p[1] - mean_y) for p in points) / spread


def exponents(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The slopes of each stage and of memory against size, over the sizes that built a model
    (where the rule checks settled a scenario, nothing was built or solved)."""
    rows = [r for r in rows if not r["project"].get("before_model")]
    size = [float(r["districts"] * r["types"]) for r in rows]
    series = {
        "build": [totals(r)["build"] for r in rows],
        "handoff": [totals(r)["handoff"] for r in rows],
        "solve": [totals(r)["solve"] for r in rows],
        "memory": [r["peak_mb"] for r in rows],
    }
    return {name: slope(size, values) for name, values in series.items()}


def _fmt_gap(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| districts × types | pairs | form | columns | build s | hand-off s | solve s | "
        "status, gap | objective (bound) | peak MB | direct s | ratio | same-search ratio | "
        "ratio to plain highspy | "
        "warm start (greedy) | Lagrangian bound (gap, s) | other form: solve s, status, gap | "
        "load avg |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        t, p = totals(r), r["project"]
        other = r.get("other")
        other_text = (
            f"{other['form']}: {other['solve']:.1f}, {other['status']}, {_fmt_gap(gap_of(other))}"
            if other
            else "–"
        )
        warm = r["warm_start"]["objective"]
        greedy = r["warm_start"].get("greedy_objective")
        warm_text = "–" if warm is None else f"{warm:.3f}"
        if warm is not None and greedy is not None:
            warm_text += f" ({greedy:.3f})"
        found = (
            "–"
            if p.get("objective") is None
            else f"{p['objective']:.3f} ({p['bound']:.3f})"
            if p.get("bound") is not None
            else f"{p['objective']:.3f}"
        )
        lines.append(
            f"| {r['districts']:,} × {r['types']} | {r['pairs']:,} | {p['form']} | "
            f"{p['columns']:,} | {t['build']:.2f} | {t['handoff']:.2f} | {t['solve']:.1f} | "
            f"{_fmt_status(p)}, {_fmt_gap(gap_of(p))} | {found} | {r['peak_mb']:.0f} | "
            f"{t['direct']:.1f} | {t['ratio']:.3f} | {t['same_search_ratio']:.3f} | "
            f"{t['plain_ratio']:.3f} | "
            f"{warm_text} | {_fmt_lagrangian(r.get('lagrangian'), p.get('objective'))} | "
            f"{other_text} | "
            f"{r['load_average'][0]:.1f} |"
        )
    return lines


def _fmt_status(result: dict[str, Any]) -> str:
    if result.get("before_model"):
        return f"{result['status']} (rule checks, no model)"
    return str(result["status"])


def _fmt_lagrangian(found: dict[str, Any] | None, objective: float | None) -> str:
    if not found or objective is None:
        return "–"
    gap = (found["value"] - objective) / max(abs(objective), 1e-12)
    return f"{found['value']:.3f} ({gap:.1%}, {found['seconds']:.0f} s)"


def _largest(rows: list[dict[str, Any]], key: str, title: str, which: str) -> list[str]:
    """The line for the largest ``key`` ratio over the sizes that have one (none if none)."""
    measured = [r for r in rows if not math.isnan(totals(r)[key])]
    if not measured:
        return []
    worst = max(measured, key=lambda r: totals(r)[key])
    value = totals(worst)[key]
    return [
        f"{title} ({len(measured)} of {len(rows)} sizes, {which}): {value:.3f} at "
        f"{worst['districts']:,} × {worst['types']}: "
        + ("met" if value <= TARGET_RATIO else "NOT met")
    ]


def verdict(rows: list[dict[str, Any]]) -> list[str]:
    """The issue's targets, checked on the largest size and on every ratio."""
    lines = _largest(rows, "ratio", "largest ratio project/direct", "those that built a model")
    lines += _largest(
        rows, "same_search_ratio", "largest same-search ratio", "took the same nodes both ways"
    )
    lines += _largest(
        rows,
        "plain_ratio",
        "largest ratio to plain highspy, no start",
        "those that finish in the limit",
    )
    biggest = max(rows, key=lambda r: (r["districts"] * r["types"], r["districts"]))
    t, p = totals(biggest), biggest["project"]
    within = p["status"] == "optimal" and t["total"] <= TARGET_SECONDS
    lines.append(
        f"largest size {biggest['districts']:,} × {biggest['types']}: {t['total']:.1f} s total, "
        f"{p['status']}, gap {_fmt_gap(gap_of(p))}, peak {biggest['peak_mb'] / 1000:.2f} GB "
        f"(target ≤ {TARGET_SECONDS:g} s to the gap and ≤ {TARGET_GB:g} GB): "
        f"time {'met' if within else 'NOT met'}, memory "
        + ("met" if biggest["peak_mb"] / 1000 <= TARGET_GB else "NOT met")
    )
    if biggest.get("lagrangian"):
        lines.append(
            f"  its best siting against the Lagrangian bound: "
            f"{_fmt_lagrangian(biggest['lagrangian'], p.get('objective'))}"
        )
    return lines


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = [r["districts"] * r["types"] for r in rows]
    order = sorted(range(len(rows)), key=lambda n: size[n])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    slopes = exponents(rows)
    for stage in ("build", "handoff", "solve"):
        values = [max(totals(rows[n])[stage], 1e-3) for n in order]
        axes[0].plot(
            [size[n] for n in order],
            values,
            marker="o",
            label=f"{stage} (slope {slopes[stage]:.2f})",
        )
    axes[0].set(xscale="log", yscale="log", xlabel="districts × types", ylabel="seconds")
    axes[0].legend()
    axes[0].set_title("time against size (log–log)")
    axes[1].plot(
        [size[n] for n in order],
        [rows[n]["peak_mb"] for n in order],
        marker="o",
        color="tab:red",
        label=f"peak memory (slope {slopes['memory']:.2f})",
    )
    axes[1].set(xscale="log", yscale="log", xlabel="districts × types", ylabel="MB")
    axes[1].legend()
    axes[1].set_title("peak memory of the child process")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def missing_sizes(rows: list[dict[str, Any]]) -> list[str]:
    """A line naming the sizes of the full grid that this table lacks (a run cut short)."""
    done = {(r["districts"], r["types"]) for r in rows}
    full = {(n, t) for n in FULL_DISTRICTS for t in FULL_TYPES}
    if not done <= full or done == full:
        return []
    absent = sorted(full - done)
    return [
        "- not measured in this run (stopped at the deadline): "
        + ", ".join(f"{n:,} × {t}" for n, t in absent)
    ]


def write_markdown(rows: list[dict[str, Any]], path: Path, command: str, dispersion: str) -> None:
    slopes = exponents(rows)
    loads = [r["load_average"][0] for r in rows]
    text = [
        "# Scale benchmark",
        "",
        f"Measured with `{command}` on {platform.machine()} "
        f"({os.cpu_count()} CPUs), {time.strftime('%Y-%m-%d', time.gmtime())}; generated "
        f"regions (seed {SEED}, Smolensk's density), relative gap "
        f"{rows[0]['gap']:.0%}, time limit {rows[0]['time_limit']:g} s per solve, "
        "presolve off. One run on a shared machine: the 1-minute load average during the runs "
        f"was {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} CPUs, so solve times "
        "carry noise; the ratio compares two solves of the same LP made one after the other. "
        f"Sizes whose direct solve takes under {REPEAT_BELOW_S:g} s show each stage's median "
        f"over {REPEAT_MIN} to {REPEAT_MAX} runs of each path, in alternating order (the "
        "shorter the solve, the more runs).",
        "",
        "*build* = indicators, instance, the rule checks of `model/diagnosis.py` and the "
        "model as arrays (where the checks prove the scenario infeasible, the status says "
        "*rule checks, no model*: a run builds no model of it then and explains the conflict "
        "with relaxed feasibility programs, the direct path only solves the LP, so no ratio "
        "is given); *direct* = the same LP arrays through plain highspy (hand-off + solve + "
        "read-back); *ratio* = the "
        "project's warm start + model build + Lagrangian bound + hand-off + solve + "
        "read-back / direct;"
        " *other form* = "
        "the cooperation formulation `auto` did not choose; *same-search ratio* = the ratio "
        "with the direct solve's seconds charged to both paths, where both searches took the "
        "same number of nodes (the same work; the difference is the machine's noise); "
        "*objective (bound)* = the best siting HiGHS returned and its dual bound; "
        "*warm start (greedy)* = the objective of the searched siting (`model/warmstart.py`, "
        "`model/local_search.py`, from 100,000 pairs on with 400 rounds of "
        "`model/ruin_recreate.py`), given to both paths as a MIP start, and in brackets the "
        "greedy siting it started from; the seconds to find it count in the project's total, "
        "and the project's HiGHS gets the time limit less them and the bound's (as a run "
        "does), the direct path the whole limit. "
        "A `time_limit` "
        "with 0 nodes and a gap of thousands of per cent means the root LP relaxation did not "
        "finish: the bound is then HiGHS's starting bound, before any LP (for the pairs form "
        "every objective coefficient at its column's upper bound), not an LP bound. "
        "*ratio to plain highspy* = the project's total against the same LP arrays through "
        "plain highspy with no MIP start, as a user of highspy would solve them (the project's "
        "start is part of its path: it costs the search and can save solve time), where the "
        "solves finish in the limit. "
        "*Lagrangian bound* = from 100,000 cooperating pairs on, the bound of "
        "`model/lagrangian_bound.py` (docs/model.md §5.3) that the project's path computes "
        "before HiGHS as a run does (300 rounds, none after three quarters of the limit; its "
        "seconds count in the project's total), elsewhere where HiGHS stopped at the time "
        f"limit the same after {LAGRANGIAN_ROUNDS} rounds, untimed; the gap of the best "
        "siting against it, and its seconds.",
        "",
        *table(rows),
        "",
        "Empirical exponents (least-squares slope of log value against log(districts × types)): "
        + ", ".join(f"{name} {value:.2f}" for name, value in slopes.items()),
        "",
        *[f"- {line}" for line in verdict(rows)],
        *missing_sizes(rows),
        "",
        "![build, hand-off, solve and memory against size](scale.png)",
        "",
        "## p-dispersion",
        "",
        dispersion,
        "",
    ]
    path.write_text("\n".join(text), encoding="utf-8")


def pdispersion_line(levels_limit: float | None = None) -> str:
    """Seconds to prove the random 60-site, p = 10 p-dispersion case (points uniform in a
    100 × 100 square, numpy seed 0, Euclidean distances), by the threshold search and,
    with ``levels_limit``, by the level formulation within that many seconds."""
    import numpy as np

    from model.classic import LocationData, Params, solve_classic
    from solvers.base import SolverOptions

    points = np.random.default_rng(0).uniform(0, 100, (60, 2))
    distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    names = [f"s{n}" for n in range(60)]
    data = LocationData.from_matrix(distances, clients=names, sites=names, name="random60")
    started = time.perf_counter()
    result = solve_classic("pdispersion", data, Params(p=10))
    line = (
        f"p-dispersion, 60 sites, p = 10: threshold search {time.perf_counter() - started:.2f} s, "
        f"{result.status}, min distance {result.objective:.4f} ({result.notes[0]})"
    )
    if levels_limit:
        started = time.perf_counter()
        levels = solve_classic(
            "pdispersion",
            data,
            Params(p=10, formulation="levels"),
            options=SolverOptions(time_limit=levels_limit),
        )
        line += (
            f"; level formulation {time.perf_counter() - started:.1f} s, {levels.status}, "
            f"{levels.objective}, bound {levels.bound}"
        )
    return line + f"; load {os.getloadavg()[0]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="40 and 80 districts × 3 and 6 types")
    parser.add_argument("--districts", type=int, nargs="+")
    parser.add_argument("--types", type=int, nargs="+")
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench")
    parser.add_argument("--workdir", type=Path, help="keep the generated regions here")
    parser.add_argument("--no-other-form", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--pdispersion-only", action="store_true", help="only the 60-site p-dispersion line"
    )
    parser.add_argument(
        "--levels-limit", type=float, default=60.0, help="seconds for the level formulation"
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        help="rebuild scale.md and scale.png from the scale.jsonl of an earlier run",
    )
    args = parser.parse_args(argv)
    if args.report_only:
        args.out.mkdir(parents=True, exist_ok=True)
        saved = [json.loads(line) for line in args.report_only.read_text().splitlines() if line]
        report(saved, args.out, "python bench/scale.py", pdispersion_line(args.levels_limit))
        return 0
    if args.child:
        row = run_child(args.child, args.gap, args.time_limit, not args.no_other_form)
        print(json.dumps(row))
        return 0
    dispersion = pdispersion_line(None if args.quick else args.levels_limit)
    print(dispersion, flush=True)
    if args.pdispersion_only:
        return 0
    districts = args.districts or (QUICK_DISTRICTS if args.quick else FULL_DISTRICTS)
    types = args.types or (QUICK_TYPES if args.quick else FULL_TYPES)
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in districts:
            for t in types:
                row = measure(n, t, workdir, args.gap, args.time_limit, not args.no_other_form)
                row.update(gap=args.gap, time_limit=args.time_limit)
                rows.append(row)
                tot = totals(row)
                print(
                    f"{n:>6,} × {t:<3} {row['project']['form']:<8} build {tot['build']:7.2f}s "
                    f"hand-off {tot['handoff']:6.2f}s solve {tot['solve']:7.1f}s "
                    f"{row['project']['status']:<10} peak {row['peak_mb']:8.0f} MB  "
                    f"direct {tot['direct']:7.1f}s ratio {tot['ratio']:.3f}  "
                    f"load {row['load_average'][0]:.1f}",
                    flush=True,
                )
                with (args.out / "scale.jsonl").open("a", encoding="utf-8") as log:
                    log.write(json.dumps(row) + "\n")
    report(rows, args.out, "python bench/scale.py" + (" --quick" if args.quick else ""), dispersion)
    return 0


def report(rows: list[dict[str, Any]], out: Path, command: str, dispersion: str) -> None:
    """Print the table, exponents and verdict; write scale.md and scale.png."""
    print("\n".join(table(rows)))
    print(
        "empirical exponents: "
        + ", ".join(f"{name} {value:.2f}" for name, value in exponents(rows).items())
    )
    print("\n".join(verdict(rows)))
    write_markdown(rows, out / "scale.md", command, dispersion)
    plot(rows, out / "scale.png")
    print(f"wrote {out / 'scale.md'} and {out / 'scale.png'}")


if __name__ == "__main__":
    sys.exit(main())
