"""Travel times bounded by the largest radius in use (large regions): the same numbers within
the radius, inf beyond it, access times and the model unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import model.instance as instance_module
from model import indicators as ind
from model.generate import generate_region
from model.instance import build_instance, compute_indicators
from model.region import load_region
from model.scenario import scenario_from_dict


@pytest.fixture(scope="module")
def region_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_region(tmp_path_factory.mktemp("bounds") / "g", 200, 7, types=8, sectors=6)


def test_bounded_times_equal_full_times_within_the_limit(region_dir: Path) -> None:
    region = load_region(region_dir)
    full = ind.travel_times(region.roads, region.district_ids).to_numpy()
    for limit in (0.0, 45.0, 120.0, 1e9):
        bounded = ind.travel_times(region.roads, region.district_ids, limit).to_numpy()
        within = full <= limit
        assert np.array_equal(bounded[within], full[within])  # the same floats
        assert np.isinf(bounded[~within]).all()
    assert np.array_equal(np.diag(full), np.zeros(len(full)))


def test_access_times_beyond_the_limit_come_from_the_roads(region_dir: Path) -> None:
    region = load_region(region_dir)
    full = ind.travel_times(region.roads, region.district_ids)
    bounded = ind.travel_times(region.roads, region.district_ids, 30.0)
    exact_tb = ind.border_access(full, region.crossings)
    tb = ind.border_access(bounded, region.crossings, region.roads)
    assert np.isfinite(tb).all()
    assert tb.to_numpy() == pytest.approx(exact_tb.to_numpy(), rel=1e-12)
    near = exact_tb <= 30.0
    assert (tb[near] == exact_tb[near]).all()  # within the limit: the very same numbers
    assert ind.corridor_access(bounded, region.roads).to_numpy() == pytest.approx(
        ind.corridor_access(full, region.roads).to_numpy(), rel=1e-12
    )


def test_no_targets_and_no_roads() -> None:
    times = pd.DataFrame(np.zeros((2, 2)), index=["a", "b"], columns=["a", "b"])
    assert np.isinf(ind.access_times(times, [])).all()
    lonely = ind.travel_times(pd.DataFrame(columns=["a", "b", "minutes", "kind"]), ["a", "b"], 9)
    assert lonely.loc["a", "a"] == 0 and np.isinf(lonely.loc["a", "b"])


def test_the_model_is_the_same_with_bounded_times(
    region_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = load_region(region_dir)
    scenario = scenario_from_dict({"name": "b", "region": str(region_dir)}).scenario
    full = build_instance(region, scenario, compute_indicators(region, scenario))
    monkeypatch.setattr(instance_module, "BOUNDED_TIMES_FROM", 10)
    tables = compute_indicators(region, scenario)
    assert np.isinf(tables.times.to_numpy()).any()  # the bound is in force
    bounded = build_instance(region, scenario, tables)
    assert bounded.sites == full.sites and bounded.fit_coef == full.fit_coef
    assert bounded.members == full.members and bounded.member_coef == full.member_coef
    assert bounded.pairs == full.pairs and bounded.pair_coef == full.pair_coef
    assert list(bounded.excluded) == list(full.excluded)  # same sites excluded, same rules
