"""Reading small CSV and YAML files strictly, with errors that name the file, line and field.

The region loader and the scenario loader share these helpers so that every bad input gets the
same kind of one-line message.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError

# Inputs larger than this are refused before parsing: a region of 10,000 districts with 50
# sectors is about 30 MB of CSV, so 256 MB leaves room while refusing a runaway file.
MAX_INPUT_BYTES = 256 * 1024 * 1024

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}


SHOWN_CHARS = 60  # a value quoted in an error message is cut to this many characters


def has_control(text: str) -> bool:
    """True if ``text`` holds a line break or another control character (it would break the
    one-line error message that quotes it)."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def shown(text: str) -> str:
    """``text`` as an error message quotes it: on one line (escaped, in quotes, when it holds a
    control character) and at most :data:`SHOWN_CHARS` characters."""
    cut = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
    return repr(cut) if has_control(cut) else cut


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file with the line number it came from (header = line 1)."""

    line: int
    values: dict[str, str]


def check_readable(path: Path) -> None:
    """Refuse paths that are missing, not regular files, or too large."""
    if path.is_symlink() and not path.exists():
        raise InputError(path, None, "broken symbolic link or a loop of links")
    if not path.exists():
        raise InputError(path, None, "file not found")
    if not path.is_file():
        raise InputError(path, None, "not a regular file")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(path, None, f"file is {size} bytes, more than the limit {MAX_INPUT_BYTES}")


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a byte-order mark and Windows line endings are accepted)."""
    check_readable(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise InputError(
            path, f"line {line}", f"not UTF-8 text (byte {err.start}); save the file as UTF-8"
        ) from err


def read_csv_rows(path: Path, required: list[str]) -> tuple[list[str], list[CsvRow]]:
    """Read a CSV file into rows keyed by column name; check the required columns exist.

    Line numbers are physical lines of the file (header = line 1), so a quoted cell that
    spans lines does not shift the numbers of the rows after it.
    """
    text = read_text(path)
    if not text.strip():
        raise InputError(path, None, f"file is empty; expected a header with {', '.join(required)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as err:
        where = f"line {reader.line_num}"
        raise InputError(path, where, f"cannot parse CSV header: {err}") from err
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            path,
            "header",
            f"missing column(s) {', '.join(missing)}; found {', '.join(shown(h) for h in header)}",
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InputError(
            path, "header", f"duplicate column(s) {', '.join(shown(h) for h in duplicated)}"
        )
    rows: list[CsvRow] = []
    start = reader.line_num + 1  # physical line on which the next record starts
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise InputError(
                    path, f"line {line}", f"has {len(cells)} fields, the header has {len(header)}"
                )
            rows.append(CsvRow(line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    except csv.Error as err:
        raise InputError(path, f"line {reader.line_num}", f"cannot parse CSV: {err}") from err
    return header, rows


def parse_float(
    path: Path,
    row: CsvRow,
    column: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strictly_positive: bool = False,
) -> float:
    """Parse one finite number, checking its range, or fail naming file, line and column."""
    raw = row.values[column]
    where = f"line {row.line}, column {column}"
    try:
        value = float(raw)
    except ValueError as err:
        raise InputError(path, where, f"expected a number, got {raw!r}") from err
    if not math.isfinite(value):
        raise InputError(path, where, f"expected a finite number, got {raw!r}")
    if strictly_positive and value <= 0:
        raise InputError(path, where, f"expected a number > 0, got {raw}")
    if minimum is not None and value < minimum:
        raise InputError(path, where, f"expected a number >= {minimum:g}, got {raw}")
    if maximum is not None and value > maximum:
        raise InputError(path, where, f"expected a number <= {maximum:g}, got {raw}")
    return value


def parse_bool(path: Path, row: CsvRow, column: str) -> bool:
    """Parse true/false (also 1/0, yes/no) or fail naming file, line and column."""
    raw = row.values[column].lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise InputError(
        path, f"line {row.line}, column {column}", f"expected true or false, got {raw!r}"
    )


def require_text(path: Path, row: CsvRow, column: str) -> str:
    """Return a non-empty cell or fail naming file, line and column."""
    value = row.values[column]
    if not value:
        raise InputError(path, f"line {row.line}, column {column}", "must not be empty")
    return value


def iter_known(
    path: Path, rows: list[CsvRow], column: str, known: set[str], what: str
) -> Iterator[tuple[CsvRow, str]]:
    """Yield (row, value) for a reference column, failing on ids that are not known."""
    for row in rows:
        value = require_text(path, row, column)
        if value not in known:
            raise InputError(path, f"line {row.line}, column {column}", f"unknown {what} {value!r}")
        yield row, value


# Limits on what a YAML file may hold. Real scenario and catalogue files nest 4 or 5 levels
# deep and hold numbers of a few digits; deeper nesting exhausts Python's stack and very long
# integers exceed Python's int conversion limit (4,300 digits), both tracebacks otherwise.
MAX_YAML_DEPTH = 64
MAX_INTEGER_DIGITS = 100

# An alias bomb ("billion laughs") expands a few kilobytes into billions of values once a
# program walks the data; real scenario and catalogue files expand to a few thousand values.
MAX_YAML_EXPANDED_NODES = 1_000_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader for our input files.

    It rejects duplicate mapping keys instead of keeping the last (a merge key ``<<`` is not a
    duplicate: an explicit key after it overrides the merged value, as YAML defines), keys that
    are lists or mappings, nesting deeper than :data:`MAX_YAML_DEPTH`, integers longer than
    :data:`MAX_INTEGER_DIGITS` digits, and text that is not valid Unicode (a lone surrogate
    written as an escape such as ``"\\ud800"``).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_YAML_DEPTH} levels deep",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    explicit = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)
    merged = len(node.value) - explicit  # flatten_mapping puts the merged pairs first
    mapping: dict[Any, Any] = {}
    seen: set[Any] = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable) or isinstance(key, list | dict):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a mapping key must be a plain value, not a {type(key).__name__}",
                key_node.start_mark,
            )
        if isinstance(key, str) and has_control(key):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a mapping key holds a line break or control character: {shown(key)}",
                key_node.start_mark,
            )
        if position >= merged:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _construct_checked_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    digits = sum(c.isalnum() for c in str(node.value))
    if digits > MAX_INTEGER_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"integer of {digits} digits, more than the limit {MAX_INTEGER_DIGITS}",
            node.start_mark,
        )
    return loader.construct_yaml_int(node)


