"""read_json's checks on the text (nesting depth, lone surrogates) agree with the walks over
the parsed value that they replace (model.saved: the speed-up of a run's GeoJSON check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.geojson_check import POLYGONS, _parse_and_check
from model.saved import MAX_JSON_DEPTH, json_depth, read_json, text_depth

REPO = Path(__file__).resolve().parent.parent

# text that a JSON string may hold and that looks like structure: brackets, quotes, escapes
TRICKY = st.text(alphabet='[]{}"\\,: ab\n\u00e9\u2028', max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_the_depth_of_the_text_is_the_depth_of_the_value(
    value: Any, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert text_depth(text, MAX_JSON_DEPTH) == json_depth(value, MAX_JSON_DEPTH)


@pytest.mark.parametrize("levels", [0, 1, 5, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 500])
@pytest.mark.parametrize("opener", ["[", '{"k": '])
def test_deep_nesting_is_counted_up_to_just_past_the_limit(levels: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * levels + '"[[{"' + closer * levels
    value = json.loads(text)
    limit = MAX_JSON_DEPTH
    assert text_depth(text, limit) == json_depth(value, limit) == min(levels, limit + 1)


def test_the_region_files_have_the_same_depth_either_way() -> None:
    for path in sorted((REPO / "data").glob("*/*.geojson")):
        text = path.read_text(encoding="utf-8")
        assert text_depth(text, MAX_JSON_DEPTH) == json_depth(json.loads(text), MAX_JSON_DEPTH)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('{"name": "\\ud800"}', True),  # a lone high surrogate
        ('["ok", {"\\uDC00": 1}]', True),  # a lone low surrogate, as a key, upper case
        ('{"name": "\\ud83d\\ude00"}', False),  # a pair: one valid character
        ('{"name": "\\\\ud800"}', False),  # an escaped backslash, then plain letters
        ('{"name": "\\u00e9t\\u00e9"}', False),
    ],
)
def test_lone_surrogates_are_still_refused(tmp_path: Path, text: str, refused: bool) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    if refused:
        with pytest.raises(InputError, match="lone surrogate"):
            read_json(path)
    else:
        assert read_json(path) == json.loads(text)


def test_too_deep_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), encoding="utf-8")
    with pytest.raises(InputError, match=f"nested more than {MAX_JSON_DEPTH} levels"):
        read_json(path)


def _polygon_file(tmp_path: Path, ring: list[Any]) -> Path:
    path = tmp_path / "boundaries.geojson"
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon"}}
    feature["geometry"]["coordinates"] = [ring]  # type: ignore[index]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


GOOD = [[30.0, 54.0], [31, 54.5], [30.5, 55.0, 120.0], [30.0, 54.0]]


@pytest.mark.parametrize(
    ("bad", "where", "message"),
    [
        (2, "[2]", "expected a list, got int"),
        ([30.0], "[2]", "expected a [lon, lat] position"),
        ([30.0, True], "[2]", "expected a [lon, lat] position"),
        ([30.0, "54"], "[2]", "expected a [lon, lat] position"),
        ([30.0, float("nan")], "[2]", "expected a [lon, lat] position"),
        ([1, 2, 3, 4], "[2]", "expected a [lon, lat] position"),
    ],
)
def test_the_first_bad_position_of_a_ring_is_named(
    tmp_path: Path, bad: Any, where: str, message: str
) -> None:
    ring = [*GOOD[:2], bad, bad, *GOOD[2:]]  # two bad positions: the first is the one named
    with pytest.raises(InputError) as raised:
        _parse_and_check(_polygon_file(tmp_path, ring), POLYGONS)
    text = str(raised.value)
    assert f"features[0].geometry.coordinates[0]{where}" in text and message in text


def test_a_ring_of_one_position_and_a_good_ring(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 2 positions"):
        _parse_and_check(_polygon_file(tmp_path, [[30.0, 54.0]]), POLYGONS)
    assert _parse_and_check(_polygon_file(tmp_path, GOOD), POLYGONS)["features"]
