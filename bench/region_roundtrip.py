"""How close `region init` gets to the shipped Smolensk travel times, by source of times.

    .venv/bin/python bench/region_roundtrip.py

Builds Smolensk from data/smolensk/raw/geo four ways and prints, over all 702 ordered pairs of
districts, the ratio of the built to the shipped travel time (median, 10th and 90th
percentile) and the largest absolute difference, with the seconds each build took:
polygons only (computed points, every neighbour link regional), the shipped points, the
shipped road graph (--graph) and the formula with the shipped points and link kinds. The
figures are quoted in docs/region.md ("Round trip"); the test of the last two is
tests/test_region_roundtrip.py.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_region_roundtrip import SMOLENSK, all_pairs, init, smolensk_inputs  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        inputs = smolensk_inputs(tmp)
        shipped = all_pairs(SMOLENSK, rename=False)
        variants = {
            "polygons only": [],
            "shipped points": ["--points", str(inputs["points"])],
            "shipped road graph": ["--points", str(inputs["points"]), "--graph",
                                   str(inputs["graph"])],
            "formula, shipped kinds": ["--points", str(inputs["points"]), "--road-kinds",
                                       str(inputs["kinds"])],
        }  # fmt: skip
        print(
            f"{'times from':24} {'median':>7} {'p10':>6} {'p90':>6} {'max |diff|':>11} {'build':>7}"
        )
        for n, (name, extra) in enumerate(variants.items()):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                folder_n = init(tmp / f"v{n}", inputs, *extra)
            seconds = time.perf_counter() - start
            built = all_pairs(folder_n, rename=True)
            pairs = [k for k in shipped if k[0] != k[1]]
            ratio = np.array([built[k] / shipped[k] for k in pairs])
            diff = max(abs(built[k] - shipped[k]) for k in pairs)
            p10, p50, p90 = np.percentile(ratio, [10, 50, 90])
            print(f"{name:24} {p50:7.3f} {p10:6.3f} {p90:6.3f} {diff:9.1f} m {seconds:6.1f}s")


if __name__ == "__main__":
    main()
