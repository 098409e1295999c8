"""``model.noise`` draws samples from a plan made once per region; the samples must be the
ones drawn from scratch (``tests/reference/noise_before.py``, the module before the plan) to
the last bit, under every noise model, with and without road-minute noise, on the embedded
Smolensk region, the three-district region of test_sensitivity (several bases, cells with two
rows, a zero cell), that region without exports or with a sector that has no activity, and
random tiny regions. The plan's arrays must also be what the sample's tables hold, since the
statistical tests of ``tests/test_robustness.py`` read them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.noise import Noise, NoisePlan, full_grid, perturbed_region, sample_regions
from model.region import Region, load_region
from tests.reference import noise_before
from tests.test_against_enumeration import write_case
from tests.test_sensitivity import ACTIVITY, write_region

REPO = Path(__file__).resolve().parent.parent
NOISES = [
    Noise("lognormal", 0.3),
    Noise("lognormal", 0.0),
    Noise("additive", 0.3),
    Noise("additive", 0.0),
    Noise("zero_inflated", 0.3, drop=0.3, appear=0.3),
    Noise("zero_inflated", 0.0, drop=0.0, appear=0.5),
    Noise("zero_inflated", 0.2, drop=1.0, appear=0.0),
    Noise("lognormal", 0.3, times_sigma=0.3),
    Noise("additive", 0.3, times_sigma=0.2),
    Noise("zero_inflated", 0.3, drop=0.2, appear=0.2, times_sigma=0.1),
]
NOISE_IDS = [
    "lognormal",
    "lognormal_no_spread",
    "additive",
    "additive_no_spread",
    "zero_inflated",
    "zero_inflated_appear_only",
    "zero_inflated_drop_all",
    "lognormal_minutes",
    "additive_minutes",
    "zero_inflated_minutes",
]


def regions(tmp_path: Path) -> dict[str, Region]:
    tiny = load_region(write_region(tmp_path / "tiny"))
    no_exports = load_region(write_region(tmp_path / "no_exports", exports=None))
    textiles = [*ACTIVITY, ("a", "textiles", 0.0, "stated")]
    idle_sector = load_region(write_region(tmp_path / "idle", activity=textiles))
    out = {"tiny": tiny, "no_exports": no_exports, "idle_sector": idle_sector}
    out["smolensk"] = load_region(REPO / "data" / "smolensk")
    for seed in range(2):
        _path, scenario = write_case(seed, tmp_path / f"case{seed}")
        out[f"random{seed}"] = load_region(Path(scenario["region"]))
    return out


def assert_same_region(new: Region, old: Region, base: Region, label: str) -> None:
    pd.testing.assert_frame_equal(new.activity, old.activity, check_exact=True, obj=label)
    pd.testing.assert_frame_equal(new.exports, old.exports, check_exact=True, obj=label)
    pd.testing.assert_frame_equal(new.roads, old.roads, check_exact=True, obj=label)
    assert (new.roads is base.roads) == (old.roads is base.roads), label
    assert new.districts is base.districts and new.clusters is base.clusters, label


@pytest.mark.parametrize("noise", NOISES, ids=NOISE_IDS)
def test_plan_samples_are_the_samples_drawn_from_scratch(noise: Noise, tmp_path: Path) -> None:
    for name, region in regions(tmp_path).items():
        for seed in (7,):
            new = list(sample_regions(region, 3, noise.sigma, seed, noise))
            old = list(noise_before.sample_regions(region, 3, noise.sigma, seed, noise))
            assert len(new) == len(old) == 3
            for n, (one, two) in enumerate(zip(new, old, strict=True)):
                assert_same_region(one, two, region, f"{name} seed {seed} sample {n}")
            # perturbed_region continues one generator the same way
            rng_new, rng_old = np.random.default_rng(seed), np.random.default_rng(seed)
            for n in range(1):
                before = noise_before.perturbed_region(region, rng_old, noise.sigma, noise)
                made = perturbed_region(region, rng_new, noise.sigma, noise)
                assert_same_region(made, before, region, f"{name} perturbed {n}")


def test_additive_draw_is_the_grid_of_the_sample(tmp_path: Path) -> None:
    """The values the additive statistics read are the sample's full grid, cell by cell."""
    tiny = load_region(write_region(tmp_path / "tiny"))
    plan = NoisePlan.of(tiny, 0.4, Noise("additive", 0.4))
    assert plan.activity.wide is not None
    rng = np.random.default_rng(3)
    for _ in range(20):
        drawn = plan.draw(rng)
        assert drawn.activity is not None
        grid = full_grid(plan.region_of(drawn).activity, "value", tiny.district_ids)
        assert list(grid.index) == list(plan.activity.wide.index) == ["a", "b", "c"]
        assert list(grid.columns) == list(plan.activity.wide.columns)
        assert np.array_equal(grid.to_numpy(), drawn.activity.values)


def test_zero_inflated_draw_is_what_the_sample_keeps_and_adds(tmp_path: Path) -> None:
    """The dropped rows, kept values and appearing cells the zero-inflated statistics read are
    the rows of the sample's table."""
    tiny = load_region(write_region(tmp_path / "tiny"))
    noise = Noise("zero_inflated", 0.2, drop=0.5, appear=0.5)
    plan = NoisePlan.of(tiny, 0.2, noise)
    assert plan.activity.wide is not None
    rng = np.random.default_rng(5)
    seen_drop = seen_appear = 0
    for _ in range(30):
        drawn = plan.draw(rng)
        assert drawn.activity is not None and drawn.activity.dropped is not None
        table = plan.region_of(drawn).activity
        kept = tiny.activity.loc[~drawn.activity.dropped].reset_index(drop=True)
        new = table.iloc[len(kept) :].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            table.iloc[: len(kept)][["district", "sector", "basis"]],
            kept[["district", "sector", "basis"]],
        )
        assert np.array_equal(table["value"].to_numpy()[: len(kept)], drawn.activity.values)
        assert (new["note"] == "appeared").all()
        wide = plan.activity.wide
        cells = [(wide.index[r], wide.columns[c], v) for r, c, v in drawn.activity.appeared]
        assert cells == list(zip(new["district"], new["sector"], new["value"], strict=True))
        seen_drop += int(drawn.activity.dropped.any())
        seen_appear += len(cells)
    assert seen_drop and seen_appear, "both parts were exercised"


def test_a_plan_leaves_its_region_alone(tmp_path: Path) -> None:
    tiny = load_region(write_region(tmp_path / "tiny"))
    before = replace(tiny, activity=tiny.activity.copy(), exports=tiny.exports.copy())
    for noise in NOISES:
        list(sample_regions(tiny, 5, noise.sigma, 1, noise))
    pd.testing.assert_frame_equal(tiny.activity, before.activity, check_exact=True)
    pd.testing.assert_frame_equal(tiny.exports, before.exports, check_exact=True)
