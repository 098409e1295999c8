#!/usr/bin/env python3
"""Run the baseline, open its report.html in headless Chromium offline, save a screenshot.

    python scripts/screenshot_report.py [--out docs/report_screenshot.png] [--keep DIR]

Chromium runs with background networking, component updates and first-run tasks off, a
throw-away profile, and a proxy that points at a closed local port, so any attempt to fetch
something from the network fails (the page needs nothing: the map is embedded, there is no
script). Where ``unshare`` can create a network namespace (root on Linux), Chromium also runs
with no network interface at all. Needs the Debian package ``chromium`` (or ``--chromium``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",  # the discard port: nothing listens, every fetch fails
    "--window-size=1280,2400",
]


def find_chromium(name: str | None) -> str:
    for candidate in [name] if name else ["chromium", "chromium-browser", "google-chrome"]:
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    raise SystemExit("chromium not found: apt-get install chromium (or pass --chromium PATH)")


def offline_prefix() -> list[str]:
    """`unshare --net` when it works here (a namespace without network), else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
    return [unshare, "--net"] if probe.returncode == 0 else []


def write_baseline_report(folder: Path) -> Path:
    from model.output import write_run
    from model.pipeline import solve_scenario_file

    result = solve_scenario_file(REPO / "scenarios" / "baseline.yaml")
    write_run(result, folder)
    return folder / "report.html"


def screenshot(chromium: str, page: Path, out: Path) -> None:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        command = [
            *offline_prefix(),
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or not out.is_file():
            raise SystemExit(f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report_screenshot.png")
    parser.add_argument("--chromium", help="the browser executable (default: found on PATH)")
    parser.add_argument("--keep", type=Path, help="write the run folder here and keep it")
    args = parser.parse_args()
    chromium = find_chromium(args.chromium)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "baseline"
        page = write_baseline_report(folder)
        screenshot(chromium, page, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
