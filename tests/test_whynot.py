"""Cluster values and "why not there?" (model/report/values.py, model/report/whynot.py).

- the values of the clusters add up to the objective, on the shipped scenarios and on random
  tiny instances;
- every move of one core with everything else fixed agrees with brute-force enumeration
  (tests/reference/bruteforce.py, written independently of model/): a move is allowed exactly
  when the enumerator lists the moved core set, and the objective plus the move's change is the
  enumerator's best objective for that core set (types with one core: the move re-optimises
  the members of that cluster only, which is then the whole optimisation);
- at a proven optimum no allowed move gains, and a tie is reported as a tie.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.pipeline import solve_scenario_file
from model.report.values import cluster_values
from model.report.whynot import why_not
from tests.reference.bruteforce import scored_core_sets
from tests.reference.tiny import write_random_instance

REPO = Path(__file__).resolve().parent.parent
SEEDS = range(60)


def write_case(seed: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name", ["baseline", "compact", "cross_border", "export_push", "periphery"]
)
def test_cluster_values_add_up_to_the_objective_on_shipped_scenarios(name: str) -> None:
    result = solve_scenario_file(REPO / "scenarios" / f"{name}.yaml")
    assert result.objective is not None
    values = cluster_values(result)
    assert len(values) == len(result.sitings())
    assert math.fsum(v.value for v in values) == pytest.approx(result.objective, abs=1e-9)
    for term in ("fit", "export", "member", "coop"):
        assert math.fsum(v.terms[term] for v in values) == pytest.approx(
            result.terms[term], abs=1e-9
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_moves_match_enumeration_on_tiny_instances(seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path)
    result = solve_scenario_file(path)
    if result.objective is None:
        assert cluster_values(result) == [] and why_not(result) == []
        return
    values = cluster_values(result)
    assert math.fsum(v.value for v in values) == pytest.approx(result.objective, abs=1e-9)
    scored = dict(scored_core_sets(Path(scenario["region"]), scenario))
    cores = result.core_set()
    assert scored[cores] == pytest.approx(result.objective, abs=1e-6)
    per_type = {k: sum(1 for t, _ in cores if t == k) for k, _ in cores}
    for answer in why_not(result):
        k, i = answer.cluster_type, answer.core
        assert answer.gains == []  # the optimum is proven: no allowed move gains
        for move in answer.moves:
            moved = frozenset(cores - {(k, i)} | {(k, move.district)})
            if per_type[k] == 1:
                assert (not move.blocked) == (moved in scored), (k, i, move)
            if move.blocked:
                continue
            assert moved in scored
            reached = result.objective + answer.delta(move)
            if per_type[k] == 1:
                assert reached == pytest.approx(scored[moved], abs=1e-6)
            else:  # other clusters of the type keep their members: at most the best
                assert reached <= scored[moved] + 1e-6
            assert answer.is_tie(move) == (abs(reached - result.objective) <= answer.tolerance)
