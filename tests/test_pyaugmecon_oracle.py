"""Our AUGMECON2 front (``model.front``) against pyaugmecon's, run as an independent oracle.

pyaugmecon pins numpy 1.x and pandas 2.x, so it lives in its own virtualenv, ``.venv-oracle``
(``make oracle``; ``make test`` makes it first). The siting model of a tiny random region is
compiled once (the arrays HiGHS receives: bounds, integrality, rows, one cost vector per
term), written as JSON, rebuilt as a plain Pyomo model there by
``tests/oracle/pyaugmecon_front.py`` and solved by pyaugmecon with HiGHS. Both fronts must
hold the same term vectors. Without ``.venv-oracle`` the test is skipped (and says so).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from model.front import augmecon2
from model.payoff import TermSolver
from model.pipeline import solve_scenario_file
from tests.test_against_enumeration import write_case

REPO = Path(__file__).resolve().parent.parent
ORACLE = REPO / ".venv-oracle" / "bin" / "python"
SCRIPT = REPO / "tests" / "oracle" / "pyaugmecon_front.py"
TERMS = ["fit", "coop"]
GRID = 40


def export(solver: TermSolver, terms: list[str]) -> dict[str, object]:
    """The compiled model and each term's cost vector, in HiGHS's column order, as JSON data."""
    engine = solver.engine
    lp = engine.lp
    assert lp is not None

    def finite(values: np.ndarray) -> list[float | None]:
        return [float(v) if np.isfinite(v) else None for v in values]

    objectives = []
    for t in terms:
        vector = np.zeros(lp.num_col)
        for n, var in enumerate(solver._vars):
            vector[engine.column(var)] = solver.vectors[t][n]
        objectives.append(vector.tolist())
    return {
        "num_col": lp.num_col,
        "num_row": lp.num_row,
        "col_lower": finite(lp.col_lower),
        "col_upper": finite(lp.col_upper),
        "row_lower": finite(lp.row_lower),
        "row_upper": finite(lp.row_upper),
        "integrality": [bool(v) for v in lp.integrality],
        "a_start": [int(v) for v in lp.a_start],
        "a_index": [int(v) for v in lp.a_index],
        "a_value": [float(v) for v in lp.a_value],
        "objectives": objectives,
    }


def rounded(vectors: list[tuple[float, ...]] | list[list[float]]) -> set[tuple[float, ...]]:
    return {tuple(round(v, 6) + 0.0 for v in vector) for vector in vectors}


@pytest.mark.skipif(not ORACLE.exists(), reason="no .venv-oracle: run `make oracle`")
@pytest.mark.parametrize("seed", [304, 331])
def test_front_equals_pyaugmecons(seed: int, tmp_path: Path) -> None:
    path, _scenario = write_case(seed, tmp_path)
    result = solve_scenario_file(path)  # names in the rules resolved to ids
    assert result.status == "optimal"
    solver = TermSolver(result.region, result.loaded.scenario, result.tables, TERMS)
    # pyaugmecon cannot take an objective that is identically 0: these seeds have none
    assert not any(solver.constant(t) for t in TERMS)
    data = export(solver, TERMS)  # before our front adds its rows
    ours = augmecon2(solver, TERMS, grid=GRID, eps=1e-6)
    assert ours is not None
    model_file = tmp_path / "model.json"
    model_file.write_text(json.dumps(data), encoding="utf-8")
    work = tmp_path / "oracle"
    work.mkdir()
    done = subprocess.run(
        [str(ORACLE), str(SCRIPT), str(model_file), str(GRID), str(work)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])["front"]
    assert len(ours.points) >= 1
    assert rounded(ours.vectors()) == rounded(theirs)
