"""Side-by-side comparison of scenario runs: what moved, and what it cost in each term.

A :class:`Snapshot` is the part of a run that a comparison needs; it comes from a fresh
:class:`~model.pipeline.RunResult` or from a saved run folder (summary.json and
assignments.csv), so saved runs compare without re-solving. The first snapshot is the
reference: a cell that differs from it is marked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from model.compare_summary import setting_words, summary_lines
from model.errors import ClusterSiteError, InputError
from model.pipeline import RunResult
from model.results import TERMS
from model.saved import check_saved_folder

CHANGED = "*"  # marks a core that differs from the reference scenario
MEMBERS_CHANGED = "~"  # same core, other members


@dataclass(frozen=True)
class Snapshot:
    """A run reduced to what comparisons show."""

    label: str
    status: str
    objective: float | None
    terms: dict[str, float]
    sitings: dict[str, list[tuple[str, tuple[str, ...]]]]  # type -> [(core, members)]
    settings: dict[str, Any]  # resolved scenario flattened to dotted keys
    source: str
    names: dict[str, str] = field(default_factory=dict)  # district id -> display name
    type_names: dict[str, str] = field(default_factory=dict)  # type id -> display name


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{'rules': {'border': {'enforce': True}}} -> {'rules.border.enforce': True}."""
    if isinstance(data, dict) and data:
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def _group_sitings(
    records: list[dict[Hashable, Any]],
) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    grouped: dict[str, dict[str, list[str]]] = {}
    for record in records:
        cores = grouped.setdefault(str(record["cluster_type"]), {})
        members = cores.setdefault(str(record["core"]), [])
        if record["role"] == "member":
            members.append(str(record["district"]))
    return {
        k: [(core, tuple(sorted(members))) for core, members in sorted(cores.items())]
        for k, cores in grouped.items()
    }


def snapshot_of(result: RunResult, label: str | None = None) -> Snapshot:
    """The snapshot of a run that has just been solved."""
    return Snapshot(
        label=label or result.loaded.scenario.name,
        status=result.status,
        objective=result.objective,
        terms=dict(result.terms),
        sitings=_group_sitings(result.assignments.to_dict("records")),
        settings=flatten(result.loaded.resolved()),
        source=str(result.loaded.path),
        names={str(k): str(v) for k, v in result.region.districts["name"].items()},
        type_names={k: c.name for k, c in result.region.clusters.items()},
    )


def snapshot_of_folder(folder: Path, label: str | None = None) -> Snapshot:
    """The snapshot of a saved run folder (summary.json, and assignments.csv if solved)."""
    _, summary, rows = check_saved_folder(folder)
    records: list[dict[Hashable, Any]] = [{key: row[key] for key in row} for row in rows]
    return Snapshot(
        label=label or str(summary["scenario"].get("name", folder.name)),
        status=str(summary["status"]),
        objective=summary.get("objective"),
        terms={str(k): float(v) for k, v in summary["terms"].items()},
        sitings=_group_sitings(records),
        settings=flatten(summary["scenario"]),
        source=str(folder),
        names=_names_of_saved_region(summary),
        type_names=_type_names_of_saved_region(summary),
    )


def _names_of_saved_region(summary: dict[str, Any]) -> dict[str, str]:
    """District names from the region a saved run used, if it is still there."""
    region = summary.get("provenance", {}).get("region")
    districts = Path(str(region)) / "districts.csv" if region else None
    if districts is None or not districts.is_file():
        return {}
    try:
        table = pd.read_csv(districts, dtype=str, usecols=["id", "name"])
    except (ValueError, OSError, UnicodeDecodeError):
        return {}  # names are cosmetic: fall back to ids
    return dict(zip(table["id"], table["name"], strict=True))


