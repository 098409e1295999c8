"""``run.py`` arguments through ``model.cli.main`` in the test process, answered like a process.

For tests that check what a command writes and prints, not the process boundary: a process
costs an interpreter start and every import again (about a second here), ``main`` none of that.
Exit statuses and error lines as the shell sees them stay tested through real ``run.py``
processes (tests/test_cli.py, the refusal checks of each command's own tests).

    from tests.inprocess import run_main

    done = run_main("run", str(BASELINE), "--out", str(out))
    assert done.returncode == 0, done.stderr
"""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path


def run_main(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``main(args)`` with stdout and stderr captured (and ``cwd`` as the working folder)."""
    from model.cli import main

    out, err = io.StringIO(), io.StringIO()
    folder = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with folder, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as stop:  # argparse refuses a bad option this way
            status = stop.code if isinstance(stop.code, int) else 1
    return subprocess.CompletedProcess(list(args), status, out.getvalue(), err.getvalue())
