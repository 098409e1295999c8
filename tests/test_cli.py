"""End-to-end tests of ``python run.py``: results, exit statuses, and safe output folders."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = REPO / "data" / "smolensk"
BASELINE = REPO / "scenarios" / "baseline.yaml"
SIX_TYPES = {"plastics", "metallurgy", "machinery", "building_materials", "wood", "food"}


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("runs") / "baseline"
    done = run_cli("run", str(BASELINE), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def travel_minutes() -> dict[str, dict[str, float]]:
    """Shortest-path minutes computed here with networkx, independently of model/."""
    roads = pd.read_csv(SMOLENSK / "roads.csv")
    graph = nx.Graph()
    for a, b, minutes in roads[["a", "b", "minutes"]].itertuples(index=False):
        if graph.has_edge(a, b):
            minutes = min(minutes, graph[a][b]["weight"])
        graph.add_edge(a, b, weight=minutes)
    return dict(nx.all_pairs_dijkstra_path_length(graph, weight="weight"))


def test_baseline_sites_all_six_types_optimally(baseline_run: tuple[Path, str]) -> None:
    out, stdout = baseline_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assignments = pd.read_csv(out / "assignments.csv")
    assert summary["status"] == "optimal"
    cores = assignments[assignments["role"] == "core"]
    assert set(cores["cluster_type"]) == SIX_TYPES
    assert len(cores) == 6  # one core per type
    for cluster_type in SIX_TYPES:
        assert cluster_type in stdout
    assert "objective" in stdout and str(out) in stdout


def test_baseline_objective_is_the_sum_of_terms(baseline_run: tuple[Path, str]) -> None:
    out, _ = baseline_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    terms = summary["terms"]
    assert set(terms) == {"fit", "export", "member", "coop"}
    assert math.fsum(terms.values()) == pytest.approx(summary["objective"], abs=1e-9)
    # core and member rows of assignments.csv carry the fit+export and member terms
    assignments = pd.read_csv(out / "assignments.csv")
    core_rows = assignments.loc[assignments["role"] == "core", "contribution"].sum()
    member_rows = assignments.loc[assignments["role"] == "member", "contribution"].sum()
    assert core_rows == pytest.approx(terms["fit"] + terms["export"], abs=1e-6)
    assert member_rows == pytest.approx(terms["member"], abs=1e-6)
    assert summary["solver"]["name"] == "highs"
    assert summary["solver"]["gap"] == pytest.approx(0.0, abs=1e-9)


def test_baseline_satisfies_every_constraint(baseline_run: tuple[Path, str]) -> None:
    """Re-check the rules of the baseline from the data files, without the model's code."""
    out, _ = baseline_run
    scenario = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    rules = scenario["rules"]
    catalogue = yaml.safe_load((SMOLENSK / "clusters.yaml").read_text(encoding="utf-8"))
    crossings = set(pd.read_csv(SMOLENSK / "crossings.csv")["district"])
    roads = pd.read_csv(SMOLENSK / "roads.csv")
    federal = set(roads.loc[roads["kind"] == "federal", "a"]) | set(
        roads.loc[roads["kind"] == "federal", "b"]
    )
    minutes = travel_minutes()
    assignments = pd.read_csv(out / "assignments.csv")
    cores = assignments[assignments["role"] == "core"]
    members = assignments[assignments["role"] == "member"]

    assert cores["district"].value_counts().max() <= rules["max_clusters_per_district"]
    for row in cores.itertuples():
        spec = catalogue[row.cluster_type]
        if spec["cross_border"]:
            nearest = min(minutes[row.district][c] for c in crossings)
            assert nearest <= rules["border"]["max_minutes"], row
        if spec["needs_corridor"]:
            nearest = min(minutes[row.district][f] for f in federal)
            assert nearest <= rules["corridor"]["max_minutes"], row
    for row in members.itertuples():
        assert row.district != row.core
        assert minutes[row.core][row.district] <= scenario["indicators"]["member_max_minutes"]
        own_core = cores[(cores["cluster_type"] == row.cluster_type)]["district"]
        assert row.district not in set(own_core)
    assert members.groupby(["cluster_type", "core"]).size().max() <= rules["max_members"]
    assert members.groupby(["cluster_type", "district"]).size().max() == 1


