"""Estimate marks, number by number (model/report/estimates.py and every output of a run).

A hand region whose activity and export rows carry their basis: districts a, b, c of
tests/test_explain.py (roads a–b 30 min federal, b–c 40 min; a crossing in c), wood on s1 and
food on s2 (cross-border). The rows:

    a,s1  100 size_class_default (2021), 50 group_default (2019), 50 stated (2023)
    a,s2   20 stated (2023)
    b,s1   10 stated (2023)
    b,s2   30 official (2022)
    c,s2   50 group_default (2020)             <- a single estimated row
    exports: a,s1 0.3 regional_distribution (2020); nothing for s2

Every expected text below is worked out from these rows by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.pipeline import RunResult, solve
from model.region import load_region
from model.scenario import scenario_from_dict

ACTIVITY_ROWS = [
    ("a", "s1", 100, "size_class_default", 2021, "named firm in the 100-249 class"),
    ("a", "s1", 50, "group_default", 2019, ""),
    ("a", "s1", 50, "stated", 2023, "press release"),
    ("a", "s2", 20, "stated", 2023, ""),
    ("b", "s1", 10, "stated", 2023, ""),
    ("b", "s2", 30, "official", 2022, ""),
    ("c", "s2", 50, "group_default", 2020, "three unnamed dairies"),
]
EXPORT_ROWS = [("a", "s1", 0.3, "regional_distribution", 2020, "")]


def write_marks_region(
    folder: Path,
    activity: list[tuple[str, str, float, str, int, str]] | None = None,
    exports: list[tuple[str, str, float, str, int, str]] | None = EXPORT_ROWS,
    bases: bool = True,
) -> Path:
    """The hand region with basis columns (``bases=False``: plain rows, all unstated)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "districts.csv").write_text(
        "id,name,name_local,lat,lon,population,area_km2,border\n"
        "a,Alpha,Альфа,54.80,32.00,10000,500,false\n"
        "b,Beta,Бета,54.80,32.40,20000,600,false\n"
        "c,Gamma,Гамма,54.80,32.80,30000,700,true\n",
        encoding="utf-8",
    )
    rows = ACTIVITY_ROWS if activity is None else activity
    if bases:
        text = "district,sector,value,basis,year,note\n" + "".join(
            f"{d},{s},{v},{b},{y},{n}\n" for d, s, v, b, y, n in rows
        )
    else:
        totals: dict[tuple[str, str], float] = {}
        for d, s, v, *_ in rows:
            totals[(d, s)] = totals.get((d, s), 0.0) + v
        text = "district,sector,value\n" + "".join(f"{d},{s},{v}\n" for (d, s), v in totals.items())
    (folder / "activity.csv").write_text(text, encoding="utf-8")
    if exports is not None:
        header = "district,sector,share,basis,year,note\n" if bases else "district,sector,share\n"
        (folder / "exports.csv").write_text(
            header
            + "".join(
                (f"{d},{s},{v},{b},{y},{n}\n" if bases else f"{d},{s},{v}\n")
                for d, s, v, b, y, n in exports
            ),
            encoding="utf-8",
        )
    (folder / "roads.csv").write_text(
        "a,b,minutes,kind\na,b,30,federal\nb,c,40,local\n", encoding="utf-8"
    )
    (folder / "crossings.csv").write_text(
        "id,name,district,mode\nx1,Crossing One,c,road\n", encoding="utf-8"
    )
    catalogue = {
        "wood": {"name": "Wood", "sectors": {"s1": 1.0}, "cross_border": False,
                 "needs_corridor": False, "cooperation": {"food": 0.5}},
        "food": {"name": "Food", "sectors": {"s2": 1.0}, "cross_border": True,
                 "needs_corridor": False, "cooperation": {"wood": 0.5}},
    }  # fmt: skip
    (folder / "clusters.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    return folder


def marks_solve(folder: Path, weights: dict[str, float] | None = None, **rules: Any) -> RunResult:
    data: dict[str, Any] = {"name": "marks", "region": str(folder), "rules": rules}
    if weights:
        data["weights"] = weights
    return solve(scenario_from_dict(data), load_region(folder))


def lock(**cores: str) -> list[dict[str, str]]:
    return [{"cluster": k, "district": d} for k, d in cores.items()]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_marks_region(tmp_path_factory.mktemp("marks") / "region")


@pytest.fixture(scope="module")
def locked(region: Path) -> RunResult:
    """wood in a (mixed bases, 75% estimated), food in c (one group_default row of 50)."""
    return marks_solve(region, lock=lock(wood="a", food="c"))


def why_here(result: RunResult) -> dict[str, str]:
    """The Why-here text of each cluster type, paragraphs and table captions joined."""
    from model.report.content import explanation_blocks
    from model.report.document import Paragraph, Table
    from model.report.explain import explain
    from model.report.formatting import Names

    out = {}
    for e in explain(result, runner_ups=False):
        blocks = explanation_blocks(result, e, Names(result.region), {})
        out[e.cluster_type] = "\n".join(
            b.text if isinstance(b, Paragraph) else b.caption if isinstance(b, Table) else ""
            for b in blocks
        )
    return out


# --- what a figure rests on, by hand --------------------------------------------------------


def test_composition_of_mixed_rows_is_worked_out_by_hand(locked: RunResult) -> None:
    from model.report.estimates import run_bases

    by_type = {b.cluster_type: b for b in run_bases(locked)}
    wood = by_type["wood"].core
    assert wood.district == "a"
    assert wood.own.total == 200.0
    assert wood.own.estimated == 150.0  # size-class default 100 + group default 50
    assert wood.own.estimated_share == pytest.approx(0.75)
    assert wood.own.bases == ["group_default", "size_class_default", "stated"]
    assert wood.own.oldest_year == 2019
    assert not wood.own.single_estimated_row
    assert wood.export.estimated_share == 1.0 and wood.export.bases == ["regional_distribution"]
    assert wood.rests_on_estimates and not wood.greenfield
    food = by_type["food"].core
    assert food.own.total == 50.0 and food.own.estimated_share == 1.0
    assert food.own.single_estimated_row
    assert food.export.parts == ()  # no export row for s2 in c
    member = by_type["food"].members["b"]  # b's s2: 30 official
    assert member.own.estimated_share == 0.0 and not member.rests_on_estimates


def test_why_here_of_a_core_on_one_estimated_row(locked: RunResult) -> None:
    text = why_here(locked)["food"]
    # LQ of s2 in c = (50/50) / (100/310) = 3.10, above the cap of 3
    assert (
        "s2 (weight 1) LQ 3.10†, capped at 3 — all estimated, on 50: 50 guess for an unnamed "
        "group of firms (2020)"
    ) in text
    assert (
        "**Basis.** The fit 1.000† rests on the activity of the type's sectors in Gamma, 50 in "
        "1 row: 100% of it is estimated (†: more than half); bases: guess for an unnamed group "
        "of firms; oldest year 2020."
    ) in text
    assert (
        "**This core rests on one estimated figure:** 50 in s2 in Gamma, guess for an unnamed "
        "group of firms (2020; note: three unnamed dairies). A planner should verify it before "
        "quoting the siting."
    ) in text
    assert (
        "**Export.** The export term is 0: no export share is recorded for sector s2 in Gamma."
        in text
    )


def test_why_here_of_a_core_on_mixed_bases_states_the_estimated_share(locked: RunResult) -> None:
    text = why_here(locked)["wood"]
    # LQ of s1 in a = (200/220) / (210/310) = 1.342
    assert (
        "s1 (weight 1) LQ 1.34† — 75% estimated, on 200: 100 size-class default for a named "
        "firm (2021), 50 guess for an unnamed group of firms (2019), 50 headcount stated by a "
        "source (2023)"
    ) in text
    assert "200 in 3 rows: 75% of it is estimated (†: more than half)" in text
    assert "oldest year 2019." in text
    assert "one estimated figure" not in text
    assert (
        "**Export.** Export orientation 0.300† (weight 1), all estimated, on a weighted share of "
        "0.3: 0.3 regional total distributed by activity (2020); oldest year 2020."
    ) in text


def test_a_core_on_stated_rows_gets_no_mark_and_no_single_row_sentence(region: Path) -> None:
    result = marks_solve(region, lock=lock(wood="b", food="c"))
    text = why_here(result)["wood"]
    # LQ of s1 in b = (10/40) / (210/310) = 0.37, on one stated row: said once, not marked
    assert "s1 (weight 1) LQ 0.37. " in text
    core_part, members = text.split("**Members.**")
    assert "†" not in core_part and "% estimated" not in core_part
    assert "Alpha (0.000†; 75% estimated)" in members  # the member a rests on estimates
    assert (
        "**Basis.** The activity of the type's sectors in Beta (10) rests on headcount stated "
        "by a source (oldest year 2023): nothing behind the fit is estimated."
    ) in text
    assert "one estimated figure" not in text


def test_a_minority_estimate_is_stated_but_not_marked(tmp_path: Path) -> None:
    rows = [
        ("a", "s1", 70, "stated", 2023, ""),
        ("a", "s1", 30, "proxy", 2022, ""),
        ("b", "s2", 40, "official", 2022, ""),
        ("c", "s2", 40, "official", 2022, ""),
    ]
    folder = write_marks_region(tmp_path / "r", activity=rows, exports=None)
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    text = why_here(result)["wood"]
    # a holds all of s1: LQ = (100/100) / (100/180) = 1.80
    assert (
        "LQ 1.80 — 30% estimated, on 100: 70 headcount stated by a source (2023), 30 estimate "
        "from a related stated figure (2022)"
    ) in text
    assert "†" not in text
    assert "30% of it is estimated; bases:" in text


# --- zero export terms ----------------------------------------------------------------------


def test_zero_export_weight_is_named_in_each_block_and_in_the_terms(region: Path) -> None:
    from model.report.estimates import run_export_reason

    result = marks_solve(region, weights={"export": 0.0}, lock=lock(wood="a", food="c"))
    assert (
        "**Export.** The export term is 0: the export weight is 0 in this scenario."
        in (why_here(result)["wood"])
    )
    assert run_export_reason(result) == (
        "The export term is 0 because the export weight is 0 in this scenario."
    )


def test_missing_exports_file_is_named(tmp_path: Path) -> None:
    from model.report.estimates import run_export_reason

    folder = write_marks_region(tmp_path / "r", exports=None)
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    assert (
        "**Export.** The export term is 0: the region has no exports.csv, so no export share is "
        "recorded anywhere."
    ) in why_here(result)["wood"]
    assert run_export_reason(result) == (
        "The export term is 0: the region has no exports.csv, so no export share is recorded."
    )


def test_run_export_reason_is_none_when_the_export_term_is_positive(locked: RunResult) -> None:
    from model.report.estimates import run_export_reason

    assert locked.terms["export"] == pytest.approx(0.3)
    assert run_export_reason(locked) is None


def test_export_sectors_without_a_share_are_listed(tmp_path: Path) -> None:
    from model.report.estimates import export_reason

    zero = ("c", "s1", 0.0, "stated", 2023, "")
    folder = write_marks_region(tmp_path / "r", exports=[*EXPORT_ROWS, zero])
    text = (folder / "clusters.yaml").read_text(encoding="utf-8")
    catalogue = yaml.safe_load(text)
    catalogue["food"]["sectors"] = {"s2": 0.5, "s1": 0.5}
    (folder / "clusters.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    assert export_reason(result, "food", "c", "Gamma") == (
        "no export share is recorded for sector s2 in Gamma; the recorded export share of s1 "
        "in Gamma is 0"
    )


# --- unstated, greenfield, degenerate runs --------------------------------------------------


def test_rows_without_a_basis_are_called_unstated_not_estimates(tmp_path: Path) -> None:
    from model.output import siting_lines, summary_dict
    from model.report.estimates import map_marks, run_bases

    folder = write_marks_region(tmp_path / "r", bases=False)
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    text = why_here(result)["food"]
    assert "†" not in text and "% estimated" not in text and "one estimated figure" not in text
    assert (
        "**Basis.** The activity behind these figures (50 in the type's sectors in Gamma, 1 row): "
        "basis not stated in the region files; the tool cannot say whether it is measured or "
        "estimated."
    ) in text
    entry = summary_dict(result)["sitings"][0]
    assert entry["estimated_share"] == 0.0 and entry["bases"] == ["unstated"]
    assert entry["single_estimated_row"] is False and entry["rests_on_estimates"] is False
    assert "activity of 2 of 2 cores: basis not stated in the region files" in siting_lines(result)
    assert map_marks(run_bases(result)).notice == (
        "Activity figures of 2 of 2 cores: basis not stated in the region files (not known "
        "whether measured or estimated)."
    )


def test_a_greenfield_core_is_flagged_in_every_output(region: Path, tmp_path: Path) -> None:
    from model.output import siting_lines, write_run
    from model.report.maps import GREENFIELD_LABEL
    from model.report.saved import read_saved_run

    # c has no s1 activity: a greenfield wood core, which the scenario must allow
    result = marks_solve(region, lock=lock(wood="c", food="c"), greenfield=True)
    lines = siting_lines(result)
    wood_line = next(line for line in lines if line.startswith("wood"))
    assert wood_line.endswith("greenfield")
    assert "greenfield: no activity of the core's type in its district yet" in lines
    assert (
        "**Greenfield.** Gamma has no activity in the sectors of this type"
        in (why_here(result)["wood"])
    )
    folder = write_run(result, tmp_path / "run", runner_ups=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    flags = {e["cluster_type"]: e["greenfield"] for e in summary["sitings"]}
    assert flags == {"wood": True, "food": False}
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "**Gamma** ○" in report and "○ greenfield core" in report
    saved = read_saved_run(folder)
    assert saved.marks.greenfield == frozenset({("wood", "c")})
    figure = map_figure(result)
    assert GREENFIELD_LABEL in texts(figure)
    assert "Wood: Gamma (greenfield)" in texts(figure)


def test_nothing_sited_gives_no_marks_and_no_notice(region: Path, tmp_path: Path) -> None:
    from model.output import siting_lines, summary_dict, write_run
    from model.report.estimates import map_marks, run_bases, run_export_reason

    result = marks_solve(region, sites={"default": {"min": 0, "max": 0}})
    assert result.has_solution and result.sitings() == [] and result.objective == 0
    assert run_bases(result) == [] and map_marks([]).notice is None
    assert run_export_reason(result) is None
    assert summary_dict(result)["sitings"] == []
    assert siting_lines(result)[0].startswith("cluster type")
    write_run(result, tmp_path / "run", runner_ups=False)  # the report does not divide by 0


def test_one_district_without_exports(tmp_path: Path) -> None:
    from model.output import summary_dict

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "districts.csv").write_text(
        "id,name,name_local,lat,lon,population,area_km2,border\n"
        "a,Alpha,Альфа,54.80,32.00,10000,500,false\n",
        encoding="utf-8",
    )
    (folder / "activity.csv").write_text(
        "district,sector,value,basis,year,note\na,s1,80,group_default,2018,\n", encoding="utf-8"
    )
    (folder / "roads.csv").write_text("a,b,minutes,kind\n", encoding="utf-8")
    catalogue = {"wood": {"name": "Wood", "sectors": {"s1": 1.0}}}
    (folder / "clusters.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    result = marks_solve(folder)
    entry = summary_dict(result)["sitings"][0]
    assert entry["core"] == "a" and entry["single_estimated_row"] is True
    assert entry["estimated_share"] == 1.0 and entry["oldest_year"] == 2018
    text = why_here(result)["wood"]
    assert "**This core rests on one estimated figure:** 80 in s1 in Alpha" in text
    assert "the region has no exports.csv" in text


# --- console, summary.json ------------------------------------------------------------------


def test_console_table_marks_cores_on_estimates(locked: RunResult) -> None:
    from model.output import siting_lines

    lines = siting_lines(locked)
    food = next(line for line in lines if line.startswith("food"))
    wood = next(line for line in lines if line.startswith("wood"))
    assert food.endswith("† activity 100% est.")
    # wood's export share in a (0.3) is one regional_distribution row: all estimated
    assert wood.endswith("† activity 75% est., export 100% est.")
    assert (
        "† rests on estimates (more than 50% of the activity or export share behind it is "
        "estimated): 2 of 2 cores (report.md, Why here, says what each rests on)"
    ) in lines
    assert "food in Gamma rests on one estimated figure: verify it before quoting the siting" in (
        lines
    )


def test_summary_sitings_carry_the_basis_and_stay_identical_on_rerun(
    region: Path, locked: RunResult
) -> None:
    from model.output import summary_dict

    by_type = {e["cluster_type"]: e for e in summary_dict(locked)["sitings"]}
    wood_value = by_type["wood"]["value"]
    assert by_type["wood"]["contribution"] == wood_value  # one number per cluster
    assert sum(by_type["wood"]["terms"].values()) == pytest.approx(wood_value, abs=1e-12)
    assert by_type["wood"] | {"contribution": None, "value": None, "terms": None} == {
        "cluster_type": "wood",
        "core": "a",
        "members": ["b"],
        "contribution": None,
        "value": None,
        "terms": None,
        "estimated_share": 0.75,
        "bases": ["group_default", "size_class_default", "stated"],
        "oldest_year": 2019,
        "single_estimated_row": False,
        "export_estimated_share": 1.0,
        "export_bases": ["regional_distribution"],
        "rests_on_estimates": True,
        "members_on_estimates": [],
        "greenfield": False,
    }
    assert by_type["food"]["single_estimated_row"] is True
    again = marks_solve(region, lock=lock(wood="a", food="c"))
    assert summary_dict(again)["sitings"] == summary_dict(locked)["sitings"]


# --- maps -----------------------------------------------------------------------------------


def texts(figure: object) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text)]  # type: ignore[attr-defined]


