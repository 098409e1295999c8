"""Write a run folder (README, "What a run writes") atomically, never over a user's earlier results.

Files are written into a staging folder (``model.staging``) and moved into place in one rename
once complete, so an interrupted run leaves no partial run folder.
"""

from __future__ import annotations

import json
import math
import platform
import subprocess
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from model.pipeline import RunResult
from model.report.writer import write_report
from model.staging import staged_folder

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
            "conflict": result.conflict,
            "solver": solver,
            "scenario": result.loaded.resolved(),
            "scenario_chain": result.loaded.chain,
            "overrides": result.loaded.overrides,
            "provenance": {
                "region": str(result.region.path.resolve()),
                "data_files_sha256": result.region.file_hashes,
                "packages": _package_versions(),
                "git_revision": _git_revision(),
            },
            "model_size": {
                "core_sites": len(result.instance.sites),
                "member_arcs": len(result.instance.members),
                "cooperating_pairs": len(result.instance.pairs),
            },
            # everything that changes from one identical run to the next sits under timings
            "timings": {
                **result.timings,
                "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        }
    )


def write_run(
    result: RunResult, folder: Path, force: bool = False, runner_ups: bool = True
) -> Path:
    """Write assignments.csv (when there is a solution), summary.json and the report files.

    ``runner_ups=False`` leaves out the report's re-solve per siting (sweeps write many runs).
    """
    with staged_folder(folder, force) as staging:
        if result.has_solution:
            table = result.assignments.copy()
            table["contribution"] = table["contribution"].round(9)
            table.to_csv(staging / "assignments.csv", index=False, lineterminator="\n")
        started = time.perf_counter()
        write_report(result, staging, runner_ups=runner_ups)  # map.png, report.md/.html
        result.timings["report"] = time.perf_counter() - started
        with (staging / "summary.json").open("w", encoding="utf-8") as handle:
            json.dump(summary_dict(result), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return folder
