"""The MIP agrees with brute-force enumeration on 150 random tiny instances.

Each seed writes a random region of 2-6 districts and 1-3 cluster types plus a random scenario
(tests/reference/tiny.py), solves it through the pipeline and compares status and objective with
the independent enumerator (tests/reference/bruteforce.py).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import ALL_FAMILIES, rule_families, write_random_instance

SEEDS = range(150)
TERMS = ("fit", "export", "member", "coop")


def write_case(seed: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    """Write seed's region and scenario file; return the file and the scenario as read back."""
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", SEEDS)
def test_mip_matches_enumeration(seed: int, tmp_path: Path) -> None:
    from model.pipeline import solve_scenario_file

    path, scenario = write_case(seed, tmp_path)
    expected_status, expected_objective = solve_by_enumeration(Path(scenario["region"]), scenario)
    result = solve_scenario_file(path)
    assert result.status == expected_status
    if expected_status == "infeasible":
        assert result.objective is None
        return
    assert result.objective == pytest.approx(expected_objective, abs=1e-6)
    assert set(result.terms) == set(TERMS)
    assert sum(result.terms[t] for t in TERMS) == pytest.approx(result.objective, abs=1e-6)


def test_instances_cover_every_rule_family_and_both_statuses(tmp_path: Path) -> None:
    families: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for seed in SEEDS:
        _path, scenario = write_case(seed, tmp_path / str(seed))
        families.update(rule_families(scenario))
        statuses[solve_by_enumeration(Path(scenario["region"]), scenario)[0]] += 1
    thin = {family: families[family] for family in ALL_FAMILIES if families[family] < 5}
    assert not thin, f"rule families exercised by fewer than 5 seeds: {thin}"
    assert statuses["optimal"] >= 0.6 * len(SEEDS)
    assert statuses["infeasible"] >= 5
