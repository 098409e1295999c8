"""The synthetic region generator: reproducible, valid §3 data, solvable through ``run``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
import yaml

from model.errors import InputError
from model.generate import generate_region, region_files
from model.pipeline import solve_scenario_file
from model.region import load_region

REPO = Path(__file__).resolve().parent.parent
FILES = {"districts.csv", "activity.csv", "exports.csv", "roads.csv", "crossings.csv"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = generate_region(tmp_path / "a", 60, seed=5)
    second = generate_region(tmp_path / "b", 60, seed=5)
    names = sorted(p.name for p in first.iterdir())
    assert {*FILES, "clusters.yaml"} <= set(names)
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_another_seed_gives_another_region() -> None:
    assert region_files(60, 5)["activity.csv"] != region_files(60, 6)["activity.csv"]
    assert region_files(60, 5)["roads.csv"] != region_files(60, 6)["roads.csv"]


@pytest.mark.parametrize("districts", [2, 7, 150])
def test_region_loads_and_follows_the_format(districts: int, tmp_path: Path) -> None:
    folder = generate_region(tmp_path / "region", districts, seed=11, types=5, sectors=8)
    region = load_region(folder)  # validates ids, values, weights, connected roads
    assert len(region.district_ids) == districts
    assert len(region.clusters) == 5
    roads = pd.read_csv(folder / "roads.csv")
    graph = nx.from_pandas_edgelist(roads, "a", "b")
    assert nx.is_connected(graph) and graph.number_of_nodes() == districts
    districts_table = pd.read_csv(folder / "districts.csv")
    crossings = pd.read_csv(folder / "crossings.csv")
    border = set(districts_table.loc[districts_table["border"], "id"])
    assert len(crossings) >= 1 and set(crossings["district"]) <= border  # along one side
    if districts >= 150:
        assert set(roads["kind"]) == {"federal", "regional", "local"}
        # a few specialised centres: some district holds several times its share of a sector
        activity = pd.read_csv(folder / "activity.csv").pivot(
            index="district", columns="sector", values="value"
        )
        share = activity.div(activity.sum(axis=1), axis=0)
        assert (share.max() > 3 * share.median()).any()


def test_catalogue_has_cooperation_and_rules(tmp_path: Path) -> None:
    folder = generate_region(tmp_path / "region", 30, seed=2, types=6)
    catalogue = yaml.safe_load((folder / "clusters.yaml").read_text(encoding="utf-8"))
    assert len(catalogue) == 6
    assert any(spec["cross_border"] for spec in catalogue.values())
    assert any(spec["needs_corridor"] for spec in catalogue.values())
    for k, spec in catalogue.items():
        assert sum(spec["sectors"].values()) == 1.0
        for other, intensity in spec["cooperation"].items():
            assert catalogue[other]["cooperation"][k] == intensity  # stated both ways


def test_refuses_bad_sizes_and_a_non_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="districts"):
        generate_region(tmp_path / "r", 1, seed=0)
    folder = generate_region(tmp_path / "r", 5, seed=0)
    with pytest.raises(InputError, match="not empty"):
        generate_region(folder, 5, seed=1)
    assert generate_region(folder, 5, seed=1, overwrite=True) == folder


def test_cli_generates_a_region_that_run_solves(tmp_path: Path) -> None:
    region = tmp_path / "synthetic"
    done = run_cli(
        "generate", "--districts", "20", "--seed", "4", "--types", "4", "--out", str(region)
    )
    assert done.returncode == 0, done.stderr
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: synthetic\nregion: synthetic\n", encoding="utf-8")
    done = run_cli("run", str(scenario), "--out", str(tmp_path / "run"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "assignments.csv").is_file()
    result = solve_scenario_file(scenario)
    assert result.status == "optimal"
    assert len(result.sitings()) == 4  # one core per type (the default sites rule)
    again = run_cli("generate", "--districts", "20", "--seed", "4", "--out", str(region))
    assert again.returncode == 2 and "not empty" in again.stderr


def test_closer_districts_give_denser_models(tmp_path: Path) -> None:
    """Halving the spacing puts more districts within every member and link radius."""
    from model.instance import build_instance
    from model.scenario import scenario_from_dict

    sizes = {}
    for spacing in (43.0, 15.0):
        folder = generate_region(tmp_path / f"r{spacing:g}", 64, 3, spacing_km=spacing)
        scenario = scenario_from_dict({"name": "x", "region": str(folder)}).scenario
        instance = build_instance(load_region(folder), scenario)
        sizes[spacing] = (len(instance.members), len(instance.pairs))
    assert sizes[15.0][0] > sizes[43.0][0]
    assert sizes[15.0][1] > sizes[43.0][1]
    assert "--spacing-km 15" in (tmp_path / "r15" / "SOURCES.md").read_text(encoding="utf-8")
