"""The vectorised pair rows (``model.pair_rows``) equal the loop they replaced, row for row."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.formulation import build_model
from model.generate import generate_region
from model.instance import build_instance, compute_indicators
from model.pair_rows import site_positions
from model.region import load_region
from model.scenario import check_against_region, scenario_from_dict
from tests.reference.loop_pair_rows import loop_pair_rows
from tests.reference.tiny import write_random_instance

FAMILIES = (
    "pair_first_core",
    "pair_second_core",
    "pair_bound_first",
    "pair_bound_second",
    "pair_capacity",
)


def model_rows(model: Any, name: str) -> list[tuple[Any, list[tuple[int, float]]]]:
    """The rows of a matrix-row family as (key, [(column, coef), ...]), in order."""
    component = getattr(model, name)
    block = component._matrix_rows
    keys = list(component._data)
    out = []
    for r, key in enumerate(keys):
        begin, end = int(block.start[r]), int(block.start[r + 1])
        terms = list(
            zip(block.column[begin:end].tolist(), block.coef[begin:end].tolist(), strict=True)
        )
        out.append((key, terms))
    return out


def assert_rows_equal_loop(instance: Any) -> None:
    model = build_model(instance, "pairs")
    expected = loop_pair_rows(instance)
    for name in FAMILIES:
        assert model_rows(model, name) == expected[name], name


def instance_of(region_path: Path, scenario: dict[str, Any]) -> Any:
    loaded = scenario_from_dict({"region": str(region_path), **scenario})
    region = load_region(region_path)
    check_against_region(loaded, region)
    return build_instance(region, loaded.scenario, compute_indicators(region, loaded.scenario))


@pytest.mark.parametrize(
    "sites",
    [
        {"default": {"min": 1, "max": 1}},
        {"default": {"min": 0, "max": 2}, "k02": {"min": 1, "max": 3}},
    ],
)
def test_pair_rows_equal_loop_on_a_generated_region(sites: dict[str, Any], tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 60, 3, types=8, sectors=8, spacing_km=25)
    instance = instance_of(tmp_path / "r", {"name": "g", "rules": {"sites": sites}})
    assert instance.pair_count > 100  # enough pairs to group in many ways
    assert_rows_equal_loop(instance)
    # family 9 has rows (cores with more co-located partners than the district has room for)
    assert len(loop_pair_rows(instance)["pair_capacity"]) > 10


def test_pair_rows_equal_loop_on_tiny_regions(tmp_path: Path) -> None:
    # the random scenarios vary the cores per type (max 1 to 3), so tight and loose groups mix
    for seed in range(40):
        folder = tmp_path / f"t{seed}"
        scenario = {"name": f"t{seed}", **write_random_instance(random.Random(seed), folder)}
        assert_rows_equal_loop(instance_of(Path(str(scenario.pop("region"))), scenario))


def test_pair_rows_with_no_pairs(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 5, 1, types=2, sectors=2)
    instance = instance_of(tmp_path / "r", {"name": "g", "weights": {"coop": 0}})
    assert instance.pair_count == 0
    assert_rows_equal_loop(instance)
    model = build_model(instance, "pairs")
    assert all(len(getattr(model, name)) == 0 for name in FAMILIES)


def test_site_positions_number_the_sites(tmp_path: Path) -> None:
    generate_region(tmp_path / "r", 12, 2, types=3, sectors=3)
    instance = instance_of(tmp_path / "r", {"name": "g"})
    positions = site_positions(instance)
    for n, (k, i) in enumerate(instance.sites):
        assert positions[instance.types.index(k), instance.districts.index(i)] == n
    assert int((positions >= 0).sum()) == len(instance.sites)
    assert np.all(positions[positions < 0] == -1)
