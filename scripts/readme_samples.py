#!/usr/bin/env python3
"""Regenerate the README's console samples from real runs (or, with --check, compare).

    .venv/bin/python scripts/readme_samples.py            # rewrite the marked blocks
    .venv/bin/python scripts/readme_samples.py --check    # exit 1 and show a diff on drift

A sample sits between ``<!-- sample:NAME -->`` and ``<!-- sample:end -->`` in README.md. Each
is the console of one command, run here in a temporary folder, with what changes from run to
run replaced: the seconds per stage (``…s``), the run folder's time stamp
(``YYYYMMDD-HHMMSS``) and the repository's absolute path. ``make-run`` is what ``make run``
prints: the baseline on the core install, so without pyogrio (no ``sitings.gpkg``, and the
one-line note saying how to get it). ``planner-scenario`` is the worked example's scenario file
and ``planner-compare`` the console of its ``compare``. ``tests/test_readme_quickstart.py``
runs ``--check``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

README = REPO / "README.md"
START = "<!-- sample:{} -->"
END = "<!-- sample:end -->"


def _normalise(text: str) -> str:
    text = text.replace(str(REPO) + os.sep, "")
    text = re.sub(r"\d+\.\d+s\b", "…s", text)
    text = re.sub(r"(runs/[\w.-]+?-)\d{8}-\d{6}(-\d+)?/", r"\1YYYYMMDD-HHMMSS/", text)
    return text


def make_run() -> str:
    """The console of ``make run`` (``run.py`` with no argument) on the core install."""
    from model.cli import main
    from model.report import gis

    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    original = gis.have_pyogrio
    with tempfile.TemporaryDirectory() as work:
        try:
            os.chdir(work)
            gis.have_pyogrio = lambda: False  # what `make run` installs: no [gis] extra
            gis._hinted = False
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main([])
        finally:
            gis.have_pyogrio = original
            os.chdir(here)
    if status != 0:
        raise SystemExit(f"the baseline run ended with status {status}: {err.getvalue()}")
    return _normalise(err.getvalue() + out.getvalue())


PLANNER_SCENARIO = REPO / "scenarios" / "wood_northeast.yaml"


def planner_scenario() -> str:
    """The worked example's scenario file, verbatim."""
    return PLANNER_SCENARIO.read_text(encoding="utf-8")


def planner_compare() -> str:
    """The console of the worked example: ``compare`` of the baseline and the question."""
    from model.cli import main

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as work:
        argv = [
            "compare",
            str(REPO / "scenarios" / "baseline.yaml"),
            str(PLANNER_SCENARIO),
            "--out",
            str(Path(work) / "runs" / "planner"),
        ]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        text = (err.getvalue() + out.getvalue()).replace(str(Path(work)) + os.sep, "")
    if status != 0:
        raise SystemExit(f"the worked example ended with status {status}: {err.getvalue()}")
    return _normalise(text)


SAMPLES: dict[str, Callable[[], str]] = {
    "make-run": make_run,
    "planner-scenario": planner_scenario,
    "planner-compare": planner_compare,
}


def render(readme: str, samples: dict[str, str]) -> str:
    """``readme`` with each marked block replaced by its sample in a code fence."""
    for name, console in samples.items():
        start = START.format(name)
        if readme.count(start) != 1 or END not in readme.split(start, 1)[1]:
            raise SystemExit(f"README.md: expected one {start} ... {END} block")
        before, rest = readme.split(start, 1)
        after = rest.split(END, 1)[1]
        block = f"{start}\n```\n{console.rstrip()}\n```\n{END}"
        readme = before + block + after
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on drift")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = render(current, {name: make() for name, make in SAMPLES.items()})
    if wanted == current:
        return 0
    if args.check:
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                "README.md",
                "README.md (regenerated)",
            )
        )
        print("README samples are out of date: run scripts/readme_samples.py", file=sys.stderr)
        return 1
    README.write_text(wanted, encoding="utf-8")
    print("README.md: samples rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
