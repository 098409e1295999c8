"""Every classic model agrees with brute-force enumeration on random tiny instances, and with
hand-worked answers on a line of four towns.

The enumerators below share nothing with the models but the data: they try every set of open
sites (and, for the capacitated p-median, every assignment) and apply the definition of each
objective directly.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from model.classic import LocationData, Params, lagrange, solve_classic
from model.classic.lagrange import (
    Reduction,
    _SortedCosts,
    assignment_cost,
    branch_and_bound,
    reduce_sites,
)
from model.classic.solve import ClassicCheckError, model_module
from model.errors import InputError

SEEDS = range(12)


def tiny(seed: int, square: bool = False) -> LocationData:
    """5-7 clients, 4-5 sites, integer distances 1..30, integer weights 1..9."""
    rng = np.random.default_rng(seed)
    sites = int(rng.integers(4, 6))
    clients = sites if square else int(rng.integers(5, 8))
    distances = rng.integers(1, 31, size=(clients, sites)).astype(float)
    if square:
        distances = np.minimum(distances, distances.T)
        np.fill_diagonal(distances, 0.0)
    names = [f"t{k}" for k in range(sites)] if square else None
    return LocationData.from_matrix(
        distances,
        clients=names,
        sites=names,
        weights=rng.integers(1, 10, size=clients),
        fixed_costs=rng.integers(20, 120, size=sites),
        capacities=rng.integers(8, 30, size=sites),
    )


def subsets(data: LocationData, size: int | None = None) -> list[tuple[int, ...]]:
    """Sets of open sites holding every predefined one (of the given size, or any size ≥ 1)."""
    must = set(data.existing_index)
    sizes = [size] if size is not None else range(1, len(data.sites) + 1)
    return [
        chosen
        for k in sizes
        for chosen in itertools.combinations(range(len(data.sites)), k)
        if must <= set(chosen)
    ]


def nearest(data: LocationData, chosen: tuple[int, ...]) -> np.ndarray:
    return np.array([min(data.distances[i, j] for j in chosen) for i in range(len(data.clients))])


def brute(model: str, data: LocationData, params: Params) -> float | None:
    """Optimum by enumeration (None when infeasible)."""
    w, p, radius = data.weights, params.p, params.radius
    if model == "pmedian":
        return min(float(w @ nearest(data, s)) for s in subsets(data, p))
    if model == "pcenter":
        return min(float(nearest(data, s).max()) for s in subsets(data, p))
    if model == "pdispersion":
        d = data.dispersion_matrix()
        return max(min(d[a, b] for a, b in itertools.combinations(s, 2)) for s in subsets(data, p))
    if model == "mclp":
        return max(float(w @ (nearest(data, s) <= radius)) for s in subsets(data, p))
    if model == "lscp":
        feasible = [len(s) for s in subsets(data) if nearest(data, s).max() <= radius]
        return float(min(feasible)) if feasible else None
    if model == "uflp":
        assert data.fixed_costs is not None
        return min(
            float(data.fixed_costs[list(s)].sum() + w @ nearest(data, s)) for s in subsets(data)
        )
    if model == "cpmedian":
        return brute_capacitated(data, p, params.capacity)
    raise AssertionError(model)


def brute_capacitated(data: LocationData, p: int | None, capacity: float | None) -> float | None:
    limit = np.full(len(data.sites), capacity) if capacity else data.capacities
    assert limit is not None and p is not None
    best = math.inf
    for chosen in subsets(data, p):
        options = np.array(list(itertools.product(chosen, repeat=len(data.clients))))
        loads = np.zeros((len(options), len(data.sites)))
        for i, weight in enumerate(data.weights):
            np.add.at(loads, (np.arange(len(options)), options[:, i]), weight)
        ok = (loads <= limit[None, :] + 1e-9).all(axis=1)
        ok &= np.array([set(chosen) <= set(row) for row in options])  # every open site used
        if ok.any():
            cost = data.weights[None, :] * data.distances[np.arange(len(data.clients)), options]
            best = min(best, float(cost.sum(axis=1)[ok].min()))
    return None if math.isinf(best) else best


CASES = [
    ("pmedian", Params(p=2)),
    ("pmedian", Params(p=3, formulation="textbook")),
    ("pmedian", Params(p=2, reduce=False)),
    ("pcenter", Params(p=2)),
    ("pdispersion", Params(p=3)),
    ("mclp", Params(p=2, radius=10)),
    ("lscp", Params(radius=12)),
    ("uflp", Params()),
    ("uflp", Params(formulation="radius")),
]


@pytest.mark.parametrize(("model", "params"), CASES, ids=lambda c: str(c)[:40])
@pytest.mark.parametrize("seed", SEEDS)
def test_model_matches_enumeration(model: str, params: Params, seed: int) -> None:
    data = tiny(seed, square=model == "pdispersion")
    expected = brute(model, data, params)
    result = solve_classic(model, data, params)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, abs=1e-6)
    if params.p is not None:
        assert len(result.open_sites) == params.p


@pytest.mark.parametrize("model", ["pmedian", "pcenter", "mclp", "uflp", "lscp", "pdispersion"])
@pytest.mark.parametrize("seed", range(6))
def test_predefined_facilities_stay_open(model: str, seed: int) -> None:
    data = tiny(100 + seed, square=True)
    existing = [data.sites[seed % len(data.sites)]]
    data = data.with_existing(existing)
    params = Params(p=3, radius=14)
    result = solve_classic(model, data, params)
    expected = brute(model, data, params)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert set(existing) <= set(result.open_sites)
    assert result.objective == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_capacitated_pmedian_matches_enumeration(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    clients, sites = 5, 4
    data = LocationData.from_matrix(
        rng.integers(1, 31, size=(clients, sites)).astype(float),
        weights=rng.integers(1, 6, size=clients),
        capacities=rng.integers(6, 15, size=sites),
    )
    params = Params(p=2)
    expected = brute("cpmedian", data, params)
    result = solve_classic("cpmedian", data, params)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, abs=1e-6)


# Four towns on a road: A -10- B -20- C -5- D (distances along it); populations 1, 2, 3, 4.
LINE = np.array([[0, 10, 30, 35], [10, 0, 20, 25], [30, 20, 0, 5], [35, 25, 5, 0]], dtype=float)
TOWNS = ["A", "B", "C", "D"]


def line(**extra: object) -> LocationData:
    return LocationData.from_matrix(
        LINE,
        weights=[1, 2, 3, 4],
        clients=TOWNS,
        sites=TOWNS,
        **extra,  # type: ignore[arg-type]
    )


def test_line_pmedian_by_hand() -> None:
    # p=1: C costs 1·30 + 2·20 + 0 + 4·5 = 90; D costs 35 + 50 + 15 = 100; B 0+... = 10+60+100=170
    result = solve_classic("pmedian", line(), Params(p=1))
    assert (result.open_sites, result.objective) == (["C"], 90.0)
    # p=2: {B, D}: A 10, C 3·5 = 15 -> 25; {A, C}: B 2·10=20, D 4·5=20 -> 40; {B, C}: 10+20=30
    result = solve_classic("pmedian", line(), Params(p=2))
    assert (result.open_sites, result.objective) == (["B", "D"], 25.0)
    assert result.assignment == {"A": "B", "B": "B", "C": "D", "D": "D"}


def test_line_pcenter_and_dispersion_by_hand() -> None:
    # one centre: B reaches D in 25, C reaches A in 30 -> B with radius 25
    assert solve_classic("pcenter", line(), Params(p=1)).objective == 25.0
    # two centres: {A, C} or {B, C}... {B, D}: A 10, C 5 -> radius 10; nothing beats 10
    # because A and B are 10 apart and one of them must serve the other or C/D are far
    assert solve_classic("pcenter", line(), Params(p=2)).objective == 10.0
    # three sites far apart: {A, B, D} has min distance 10; {A, C, D} 5 -> 10
    result = solve_classic("pdispersion", line(), Params(p=3))
    assert (result.objective, result.open_sites) == (10.0, ["A", "B", "D"])


def test_line_covering_by_hand() -> None:
    # radius 10: B covers A, B; C covers C, D -> two sites; MCLP with one: C covers C, D = 7
    assert solve_classic("lscp", line(), Params(radius=10)).objective == 2.0
    assert solve_classic("mclp", line(), Params(p=1, radius=10)).objective == 7.0
    # radius 4: nothing covers two towns; LSCP needs all four sites
    assert solve_classic("lscp", line(), Params(radius=4)).objective == 4.0


def test_line_uflp_by_hand() -> None:
    # fixed cost 30 each: one site at C costs 30 + 90 = 120; {B, D} 60 + 25 = 85;
    # {A, C} 60 + 40 = 100; {B, C} 60 + 10 + 20 = 90 ... wait B-C: A 10, D 4·5 = 20 -> 90
    result = solve_classic("uflp", line(fixed_costs=[30, 30, 30, 30]), Params())
    assert (result.open_sites, result.objective) == (["B", "D"], 85.0)


def test_line_capacitated_pmedian_by_hand() -> None:
    # capacity 5: {B, D} would load D with C+D = 7 > 5, so C goes to B: A 10, C 3·20 = 60 -> 70;
    # {B, C}: A->B 10, D->C 20, loads B 3, C 7 > 5: D must go to B: 4·25 = 100 -> worse;
    # {A, D}... the enumeration test covers the rest; here: the optimum respects capacity
    result = solve_classic("cpmedian", line(capacities=[5, 5, 5, 5]), Params(p=2))
    assert result.status == "optimal"
    loads: dict[str, float] = {}
    for town, weight in zip(TOWNS, [1, 2, 3, 4], strict=True):
        loads[result.assignment[town]] = loads.get(result.assignment[town], 0) + weight
    assert max(loads.values()) <= 5
    assert result.objective == brute("cpmedian", line(capacities=[5, 5, 5, 5]), Params(p=2))


def test_lscp_reports_infeasible_when_a_client_is_out_of_reach() -> None:
    data = LocationData.from_matrix([[1.0, 50.0], [40.0, 60.0]])
    result = solve_classic("lscp", data, Params(radius=10))
    assert result.status == "infeasible"
    assert result.objective is None
    assert model_module("lscp").unreachable(data, Params(radius=10)) == ["c1"]


def test_bad_parameters_are_input_errors() -> None:
    with pytest.raises(InputError, match="needs p"):
        solve_classic("pmedian", line(), Params())
    with pytest.raises(InputError, match="between 1 and 4"):
        solve_classic("pmedian", line(), Params(p=5))
    with pytest.raises(InputError, match="radius"):
        solve_classic("mclp", line(), Params(p=1))
    with pytest.raises(InputError, match="fixed costs"):
        solve_classic("uflp", line(), Params())
    with pytest.raises(InputError, match="unknown model"):
        solve_classic("median", line(), Params(p=1))
    with pytest.raises(InputError, match="predefined"):
        solve_classic("pmedian", line().with_existing(["A", "B"]), Params(p=1))


def test_a_wrong_objective_is_refused() -> None:
    """The check compares the solver's value with the data: a model that misstates it fails."""
    module = model_module("pmedian")
    original = module.evaluate

    def lying(data, params, solution):  # type: ignore[no-untyped-def]
        found = original(data, params, solution)
        return type(found)(found.objective + 1.0, found.assignment, found.violations)

    module.evaluate = lying
    try:
        with pytest.raises(ClassicCheckError, match="differs"):
            solve_classic("pmedian", line(), Params(p=2, reduce=False))
    finally:
        module.evaluate = original


