"""Payoff table, lexicographic order and normalised weights (``model.payoff``, ``run.py
payoff``).

Checked against independent solves of the ordinary pipeline (one term's weight at 1, the others
at 0: the ideal), against brute-force enumeration on random tiny regions (each row's vector is
non-dominated among every siting, its first term the enumerated maximum, the lexicographic order
the enumerated lexicographic maximum), and the normalised weights against their formula.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from model.errors import InputError
from model.payoff import (
    TermSolver,
    lexicographic,
    normalised_weights,
    parse_shares,
    parse_terms,
    parse_tolerances,
    payoff_table,
)
from model.pipeline import solve, solver_options
from model.scenario import load_scenario
from tests.inprocess import run_main
from tests.test_cli import run_cli
from tests.test_front import enumerated_vectors, write_case

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
TERMS = ("fit", "export", "member", "coop")


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    loaded = load_scenario(BASELINE)
    result = solve(loaded)
    solver = TermSolver(
        result.region, loaded.scenario, result.tables, TERMS, solver_options(loaded)
    )
    return loaded, result, solver


def test_ideal_is_each_term_alone_through_the_pipeline(baseline) -> None:  # type: ignore[no-untyped-def]
    _loaded, _result, solver = baseline
    table = payoff_table(solver)
    assert table is not None
    for term in TERMS:
        alone = [f"weights.{t}={1 if t == term else 0}" for t in TERMS]
        best = solve(load_scenario(BASELINE, alone))
        assert table.ideal[term] == pytest.approx(best.objective, abs=1e-6)
        assert table.rows[term].terms[term] == table.ideal[term]
        assert table.nadir[term] <= table.ideal[term]
    # every row is non-dominated among the rows
    vectors = [tuple(table.rows[t].terms[u] for u in TERMS) for t in TERMS]
    for v in vectors:
        assert not any(
            all(a >= b - 1e-9 for a, b in zip(w, v, strict=True)) and w != v for w in vectors
        )


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_rows_match_enumeration(seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path)
    vectors = enumerated_vectors(scenario)
    loaded = load_scenario(path)
    result = solve(loaded)
    solver = TermSolver(
        result.region, loaded.scenario, result.tables, TERMS, solver_options(loaded)
    )
    table = payoff_table(solver)
    if not vectors:
        assert table is None
        return
    assert table is not None
    for term, order in table.orders.items():
        # the lexicographic maximum of the enumerated vectors in the row's order
        best = max(vectors.values(), key=lambda v: tuple(round(v[t], 7) for t in order))
        for t in TERMS:
            assert table.rows[term].terms[t] == pytest.approx(best[t], abs=1e-5), (order, t)


def test_lexicographic_tolerances(baseline) -> None:  # type: ignore[no-untyped-def]
    _loaded, _result, solver = baseline
    table = payoff_table(solver)
    assert table is not None
    exact, optima = lexicographic(solver, ["fit", "coop"])
    assert exact is not None
    assert optima[0] == pytest.approx(table.ideal["fit"])
    assert exact.terms["fit"] == pytest.approx(table.ideal["fit"], abs=1e-6)
    assert exact.terms["coop"] == pytest.approx(table.rows["fit"].terms["coop"], abs=1e-6)
    # a 10 % give on fit buys at least as much coop, and fit stays within it
    loose, optima = lexicographic(solver, ["fit", "coop"], ["10%", "0"])
    assert loose is not None
    assert loose.terms["fit"] >= 0.9 * table.ideal["fit"] - 1e-6
    assert loose.terms["coop"] >= exact.terms["coop"] - 1e-9
    assert optima[1] == pytest.approx(loose.terms["coop"])
    # an absolute give as large as the range frees coop completely
    free, _ = lexicographic(solver, ["fit", "coop"], [table.ideal["fit"] + 1, 0])
    assert free is not None
    assert free.terms["coop"] == pytest.approx(table.ideal["coop"], abs=1e-6)


def test_normalised_weights_follow_the_formula(baseline) -> None:  # type: ignore[no-untyped-def]
    _loaded, _result, solver = baseline
    table = payoff_table(solver)
    assert table is not None
    weights = normalised_weights(table, {"fit": 1.0, "coop": 0.5})
    ranges = table.ranges
    assert weights["fit"] == pytest.approx(1.0 / ranges["fit"])
    assert weights["coop"] == pytest.approx(0.5 / ranges["coop"])
    assert weights["export"] == 0.0 and weights["member"] == 0.0
    # a term with a zero range gets weight 0
    table.rows["export"].terms["export"] = table.nadir["export"]  # fake a flat range
    assert normalised_weights(table, {"export": 1.0})["export"] == 0.0


def test_parsers_refuse_bad_text() -> None:
    assert parse_terms("fit, coop") == ["fit", "coop"]
    assert parse_tolerances("1%,0.5", 2) == ["1%", "0.5"]
    assert parse_tolerances("0.1", 3) == ["0.1"] * 3
    assert parse_shares("fit=1,coop=0.5")["coop"] == 0.5
    for bad in (
        lambda: parse_terms("fit,happiness"),
        lambda: parse_terms("fit,fit"),
        lambda: parse_tolerances("1%,2%,3%", 2),
        lambda: parse_tolerances("-1", 1),
        lambda: parse_tolerances("x%", 1),
        lambda: parse_shares("fit=-1"),
        lambda: parse_shares("fit=0"),
        lambda: parse_shares("joy=1"),
    ):
        with pytest.raises(InputError):
            bad()


def test_payoff_command(tmp_path: Path) -> None:
    out = tmp_path / "payoff"
    done = run_main(
        "payoff",
        str(BASELINE),
        "--order",
        "coop,fit",
        "--tolerance",
        "5%,0",
        "--normalised",
        "fit=1,export=1,member=0.5,coop=1",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    for name in ("payoff.csv", "summary.json", "report.md", "report.html"):
        assert (out / name).is_file()
    table = pd.read_csv(out / "payoff.csv")
    assert list(table["row"]) == list(TERMS)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for term in TERMS:
        assert summary["ideal"][term] == pytest.approx(table[term].max())
        assert summary["nadir"][term] == pytest.approx(table[term].min())
    lex = summary["lexicographic"]
    assert lex["terms"]["coop"] >= 0.95 * summary["ideal"]["coop"] - 1e-6
    assert lex["not_optimised"] == ["export", "member"]
    normalised = summary["normalised"]
    for term in TERMS:
        share = normalised["shares"][term]
        assert normalised["weights"][term] == pytest.approx(share / summary["ranges"][term])
    # the weighted run with those weights finds the same value
    again = solve(load_scenario(BASELINE, normalised["set"]))
    value = sum(normalised["weights"][t] * normalised["terms"][t] for t in TERMS)
    assert again.objective == pytest.approx(value, abs=1e-6)


def test_payoff_command_on_an_infeasible_scenario(tmp_path: Path) -> None:
    out = tmp_path / "payoff"
    done = run_cli(
        "payoff", str(BASELINE), "--set", "rules.min_border_sites=100", "--out", str(out)
    )
    assert done.returncode == 3
    assert not out.exists()
    bad = run_cli("payoff", str(BASELINE), "--tolerance", "1%", "--out", str(out))
    assert bad.returncode == 2 and "--tolerance" in bad.stderr
