"""Property-based fuzz of every reader (hypothesis).

Valid inputs (a scenario, each region file, a saved run's summary.json and assignments.csv) are
mutated at random: bytes inserted, deleted or replaced, values of random types put at random
(also deeply nested) places. Whatever the input, a reader either succeeds or raises a
``model.errors.ClusterSiteError`` with exit status 2 whose message is one line; no other
exception escapes. A few examples go through the command line too: exit 2, one line on
stderr, nothing on stdout, nothing written (the first of each command in a real process).

The examples are bounded (``max_examples``) so the file runs in about a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import ClusterSiteError
from model.geojson_check import check_region_geojson
from model.pipeline import checked_region_path
from model.region import load_region
from model.report.geo import load_shapes
from model.report.saved import read_saved_run as read_saved_map
from model.rerun import read_saved_run, saved_scenario
from model.saved import check_saved_folder
from model.scenario import check_against_region, load_scenario
from tests.inprocess import run_main

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = REPO / "data" / "smolensk"
BASELINE = REPO / "scenarios" / "baseline.yaml"
REGION_FILES = [
    "districts.csv",
    "activity.csv",
    "exports.csv",
    "roads.csv",
    "crossings.csv",
    "clusters.yaml",
]
# FUZZ_EXAMPLES=2000 hunts longer, with fresh random examples each time
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES or 40,
    deadline=None,
    derandomize=EXAMPLES is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def accepted_or_refused(action: Callable[[], object]) -> None:
    """The contract: success, or a one-line error of exit status 2."""
    try:
        action()
    except ClusterSiteError as err:
        assert err.exit_code == 2, f"exit {err.exit_code}: {err}"
        assert "\n" not in str(err) and "\r" not in str(err), repr(str(err))
        assert str(err).strip(), "empty message"


# -- mutations ----------------------------------------------------------------------------------

SPECIAL = [
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"\n",
    b"\r",
    b'"',
    b",",
    b":",
    b"- ",
    b"{",
    b"[",
    b"]",
    b"}",
    b"&a",
    b"*a",
    b"!!python/object:os.system",
    b"1e308",
    b"-1e308",
    b"nan",
    b".inf",
    b"9" * 400,
    b"\t",
    b"\xef\xbb\xbf",
    b"\\ud800",
]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with 1-4 random edits: insert, delete, replace (bytes or tokens)."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(SPECIAL)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            data[at:at] = piece
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            data[at : at + len(piece)] = piece
    return bytes(data)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["smolensk", "food", "wood", "vyazemsky", "highs", "lq", "", "1e400"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            found += _paths(value, (*prefix, n))
    return found


def _deep(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = {"k": value} if depth % 2 else [value]
    return value


@st.composite
def restructured(draw: st.DrawFn, original: Any) -> Any:
    """``original`` (parsed YAML/JSON) with 1-3 places given random values, keys or nesting."""
    data = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        value = draw(
            st.one_of(VALUES, st.builds(_deep, VALUES, st.integers(1, 120)))  # too deep too
        )
        if not path:
            data = value
            continue
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(st.text(max_size=10))] = value  # a new (perhaps unknown) key
        else:
            parent[path[-1]] = value
    return data


def dump_yaml(data: Any) -> bytes:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode(
            "utf-8", "surrogatepass"
        )
    except (yaml.YAMLError, RecursionError):
        return json.dumps(data).encode("utf-8", "surrogatepass")


def dump_json(data: Any) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        return b"{}"


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "region"
    shutil.copytree(SMOLENSK, folder, ignore=shutil.ignore_patterns("raw", "*.py", "*.md"))
    return folder


@contextmanager
def replaced(folder: Path, name: str, content: bytes) -> Iterator[Path]:
    """``folder/name`` holds ``content`` for the block, then its original again."""
    path = folder / name
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        yield path
    finally:
        path.write_bytes(original)


def load_all(scenario: Path) -> None:
    """What `run` reads before it solves: the scenario, its region and the region's GeoJSON."""
    loaded = load_scenario(scenario)
    region = load_region(checked_region_path(loaded))
    check_against_region(loaded, region)
    check_region_geojson(region.path)


# -- scenarios ----------------------------------------------------------------------------------

BASELINE_BYTES = BASELINE.read_bytes().replace(b"region: smolensk", f"region: {SMOLENSK}".encode())
BASELINE_DATA = yaml.safe_load(BASELINE_BYTES)


