"""Every installed solver finds the same optimum: on the baseline, and on random tiny regions.

On the tiny regions (tests/reference/tiny.py) the expected value comes from the independent
brute-force enumerator (tests/reference/bruteforce.py); on the 27-district baseline, which is
too large to enumerate, every solver must agree with HiGHS, whose value the end-to-end tests
check against the data.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.pipeline import solve_scenario_file
from tests.installed_solvers import solvers_under_test
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import write_random_instance

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
INSTALLED = solvers_under_test()
SEEDS = range(1000, 1030)


def write_case(seed: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, scenario


@pytest.fixture(scope="module")
def baseline_optimum() -> float:
    result = solve_scenario_file(BASELINE, solver="highs")
    assert result.status == "optimal" and result.objective is not None
    return result.objective


@pytest.mark.parametrize("name", INSTALLED)
def test_baseline_optimum_agrees_with_highs(name: str, baseline_optimum: float) -> None:
    result = solve_scenario_file(BASELINE, solver=name)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(baseline_optimum, abs=1e-6)
    assert result.outcome is not None and result.outcome.solver == name


@pytest.mark.parametrize("name", INSTALLED)
def test_tiny_instances_agree_with_enumeration(name: str, tmp_path: Path) -> None:
    statuses = set()
    for seed in SEEDS:
        path, scenario = write_case(seed, tmp_path / str(seed))
        expected_status, expected = solve_by_enumeration(Path(scenario["region"]), scenario)
        result = solve_scenario_file(path, solver=name)
        assert result.status == expected_status, f"seed {seed}"
        statuses.add(result.status)
        if expected_status == "optimal":
            assert result.objective == pytest.approx(expected, abs=1e-6), f"seed {seed}"
    assert statuses == {"optimal", "infeasible"}
