"""Cluster values and "why not there?" (model/report/values.py, model/report/whynot.py).

- the values of the clusters add up to the objective, on the shipped scenarios and on random
  tiny instances;
- every move of one core with everything else fixed agrees with brute-force enumeration
  (tests/reference/bruteforce.py, written independently of model/): a move is allowed exactly
  when the enumerator lists the moved core set, and the objective plus the move's change is the
  enumerator's best objective for that core set (types with one core: the move re-optimises
  the members of that cluster only, which is then the whole optimisation);
- at a proven optimum no allowed move gains, and a tie is reported as a tie.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.pipeline import solve_scenario_file
from model.report.values import cluster_values
from model.report.whynot import why_not
from tests.reference.bruteforce import scored_core_sets
from tests.reference.tiny import write_random_instance

REPO = Path(__file__).resolve().parent.parent
SEEDS = range(60)


def write_case(seed: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    scenario = {"name": f"tiny_{seed}", **write_random_instance(random.Random(seed), folder)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name", ["baseline", "compact", "cross_border", "export_push", "periphery"]
)
def test_cluster_values_add_up_to_the_objective_on_shipped_scenarios(name: str) -> None:
    result = solve_scenario_file(REPO / "scenarios" / f"{name}.yaml")
    assert result.objective is not None
    values = cluster_values(result)
    assert len(values) == len(result.sitings())
    assert math.fsum(v.value for v in values) == pytest.approx(result.objective, abs=1e-9)
    for term in ("fit", "export", "member", "coop"):
        assert math.fsum(v.terms[term] for v in values) == pytest.approx(
            result.terms[term], abs=1e-9
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_moves_match_enumeration_on_tiny_instances(seed: int, tmp_path: Path) -> None:
    path, scenario = write_case(seed, tmp_path)
    result = solve_scenario_file(path)
    if result.objective is None:
        assert cluster_values(result) == [] and why_not(result) == []
        return
    values = cluster_values(result)
    assert math.fsum(v.value for v in values) == pytest.approx(result.objective, abs=1e-9)
    scored = dict(scored_core_sets(Path(scenario["region"]), scenario))
    cores = result.core_set()
    assert scored[cores] == pytest.approx(result.objective, abs=1e-6)
    per_type = {k: sum(1 for t, _ in cores if t == k) for k, _ in cores}
    for answer in why_not(result):
        k, i = answer.cluster_type, answer.core
        assert answer.gains == []  # the optimum is proven: no allowed move gains
        for move in answer.moves:
            moved = frozenset(cores - {(k, i)} | {(k, move.district)})
            if per_type[k] == 1:
                assert (not move.blocked) == (moved in scored), (k, i, move)
            if move.blocked:
                continue
            assert moved in scored
            reached = result.objective + answer.delta(move)
            if per_type[k] == 1:
                assert reached == pytest.approx(scored[moved], abs=1e-6)
            else:  # other clusters of the type keep their members: at most the best
                assert reached <= scored[moved] + 1e-6
            assert answer.is_tie(move) == (abs(reached - result.objective) <= answer.tolerance)


# --- ties, no activity, the scenario's own rules, one number everywhere ---------------------


def write_twin_region(folder: Path) -> Path:
    """a and b identical (same activity, area, 30 min from c); food's sector s3 has no
    activity anywhere, so a food core is greenfield wherever it goes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "districts.csv").write_text(
        "id,name,name_local,lat,lon,population,area_km2,border\n"
        "a,Alpha,Альфа,54.80,32.00,10000,500,false\n"
        "b,Beta,Бета,54.80,32.80,10000,500,false\n"
        "c,Gamma,Гамма,55.20,32.40,10000,500,false\n",
        encoding="utf-8",
    )
    (folder / "activity.csv").write_text(
        "district,sector,value\na,s1,10\nb,s1,10\nc,s2,50\na,s3,0\n", encoding="utf-8"
    )
    (folder / "roads.csv").write_text(
        "a,b,minutes,kind\na,c,30,federal\nb,c,30,federal\n", encoding="utf-8"
    )
    catalogue = {
        "wood": {"name": "Wood", "sectors": {"s1": 1.0}, "cross_border": False,
                 "needs_corridor": False, "cooperation": {}},
        "food": {"name": "Food", "sectors": {"s3": 1.0}, "cross_border": False,
                 "needs_corridor": False, "cooperation": {}},
    }  # fmt: skip
    (folder / "clusters.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    return folder


def twin_result(folder: Path) -> Any:
    from model.pipeline import solve
    from model.region import load_region
    from model.scenario import scenario_from_dict

    region = write_twin_region(folder)
    loaded = scenario_from_dict(
        {"name": "twins", "region": str(region), "rules": {"greenfield": True}}
    )
    return solve(loaded, load_region(region))


def test_a_tie_is_called_a_tie_with_the_tied_districts(tmp_path: Path) -> None:
    from model.report.explain import explain
    from model.report.formatting import Names
    from model.report.why_text import why_not_text

    result = twin_result(tmp_path / "twins")
    assert result.status == "optimal"
    wood = next(e for e in explain(result) if e.cluster_type == "wood")
    other = "b" if wood.core == "a" else "a"  # a and b are interchangeable by construction
    assert wood.why_not is not None
    assert [m.district for m in wood.why_not.ties] == [other]
    names = Names(result.region)
    text = why_not_text(wood, names)
    assert "**Tie.**" in text and names.d(other) in text
    assert wood.runner_up.districts == [other]
    from model.report.content import runner_up_text

    said = runner_up_text(result, wood, names)
    assert said.startswith("A tie") and "gives up" not in said


def test_a_core_without_activity_in_its_sectors_is_flagged(tmp_path: Path) -> None:
    from model.report.explain import explain
    from model.report.writer import write_report

    result = twin_result(tmp_path / "twins")
    flags = {e.cluster_type: e.greenfield for e in explain(result)}
    assert flags == {"wood": False, "food": True}
    out = tmp_path / "report"
    out.mkdir()
    write_report(result, out)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.count("**No activity.**") == 1


def test_own_rules_name_what_moved_each_type() -> None:
    """wood_northeast locks wood to three districts without Gagarinsky (the baseline's wood
    core) and bans every type from the city (the baseline's machinery core): each rule alone
    must move its type, and the rules together cost the difference of the two optima."""
    from model.report.own_rules import rule_effects

    baseline = solve_scenario_file(REPO / "scenarios" / "baseline.yaml")
    planner = solve_scenario_file(REPO / "scenarios" / "wood_northeast.yaml")
    assert ("wood", "gagarinsky") in baseline.core_set()
    assert ("machinery", "smolensk") in baseline.core_set()
    effects = rule_effects(planner)
    assert [r.key for r in effects.rules] == ["rules.lock[0]", "rules.forbid (every type)"]
    assert effects.free_objective == pytest.approx(baseline.objective, abs=1e-6)
    assert effects.cost(planner.objective) == pytest.approx(
        baseline.objective - planner.objective, abs=1e-6
    )
    assert [r.key for r in effects.effects["wood"].moved_by] == ["rules.lock[0]"]
    assert effects.effects["wood"].free_cores == ["gagarinsky"]
    assert [r.key for r in effects.effects["machinery"].moved_by] == ["rules.forbid (every type)"]
    assert effects.effects["machinery"].free_cores == ["smolensk"]


def test_a_scenario_without_own_rules_has_nothing_to_name() -> None:
    from model.report.own_rules import rule_effects

    result = solve_scenario_file(REPO / "scenarios" / "baseline.yaml")
    effects = rule_effects(result)
    assert effects.rules == [] and effects.effects == {} and effects.status == "none"


def test_console_csv_and_summary_show_one_number_per_cluster(tmp_path: Path) -> None:
    """The console's value column, clusters.csv and summary.json agree and add up."""
    import csv
    import json

    from model.output import siting_lines, write_run

    result = solve_scenario_file(REPO / "scenarios" / "wood_northeast.yaml")
    folder = write_run(result, tmp_path / "run", runner_ups=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    with (folder / "clusters.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert math.fsum(float(r["value"]) for r in rows) == pytest.approx(
        summary["objective"], abs=1e-6
    )
    values = [s["value"] for s in summary["sitings"]]
    assert [s["contribution"] for s in summary["sitings"]] == values
    assert math.fsum(values) == pytest.approx(summary["objective"], abs=1e-9)
    assert [float(r["value"]) for r in rows] == pytest.approx(values, abs=1e-8)
    lines = siting_lines(result)
    assert lines[0].split()[-1] == "value"
    shown = [float(line[: lines[1].rfind("-") + 1].split()[-1]) for line in lines[2:8]]
    assert shown == pytest.approx(values, abs=5e-4)
    assert all(r["estimate"] in ("", "†") for r in rows)  # the mark alone, in its own column
    assert {r["type_name"] for r in rows} >= {"Wood processing"}


def test_empty_siting_has_no_values_and_no_moves(tmp_path: Path) -> None:
    """Degenerate case: an infeasible scenario (a lock in a district closed to every type)."""
    from model.pipeline import solve
    from model.region import load_region
    from model.scenario import scenario_from_dict

    region = write_twin_region(tmp_path / "twins")
    loaded = scenario_from_dict(
        {
            "name": "closed",
            "region": str(region),
            "rules": {
                "greenfield": True,
                "lock": [{"cluster": "wood", "district": "a"}],
                "forbid": [{"district": "a"}],
            },
        }
    )
    result = solve(loaded, load_region(region))
    assert result.status == "infeasible"
    assert cluster_values(result) == [] and why_not(result) == []