@FUZZ
@given(content=mutated(BASELINE_BYTES))
def test_scenario_with_mutated_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_bytes(content)
        accepted_or_refused(lambda: load_all(path))


@FUZZ
@given(data=restructured(BASELINE_DATA))
def test_scenario_with_random_values_and_nesting(data: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_bytes(dump_yaml(data))
        accepted_or_refused(lambda: load_all(path))


@FUZZ
@given(override=st.tuples(st.sampled_from(_paths(BASELINE_DATA)[1:]), VALUES))
def test_scenario_with_random_set_overrides(override: tuple[tuple[Any, ...], Any]) -> None:
    path, value = override
    key = ".".join(str(p) for p in path)
    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    except yaml.YAMLError:
        text = "x"
    text = text.removesuffix("...").strip()
    accepted_or_refused(lambda: load_scenario(BASELINE, [f"{key}={text}"]))


# -- region files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGION_FILES)
def test_region_file_with_mutated_bytes(name: str, region_copy: Path) -> None:
    original = (SMOLENSK / name).read_bytes()

    @FUZZ
    @given(content=mutated(original))
    def check(content: bytes) -> None:
        with replaced(region_copy, name, content):
            accepted_or_refused(lambda: load_region(region_copy))

    check()


@st.composite
def csv_cells(draw: st.DrawFn, original: bytes) -> bytes:
    """A CSV with 1-3 cells replaced by hostile values (numbers, text, empty, huge)."""
    lines = original.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, len([x for x in lines if x]) - 1))
        cells = lines[n].split(",")
        at = draw(st.integers(0, len(cells) - 1))
        cells[at] = draw(
            st.one_of(
                st.sampled_from(
                    ["", "nan", "inf", "-inf", "1e308", "-1", "0", "1e-320", "1e999", " ", '""']
                ),
                st.floats(allow_nan=True, allow_infinity=True).map(repr),
                st.integers(-(10**400), 10**400).map(str),
                st.text(max_size=6).filter(lambda t: "\n" not in t and "\r" not in t),
            )
        )
        lines[n] = ",".join(cells)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("name", [n for n in REGION_FILES if n.endswith(".csv")])
def test_region_csv_with_hostile_cells(name: str, region_copy: Path) -> None:
    original = (SMOLENSK / name).read_bytes()

    @FUZZ
    @given(content=csv_cells(original))
    def check(content: bytes) -> None:
        with replaced(region_copy, name, content):
            accepted_or_refused(lambda: load_region(region_copy))

    check()


def test_activity_with_huge_values(region_copy: Path) -> None:
    """Values near the float limit: refused (their totals overflow), never 'optimal'."""
    original = (SMOLENSK / "activity.csv").read_bytes()

    @FUZZ
    @given(
        values=st.lists(st.floats(min_value=1e14, max_value=1.7e308), min_size=1, max_size=5),
        rows=st.lists(st.integers(1, 40), min_size=1, max_size=5),
    )
    def check(values: list[float], rows: list[int]) -> None:
        lines = original.decode("utf-8").split("\n")
        for value, row in zip(values, rows, strict=False):
            cells = lines[row].split(",")
            cells[2] = repr(value)
            lines[row] = ",".join(cells)
        with replaced(region_copy, "activity.csv", "\n".join(lines).encode()):
            try:
                region = load_region(region_copy)
            except ClusterSiteError as err:
                assert err.exit_code == 2
                assert "column value" in str(err) and "limit" in str(err)
            else:
                assert region.activity["value"].sum() <= 1e15

    check()


def test_clusters_yaml_with_random_values(region_copy: Path) -> None:
    original = yaml.safe_load((SMOLENSK / "clusters.yaml").read_text(encoding="utf-8"))

    @FUZZ
    @given(data=restructured(original))
    def check(data: Any) -> None:
        with replaced(region_copy, "clusters.yaml", dump_yaml(data)):
            accepted_or_refused(lambda: load_region(region_copy))

    check()


GEOJSON = json.loads((SMOLENSK / "boundaries.geojson").read_text(encoding="utf-8"))
SMALL_GEOJSON = {**GEOJSON, "features": GEOJSON["features"][:3]}


def read_geojson(region: Path) -> None:
    check_region_geojson(region)
    load_shapes(region, {"velizhsky", "vyazemsky", "demidovsky"})


def test_boundaries_geojson_mutated(region_copy: Path) -> None:
    original = dump_json(SMALL_GEOJSON)

    @FUZZ
    @given(content=st.one_of(mutated(original), restructured(SMALL_GEOJSON).map(dump_json)))
    def check(content: bytes) -> None:
        with replaced(region_copy, "boundaries.geojson", content):
            accepted_or_refused(lambda: read_geojson(region_copy))

    check()


