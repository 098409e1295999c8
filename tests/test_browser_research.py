"""The front and robustness reports in headless Chromium (``tests/browser.py``).

Each page must load with no console error, page error or failed request, and its plot or map
and its tables must render with a non-zero size (images decoded). ``tests/browser.py`` (the
shared launch helper) skips without Playwright or Chromium unless the environment requires
the browser checks (``CLUSTERSITE_REQUIRE_BROWSER=1``, as ``.ci/run`` sets).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.cli import main

browser = pytest.importorskip("tests.browser", reason="tests/browser.py is not on this branch")

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("research_pages")
    front = work / "front"
    argv = ["front", str(BASELINE), "--terms", "fit,coop", "--grid", "50", "--out", str(front)]
    assert main(argv) == 0
    robust = work / "robustness"
    argv = ["robustness", str(BASELINE), "--samples", "8", "--out", str(robust), "--no-progress"]
    assert main(argv) == 0
    return {"front": front / "report.html", "robustness": robust / "report.html"}


@pytest.mark.parametrize("name", ["front", "robustness"])
def test_research_page_renders_in_chromium(name: str, pages: dict[str, Path]) -> None:
    with browser.chromium() as chromium:
        page, problems = browser.open_page(chromium, pages[name])
        images = browser.rendered_sizes(page, "img, svg")
        assert images, "no plot or map on the page"
        for image in images:
            assert image["width"] > 0 and image["height"] > 0
            assert image["natural"] != 0  # -1: an svg; > 0: a decoded image
        tables = browser.rendered_sizes(page, "table")
        assert tables and all(t["width"] > 0 and t["height"] > 0 for t in tables)
        assert problems.all() == []
        page.close()
