"""p-dispersion by threshold search (model/classic/pdispersion.py) against the level
formulation and against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model.classic import LocationData, Params, solve_classic
from model.classic.pdispersion import clique_cover, farthest_first
from model.errors import InputError
from solvers.base import SolverOptions


def square(seed: int, n: int, scale: float = 100.0, integer: bool = False) -> LocationData:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, scale, (n, 2))
    d = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    if integer:  # many ties between distances
        d = np.round(d / 10)
    names = [f"s{i}" for i in range(n)]
    return LocationData.from_matrix(d, clients=names, sites=names, name=f"sq{seed}")


def enumerate_best(data: LocationData, p: int) -> float:
    d = data.dispersion_matrix()
    must = set(data.existing_index)
    return max(
        min(d[a, b] for a, b in itertools.combinations(chosen, 2))
        for chosen in itertools.combinations(range(len(data.sites)), p)
        if must <= set(chosen)
    )


@pytest.mark.parametrize("seed", range(16))
def test_threshold_search_matches_enumeration_and_levels(seed: int) -> None:
    n = 5 + seed % 5
    data = square(seed, n, integer=seed % 2 == 1)
    p = 2 + seed % 3
    if seed % 4 == 3:
        data = data.with_existing([data.sites[seed % n]])
    expected = enumerate_best(data, p)
    searched = solve_classic("pdispersion", data, Params(p=p))
    levels = solve_classic("pdispersion", data, Params(p=p, formulation="levels"))
    assert searched.status == levels.status == "optimal"
    assert searched.objective == pytest.approx(expected)
    assert levels.objective == pytest.approx(expected)
    assert searched.bound == searched.objective
    assert len(searched.open_sites) == p
    assert set(data.existing) <= set(searched.open_sites)


def test_conflicting_predefined_sites_cap_the_spread() -> None:
    data = square(3, 8).with_existing(["s0", "s1"])
    d = data.dispersion_matrix()
    result = solve_classic("pdispersion", data, Params(p=3))
    assert result.objective == pytest.approx(enumerate_best(data, 3))
    assert result.objective <= d[0, 1]


def test_every_distance_equal_and_p_equal_to_n() -> None:
    n = 6
    d = np.full((n, n), 7.0)
    np.fill_diagonal(d, 0.0)
    names = [f"s{i}" for i in range(n)]
    data = LocationData.from_matrix(d, clients=names, sites=names)
    assert solve_classic("pdispersion", data, Params(p=3)).objective == 7.0
    everything = solve_classic("pdispersion", data, Params(p=n))
    assert (everything.status, everything.objective, len(everything.open_sites)) == (
        "optimal",
        7.0,
        n,
    )


def test_clique_cover_covers_every_edge_with_cliques() -> None:
    rng = np.random.default_rng(5)
    close = rng.random((25, 25)) < 0.3
    close = close | close.T
    np.fill_diagonal(close, False)
    cliques = clique_cover(close)
    covered = np.zeros_like(close)
    for clique in cliques:
        for a, b in itertools.combinations(clique, 2):
            assert close[a, b]  # a clique of the graph
            covered[a, b] = covered[b, a] = True
    assert np.array_equal(covered, close)
    assert clique_cover(np.zeros((4, 4), dtype=bool)) == []


def test_greedy_start_keeps_predefined_sites() -> None:
    d = square(1, 10).dispersion_matrix()
    chosen = farthest_first(d, 4, [7])
    assert len(chosen) == 4 and 7 in chosen and len(set(chosen)) == 4


def test_out_of_time_returns_the_best_choice_with_a_bound() -> None:
    data = square(0, 40)
    result = solve_classic("pdispersion", data, Params(p=8), options=SolverOptions(time_limit=1e-9))
    assert result.status == "time_limit"
    assert result.objective is not None and len(result.open_sites) == 8
    assert result.bound is not None and result.bound >= result.objective


def test_unknown_formulation_and_small_p_are_refused() -> None:
    data = square(0, 5)
    with pytest.raises(InputError):
        solve_classic("pdispersion", data, Params(p=2, formulation="bigm"))
    with pytest.raises(InputError):
        solve_classic("pdispersion", data, Params(p=1))
