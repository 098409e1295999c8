"""The compact cooperation formulation (docs/model.md §5.1) against the pair formulation and
brute-force enumeration, and the vectorised instance against the loop-built reference.

Every random tiny instance (tests/reference/tiny.py: 2-6 districts, 1-3 types, up to two cores
per type) is solved with ``solver.cooperation`` set to ``pairs`` and to ``compact``; both must
equal the enumerated optimum (tests/reference/bruteforce.py).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.errors import InputError
from model.formulation import build_model, compact_cooperation
from model.generate import generate_region
from model.instance import (
    AUTO_COMPACT_PAIRS,
    build_instance,
    choose_cooperation,
    compute_indicators,
)
from model.region import load_region
from model.scenario import check_against_region, load_scenario, scenario_from_dict
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.loop_instance import loop_instance
from tests.reference.tiny import write_random_instance

SEEDS = range(100)
ROOT = Path(__file__).resolve().parent.parent


def _tiny_case(seed: int, folder: Path, cooperation: str) -> tuple[Path, dict[str, object]]:
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    scenario.setdefault("solver", {})["cooperation"] = cooperation  # type: ignore[index]
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, scenario


@pytest.mark.parametrize("seed", SEEDS)
def test_both_forms_match_enumeration(seed: int, tmp_path: Path) -> None:
    from model.pipeline import solve_scenario_file

    found = {}
    for form in ("pairs", "compact"):
        path, scenario = _tiny_case(seed, tmp_path / form, form)
        expected_status, expected = solve_by_enumeration(Path(str(scenario["region"])), scenario)
        result = solve_scenario_file(path)
        assert result.instance.cooperation == form
        assert result.status == expected_status
        if expected_status != "infeasible":
            assert result.objective == pytest.approx(expected, abs=1e-6)
        found[form] = result.objective
    assert found["pairs"] == pytest.approx(found["compact"], abs=1e-6) or (
        found["pairs"] is None and found["compact"] is None
    )


@pytest.mark.slow
def test_tiny_seeds_exercise_the_compact_terms(tmp_path: Path) -> None:
    """The check above is only worth something if the seeds have pairs and multi-core types."""
    with_pairs = with_two_cores = 0
    for seed in SEEDS:
        path, _ = _tiny_case(seed, tmp_path / str(seed), "compact")
        loaded = load_scenario(path)
        region = load_region(loaded.region_path())
        check_against_region(loaded, region)
        instance = build_instance(region, loaded.scenario)
        with_pairs += instance.pair_count > 0
        with_two_cores += any(hi > 1 for _, hi in instance.site_range.values())
    assert with_pairs >= 40
    assert with_two_cores >= 10


def test_compact_bound_is_the_sum_of_the_largest_partners() -> None:
    """U[k,i,k'] recomputed by sorting each group's coefficients in plain Python."""
    loaded = scenario_from_dict(
        {"name": "u", "rules": {"sites": {"default": {"min": 0, "max": 2}}}}, ROOT
    )
    region = load_region(ROOT / "data" / "smolensk")
    instance = build_instance(region, loaded.scenario)
    compact = compact_cooperation(instance)
    groups: dict[tuple[str, str, str], list[float]] = {}
    for (k, i, k2, _j), coef in instance.pair_coef.items():
        groups.setdefault((k, i, k2), []).append(coef)
    assert compact.keys == list(groups)
    for n, key in enumerate(compact.keys):
        hi = instance.site_range[key[2]][1]
        assert hi == 2
        assert compact.bound[n] == pytest.approx(sum(sorted(groups[key], reverse=True)[:hi]))
        core = instance.sites[int(compact.core_site[n])]
        assert core == (key[0], key[1])
        lo, up = compact.start[n], compact.start[n + 1]
        partners = [instance.sites[int(s)] for s in compact.partner_site[lo:up]]
        assert all(p[0] == key[2] for p in partners)


def test_compact_model_has_one_column_per_group_and_no_pair_tuples() -> None:
    loaded = scenario_from_dict({"name": "c", "solver": {"cooperation": "compact"}}, ROOT)
    instance = build_instance(load_region(ROOT / "data" / "smolensk"), loaded.scenario)
    model = build_model(instance)
    assert instance.pair_table._keys is None  # the compact build never made the tuples
    assert not hasattr(model, "z")
    assert len(model.w) == len(compact_cooperation(instance).keys) > 0
    assert len(model.w) < instance.pair_count


def test_no_cooperation_gives_an_empty_compact_family() -> None:
    loaded = scenario_from_dict(
        {"name": "c", "weights": {"coop": 0}, "solver": {"cooperation": "compact"}}, ROOT
    )
    instance = build_instance(load_region(ROOT / "data" / "smolensk"), loaded.scenario)
    assert instance.pair_count == 0
    model = build_model(instance)
    assert len(model.w) == 0 and len(model.compact_partners) == 0


def test_auto_chooses_by_pair_count() -> None:
    assert choose_cooperation("auto", AUTO_COMPACT_PAIRS - 1) == "pairs"
    assert choose_cooperation("auto", AUTO_COMPACT_PAIRS) == "compact"
    assert choose_cooperation("auto", 0) == "pairs"
    assert choose_cooperation("pairs", 10**9) == "pairs"
    assert choose_cooperation("compact", 0) == "compact"


def test_unknown_cooperation_form_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nsolver:\n  cooperation: triples\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "solver.cooperation" in str(err.value)
    with pytest.raises(ValueError, match="cooperation"):
        build_model(
            build_instance(
                load_region(ROOT / "data" / "smolensk"), scenario_from_dict({"name": "s"}).scenario
            ),
            "triples",
        )


def _assert_same_as_loops(region_dir: Path, data: dict[str, object]) -> None:
    loaded = scenario_from_dict(data, ROOT)
    region = load_region(region_dir)
    check_against_region(loaded, region)
    tables = compute_indicators(region, loaded.scenario)
    fast = build_instance(region, loaded.scenario, tables)
    slow = loop_instance(region, loaded.scenario, tables)
    for name, expected in slow.items():
        got = getattr(fast, name)
        assert got == expected, name  # same entries and exactly the same floats
        if isinstance(expected, dict):
            assert list(got) == list(expected), name  # and the same order


@pytest.mark.parametrize(
    "data",
    [
        {"name": "base"},
        {"name": "canon", "indicators": {"fit": "lq", "intra_district": "none"},
         "rules": {"greenfield": True}},
        {"name": "wide", "rules": {"forbid": [{"district": "smolensk"}]},
         "indicators": {"member_max_minutes": 90, "link_max_minutes": 150}},
        {"name": "nocoop", "weights": {"coop": 0, "member": 0}},
    ],
)
def test_vectorised_instance_equals_loops_on_smolensk(data: dict[str, object]) -> None:
    _assert_same_as_loops(ROOT / "data" / "smolensk", data)


def test_vectorised_instance_equals_loops_on_a_generated_region(tmp_path: Path) -> None:
    region_dir = generate_region(tmp_path / "g", 150, 3, types=9, sectors=7)
    _assert_same_as_loops(region_dir, {"name": "g", "region": str(region_dir)})
    _assert_same_as_loops(
        region_dir, {"name": "g2", "region": str(region_dir), "rules": {"greenfield": True}}
    )


def test_vectorised_instance_equals_loops_on_tiny_regions(tmp_path: Path) -> None:
    for seed in range(20):
        folder = tmp_path / str(seed)
        scenario = {"name": f"t{seed}", **write_random_instance(random.Random(seed), folder)}
        _assert_same_as_loops(Path(str(scenario["region"])), scenario)


def test_pair_table_round_trip() -> None:
    instance = build_instance(
        load_region(ROOT / "data" / "smolensk"), scenario_from_dict({"name": "p"}).scenario
    )
    table = instance.pair_table
    assert len(instance.pairs) == len(table) == len(instance.pair_coef)
    assert np.array_equal(np.array(list(instance.pair_coef.values())), table.coef)
