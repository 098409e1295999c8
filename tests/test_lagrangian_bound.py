"""The Lagrangian bound (model/lagrangian_bound.py): never below the optimum, enumerated on
random tiny regions and solved by HiGHS on a generated one; exact where nothing is relaxed;
-inf where rules 1 and 2 cannot hold; 0 for a zero objective."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from model.column_index import column_index
from model.generate import generate_region
from model.instance import SitingInstance
from model.lagrangian_bound import _transportation, lagrangian_bound
from model.partner_groups import half_pairs, partner_groupings
from model.pipeline import solve
from model.scenario import scenario_from_dict
from model.warmstart import site_scores
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import random_cases
from tests.test_local_search import _setup


def _instance(region_dir: Path, data: dict[str, Any]) -> SitingInstance:
    return _setup(region_dir, data)[3]


def test_never_below_the_enumerated_optimum(tmp_path: Path) -> None:
    checked = 0
    for seed, region_dir, scenario in random_cases(tmp_path, 40):
        status, best = solve_by_enumeration(region_dir, {"region": str(region_dir), **scenario})
        instance = _instance(region_dir, scenario)
        # aimed at a target below the optimum, so that the steps push the bound down hard
        bound = lagrangian_bound(instance, target=0.0, rounds=60)
        if status != "optimal":
            continue
        assert bound.value >= best - 1e-7, (seed, bound.value, best)
        checked += 1
    assert checked >= 20


def test_never_below_the_mip_optimum_and_tighter_than_no_steps(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 60, 2, types=6, sectors=6, spacing_km=30)
    data = {"name": "g", "region": str(tmp_path / "r"), "solver": {"time_limit": 120}}
    result = solve(scenario_from_dict(data))
    assert result.status == "optimal" and result.objective is not None
    optimum = result.objective
    instance = _instance(tmp_path / "r", {"name": "g"})
    first = lagrangian_bound(instance, optimum, rounds=1)
    stepped = lagrangian_bound(instance, optimum, rounds=200)
    assert stepped.value >= optimum - 1e-7
    assert stepped.value <= first.value + 1e-12  # the smallest over the rounds
    assert stepped.value < first.value  # and the steps do tighten it here


def test_exact_without_cooperation(tmp_path: Path) -> None:
    """With no pairs and one core per type, nothing but rules 4 and 7 is relaxed, and this
    region has neither a border floor nor members that compete: the bound is the best
    assignment of types to districts by score, found here by brute force."""
    generate_region(tmp_path / "r", 5, 1, types=3, sectors=3)
    instance = _instance(tmp_path / "r", {"name": "g", "weights": {"coop": 0, "member": 0}})
    assert instance.pair_count == 0
    index = column_index(instance)
    score, _ = site_scores(instance, index)
    grid = np.full((len(instance.types), len(instance.districts)), -np.inf)
    grid[index.site_type, index.site_district] = score
    best = -np.inf
    for a in range(len(instance.districts)):
        for b in range(len(instance.districts)):
            for c in range(len(instance.districts)):
                if max(np.bincount([a, b, c])) <= instance.capacity:
                    best = max(best, grid[0, a] + grid[1, b] + grid[2, c])
    bound = lagrangian_bound(instance, best, rounds=5)
    assert abs(bound.value - best) <= 1e-9


def test_zero_objective_and_infeasible_rules(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 6, 1, types=2, sectors=2)
    zero = {"fit": 0, "export": 0, "member": 0, "coop": 0}
    assert (
        lagrangian_bound(_instance(tmp_path / "r", {"name": "g", "weights": zero}), 0.0).value
        == 0.0
    )
    # two types need three cores each, six districts hold one each: rules 1 and 2 cannot hold
    crowded = {
        "name": "g",
        "rules": {
            "max_clusters_per_district": 1,
            "sites": {"k01": {"min": 4, "max": 4}, "k02": {"min": 3, "max": 3}},
        },
    }
    assert lagrangian_bound(_instance(tmp_path / "r", crowded), 0.0).value == -np.inf
    # every district forbidden and no type required: nothing can be sited, the optimum is 0
    districts = _instance(tmp_path / "r", {"name": "g"}).districts
    forbid_all = {
        "sites": {"default": {"min": 0, "max": 1}},
        "forbid": [{"district": district} for district in districts],
    }
    empty = _instance(tmp_path / "r", {"name": "g", "rules": forbid_all})
    assert not empty.sites
    assert lagrangian_bound(empty, 0.0).value == 0.0


def test_the_district_caps_tighten_the_first_round(tmp_path: Path) -> None:
    """At λ = 0 the bound with both sums (h_s the smaller) is below the bound with the
    partner-type sums alone, recomputed here, on a region whose districts hold one core each:
    a core's best partners of several types often sit in one district, and the district caps
    of rule 2 bind."""
    generate_region(tmp_path / "r", 24, 2, types=8, sectors=8)
    one_each = {"name": "g", "rules": {"max_clusters_per_district": 1}}
    instance = _instance(tmp_path / "r", one_each)
    index = column_index(instance)
    score, _ = site_scores(instance, index)
    most = np.array([instance.site_range[k][1] for k in instance.types])
    least = np.array([instance.site_range[k][0] for k in instance.types])
    halves = half_pairs(instance, index)
    by_type, _ = partner_groupings(instance, index, halves, most)
    coef = instance.pair_table.coef
    typed, _ = by_type.earned(halves.parts(coef, np.zeros(len(coef))), len(instance.sites))
    highs = _transportation(instance, index, least, most)
    assert highs is not None
    columns = np.arange(len(instance.sites), dtype=np.int32)
    highs.changeColsCost(len(columns), columns, score + typed)
    highs.run()
    types_only = highs.getInfo().objective_function_value
    first = lagrangian_bound(instance, 0.0, rounds=1)
    assert first.value < types_only - 1e-6


def test_never_below_the_mip_optimum_with_two_cores_of_a_type(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 40, 2, types=4, sectors=4, spacing_km=30)
    rules = {"sites": {"k02": {"min": 2, "max": 2}, "k03": {"min": 0, "max": 3}}}
    data = {"name": "g", "region": str(tmp_path / "r"), "rules": rules}
    result = solve(scenario_from_dict({**data, "solver": {"time_limit": 120}}))
    assert result.status == "optimal" and result.objective is not None
    instance = _instance(tmp_path / "r", {"name": "g", "rules": rules})
    bound = lagrangian_bound(instance, target=0.0, rounds=150)
    assert bound.value >= result.objective - 1e-7
