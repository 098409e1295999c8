"""Run reports (report.md, report.html, map.png), the comparison report and the indicator atlas.

The HTML must open without a network: the tests parse it and refuse anything that would load
a resource (scripts, style sheets, frames, images not embedded, links leaving the page).
Chromium itself is exercised by scripts/screenshot_report.py, not here.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from model.output import write_run
from model.pipeline import RunResult, solve
from model.region import load_region
from model.report.comparison import maps_figure, write_comparison_report
from model.report.geo import OSM_ATTRIBUTION
from model.scenario import load_scenario
from solvers import Status
from tests.inprocess import run_main
from tests.test_explain import hand_solve, write_hand_region

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
SMOLENSK = REPO / "data" / "smolensk"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ResourceFinder(HTMLParser):
    """Collects every way an HTML page could fetch something from outside itself."""

    LOADING_TAGS: ClassVar[set[str]] = {"script", "link", "iframe", "object", "embed", "base",
                                        "frame", "audio", "video", "source"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.images: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.LOADING_TAGS:
            self.problems.append(f"<{tag}>")
        self.in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in ("src", "srcset", "poster", "data", "action", "formaction"):
                if not value.startswith("data:"):
                    self.problems.append(f"{tag} {name}={value[:40]}")
                if tag == "img" and name == "src":
                    self.images.append(value)
            if name == "href" and not value.startswith("#"):
                self.problems.append(f"{tag} href={value[:40]}")
            if name == "style" and "url(" in value:
                self.problems.append(f"{tag} style url()")
            if name.startswith("on"):
                self.problems.append(f"{tag} {name} (script)")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and ("url(" in data or "@import" in data):
            self.problems.append("style sheet loads a resource")


def resources(page: str) -> ResourceFinder:
    finder = ResourceFinder()
    finder.feed(page)
    finder.close()
    return finder


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    loaded = load_scenario(BASELINE)
    return solve(loaded, load_region(loaded.region_path()))


@pytest.fixture(scope="module")
def baseline_folder(baseline: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run(baseline, tmp_path_factory.mktemp("runs") / "baseline")


def test_a_run_folder_holds_map_and_both_reports(baseline_folder: Path) -> None:
    names = {p.name for p in baseline_folder.iterdir()}
    assert {"map.png", "report.md", "report.html", "summary.json", "assignments.csv"} <= names
    assert (baseline_folder / "map.png").read_bytes().startswith(PNG_MAGIC)


def test_html_report_is_self_contained_with_the_map_embedded(baseline_folder: Path) -> None:
    page = (baseline_folder / "report.html").read_text(encoding="utf-8")
    found = resources(page)
    assert found.problems == []
    (image,) = found.images
    prefix = "data:image/png;base64,"
    assert image.startswith(prefix)
    assert base64.b64decode(image[len(prefix) :]) == (baseline_folder / "map.png").read_bytes()
    assert "<style>" in page and 'charset="utf-8"' in page


def test_report_names_every_siting_and_its_runner_up(
    baseline: RunResult, baseline_folder: Path
) -> None:
    text = (baseline_folder / "report.md").read_text(encoding="utf-8")
    names = baseline.region.districts["name"]
    for siting in baseline.sitings():
        title = f"### {baseline.region.clusters[siting.cluster_type].name} in {names[siting.core]}"
        assert title in text
    assert text.count("**Runner-up.** With ") == 6
    assert "forcing the runner-up gives up" in text
    assert "![Map of the sitings of scenario baseline](map.png)" in text
    assert "proved this siting optimal" in text


def test_every_why_here_block_says_what_its_core_rests_on(
    baseline: RunResult, baseline_folder: Path
) -> None:
    """Basis (or greenfield) and export paragraphs in each block, whatever the rows' bases."""
    text = (baseline_folder / "report.md").read_text(encoding="utf-8")
    blocks = text.split("## Why here")[1].split("\n## ")[0].split("\n### ")[1:]
    assert len(blocks) == len(baseline.sitings())
    for block in blocks:
        assert "**Basis.**" in block or "**Greenfield.**" in block
        assert "**Export.**" in block
    summary = json.loads((baseline_folder / "summary.json").read_text(encoding="utf-8"))
    for entry in summary["sitings"]:
        assert 0.0 <= entry["estimated_share"] <= 1.0
        assert isinstance(entry["greenfield"], bool) and entry["bases"]
    if baseline.terms["export"] == 0:
        assert "*The export term is 0" in text


