"""The corpus tests/bad_inputs/: bad scenario and region files, each refused by the command line
with exit status 2, exactly one line on stderr (the one expected.txt gives), nothing on stdout,
no traceback and nothing written.

Every case runs ``model.cli.main`` in the test process with stdout and stderr captured at the
file-descriptor level (so output of a C library would show too), in a fresh working folder, as
tests/test_bad_scenarios.py does for its corpus: a ``run.py`` process costs an interpreter start
and every import again, and there are 55 cases. The process boundary (``run.py`` is
``sys.exit(main())``: the exit status and stderr as the shell sees them) is checked on one case
of each kind, a scenario and a region file, in real ``run.py`` processes with the same checks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main

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
    assert len(listed) >= 55  # with tests/bad_scenarios/ (50), more than 100 bad inputs


def prepare(case: str, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The scenario to run, the bad file its error must name, and an empty working folder."""
    work = tmp_path / "work"
    work.mkdir()
    source = CORPUS / case
    if case.startswith("regions/"):
        region = tmp_path / "region"
        shutil.copytree(
            SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py", "__pycache__")
        )
        shutil.copy(source, region / source.name)
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"name: probe\nregion: {region}\n", encoding="utf-8")
        return scenario, region / source.name, work
    return source, source, work


def assert_refused(
    done: subprocess.CompletedProcess[str], expected: str, bad_file: Path, work: Path
) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [expected.replace("{file}", str(bad_file))]
    assert done.stdout == ""
    assert list(work.iterdir()) == []  # no out/, no runs/, no staging or lock file


@pytest.mark.parametrize(("case", "expected"), cases(), ids=[c for c, _ in cases()])
def test_bad_input_is_one_line_exit_2_nothing_written(
    case: str,
    expected: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, bad_file, work = prepare(case, tmp_path)
    args = ["run", str(scenario), "--out", str(work / "out")]
    monkeypatch.chdir(work)  # a default runs/ folder would appear here
    try:
        status = main(args)
    except SystemExit as stop:  # argparse refuses a bad option this way
        status = stop.code if isinstance(stop.code, int) else 1
    captured = capfd.readouterr()
    done = subprocess.CompletedProcess(args, status, captured.out, captured.err)
    assert_refused(done, expected, bad_file, work)


def first_case(kind: str) -> tuple[str, str]:
    return next((case, expected) for case, expected in cases() if case.startswith(kind))


@pytest.mark.parametrize(
    ("case", "expected"),
    [first_case("scenarios/"), first_case("regions/")],
    ids=["scenario", "region"],
)
def test_bad_input_through_the_real_command_line(case: str, expected: str, tmp_path: Path) -> None:
    scenario, bad_file, work = prepare(case, tmp_path)
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "run", str(scenario), "--out", str(work / "out")],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
    )
    assert_refused(done, expected, bad_file, work)


def test_generate_force_replaces_only_a_generated_region_or_an_empty_folder(
    tmp_path: Path,
) -> None:
    """generate --force replaces a region it wrote or an empty folder, nothing else (exit 2)."""
    from model.generate import generate_region

    def generate(out: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                str(REPO / "run.py"),
                "generate",
                "--districts",
                "4",
                "--seed",
                "1",
                "--out",
                str(out),
                "--force",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )

    region = generate_region(tmp_path / "region", 5, seed=0)
    assert generate(region).returncode == 0
    assert "--districts 4 --seed 1" in (region / "SOURCES.md").read_text(encoding="utf-8")
    (tmp_path / "empty").mkdir()
    assert generate(tmp_path / "empty").returncode == 0
    for name, setup in {
        "user_files": lambda f: (f / "notes.txt").write_text("mine", encoding="utf-8"),
        "real_region": lambda f: shutil.copytree(
            SMOLENSK, f, dirs_exist_ok=True, ignore=shutil.ignore_patterns("raw", "__pycache__")
        ),
        "extra_file": lambda f: (
            generate_region(f, 5, seed=0, overwrite=True),
            (f / "keep.csv").write_text("x", encoding="utf-8"),
        ),
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        setup(folder)
        before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
        done = generate(folder)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            f"error: {folder}: --force replaces only an empty folder or a region that generate "
            "wrote (its files and SOURCES.md); this folder holds something else: choose "
            "another --out"
        ]
        assert sorted((p.name, p.read_bytes()) for p in folder.iterdir()) == before
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
