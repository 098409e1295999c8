"""Starting out: the README's quick start runs as written, its console sample is current, run
folders get the user's umask, and compare has --quiet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start() -> str:
    return README.split("## Quick start", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_readme_sample_matches_a_fresh_run() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_samples.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_quick_start_commands_run_as_written(tmp_path: Path) -> None:
    """Every command of the quick start but `make` runs verbatim, in order, in one shell, in a
    folder laid out as a checkout after `make run` (.venv: the environment running the tests)."""
    blocks = re.findall(r"```sh\n(.*?)```", quick_start(), flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [line for line in lines if line and not line.startswith("make ")]
    assert any(c.startswith(".venv/bin/python run.py") for c in commands)
    assert any(c.startswith(".venv/bin/clustersite") for c in commands)
    assert "source .venv/bin/activate" in commands
    assert not any(c.startswith("python3 ") for c in commands)
    for name in ("run.py", "scenarios", "data"):
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    if not (Path(sys.prefix) / "bin" / "clustersite").exists():
        pytest.skip("the test environment has no clustersite entry point")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(REPO)  # this checkout's model/, also for the entry point
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "runs" / "coop2" / "summary.json").is_file()


def test_bare_python3_is_not_what_the_readme_says() -> None:
    assert "python3 run.py" not in README.replace("a bare\n`python3 run.py`", "")


def test_run_folder_gets_the_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from model.staging import staged_folder

    old = os.umask(0o027)
    try:
        with staged_folder(tmp_path / "out") as staging:
            (staging / "f.txt").write_text("x", encoding="utf-8")
            (staging / "sub").mkdir()
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "out" / "sub").stat().st_mode & 0o777 == 0o750


def test_compare_quiet_prints_only_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from model.generate import generate_region

    region = generate_region(tmp_path / "region", 6, seed=4, types=2)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\nregion: {region}\n", encoding="utf-8")
    run = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(run), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "cmp"
    assert main(["compare", str(run), str(run), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == f"{out}\n"
    assert (out / "comparison.md").is_file()
