"""Reproduce a saved run from its resolved scenario and check that the data are unchanged.

A run folder's summary.json holds the scenario after extends and overrides (every default
filled in), the region folder and the SHA-256 of every data file. Re-running solves that
scenario again on that folder; any data file whose hash differs is reported, since then the
answer may legitimately differ.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.pipeline import RunResult, solve
from model.region import load_region
from model.saved import check_saved_folder
from model.scenario import LoadedScenario, validate_scenario


@dataclass(frozen=True)
class SavedRun:
    folder: Path
    scenario: dict[str, Any]
    region: Path
    hashes: dict[str, str]


def read_saved_run(folder: Path) -> SavedRun:
    """Read what a rerun needs from a run folder (summary.json and assignments.csv checked)."""
    _, summary, _ = check_saved_folder(folder)
    provenance = summary["provenance"]
    return SavedRun(
        folder,
        dict(summary["scenario"]),
        Path(provenance["region"]),
        dict(provenance.get("data_files_sha256", {})),
    )


def changed_files(saved: SavedRun) -> list[str]:
    """Data files whose content differs from the saved run (changed, missing or new)."""
    changes = []
    current = (
        {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(saved.region.iterdir())
            if p.is_file() and (p.name in saved.hashes or p.suffix in (".csv", ".yaml", ".geojson"))
        }
        if saved.region.is_dir()
        else {}
    )
    for name, digest in sorted(saved.hashes.items()):
        if name not in current:
            changes.append(f"{name} (missing)")
        elif current[name] != digest:
            changes.append(f"{name} (changed)")
    changes += [f"{name} (new)" for name in sorted(set(current) - set(saved.hashes))]
    return changes


def saved_scenario(saved: SavedRun) -> LoadedScenario:
    """The saved scenario, validated, on the saved region folder (which must exist)."""
    summary_path = saved.folder / "summary.json"
    data = {**saved.scenario, "region": str(saved.region), "extends": None}
    scenario = validate_scenario(data, str(summary_path))
    if not saved.region.is_dir():
        raise InputError(
            summary_path, "provenance.region", f"region folder not found: {saved.region}"
        )
    return LoadedScenario(scenario, summary_path, [str(summary_path)], [])


def rerun(saved: SavedRun, loaded: LoadedScenario | None = None) -> RunResult:
    """Solve the saved scenario again on the saved region folder."""
    loaded = loaded or saved_scenario(saved)
    return solve(loaded, load_region(saved.region), with_bound=True)