def map_figure(result: RunResult) -> object:
    from model.report.estimates import map_marks, run_bases
    from model.report.geo import load_shapes
    from model.report.maps import siting_figure

    shapes = load_shapes(result.region.path, set(result.region.district_ids))
    return siting_figure(
        result.region,
        shapes,
        result.sitings(),
        result.instance.types,
        "t",
        map_marks(run_bases(result)),
    )


NOTICE = (
    "† Activity and export figures rest on estimates (more than half estimated) for 2 of 2 cores "
    "and 0 of 2 members; see Why here in the report."
)


def test_map_carries_the_estimate_notice(locked: RunResult) -> None:
    from model.report.estimates import map_marks, run_bases

    assert map_marks(run_bases(locked)).notice == NOTICE
    shown = texts(map_figure(locked))
    assert NOTICE in shown
    assert "Gamma†" in shown and "Food: Gamma†" in shown


def test_map_has_no_notice_when_every_row_is_stated(tmp_path: Path) -> None:
    rows = [
        ("a", "s1", 60, "stated", 2023, ""),
        ("a", "s2", 20, "official", 2022, ""),
        ("b", "s2", 30, "official", 2022, ""),
        ("c", "s2", 40, "official", 2022, ""),
    ]
    folder = write_marks_region(tmp_path / "r", activity=rows, exports=None)
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    from model.report.estimates import map_marks, run_bases

    marks = map_marks(run_bases(result))
    assert marks.notice is None and not marks.estimated
    assert not any("estimate" in t for t in texts(map_figure(result)))


