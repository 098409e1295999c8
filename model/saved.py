"""Read a saved run folder (summary.json, assignments.csv) strictly, with one-line errors.

``rerun``, ``compare`` and ``map`` read folders that a user may have edited, truncated or
emptied; everything they use is checked here first: the file's size, its JSON nesting depth,
the type of every field read, and the shape of assignments.csv. A problem is an
:class:`InputError` naming the file and the key or line.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.tables import has_control, read_csv_rows, read_text, shown

# a run's summary.json is a few kilobytes; a comparison of many runs a few hundred
MAX_SUMMARY_BYTES = 16 * 1024 * 1024
MAX_JSON_DEPTH = 64
STATUSES = {"optimal", "time_limit", "infeasible", "unbounded", "error", "interrupted"}
ASSIGNMENT_COLUMNS = ["cluster_type", "core", "district", "role", "contribution"]


def json_depth(data: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counted without recursion; stops once above ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


# Checks on the text of a parsed JSON file, in place of walking every parsed value in Python
# (a region's boundaries.geojson holds ~80,000 values: 30-50 ms a walk).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIRS = re.compile(r"\[\]|\{\}")
# a lone surrogate can only come from a \uD800-\uDFFF escape: the text itself is strict UTF-8
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def text_depth(text: str, limit: int) -> int:
    """Nesting depth of a valid JSON text (what :func:`json_depth` gives for its parsed
    value), counted on its brackets outside strings; stops once above ``limit``.

    With everything but the brackets removed, the innermost containers are the adjacent
    pairs ``[]`` and ``{}``; each pass removes them all, one level.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = 0
    while brackets and depth <= limit:
        brackets = _INNERMOST_PAIRS.sub("", brackets)
        depth += 1
    return depth


def read_json(path: Path, max_bytes: int = MAX_SUMMARY_BYTES) -> Any:
    """Parse a JSON file of bounded size and nesting, or fail on one line naming the file."""
    if path.is_file() and path.stat().st_size > max_bytes:
        raise InputError(
            path, None, f"file is {path.stat().st_size} bytes, more than the limit {max_bytes}"
        )
    text = read_text(path)
    if not text.strip():
        raise InputError(path, None, "file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, f"line {err.lineno}", f"not valid JSON: {err.msg}") from err
    except RecursionError as err:
        raise InputError(path, None, f"nested more than {MAX_JSON_DEPTH} levels deep") from err
    except ValueError as err:  # an integer longer than Python converts (4,300 digits)
        raise InputError(path, None, "holds an integer of more than 4,300 digits") from err
    if text_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InputError(path, None, f"nested more than {MAX_JSON_DEPTH} levels deep")
    if _SURROGATE_ESCAPE.search(text):
        _check_text(path, data)
    return data


def _check_text(path: Path, data: Any) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate from a ``\\ud800`` escape):
    it would fail only later, when a report is written."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as err:
                raise InputError(
                    path,
                    None,
                    f"text holds an invalid character {node[err.start]!r} (a lone surrogate)",
                ) from err


def read_summary(folder: Path) -> tuple[Path, dict[str, Any]]:
    """The path and content of ``folder/summary.json``, checked by :func:`check_summary`."""
    if not folder.is_dir():
        raise InputError(folder, None, "run folder not found")
    path = folder / "summary.json"
    if not path.is_file():
        raise InputError(folder, None, "not a run folder: summary.json is missing")
    summary = read_json(path)
    if not isinstance(summary, dict):
        raise InputError(path, None, f"expected a JSON object, got {_kind(summary)}")
    check_summary(path, summary)
    return path, summary


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a text", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _need(path: Path, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise InputError(path, where, f"expected {what}, got {_kind(value)}; is this a run folder?")


def _number(path: Path, where: str, value: Any, optional: bool = False) -> None:
    if optional and value is None:
        return
    _need(path, where, value, (int, float), "a number" + (" or null" if optional else ""))
    if not math.isfinite(value):
        raise InputError(path, where, f"expected a finite number, got {value}")


