"""Scenarios that say what a planner means: a lock on one of a set of districts, groups limited
to some types, a ban of every type in a district, and districts and types named by id, name or
local name in any letter case (README, "Scenario files").

Expected outcomes are worked out from the meaning of each rule: a lock on a set with one core
per type is met by the best of the single-district locks, a group limited to wood counts wood
cores only, a banned district holds no core at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.cli import main
from model.errors import InputError
from model.pipeline import RunResult, solve, solve_scenario_file
from model.region import load_region
from model.report.explain import explain
from model.results import Solution, check_constraints
from model.scenario import (
    RegionNames,
    UnresolvedNameError,
    check_against_region,
    load_scenario,
    scenario_from_dict,
)

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = load_region(REPO / "data" / "smolensk")
NORTH_EAST = ["gagarinsky", "sychyovsky", "kholm_zhirkovsky"]


def cores(result: RunResult) -> set[tuple[str, str]]:
    table = result.assignments[result.assignments["role"] == "core"]
    return set(zip(table["cluster_type"], table["district"], strict=True))


def solved(rules: dict) -> RunResult:
    return solve(scenario_from_dict({"name": "probe", "rules": rules}))


def resolved_rules(rules: dict) -> object:
    loaded = scenario_from_dict({"name": "probe", "rules": rules})
    check_against_region(loaded, SMOLENSK)
    return loaded.scenario.rules


# --- references by id, name or local name -------------------------------------------------


@pytest.mark.parametrize(
    "written", ["velizhsky", "Velizhsky", "VELIZHSKY", "Велижский", "велижский", " Velizhsky"]
)
def test_a_district_is_named_by_id_name_or_local_name_in_any_case(written: str) -> None:
    rules = resolved_rules({"forbid": [{"cluster": "wood", "district": written.strip()}]})
    assert rules.forbid[0].district == "velizhsky"  # type: ignore[attr-defined]


def test_names_with_hyphens_yo_and_types_by_name_resolve_to_ids() -> None:
    rules = resolved_rules(
        {
            "clusters": ["Wood processing", "FOOD"],
            "sites": {"wood processing": {"max": 2}},
            "lock": [
                {
                    "cluster": "Wood processing",
                    "districts": ["Kholm-Zhirkovsky", "kholm zhirkovsky", "Сычевский"],
                }
            ],
            "groups": [{"name": "g", "districts": ["город Смоленск"], "types": ["Wood"]}],
            "budget": {"limit": 3, "costs": {"Smolensk (city)": 2}},
            "border": {"types": ["food (livestock processing)"]},
        }
    )
    assert rules.clusters == ["wood", "food"]  # type: ignore[attr-defined]
    assert set(rules.sites) == {"wood"}  # type: ignore[attr-defined]
    lock = rules.lock[0]  # type: ignore[attr-defined]
    assert (lock.cluster, lock.districts) == ("wood", ["kholm_zhirkovsky", "sychyovsky"])
    group = rules.groups[0]  # type: ignore[attr-defined]
    assert (group.districts, group.types) == (["smolensk"], ["wood"])
    assert rules.budget.costs == {"smolensk": 2}  # type: ignore[attr-defined]
    assert rules.border.types == ["food"]  # type: ignore[attr-defined]


def test_a_set_of_one_district_after_resolution_is_a_plain_lock() -> None:
    rules = resolved_rules({"lock": [{"cluster": "wood", "districts": ["Ugransky", "ugransky"]}]})
    lock = rules.lock[0]  # type: ignore[attr-defined]
    assert (lock.district, lock.districts) == ("ugransky", None)


def test_an_ambiguous_name_is_an_error_naming_the_candidates() -> None:
    names = RegionNames("district", "districts", {"a": ("Lake", "Озеро"), "b": ("Lake", "")})
    with pytest.raises(UnresolvedNameError) as caught:
        names.resolve("lake")
    message = str(caught.value)
    assert "ambiguous district 'lake'" in message
    assert "a (Lake)" in message and "b (Lake)" in message
    assert names.resolve("a") == "a" and names.resolve("озеро") == "a"


def test_an_exact_id_wins_over_another_districts_name() -> None:
    names = RegionNames("district", "districts", {"a": ("B", ""), "b": ("Bee", "")})
    assert names.resolve("b") == "b"  # the id, not the name of a
    with pytest.raises(UnresolvedNameError):
        names.resolve("B ")  # no exact id: b's id and a's name both match


def _error(rules: dict) -> str:
    with pytest.raises(InputError) as caught:
        resolved_rules(rules)
    return str(caught.value)


def test_did_you_mean_tells_smolensk_city_from_smolensky_district() -> None:
    message = _error({"forbid": [{"cluster": "wood", "district": "Smolenskiy"}]})
    assert "rules.forbid[0].district" in message
    assert "did you mean" in message
    assert "smolensky (Smolensky)" in message and "smolensk (Smolensk (city))" in message
    assert "\n" not in message


def test_did_you_mean_for_a_type_shows_its_name() -> None:
    message = _error({"lock": [{"cluster": "wod", "district": "ugransky"}]})
    assert "rules.lock[0].cluster" in message and "wood (Wood processing)" in message


def test_an_unknown_name_without_a_close_match_is_one_line_without_a_list() -> None:
    message = _error({"groups": [{"name": "g", "districts": ["atlantis"]}]})
    assert "rules.groups[0].districts[0]" in message and "'atlantis'" in message
    assert "run.py districts" in message and "27" in message
    assert "..." not in message and "\n" not in message and "velizhsky" not in message


def test_the_same_type_twice_under_two_names_is_an_error() -> None:
    assert "listed twice" in _error({"clusters": ["wood", "Wood processing"]})
    message = _error({"sites": {"wood": {"max": 2}, "WOOD": {"max": 3}}})
    assert "rules.sites.WOOD" in message and "same type as rules.sites.wood" in message


# --- schema of the new forms ------------------------------------------------------------------


def test_a_lock_needs_district_or_districts_but_not_both(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    both = {"cluster": "wood", "district": "ugransky", "districts": ["ugransky"]}
    path.write_text(yaml.safe_dump({"name": "x", "rules": {"lock": [both]}}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert "rules.lock[0]" in str(caught.value) and "not both" in str(caught.value)
    path.write_text(
        yaml.safe_dump({"name": "x", "rules": {"lock": [{"cluster": "wood", "districts": []}]}}),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert "rules.lock[0].districts" in str(caught.value)


def test_locked_and_grouped_types_must_be_sited() -> None:
    lock = {"clusters": ["food"], "lock": [{"cluster": "wood", "districts": NORTH_EAST}]}
    assert "not among rules.clusters" in _error(lock)
    group = {
        "clusters": ["food"],
        "groups": [{"name": "g", "districts": NORTH_EAST, "types": ["wood"]}],
    }
    assert "rules.groups[0].types[0]" in _error(group)


# --- the rules in the model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def single_locks() -> dict[str, RunResult]:
    ban = [{"district": "smolensk"}]
    return {
        d: solved({"lock": [{"cluster": "wood", "district": d}], "forbid": ban}) for d in NORTH_EAST
    }


def test_a_lock_on_a_set_is_met_by_the_best_single_district_lock(
    single_locks: dict[str, RunResult],
) -> None:
    # with one wood core allowed, "one of the set" is the best of locking each district
    result = solved(
        {
            "lock": [{"cluster": "wood", "districts": NORTH_EAST}],
            "forbid": [{"district": "smolensk"}],
        }
    )
    assert result.status == "optimal"
    best = max(r.objective for r in single_locks.values())  # type: ignore[type-var]
    assert result.objective == pytest.approx(best, abs=1e-9)
    wood = [i for k, i in cores(result) if k == "wood"]
    assert len(wood) == 1 and wood[0] in NORTH_EAST


def test_a_lock_on_a_set_allows_a_core_in_each_of_several_districts() -> None:
    rules = {
        "sites": {"wood": {"min": 2, "max": 2}},
        "lock": [{"cluster": "wood", "districts": ["sychyovsky", "ugransky"]}],
    }
    wood = {i for k, i in cores(solved(rules)) if k == "wood"}
    assert len(wood) == 2 and wood & {"sychyovsky", "ugransky"}


def test_a_ban_of_every_type_empties_the_district() -> None:
    baseline = solved({})
    assert any(i == "smolensk" for _, i in cores(baseline))  # the ban has something to move
    for ban in ({"district": "smolensk"}, {"cluster": None, "district": "Smolensk (city)"}):
        result = solved({"forbid": [ban]})
        assert result.status == "optimal"
        assert not any(i == "smolensk" for _, i in cores(result))
        assert result.objective <= baseline.objective + 1e-9  # type: ignore[operator]


def test_a_group_limited_to_wood_counts_wood_cores_only() -> None:
    baseline = cores(solved({}))
    assert ("wood", "gagarinsky") in baseline
    wood_cap = {"name": "ne", "districts": NORTH_EAST, "types": ["wood"], "max_sites": 0}
    found = cores(solved({"groups": [wood_cap]}))
    assert not any(k == "wood" and i in NORTH_EAST for k, i in found)
    # the same cap without types holds every type out of the north-east
    everyone = cores(solved({"groups": [{**wood_cap, "types": None}]}))
    assert not any(i in NORTH_EAST for _, i in everyone)
    # a floor of two food or wood cores in the north-east
    floor = {
        "name": "ne",
        "districts": NORTH_EAST,
        "types": ["food", "wood"],
        "min_sites": 2,
        "max_sites": None,
    }
    found = cores(solved({"sites": {"food": {"max": 2}, "wood": {"max": 2}}, "groups": [floor]}))
    assert sum(1 for k, i in found if k in ("food", "wood") and i in NORTH_EAST) >= 2


def test_the_solution_check_reads_the_new_rules_from_their_meaning() -> None:
    result = solved({})
    scenario = scenario_from_dict(
        {
            "name": "probe",
            "rules": {
                "lock": [{"cluster": "wood", "districts": ["sychyovsky", "ugransky"]}],
                "forbid": [{"district": "smolensk"}],
                "groups": [
                    {"name": "ne", "districts": NORTH_EAST, "types": ["wood"], "max_sites": 0}
                ],
            },
        }
    ).scenario
    solution = Solution(sorted(cores(result)), [])
    problems = check_constraints(solution, SMOLENSK, scenario, result.tables)
    assert any("rules.forbid bans every type in smolensk" in p for p in problems)
    assert any(p.startswith("lock wood@any of sychyovsky, ugransky") for p in problems)
    assert any(p.startswith("group ne: 1 cores") for p in problems)


# --- infeasible: the diagnosis names the lock and why each district is excluded ----------------


def test_a_lock_whose_districts_are_all_excluded_is_diagnosed() -> None:
    result = solved({"lock": [{"cluster": "Food", "districts": ["Gagarinsky", "Sychyovsky"]}]})
    assert result.status == "infeasible"
    text = " ".join(result.diagnosis)
    assert "the lock of food in one of gagarinsky, sychyovsky (rules.lock[0])" in text
    assert "every district of its set is excluded" in text
    assert "gagarinsky: border rule" in text and "sychyovsky: border rule" in text
    assert set(result.conflict) == {"rules.lock[0]", "rules.border.types:food"}


def test_bans_and_a_lock_set_make_an_irreducible_conflict() -> None:
    result = solved(
        {
            "lock": [{"cluster": "wood", "districts": ["gagarinsky", "sychyovsky"]}],
            "forbid": [{"district": "gagarinsky"}, {"cluster": "wood", "district": "sychyovsky"}],
        }
    )
    assert result.status == "infeasible"
    assert set(result.conflict) == {"rules.lock[0]", "rules.forbid[0]", "rules.forbid[1]"}
    text = " ".join(result.diagnosis)
    assert "the ban of every type in gagarinsky (rules.forbid[0])" in text
    assert "gagarinsky: forbidden by rules.forbid; sychyovsky: forbidden by rules.forbid" in text


def test_a_group_floor_of_one_type_beyond_its_room_is_diagnosed() -> None:
    floor = {"name": "ne", "districts": NORTH_EAST, "types": ["wood"], "min_sites": 2}
    result = solved({"groups": [floor]})  # one wood core in all
    assert result.status == "infeasible"
    assert set(result.conflict) == {"rules.groups[0].min_sites", "rules.sites.wood.max"}
    assert "at least 2 cores of wood in group ne" in " ".join(result.diagnosis)


# --- Rules at work --------------------------------------------------------------------------


def test_rules_at_work_name_the_lock_set_the_closed_district_and_the_typed_group() -> None:
    result = solved(
        {
            "lock": [{"cluster": "wood", "districts": NORTH_EAST}],
            "forbid": [{"district": "smolensk"}],
            "groups": [{"name": "ne", "districts": NORTH_EAST, "types": ["wood"], "max_sites": 1}],
        }
    )
    wood = next(e for e in explain(result, runner_ups=False) if e.cluster_type == "wood")
    rules = " | ".join(wood.rules)
    assert "lock: rules.lock asks for a wood core in one of Gagarinsky, Sychyovsky, " in rules
    assert "(the only one there)" in rules
    assert "group ne: at its cap of 1 cores of wood" in rules
    assert "closed to every type by rules.forbid: Smolensk (city)" in rules


# --- the worked example -----------------------------------------------------------------------

NORTH_EAST_WOOD = """\
name: north_east_wood
description: >
  A wood cluster in one of three north-east districts, and no core in Smolensk city.