def test_report_lq_table_matches_a_hand_computed_quotient(baseline_folder: Path) -> None:
    activity = pd.read_csv(SMOLENSK / "activity.csv")
    total = activity["value"].sum()
    own = activity.loc[activity["district"] == "yartsevsky", "value"].sum()
    sector = activity.loc[activity["sector"] == "metallurgy", "value"].sum()
    value = activity.query("district == 'yartsevsky' and sector == 'metallurgy'")["value"].item()
    expected = (value / own) / (sector / total)
    text = (baseline_folder / "report.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| district | building"))
    row = next(line for line in text.splitlines() if line.startswith("| Yartsevsky | 0.00"))
    column = [c.strip() for c in header.split("|")].index("metallurgy")
    cell = [c.strip() for c in row.split("|")][column]
    # Yartsevsky's metallurgy is one size-class default (the rolling mill, 250): marked †
    basis = activity.query("district == 'yartsevsky' and sector == 'metallurgy'")["basis"].item()
    assert basis == "size_class_default"
    assert cell.strip("*") == f"{expected:.2f}†"


def test_report_carries_estimate_warnings_provenance_and_licences(baseline_folder: Path) -> None:
    text = (baseline_folder / "report.md").read_text(encoding="utf-8")
    sources = (SMOLENSK / "SOURCES.md").read_text(encoding="utf-8")
    assert "input data of this region are **estimates**" in text
    assert "## Data provenance" in text and "## Licences" in text
    # the opening paragraph of SOURCES.md's "What is estimated", quoted (lines joined)
    body = sources.split("## What is estimated", 1)[1].strip()
    opening = " ".join(body.split("\n\n", 1)[0].split())
    assert "estimates" in opening
    assert opening in text
    assert "ODbL 1.0" in text and "MIT" in text
    for section in ("## Indicators", "Hoover", "Krugman", "Cluster stars", "## Settings"):
        assert section in text


def test_a_time_limited_result_is_reported_as_not_proven_optimal(
    baseline: RunResult, tmp_path: Path
) -> None:
    from model.report.writer import write_report

    assert baseline.outcome is not None and baseline.objective is not None
    stopped = dataclasses.replace(
        baseline,
        status="time_limit",
        outcome=dataclasses.replace(
            baseline.outcome, status=Status.TIME_LIMIT, bound=baseline.objective + 0.5, gap=0.07
        ),
    )
    write_report(stopped, tmp_path, runner_ups=False)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    lead = text.split("## Scenario")[0]
    assert "**Not proven optimal.**" in lead
    assert "7.0%" in lead
    assert "proved this siting optimal" not in text
    assert "runner-ups were not requested" in text.lower()


def test_an_infeasible_scenario_gets_a_report_with_its_diagnosis(tmp_path: Path) -> None:
    region = write_hand_region(tmp_path / "r")
    # food must reach the crossing within 30 min (only c) and may not sit in c
    result = hand_solve(
        region,
        border={"enforce": True, "max_minutes": 30},
        forbid=[{"cluster": "food", "district": "c"}],
    )
    assert result.status == "infeasible"
    folder = write_run(result, tmp_path / "run")
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "**Infeasible.**" in text
    assert all(reason in text for reason in result.diagnosis)
    assert (folder / "map.png").read_bytes().startswith(PNG_MAGIC)
    assert resources((folder / "report.html").read_text(encoding="utf-8")).problems == []


def test_a_region_without_sources_is_called_unsourced(tmp_path: Path) -> None:
    region = write_hand_region(tmp_path / "r")
    folder = write_run(hand_solve(region), tmp_path / "run")
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "no SOURCES.md, so its data are **unsourced**" in text
    assert OSM_ATTRIBUTION not in text  # no OSM geometry in this region
    assert "The region's data state no licence." in text


