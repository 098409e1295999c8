"""Errors the program reports to its user as one line, with an exit status.

Every error names the file and, where it applies, the row or key that is wrong, so a planner can
fix the input without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path


class ClusterSiteError(Exception):
    """Base of all errors shown to the user as one line."""

    exit_code = 1


class InputError(ClusterSiteError):
    """Bad input: a data or scenario file that cannot be used as it is (exit status 2)."""

    exit_code = 2

    def __init__(self, file: Path | str | None, where: str | None, message: str) -> None:
        self.file = str(file) if file is not None else None
        self.where = where
        self.message = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class SolverUnavailableError(InputError):
    """The requested solver is not installed (exit status 2); the message says how to get it."""

    def __init__(self, name: str, hint: str) -> None:
        super().__init__(None, None, f"solver '{name}' is not available: {hint}")


class OutputExistsError(InputError):
    """The output folder already holds results and --force was not given (exit status 2)."""