rules:
  lock:
    - {cluster: Wood processing, districts: [Gagarinsky, Sychyovsky, Kholm-Zhirkovsky]}
  forbid:
    - {district: Smolensk (city)}     # no cluster: every type
"""


def test_worked_example_north_east_wood_without_smolensk_city(
    tmp_path: Path, single_locks: dict[str, RunResult]
) -> None:
    path = tmp_path / "north_east_wood.yaml"
    path.write_text(NORTH_EAST_WOOD, encoding="utf-8")
    result = solve_scenario_file(path)
    assert result.status == "optimal"
    found = cores(result)
    wood = [i for k, i in found if k == "wood"]
    assert len(wood) == 1 and wood[0] in NORTH_EAST
    assert not any(i == "smolensk" for _, i in found)
    # every rule holds, read from the resolved scenario
    rules = result.loaded.scenario.rules
    assert rules.lock[0].districts == NORTH_EAST
    assert (rules.forbid[0].cluster, rules.forbid[0].district) == (None, "smolensk")
    solution = Solution(sorted(found), [])
    assert check_constraints(solution, result.region, result.loaded.scenario, result.tables) == []
    # and nothing better exists: the best of the three single-district locks
    best = max(r.objective for r in single_locks.values())  # type: ignore[type-var]
    assert result.objective == pytest.approx(best, abs=1e-9)


# --- run.py districts and run.py types ----------------------------------------------------------


def test_districts_command_lists_ids_names_and_facts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["districts"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line and line[0].isalpha()}
    assert "smolensk" in lines and "smolensky" in lines
    assert "Smolensk (city)" in lines["smolensk"] and "город Смоленск" in lines["smolensk"]
    assert "316,570" in lines["smolensk"]
    assert "Kholm-Zhirkovsky" in lines["kholm_zhirkovsky"]
    assert "yes" in lines["velizhsky"] and "Velizh–Senkovo" in lines["velizhsky"]
    assert "27 districts" in out


def test_types_command_lists_ids_names_sectors_and_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["types", "--region", str(REPO / "data" / "smolensk")]) == 0
    out = capsys.readouterr().out
    wood = next(line for line in out.splitlines() if line.startswith("wood "))
    assert "Wood processing" in wood and "wood 0.875" in wood and "building_materials 0.8" in wood
    metallurgy = next(line for line in out.splitlines() if line.startswith("metallurgy "))
    assert "needs_corridor" in metallurgy
    assert "8 cluster types" in out


def test_cli_error_for_an_unknown_district_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nrules:\n  forbid: [{district: Smolensky district}]\n", encoding="utf-8"
    )
    assert main(["run", str(path), "--runs-dir", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "rules.forbid[0].district" in err and "did you mean smolensky (Smolensky)" in err
