"""Which fit method depends least on estimated rows? (docs/model.md §7)

For each fit method and each shipped scenario, solve on the region as shipped, then once per
estimated basis class of its activity and export rows with that class's rows dropped, and once
with them replaced (spread by population, ``model.sensitivity.replace_basis``), and count how
many of the optimum's cores move. Also report the mean share of the cores' own-sector activity
that rests on estimated rows. Prints a Markdown table and writes it with ``--out``.

    python bench/fit_study.py [--scenario FILE ...] [--out docs/bench/fit_study.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.basis import is_estimate
from model.pipeline import RunResult, solve
from model.region import Region, load_region
from model.scenario import LoadedScenario, load_scenario
from model.sensitivity import drop_basis, replace_basis

METHODS: dict[str, list[str]] = {
    "lq (cap 3)": ["indicators.fit=lq"],
    "stars": ["indicators.fit=stars"],
    "critical_mass share 0.05": ["indicators.fit=critical_mass", "indicators.critical_mass=0.05"],
    "critical_mass share 0.1": ["indicators.fit=critical_mass", "indicators.critical_mass=0.1"],
    "critical_mass share 0.2": ["indicators.fit=critical_mass", "indicators.critical_mass=0.2"],
    "critical_mass share 0.3": ["indicators.fit=critical_mass", "indicators.critical_mass=0.3"],
    "critical_mass absolute 250": [
        "indicators.fit=critical_mass",
        "indicators.critical_mass=250",
        "indicators.critical_mass_kind=absolute",
    ],
}


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


def moved(cores: frozenset[tuple[str, str]], loaded: LoadedScenario, variant: Region) -> int:
    """How many of ``cores`` a solve on the variant region does not keep."""
    if not (variant.activity["value"] > 0).any():
        return len(cores)
    again = solve(loaded, variant)
    return len(cores - again.core_set()) if again.has_solution else len(cores)


def study(scenarios: list[Path], extra: list[str]) -> pd.DataFrame:
    rows = []
    for label, overrides in METHODS.items():
        counts: dict[str, int] = {}
        cores_total = 0
        shares = []
        for scenario in scenarios:
            loaded = load_scenario(scenario, [*extra, *overrides])
            region = load_region(loaded.region_path())
            base = solve(loaded, region)
            cores = base.core_set()
            cores_total += len(cores)
            shares.append(estimated_share(base))
            for basis in sorted(b for b in set(region.activity["basis"]) if is_estimate(b)):
                dropped = moved(cores, loaded, drop_basis(region, basis))
                replaced = moved(cores, loaded, replace_basis(region, basis)[0])
                counts[f"drop {basis}"] = counts.get(f"drop {basis}", 0) + dropped
                counts[f"replace {basis}"] = counts.get(f"replace {basis}", 0) + replaced
        rows.append(
            {
                "method": label,
                "cores": cores_total,
                "moved": sum(counts.values()),
                **counts,
                "estimated share": round(sum(shares) / len(shares), 3),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", type=Path, action="append", help="default: every scenario in scenarios/"
    )
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    scenarios = args.scenario or sorted(Path("scenarios").glob("*.yaml"))
    table = study(scenarios, args.overrides)
    lines = [
        f"Scenarios: {', '.join(f'`{p.stem}`' for p in scenarios)}. Per fit method: the cores "
        "of all their optima, how many of them move in total when the rows of one estimated "
        "basis are dropped or replaced (one column per basis and mode), and the mean estimated "
        "share of the cores' own-sector activity. Fewer moves: less dependence on estimates.",
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
