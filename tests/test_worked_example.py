"""The README's worked example runs verbatim and writes the one printable page it promises."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def worked_example() -> str:
    return README.split("## Worked example", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_worked_example_command_runs_verbatim(tmp_path: Path) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", worked_example(), flags=re.S)
    assert len(blocks) == 1
    command = shlex.split(blocks[0].strip())
    assert command[:3] == ["python", "run.py", "compare"]
    for name in ("run.py", "scenarios", "data"):
        (tmp_path / name).symlink_to(REPO / name)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, *command[1:]],  # `python` of the activated environment
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "runs" / "planner"
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "@media print" in page and "In one line each" in page
    assert (out / "comparison.md").is_file() and not (out / "comparison_report.md").exists()
    first = next(line for line in done.stdout.splitlines() if line.startswith("- "))
    assert "no core in Smolensk (city)" in first and "against baseline" in first
    # the scenario the README shows is the file the command reads
    assert (REPO / "scenarios" / "wood_northeast.yaml").read_text(encoding="utf-8").strip() in (
        worked_example()
    )
