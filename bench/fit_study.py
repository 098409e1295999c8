"""Which fit method depends least on estimated rows? (docs/model.md §7)

For each fit method, solve a scenario on the region as shipped, then once per estimated basis
class of its activity and export rows with that class's rows dropped, and count how many of the
optimum's cores move. Also report, per method, the share of the cores' own-sector activity
that rests on estimated rows. Prints a Markdown table and writes it with ``--out``.

    python bench/fit_study.py [--scenario scenarios/baseline.yaml] [--out docs/bench/fit_study.md]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.basis import is_estimate
from model.pipeline import RunResult, solve
from model.region import Region, load_region
from model.scenario import load_scenario

METHODS: dict[str, list[str]] = {
    "lq (cap 3)": ["indicators.fit=lq"],
    "stars": ["indicators.fit=stars"],
    "critical_mass share 0.05": ["indicators.fit=critical_mass", "indicators.critical_mass=0.05"],
    "critical_mass share 0.1": ["indicators.fit=critical_mass", "indicators.critical_mass=0.1"],
    "critical_mass share 0.2": ["indicators.fit=critical_mass", "indicators.critical_mass=0.2"],
    "critical_mass absolute 250": [
        "indicators.fit=critical_mass",
        "indicators.critical_mass=250",
        "indicators.critical_mass_kind=absolute",
    ],
}


def without(region: Region, basis: str) -> Region:
    """The region with every activity and export row of one basis removed."""
    activity = region.activity[region.activity["basis"] != basis]
    exports = region.exports[region.exports["basis"] != basis]
    return replace(region, activity=activity, exports=exports)


def estimated_share(result: RunResult) -> float:
    """Mean over the optimum's cores of the estimated share of their own-sector activity."""
    activity = result.region.activity
    shares = []
    for k, i in sorted(result.core_set()):
        sectors = [s for s, w in result.region.clusters[k].sectors.items() if w > 0]
        rows = activity[(activity["district"] == i) & activity["sector"].isin(sectors)]
        total = rows["value"].sum()
        estimated = rows.loc[rows["basis"].map(is_estimate), "value"].sum()
        shares.append(estimated / total if total > 0 else 0.0)
    return sum(shares) / len(shares) if shares else 0.0


def study(scenario: Path, extra: list[str]) -> pd.DataFrame:
    rows = []
    for label, overrides in METHODS.items():
        loaded = load_scenario(scenario, [*extra, *overrides])
        region = load_region(loaded.region_path())
        base = solve(loaded, region)
        cores = base.core_set()
        bases = sorted(b for b in set(region.activity["basis"]) if is_estimate(b))
        moved: dict[str, int] = {}
        for basis in bases:
            variant = without(region, basis)
            if not (variant.activity["value"] > 0).any():
                moved[basis] = len(cores)
                continue
            again = solve(loaded, variant)
            moved[basis] = len(cores - again.core_set()) if again.has_solution else len(cores)
        rows.append(
            {
                "method": label,
                "status": base.status,
                "cores": "; ".join(f"{k}@{i}" for k, i in sorted(cores)),
                "moved_total": sum(moved.values()),
                **{f"moved_without_{b}": n for b, n in moved.items()},
                "estimated_share": round(estimated_share(base), 3),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/baseline.yaml"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    table = study(args.scenario, args.overrides)
    lines = [
        f"Scenario `{args.scenario}`; each row: the optimum's cores, then how many of them move "
        "when the rows of one estimated basis are dropped, and the mean estimated share of the "
        "cores' own-sector activity.",
        "",
        "| " + " | ".join(table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    for record in table.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in record) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text("# Fit method study\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