def _type_names_of_saved_region(summary: dict[str, Any]) -> dict[str, str]:
    """Cluster type names from the region a saved run used, if it is still there."""
    region = summary.get("provenance", {}).get("region")
    catalogue = Path(str(region)) / "clusters.yaml" if region else None
    if catalogue is None or not catalogue.is_file():
        return {}
    try:
        from model.region import load_region

        return {k: c.name for k, c in load_region(catalogue.parent).clusters.items()}
    except (ClusterSiteError, OSError, ValueError):
        return {}  # names are cosmetic: fall back to ids


def unique_labels(snapshots: list[Snapshot]) -> list[Snapshot]:
    """Give repeated labels a suffix (#2, #3) so that columns stay distinct."""
    seen: dict[str, int] = {}
    out = []
    for snap in snapshots:
        count = seen[snap.label] = seen.get(snap.label, 0) + 1
        if count > 1:
            snap = replace(snap, label=f"{snap.label}#{count}")
        out.append(snap)
    return out


def _describe(entries: list[tuple[str, tuple[str, ...]]], names: dict[str, str]) -> str:
    parts = []
    for core, members in entries:
        text = names.get(core, core)
        if members:
            text += " (" + ", ".join(names.get(m, m) for m in members) + ")"
        parts.append(text)
    return "; ".join(parts) if parts else "-"


