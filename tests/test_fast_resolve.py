"""Fast re-solves on one persistent HiGHS model (``model.fast_resolve``) against the rebuild path.

Every variant is solved twice: by :class:`FastResolver` (costs and bounds changed on one base
model, warm-started) and by ``model.pipeline.solve`` (everything rebuilt). Both must end in the
same status with the same objective (1e-9 relative); where the brute-force enumerator
(``tests/reference/bruteforce.py``) shows a unique optimal core set, both must site exactly it.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.fast_resolve import FastResolver
from model.pipeline import RunResult, solve, solve_scenario_file
from model.robustness import robustness
from model.scenario import load_scenario
from tests.reference.bruteforce import merge, scored_core_sets
from tests.test_against_enumeration import write_case

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SEEDS = range(300, 316)
WEIGHTS = [
    (0.0, 0.0, 0.0, 0.0),  # all weights 0: objective 0, every feasible siting optimal
    (1.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, 0.0, 0.0),
    (0.0, 0.0, 1.0, 0.0),
    (0.0, 0.0, 0.0, 1.0),
    (1.0, 1.0, 0.5, 1.0),
    (2.0, 0.3, 1.5, 0.0),
    (0.7, 1.9, 0.0, 2.5),
]


def same_objective(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def assert_same(fast: RunResult, rebuilt: RunResult, label: str) -> None:
    assert fast.status == rebuilt.status, label
    assert same_objective(fast.objective, rebuilt.objective), (
        label,
        fast.objective,
        rebuilt.objective,
    )
    if fast.objective is not None:
        assert fast.terms.keys() == rebuilt.terms.keys(), label


def unique_optimum(region: Path, scenario: dict[str, Any]) -> frozenset[tuple[str, str]] | None:
    """The optimal core set when the enumeration finds exactly one, else None."""
    found = scored_core_sets(region, scenario)
    if not found:
        return None
    best = max(value for _cores, value in found)
    top = [cores for cores, value in found if abs(value - best) <= 1e-7 * max(1.0, abs(best))]
    return top[0] if len(top) == 1 else None


def weight_override(w: tuple[float, float, float, float]) -> list[str]:
    return [f"weights.{t}={v}" for t, v in zip(("fit", "export", "member", "coop"), w, strict=True)]


@pytest.mark.slow
def test_weight_and_forbid_variants_match_the_rebuild_on_tiny_instances(tmp_path: Path) -> None:
    fast_solves = compared = unique = 0
    for seed in SEEDS:
        path, scenario = write_case(seed, tmp_path / str(seed))
        region = Path(scenario["region"])
        base = load_scenario(path)
        resolver = FastResolver(base)
        district_ids = list(resolver.region.district_ids)
        variants: list[tuple[list[str], dict[str, Any]]] = []
        for w in WEIGHTS:
            weights = dict(zip(("fit", "export", "member", "coop"), w, strict=True))
            variants.append((weight_override(w), merge(scenario, {"weights": weights})))
        # forbid one district for every type, then every district (nothing can be sited)
        forbids = scenario.get("rules", {}).get("forbid", [])
        for gone in (district_ids[:1], district_ids):
            forbid = [*forbids, *({"district": d} for d in gone)]
            text = yaml.safe_dump(forbid, default_flow_style=True).strip()
            rules = merge(scenario.get("rules", {}), {"forbid": forbid})
            variants.append(([f"rules.forbid={text}"], {**scenario, "rules": rules}))
        for overrides, as_dict in variants:
            loaded = load_scenario(path, overrides)
            before = resolver.fast
            fast = resolver.solve(loaded)
            fast_solves += resolver.fast - before
            rebuilt = solve(loaded)
            label = f"seed {seed} {overrides}"
            assert_same(fast, rebuilt, label)
            compared += 1
            if fast.status != "optimal":
                continue
            expected = unique_optimum(region, as_dict)
            if expected is not None:
                unique += 1
                assert fast.core_set() == expected == rebuilt.core_set(), label
    # the comparison means something only if many variants took the fast path (about half
    # of the random scenarios are infeasible by their rules alone: those are rebuilt, and
    # the rebuild path explains them)
    assert compared == len(SEEDS) * (len(WEIGHTS) + 2)
    assert fast_solves >= compared // 3, (fast_solves, compared)
    assert unique >= compared // 4, (unique, compared)


def budget_scenario(tmp_path: Path, extra: str = "") -> Path:
    """The baseline with a budget that only three free districts meet (capacity 2 each)."""
    path = tmp_path / "budget.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: budget\n"
        "rules:\n"
        "  budget: {limit: 0, default_cost: 1, costs: {smolensky: 0, yartsevsky: 0, "
        "safonovsky: 0, smolensk: 0}}\n" + extra,
        encoding="utf-8",
    )
    return path


def test_an_infeasible_variant_on_the_fast_path(tmp_path: Path) -> None:
    """Forbidding two of the four free districts leaves room for 4 of the 6 types' cores:
    no structural check sees it (the budget is not one), so the fast path must find it."""
    path = budget_scenario(tmp_path)
    resolver = FastResolver(load_scenario(path))
    feasible = resolver.solve()
    assert feasible.status == "optimal"
    free = {"smolensky", "yartsevsky", "safonovsky", "smolensk"}
    assert {i for _k, i in feasible.core_set()} <= free
    forbid = "rules.forbid=[{district: safonovsky}, {district: smolensk}]"
    loaded = load_scenario(path, [forbid])
    before = resolver.fast
    fast = resolver.solve(loaded)
    assert resolver.fast == before + 1  # solved on the base model, not rebuilt
    rebuilt = solve(loaded)
    assert fast.status == rebuilt.status == "infeasible"
    assert fast.objective is None and fast.assignments.empty
    assert fast.diagnosis == rebuilt.diagnosis  # the same explanation as the rebuild path
    # and back: the next feasible variant is not spoilt by the infeasible one
    again = resolver.solve(load_scenario(path, ["weights.coop=2"]))
    assert_same(again, solve(load_scenario(path, ["weights.coop=2"])), "after infeasible")


def test_nothing_sited_and_zero_weights_on_the_baseline(tmp_path: Path) -> None:
    path = tmp_path / "optional.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: optional\nrules:\n  sites: {{default: {{min: 0, max: 1}}}}\n",
        encoding="utf-8",
    )
    resolver = FastResolver(load_scenario(path))
    every = ", ".join(f"{{district: {d}}}" for d in resolver.region.district_ids)
    for overrides in (
        [f"rules.forbid=[{every}]"],
        weight_override((0.0, 0.0, 0.0, 0.0)),
        weight_override((1.0, 1.0, 0.5, 1.0)),
    ):
        loaded = load_scenario(path, overrides)
        fast, rebuilt = resolver.solve(loaded), solve(loaded)
        assert_same(fast, rebuilt, str(overrides))
        assert fast.status == "optimal"
    nothing = resolver.solve(load_scenario(path, [f"rules.forbid=[{every}]"]))
    assert nothing.objective == 0.0 and nothing.assignments.empty
    assert resolver.fast == 3 + 1 and resolver.rebuilds == 0


def test_a_rule_change_falls_back_to_the_rebuild(tmp_path: Path) -> None:
    resolver = FastResolver(load_scenario(BASELINE))
    loaded = load_scenario(BASELINE, ["rules.max_clusters_per_district=1"])
    fast = resolver.solve(loaded)
    assert resolver.rebuilds == 1 and resolver.fast == 0
    assert_same(fast, solve(loaded), "capacity 1")


def test_many_weight_variants_of_the_baseline_match_the_rebuild() -> None:
    resolver = FastResolver(load_scenario(BASELINE))
    grid = list(itertools.product((0.0, 0.6, 1.7), (0.0, 1.3), (0.0, 0.5), (0.0, 1.0, 2.4)))
    for w in grid:
        loaded = load_scenario(BASELINE, weight_override(w))
        assert_same(resolver.solve(loaded), solve(loaded), str(w))
    assert resolver.fast == len(grid) and resolver.rebuilds == 0


@pytest.mark.parametrize(
    ("noise", "times_sigma"),
    [("lognormal", 0.0), ("zero_inflated", 0.0), ("lognormal", 0.3)],
    ids=["lognormal", "zero_inflated", "road_minutes"],
)
def test_robustness_samples_match_the_rebuild(noise: str, times_sigma: float) -> None:
    base = solve_scenario_file(BASELINE)
    fast = robustness(base, 12, 0.3, seed=7, noise=noise, times_sigma=times_sigma)
    rebuilt = robustness(base, 12, 0.3, seed=7, noise=noise, times_sigma=times_sigma, fast=False)
    a, b = fast.samples, rebuilt.samples
    assert list(a["status"]) == list(b["status"])
    for x, y in zip(a["objective"], b["objective"], strict=True):
        assert (math.isnan(x) and math.isnan(y)) or same_objective(x, y)
    # continuous noise: ties between core sets have probability 0, so the sitings agree
    assert list(a["cores"]) == list(b["cores"])
    assert fast.shares.equals(rebuilt.shares)
