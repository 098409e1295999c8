"""Read the summary.json of a saved run folder, with one-line errors for anything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.tables import read_text


def read_summary(folder: Path) -> tuple[Path, dict[str, Any]]:
    """The path and content of ``folder/summary.json``; the folder must be a run folder."""
    if not folder.is_dir():
        raise InputError(folder, None, "run folder not found")
    path = folder / "summary.json"
    if not path.is_file():
        raise InputError(folder, None, "not a run folder: summary.json is missing")
    try:
        summary = json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise InputError(path, f"line {err.lineno}", f"not valid JSON: {err.msg}") from err
    if not isinstance(summary, dict):
        raise InputError(path, None, "expected a JSON object")
    return path, summary
