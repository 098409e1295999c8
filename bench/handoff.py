"""Hand-off of the siting model to each commercial solver: matrix call against the alternative.

For each size (the Smolensk baseline, then generated regions of ``--sizes`` districts), the
Pyomo model is built once and handed to each installed commercial solver two ways, timed up to
the point where the solver could start (nothing is solved, so sizes past a free edition's limit
can be measured too: the editions check the size when optimising):

- **matrix**: ``solvers.standard_form.compile_model`` + the adapter's matrix calls
  (Gurobi ``addMVar`` + ``addMConstr``; CPLEX ``linear_constraints.add`` + ``variables.add`` +
  ``set_coefficients``; Xpress ``loadMIP``; COPT ``loadMatrix``);
- **pyomo**: Pyomo's own interface, ``SolverFactory('<name>_persistent').set_instance(model)``
  (the translation ``<name>_direct`` runs at every solve) for Gurobi, CPLEX and Xpress; COPT has
  no Pyomo interface, so its alternative is coptpy's modelling API fed the same compiled
  arrays: ``addVars`` and one ``addConstr`` per row.

Prints seconds (fastest of ``--repeat``) and the ratio other / matrix, all from one run on a
possibly shared machine.

Usage: ``python bench/handoff.py [--sizes 100 300] [--repeat 3] [--seed 1]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.export import scenario_model
from model.generate import generate_region
from model.scenario import load_scenario
from solvers import adapter_for
from solvers.licence import quiet_start
from solvers.standard_form import LinearProgram, compile_model

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def fastest(repeat: int, step: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        with quiet_start():
            step()
        best = min(best, time.perf_counter() - started)
    return best


def matrix_handoff(name: str, model: pyo.ConcreteModel) -> Callable[[], Any]:
    adapter: Any = adapter_for(name)
    return lambda: adapter._load(compile_model(model))


def pyomo_handoff(name: str, model: pyo.ConcreteModel) -> Callable[[], Any]:
    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyo.SolverFactory(f"{name}_persistent").set_instance(model)

    return run


def copt_rows(model: pyo.ConcreteModel) -> Callable[[], Any]:
    """coptpy's modelling API: addVars, then one addConstr per row of the compiled arrays."""
    import coptpy as cp

    from solvers.copt import INFINITY, environment

    def run() -> None:
        lp: LinearProgram = compile_model(model)
        target = environment().createModel("rows")
        lower = np.where(np.isfinite(lp.col_lower), lp.col_lower, -INFINITY)
        upper = np.where(np.isfinite(lp.col_upper), lp.col_upper, INFINITY)
        kinds = [cp.COPT.INTEGER if flag else cp.COPT.CONTINUOUS for flag in lp.integrality]
        columns = target.addVars(lp.num_col, lb=lower.tolist(), ub=upper.tolist(), vtype=kinds)
        variables = [columns[j] for j in range(lp.num_col)]
        rows = lp.num_row
        by_row = [cp.LinExpr() for _ in range(rows)]
        for j in range(lp.num_col):
            for k in range(lp.a_start[j], lp.a_start[j + 1]):
                by_row[lp.a_index[k]].addTerm(variables[j], float(lp.a_value[k]))
        for i in range(rows):
            lo = lp.row_lower[i] if np.isfinite(lp.row_lower[i]) else -INFINITY
            hi = lp.row_upper[i] if np.isfinite(lp.row_upper[i]) else INFINITY
            target.addBoundConstr(by_row[i], lb=float(lo), ub=float(hi))
        target.setObjective(
            cp.LinExpr(variables, lp.cost.tolist()),
            cp.COPT.MAXIMIZE if lp.maximize else cp.COPT.MINIMIZE,
        )

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 300])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    installed = [n for n in ("gurobi", "cplex", "xpress", "copt") if adapter_for(n).available()]
    print(f"solvers: {', '.join(installed)}; fastest of {args.repeat}")
    print(f"{'instance':<12} {'rows':>6} {'cols':>6} {'solver':<7} {'matrix s':>9} "
          f"{'other s':>8} {'other':<15} {'other/matrix':>12}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        cases = [("baseline", BASELINE)]
        for size in args.sizes:
            region = Path(folder) / f"r{size}"
            generate_region(region, size, args.seed)
            scenario = Path(folder) / f"r{size}.yaml"
            scenario.write_text(f"name: r{size}\nregion: {region}\n", encoding="utf-8")
            cases.append((f"{size} distr.", scenario))
        for label, path in cases:
            model = scenario_model(load_scenario(path))
            lp = compile_model(model)
            for name in installed:
                matrix = fastest(args.repeat, matrix_handoff(name, model))
                if name == "copt":
                    other, how = fastest(args.repeat, copt_rows(model)), "coptpy rows"
                else:
                    other, how = fastest(args.repeat, pyomo_handoff(name, model)), "pyomo persist."
                print(f"{label:<12} {lp.num_row:>6} {lp.num_col:>6} {name:<7} {matrix:9.4f} "
                      f"{other:8.4f} {how:<15} {other / matrix:12.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
