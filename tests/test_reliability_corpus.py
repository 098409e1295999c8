"""The corpus tests/bad_inputs/: bad scenario and region files, each refused through the real
command line with exit status 2, exactly one line (the one expected.txt gives), no traceback and
nothing written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "bad_inputs"
SMOLENSK = REPO / "data" / "smolensk"


def cases() -> list[tuple[str, str]]:
    rows = []
    for line in (CORPUS / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case, expected = line.split("\t")
            rows.append((case, expected))
    return rows


def test_every_corpus_file_has_an_expected_line() -> None:
    listed = {case for case, _ in cases()}
    present = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "expected.txt"
    }
    assert listed == present
    assert len(listed) >= 15


@pytest.mark.parametrize(("case", "expected"), cases(), ids=[c for c, _ in cases()])
def test_bad_input_is_one_line_exit_2_nothing_written(
    case: str, expected: str, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = CORPUS / case
    if case.startswith("regions/"):
        region = tmp_path / "region"
        shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py"))
        shutil.copy(source, region / source.name)
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"name: probe\nregion: {region}\n", encoding="utf-8")
        bad_file = region / source.name
    else:
        scenario = bad_file = source
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "run", str(scenario), "--out", str(work / "out")],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [expected.replace("{file}", str(bad_file))]
    assert done.stdout == ""
    assert list(work.iterdir()) == []  # no out/, no runs/, no staging or lock file
