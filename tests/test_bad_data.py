"""A corpus of broken region data run through the command line.

Each case copies the shipped Smolensk region, breaks one thing in one file, and runs
``run.py run`` on it: the error must be one line naming the file and the line or key, the exit
status 2, and nothing may be written. Cases that must be ACCEPTED (a BOM, Windows line endings)
solve normally.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from model.cli import main

REPO = Path(__file__).resolve().parent.parent
SMOLENSK = REPO / "data" / "smolensk"

Edit = Callable[[str], str]


def replace_line(number: int, text: str) -> Edit:
    """Replace line ``number`` (1 = header) with ``text``."""

    def edit(content: str) -> str:
        lines = content.splitlines()
        lines[number - 1] = text
        return "\n".join(lines) + "\n"

    return edit


def append(text: str) -> Edit:
    return lambda content: content + text


def substitute(old: str, new: str) -> Edit:
    def edit(content: str) -> str:
        assert old in content, old
        return content.replace(old, new, 1)

    return edit


def set_to(text: str) -> Edit:
    return lambda _content: text


D2 = "vyazemsky,Vyazemsky,Вяземский,55.2103,34.2850,73861,2021,3337.90,false"
# (case id, file, edit, fragments the one-line error must contain)
CASES: list[tuple[str, str, Edit, tuple[str, ...]]] = [
    (
        "districts-missing-column",
        "districts.csv",
        substitute("id,name,", "key,name,"),
        ("districts.csv", "header", "id"),
    ),
    (
        "districts-duplicate-id",
        "districts.csv",
        append(D2 + "\n"),
        ("districts.csv", "line 29", "duplicate id 'vyazemsky'"),
    ),
    (
        "districts-lat-text",
        "districts.csv",
        replace_line(3, D2.replace("55.2103", "north")),
        ("line 3", "column lat", "number"),
    ),
    (
        "districts-lat-range",
        "districts.csv",
        replace_line(3, D2.replace("55.2103", "155.2")),
        ("line 3", "column lat", "<= 90"),
    ),
    (
        "districts-lon-nan",
        "districts.csv",
        replace_line(3, D2.replace("34.2850", "nan")),
        ("line 3", "column lon", "finite"),
    ),
    (
        "districts-population-negative",
        "districts.csv",
        replace_line(3, D2.replace("73861", "-5")),
        ("line 3", "column population", ">= 0"),
    ),
    (
        "districts-border-word",
        "districts.csv",
        replace_line(3, D2.replace(",false", ",maybe")),
        ("line 3", "column border", "true or false"),
    ),
    (
        "districts-empty-id",
        "districts.csv",
        replace_line(3, D2.replace("vyazemsky,", ",", 1)),
        ("line 3", "column id", "empty"),
    ),
    (
        "districts-bad-id",
        "districts.csv",
        replace_line(3, D2.replace("vyazemsky,", "vyaz msky,", 1)),
        ("line 3", "column id"),
    ),
    (
        "districts-short-row",
        "districts.csv",
        replace_line(3, "vyazemsky,Vyazemsky"),
        ("line 3", "fields"),
    ),
    ("districts-empty-file", "districts.csv", set_to(""), ("districts.csv", "empty")),
    (
        "districts-header-only",
        "districts.csv",
        set_to("id,name,name_local,lat,lon,population,area_km2,border\n"),
        ("no districts",),
    ),
    ("districts-cp1251", "districts.csv", lambda c: c, ("districts.csv", "UTF-8", "line 2")),
    (
        "activity-unknown-district",
        "activity.csv",
        append("atlantis,food,10,stated,2021,x\n"),
        ("activity.csv", "column district", "atlantis"),
    ),
    (
        "activity-negative",
        "activity.csv",
        replace_line(2, "demidovsky,food,-1,population_baseline,2021,x"),
        ("line 2", "column value", ">= 0"),
    ),
    (
        "activity-infinite",
        "activity.csv",
        replace_line(2, "demidovsky,food,inf,population_baseline,2021,x"),
        ("line 2", "column value", "finite"),
    ),
    (
        "activity-text",
        "activity.csv",
        replace_line(2, "demidovsky,food,many,population_baseline,2021,x"),
        ("line 2", "column value", "number"),
    ),
    (
        "activity-empty-value",
        "activity.csv",
        replace_line(2, "demidovsky,food,,population_baseline,2021,x"),
        ("line 2", "column value", "number"),
    ),
    (
        "activity-duplicate-pair",
        "activity.csv",
        append("demidovsky,food,1,population_baseline,2021,x\n"),
        ("activity.csv", "duplicate", "demidovsky"),
    ),
    (
        "activity-all-zero",
        "activity.csv",
        set_to("district,sector,value\nsmolensk,food,0\n"),
        ("activity.csv", "positive"),
    ),
    (
        "activity-missing-column",
        "activity.csv",
        substitute("district,sector,value", "district,sector,amount"),
        ("activity.csv", "value"),
    ),
    (
        "exports-share-above-one",
        "exports.csv",
        replace_line(2, "desnogorsk,plastics,1.3,assumed,2024,x"),
        ("exports.csv", "line 2", "<= 1"),
    ),
    (
        "exports-unknown-district",
        "exports.csv",
        append("atlantis,food,0.1,assumed,2024,x\n"),
        ("exports.csv", "column district", "atlantis"),
    ),
    (
        "exports-negative",
        "exports.csv",
        replace_line(2, "desnogorsk,plastics,-0.1,assumed,2024,x"),
        ("exports.csv", "line 2", ">= 0"),
    ),
    (
        "roads-unknown-district",
        "roads.csv",
        append("demidovsky,atlantis,10,local\n"),
        ("roads.csv", "column b", "atlantis"),
    ),
    (
        "roads-zero-minutes",
        "roads.csv",
        replace_line(2, "demidovsky,dukhovshchinsky,0,local"),
        ("line 2", "column minutes", "> 0"),
    ),
    (
        "roads-negative-minutes",
        "roads.csv",
        replace_line(2, "demidovsky,dukhovshchinsky,-3,local"),
        ("line 2", "column minutes"),
    ),
    (
        "roads-infinite-minutes",
        "roads.csv",
        replace_line(2, "demidovsky,dukhovshchinsky,inf,local"),
        ("line 2", "finite"),
    ),
    (
        "roads-unknown-kind",
        "roads.csv",
        replace_line(2, "demidovsky,dukhovshchinsky,112.5,motorway"),
        ("line 2", "column kind"),
    ),
    (
        "roads-self-loop",
        "roads.csv",
        replace_line(2, "demidovsky,demidovsky,5,local"),
        ("roads.csv", "line 2", "itself"),
    ),
    (
        "roads-disconnected",
        "roads.csv",
        lambda c: "\n".join(x for x in c.splitlines() if "velizhsky" not in x) + "\n",
        ("roads.csv", "not connected", "velizhsky"),
    ),
    (
        "roads-missing-column",
        "roads.csv",
        substitute("a,b,minutes,kind", "a,b,time,kind"),
        ("roads.csv", "header", "minutes"),
    ),
    (
        "crossings-unknown-district",
        "crossings.csv",
        append("x1,Nowhere,atlantis,road\n"),
        ("crossings.csv", "column district", "atlantis"),
    ),
    (
        "crossings-duplicate-id",
        "crossings.csv",
        append("krasnaya_gorka,Again,krasninsky,road\n"),
        ("crossings.csv", "duplicate id"),
    ),
    (
        "crossings-empty-mode",
        "crossings.csv",
        append("x2,Somewhere,krasninsky,\n"),
        ("crossings.csv", "column mode", "empty"),
    ),
    (
        "clusters-weights-sum",
        "clusters.yaml",
        substitute("sectors: {food: 1.0}", "sectors: {food: 0.9}"),
        ("clusters.yaml", "food.sectors", "sum"),
    ),
    (
        "clusters-negative-weight",
        "clusters.yaml",
        substitute("sectors: {food: 1.0}", "sectors: {food: 1.2, light: -0.2}"),
        ("clusters.yaml", "food.sectors.food", "[0, 1]"),
    ),
    (
        "clusters-unknown-cooperation",
        "clusters.yaml",
        substitute("cooperation: {food: 0.3, chemicals: 0.3}", "cooperation: {bakery: 0.4}"),
        ("clusters.yaml", "light_industry.cooperation.bakery", "unknown"),
    ),
    (
        "clusters-intensity-above-one",
        "clusters.yaml",
        substitute("cooperation: {food: 0.3, chemicals: 0.3}", "cooperation: {food: 4}"),
        ("clusters.yaml", "light_industry.cooperation.food"),
    ),
    (
        "clusters-unknown-key",
        "clusters.yaml",
        substitute(
            "  cross_border: true\n  needs_corridor: false\n  cooperation: {food: 0.3",
            "  crossborder: true\n  needs_corridor: false\n  cooperation: {food: 0.3",
        ),
        ("clusters.yaml", "light_industry.crossborder", "unknown key"),
    ),
    (
        "clusters-flag-text",
        "clusters.yaml",
        substitute(
            "  cross_border: true\n  needs_corridor: false\n  cooperation: {food: 0.3",
            "  cross_border: sometimes\n  needs_corridor: false\n  cooperation: {food: 0.3",
        ),
        ("clusters.yaml", "light_industry.cross_border", "true or false"),
    ),
    ("clusters-syntax", "clusters.yaml", append("broken: [\n"), ("clusters.yaml", "invalid YAML")),
    (
        "clusters-duplicate-type",
        "clusters.yaml",
        append("food:\n  sectors: {food: 1.0}\n"),
        ("clusters.yaml", "duplicate key"),
    ),
    (
        "clusters-numeric-sector",
        "clusters.yaml",
        substitute("sectors: {food: 1.0}", "sectors: {01: 1.0}"),
        ("clusters.yaml", "quote it"),
    ),
    ("clusters-empty", "clusters.yaml", set_to("# nothing\n"), ("clusters.yaml", "empty")),
    ("clusters-missing", "clusters.yaml", set_to(""), ("clusters.yaml",)),
]


def broken_region(tmp_path: Path, file: str, edit: Edit, case: str) -> Path:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py", "*.md"))
    path = region / file
    if case == "districts-cp1251":
        path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    elif case == "clusters-missing":
        path.unlink()
    else:
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return region


def scenario_for(tmp_path: Path, region: Path) -> Path:
    path = tmp_path / "s.yaml"
    data = {"name": "probe", "region": str(region), "rules": {"clusters": ["wood", "food"]}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("case", "file", "edit", "fragments"), CASES, ids=[case[0] for case in CASES]
)
def test_broken_data_is_one_line_exit_2_nothing_written(
    case: str,
    file: str,
    edit: Edit,
    fragments: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    region = broken_region(tmp_path, file, edit, case)
    out = tmp_path / "out"
    status = main(["run", str(scenario_for(tmp_path, region)), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region", "s.yaml"]


@pytest.mark.parametrize("variant", ["bom", "crlf"])
def test_bom_and_windows_line_endings_are_accepted(variant: str, tmp_path: Path) -> None:
    region = tmp_path / "region"
    shutil.copytree(SMOLENSK, region, ignore=shutil.ignore_patterns("raw", "*.py", "*.md"))
    for path in region.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        if variant == "bom":
            path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        else:
            path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    out = tmp_path / "out"
    assert main(["run", str(scenario_for(tmp_path, region)), "--out", str(out), "--quiet"]) == 0
    reference = tmp_path / "reference"
    assert (
        main(["run", str(scenario_for(tmp_path, SMOLENSK)), "--out", str(reference), "--quiet"])
        == 0
    )
    assert (out / "assignments.csv").read_bytes() == (reference / "assignments.csv").read_bytes()
