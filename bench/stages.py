"""Overhead of the project's solver path against direct highspy arrays (``make bench``).

For synthetic regions of 27, 300 and 1,000 districts (``model.generate``), the canonical
model is solved twice from the same :class:`model.instance.SitingInstance`:

(a) the project's path, as ``run.py run`` takes it with HiGHS: ``model.matrix_model.
    build_program`` (the model's rows as arrays, the same functions that build the Pyomo
    model), one ``passModel`` (hand-off), ``run``, and read-back (the solution from the
    column values);
(b) direct highspy: numpy arrays built straight from the instance (the same rows and columns in
    the same order, so HiGHS solves the identical problem), one ``passModel``, ``run``, and
    read-back of the chosen cores and members from the solution vector.

It prints each stage's seconds and the ratios (a)/(b) for build + hand-off and for the total,
and (a)'s build + hand-off as a share of its HiGHS solve time. Targets (issue 4): total ratio
≤ 1.3 and build + hand-off ≤ 25 % of the solve at 1,000 districts. Timings come from one run
on a possibly shared machine; ``--repeat`` takes the fastest of several.

Usage: ``python bench/stages.py [--sizes 27 300 1000] [--dense 1000] [--dense-km 14]
[--presolve off|on|default] [--repeat N] [--seed S]``. The regular sizes have Smolensk's
density (districts 43 km apart); ``--dense`` sizes are also run with districts ``--dense-km``
apart, which at 1,000 districts gives the ~150,000-column model first measured for the
solver hand-off.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.generate import SPACING_KM, generate_region
from model.instance import SitingInstance, build_instance
from model.region import load_region
from model.scenario import scenario_from_dict

STAGES = ("build", "handoff", "solve", "readback")


@dataclass
class Timing:
    build: float
    handoff: float
    solve: float
    readback: float
    objective: float
    cores: int

    @property
    def total(self) -> float:
        return self.build + self.handoff + self.solve + self.readback


def direct_arrays(instance: SitingInstance) -> dict[str, Any]:
    """The canonical model's arrays, row for row and column for column as the formulation.

    Covers constraint families 1-6, 8 and 9 of ``model.formulation`` (the policy rules of 7 are
    off in the benchmark scenarios, which ``check_canonical`` asserts). The two large families
    (3 and 6, two entries per row) are built as numpy blocks.
    """
    sites, members, pairs = instance.sites, instance.members, instance.pairs
    n_y, n_x, n_z = len(sites), len(members), len(pairs)
    y_col = {s: n for n, s in enumerate(sites)}
    cost = np.fromiter(
        itertools.chain(
            (instance.core_coef(s) for s in sites),
            (instance.member_coef[a] for a in members),
            (instance.pair_coef[p] for p in pairs),
        ),
        dtype=np.float64,
        count=n_y + n_x + n_z,
    )
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # rows, cols, values
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    count = 0

    def sums(groups: list[list[int]], coef_last: list[float], lo: float, hi: list[float]) -> None:
        """Rows Σ cols (the last column with its own coefficient) in [lo, hi]."""
        nonlocal count
        if not groups:
            return
        sizes = np.array([len(g) for g in groups])
        rows = count + np.repeat(np.arange(len(groups)), sizes)
        cols = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)
        values = np.ones(len(cols))
        values[np.cumsum(sizes) - 1] = coef_last
        blocks.append((rows, cols, values))
        lower.append(np.full(len(groups), lo))
        upper.append(np.asarray(hi, dtype=np.float64))
        count += len(groups)

    def pairs_le(first: np.ndarray, second: np.ndarray) -> None:
        """Rows first − second ≤ 0."""
        nonlocal count
        n = len(first)
        rows = count + np.repeat(np.arange(n), 2)
        cols = np.column_stack([first, second]).ravel()
        values = np.tile([1.0, -1.0], n)
        blocks.append((rows, cols, values))
        lower.append(np.full(n, -np.inf))
        upper.append(np.zeros(n))
        count += n

    by_type: dict[str, list[int]] = defaultdict(list)
    by_district: dict[str, list[int]] = defaultdict(list)
    for s in sites:
        by_type[s[0]].append(y_col[s])
        by_district[s[1]].append(y_col[s])
    for k in instance.types:  # 1. sites per type (one row each, so bounds per row)
        lo, hi = instance.site_range[k]
        group = by_type[k]
        hi_binds = hi < len(group)
        if group and (lo > 0 or hi_binds):
            sums([group], [1.0], lo if lo > 0 else -np.inf, [hi if hi_binds else np.inf])
    crowded = [
        by_district[i] for i in instance.districts if len(by_district[i]) > instance.capacity
    ]
    sums(crowded, [1.0] * len(crowded), -np.inf, [instance.capacity] * len(crowded))  # 2.
    x_cols = n_y + np.arange(n_x)
    core_of_member = np.fromiter((y_col[(a[0], a[1])] for a in members), dtype=np.int64, count=n_x)
    pairs_le(x_cols, core_of_member)  # 3. members need a core
    into: dict[tuple[str, str], list[int]] = defaultdict(list)
    out_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for col, a in zip(x_cols.tolist(), members, strict=True):
        into[(a[0], a[2])].append(col)
        out_of[(a[0], a[1])].append(col)
    one = [
        [*cols, y_col[key]] if key in y_col else cols
        for key, cols in into.items()
        if len(cols) > 1 or key in y_col
    ]
    sums(one, [1.0] * len(one), -np.inf, [1.0] * len(one))  # 4. one membership
    catch = [
        [*cols, y_col[key]] for key, cols in out_of.items() if len(cols) > instance.max_members
    ]
    sums(catch, [-float(instance.max_members)] * len(catch), -np.inf, [0.0] * len(catch))  # 5.
    z_cols = n_y + n_x + np.arange(n_z)
    hi_of = {k: instance.site_range[k][1] for k in instance.types}
    first: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    second: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for col, p in zip(z_cols.tolist(), pairs, strict=True):
        first[(p[0], p[1], p[2])].append(col)
        second[(p[2], p[3], p[0])].append(col)
    # 6. pair logic, without the rows that a family-8 row with max 1 implies (as the model)
    for grouped, core_of in ((first, (0, 1)), (second, (2, 3))):
        keep = [
            n
            for n, p in enumerate(pairs)
            if not _implied(
                grouped, hi_of, (p[0], p[1], p[2]) if core_of == (0, 1) else (p[2], p[3], p[0])
            )
        ]
        cores = np.fromiter(
            (y_col[(pairs[n][core_of[0]], pairs[n][core_of[1]])] for n in keep),
            dtype=np.int64,
            count=len(keep),
        )
        pairs_le(z_cols[keep], cores)
    for grouped in (first, second):  # 8. valid inequalities on pairs
        keys = [key for key, cols in grouped.items() if len(cols) > hi_of[key[2]]]
        sums(
            [grouped[key] + [y_col[(key[0], key[1])]] for key in keys],
            [-float(hi_of[key[2]]) for key in keys],
            -np.inf,
            [0.0] * len(keys),
        )
    # 9. the district capacity times each core, over its pairs within its own district
    by_core: dict[int, list[int]] = defaultdict(list)
    for col, p in zip(z_cols.tolist(), pairs, strict=True):
        if p[1] == p[3]:
            by_core[y_col[(p[0], p[1])]].append(col)
    for col, p in zip(z_cols.tolist(), pairs, strict=True):
        if p[1] == p[3]:
            by_core[y_col[(p[2], p[3])]].append(col)
    bound = instance.capacity - 1
    products = [[*cols, core] for core, cols in sorted(by_core.items()) if len(cols) > bound]
    sums(products, [-float(bound)] * len(products), -np.inf, [0.0] * len(products))
    rows = np.concatenate([b[0] for b in blocks])
    cols = np.concatenate([b[1] for b in blocks])
    values = np.concatenate([b[2] for b in blocks])
    matrix = coo_matrix((values, (rows, cols)), shape=(count, n_y + n_x + n_z)).tocsc()
    matrix.sort_indices()
    return {
        "n_col": n_y + n_x + n_z,
        "n_y": n_y,
        "n_x": n_x,
        "cost": cost,
        "row_lower": np.concatenate(lower),
        "row_upper": np.concatenate(upper),
        "start": matrix.indptr.astype(np.int32),
        "index": matrix.indices.astype(np.int32),
        "value": matrix.data,
    }


def check_canonical(instance: SitingInstance) -> None:
    if (
        instance.min_border_sites
        or instance.groups
        or instance.locks
        or instance.budget_limit is not None
    ):
        raise SystemExit("the direct path covers the canonical model only (no policy rules)")


def run_direct(instance: SitingInstance, presolve: str) -> Timing:
    import highspy

    from solvers.highs import new_highs

    started = time.perf_counter()
    arrays = direct_arrays(instance)
    n = int(arrays["n_col"])  # type: ignore[arg-type]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(arrays["row_lower"])  # type: ignore[arg-type]
    lp.col_cost_ = arrays["cost"]
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(arrays["row_lower"]), arrays["row_lower"], -inf)
    lp.row_upper_ = np.where(np.isfinite(arrays["row_upper"]), arrays["row_upper"], inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = arrays["start"]
    lp.a_matrix_.index_ = arrays["index"]
    lp.a_matrix_.value_ = arrays["value"]
    lp.sense_ = highspy.ObjSense.kMaximize
    n_int = int(arrays["n_y"]) + int(arrays["n_x"])  # type: ignore[call-overload]
    integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer] * n_int + [continuous] * (n - n_int)
    built = time.perf_counter()
    solver = new_highs()
    solver.passModel(lp)
    _set_presolve(solver, presolve)
    solver.setOptionValue("mip_rel_gap", 0.0)
    handed = time.perf_counter()
    solver.run()
    solved = time.perf_counter()
    values = np.asarray(solver.getSolution().col_value)
    chosen = np.flatnonzero(values[: int(arrays["n_y"])] > 0.5)  # type: ignore[call-overload]
    cores = [instance.sites[c] for c in chosen]
    n_y = int(arrays["n_y"])  # type: ignore[call-overload]
    picked = np.flatnonzero(values[n_y : n_y + int(arrays["n_x"])] > 0.5)  # type: ignore[call-overload]
    _members = [instance.members[c] for c in picked]
    done = time.perf_counter()
    objective = float(solver.getInfo().objective_function_value)
    return Timing(
        built - started, handed - built, solved - handed, done - solved, objective, len(cores)
    )


def run_project(instance: SitingInstance, presolve: str) -> Timing:
    from model.matrix_model import build_program
    from solvers.base import SolverOptions
    from solvers.highs import PersistentHighs

    started = time.perf_counter()
    program = build_program(instance)
    assert program is not None
    built = time.perf_counter()
    engine = PersistentHighs(None, program.lp)
    handed = time.perf_counter()
    options = SolverOptions(presolve=None if presolve == "default" else presolve == "on")
    outcome = engine.resolve(options)
    solved_wall = time.perf_counter()
    assert engine.last_values is not None and outcome.objective is not None, outcome
    solution = program.solution(engine.last_values, instance)
    done = time.perf_counter()
    solve = outcome.solver_time_s or 0.0
    readback = (solved_wall - handed - solve) + (done - solved_wall)
    return Timing(
        built - started, handed - built, solve, readback, outcome.objective, len(solution.cores)
    )


def _implied(
    grouped: dict[tuple[str, str, str], list[int]], hi_of: dict[str, int], key: tuple[str, str, str]
) -> bool:
    """Whether a family-8 row with coefficient 1 covers this group (it implies z ≤ y)."""
    return hi_of[key[2]] == 1 and len(grouped[key]) > 1


def _set_presolve(solver: object, presolve: str) -> None:
    if presolve != "default":
        solver.setOptionValue("presolve", presolve)  # type: ignore[attr-defined]


def instance_for(districts: int, seed: int, folder: Path, spacing_km: float) -> SitingInstance:
    region_dir = generate_region(
        folder / f"region_{districts}_{spacing_km:g}", districts, seed, spacing_km=spacing_km
    )
    loaded = scenario_from_dict({"name": f"bench_{districts}", "region": str(region_dir)})
    instance = build_instance(load_region(region_dir), loaded.scenario)
    check_canonical(instance)
    return instance


def fastest(runs: list[Timing]) -> Timing:
    """Stage by stage, the fastest of the repeats."""
    best = Timing(
        *(min(getattr(r, s) for r in runs) for s in STAGES), runs[0].objective, runs[0].cores
    )
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[27, 300, 1000])
    parser.add_argument("--presolve", choices=["off", "on", "default"], default="off")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dense",
        type=int,
        nargs="*",
        default=[1000],
        help="sizes also run on a dense region (--dense-km apart; 14 km gives ~150k columns at "
        "1,000 districts, the size first measured for the solver hand-off)",
    )
    parser.add_argument("--dense-km", type=float, default=14.0)
    args = parser.parse_args(argv)
    cases = [(n, SPACING_KM) for n in args.sizes] + [(n, args.dense_km) for n in args.dense]
    print(f"HiGHS presolve {args.presolve}; fastest of {args.repeat}; seconds; seed {args.seed}")
    header = (
        f"{'districts':>9} {'columns':>8} {'rows':>8} {'path':>7} "
        + " ".join(f"{s:>8}" for s in STAGES)
        + f" {'total':>8}"
    )
    print(header)
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for districts, spacing in cases:
            instance = instance_for(districts, args.seed, Path(tmp), spacing)
            direct_runs, project_runs = [], []
            for _ in range(args.repeat):
                direct_runs.append(run_direct(instance, args.presolve))
                project_runs.append(run_project(instance, args.presolve))
            direct, project = fastest(direct_runs), fastest(project_runs)
            if abs(direct.objective - project.objective) > 1e-6 * max(1.0, abs(direct.objective)):
                print(f"objectives differ: {direct.objective} vs {project.objective}")
                return 1
            columns = len(instance.sites) + len(instance.members) + len(instance.pairs)
            rows = len(direct_arrays(instance)["row_lower"])  # type: ignore[arg-type]
            name = f"{districts}" if spacing == SPACING_KM else f"{districts}@{spacing:g}km"
            for label, t in (("project", project), ("direct", direct)):
                print(
                    f"{name:>9} {columns:>8} {rows:>8} {label:>7} "
                    + " ".join(f"{getattr(t, s):>8.3f}" for s in STAGES)
                    + f" {t.total:>8.3f}"
                )
            summary.append((name, project, direct))
    print()
    print(
        f"{'districts':>9} {'(a)/(b) build+handoff':>22} {'(a)/(b) total':>14} "
        f"{'(a) build+handoff / solve':>26} {'objective':>10}"
    )
    for districts, project, direct in summary:
        overhead_a = project.build + project.handoff
        overhead_b = direct.build + direct.handoff
        print(
            f"{districts:>9} {overhead_a / overhead_b:>22.1f} "
            f"{project.total / direct.total:>14.2f} "
            f"{overhead_a / project.solve:>25.0%} {project.objective:>10.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
