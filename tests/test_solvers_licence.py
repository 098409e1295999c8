"""The commercial solvers' licences: size limits and missing licences end in exit 4, one line.

Each installed commercial solver (or one that CLUSTERSITE_REQUIRED_SOLVERS names) is tested on
its free edition's limit from both sides (a model at the limit solves, one column more is
refused), on a real over-limit instance (a generated 300-district region through the command
line), and with a licence file that is not valid (the environment variable each solver reads;
CPLEX's Community Edition reads none). Under a full licence the limit tests have nothing to
test and say so (skip).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest

from model.export import scenario_model
from model.generate import generate_region
from model.scenario import load_scenario
from solvers import COMMERCIAL_SOLVERS, SolverOptions, Status, get_solver, solver_table
from solvers.licence import FREE_EDITIONS, EditionLimit, LicenceError
from solvers.standard_form import compile_model
from tests.installed_solvers import solvers_under_test

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
COMMERCIAL = [name for name in solvers_under_test() if name in COMMERCIAL_SOLVERS]
# a licence file each solver reads from the environment, pointed at a file that is no licence
BAD_LICENCE_ENV = {
    "gurobi": "GRB_LICENSE_FILE",
    "xpress": "XPAUTH_PATH",
    "copt": "COPT_LICENSE_DIR",
}


def test_edition_limits_by_hand() -> None:
    both = EditionLimit("e", max_columns=1000, max_rows=1000)
    assert both.allows(1000, 1000)
    assert not both.allows(1001, 10) and not both.allows(10, 1001)
    total = EditionLimit("e", max_total=5000)
    assert total.allows(1, 4999) and total.allows(2500, 2500)
    assert not total.allows(1, 5000) and not total.allows(2501, 2500)
    assert set(FREE_EDITIONS) == set(COMMERCIAL_SOLVERS)


def licence_state(name: str) -> str:
    rows = {row.name: row for row in solver_table((name,), licences=True)}
    return rows[name].licence.state


def wide_knapsack(columns: int) -> pyo.ConcreteModel:
    """max Σ x_j s.t. Σ x_j ≤ 4, ``columns`` binaries: one row, optimum 4."""
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(columns), domain=pyo.Binary)
    model.cap = pyo.Constraint(expr=pyo.quicksum(model.x.values()) <= 4)
    model.obj = pyo.Objective(expr=pyo.quicksum(model.x.values()), sense=pyo.maximize)
    return model


def columns_at_limit(limit: EditionLimit) -> int:
    """The most columns a one-row model may have within the limit."""
    if limit.max_total is not None:
        return limit.max_total - 1
    assert limit.max_columns is not None
    return limit.max_columns


@pytest.mark.parametrize("name", COMMERCIAL)
def test_size_limit_from_both_sides(name: str) -> None:
    if licence_state(name) == "full":
        pytest.skip(f"{name} runs on a full licence here: no size limit to test")
    limit = FREE_EDITIONS[name]
    at_limit = columns_at_limit(limit)
    outcome = get_solver(name).solve(wide_knapsack(at_limit), SolverOptions(time_limit=30))
    assert outcome.status == Status.OPTIMAL and outcome.objective == pytest.approx(4.0)
    with pytest.raises(LicenceError) as refused:
        get_solver(name).solve(wide_knapsack(at_limit + 1), SolverOptions(time_limit=30))
    error = refused.value
    assert error.exit_code == 4 and error.over_limit
    assert (error.rows, error.columns) == (1, at_limit + 1)
    assert str(error) == (
        f"solver {name}: model too large for the {limit.edition} ({limit.describe()}); "
        f"the model has 1 rows and {at_limit + 1:,} columns"
    )


@pytest.fixture(scope="module")
def region_300(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """A generated 300-district scenario and its model's rows and columns (compiled)."""
    folder = tmp_path_factory.mktemp("r300")
    generate_region(folder / "region", 300, 1)
    scenario = folder / "big.yaml"
    scenario.write_text("name: big300\nregion: region\n", encoding="utf-8")
    lp = compile_model(scenario_model(load_scenario(scenario)))
    return scenario, lp.num_row, lp.num_col


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )


@pytest.mark.parametrize("name", COMMERCIAL)
def test_over_limit_region_exits_4_naming_solver_limit_and_size(
    name: str, region_300: tuple[Path, int, int], tmp_path: Path
) -> None:
    scenario, rows, columns = region_300
    limit = FREE_EDITIONS[name]
    assert not limit.allows(rows, columns)  # the instance is over every free edition's limit
    if licence_state(name) == "full":
        pytest.skip(f"{name} runs on a full licence here: the region is not over its limit")
    out = tmp_path / "out"
    done = run_cli("run", str(scenario), "--solver", name, "--out", str(out), "--quiet")
    assert done.returncode == 4, done.stderr
    assert done.stderr.splitlines() == [
        f"error: solver {name}: model too large for the {limit.edition} ({limit.describe()}); "
        f"the model has {rows:,} rows and {columns:,} columns"
    ]
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in COMMERCIAL if n in BAD_LICENCE_ENV])
def test_invalid_licence_exits_4_and_shows_in_the_solver_list(name: str, tmp_path: Path) -> None:
    bad = tmp_path / "licence"
    bad.mkdir()
    for file in ("gurobi.lic", "license.dat", "license.key", "xpauth.xpr"):
        (bad / file).write_text("not a licence\n", encoding="utf-8")
    variable = BAD_LICENCE_ENV[name]
    file = {"gurobi": "gurobi.lic", "xpress": "xpauth.xpr"}.get(name)
    env = {**os.environ, variable: str(bad / file) if file else str(bad)}
    out = tmp_path / "out"
    done = run_cli("run", str(BASELINE), "--solver", name, "--out", str(out), "--quiet", env=env)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert re.fullmatch(
        rf"error: solver {name}: no usable licence \(.+\); "
        r"the model has [\d,]+ rows and [\d,]+ columns",
        lines[0],
    ), lines[0]
    assert not out.exists()
    listed = run_cli("solvers", env=env)
    assert listed.returncode == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith(f"{name} "))
    assert row.split()[1] == "yes" and row.split()[3] == "none"


def test_solver_list_shows_licence_state_and_limit() -> None:
    done = run_cli("solvers")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    assert set(lines) == {row.name for row in solver_table()}
    for name in COMMERCIAL:
        state = licence_state(name)
        assert state in ("size-limited", "full"), f"{name}: {state}"
        line = lines[name]
        assert line.split()[3] == state
        if state == "size-limited":
            limit = FREE_EDITIONS[name]
            assert f"{limit.edition}: {limit.describe()}" in line
    for name in ("highs", "scip"):
        assert lines[name].split()[3] == "free"


def test_licence_error_survives_pickling() -> None:
    """Sweeps run on Dask workers: the error must come back whole."""
    import pickle

    error = LicenceError("copt", "model too large", 3, 4, over_limit=True)
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, LicenceError) and str(back) == str(error)
    assert (back.solver, back.rows, back.columns, back.over_limit) == ("copt", 3, 4, True)
    assert back.exit_code == 4
