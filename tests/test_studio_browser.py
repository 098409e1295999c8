"""A scripted planner in headless Chromium (Debian's package, driven by Playwright).

The planner locks wood to a set of north-eastern districts by clicking them on the map, bans
every core from the city, raises the cooperation weight, exports the scenario and opens the
report. After each step the test checks the map (the traces plotly drew) and the tables
against a fresh solve of the same scenario, and at the end that the console showed no error
and that no request left 127.0.0.1. Screenshots go to docs/img/studio-*.png when
CLUSTERSITE_UPDATE_SCREENSHOTS=1 (else to a scratch folder).

Skipped only when Chromium or Playwright is missing, and failed instead when
CLUSTERSITE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from model.pipeline import solve, solve_scenario_file
from model.scenario import load_scenario
from tests.browser import screenshot_dir

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
NORTH_EAST = ["sychyovsky", "novoduginsky", "kholm_zhirkovsky"]
STEP_TIMEOUT_MS = 20_000


def _need_browser(reason: str) -> None:
    if os.environ.get("CLUSTERSITE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CLUSTERSITE_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def launch_chromium(playwright: Any) -> Any:
    """This file's launcher; the shared tests/browser.py helper can replace it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _need_browser(f"no Chromium at {CHROMIUM}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _need_browser("Playwright for Python is not installed (the dev extra has it)")
    from model.studio.roots import Roots
    from model.studio.server import make_studio, start

    root = tmp_path_factory.mktemp("studio-root")
    shutil.copy(BASELINE, root / "baseline.yaml")
    app, _ = make_studio(root / "baseline.yaml", Roots.of([root]))
    server, _thread = start(app, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.server_port}/", root
    finally:
        server.shutdown()


def _table(page: Any, table_id: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )


def _traces(page: Any) -> dict[str, Any]:
    """The map's traces as plotly holds them: name -> customdata (districts)."""
    return page.evaluate(
        """() => {
            const gd = document.querySelector('#map .js-plotly-plot');
            const out = {};
            for (const t of gd.data) out[t.name] = t.customdata || null;
            return out;
        }"""
    )


def _click_point(page: Any, trace: str, custom: str) -> None:
    """Click a point of a map trace (by the trace's name and the point's customdata)."""
    x, y = page.evaluate(
        """([name, id]) => {
            const gd = document.querySelector('#map .js-plotly-plot');
            const t = gd.data.find(d => d.name === name);
            const i = t.customdata.indexOf(id);
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            return [xa._offset + xa.l2p(t.x[i]), ya._offset + ya.l2p(t.y[i])];
        }""",
        [trace, custom],
    )
    box = page.locator("#map .js-plotly-plot").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _click_district(page: Any, district: str) -> None:
    """Click the district's point on the plotly map, as a planner would."""
    _click_point(page, "districts", district)
    page.wait_for_selector(f"#site-panel h3:text-is('{_name(district)}')", timeout=STEP_TIMEOUT_MS)


def _name(district: str) -> str:
    return str(_region().districts["name"][district])


def _site_button(page: Any, cluster: str, action: str) -> Any:
    ident = json.dumps({"k": cluster, "site": action}, separators=(",", ":"))
    return page.locator(f"button[id='{ident}']")


def _wait_message(page: Any, text: str) -> None:
    page.wait_for_function(
        "(t) => document.querySelector('#message').innerText.trim() === t", arg=text,
        timeout=STEP_TIMEOUT_MS,
    )


@functools.cache
def _region() -> Any:
    from model.region import load_region

    return load_region(REPO / "data" / "smolensk")


def _check_against_cli(page: Any, overrides: list[str], tmp: Path) -> dict[str, str]:
    """The browser's sitings and objective equal a fresh solve of the same scenario."""
    fresh = solve(load_scenario(BASELINE, overrides), _region())
    rows = _table(page, "sitings-table")
    shown = {row[0]: row[1] for row in rows}
    names = _region().districts["name"]
    assert shown == {s.cluster_type: str(names[s.core]) for s in fresh.sitings()}
    terms = dict(_table(page, "terms-table"))
    assert float(terms["objective"]) == pytest.approx(fresh.objective, abs=1e-4)
    stars = _traces(page)
    for siting in fresh.sitings():
        assert stars[siting.cluster_type] == [f"{siting.core}|{siting.cluster_type}"]
    return shown