def test_no_argument_runs_the_baseline(tmp_path: Path) -> None:
    done = run_cli(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("baseline-")
    assert {p.name for p in folders[0].iterdir()} == {
        "assignments.csv",
        "clusters.csv",
        "summary.json",
        "map.png",
        "report.md",
        "report.html",
        "sitings_cores.geojson",
        "sitings_members.geojson",
        "sitings_links.geojson",
        "sitings_districts.geojson",
        "sitings_cores.qml",
        "sitings.gpkg",  # pyogrio is in the dev extra
    }


def test_help_documents_every_option() -> None:
    done = run_cli("run", "--help")
    assert done.returncode == 0
    for option in ("--out", "--force", "--solver", "--time-limit", "--set"):
        assert option in done.stdout


def write_scenario(folder: Path, **rules: object) -> Path:
    path = folder / "scenario.yaml"
    data = {"name": "probe", "region": str(SMOLENSK), "rules": rules}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, max_memebers=3)
    out = tmp_path / "out"
    done = run_cli("run", str(scenario), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "scenario.yaml" in done.stderr and "rules.max_memebers" in done.stderr
    assert not out.exists()


def test_unknown_district_in_a_lock_names_the_key(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, lock=[{"cluster": "wood", "district": "atlantis"}])
    done = run_cli("run", str(scenario), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "rules.lock[0].district" in done.stderr and "atlantis" in done.stderr


def test_infeasible_scenario_exits_3_with_diagnosis_and_no_assignments(tmp_path: Path) -> None:
    # wood may not go to velizhsky and must go there: the lock names the conflict
    scenario = write_scenario(
        tmp_path,
        lock=[{"cluster": "wood", "district": "velizhsky"}],
        forbid=[{"cluster": "wood", "district": "velizhsky"}],
    )
    out = tmp_path / "out"
    done = run_cli("run", str(scenario), "--out", str(out))
    assert done.returncode == 3, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible"
    assert any("lock of wood in velizhsky" in reason for reason in summary["diagnosis"])
    assert not (out / "assignments.csv").exists()
    assert "INFEASIBLE" in done.stdout


def test_existing_results_are_kept_without_force(
    baseline_run: tuple[Path, str], tmp_path: Path
) -> None:
    out = tmp_path / "kept"
    out.mkdir()
    (out / "summary.json").write_text("earlier results", encoding="utf-8")
    done = run_cli("run", str(BASELINE), "--out", str(out))
    assert done.returncode == 2
    assert "--force" in done.stderr
    assert (out / "summary.json").read_text(encoding="utf-8") == "earlier results"
    forced = run_cli("run", str(BASELINE), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["status"] == "optimal"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_missing_solver_is_bad_input_naming_how_to_install(tmp_path: Path) -> None:
    done = run_cli("run", str(BASELINE), "--solver", "nosuchsolver", "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "nosuchsolver" in done.stderr and "not available" in done.stderr
    assert not (tmp_path / "o").exists()


def test_set_override_changes_the_run_and_is_recorded(tmp_path: Path) -> None:
    out = tmp_path / "o"
    done = run_cli("run", str(BASELINE), "--out", str(out), "--set", "weights.coop=0")
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["terms"]["coop"] == 0.0
    assert summary["scenario"]["weights"]["coop"] == 0.0
    assert summary["overrides"] == ["weights.coop=0"]


def test_summary_records_provenance_and_timings(baseline_run: tuple[Path, str]) -> None:
    out, _ = baseline_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    hashes = summary["provenance"]["data_files_sha256"]
    assert {"districts.csv", "activity.csv", "roads.csv", "clusters.yaml"} <= set(hashes)
    assert all(len(h) == 64 for h in hashes.values())
    assert "pyomo" in summary["provenance"]["packages"]
    for stage in ("load_region", "indicators", "build", "handoff", "solve"):
        assert summary["timings"][stage] >= 0
    # the resolved scenario is recorded with its defaults filled in
    assert summary["scenario"]["rules"]["clusters"] == [
        "plastics",
        "metallurgy",
        "machinery",
        "building_materials",
        "wood",
        "food",
    ]
    assert summary["scenario"]["rules"]["budget"] is None
