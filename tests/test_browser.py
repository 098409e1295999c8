"""The run report and the comparison page in headless Chromium (tests/browser.py).

Each page must load with no console error, no page error and no failed request; its maps
(img or svg) and tables must render with a non-zero size (images decoded: natural width > 0);
it must print (a PDF of at least one page, with the navigation hidden by the print style).
A screenshot of each is kept in docs/img/ (refreshed with CLUSTERSITE_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from model.pipeline import solve_scenario_file
from tests.browser import chromium, open_page, rendered_sizes, screenshot_dir

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from model.cli import main

    work = tmp_path_factory.mktemp("pages")
    run = work / "run"
    assert main(["run", str(SCENARIOS / "wood_northeast.yaml"), "--out", str(run), "--quiet"]) == 0
    compare = work / "compare"
    argv = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "wood_northeast.yaml")]
    assert main(["compare", *argv, "--out", str(compare), "--quiet"]) == 0
    return {"report": run / "report.html", "comparison": compare / "comparison.html"}


def check_page(page: Any) -> None:
    images = rendered_sizes(page, "img, svg")
    assert images, "no map on the page"
    for image in images:
        assert image["width"] > 0 and image["height"] > 0
        assert image["natural"] != 0  # -1: an svg; > 0: a decoded image
    tables = rendered_sizes(page, "table")
    assert tables, "no table on the page"
    assert all(t["width"] > 0 and t["height"] > 0 for t in tables)


@pytest.mark.parametrize("name", ["report", "comparison"])
def test_page_renders_in_chromium(name: str, pages: dict[str, Path], tmp_path: Path) -> None:
    with chromium() as browser:
        page, problems = open_page(browser, pages[name])
        check_page(page)
        assert problems.all() == []
        shot = screenshot_dir(tmp_path) / f"{name}.png"
        page.screenshot(path=str(shot))
        page.emulate_media(media="print")
        if page.query_selector("nav") is not None:
            assert page.eval_on_selector("nav", "n => getComputedStyle(n).display") == "none"
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
        page.close()
    assert shot.stat().st_size > 10_000


def test_comparison_page_answers_the_planners_question(pages: dict[str, Path]) -> None:
    """The one page a planner prints: the cost in one line, the moved cores, the rules."""
    text = pages["comparison"].read_text(encoding="utf-8")
    baseline = solve_scenario_file(SCENARIOS / "baseline.yaml")
    planner = solve_scenario_file(SCENARIOS / "wood_northeast.yaml")
    assert baseline.objective is not None and planner.objective is not None
    cost = baseline.objective - planner.objective
    assert f"cost {cost:.3f} ({cost / baseline.objective:.1%}) against baseline" in text
    assert "no core in Smolensk (city)" in text
    assert "wood processing in one of Sychyovsky, Novoduginsky, Tyomkinsky" in text