def test_a_partly_estimated_core_is_counted_apart(tmp_path: Path) -> None:
    from model.report.estimates import map_marks, run_bases

    rows = [
        ("a", "s1", 70, "stated", 2023, ""),
        ("a", "s1", 30, "proxy", 2022, ""),
        ("b", "s2", 40, "official", 2022, ""),
        ("c", "s2", 40, "official", 2022, ""),
    ]
    folder = write_marks_region(tmp_path / "r", activity=rows, exports=None)
    result = marks_solve(folder, lock=lock(wood="a", food="c"))
    assert map_marks(run_bases(result)).notice == (
        "† Activity and export figures rest on estimates (more than half estimated) for 0 of 2 "
        "cores (1 more partly estimated) and 0 of 1 member; see Why here in the report."
    )


def test_saved_run_map_rebuilds_the_same_marks(locked: RunResult, tmp_path: Path) -> None:
    from model.output import write_run
    from model.report.estimates import map_marks, run_bases
    from model.report.saved import read_saved_run

    folder = write_run(locked, tmp_path / "run", runner_ups=False)
    assert read_saved_run(folder).marks == map_marks(run_bases(locked))


def test_comparison_small_maps_carry_a_short_notice(locked: RunResult) -> None:
    from model.report.comparison import maps_figure

    shown = texts(maps_figure([locked, locked], ["one", "two"]))
    assert shown.count("† estimates: 2 of 2 cores, 0 of 2 members") == 2


