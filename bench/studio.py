"""Latency of a studio change on the baseline, from the change to the redrawn map
(``make bench-studio``).

Two measurements over scripted changes of the Smolensk baseline (in cycles of six: a weight, a lock,
undo, a ban of every type in a district, clearing it, undo; consecutive changes differ and the
weights drift, so the siting keeps moving):

(a) **server side**: what the two Dash callbacks of one change do: the edit validated and
    re-solved on the session's persistent HiGHS model (``Session.edit`` / ``undo``), then every
    output of the redraw (``model.studio.app.render``, with "why here", the runner-up and "why
    not there" for a selected type and district) encoded to JSON as Dash sends it;
(b) **browser round trip** (when Chromium and Playwright are installed): in headless Chromium,
    a weight typed and entered, or a ban / clear button clicked, until the page shows the
    answer and the browser has painted twice after it (two animation frames after the
    message that arrives with the new map).

It prints the median and the 95th percentile of each, and the share of changes within the
1 s target. Timings come from one run on a possibly shared machine.

Usage: ``python bench/studio.py [--changes 200] [--browser-changes 200] [--no-browser]``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TARGET_S = 1.0
DISTRICTS = ["smolensk", "vyazemsky", "gagarinsky", "safonovsky", "roslavlsky", "yartsevsky"]
TYPES = ["wood", "food", "machinery", "metallurgy", "plastics", "building_materials"]
WEIGHTS = ["fit", "export", "member", "coop"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(label: str, seconds: list[float]) -> str:
    within = sum(1 for s in seconds if s <= TARGET_S) / len(seconds)
    return (
        f"{label}: {len(seconds)} changes, median {statistics.median(seconds) * 1000:.0f} ms, "
        f"95th percentile {percentile(seconds, 0.95) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms, {within:.0%} within {TARGET_S:g} s"
    )


def scripted_changes(count: int) -> list[tuple[str, Callable[[Any], Any], str, str]]:
    """(label, edit, district shown, type shown); ``undo`` as the label means an undo."""
    from model.studio import state as edits

    values = itertools.cycle([0.25, 0.5, 1.5, 2.0, 0.75, 1.25, 3.0])
    changes: list[tuple[str, Callable[[Any], Any], str, str]] = []
    for n in range(count):
        district = DISTRICTS[n % len(DISTRICTS)]
        kind = TYPES[(n // len(DISTRICTS)) % len(TYPES)]
        step = n % 6
        if step == 0:
            weight, value = WEIGHTS[(n // 6) % len(WEIGHTS)], next(values)
            text = f"weights.{weight}={value}"
            changes.append((f"set {text}", lambda d, t=text: edits.set_key(d, t), district, kind))
        elif step == 1:
            changes.append((f"lock {kind} in {district}",
                            lambda d, k=kind, i=district: edits.lock_site(d, k, i), district, kind))
        elif step in (2, 5):
            changes.append(("undo", lambda d: d, district, kind))
        elif step == 3:
            changes.append((f"ban every type in {district}",
                            lambda d, i=district: edits.ban_site(d, None, i), district, kind))
        else:
            changes.append((f"clear every type in {district}",
                            lambda d, i=district: edits.clear_site(d, None, i), district, kind))
    return changes


def server_side(count: int) -> tuple[list[float], dict[str, int], dict[str, list[float]]]:
    import plotly.io.json as pjson

    from model.studio.app import render
    from model.studio.controls import scalar_controls
    from model.studio.roots import Roots
    from model.studio.server import make_studio
    from model.studio.sessions import new_session_id

    with tempfile.TemporaryDirectory() as root:
        _app, sessions = make_studio(BASELINE, Roots.of([Path(root)]))
        session = sessions.get(new_session_id())
        controls = scalar_controls()
        session.ensure_solved()
        with session.lock:
            render(session, controls, None, None)  # first drawing: outlines read once
        times: list[float] = []
        by_status: dict[str, list[float]] = {}
        statuses: dict[str, int] = {}
        for label, change, district, kind in scripted_changes(count):
            started = time.perf_counter()
            if label == "undo":
                session.undo()
            else:
                session.edit(label, change)
            by_status.setdefault("(edit and re-solve alone)", []).append(
                time.perf_counter() - started
            )
            with session.lock:
                outputs = render(session, controls, district, kind)
            pjson.to_json_plotly(list(outputs))
            times.append(time.perf_counter() - started)
            status = session.result.status if session.result else "refused"
            statuses[status] = statuses.get(status, 0) + 1
            by_status.setdefault(status, []).append(times[-1])
        statuses["model builds"] = getattr(session.solver, "rebuilds", -1)
    return times, statuses, by_status


def click_district(page: Any, district: str) -> None:
    """Click a district's point on the plotly map."""
    x, y = page.evaluate(
        """(id) => {
            const gd = document.querySelector('#map .js-plotly-plot');
            const t = gd.data.find(d => d.name === 'districts');
            const i = t.customdata.indexOf(id);
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            return [xa._offset + xa.l2p(t.x[i]), ya._offset + ya.l2p(t.y[i])];
        }""",
        district,
    )
    box = page.locator("#map .js-plotly-plot").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def browser(count: int) -> list[float] | str:
    """Browser round trips, or why they were not measured."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    from model.studio.roots import Roots
    from model.studio.server import make_studio, start

    times: list[float] = []
    with tempfile.TemporaryDirectory() as root, sync_playwright() as playwright:
        app, _ = make_studio(BASELINE, Roots.of([Path(root)]))
        server, _thread = start(app, "127.0.0.1", 0)
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.wait_for_selector("#sitings-table tbody tr", timeout=60_000)
            click_district(page, "vyazemsky")
            page.wait_for_selector("#site-panel h3:text-is('Vyazemsky')", timeout=60_000)
            coop = page.locator("input[id='{\"num\":\"weights.coop\"}']")
            ban = page.locator("button[id='{\"k\":\"*\",\"site\":\"ban\"}']")
            clear = page.locator("button[id='{\"k\":\"*\",\"site\":\"clear\"}']")
            values = itertools.cycle([0.5, 1.5, 2.0, 0.75, 1.25, 3.0])
            for n in range(count):
                started = time.perf_counter()
                if n % 3 == 0:
                    value = next(values)
                    coop.fill(str(value))
                    coop.press("Enter")
                    expected = f"set weights.coop={value:g}"  # as the browser sends it
                elif n % 3 == 1:
                    ban.click()
                    expected = "ban every type in vyazemsky"
                else:
                    clear.click()
                    expected = "clear every type in vyazemsky"
                try:
                    page.wait_for_function(
                        """(t) => document.querySelector('#message').innerText.trim() === t""",
                        arg=expected, timeout=60_000,
                    )
                except Exception:
                    shown = page.inner_text("#message")
                    print(f"change {n}: expected {expected!r}, the page says {shown!r}")
                    raise
                page.evaluate(
                    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                )
                times.append(time.perf_counter() - started)
        finally:
            chromium.close()
            server.shutdown()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--browser-changes", type=int, default=200)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    times, statuses, by_status = server_side(args.changes)
    print(summary("server side (edit + re-solve + redraw + JSON)", times))
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in statuses.items()))
    for status, seconds in sorted(by_status.items()):
        print("  " + summary(status if status.startswith("(") else f"of which {status}",
                             seconds))
    if args.no_browser:
        return 0
    measured = browser(args.browser_changes)
    if isinstance(measured, str):
        print(f"browser round trip: not measured ({measured})")
    else:
        print(summary("browser round trip (input to painted map)", measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