# Lagrangian reduction and branch and bound of the p-median (model.classic.lagrange), against
# enumeration on random cost matrices: unlike small Euclidean instances these leave a gap
# between the Lagrangian (= LP) bound and the optimum, so fixing, probing and branching all act.


def gap_costs(seed: int) -> np.ndarray:
    """16 clients × 12 sites, random costs 0..59; integer for even seeds, fractional for odd."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 60, size=(16, 12)).astype(float)
    return costs if seed % 2 == 0 else costs + rng.random(costs.shape)


def every_solution(costs: np.ndarray, p: int, existing: list[int]) -> dict[tuple[int, ...], float]:
    return {
        chosen: float(costs[:, list(chosen)].min(axis=1).sum())
        for chosen in itertools.combinations(range(costs.shape[1]), p)
        if set(existing) <= set(chosen)
    }


def gap_case(seed: int) -> tuple[np.ndarray, int, list[int]]:
    """Costs, p (3..5) and, for every third seed, one predefined facility."""
    return gap_costs(seed), 3 + seed % 3, [seed % 12] if seed % 3 == 0 else []


def test_fixing_and_probing_keep_every_solution_as_good_as_the_heuristic() -> None:
    """No closed site is in, and every opened site is in, each solution costing at most UB."""
    probed = 0
    for seed in range(24):
        costs, p, existing = gap_case(seed)
        solutions = every_solution(costs, p, existing)
        optimum = min(solutions.values())
        plain = reduce_sites(costs, p, existing, probe=False)
        found = reduce_sites(costs, p, existing)
        probed += len(found.free) < len(plain.free)
        for reduction in (plain, found):
            assert len(reduction.heuristic) == p and set(existing) <= set(reduction.heuristic)
            assert solutions[tuple(reduction.heuristic)] == reduction.upper_bound
            assert reduction.lower_bound <= optimum + 1e-9 * optimum
            opened = set(np.flatnonzero(reduction.opened).tolist())
            for chosen, cost in solutions.items():
                if cost <= reduction.upper_bound + 1e-9 * cost:
                    assert not reduction.closed[list(chosen)].any(), (seed, chosen)
                    assert opened <= set(chosen), (seed, chosen)
    assert probed >= 5  # probing decided sites the bounds alone left open


def test_branch_and_bound_matches_enumeration() -> None:
    """From the reduction and from nothing (no fixing, a poor incumbent, λ = 0), the search
    proves the enumerated optimum."""
    branched = 0
    for seed in range(24):
        costs, p, existing = gap_case(seed)
        optimum = min(every_solution(costs, p, existing).values())
        start = [*existing, *(j for j in range(p + 1) if j not in existing)][:p]
        nothing = Reduction(
            np.zeros(12, dtype=bool),
            np.isin(np.arange(12), existing),
            -np.inf,
            assignment_cost(costs, start),
            sorted(start),
            np.zeros(16),
        )
        for found in (reduce_sites(costs, p, existing, probe=False), nothing):
            search = branch_and_bound(costs, p, found)
            assert search.proven
            assert search.cost == pytest.approx(optimum, rel=1e-12)
            assert assignment_cost(costs, search.sites) == search.cost
            assert len(search.sites) == p and set(existing) <= set(search.sites)
            branched += search.nodes > 1
    assert branched >= 10


@pytest.mark.parametrize("rank", [-1, 1])
def test_the_tree_alone_reaches_the_optimum(rank: int) -> None:
    """Without the relaxation's solutions as incumbents, starting from the worst (rank -1) or the
    second-best (rank 1) solution, pruning, fixing and branching must still lead to the optimum:
    a subtree wrongly cut off or a site wrongly fixed would lose it."""
    branched = 0
    for seed in range(24):
        costs, p, existing = gap_case(seed)
        solutions = every_solution(costs, p, existing)
        ranked = sorted(solutions, key=lambda chosen: (solutions[chosen], chosen))
        start = ranked[rank]
        if solutions[start] == solutions[ranked[0]]:
            continue
        nothing = Reduction(
            np.zeros(12, dtype=bool),
            np.isin(np.arange(12), existing),
            -np.inf,
            solutions[start],
            list(start),
            np.zeros(16),
        )
        search = branch_and_bound(costs, p, nothing, lagrangian_heuristic=False)
        assert search.proven
        assert search.cost == solutions[ranked[0]], seed
        assert solutions[tuple(search.sites)] == search.cost
        branched += search.nodes > 1
    assert branched >= 10


def test_sorted_rho_is_the_dense_sum() -> None:
    """ρ_j = Σ_i min(0, c_ij − λ_i) from the sorted rows, as λ grows and shrinks (the columns
    looked at widen and narrow), on all columns and on a subset of them; ties included."""
    rng = np.random.default_rng(7)
    costs = rng.integers(0, 40, size=(30, 50)).astype(float)
    sorted_costs = _SortedCosts(costs)
    subset = rng.random(50) < 0.6
    narrow = sorted_costs.restricted(subset)
    for scale in [1, 5, 50, 2, 20, 100, 0, 10]:
        lam = rng.random(30) * scale
        dense = np.minimum(0.0, costs - lam[:, None]).sum(axis=0)
        assert np.allclose(sorted_costs.rho(lam), dense, rtol=0, atol=1e-9)
        assert np.allclose(narrow.rho(lam), dense[subset], rtol=0, atol=1e-9)
        chosen = np.array([3, 17, 40])
        assert (sorted_costs.served(lam, chosen) == (costs[:, chosen] < lam[:, None]).sum(1)).all()


def test_branch_and_bound_gives_up_beyond_its_work_limit() -> None:
    costs, p, _ = gap_case(0)
    found = reduce_sites(costs, p, probe=False)
    assert found.lower_bound < found.upper_bound  # a gap left: the search must work
    search = branch_and_bound(costs, p, found, work_limit=0.0)
    assert not search.proven
    assert (search.sites, search.cost) == (found.heuristic, found.upper_bound)


@pytest.mark.parametrize("give_up", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_pmedian_with_a_gap_matches_enumeration(
    seed: int, give_up: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole pipeline on instances with an LP gap: reduction, then branch and bound, or,
    when it gives up at once, probing and the MIP."""
    if give_up:
        monkeypatch.setattr(lagrange, "BRANCH_WORK", 0.0)
    costs, p, _ = gap_case(seed)
    found = reduce_sites(costs, p, probe=False)
    gap = found.lower_bound < found.upper_bound
    result = solve_classic("pmedian", LocationData.from_matrix(costs), Params(p=p))
    assert ("gave up" in result.notes[0]) == (gap and give_up)
    assert ("nodes):" in result.notes[0]) == (gap and not give_up)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(min(every_solution(costs, p, []).values()))
    assert result.bound == result.objective
