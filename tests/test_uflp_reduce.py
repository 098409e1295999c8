"""Site fixing of the UFLP (``model.classic.uflp_reduce``) against enumeration.

Random cost matrices with fixed costs leave a gap between the Lagrangian (= LP) bound and the
optimum, so the bounds fix some sites and leave others to the MIP. Every solution costing at
most the heuristic's must survive the fixing, and the optimum through the reduction must be
the enumerated one.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model.classic import LocationData, Params, solve_classic
from model.classic.uflp_reduce import greedy, local_search, prepare, total_cost


def case(seed: int) -> LocationData:
    """14 clients × 10 sites, costs 0..59 (fractional for odd seeds), fixed costs 5..80; a
    predefined facility for every third seed."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 60, size=(14, 10)).astype(float)
    if seed % 2:
        costs += rng.random(costs.shape)
    data = LocationData.from_matrix(costs, fixed_costs=rng.integers(5, 81, size=10))
    return data.with_existing([data.sites[seed % 10]]) if seed % 3 == 0 else data


def every_solution(data: LocationData) -> dict[tuple[int, ...], float]:
    """Cost of every set of open sites that holds the predefined ones (enumerated)."""
    assert data.fixed_costs is not None
    must = set(data.existing_index)
    out = {}
    for size in range(1, len(data.sites) + 1):
        for chosen in itertools.combinations(range(len(data.sites)), size):
            if must <= set(chosen):
                service = (data.weights[:, None] * data.distances)[:, list(chosen)].min(axis=1)
                out[chosen] = float(data.fixed_costs[list(chosen)].sum() + service.sum())
    return out


def test_fixing_keeps_every_solution_as_good_as_the_heuristic() -> None:
    fixed = free = 0
    for seed in range(24):
        data = case(seed)
        solutions = every_solution(data)
        optimum = min(solutions.values())
        prepared = prepare(data, Params())
        upper = solutions[tuple(prepared.incumbent.open_sites)]
        assert prepared.lower_bound <= optimum + 1e-9 * optimum
        assert upper >= optimum
        kept = set(prepared.site_map)
        opened = {prepared.site_map[n] for n in prepared.data.existing_index}
        assert set(data.existing_index) <= opened
        fixed += len(data.sites) - len(kept) + len(opened)
        free += len(kept) - len(opened)
        for chosen, cost in solutions.items():
            if cost <= upper + 1e-9 * cost:
                assert set(chosen) <= kept, (seed, chosen)
                assert opened <= set(chosen), (seed, chosen)
    assert fixed > 24 and free > 24  # the bounds fix sites, and leave some to the MIP


@pytest.mark.parametrize("seed", range(24))
@pytest.mark.parametrize("reduce", [True, False])
def test_optimum_through_the_reduction_is_the_enumerated_one(seed: int, reduce: bool) -> None:
    data = case(seed)
    optimum = min(every_solution(data).values())
    result = solve_classic("uflp", data, Params(reduce=reduce))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(optimum, rel=1e-9)
    assert set(data.existing) <= set(result.open_sites)


def test_local_search_reaches_a_local_optimum_of_add_drop_and_swap() -> None:
    """No single add, drop or swap improves the heuristic (checked by enumerating them)."""
    for seed in range(12):
        data = case(seed)
        assert data.fixed_costs is not None
        costs = data.weights[:, None] * data.distances
        fixed = np.asarray(data.fixed_costs, dtype=float)
        existing = np.zeros(len(data.sites), dtype=bool)
        existing[data.existing_index] = True
        chosen = local_search(costs, fixed, greedy(costs, fixed, existing), existing)
        current = total_cost(costs, fixed, chosen)
        for out, into in itertools.product([-1, *range(10)], [-1, *range(10)]):
            trial = chosen.copy()
            if out >= 0:
                if not chosen[out] or existing[out]:
                    continue
                trial[out] = False
            if into >= 0:
                if trial[into]:
                    continue
                trial[into] = True
            if trial.any():
                assert total_cost(costs, fixed, trial) >= current - 1e-9 * current


DEGENERATE = {
    "one site": (np.array([[3.0], [4.0]]), [7]),
    "one client": (np.array([[3.0, 1.0, 2.0]]), [5, 9, 6]),
    "free sites": (np.array([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0]]), [0, 0]),
    "all tied": (np.full((3, 3), 2.0), [4, 4, 4]),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_degenerate_instances_match_enumeration(name: str) -> None:
    costs, fixed = DEGENERATE[name]
    data = LocationData.from_matrix(costs, fixed_costs=fixed)
    optimum = min(every_solution(data).values())
    prepared = prepare(data, Params())
    assert prepared.lower_bound <= optimum + 1e-9
    result = solve_classic("uflp", data, Params())
    assert result.status == "optimal"
    assert result.objective == pytest.approx(optimum, abs=1e-9)
