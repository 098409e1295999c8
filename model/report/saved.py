"""Read what a map needs back from a run folder (summary.json), without solving anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.region import Region, load_region
from model.report.map_data import MapMarks, MapSiting
from model.saved import read_summary


@dataclass(frozen=True)
class SavedRun:
    """A run folder's region, sitings and headline, as the map command draws them."""

    folder: Path
    region: Region
    sitings: list[MapSiting]
    types: list[str]
    title: str
    stale_files: list[str]  # data files whose hash differs from the one the run recorded
    marks: MapMarks = field(default_factory=MapMarks)  # greenfield, estimate marks, notice


def _field(summary: dict[str, Any], path: Path, *keys: str) -> Any:
    node: Any = summary
    for n, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            raise InputError(path, ".".join(keys[: n + 1]), "missing from summary.json")
        node = node[key]
    return node


def read_saved_run(folder: Path) -> SavedRun:
    """Load the region named in summary.json and the sitings it records.

    The saved scenario is validated too, though a map does not use it: one boundary for saved
    run folders, so that ``map`` and ``compare`` refuse what ``rerun`` refuses.
    """
    from model.rerun import read_saved_run as read_run_fields
    from model.rerun import saved_scenario

    saved_scenario(read_run_fields(folder))
    path, summary = read_summary(folder)
    region_dir = Path(str(_field(summary, path, "provenance", "region")))
    if not region_dir.is_dir():
        raise InputError(path, "provenance.region", f"region folder not found: {region_dir}")
    region = load_region(region_dir)
    known = set(region.district_ids)
    sitings = []
    for n, entry in enumerate(_field(summary, path, "sitings")):
        where = f"sitings[{n}]"
        if not isinstance(entry, dict):
            raise InputError(path, where, "expected an object")
        kind, core = entry.get("cluster_type"), entry.get("core")
        members = entry.get("members", [])
        if kind not in region.clusters:
            raise InputError(path, f"{where}.cluster_type", f"unknown cluster type {kind!r}")
        if not isinstance(members, list):
            raise InputError(path, f"{where}.members", "expected a list")
        for district in [core, *members]:
            if district not in known:
                raise InputError(path, where, f"unknown district {district!r}")
        sitings.append(MapSiting(str(kind), str(core), [str(m) for m in members]))
    chosen = summary.get("scenario", {}).get("rules", {}).get("clusters")
    types = [str(k) for k in chosen] if isinstance(chosen, list) else list(region.clusters)
    recorded = summary.get("provenance", {}).get("data_files_sha256", {})
    stale = sorted(
        name
        for name, digest in region.file_hashes.items()
        if recorded.get(name) not in (None, digest)
    )
    from model.report.estimates import saved_map_marks

    entries = [e for e in _field(summary, path, "sitings") if isinstance(e, dict)]
    marks = saved_map_marks(entries)
    return SavedRun(folder, region, sitings, types, _title(summary), stale, marks)


def _title(summary: dict[str, Any]) -> str:
    from model.report.writer import plain_title

    name = str(summary.get("scenario", {}).get("name", "?"))
    sitings = summary.get("sitings")
    count = len(sitings) if isinstance(sitings, list) else 0
    return plain_title(name, str(summary.get("status", "?")), count)
