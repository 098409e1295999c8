"""``model.tables.parse_yaml`` reads with libyaml when it can: the data must be what the
pure-Python strict loader gives, to the type, and every refusal must come from the pure-Python
loader, worded as before."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from model import tables
from model.tables import MAX_YAML_DEPTH, _parse_fast, _StrictLoader, parse_yaml

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    tables._C_LOADER is None, reason="PyYAML was built without libyaml: no fast path to compare"
)


def python_parse(text: str) -> Any:
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def typed(value: Any) -> Any:
    """``value`` with the type of every leaf beside it (1 == 1.0 == True otherwise)."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("nan", float)
    return (value, type(value))


def reaches_the_parser(path: Path) -> bool:
    """Whether ``load_yaml`` hands the file's text to ``parse_yaml``: it refuses text that is
    not UTF-8 and aliases that expand past its limit (an alias bomb) before parsing."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    if "*" not in text:
        return True
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return True
    finally:
        loader.dispose()
    return root is None or tables._expanded_size(root, {}) <= tables.MAX_YAML_EXPANDED_NODES


def shipped_yaml() -> list[Path]:
    found = [
        *ROOT.glob("scenarios/**/*.yaml"),
        *ROOT.glob("data/**/*.yaml"),
        *ROOT.glob("tests/bad_scenarios/*.yaml"),
        *ROOT.glob("tests/bad_inputs/**/*.yaml"),
    ]
    return sorted(path for path in found if reaches_the_parser(path))


TRICKY = [
    "a: yes\nb: on\nc: off\nd: No\ne: ~\nf: null\n",
    "octal: 0o17\nold_octal: 017\nhex: 0x1F\nunderscored: 1_000\nsexagesimal: 1:30\n",
    "f: 1e3\ng: 1.5e-3\nh: .inf\ni: -.Inf\nj: .nan\nk: 6.\n",
    "when: 2001-12-14\nstamp: 2001-12-14t21:59:43.10-05:00\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "list: &l [1, 2, 3]\nagain: *l\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "q: 'it''s'\nd: \"tab\\there \\u00e9 \\U0001F600\"\n",
    "? complex key\n: value\n",
    "nested: {a: [1, {b: [2, 3]}], c: {d: {e: null}}}\n",
    "- 1\n- two\n- 3.0\n- [4]\n",
    "",
    "# only a comment\n",
    "just a scalar",
    "ключ: значение\n名前: 値\n",
    "int_key: {2: one, 2.5: two, true: three, null: four}\n",
    "--- \nstarts: with a marker\n...\n",
    "empty: {}\nnone: []\nblank:\n",
    "binary: !!binary aGVsbG8=\n",
    "set: !!set {a, b}\n",
    "omap: !!omap [a: 1, b: 2]\n",
    "str_tag: !!str 123\nfloat_tag: !!float 1\n",
]

REFUSED = [
    "a: 1\na: 2\n",  # duplicate key
    "k: {1: one, true: also one}\n",  # 1 == True: a duplicate too
    "[1, 2]: list key\n",
    "n: " + "9" * 101 + "\n",  # longer than MAX_INTEGER_DIGITS
    's: "\\ud800"\n',  # a lone surrogate
    "a:\n\t- tab indented\n",
    "a: [1, 2\n",  # unclosed flow sequence
    "a: b: c\n",
    "--- 1\n--- 2\n",  # two documents
    "x: !!python/object:os.system echo\n",  # a Python tag: refused by the safe loader
    "k: 'unterminated\n",
    "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1),
    "a: *undefined\n",
]


@pytest.mark.parametrize("path", shipped_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_reads_the_same_both_ways(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = python_parse(text)
    except yaml.YAMLError as err:
        assert _parse_fast(text) == (False, None)
        with pytest.raises(yaml.YAMLError) as raised:
            parse_yaml(text)
        assert str(raised.value) == str(err)
        return
    parsed, data = _parse_fast(text)
    assert parsed, f"libyaml refused {path}, which the strict loader reads"
    assert typed(data) == typed(expected)


def test_there_are_shipped_files_to_compare() -> None:
    assert len(shipped_yaml()) >= 20


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents_read_the_same_both_ways(text: str) -> None:
    parsed, data = _parse_fast(text)
    assert parsed
    assert typed(data) == typed(python_parse(text))
    assert typed(parse_yaml(text)) == typed(python_parse(text))


@pytest.mark.parametrize("text", REFUSED)
def test_refusals_are_worded_by_the_strict_loader(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        python_parse(text)
    assert _parse_fast(text) == (False, None)
    with pytest.raises(yaml.YAMLError) as raised:
        parse_yaml(text)
    assert type(raised.value) is type(expected.value)
    assert str(raised.value) == str(expected.value)


def test_very_deep_nesting_is_refused_without_reaching_libyamls_composer() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert _parse_fast(deep) == (False, None)
    with pytest.raises(yaml.YAMLError, match=f"nested more than {MAX_YAML_DEPTH} levels"):
        parse_yaml(deep)


def test_nesting_at_the_limit_is_read_by_libyaml() -> None:
    text = "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH
    parsed, data = _parse_fast(text)
    assert parsed and typed(data) == typed(python_parse(text))
