"""The inner sums of the Lagrangian bound (model/partner_groups.py): each group's ``limit``
largest positive parts, by hand and against enumeration of the subsets a group may count,
in both ways of computing them (passes and a sort)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from model import partner_groups
from model.partner_groups import HalfPairs, grouping


def _halves(site: list[int], key: list[int]) -> HalfPairs:
    n = len(site)
    return HalfPairs(
        site=np.array(site, dtype=np.int64),
        partner_type=np.array(key, dtype=np.int64),
        partner_district=np.zeros(n, dtype=np.int64),
        pair=np.arange(n, dtype=np.int64),
    )


@pytest.fixture(params=["passes", "sort"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sort":
        monkeypatch.setattr(partner_groups, "PASSES_UP_TO", 0)
    return str(request.param)


def test_by_hand(way: str) -> None:
    # site 0: key 1 parts 0.5, 0.3, -0.1 and key 2 part 0.2; site 1: key 1 parts 0.4, 0.4
    halves = _halves([0, 0, 0, 0, 1, 1], [1, 1, 1, 2, 1, 1])
    part = np.array([0.5, 0.3, -0.1, 0.2, 0.4, 0.4])
    for limit_of_key, expected, counted in (
        ([0, 1, 1], [0.7, 0.4], {0, 3, 4}),
        ([0, 2, 1], [1.0, 0.8], {0, 1, 3, 4, 5}),
        ([0, 3, 0], [0.8, 0.8], {0, 1, 4, 5}),  # never a negative part
        ([0, 0, 0], [0.0, 0.0], set()),
    ):
        limits = np.array(limit_of_key)[halves.partner_type]
        per_site, which = grouping(halves, halves.partner_type, limits).earned(part, 3)
        assert np.allclose(per_site, [*expected, 0.0]), (way, limit_of_key)
        assert set(which.tolist()) == counted, (way, limit_of_key)


def test_against_enumeration(way: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(60):
        n = int(rng.integers(0, 9))
        site = rng.integers(0, 3, n).tolist()
        key = rng.integers(0, 3, n).tolist()
        halves = _halves(site, key)
        part = np.round(rng.normal(0, 1, n), 1)  # ties happen
        limit_of_key = rng.integers(0, 3, 3)
        limits = limit_of_key[halves.partner_type]
        per_site, which = grouping(halves, halves.partner_type, limits).earned(part, 3)
        for s in range(3):
            mine = [h for h in range(n) if site[h] == s]
            best = 0.0
            for size in range(len(mine) + 1):
                for subset in combinations(mine, size):
                    counts = np.bincount([key[h] for h in subset], minlength=3)
                    if np.all(counts <= limit_of_key):
                        best = max(best, float(sum(part[h] for h in subset)))
            assert abs(per_site[s] - best) <= 1e-9, (way, site, key, part, limit_of_key)
        # the counted half-pairs are the ones summed
        assert abs(float(part[which].sum()) - float(per_site.sum())) <= 1e-9
