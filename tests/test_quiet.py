"""``--quiet`` on every command: accepted everywhere, and honoured (only the essential line)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from model.cli import build_parser, main

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"


def registered_commands() -> dict[str, argparse.ArgumentParser]:
    """Every command a user can run, nested ones (``region init``) by their full name."""
    found: dict[str, argparse.ArgumentParser] = {}
    pending: list[tuple[str, argparse.ArgumentParser]] = [("", build_parser())]
    while pending:
        prefix, parser = pending.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    full = f"{prefix} {name}".strip()
                    nested = any(
                        isinstance(a, argparse._SubParsersAction) for a in sub._actions
                    )
                    if nested:
                        pending.append((full, sub))
                    else:
                        found[full] = sub
    return found


def test_every_registered_command_accepts_quiet() -> None:
    commands = registered_commands()
    assert len(commands) >= 24  # run, compare, sweep, ... front, payoff, studio, region init
    assert {"studio", "region init", "region check", "region example"} <= set(commands)
    missing = [
        name for name, sub in commands.items() if "--quiet" not in sub._option_string_actions
    ]
    assert missing == []
    for name, sub in commands.items():
        action = sub._option_string_actions["--quiet"]
        assert action.nargs == 0 and action.default is False, name  # a plain flag


def test_listings_drop_their_notes_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["districts"]) == 0
    loud = capsys.readouterr().out.splitlines()
    assert main(["districts", "--quiet"]) == 0
    quiet = capsys.readouterr().out.splitlines()
    assert quiet == loud[:-1] and "districts in" in loud[-1]  # the table, without the note
    assert main(["show", str(BASELINE), "--quiet"]) == 0
    shown = capsys.readouterr().out
    assert not any(line.startswith("#") for line in shown.splitlines())
    assert "name: baseline" in shown


@pytest.mark.slow
def test_writing_commands_print_only_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = {
        "compare": ["compare", str(BASELINE), str(BASELINE)],
        "sweep": ["sweep", str(BASELINE), "--param", "weights.coop", "--values", "0,1"],
        "alternatives": ["alternatives", str(BASELINE), "--count", "1"],
        "indicators": ["indicators"],
    }
    for name, argv in cases.items():
        out = tmp_path / name
        assert main([*argv, "--out", str(out), "--quiet"]) == 0, name
        captured = capsys.readouterr()
        assert captured.out.splitlines() == [str(out)], name
        assert "it/s" not in captured.err and "%|" not in captured.err, name  # no progress bar
        assert out.is_dir()


def test_region_check_drops_its_closing_line_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["region", "check", "smolensk"]) == 0
    loud = capsys.readouterr().out.splitlines()
    assert main(["region", "check", "smolensk", "--quiet"]) == 0
    quiet = capsys.readouterr().out.splitlines()
    assert loud[-1].startswith("ok:") and quiet == loud[:-1]
