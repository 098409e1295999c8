"""Sensitivity of a siting to the basis of its data (``model.sensitivity``, ``run.py sensitivity``).

The tiny region below is built so that the answer is known by hand (location quotients worked
out in the comments): the wood core rests on one ``group_default`` row and moves when that
basis is dropped or replaced; the food core rests on stated rows (and a little proxy) and stays.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from model.pipeline import solve_scenario_file
from model.region import load_region
from model.sensitivity import (
    bases_present,
    drop_basis,
    replace_basis,
    rests_on,
    sensitivity,
)
from tests.inprocess import run_main
from tests.test_cli import run_cli

# district, sector, value, basis
ACTIVITY = [
    ("a", "forestry", 50.0, "group_default"),  # the wood core's only support
    ("a", "other", 50.0, "stated"),
    ("b", "forestry", 10.0, "stated"),
    ("b", "other", 90.0, "stated"),
    ("b", "dairy", 20.0, "stated"),
    ("c", "forestry", 2.0, "proxy"),
    ("c", "forestry", 1.0, "assumed"),
    ("c", "dairy", 60.0, "stated"),
    ("c", "dairy", 20.0, "proxy"),
    ("c", "other", 40.0, "stated"),
]
EXPORTS = [
    ("a", "forestry", 0.2, "assumed"),
    ("b", "forestry", 0.4, "stated"),
    ("c", "dairy", 0.5, "stated"),
    ("b", "dairy", 0.1, "assumed"),
    ("c", "other", 0.3, "size_class_default"),  # the only export row of its sector
]


def one_basis(basis: str) -> list[tuple[str, str, float, str]]:
    """ACTIVITY with every pair's rows summed into one row of ``basis``."""
    total: dict[tuple[str, str], float] = {}
    for d, sector, value, _ in ACTIVITY:
        total[(d, sector)] = total.get((d, sector), 0.0) + value
    return [(d, sector, value, basis) for (d, sector), value in total.items()]


POPULATION = {"a": 10000, "b": 30000, "c": 10000}
CLUSTERS = {
    "wood": {"name": "Wood", "sectors": {"forestry": 1.0}},
    "food": {"name": "Food", "sectors": {"dairy": 0.75, "other": 0.25}},
}


