"""Run pyaugmecon on a siting model exported as arrays; print its Pareto front as JSON.

Runs in the oracle virtualenv (``make oracle``: ``.venv-oracle`` with pyaugmecon and
highspy), not in the project's: pyaugmecon pins numpy 1.x and pandas 2.x. It reads the JSON
written by ``tests/test_pyaugmecon_oracle.py`` (the compiled standard form of the project's
model: bounds, integrality, rows, one cost vector per term), rebuilds it as a plain Pyomo model
with one objective per term in ``obj_list`` (pyaugmecon's convention), solves it with
pyaugmecon's AUGMECON2 and HiGHS, and prints ``{"front": [[f1, f2, ...], ...]}``.

Usage: python pyaugmecon_front.py MODEL.json GRID_POINTS WORK_DIR
"""

import json
import math
import os
import sys


def build(data):
    import pyomo.environ as pyo

    n = data["num_col"]
    model = pyo.ConcreteModel()
    model.J = pyo.RangeSet(0, n - 1)

    def bounds(m, j):
        lo, hi = data["col_lower"][j], data["col_upper"][j]
        return (None if lo is None else lo, None if hi is None else hi)

    def domain(m, j):
        return pyo.Integers if data["integrality"][j] else pyo.Reals

    model.x = pyo.Var(model.J, bounds=bounds, domain=domain)
    rows = [[] for _ in range(data["num_row"])]
    for j in range(n):
        for k in range(data["a_start"][j], data["a_start"][j + 1]):
            rows[data["a_index"][k]].append((j, data["a_value"][k]))
    model.rows = pyo.ConstraintList()
    for r, terms in enumerate(rows):
        expr = sum(v * model.x[j] for j, v in terms)
        lo, hi = data["row_lower"][r], data["row_upper"][r]
        if not terms:
            continue
        if lo is not None and hi is not None and lo == hi:
            model.rows.add(expr == lo)
        else:
            if lo is not None:
                model.rows.add(expr >= lo)
            if hi is not None:
                model.rows.add(expr <= hi)
    model.obj_list = pyo.ObjectiveList()
    for vector in data["objectives"]:
        expr = sum(v * model.x[j] for j, v in enumerate(vector) if v != 0)
        model.obj_list.add(expr=expr, sense=pyo.maximize)
    for o in range(len(data["objectives"])):
        model.obj_list[o + 1].deactivate()
    return model


def patch_solver_factory():
    """pyaugmecon 1.0.8 passes solver_io and manage_env, which Pyomo's HiGHS interface does
    not take: hand it HiGHS without them. Done at import, so that pyaugmecon's worker
    processes (started by spawn, which imports this file again) get it as well."""
    import pyaugmecon.model
    import pyomo.environ as pyo

    factory = pyo.SolverFactory

    def highs_factory(name, **_ignored):
        return factory(name)

    patched = type("PyomoForPyaugmecon", (), {})()
    for attribute in dir(pyo):
        if not attribute.startswith("__"):
            setattr(patched, attribute, getattr(pyo, attribute))
    patched.SolverFactory = highs_factory
    pyaugmecon.model.pyo = patched


patch_solver_factory()


def main():
    import multiprocessing

    from pyaugmecon import PyAugmecon

    # a forked worker inherits HiGHS's thread pool from the payoff-table solves of this
    # process without its threads and hangs in its first solve: start workers fresh
    multiprocessing.set_start_method("spawn", force=True)

    path, grid, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    os.chdir(work)  # pyaugmecon writes its log folder and pickle file here
    os.makedirs("logs", exist_ok=True)
    options = {
        "name": "clustersite",
        "grid_points": grid,
        "early_exit": True,
        "bypass_coefficient": True,
        "flag_array": True,
        "cpu_count": 1,
        "output_excel": False,
        "logging_folder": "logs",
        "solver_name": "highs",
        "penalty_weight": 1e-5,
    }
    solver = PyAugmecon(build(data), options, {"MIPGap": None, "NonConvex": None})
    solver.solve()
    front = [[float(v) for v in point] for point in solver.get_pareto_solutions()]
    assert all(math.isfinite(v) for point in front for v in point)
    print(json.dumps({"front": front}))


if __name__ == "__main__":
    main()
