"""A corpus of malformed scenario files: each gives one line naming file and key, exit 2, and
writes nothing.

Each file in tests/bad_scenarios/ starts with ``# expect: TEXT``, a fragment that the error
must contain (the key path, or the problem for files without keys); the few files that cannot
carry a comment are listed in EXPECTED.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main

REPO = Path(__file__).resolve().parent.parent
CORPUS = sorted((REPO / "tests" / "bad_scenarios").glob("*.yaml"))
EXPECTED = {"29_empty.yaml": "empty", "49_not_utf8.yaml": "not UTF-8"}


def expected_fragment(path: Path) -> str:
    if path.name in EXPECTED:
        return EXPECTED[path.name]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks its expect line"
    return first.removeprefix("# expect: ")


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_bad_scenario_is_one_line_exit_2_and_nothing_written(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a default runs/ folder would appear here
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("\n") == 1, captured.err
    message = captured.err.strip()
    assert message.startswith("error: ")
    assert path.name in message or "38_extends_cycle_b" in message, message  # names the file
    assert expected_fragment(path) in message, message
    assert captured.out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written: no out/, no runs/, no staging


def test_a_bad_scenario_through_the_real_command_line(tmp_path: Path) -> None:
    """The same in a separate process: exit status 2 and no traceback."""
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "run", str(CORPUS[2]), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()
