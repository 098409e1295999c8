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
        text = "district,sector,value\n" + "".join(
            f"{d},{s},{v}\n" for (d, s), v in totals.items()
        )
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