def _construct_checked_str(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    assert isinstance(value, str)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"text holds an invalid character {value[err.start]!r} (a lone surrogate); "
            "write the character itself",
            node.start_mark,
        ) from err
    return value


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_checked_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:str", _construct_checked_str)

# kept for callers that imported the earlier name
_UniqueKeyLoader = _StrictLoader


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Number of values the node stands for once every alias is expanded (memoised per node)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # guards against recursive structures
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[id(node)] = size
    return size


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the strict loader; raises ``yaml.YAMLError`` (never a traceback
    of another kind) on anything it refuses."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except (ValueError, TypeError, IndexError, OverflowError, RecursionError) as err:
        # PyYAML's own constructors raise these on some values it has already parsed (a date
        # that does not exist, "!!int" of nothing, "!!map" of a scalar, alias chains nested
        # past Python's recursion limit)
        raise yaml.constructor.ConstructorError(
            None, None, f"a value cannot be read: {' '.join(str(err).split())}", None
        ) from err
    finally:
        loader.dispose()


def yaml_problem(err: yaml.YAMLError) -> tuple[str | None, str]:
    """(``line L, column C`` or None, the problem) of a YAML error, on one line each."""
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = err.problem or err.context or "cannot parse"
        return where, " ".join(str(problem).split())
    return None, " ".join(str(err).split())


def load_yaml(path: Path) -> Any:
    """Load a YAML file with a safe loader (no Python object tags), unique keys, no bombs."""
    text = read_text(path)
    try:
        if "*" in text:
            loader = _StrictLoader(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
            size = _expanded_size(root, {}) if root is not None else 0
            if size > MAX_YAML_EXPANDED_NODES:
                raise InputError(
                    path,
                    None,
                    f"YAML aliases expand to {size:.3g} values, more than the limit "
                    f"{MAX_YAML_EXPANDED_NODES:,}",
                )
        return parse_yaml(text)
    except yaml.YAMLError as err:
        where, problem = yaml_problem(err)
        raise InputError(path, where, f"invalid YAML: {problem}") from err
