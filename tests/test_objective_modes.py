"""The scenario's ``objective`` key: lexicographic order and normalised weights in a run.

Checked against the brute-force enumerator: every level of a lexicographic order is solved
by hand over all core sets that meet the rules (fit and coop follow from the cores alone),
and normalised weights are recomputed from a payoff table enumerated the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from model.errors import InputError
from model.pipeline import solve_scenario_file
from model.results import Solution, evaluate
from model.scenario import Weights, load_scenario
from tests.inprocess import run_main
from tests.reference.bruteforce import merge, scored_core_sets
from tests.test_against_enumeration import write_case
from tests.test_cli import run_cli

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SEEDS = [300, 304, 305, 309, 310, 313, 314, 315]  # feasible ones (test_fast_resolve lists why)
UNIT = {"fit": 1.0, "export": 1.0, "member": 1.0, "coop": 1.0}
ALONE = {t: {u: float(u == t) for u in UNIT} for t in UNIT}


def term_of_sets(region: Path, scenario: dict[str, Any], term: str) -> dict[frozenset, float]:
    """Each feasible core set's value of one core-determined term (fit, export or coop)."""
    found = scored_core_sets(region, merge(scenario, {"weights": ALONE[term]}))
    return dict(found)


def unweighted(result: Any) -> dict[str, float]:
    cores = sorted(result.core_set())
    scenario = result.loaded.scenario.model_copy(update={"weights": Weights(**UNIT)})
    return evaluate(Solution(cores, []), result.region, scenario, result.tables).terms


def hand_lexicographic(
    values: dict[str, dict[frozenset, float]], order: list[str], give: list[float]
) -> list[float]:
    """Level by level over every core set: the optimum of each level, the sets held."""
    sets = list(values[order[0]])
    optima = []
    for term, g in zip(order, give, strict=True):
        best = max(values[term][s] for s in sets)
        optima.append(best)
        slack = max(g * abs(best), 1e-7 * max(1.0, abs(best)))
        sets = [s for s in sets if values[term][s] >= best - slack]
    return optima


@pytest.mark.parametrize("seed", SEEDS)
def test_lexicographic_run_equals_the_levels_solved_by_hand(seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path)
    region = Path(scenario["region"])
    scenario = merge(scenario, {"weights": UNIT})
    values = {t: term_of_sets(region, scenario, t) for t in ("fit", "coop", "export")}
    for order, tolerance, give in (
        (["fit", "coop"], "[0, 0]", [0.0, 0.0]),
        (["coop", "fit"], '["20%", 0]', [0.2, 0.0]),
        (["export", "coop", "fit"], "0", [0.0, 0.0, 0.0]),
    ):
        overrides = [f"weights.{t}=1" for t in UNIT]
        overrides += [f"objective.order=[{', '.join(order)}]", f"objective.tolerance={tolerance}"]
        result = solve_scenario_file(path, overrides)
        assert result.status == "optimal"
        optima = hand_lexicographic(values, order, give)
        got = unweighted(result)
        # the last level is at its optimum; every earlier one within its tolerance
        assert got[order[-1]] == pytest.approx(optima[-1], abs=1e-6)
        for term, best, g in zip(order, optima, give, strict=True):
            assert got[term] >= best - max(g * abs(best), 1e-6) - 1e-9, (order, term)


def test_normalised_weights_against_an_enumerated_payoff_table(tmp_path: Path) -> None:
    path, scenario = write_case(310, tmp_path)
    region = Path(scenario["region"])
    shares = {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 0.5}
    values = {t: term_of_sets(region, scenario, t) for t in ("fit", "coop")}
    # payoff rows: fit first then coop, coop first then fit
    fit_row = hand_lexicographic(values, ["fit", "coop"], [0.0, 0.0])
    coop_row = hand_lexicographic(values, ["coop", "fit"], [0.0, 0.0])
    ideal = {"fit": fit_row[0], "coop": coop_row[0]}
    nadir = {"fit": coop_row[1], "coop": fit_row[1]}
    weights = {
        t: shares[t] / (ideal[t] - nadir[t]) if ideal[t] - nadir[t] > 1e-12 else 0.0
        for t in ("fit", "coop")
    }
    overrides = [f"weights.{t}={v}" for t, v in shares.items()] + ["objective.normalised=true"]
    result = solve_scenario_file(path, overrides)
    used = result.loaded.scenario.weights
    assert used.fit == pytest.approx(weights["fit"], rel=1e-6)
    assert used.coop == pytest.approx(weights["coop"], rel=1e-6)
    assert used.export == 0.0 and used.member == 0.0
    assert not result.loaded.scenario.objective.normalised  # reruns to the same siting
    best = max(
        weights["fit"] * values["fit"][s] + weights["coop"] * values["coop"][s]
        for s in values["fit"]
    )
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_every_share_zero_gives_weights_zero() -> None:
    overrides = [f"weights.{t}=0" for t in UNIT] + ["objective.normalised=true"]
    result = solve_scenario_file(BASELINE, overrides)
    assert result.status == "optimal" and result.objective == 0.0


@pytest.mark.parametrize(
    "overrides",
    [
        ["objective.order=[fit, fit]"],
        ["objective.tolerance=1"],
        ["objective.order=[fit]", "objective.tolerance=[1, 2]"],
        ["objective.order=[fat]"],
        ["objective.order=[fit]", "objective.tolerance=-1"],
        ["objective.order=[fit]", "objective.tolerance=abc"],
        ["objective.order=[fit]", "objective.normalised=true"],
        ["objective.order=[]"],
    ],
)
def test_bad_objective_keys_are_refused(overrides: list[str]) -> None:
    with pytest.raises(InputError, match="objective"):
        load_scenario(BASELINE, overrides)


def test_lexicographic_run_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "lex"
    done = run_main(
        "run",
        str(BASELINE),
        "--set",
        "objective.order=[coop, fit]",
        "--set",
        'objective.tolerance=["5%", 0]',
        "--out",
        str(out),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert (out / "summary.json").is_file() and (out / "report.html").is_file()
    bad = run_cli(
        "run", str(BASELINE), "--set", "objective.order=[fat]", "--out", str(tmp_path / "b")
    )
    assert bad.returncode == 2 and "objective.order" in bad.stderr
    assert not (tmp_path / "b").exists()