def write_region(
    folder: Path,
    activity: list[tuple[str, str, float, str]] = ACTIVITY,
    exports: list[tuple[str, str, float, str]] | None = EXPORTS,
    population: dict[str, Any] = POPULATION,
    districts: list[str] | None = None,
) -> Path:
    """A region folder with basis columns; three districts on a line a - b - c."""
    folder.mkdir(parents=True, exist_ok=True)
    names = districts or list(population)
    with (folder / "districts.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "lat", "lon", "population", "border"])
        for n, d in enumerate(names):
            out.writerow([d, f"District {d.upper()}", 54.0 + n / 10, 32.0, population[d], "false"])
    with (folder / "activity.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["district", "sector", "value", "basis", "year", "note"])
        out.writerows([*row, 2021, ""] for row in activity)
    if exports is not None:
        with (folder / "exports.csv").open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["district", "sector", "share", "basis"])
            out.writerows(exports)
    with (folder / "roads.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["a", "b", "minutes", "kind"])
        out.writerows([a, b, 20.03, "regional"] for a, b in itertools.pairwise(names))
    (folder / "clusters.yaml").write_text(yaml.safe_dump(CLUSTERS), encoding="utf-8")
    return folder


def write_scenario(path: Path, region: Path, **rules: Any) -> Path:
    scenario = {
        "name": "tiny",
        "region": str(region.resolve()),
        "weights": {"fit": 1.0, "export": 0.0, "member": 0.0, "coop": 0.0},
        # the hand figures below follow the capped LQ, with cores allowed anywhere
        "indicators": {"fit": "lq", "intra_district": "none"},
        "rules": {"max_clusters_per_district": 2, "greenfield": True, **rules},
    }
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "tiny.yaml", write_region(tmp_path / "region"))


def variant(found: Any, mode: str, basis: str) -> Any:
    (only,) = [v for v in found.variants if v.mode == mode and v.basis == basis]
    return only


def test_the_core_on_a_group_default_row_moves_and_the_stated_one_stays(tiny: Path) -> None:
    result = solve_scenario_file(tiny)
    # wood: LQ[forestry] a 2.72, b 0.45, c 0.13; food fit c 0.61, b 0.26, a 0.08
    assert result.core_set() == {("wood", "a"), ("food", "c")}
    found = sensitivity(result)
    assert found.bases == ["stated", "proxy", "size_class_default", "group_default", "assumed"]
    assert len(found.variants) == 2 * len(found.bases)
    for mode in ("drop", "replace"):
        # drop: forestry left in b (LQ 1.88) and c (0.55); replace: 50 spread 10/30/10 by
        # population, LQ a 0.91, b 1.45, c 0.53. Food stays in c either way.
        moved = variant(found, mode, "group_default")
        assert moved.status == "optimal"
        assert moved.cores == {("wood", "b"), ("food", "c")}
        assert found.outcome(("wood", "a"), moved) == "moved to b"
        assert found.outcome(("wood", "a"), moved, {"b": "District B"}) == "moved to District B"
        assert found.outcome(("food", "c"), moved) == "kept"
    table = found.variants_table()
    assert table.iloc[0]["mode"] == "baseline" and table.iloc[0]["cores_kept"] == 2
    row = table[(table["mode"] == "drop") & (table["basis"] == "group_default")].iloc[0]
    assert (row["cores_kept"], row["cores_moved"]) == (1, 1)
    assert row["activity_rows"] == 1 and row["export_rows"] == 0
    assert row["objective_change"] == pytest.approx(row["objective"] - result.objective)
    cores = found.cores_table().set_index(["cluster_type", "district"])
    assert cores.loc[("wood", "a"), "drop:group_default"] == "moved to b"
    assert cores.loc[("food", "c"), "replace:group_default"] == "kept"


def test_drop_removes_exactly_the_rows_of_the_basis(tiny: Path) -> None:
    region = load_region(Path(yaml.safe_load(tiny.read_text())["region"]))
    dropped = drop_basis(region, "proxy")
    assert len(dropped.activity) == len(region.activity) - 2
    assert "proxy" not in set(dropped.activity["basis"])
    kept = region.activity[region.activity["basis"] != "proxy"].reset_index(drop=True)
    pd.testing.assert_frame_equal(dropped.activity, kept)
    assert dropped.exports.equals(region.exports), "proxy has no export rows"
    assert bases_present(region)[0] == "stated"


def test_replace_keeps_each_sectors_total_and_follows_population(tiny: Path) -> None:
    region = load_region(Path(yaml.safe_load(tiny.read_text())["region"]))
    changed, notes, replaced = replace_basis(region, "proxy")
    assert replaced
    before = region.activity.groupby("sector")["value"].sum()
    after = changed.activity.groupby("sector")["value"].sum()
    pd.testing.assert_series_equal(before, after)
    proxy = changed.activity[changed.activity["basis"] == "proxy"]
    # forestry 2 and dairy 20 spread 1/5, 3/5, 1/5
    spread = proxy.set_index(["sector", "district"])["value"]
    assert spread[("forestry", "b")] == pytest.approx(2 * 3 / 5)
    assert spread[("dairy", "a")] == pytest.approx(20 / 5)
    assert len(proxy) == 2 * 3
    other = changed.activity[changed.activity["basis"] != "proxy"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        other, region.activity[region.activity["basis"] != "proxy"].reset_index(drop=True)
    )
    # exports of `assumed`: a/forestry gets the mean of the other forestry rows (b 0.4),
    # b/dairy the mean of the other dairy rows (c 0.5)
    changed, notes, replaced = replace_basis(region, "assumed")
    assert replaced and notes == []
    shares = changed.exports.set_index(["district", "sector", "basis"])["share"]
    assert shares[("a", "forestry", "assumed")] == pytest.approx(0.4)
    assert shares[("b", "dairy", "assumed")] == pytest.approx(0.5)
    assert len(changed.exports) == len(region.exports)


def test_replace_says_what_has_no_neutral_alternative(tiny: Path) -> None:
    region = load_region(Path(yaml.safe_load(tiny.read_text())["region"]))
    _, notes, replaced = replace_basis(region, "size_class_default")
    assert not replaced, "its only row is the only export row of its sector"
    assert len(notes) == 1 and "other" in notes[0] and "no other rows" in notes[0]
    found = sensitivity(solve_scenario_file(tiny))
    impossible = variant(found, "replace", "size_class_default")
    assert impossible.status == "not_possible" and "no other rows" in impossible.note
    assert not impossible.solved and found.outcome(("wood", "a"), impossible) == "not_possible"


def test_rests_on_shares_by_hand(tiny: Path) -> None:
    region = load_region(Path(yaml.safe_load(tiny.read_text())["region"]))
    table, flags = rests_on(region, [("wood", "a"), ("food", "c"), ("wood", "c"), ("food", "a")])
    shares = table.set_index(["cluster_type", "district", "basis"])["share"]
    weighted = table.set_index(["cluster_type", "district", "basis"])["weighted_activity"]
    assert shares[("wood", "a", "group_default")] == 1.0
    assert flags[("wood", "a")] == "single estimated row"
    # food at c: stated 0.75·60 + 0.25·40 = 55, proxy 0.75·20 = 15
    assert weighted[("food", "c", "stated")] == pytest.approx(55.0)
    assert weighted[("food", "c", "proxy")] == pytest.approx(15.0)
    assert shares[("food", "c", "stated")] == pytest.approx(55 / 70)
    assert shares[("food", "c", "proxy")] == pytest.approx(15 / 70)
    assert flags[("food", "c")] == ""
    # wood at c: proxy 2 and assumed 1, both estimates
    assert shares[("wood", "c", "proxy")] == pytest.approx(2 / 3)
    assert flags[("wood", "c")] == "estimates only"
    # food at a: only `other` (stated 50), weighted 0.25·50
    assert weighted[("food", "a", "stated")] == pytest.approx(12.5)
    assert flags[("food", "a")] == ""
    empty, none = rests_on(drop_basis(region, "group_default"), [("wood", "a")])
    assert empty.empty and none == {("wood", "a"): "no activity"}


def test_one_basis_only_drop_leaves_no_data(tmp_path: Path) -> None:
    stated = one_basis("stated")
    region = write_region(tmp_path / "region", stated, exports=None)
    found = sensitivity(solve_scenario_file(write_scenario(tmp_path / "s.yaml", region)))
    assert found.bases == ["stated"]
    dropped = variant(found, "drop", "stated")
    assert dropped.status == "no_data_left" and dropped.objective is None
    assert found.outcome(("wood", "a"), dropped) == "no_data_left"
    # replace: every sector spread by population, so every LQ is 1: all fits equal
    replaced = variant(found, "replace", "stated")
    assert replaced.status == "optimal"
    assert replaced.objective == pytest.approx(2 * (1 / 3))


def test_replace_is_not_possible_without_population(tmp_path: Path) -> None:
    stated = one_basis("stated")
    region = write_region(
        tmp_path / "region", stated, exports=None, population={"a": 10, "b": "", "c": 5}
    )
    found = sensitivity(solve_scenario_file(write_scenario(tmp_path / "s.yaml", region)))
    impossible = variant(found, "replace", "stated")
    assert impossible.status == "not_possible" and "no population for b" in impossible.note


def test_nothing_sited(tmp_path: Path) -> None:
    region = write_region(tmp_path / "region")
    scenario = write_scenario(tmp_path / "s.yaml", region, sites={"default": {"min": 0, "max": 0}})
    result = solve_scenario_file(scenario)
    assert result.objective == pytest.approx(0.0) and result.core_set() == frozenset()
    found = sensitivity(result)
    assert found.cores == [] and found.cores_table().empty
    assert all(v.objective == pytest.approx(0.0) for v in found.variants if v.solved)
    assert found.variants_table()["cores_kept"].dropna().eq(0).all()


def test_one_district(tmp_path: Path) -> None:
    activity = [("a", "forestry", 5.0, "group_default"), ("a", "dairy", 7.0, "stated")]
    region = write_region(
        tmp_path / "region", activity, exports=None, population={"a": 100}, districts=["a"]
    )
    found = sensitivity(solve_scenario_file(write_scenario(tmp_path / "s.yaml", region)))
    assert found.baseline.core_set() == {("wood", "a"), ("food", "a")}
    dropped = variant(found, "drop", "group_default")
    # forestry gone: wood's fit is 0 but it must still be sited, in the only district
    assert dropped.status == "optimal" and found.outcome(("wood", "a"), dropped) == "kept"
    replaced = variant(found, "replace", "group_default")
    assert replaced.objective == pytest.approx(found.baseline.objective)


def test_command_writes_every_file(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    done = run_main("sensitivity", str(tiny), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "cores.csv",
        "report.html",
        "report.md",
        "summary.json",
        "variants.csv",
    ]
    assert "drop group_default" in done.stdout and "moved to District B" in done.stdout
    variants = pd.read_csv(out / "variants.csv")
    assert len(variants) == 1 + 2 * 5
    cores = pd.read_csv(out / "cores.csv")
    assert set(cores["flag"].fillna("")) == {"single estimated row", ""}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["bases"][0] == "stated"
    wood = next(c for c in summary["cores"] if c["cluster_type"] == "wood")
    assert wood["outcomes"]["drop group_default"] == "moved to b"
    assert all(v["objective"] is None or math.isfinite(v["objective"]) for v in summary["variants"])
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "http" not in page and "src=" not in page and "<script" not in page
    assert "single estimated row" in (out / "report.md").read_text(encoding="utf-8")
    again = run_cli("sensitivity", str(tiny), "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr


def test_command_on_an_infeasible_scenario_writes_nothing(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    done = run_cli(
        "sensitivity", str(tiny), "--set", "rules.max_clusters_per_district=0", "--out", str(out)
    )
    assert done.returncode == 3 and "no siting to test" in done.stderr
    assert not out.exists()
    bad = run_cli("sensitivity", str(tiny), "--time-limit", "-1", "--out", str(out))
    assert bad.returncode == 2 and "--time-limit" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and not out.exists()
