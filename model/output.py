"""Write a run folder (DESIGN.md §5b) atomically, never over a user's earlier results.

Files are written into a hidden temporary folder beside the destination and moved into place
in one rename once complete, so an interrupted run leaves no partial run folder.
"""

from __future__ import annotations

import json
import math
import platform
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from model.errors import OutputExistsError
from model.pipeline import RunResult

PACKAGES = ("clustersite", "pyomo", "highspy", "pandas", "numpy", "scipy", "networkx", "pydantic")
REPO_DIR = Path(__file__).resolve().parent.parent


def default_run_folder(runs_dir: Path, name: str) -> Path:
    """runs/<scenario>-<UTC timestamp>, with a counter if that already exists."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = runs_dir / f"{name}-{stamp}"
    counter = 2
    while candidate.exists():
        candidate = runs_dir / f"{name}-{stamp}-{counter}"
        counter += 1
    return candidate


def check_destination(folder: Path, force: bool) -> None:
    """Refuse a destination that holds anything, unless forced; refuse non-folders always."""
    if folder.exists() and not folder.is_dir():
        raise OutputExistsError(folder, None, "output path exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputExistsError(
            folder, None, "output folder is not empty; choose another --out or add --force"
        )


def _package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git_revision() -> str | None:
    """The repository's commit (with '-dirty' when it has uncommitted changes), if any."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_DIR), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def _clean(value: Any) -> Any:
    """JSON cannot hold inf/NaN: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def summary_dict(result: RunResult) -> dict[str, Any]:
    """The content of summary.json."""
    outcome = result.outcome
    solver: dict[str, Any] = {"name": result.loaded.scenario.solver.name}
    if outcome is not None:
        solver |= {
            "name": outcome.solver,
            "version": outcome.version,
            "time_s": outcome.solver_time_s,
            "wall_time_s": outcome.wall_time_s,
            "gap": outcome.gap,
            "bound": outcome.bound,
            "objective": outcome.objective,
            "nodes": outcome.nodes,
            "message": outcome.message,
        }
    sitings = result.sitings()
    return _clean(
        {
            "status": result.status,
            "objective": result.objective,
            "terms": result.terms,
            "sitings": [
                {
                    "cluster_type": row.cluster_type,
                    "core": row.core,
                    "members": list(row.members),
                    "contribution": row.contribution,
                }
                for row in sitings
            ],
            "diagnosis": result.diagnosis,
            "solver": solver,
            "scenario": result.loaded.resolved(),
            "scenario_chain": result.loaded.chain,
            "overrides": result.loaded.overrides,
            "provenance": {
                "region": str(result.region.path),
                "data_files_sha256": result.region.file_hashes,
                "packages": _package_versions(),
                "git_revision": _git_revision(),
                "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            "model_size": {
                "core_sites": len(result.instance.sites),
                "member_arcs": len(result.instance.members),
                "cooperating_pairs": len(result.instance.pairs),
            },
            "timings": result.timings,
        }
    )


def write_run(result: RunResult, folder: Path, force: bool = False) -> Path:
    """Write assignments.csv (when there is a solution) and summary.json into ``folder``."""
    check_destination(folder, force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
    )
    try:
        if result.has_solution:
            table = result.assignments.copy()
            table["contribution"] = table["contribution"].round(9)
            table.to_csv(staging / "assignments.csv", index=False, lineterminator="\n")
        with (staging / "summary.json").open("w", encoding="utf-8") as handle:
            json.dump(summary_dict(result), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        _move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _move_into_place(staging: Path, folder: Path) -> None:
    """Rename the finished folder into place; an old folder (with --force) goes only after."""
    if not folder.exists():
        staging.rename(folder)
        return
    if not any(folder.iterdir()):
        folder.rmdir()
        staging.rename(folder)
        return
    retired = folder.with_name(f".{folder.name}.replaced")
    if retired.exists():
        shutil.rmtree(retired)
    folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)
