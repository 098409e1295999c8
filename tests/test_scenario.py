"""The scenario loader: strict keys, defaults, extends chains, overrides, ids checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.errors import InputError
from model.region import load_region
from model.scenario import check_against_region, load_scenario

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def error_of(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(InputError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


def test_baseline_loads_with_the_design_defaults() -> None:
    loaded = load_scenario(REPO / "scenarios" / "baseline.yaml")
    scenario = loaded.scenario
    assert scenario.name == "baseline"
    assert (scenario.weights.fit, scenario.weights.member) == (1.0, 0.5)
    assert scenario.indicators.link_max_minutes == 120
    assert scenario.rules.site_range("wood") == (1, 1)
    assert loaded.region_path() == REPO / "data" / "smolensk"


def test_minimal_scenario_gets_every_default(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path / "s.yaml", {"name": "x"})).scenario
    assert scenario.region == "smolensk"
    assert scenario.weights.coop == 1.0 and scenario.weights.export == 1.0
    assert scenario.indicators.lq_cap == 3.0 and scenario.indicators.link_tau == 60
    assert scenario.indicators.member_max_minutes == 60
    assert scenario.rules.border.enforce and scenario.rules.border.max_minutes == 60
    assert scenario.rules.corridor.max_minutes == 30
    assert scenario.rules.max_clusters_per_district == 2 and scenario.rules.max_members == 4
    assert scenario.rules.clusters is None and scenario.rules.min_border_sites == 0
    assert scenario.solver.name == "highs" and scenario.solver.mip_gap == 0.0


def test_per_type_sites_override_only_the_fields_given(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        {"name": "x", "rules": {"sites": {"default": {"min": 0, "max": 2}, "wood": {"max": 3}}}},
    )
    rules = load_scenario(path).scenario.rules
    assert rules.site_range("wood") == (0, 3)
    assert rules.site_range("food") == (0, 2)


@pytest.mark.parametrize(
    ("data", "key", "expected"),
    [
        ({"name": "x", "weight": {}}, "weight", "unknown key"),
        ({"name": "x", "rules": {"max_memebers": 3}}, "rules.max_memebers", "unknown key"),
        ({"name": "x", "rules": {"border": {"enforse": True}}}, "rules.border.enforse", "unknown"),
        ({"name": "x", "weights": {"coop": "high"}}, "weights.coop", "valid number"),
        ({"name": "x", "weights": {"fit": -1}}, "weights.fit", "greater than or equal to 0"),
        ({"name": "x", "rules": {"max_members": 2.5}}, "rules.max_members", "integer"),
        ({"name": "x", "indicators": {"link_tau": 0}}, "indicators.link_tau", "greater than 0"),
        ({"name": "x", "weights": {"fit": 1e300}}, "weights.fit", "less than or equal"),
        ({"name": "x", "rules": {"lock": [{"cluster": "wood"}]}}, "rules.lock[0].district", ""),
        ({"description": "no name"}, "name", "required key is missing"),
        ({"name": "has space"}, "name", "pattern"),
        ({"name": "x", "solver": {"mip_gap": 2}}, "solver.mip_gap", "less than or equal to 1"),
    ],
)
def test_schema_errors_name_file_and_key(
    tmp_path: Path, data: dict, key: str, expected: str
) -> None:
    message = error_of(write(tmp_path / "bad.yaml", data))
    assert message.startswith(str(tmp_path / "bad.yaml"))
    assert f": {key}:" in message
    assert expected in message


def test_empty_file_and_non_mapping_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert "empty" in error_of(empty)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    assert "mapping" in error_of(listing)


def test_yaml_syntax_error_names_the_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nweights: {fit: 1\n", encoding="utf-8")
    message = error_of(path)
    assert "broken.yaml" in message and "line" in message and "invalid YAML" in message


def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    assert "invalid YAML" in error_of(path)


def test_extends_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    write(
        tmp_path / "parent.yaml",
        {
            "name": "parent",
            "weights": {"fit": 2.0, "coop": 0.5},
            "rules": {"forbid": [{"cluster": "wood", "district": "velizhsky"}]},
        },
    )
    child = write(
        tmp_path / "child.yaml",
        {
            "name": "child",
            "extends": "parent.yaml",
            "weights": {"coop": 3.0},
            "rules": {"forbid": []},
        },
    )
    loaded = load_scenario(child)
    assert loaded.scenario.weights.fit == 2.0  # inherited
    assert loaded.scenario.weights.coop == 3.0  # overridden
    assert loaded.scenario.rules.forbid == []  # lists are replaced whole
    assert [Path(p).name for p in loaded.chain] == ["parent.yaml", "child.yaml"]


def test_extends_cycle_and_missing_parent_are_errors(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"name": "a", "extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"name": "b", "extends": "a.yaml"})
    assert "cycle" in error_of(tmp_path / "a.yaml")
    orphan = write(tmp_path / "c.yaml", {"name": "c", "extends": "nowhere.yaml"})
    message = error_of(orphan)
    assert "c.yaml: extends" in message and "not found" in message


def test_error_in_a_parent_names_the_parent_file(tmp_path: Path) -> None:
    write(tmp_path / "parent.yaml", {"name": "p", "weights": {"fitt": 1}})
    child = write(tmp_path / "child.yaml", {"name": "c", "extends": "parent.yaml"})
    message = error_of(child)
    assert message.startswith(str(tmp_path / "parent.yaml")) and "weights.fitt" in message


def test_overrides_apply_after_the_file_and_are_validated(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", {"name": "x"})
    loaded = load_scenario(path, ["weights.coop=2", "rules.clusters=[wood, food]"])
    assert loaded.scenario.weights.coop == 2.0
    assert loaded.scenario.rules.clusters == ["wood", "food"]
    message = error_of(path, ["weights.cop=2"])
    assert "--set weights.cop=2" in message and "unknown key" in message
    assert "KEY=VALUE" in error_of(path, ["weights.coop"])


def test_relative_region_path_resolves_against_the_scenario_folder(tmp_path: Path) -> None:
    nested = tmp_path / "deep"
    nested.mkdir()
    path = write(nested / "s.yaml", {"name": "x", "region": "../myregion"})
    assert load_scenario(path).region_path() == nested / ".." / "myregion"


def test_ids_are_checked_against_the_region(tmp_path: Path) -> None:
    region = load_region(REPO / "data" / "smolensk")
    cases = [
        ({"clusters": ["wood", "bakery"]}, "rules.clusters[1]", "bakery"),
        ({"sites": {"bakery": {"max": 2}}}, "rules.sites.bakery", "bakery"),
        (
            {"groups": [{"name": "g", "districts": ["atlantis"]}]},
            "rules.groups[0].districts[0]",
            "",
        ),
        ({"forbid": [{"cluster": "wood", "district": "atlantis"}]}, "rules.forbid[0].district", ""),
        (
            {"clusters": ["food"], "lock": [{"cluster": "wood", "district": "velizhsky"}]},
            "rules.lock[0].cluster",
            "not among rules.clusters",
        ),
        ({"budget": {"limit": 3, "costs": {"atlantis": 1}}}, "rules.budget.costs.atlantis", ""),
    ]
    for rules, key, expected in cases:
        loaded = load_scenario(write(tmp_path / "s.yaml", {"name": "x", "rules": rules}))
        with pytest.raises(InputError) as caught:
            check_against_region(loaded, region)
        message = str(caught.value)
        assert f": {key}:" in message, message
        assert expected in message