# -- saved run folders (rerun, map, compare) ----------------------------------------------------


@pytest.fixture(scope="module")
def saved_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from model.cli import main

    folder = tmp_path_factory.mktemp("saved") / "run"
    assert main(["run", str(BASELINE), "--out", str(folder), "--quiet"]) == 0
    return {n: (folder / n).read_bytes() for n in ("summary.json", "assignments.csv")}


def read_saved(folder: Path) -> None:
    """What rerun, map and compare read from a run folder."""
    check_saved_folder(folder)
    saved_scenario(read_saved_run(folder))
    read_saved_map(folder)


def test_saved_summary_mutated(saved_files: dict[str, bytes]) -> None:
    summary = json.loads(saved_files["summary.json"])
    small = {k: summary[k] for k in ("status", "objective", "terms", "sitings", "provenance")}
    small["scenario"] = summary["scenario"]

    @FUZZ
    @given(
        content=st.one_of(mutated(saved_files["summary.json"]), restructured(small).map(dump_json))
    )
    def check(content: bytes) -> None:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            (folder / "summary.json").write_bytes(content)
            (folder / "assignments.csv").write_bytes(saved_files["assignments.csv"])
            accepted_or_refused(lambda: read_saved(folder))

    check()


def test_saved_assignments_mutated(saved_files: dict[str, bytes]) -> None:
    original = saved_files["assignments.csv"]

    @FUZZ
    @given(content=st.one_of(mutated(original), csv_cells(original)))
    def check(content: bytes) -> None:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            (folder / "summary.json").write_bytes(saved_files["summary.json"])
            (folder / "assignments.csv").write_bytes(content)
            accepted_or_refused(lambda: read_saved(folder))

    check()


# -- through the command line -------------------------------------------------------------------
# Each refused example goes through ``model.cli.main`` (argument parsing, the one-line error,
# the exit status, nothing written); the first one of each command also through a real
# ``run.py`` process, for the process boundary (status and stderr as the shell sees them).
# The readers themselves are fuzzed above with many more examples.


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


class FirstInAProcess:
    """``cli`` for the first call per command, ``run_main`` (in-process) for the others."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        if args[0] in self.seen:
            return run_main(*args, cwd=cwd)
        self.seen.add(args[0])
        return cli(*args, cwd=cwd)


CLI_SETTINGS = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_cli_refuses_mutated_scenarios_on_one_line() -> None:
    run_cli = FirstInAProcess()

    @CLI_SETTINGS
    @given(content=mutated(BASELINE_BYTES))
    def check(content: bytes) -> None:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            scenario = folder / "s.yaml"
            scenario.write_bytes(content)
            try:
                load_all(scenario)
            except ClusterSiteError:
                pass
            else:
                return  # still a valid scenario: the library test covers it
            work = folder / "work"
            work.mkdir()
            done = run_cli("run", str(scenario), "--out", str(work / "out"), cwd=work)
            assert done.returncode == 2, done.stderr
            assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: ")
            assert done.stdout == ""
            assert list(work.iterdir()) == []

    check()
    assert run_cli.seen == {"run"}, "no mutated scenario was refused: the test checked nothing"


def test_cli_refuses_a_mutated_saved_summary(saved_files: dict[str, bytes]) -> None:
    run_cli = FirstInAProcess()

    @CLI_SETTINGS
    @given(content=mutated(saved_files["summary.json"]))
    def check(content: bytes) -> None:
        with tempfile.TemporaryDirectory() as name:
            run = Path(name) / "run"
            run.mkdir()
            (run / "summary.json").write_bytes(content)
            (run / "assignments.csv").write_bytes(saved_files["assignments.csv"])
            try:
                read_saved(run)
            except ClusterSiteError:
                pass
            else:
                return
            work = Path(name) / "work"
            work.mkdir()
            before = sorted(p.name for p in run.iterdir())
            for args in (("rerun", str(run), "--out", str(work / "out")), ("map", str(run))):
                done = run_cli(*args, cwd=work)
                assert done.returncode == 2, done.stderr
                assert len(done.stderr.splitlines()) == 1, done.stderr
                assert done.stdout == ""
                assert list(work.iterdir()) == []
                assert sorted(p.name for p in run.iterdir()) == before

    check()
    assert run_cli.seen == {"rerun", "map"}, "no mutated summary was refused: nothing checked"