def _check_keys(path: Path, where: str, data: Any) -> None:
    """Refuse a key holding a line break or control character anywhere under ``data``: the
    scenario's validation quotes keys, and the message must stay on one line."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if has_control(key):
                    raise InputError(
                        path, where, f"a key holds a line break or control character: {shown(key)}"
                    )
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def check_summary(path: Path, summary: dict[str, Any]) -> None:
    """Check the fields that rerun, compare and map read, with their types."""
    # every run writes these, sitings too (an empty list when nothing is sited)
    for key in ("status", "terms", "sitings", "scenario", "provenance"):
        if key not in summary:
            raise InputError(path, key, "missing from summary.json; is this a run folder?")
    _need(path, "status", summary["status"], str, "a text")
    if summary["status"] not in STATUSES:
        raise InputError(path, "status", f"unknown status {summary['status']!r}")
    _number(path, "objective", summary.get("objective"), optional=True)
    _need(path, "terms", summary["terms"], dict, "an object of numbers")
    for name, value in summary["terms"].items():
        _number(path, f"terms.{shown(name)}", value)
    _need(path, "scenario", summary["scenario"], dict, "an object")
    _check_keys(path, "scenario", summary["scenario"])
    name = summary["scenario"].get("name")
    if name is not None:
        _need(path, "scenario.name", name, str, "a text")
    provenance = summary["provenance"]
    _need(path, "provenance", provenance, dict, "an object")
    region = provenance.get("region")
    if not isinstance(region, str) or not region.strip() or "\0" in region:
        raise InputError(
            path,
            "provenance.region",
            f"expected the region folder's path as a text, got {_kind(region)}; "
            "the file was edited or is not a summary.json of a run",
        )
    hashes = provenance.get("data_files_sha256", {})
    _need(path, "provenance.data_files_sha256", hashes, dict, "an object of texts")
    for file, digest in hashes.items():
        _need(path, f"provenance.data_files_sha256.{shown(file)}", digest, str, "a text")
    sitings = summary["sitings"]
    _need(path, "sitings", sitings, list, "a list")
    for n, entry in enumerate(sitings):
        where = f"sitings[{n}]"
        _need(path, where, entry, dict, "an object")
        for key in ("cluster_type", "core"):
            _need(path, f"{where}.{key}", entry.get(key), str, "a text")
        members = entry.get("members", [])
        _need(path, f"{where}.members", members, list, "a list of texts")
        for m, member in enumerate(members):
            _need(path, f"{where}.members[{m}]", member, str, "a text")


def read_assignments(folder: Path) -> list[dict[str, Any]]:
    """The rows of ``folder/assignments.csv`` (none when the file is absent: no solution)."""
    path = folder / "assignments.csv"
    if not path.exists():
        return []
    _, rows = read_csv_rows(path, ASSIGNMENT_COLUMNS)
    records: list[dict[str, Any]] = []
    for row in rows:
        values = row.values
        where = f"line {row.line}"
        for column in ("cluster_type", "core", "district"):
            if not values[column]:
                raise InputError(path, f"{where}, column {column}", "must not be empty")
        if values["role"] not in ("core", "member"):
            raise InputError(
                path, f"{where}, column role", f"expected core or member, got {values['role']!r}"
            )
        try:
            contribution = float(values["contribution"])
        except ValueError as err:
            raise InputError(
                path,
                f"{where}, column contribution",
                f"expected a number, got {values['contribution']!r}",
            ) from err
        if not math.isfinite(contribution):
            raise InputError(path, f"{where}, column contribution", "expected a finite number")
        records.append({**values, "contribution": contribution})
    return records


def check_saved_folder(folder: Path) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """summary.json and assignments.csv of a run folder, both checked."""
    path, summary = read_summary(folder)
    records = read_assignments(folder)
    if summary["status"] in ("optimal", "time_limit") and summary.get("sitings") and not records:
        raise InputError(
            folder / "assignments.csv", None, "missing or empty, but summary.json lists sitings"
        )
    return path, summary, records
