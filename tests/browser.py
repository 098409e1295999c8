"""Headless Chromium for the browser checks of the HTML pages (shared by the report tests).

Playwright for Python drives Debian's Chromium (``/usr/bin/chromium``); ``playwright install``
is never run. Without Playwright or Chromium a test skips with the reason, unless the
environment sets ``CLUSTERSITE_REQUIRE_BROWSER=1`` (as ``.ci/run`` does): then it fails.

    from tests.browser import chromium, open_page

    with chromium() as browser:
        page, problems = open_page(browser, path)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CLUSTERSITE_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = "CLUSTERSITE_REQUIRE_BROWSER"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
# the screenshots kept in docs/img are refreshed only on request, so that a test run leaves
# the working tree as it found it: CLUSTERSITE_UPDATE_SCREENSHOTS=1 make test
UPDATE_SHOTS = "CLUSTERSITE_UPDATE_SCREENSHOTS"
DOCS_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "img"


def screenshot_dir(scratch: Path) -> Path:
    """docs/img when the environment asks for fresh screenshots, else ``scratch``."""
    folder = DOCS_SHOTS if os.environ.get(UPDATE_SHOTS) == "1" else scratch
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def unavailable(reason: str) -> None:
    """Skip, or fail when the environment requires the browser checks."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"browser check required ({REQUIRE}=1) but {reason}")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's sync API), closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Problems:
    """What went wrong while a page loaded."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.console_errors, *self.page_errors, *self.failed_requests]


def open_page(browser: Any, path: Path) -> tuple[Any, Problems]:
    """Open a local HTML file in a new page; record console errors and failed requests."""
    page = browser.new_page(viewport=VIEWPORT)
    problems = Problems()
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: problems.failed_requests.append(f"{request.url}: {request.failure}"),
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems


def rendered_sizes(page: Any, selector: str) -> list[dict[str, float]]:
    """Width and height on screen (and natural size for images) of every match."""
    return list(
        page.eval_on_selector_all(
            selector,
            """nodes => nodes.map(n => {
                const box = n.getBoundingClientRect();
                return {width: box.width, height: box.height,
                        natural: n.naturalWidth === undefined ? -1 : n.naturalWidth};
            })""",
        )
    )
