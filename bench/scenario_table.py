"""The sitings of every shipped scenario in one table, under optional overrides.

    python bench/scenario_table.py [--set KEY=VALUE ...] [--region DIR]

``--region`` runs every scenario on another region folder (for example an older copy of the
Smolensk data) and ``--set`` applies to every scenario, so two calls give a before/after
comparison: ``--set indicators.fit=lq --set indicators.intra_district=none --set
rules.greenfield=true`` is the canonical model of earlier versions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.pipeline import solve
from model.region import load_region
from model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--region", type=Path)
    args = parser.parse_args()
    overrides = list(args.overrides)
    if args.region is not None:
        overrides.append(f"region={args.region.resolve()}")
    print("| scenario | objective | cores |")
    print("|---|---|---|")
    for path in sorted(SCENARIOS.glob("*.yaml")):
        loaded = load_scenario(path, overrides)
        result = solve(loaded, load_region(loaded.region_path()))
        cores = ", ".join(f"{k} {i}" for k, i in sorted(result.core_set()))
        objective = f"{result.objective:.3f}" if result.objective is not None else result.status
        print(f"| {loaded.scenario.name} | {objective} | {cores} |")


if __name__ == "__main__":
    main()
