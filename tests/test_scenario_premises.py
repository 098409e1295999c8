"""Each shipped scenario whose description names a siting gets it on the shipped data.

The descriptions are the planner's premise; if the data or the model stop delivering it, the
description must change too (or say why not), and this test says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.pipeline import RunResult, solve
from model.region import load_region
from model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def run(name: str) -> RunResult:
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    return solve(loaded, load_region(loaded.region_path()))


def north_east(result: RunResult) -> set[str]:
    """Districts whose admin centre lies north and east of the mean of all centres."""
    d: pd.DataFrame = result.region.districts
    return set(d.index[(d["lat"] > d["lat"].mean()) & (d["lon"] > d["lon"].mean())])


def cores_of(result: RunResult, cluster_type: str) -> set[str]:
    return {i for k, i in result.core_set() if k == cluster_type}


def test_inter_district_has_a_north_east_wood_cluster_and_the_safonovo_dorogobuzh_node() -> None:
    result = run("inter_district")
    assert result.status == "optimal"
    wood = cores_of(result, "wood")
    assert wood and wood <= north_east(result), f"wood core in {wood}"
    assert cores_of(result, "chemicals") <= {"safonovsky", "dorogobuzhsky"}
    members = {s.core: s.members for s in result.sitings() if s.cluster_type == "wood"}
    assert all(members.values()), "the wood cluster is inter-district: it has members"


def test_cross_border_puts_at_least_three_cores_on_the_border() -> None:
    result = run("cross_border")
    border = set(result.region.districts.index[result.region.districts["border"]])
    assert sum(1 for _, i in result.core_set() if i in border) >= 3
    assert "light_industry" in {k for k, _ in result.core_set()}


def test_periphery_keeps_at_most_two_cores_in_the_big_towns() -> None:
    result = run("periphery")
    towns = {"smolensk", "desnogorsk", "vyazemsky", "roslavlsky", "safonovsky", "yartsevsky"}
    towns.add("gagarinsky")
    assert sum(1 for _, i in result.core_set() if i in towns) <= 2


@pytest.mark.parametrize(
    ("cluster_type", "district"),
    [("plastics", "safonovsky"), ("machinery", "smolensky"), ("metallurgy", "smolensk")],
)
def test_existing_parks_hold_their_cores(cluster_type: str, district: str) -> None:
    assert (cluster_type, district) in run("existing_parks").core_set()