# --- the indicator atlas --------------------------------------------------------------------


def test_atlas_marks_each_lq_and_fit_resting_on_estimates(region: Path, tmp_path: Path) -> None:
    import pandas as pd

    from model.report.atlas import fit_notice, write_atlas

    out = tmp_path / "atlas"
    out.mkdir()
    write_atlas(load_region(region), out)
    basis = pd.read_csv(out / "lq_basis.csv").set_index(["district", "sector"])
    assert basis.loc[("a", "s1"), "estimated_share"] == 0.75
    assert basis.loc[("a", "s1"), "oldest_year"] == 2019
    assert basis.loc[("b", "s2"), "estimated_share"] == 0.0
    assert basis.loc[("c", "s2"), "bases"] == "group_default"
    fits = pd.read_csv(out / "fit_basis.csv").set_index(["district", "cluster_type"])
    assert bool(fits.loc[("c", "wood"), "greenfield"]) is True
    assert bool(fits.loc[("c", "food"), "single_estimated_row"]) is True
    atlas = (out / "atlas.md").read_text(encoding="utf-8")
    assert "| Alpha | 1.34† | 0.28 |" in atlas  # LQs: a,s1 75% estimated; a,s2 stated
    assert "| Gamma | 0.00 | **3.10†** |" in atlas
    assert "| Gamma | **1.000†** | 0.000 |" in atlas  # fit of food and wood in c
    assert "more than 50% of the activity behind the number" in atlas
    assert fit_notice(load_region(region), "wood") == (
        "† The fit rests on estimates (more than 50% of the activity in the type's sectors "
        "estimated) in 1 of 3 districts: Alpha. See fit_basis.csv."
    )


def test_atlas_of_unstated_rows_says_so(tmp_path: Path) -> None:
    from model.report.atlas import fit_notice, write_atlas

    folder = write_marks_region(tmp_path / "r", bases=False)
    out = tmp_path / "atlas"
    out.mkdir()
    write_atlas(load_region(folder), out)
    atlas = (out / "atlas.md").read_text(encoding="utf-8")
    assert "†" not in atlas.split("## Tables")[1].split("\n\n", 2)[2]
    assert "5 of the 5 district–sector pairs with activity do not state their basis" in atlas
    assert fit_notice(load_region(folder), "food") == (
        "Activity behind the fit: basis not stated in the region files."
    )


def test_comparison_legend_names_greenfield_cores(region: Path, locked: RunResult) -> None:
    from model.report.comparison import maps_figure
    from model.report.maps import GREENFIELD_LABEL

    greenfield = marks_solve(region, lock=lock(wood="c", food="c"), greenfield=True)
    assert GREENFIELD_LABEL in texts(maps_figure([locked, greenfield], ["one", "two"]))
    assert GREENFIELD_LABEL not in texts(maps_figure([locked], ["one"]))
