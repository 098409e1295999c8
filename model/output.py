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
from typing import TYPE_CHECKING, Any

import pandas as pd

from model.pipeline import RunResult
from model.report.estimates import MARK, MARK_NOTE, run_bases, run_export_reason
from model.report.run_map import map_inputs
from model.report.values import cluster_values
from model.staging import staged_folder

if TYPE_CHECKING:
    from model.report.map_process import MapProcess

PACKAGES = (
    "clustersite",
    "pyomo",
    "highspy",
    "pandas",
    "numpy",
    "scipy",
    "networkx",
    "pydantic",
    "pyogrio",  # optional ([gis]): "not installed" when the run wrote no GeoPackage
)
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


def summary_sitings(result: RunResult) -> list[dict[str, Any]]:
    """The ``sitings`` of summary.json: one entry per cluster, its value and its basis."""
    return [
        {
            "cluster_type": row.cluster_type,
            "core": row.core,
            "members": list(row.members),
            # the cluster's value (model.report.values); the values add up to the
            # objective; "contribution" keeps the key older readers know
            "value": value.value,
            "contribution": value.value,
            "terms": value.terms,
            **basis.summary(),
        }
        for row, basis, value in zip(
            result.sitings(), run_bases(result), cluster_values(result), strict=True
        )
    ]


def software() -> dict[str, Any]:
    """summary.json's record of the software: package versions and the git revision."""
    return {"packages": _package_versions(), "git_revision": _git_revision()}