@pytest.mark.slow
def test_scripted_planner(studio: tuple[str, Path], tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path / "shots")
    from playwright.sync_api import sync_playwright

    url, root = studio
    errors: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.on("request", lambda r: foreign.append(r.url)
                       if not r.url.startswith("http://127.0.0.1:") else None)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_selector("#sitings-table tbody tr", timeout=STEP_TIMEOUT_MS)
            _check_against_cli(page, [], tmp_path)
            page.screenshot(path=str(shots / "studio-1-baseline.png"))

            # 1. wood in the north-east: three districts clicked on the map join the lock set
            for district in NORTH_EAST:
                _click_district(page, district)
                _site_button(page, "wood", "set").click()
                _wait_message(page, f"add {district} to the wood lock set")
            lock = f"rules.lock=[{{cluster: wood, districts: [{', '.join(NORTH_EAST)}]}}]"
            shown = _check_against_cli(page, [lock], tmp_path)
            assert shown["wood"] in {_name(d) for d in NORTH_EAST}
            assert sorted(_traces(page)["locked"]) == sorted(NORTH_EAST)
            # why here: click the wood core; the report's explanation and the runner-up show
            wood_core = next(d for d in NORTH_EAST if _name(d) == shown["wood"])
            _click_point(page, "wood", f"{wood_core}|wood")
            page.wait_for_selector("#why-here-list li", timeout=STEP_TIMEOUT_MS)
            assert page.inner_text("#why-here b") == f"wood in {shown['wood']}"
            assert "lock: rules.lock asks for a wood core in one of" in page.inner_text(
                "#why-here-list"
            )
            assert page.inner_text("#runner-up").startswith(f"runner-up without {shown['wood']}")
            page.screenshot(path=str(shots / "studio-2-wood-north-east.png"))

            # 2. no core in the city
            _click_district(page, "smolensk")
            _site_button(page, "*", "ban").click()
            _wait_message(page, "ban every type in smolensk")
            ban = "rules.forbid=[{district: smolensk}]"
            shown = _check_against_cli(page, [lock, ban], tmp_path)
            assert _name("smolensk") not in shown.values()
            assert _traces(page)["banned"] == ["smolensk"]
            page.screenshot(path=str(shots / "studio-3-no-city.png"))

            # 3. a weight: cooperation counts double
            coop = page.locator("input[id='{\"num\":\"weights.coop\"}']")
            coop.fill("2")
            coop.press("Enter")
            _wait_message(page, "set weights.coop=2")
            _check_against_cli(page, [lock, ban, "weights.coop=2"], tmp_path)
            page.screenshot(path=str(shots / "studio-4-coop-2.png"))
            page.locator("#undo").click()
            _wait_message(page, "undone: set weights.coop=2")
            _check_against_cli(page, [lock, ban], tmp_path)
            coop.fill("2")
            coop.press("Enter")
            _wait_message(page, "set weights.coop=2")
            assert page.locator("#history li").count() == 5

            # 4. export, then the CLI reproduces the siting from the exported file
            page.locator("#export").click()
            page.wait_for_selector("#report-link", timeout=60_000)
            href = page.locator("#export-yaml").get_attribute("href")
            exported = root / href.removeprefix("/studio-files/")
            assert exported.is_file() and exported.parent.parent == root / "runs"
            again = solve_scenario_file(exported)
            expected = solve_scenario_file(BASELINE, [lock, ban, "weights.coop=2"])
            assert again.core_set() == expected.core_set()
            assert load_scenario(exported).scenario.weights.coop == 2

            # 5. the report opens from the studio
            with context.expect_page() as opened:
                page.locator("#report-link").click()
            report = opened.value
            report.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            report.wait_for_load_state()
            assert "wood" in report.inner_text("body")
            report.screenshot(path=str(shots / "studio-5-report.png"))
        finally:
            browser.close()
    assert errors == []
    assert foreign == []
