"""Property-based tests (hypothesis) on random valid regions and scenarios.

The instances come from the random tiny-region writer of tests/reference/tiny.py, driven by
hypothesis' random source so that a failure shrinks and replays. Every example must either
solve, with every constraint satisfied and the value equal to the independent enumeration, or
be reported infeasible with a diagnosis. Two metamorphic properties follow from the model's
form: scaling all weights by c > 0 scales the optimum by c, and forbidding a site can never
raise the optimum.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.pipeline import RunResult, solve_scenario_file
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import write_random_instance

# a fixed budget and derandomised examples so that CI time and outcomes are stable
BUDGET = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def solve_random(rng: random.Random, folder: Path, **changes: Any) -> tuple[RunResult, dict]:
    scenario = {"name": "prop", **write_random_instance(rng, folder)}
    for key, value in changes.items():
        scenario[key] = value(scenario) if callable(value) else value
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return solve_scenario_file(path), scenario


@BUDGET
@given(rng=st.randoms(use_true_random=False))
def test_random_instance_solves_correctly_or_is_diagnosed(rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result, scenario = solve_random(rng, Path(tmp))
        expected_status, expected_value = solve_by_enumeration(Path(scenario["region"]), scenario)
    assert result.status == expected_status
    if result.status == "infeasible":
        assert result.diagnosis
        assert result.objective is None and result.assignments.empty
    else:
        assert result.objective == pytest.approx(expected_value, abs=1e-6)
        assert result.objective == pytest.approx(sum(result.terms.values()), abs=1e-9)


@pytest.mark.slow
@BUDGET
@given(rng=st.randoms(use_true_random=False), factor=st.sampled_from([0.5, 2.0, 3.0]))
def test_scaling_every_weight_scales_the_optimum(rng: random.Random, factor: float) -> None:
    state = rng.getstate()
    with tempfile.TemporaryDirectory() as tmp:
        plain, scenario = solve_random(rng, Path(tmp) / "a")
        rng.setstate(state)
        weights = {k: v * factor for k, v in _weights(scenario).items()}
        scaled, _ = solve_random(rng, Path(tmp) / "b", weights=weights)
    assert plain.status == scaled.status
    if plain.objective is not None and scaled.objective is not None:
        assert scaled.objective == pytest.approx(factor * plain.objective, rel=1e-6, abs=1e-9)


@pytest.mark.slow
@BUDGET
@given(rng=st.randoms(use_true_random=False))
def test_forbidding_a_chosen_core_never_raises_the_optimum(rng: random.Random) -> None:
    state = rng.getstate()
    with tempfile.TemporaryDirectory() as tmp:
        plain, scenario = solve_random(rng, Path(tmp) / "a")
        if plain.status != "optimal" or plain.assignments.empty:
            return
        locked = scenario.get("rules", {}).get("lock", [])
        cores = plain.assignments[plain.assignments["role"] == "core"]
        free = [
            {"cluster": k, "district": i}
            for k, i in zip(cores["cluster_type"], cores["district"], strict=True)
            if {"cluster": k, "district": i} not in locked
        ]
        if not free:
            return  # every chosen core is locked: banning one would contradict the lock
        ban = free[0]
        rng.setstate(state)

        def with_ban(data: dict) -> dict:
            rules = dict(data.get("rules", {}))
            rules["forbid"] = [*rules.get("forbid", []), ban]
            return rules

        restricted, _ = solve_random(rng, Path(tmp) / "b", rules=with_ban)
    if restricted.objective is not None:
        assert restricted.objective <= plain.objective + 1e-9  # type: ignore[operator]
        after = restricted.assignments[restricted.assignments["role"] == "core"]
        banned = (after["cluster_type"] == ban["cluster"]) & (after["district"] == ban["district"])
        assert not banned.any()


def _weights(scenario: dict) -> dict[str, float]:
    defaults = {"fit": 1.0, "export": 1.0, "member": 0.5, "coop": 1.0}
    return {**defaults, **scenario.get("weights", {})}
