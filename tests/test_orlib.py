"""OR-Library: the readers, and the published optima of all 15 UFLP instances and pmed1-pmed5.

The optima come from data/orlib/*_optima.csv (OR-Library ``uncapopt`` and ``pmedopt``); the
UflLib ``.opt`` files give an optimal assignment per customer, whose cost is recomputed here
from the reader's matrices as an independent check of the reader.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.classic import LocationData, Params, solve_classic
from model.errors import InputError
from model.orlib import (
    ORLIB_DIR,
    pmedian_path,
    published_optima,
    read_pmedian,
    read_uflp,
    uflp_path,
)

ROOT = Path(__file__).resolve().parent.parent
UFLP = list(published_optima("uncap"))
PMED_CI = ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5"]


def test_the_data_are_all_there() -> None:
    assert len(UFLP) == 15
    assert len(published_optima("pmed")) == 40
    assert all(pmedian_path(f"pmed{k}").is_file() for k in range(1, 41))
    assert all(uflp_path(name).is_file() for name in UFLP)
    assert (ORLIB_DIR / "README.md").is_file()


def test_duplicate_edges_last_one_wins(tmp_path: Path) -> None:
    # 1-2 listed twice: 5 then 9 -> 9 (the README's rule); 2-3 at 1; 1-3 at 20
    path = tmp_path / "pmedX.txt"
    path.write_text(" 3 4 1\n 1 2 5\n 2 3 1\n 2 1 9\n 1 3 20\n", encoding="ascii")
    found = read_pmedian(path)
    assert found.n_duplicates == 1
    assert found.distances.tolist() == [[0, 9, 10], [9, 0, 1], [10, 1, 0]]


def test_pmed1_reader_counts_and_rule() -> None:
    found = read_pmedian(pmedian_path("pmed1"))
    assert (found.distances.shape, found.p, found.n_edges, found.n_duplicates) == (
        (100, 100),
        5,
        200,
        2,
    )
    assert np.allclose(found.distances, found.distances.T)


@pytest.mark.parametrize("name", UFLP)
def test_published_assignment_costs_the_published_optimum(name: str) -> None:
    found = read_uflp(uflp_path(name))
    tokens = (ORLIB_DIR / "uncap" / f"{name}.txt.opt").read_text(encoding="ascii").split()
    chosen = np.array([int(t) for t in tokens[:-1]])
    assert len(chosen) == found.costs.shape[1]
    cost = (
        found.fixed_costs[np.unique(chosen)].sum()
        + found.costs[chosen, np.arange(len(chosen))].sum()
    )
    assert cost == pytest.approx(float(tokens[-1]), abs=1e-3)
    assert cost == pytest.approx(published_optima("uncap")[name], abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("name", UFLP)
def test_uflp_reproduces_the_published_optimum(name: str) -> None:
    data = LocationData.from_orlib_uflp(uflp_path(name))
    result = solve_classic("uflp", data, Params())
    assert result.status == "optimal"
    assert result.objective == pytest.approx(published_optima("uncap")[name], abs=1e-3)


@pytest.mark.parametrize(("name", "formulation"), [("cap71", "textbook"), ("cap101", "radius")])
def test_uflp_formulations_without_reduction(name: str, formulation: str) -> None:
    """The MIPs alone (no Lagrangian fixing) reach the published optimum."""
    data = LocationData.from_orlib_uflp(uflp_path(name))
    result = solve_classic("uflp", data, Params(formulation=formulation, reduce=False))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(published_optima("uncap")[name], abs=1e-3)


@pytest.mark.parametrize("name", PMED_CI)
def test_pmedian_reproduces_the_published_optimum(name: str) -> None:
    data, p = LocationData.from_orlib_pmedian(pmedian_path(name))
    result = solve_classic("pmedian", data, Params(p=p))
    assert result.status == "optimal"
    assert result.objective == published_optima("pmed")[name]
    assert len(result.open_sites) == p


@pytest.mark.parametrize(("name", "formulation"), [("pmed1", "radius"), ("pmed5", "textbook")])
def test_pmedian_formulations_without_reduction(name: str, formulation: str) -> None:
    """The MIPs alone (no Lagrangian fixing) reach the same optimum."""
    data, p = LocationData.from_orlib_pmedian(pmedian_path(name))
    result = solve_classic("pmedian", data, Params(p=p, formulation=formulation, reduce=False))
    assert result.status == "optimal"
    assert result.objective == published_optima("pmed")[name]


def test_bad_files_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "pmedbad.txt"
    bad.write_text(" 3 2 1\n 1 2 5\n", encoding="ascii")
    with pytest.raises(InputError, match="announces 2 edges"):
        read_pmedian(bad)
    bad.write_text(" 3 1 1\n 1 2 5\n", encoding="ascii")
    with pytest.raises(InputError, match="not connected"):
        read_pmedian(bad)
    cap = tmp_path / "capbad.txt"
    cap.write_text(" 2 1\n 10 5.\n 10 x\n 3 1. 2.\n", encoding="ascii")
    with pytest.raises(InputError, match="expected a number"):
        read_uflp(cap)
    cap.write_text(" 2 1\n 10 5.\n", encoding="ascii")
    with pytest.raises(InputError, match="expected 9 numbers"):
        read_uflp(cap)


@pytest.mark.parametrize(
    ("model", "file", "expected"),
    [
        ("pmedian", "pmed/pmed1.txt", "objective 5819"),
        ("uflp", "uncap/cap71.txt", "objective 932615.75"),
    ],
)
def test_cli_prints_the_objective_last(model: str, file: str, expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "run.py", "classic", model, "--orlib", str(ORLIB_DIR / file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == expected