def sitings_table(
    snapshots: list[Snapshot],
    names: dict[str, str] | None = None,
    type_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Rows: cluster types (full names); columns: per scenario the core (members), and after
    each scenario but the first a column of its own for the change mark (``*`` core moved,
    ``~`` same core, other members, empty: unchanged), so that no cell holds a mark; the last
    column is the type id."""
    names, type_names = names or {}, type_names or {}
    types: list[str] = []
    for snap in snapshots:
        types += [k for k in snap.sitings if k not in types]
    reference = snapshots[0]
    table: dict[str, list[str]] = {}
    for snap in snapshots:
        column, marks = [], []
        for k in types:
            mine, theirs = snap.sitings.get(k, []), reference.sitings.get(k, [])
            column.append(_describe(mine, names))
            marks.append(change_mark(mine, theirs))
        table[snap.label] = column
        if snap is not reference:
            table[change_column(snap.label)] = marks
    table["type id"] = types
    index = pd.Index([type_names.get(k, k) for k in types], name="cluster type")
    return pd.DataFrame(table, index=index)


def change_column(label: str) -> str:
    return f"{label} change"


def change_mark(
    mine: list[tuple[str, tuple[str, ...]]], theirs: list[tuple[str, tuple[str, ...]]]
) -> str:
    """``*`` when the cores differ, ``~`` when only the members do, else empty."""
    if [c for c, _ in mine] != [c for c, _ in theirs]:
        return CHANGED
    return MEMBERS_CHANGED if mine != theirs else ""


def weights_of(snap: Snapshot) -> dict[str, Any]:
    return {k: v for k, v in snap.settings.items() if k.startswith("weights.")}


def comparable(snap: Snapshot, reference: Snapshot) -> bool:
    """Objectives compare only under the same weights."""
    return weights_of(snap) == weights_of(reference)


def terms_table(snapshots: list[Snapshot]) -> pd.DataFrame:
    """Rows: status, weights, objective and each term; columns: scenarios, and after each but
    the first its difference and % change against the first. Under other weights the
    objectives are not comparable: those cells stay empty and the weights row says so."""
    rows = ["status", "weights", "objective", *TERMS]
    reference = snapshots[0]
    table: dict[str, list[Any]] = {}
    for snap in snapshots:
        same = comparable(snap, reference)
        table[snap.label] = [
            snap.status,
            "reference" if snap is reference else ("same" if same else "differ: not comparable"),
            _round(snap.objective),
            *(_round(snap.terms.get(t)) for t in TERMS),
        ]
        if snap is reference:
            continue
        pairs = [(snap.objective, reference.objective)] + [
            (snap.terms.get(t), reference.terms.get(t)) for t in TERMS
        ]
        table[f"{snap.label} - {reference.label}"] = [
            "",
            "",
            *(_difference(a, b) if same else None for a, b in pairs),
        ]
        table[f"{snap.label} % change"] = [
            "",
            "",
            *(_percent(a, b) if same else None for a, b in pairs),
        ]
    return pd.DataFrame(table, index=pd.Index(rows, name="measure"))


def _percent(value: float | None, reference: float | None) -> float | None:
    """(value − reference) / |reference| in per cent, 2 decimals; None when undefined."""
    if value is None or reference is None or reference == 0:
        return None
    return round(100.0 * (float(value) - float(reference)) / abs(float(reference)), 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _difference(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return round(float(value) - float(reference), 4)


IGNORED_SETTINGS = ("name", "description", "extends")


def settings_table(snapshots: list[Snapshot]) -> pd.DataFrame:
    """The resolved settings that differ between the scenarios (dotted keys)."""
    keys: list[str] = []
    for snap in snapshots:
        keys += [k for k in snap.settings if k not in keys and k not in IGNORED_SETTINGS]
    differing = [
        key
        for key in keys
        if len({json.dumps(s.settings.get(key), sort_keys=True) for s in snapshots}) > 1
    ]
    table = {snap.label: [_in_words(snap, key) for key in differing] for snap in snapshots}
    return pd.DataFrame(table, index=pd.Index(differing, name="setting"))


def _in_words(snap: Snapshot, key: str) -> str:
    """A setting's value; locks, bans and groups in words with district and type names."""
    value = snap.settings.get(key, "(absent)")
    words = setting_words(key, value, snap.names, snap.type_names)
    return words if words is not None else _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


MARKS_NOTE = (
    f"In the change columns, {CHANGED} marks a core that differs from the first scenario, "
    f"{MEMBERS_CHANGED} the same core with other members."
)


@dataclass(frozen=True)
class Comparison:
    """The three tables of a comparison and one summary line per scenario after the first."""

    sitings: pd.DataFrame
    terms: pd.DataFrame
    settings: pd.DataFrame
    summary: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables under the titles the reports give them."""
        return {
            "Sitings": self.sitings,
            "Objective and terms": self.terms,
            "Settings that differ": self.settings,
        }

    def to_markdown(self, title: str = "Scenario comparison") -> str:
        parts = [
            f"# {title}",
            "",
            *(f"- {line}" for line in self.summary),
            *([""] if self.summary else []),
            MARKS_NOTE,
            "",
            "## Sitings",
            "",
            markdown_table(self.sitings),
            "",
            "## Objective and terms",
            "",
            markdown_table(self.terms),
            "",
            "## Settings that differ",
            "",
            markdown_table(self.settings) if not self.settings.empty else "(none)",
            "",
        ]
        return "\n".join(parts)

    def write(self, folder: Path) -> list[Path]:
        """sitings.csv, terms.csv, settings.csv and comparison.md in ``folder``."""
        written = []
        for name, frame in (
            ("sitings", self.sitings),
            ("terms", self.terms),
            ("settings", self.settings),
        ):
            path = folder / f"{name}.csv"
            frame.to_csv(path, lineterminator="\n")
            written.append(path)
        markdown = folder / "comparison.md"
        markdown.write_text(self.to_markdown(), encoding="utf-8")
        return [*written, markdown]


def compare(snapshots: list[Snapshot]) -> Comparison:
    """Build the comparison of the snapshots (the first is the reference)."""
    if not snapshots:
        raise InputError(None, None, "nothing to compare")
    snapshots = unique_labels(snapshots)
    names: dict[str, str] = {}
    for snap in snapshots:
        names |= snap.names
    type_names: dict[str, str] = {}
    for snap in snapshots:
        type_names |= snap.type_names
    return Comparison(
        sitings_table(snapshots, names, type_names),
        terms_table(snapshots),
        settings_table(snapshots),
        summary_lines(snapshots),
    )


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a DataFrame, index included."""
    header = [str(frame.index.name or ""), *map(str, frame.columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for label, row in frame.iterrows():
        cells = [str(label), *("" if v is None else _cell(v) for v in row.tolist())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return str(value).replace("|", "\\|")