def summary_dict(
    result: RunResult,
    sitings: list[dict[str, Any]] | None = None,
    software_used: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of summary.json (``sitings`` from :func:`summary_sitings` and
    ``software_used`` from :func:`software`, if at hand)."""
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
    return _clean(
        {
            "status": result.status,
            "objective": result.objective,
            "terms": result.terms,
            "sitings": summary_sitings(result) if sitings is None else sitings,
            "diagnosis": result.diagnosis,
            "conflict": result.conflict,
            "solver": solver,
            "scenario": result.loaded.resolved(),
            "scenario_chain": result.loaded.chain,
            "overrides": result.loaded.overrides,
            "provenance": {
                "region": str(result.region.path.resolve()),
                "data_files_sha256": result.region.file_hashes,
                **(software() if software_used is None else software_used),
            },
            "model_size": {
                "core_sites": len(result.instance.sites),
                "member_arcs": len(result.instance.members),
                "cooperating_pairs": result.instance.pair_count,
                "cooperation": result.instance.cooperation,
            },
            "warm_start": result.warm_start.to_dict() if result.warm_start else None,
            # solver.bound_rounds (docs/model.md §5.3); its rounds differ between identical
            # runs only where three quarters of the time limit cut them short
            "lagrangian_bound": (
                result.lagrangian.to_dict(result.objective) if result.lagrangian else None
            ),
            # everything that changes from one identical run to the next sits under timings
            "timings": {
                **result.timings,
                "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        }
    )


GREENFIELD_WORD = "greenfield"


def siting_lines(result: RunResult) -> list[str]:
    """The console's siting table: one line per core, estimate and greenfield marks, notes.

    A core whose fit or export rests on estimates (more than half of the activity or export
    share behind it is estimated) ends in ``†``; a greenfield core (no activity of its type in
    the district) is flagged in its own column. Foot lines explain the marks and, when the
    export term is 0, why.
    """
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    bases = run_bases(result)
    header = ("cluster type", "core district", "members", "value", "")
    table = []
    for row, basis, value in zip(result.sitings(), bases, cluster_values(result), strict=True):
        flags = []
        if basis.core.rests_on_estimates:
            parts = []
            if basis.core.own.marked:
                parts.append(f"activity {basis.core.own.estimated_share:.0%} est.")
            if basis.core.export.marked:
                parts.append(f"export {basis.core.export.estimated_share:.0%} est.")
            flags.append(f"{MARK} " + ", ".join(parts))
        if basis.core.greenfield:
            flags.append(GREENFIELD_WORD)
        table.append(
            (
                row.cluster_type,
                names.get(row.core, row.core),
                ", ".join(names.get(m, m) for m in row.members) or "-",
                f"{value.value:.3f}",
                "  ".join(flags),
            )
        )
    widths = [max(len(r[c]) for r in [header, *table]) for c in range(3)]
    fmt = f"{{:<{widths[0]}}}  {{:<{widths[1]}}}  {{:<{widths[2]}}}  {{:>12}}  {{}}"
    lines = [fmt.format(*header).rstrip()]
    lines.append(fmt.format(*("-" * w for w in widths), "-" * 12, "").rstrip())
    lines += [fmt.format(*row).rstrip() for row in table]
    if table:
        lines.append(
            "value: the cluster's fit, export and members and half of each cooperation pair; "
            "the values add up to the objective"
        )
    marked = [b for b in bases if b.core.rests_on_estimates]
    if marked:
        lines.append(
            f"{MARK_NOTE}: {len(marked)} of {len(bases)} cores (report.md, Why here, says what "
            "each rests on)"
        )
    single = [b for b in bases if b.core.own.single_estimated_row]
    for b in single:
        lines.append(
            f"{b.cluster_type} in {names.get(b.core.district, b.core.district)} rests on one "
            "estimated figure: verify it before quoting the siting"
        )
    if any(b.core.greenfield for b in bases):
        lines.append(f"{GREENFIELD_WORD}: no activity of the core's type in its district yet")
    unstated = [b for b in bases if b.core.own.unstated_only]
    if unstated and not marked:
        lines.append(
            f"activity of {len(unstated)} of {len(bases)} cores: basis not stated in the region "
            "files"
        )
    reason = run_export_reason(result)
    if reason:
        lines.append(reason)
    return lines


CLUSTERS_FILE = "clusters.csv"
CLUSTER_COLUMNS = [
    "cluster_type",
    "type_name",
    "core",
    "core_name",
    "members",
    "fit",
    "export",
    "member",
    "coop",
    "value",
    "share_of_objective",
    "estimate",
    "greenfield",
]


def write_clusters_csv(result: RunResult, path: Path) -> None:
    """One row per cluster: its terms and its value (the values add up to the objective).

    ``members`` holds the member district names separated by "; "; ``estimate`` is the
    estimate mark (``†``) in its own column, ``greenfield`` is true or false.
    """
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    objective = result.objective or 0.0
    rows = []
    for value, basis in zip(cluster_values(result), run_bases(result), strict=True):
        rows.append(
            {
                "cluster_type": value.cluster_type,
                "type_name": result.region.clusters[value.cluster_type].name,
                "core": value.core,
                "core_name": names.get(value.core, value.core),
                "members": "; ".join(names.get(m, m) for m in value.members),
                **{term: round(value.terms[term], 9) for term in ("fit", "export", "member")},
                "coop": round(value.terms["coop"], 9),
                "value": round(value.value, 9),
                "share_of_objective": round(value.value / objective, 6) if objective else "",
                "estimate": MARK if basis.core.rests_on_estimates else "",
                "greenfield": str(basis.core.greenfield).lower(),
            }
        )
    pd.DataFrame(rows, columns=CLUSTER_COLUMNS).to_csv(path, index=False, lineterminator="\n")


def write_run(
    result: RunResult,
    folder: Path,
    force: bool = False,
    runner_ups: bool = True,
    maps: MapProcess | None = None,
) -> Path:
    """Write assignments.csv and clusters.csv (when there is a solution), summary.json, the
    report files and the GIS layers (``model.report.gis``: GeoJSON, a QGIS style, a
    GeoPackage with pyogrio).

    ``runner_ups=False`` leaves out the report's re-solve per siting (sweeps write many runs).
    ``maps`` draws the map in a second process while the rest is written
    (``model.report.map_process``); without it the map is drawn here.
    """
    with staged_folder(folder, force) as staging:
        drawn = maps.draw(map_inputs(result)) if maps is not None else None
        # the rest of the report is loaded once the map is on its way (it is not small)
        from model.report.gis import write_gis
        from model.report.writer import write_report

        if result.has_solution:
            table = result.assignments.copy()
            table["contribution"] = table["contribution"].round(9)
            table.to_csv(staging / "assignments.csv", index=False, lineterminator="\n")
            write_clusters_csv(result, staging / CLUSTERS_FILE)
        result.timings["report"] = 0.0  # its place in summary.json; measured below
        started = time.perf_counter()
        sitings = _clean(summary_sitings(result))
        write_gis(result, staging, sitings)  # the sitings as summary.json has them
        result.timings["gis"] = time.perf_counter() - started
        # read before the report waits for the map drawn elsewhere, not after it
        software_used = software()
        started = time.perf_counter()
        write_report(result, staging, runner_ups=runner_ups, drawn=drawn)  # map, report.md/.html
        result.timings["report"] = time.perf_counter() - started
        summary = summary_dict(result, sitings, software_used)
        with (staging / "summary.json").open("w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return folder