def test_the_same_result_gives_the_same_report_files(tmp_path: Path) -> None:
    from model.report.writer import write_report

    region = write_hand_region(tmp_path / "r", boundaries=True)
    result = hand_solve(region)
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    write_report(result, first)
    write_report(result, second)
    for name in ("map.png", "report.md", "report.html"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# --- comparison -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_coop(baseline: RunResult) -> RunResult:
    loaded = load_scenario(BASELINE, ["weights.coop=0", "name=no-coop"])
    return solve(loaded, baseline.region)


def test_comparison_report_puts_the_runs_side_by_side(
    baseline: RunResult, no_coop: RunResult, tmp_path: Path
) -> None:
    paths = write_comparison_report([baseline, no_coop], tmp_path)
    assert [p.name for p in paths] == [
        "comparison_maps.png",
        "comparison.md",
        "comparison.html",
    ]
    text = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    names = baseline.region.districts["name"]
    header = next(line for line in text.splitlines() if line.startswith("| cluster type |"))
    assert header == "| cluster type | baseline | no-coop |"
    for column, result in enumerate((baseline, no_coop), start=2):
        for siting in result.sitings():
            type_name = baseline.region.clusters[siting.cluster_type].name
            row = next(line for line in text.splitlines() if line.startswith(f"| {type_name} |"))
            cell = [c.strip() for c in row.split("|")][column]
            assert cell == f"{names[siting.core]} ({len(siting.members)})"
    assert f"| objective | {baseline.objective:.4f} | {no_coop.objective:.4f} |" in text
    page = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    assert resources(page).problems == []


def test_comparison_draws_one_map_per_run_and_takes_given_tables(
    baseline: RunResult, no_coop: RunResult, tmp_path: Path
) -> None:
    figure = maps_figure([baseline, no_coop, baseline], ["a", "b", "c"])
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert titles[0] == "a (reference)"  # plain words, no bare objective value
    assert [t.split(":")[0] for t in titles[1:]] == ["b", "c"]
    assert not any(f"{baseline.objective:.3f}" in t for t in titles)
    given = pd.DataFrame({"a": ["x"], "b": ["y"]}, index=pd.Index(["row"], name="what"))
    write_comparison_report([baseline, no_coop], tmp_path, {"Given table": given}, ["a", "b"])
    text = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    assert "### Given table" in text and "| row | x | y |" in text


# --- indicator atlas ------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


@pytest.mark.slow
def test_indicators_command_writes_tables_and_one_fit_map_per_type(tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    done = run_main("indicators", "--region", str(SMOLENSK), "--out", str(out))
    assert done.returncode == 0, done.stderr
    catalogue = list(load_region(SMOLENSK).clusters)
    names = {p.name for p in out.iterdir()}
    assert {f"fit_{k}.png" for k in catalogue} <= names
    assert {"lq.csv", "fit.csv", "export.csv", "districts.csv", "stars.csv", "atlas.md"} <= names
    assert "summary.json" not in names  # nothing solved
    lq = pd.read_csv(out / "lq.csv", index_col="district")
    activity = pd.read_csv(SMOLENSK / "activity.csv")
    total = activity["value"].sum()
    own = activity.loc[activity["district"] == "kardymovsky", "value"].sum()
    sector = activity.loc[activity["sector"] == "plastics", "value"].sum()
    value = activity.query("district == 'kardymovsky' and sector == 'plastics'")["value"].item()
    assert lq.at["kardymovsky", "plastics"] == pytest.approx((value / own) / (sector / total), 1e-5)
    fit = pd.read_csv(out / "fit.csv", index_col="district")
    assert list(fit.columns) == catalogue
    assert fit.to_numpy().min() >= 0 and fit.to_numpy().max() <= 1


def test_indicators_command_on_a_missing_region_is_bad_input(tmp_path: Path) -> None:
    done = run_cli(
        "indicators", "--region", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()
