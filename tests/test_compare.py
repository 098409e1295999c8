"""Scenario comparison, sweeps, `show` and the scenario reference."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from model.cli import main
from model.compare import CHANGED, MEMBERS_CHANGED, Snapshot, compare, flatten
from model.scenario import load_scenario
from model.scenario_docs import README_END, README_START, reference_markdown, reference_rows

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


def snap(label: str, sitings: dict, objective: float, **settings: object) -> Snapshot:
    terms = {"fit": objective, "export": 0.0, "member": 0.0, "coop": 0.0}
    return Snapshot(label, "optimal", objective, terms, sitings, flatten(settings), label)


def test_comparison_marks_moved_cores_and_changed_members() -> None:
    reference = snap("a", {"wood": [("x", ("y",))], "food": [("z", ())]}, 2.0, weights={"fit": 1})
    other = snap("b", {"wood": [("x", ())], "food": [("y", ())]}, 1.5, weights={"fit": 2})
    result = compare([reference, other])
    # no type names known: the ids stand in; the marks have a column of their own
    assert result.sitings.loc["wood", "a"] == "x (y)"
    assert result.sitings.loc["wood", "b"] == "x"
    assert result.sitings.loc["wood", "b change"] == MEMBERS_CHANGED
    assert result.sitings.loc["food", "b"] == "y"
    assert result.sitings.loc["food", "b change"] == CHANGED
    assert "a change" not in result.sitings.columns  # the reference has nothing to compare
    # the weights differ: the objectives are not set against each other
    assert result.terms.loc["weights", "b"] == "differ: not comparable"
    assert pd.isna(result.terms.loc["objective", "b - a"])
    assert pd.isna(result.terms.loc["objective", "b % change"])
    assert "not comparable" in result.summary[0]
    assert list(result.settings.index) == ["weights.fit"]
    assert result.settings.loc["weights.fit"].tolist() == ["1", "2"]


def test_same_weights_give_a_difference_a_percent_change_and_a_cost_line() -> None:
    reference = snap("a", {"wood": [("x", ())]}, 2.0, weights={"fit": 1})
    other = snap("b", {"wood": [("y", ())]}, 1.5, weights={"fit": 1}, rules={"max_members": 2})
    result = compare([reference, other])
    assert result.terms.loc["weights", "b"] == "same"
    assert result.terms.loc["objective", "b - a"] == pytest.approx(-0.5)
    assert result.terms.loc["objective", "b % change"] == pytest.approx(-25.0)  # -0.5 / 2
    assert result.summary == [
        "b: rules.max_members null → 2 costs 0.500 (25.0%) against a; 1 type moves: wood x → y."
    ]


def test_full_names_and_plain_words_for_rules() -> None:
    names = {"x": "Xeno", "y": "Ypsilon", "c": "City"}
    types = {"wood": "Wood processing"}
    reference = Snapshot(
        "base", "optimal", 2.0, {"fit": 2.0}, {"wood": [("x", ())]}, flatten({}), "base",
        names, types,
    )  # fmt: skip
    rules = {"rules": {"forbid": [{"cluster": None, "district": "c"}],
                       "lock": [{"cluster": "wood", "districts": ["y", "x"]}]}}  # fmt: skip
    other = Snapshot(
        "plan", "optimal", 2.0, {"fit": 2.0}, {"wood": [("y", ())]}, flatten(rules), "plan",
        names, types,
    )  # fmt: skip
    result = compare([reference, other])
    assert list(result.sitings.index) == ["Wood processing"]
    assert result.sitings.loc["Wood processing", "plan"] == "Ypsilon"
    assert result.settings.loc["rules.forbid", "plan"] == "no core in City"
    assert result.settings.loc["rules.lock", "plan"] == "wood processing in one of Ypsilon, Xeno"
    # a tie: same objective, the core moved
    assert result.summary == [
        "plan: no core in City and wood processing in one of Ypsilon, Xeno change nothing in "
        "the objective against base; 1 type moves: wood processing Xeno → Ypsilon."
    ]
    markdown = result.to_markdown()
    assert "| Wood processing | Xeno | Ypsilon | * | wood |" in markdown
    for line in markdown.splitlines():  # no mark glued to a cell's text
        assert "| * " not in line.replace("| * |", "")


def test_repeated_labels_stay_distinct_columns() -> None:
    one = snap("same", {"wood": [("x", ())]}, 1.0)
    result = compare([one, one])
    assert list(result.sitings.columns) == ["same", "same#2", "same#2 change", "type id"]


def test_flatten_uses_dotted_keys() -> None:
    assert flatten({"a": {"b": 1, "c": {"d": None}}, "e": []}) == {"a.b": 1, "a.c.d": None, "e": []}


def test_compare_command_solves_and_writes_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    status = main(
        [
            "compare",
            str(SCENARIOS / "baseline.yaml"),
            str(SCENARIOS / "export_push.yaml"),
            "--out",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "## Sitings" in printed and "export_push" in printed
    assert {p.name for p in out.iterdir()} >= {
        "sitings.csv",
        "terms.csv",
        "settings.csv",
        "comparison.md",
        "runs",
        "comparison.html",
        "comparison_maps.png",
    }
    assert "export_push" in (out / "comparison.html").read_text(encoding="utf-8")
    settings = pd.read_csv(out / "settings.csv", index_col=0)
    assert {"weights.fit", "weights.export"} <= set(settings.index)
    # each solved scenario has its own run folder; their objectives are in the terms table
    terms = pd.read_csv(out / "terms.csv", index_col=0)
    for name in ("baseline", "export_push"):
        summary = json.loads((out / "runs" / name / "summary.json").read_text(encoding="utf-8"))
        assert float(terms.loc["objective", name]) == pytest.approx(summary["objective"], abs=1e-4)


def test_compare_reads_saved_runs_without_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(first), "--quiet"]) == 0
    # a saved run of another scenario, made by hand: same format, one core moved
    second = tmp_path / "second"
    second.mkdir()
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    summary["scenario"]["name"] = "edited"
    summary["objective"] = 1.0
    (second / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    table = pd.read_csv(first / "assignments.csv")
    wood = table["cluster_type"] == "wood"
    table = table[~wood | (table["role"] == "core")]  # the moved wood core has no members
    table.loc[table["cluster_type"] == "wood", ["core", "district"]] = "velizhsky"
    table.to_csv(second / "assignments.csv", index=False)
    capsys.readouterr()
    assert main(["compare", str(first), str(second), "--out", str(tmp_path / "cmp")]) == 0
    sitings = pd.read_csv(tmp_path / "cmp" / "sitings.csv", index_col=0, keep_default_na=False)
    assert sitings.loc["Wood processing", "edited"] == "Velizhsky"
    assert sitings.loc["Wood processing", "edited change"] == CHANGED
    assert sitings.loc["Wood processing", "type id"] == "wood"
    assert not (tmp_path / "cmp" / "runs").exists()  # nothing was solved
    # saved folders get the printable HTML page with a map per run, and one Markdown file
    names = {p.name for p in (tmp_path / "cmp").iterdir()}
    assert {"comparison.html", "comparison.md", "comparison_maps.png"} <= names
    assert "comparison_report.md" not in names
    page = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    assert "@media print" in page and "edited" in page and "<img" in page


def test_compare_rejects_a_path_that_is_neither(tmp_path: Path) -> None:
    status = main(["compare", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")])
    assert status == 2
    assert not (tmp_path / "o").exists()


def test_sweep_runs_each_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep"
    status = main(
        [
            "sweep",
            str(SCENARIOS / "baseline.yaml"),
            "--param",
            "weights.coop",
            "--values",
            "0,2",
            "--out",
            str(out),
            "--no-progress",
            "--variant-folders",
        ]
    )
    assert status == 0
    terms = pd.read_csv(out / "terms.csv", index_col=0)
    assert float(terms.loc["coop", "weights.coop=0"]) == 0.0
    assert float(terms.loc["coop", "weights.coop=2"]) > 0.0
    assert (out / "runs" / "weights.coop=2" / "summary.json").is_file()
    # other weights: the objectives stand side by side only with a word that they differ
    assert terms.loc["weights", "weights.coop=2"] == "differ: not comparable"
    assert pd.isna(terms.loc["objective", "weights.coop=2 % change"])
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "the weights differ from weights.coop=0, so the objectives are not comparable" in page


def test_sweep_splits_values_outside_brackets() -> None:
    from model.commands.sweep import split_values

    assert split_values("0,0.5, 1") == ["0", "0.5", "1"]
    assert split_values("[wood, food],[food]") == ["[wood, food]", "[food]"]


def test_show_prints_the_resolved_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(SCENARIOS / "periphery.yaml"), "--set", "weights.coop=3"]) == 0
    printed = capsys.readouterr().out
    assert "baseline.yaml -> " in printed and "periphery.yaml" in printed
    resolved = yaml.safe_load(printed)
    assert resolved["weights"]["coop"] == 3.0
    assert resolved["rules"]["groups"][0]["name"] == "big_towns"
    assert resolved["rules"]["clusters"][0] == "plastics"  # inherited from the baseline


def test_readme_scenario_reference_matches_the_schema() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    assert section == reference_markdown(), "run `python run.py scenario-docs --markdown`"


def test_every_scenario_key_has_a_description() -> None:
    for key, _kind, _default, description in reference_rows():
        assert description, f"{key} has no description"


def test_every_shipped_scenario_says_which_question_it_answers() -> None:
    names = set()
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path).scenario
        names.add(scenario.name)
        assert path.stem == scenario.name
        assert len(scenario.description) > 80, path.name
        if scenario.name != "baseline":
            assert re.search(r"Question:", scenario.description), path.name
    assert names >= {
        "baseline",
        "cross_border",
        "periphery",
        "inter_district",
        "export_push",
        "compact",
        "existing_parks",
    }


@pytest.mark.slow
def test_sweep_on_a_local_dask_cluster_matches_the_sequential_sweep(tmp_path: Path) -> None:
    """Two worker processes on a local Dask cluster give the same tables as one process.

    The two-worker run is a separate process: Dask's cluster start-up leaves sockets for the
    garbage collector, which pytest's warnings-as-errors setting would report against this
    test. One worker starts no cluster, so that run stays in this process.
    """
    tables = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        arguments = ["sweep", str(SCENARIOS / "baseline.yaml"), "--param", "weights.fit"]
        arguments += ["--values", "0.5,2", "--workers", workers, "--out", str(out)]
        arguments += ["--no-progress"]
        if workers == "1":
            assert main(arguments) == 0
        else:
            done = subprocess.run(
                [sys.executable, str(REPO / "run.py"), *arguments],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr
        tables[workers] = (out / "terms.csv").read_text(encoding="utf-8")
    assert tables["1"] == tables["2"]
