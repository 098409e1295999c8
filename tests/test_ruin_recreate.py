"""Ruin and recreate (model/ruin_recreate.py): never below its start by a value recomputed from
the pair tuples, the cores per type and the district capacity kept, no rule of family 7 that
held broken, never above the enumerated optimum, the same siting for the same seed, and the
time limit's share honoured."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.column_index import column_index
from model.generate import generate_region
from model.instance import SitingInstance
from model.local_search import Search
from model.pipeline import remaining_time, warm_start
from model.results import evaluate
from model.ruin_recreate import AUTO_ROUNDS, SEARCH_FROM_PAIRS, rounds_for, ruin_and_recreate
from model.scenario import scenario_from_dict
from model.warmstart import searched_siting, site_scores
from solvers.base import SolverOptions
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import random_cases
from tests.test_local_search import _setup, _value_from_scratch


def _search(instance: SitingInstance) -> Search:
    index = column_index(instance)
    return Search(instance, index, site_scores(instance, index)[0])


def _numbers(instance: SitingInstance, cores: list[Any]) -> list[int]:
    number = {site: n for n, site in enumerate(instance.sites)}
    return sorted(number[s] for s in cores)


def _searched_start(instance: SitingInstance) -> tuple[Search, list[int]]:
    """The search over the instance, and the cores of its relocated siting (no rounds)."""
    found = searched_siting(instance)
    assert found is not None
    return _search(instance), _numbers(instance, found[1].cores)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rr") / "r"
    generate_region(folder, 120, 3, types=12, sectors=8, spacing_km=30)
    return folder


def test_rounds_improve_and_keep_every_count(generated: Path) -> None:
    loaded, region, tables, instance = _setup(generated, {"name": "g"})
    search, start = _searched_start(instance)
    best, improved, ran = ruin_and_recreate(search, start, 60, seed=0)
    assert ran == 60
    before = _value_from_scratch(instance, start, search.score)
    after = _value_from_scratch(instance, best, search.score)
    assert after >= before - 1e-9
    assert (after > before + 1e-9) == (improved > 0)
    types = Counter(search.index.site_type[start].tolist())
    assert Counter(search.index.site_type[best].tolist()) == types  # rule 1 kept
    districts = Counter(search.index.site_district[best].tolist())
    assert max(districts.values()) <= instance.capacity  # rule 2 kept
    # the same seed gives the same siting; the search's note says what the rounds did
    assert ruin_and_recreate(search, start, 60, seed=0) == (best, improved, ran)
    rounds_found = searched_siting(instance, None, 60, 0)
    assert rounds_found is not None
    assert f"then {improved} of 60 ruin-and-recreate rounds improved it" in rounds_found[2]
    assert _numbers(instance, rounds_found[1].cores) == best
    assert not evaluate(rounds_found[1], region, loaded.scenario, tables).violations


def test_rounds_find_more_than_relocations_alone_on_a_generated_region(generated: Path) -> None:
    """Not a guarantee of the method, a check that it does its job on one region: the 12-type
    generated region has cooperation that single moves leave on the table."""
    _l, _r, _t, instance = _setup(generated, {"name": "g"})
    search, start = _searched_start(instance)
    best, improved, _ = ruin_and_recreate(search, start, 200, seed=0)
    assert improved >= 1
    assert search.value(best) > search.value(start)


def test_a_policy_rule_that_holds_is_never_broken(generated: Path) -> None:
    """A lock on a type's worst site: relocations keep it (they never move a family-7 rule
    further from holding), and a round that ruins it and puts the type back at a better site
    must not be kept."""
    _l, _r, _t, free = _setup(generated, {"name": "g"})
    index = column_index(free)
    score, _ = site_scores(free, index)
    worst = int(np.argmin(score))
    kind, district = free.sites[worst]
    rules = {"lock": [{"cluster": kind, "district": district}]}
    loaded, region, tables, instance = _setup(generated, {"name": "g", "rules": rules})
    plain = searched_siting(instance)
    found = searched_siting(instance, None, 80, 1)
    assert plain is not None and found is not None
    assert (kind, district) in plain[1].cores
    assert (kind, district) in found[1].cores
    assert not evaluate(found[1], region, loaded.scenario, tables).violations


def test_several_cores_of_a_type_never_end_below_the_siting_before_the_rounds(
    generated: Path,
) -> None:
    """With three cores of a type, members are shared (rule 4): the siting returned is worth
    at least the one the rounds started from, by the objective recomputed from the data."""
    rules = {"sites": {"k01": {"min": 3, "max": 3}, "k02": {"min": 2, "max": 2}}}
    loaded, region, tables, instance = _setup(generated, {"name": "g", "rules": rules})
    for seed in range(3):
        plain = searched_siting(instance)
        found = searched_siting(instance, None, 40, seed)
        assert plain is not None and found is not None
        before = evaluate(plain[1], region, loaded.scenario, tables)
        after = evaluate(found[1], region, loaded.scenario, tables)
        assert not after.violations
        assert after.objective >= before.objective - 1e-9, seed


def test_rounds_on_tiny_instances_against_enumeration(tmp_path: Path) -> None:
    checked = 0
    for seed, region_dir, scenario in random_cases(tmp_path, 30):
        loaded, region, tables, instance = _setup(region_dir, scenario)
        plain = searched_siting(instance)
        found = searched_siting(instance, None, 25, seed)
        if found is None or plain is None:
            continue
        evaluation = evaluate(found[1], region, loaded.scenario, tables)
        if evaluate(plain[1], region, loaded.scenario, tables).violations:
            continue
        assert not evaluation.violations, (seed, evaluation.violations)
        assert (
            evaluation.objective
            >= evaluate(plain[1], region, loaded.scenario, tables).objective - 1e-9
        )
        status, best = solve_by_enumeration(region_dir, {"region": str(region_dir), **scenario})
        assert status == "optimal"
        assert evaluation.objective <= best + 1e-9, seed
        checked += 1
    assert checked >= 12


def test_nothing_to_ruin(tmp_path: Path) -> None:
    """No rounds, no cores or one core: the start comes back as it was."""
    generate_region(tmp_path / "r", 6, 1, types=2, sectors=2)
    _l, _r, _t, instance = _setup(tmp_path / "r", {"name": "g"})
    search = _search(instance)
    assert ruin_and_recreate(search, [], 10) == ([], 0, 0)
    assert ruin_and_recreate(search, [3], 10) == ([3], 0, 0)
    assert ruin_and_recreate(search, [5, 1], 0) == ([1, 5], 0, 0)
    _l, _r, _t, one = _setup(
        tmp_path / "r", {"name": "g", "rules": {"sites": {"k02": {"min": 0, "max": 0}}}}
    )
    found = searched_siting(one, None, 10, 0)
    assert found is not None and len(found[1].cores) == 1
    assert "ruin" not in found[2]  # one core: nothing to ruin, no rounds reported


def test_zero_objective_rounds_change_nothing(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 10, 1, types=3, sectors=3)
    zero = {"fit": 0, "export": 0, "member": 0, "coop": 0}
    _l, _r, _t, instance = _setup(tmp_path / "r", {"name": "g", "weights": zero})
    search, start = _searched_start(instance)
    assert ruin_and_recreate(search, start, 20) == (start, 0, 20)


def test_a_passed_deadline_runs_no_round(generated: Path) -> None:
    _l, _r, _t, instance = _setup(generated, {"name": "g"})
    search, start = _searched_start(instance)
    assert ruin_and_recreate(search, start, 50, deadline=time.perf_counter() - 1) == (
        start,
        0,
        0,
    )
    found = searched_siting(instance, None, 50, 0, time.perf_counter() - 1)
    assert found is not None
    assert (
        "then 0 of 0 ruin-and-recreate rounds (of 50: the time limit's share ran out)" in found[2]
    )


def test_the_setting_and_the_time_limit(generated: Path) -> None:
    assert rounds_for("auto", SEARCH_FROM_PAIRS - 1) == 0
    assert rounds_for("auto", SEARCH_FROM_PAIRS) == AUTO_ROUNDS
    assert rounds_for(7, 10) == 7
    # the solver gets the time limit less the search's seconds (tests/test_run_bound.py)
    assert remaining_time(SolverOptions(time_limit=60.0), 10.0).time_limit == 50.0
    loaded, region, tables, instance = _setup(
        generated, {"name": "g", "solver": {"search_rounds": 30, "seed": 4}}
    )
    warm, start = warm_start(instance, region, loaded.scenario, tables)
    assert start is not None and "of 30 ruin-and-recreate rounds improved it" in warm.note
    expected = searched_siting(instance, None, 30, 4)
    assert expected is not None and start == expected[1]


@pytest.mark.parametrize("value", [-1, 100_001, "many", 2.5])
def test_a_bad_setting_is_refused(value: Any, generated: Path) -> None:
    with pytest.raises(Exception, match="search_rounds"):
        scenario_from_dict(
            {"name": "g", "region": str(generated), "solver": {"search_rounds": value}}
        )
