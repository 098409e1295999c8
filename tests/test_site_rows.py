"""The vectorised site and member rows (families 1 to 5 in ``model.formulation``) equal the
loops they replaced (``tests/reference/loop_site_rows.py``), row for row: keys, order,
columns, coefficients and bounds."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.column_index import column_index, groups_in_order
from model.formulation import build_model
from model.generate import generate_region
from model.instance import SitingInstance
from tests.reference.loop_site_rows import loop_site_rows
from tests.reference.tiny import write_random_instance
from tests.test_pair_rows import instance_of

FAMILIES = (
    "sites_per_type",
    "district_capacity",
    "members_need_core",
    "one_membership",
    "catchment_size",
)
ROOT = Path(__file__).resolve().parent.parent


def model_rows(model: Any, name: str) -> list[tuple[Any, list[tuple[int, float]], float, float]]:
    component = getattr(model, name)
    block = component._matrix_rows
    out = []
    for r, key in enumerate(component._data):
        begin, end = int(block.start[r]), int(block.start[r + 1])
        terms = list(
            zip(block.column[begin:end].tolist(), block.coef[begin:end].tolist(), strict=True)
        )
        out.append((key, terms, float(block.lower[r]), float(block.upper[r])))
    return out


def assert_rows_equal_loop(instance: SitingInstance) -> None:
    expected = loop_site_rows(instance)
    for form in ("pairs", "compact"):
        model = build_model(instance, form)
        for name in FAMILIES:
            assert model_rows(model, name) == expected[name], name


@pytest.mark.parametrize(
    "rules",
    [
        {},
        {"max_members": 1, "max_clusters_per_district": 1},
        {"max_members": 3, "max_clusters_per_district": 2, "sites": {"default": {"max": 3}}},
        {"sites": {"default": {"min": 1, "max": 2}, "k02": {"min": 2, "max": 4}}},
    ],
)
def test_rows_equal_loop_on_a_generated_region(rules: dict[str, Any], tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 80, 3, types=8, sectors=8, spacing_km=25)
    instance = instance_of(tmp_path / "r", {"name": "g", "rules": rules})
    assert len(instance.members) > 200  # enough arcs to group in many ways
    assert_rows_equal_loop(instance)


def test_rows_equal_loop_on_tiny_regions(tmp_path: Path) -> None:
    for seed in range(40):
        folder = tmp_path / f"t{seed}"
        scenario = {"name": f"t{seed}", **write_random_instance(random.Random(seed), folder)}
        assert_rows_equal_loop(instance_of(Path(str(scenario.pop("region"))), scenario))


def test_rows_equal_loop_on_smolensk_with_forbidden_sites() -> None:
    rules = {"forbid": [{"district": "smolensk"}, {"cluster": "wood", "district": "vyazemsky"}]}
    instance = instance_of(ROOT / "data" / "smolensk", {"name": "s", "rules": rules})
    assert_rows_equal_loop(instance)


def test_rows_with_no_members(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 6, 1, types=2, sectors=2)
    instance = instance_of(tmp_path / "r", {"name": "g", "weights": {"member": 0}})
    assert not instance.members
    assert_rows_equal_loop(instance)


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "looked_up"])
def test_column_index_numbers_sites_and_arcs(tmp_path: Path, recorded: bool) -> None:
    """Both ways to the positions: the arrays build_instance records, and (an instance made by
    hand) the lookup from the tuples."""
    generate_region(tmp_path / "r", 12, 2, types=3, sectors=3)
    instance = instance_of(tmp_path / "r", {"name": "g"})
    assert instance.site_positions is not None and instance.member_positions is not None
    if not recorded:
        instance = dataclasses.replace(instance, site_positions=None, member_positions=None)
    index = column_index(instance)
    types, districts = instance.types, instance.districts
    for n, (k, i) in enumerate(instance.sites):
        assert (types[index.site_type[n]], districts[index.site_district[n]]) == (k, i)
        assert index.site_at[types.index(k), districts.index(i)] == n
    for n, (k, i, j) in enumerate(instance.members):
        assert types[index.member_type[n]] == k
        assert districts[index.member_core_district[n]] == i
        assert districts[index.member_district[n]] == j
        assert instance.sites[index.member_core[n]] == (k, i)


def test_recorded_positions_match_the_tuples_on_smolensk() -> None:
    """The positions build_instance records are the ones the tuples give, with forbidden
    sites (holes in the site grid) and member arcs of every type."""
    rules = {"forbid": [{"district": "smolensk"}, {"cluster": "wood", "district": "vyazemsky"}]}
    instance = instance_of(ROOT / "data" / "smolensk", {"name": "s", "rules": rules})
    assert instance.site_positions is not None
    by_hand = dataclasses.replace(instance, site_positions=None, member_positions=None)
    recorded, looked_up = column_index(instance), column_index(by_hand)
    for name in (
        "site_type",
        "site_district",
        "site_at",
        "member_type",
        "member_core_district",
        "member_district",
    ):
        assert np.array_equal(getattr(recorded, name), getattr(looked_up, name)), name


def test_positions_of_a_replaced_list_are_looked_up(tmp_path: Path) -> None:
    """A member list replaced by another of the same length (its arcs reversed) must not be
    read with the positions recorded for the first."""
    generate_region(tmp_path / "r", 12, 2, types=3, sectors=3)
    instance = instance_of(tmp_path / "r", {"name": "g"})
    assert len(instance.members) > 2
    swapped = dataclasses.replace(instance, members=instance.members[::-1])
    index = column_index(swapped)
    types, districts = swapped.types, swapped.districts
    for n, (k, i, j) in enumerate(swapped.members):
        assert (types[index.member_type[n]], districts[index.member_core_district[n]]) == (k, i)
        assert districts[index.member_district[n]] == j


def test_groups_in_order_is_a_dict_filled_in_a_loop() -> None:
    rng = np.random.default_rng(3)
    for size in (0, 1, 2, 50, 400):
        key = rng.integers(0, 20, size)
        groups: dict[int, list[int]] = {}
        for n, value in enumerate(key.tolist()):
            groups.setdefault(value, []).append(n)
        first, sizes, order = groups_in_order(key)
        assert first.tolist() == [members[0] for members in groups.values()]
        assert sizes.tolist() == [len(members) for members in groups.values()]
        assert order.tolist() == [n for members in groups.values() for n in members]
