"""Research analyses of the Smolensk baseline: fast re-solves against rebuilds.

``make bench-research``.

Measured in one run, one process, on whatever else the machine is doing:

1. **Weight variants**: ``--variants`` random weight vectors (each weight uniform on [0, 2],
   one in five set to exactly 0) solved on one persistent HiGHS model
   (``model.fast_resolve.FastResolver``). The variant scenarios are made in memory
   (``model_copy`` of the baseline with other weights), not read from YAML. The rebuild path
   (``model.pipeline.solve`` with the region and indicator tables passed in, so only instance,
   model, hand-off, solve and check are repeated) is timed on the first ``--subset`` variants
   and **extrapolated** linearly to all of them; both paths' objectives are compared on that
   subset. Target: all variants within 30 s.
2. **Robustness samples**: ``--samples`` log-normal samples (sigma 0.2, seed 0) of the
   activity and export data (``model.robustness.robustness``), fast path (arrays for the
   data, indicators and coefficients, ``model.sample_resolve``; HiGHS on one thread), with
   the rebuild (every indicator recomputed, the model rebuilt, HiGHS's default threads) timed
   on the first ``--subset`` samples and extrapolated the same way; both paths' objectives and
   sets of cores are compared on that subset. Target: 30 s.
3. **Three-term front** of the baseline (fit, export, coop; AUGMECON2, ``model.front``, the
   default grid): its point count, solves and time.

Figures are printed and written to ``docs/bench/research.md`` (``--out`` to write elsewhere,
``--no-write`` not at all).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.fast_resolve import FastResolver
from model.front import augmecon2
from model.payoff import TermSolver
from model.pipeline import solve, solve_scenario_file, solver_options
from model.robustness import robustness
from model.scenario import LoadedScenario, Weights, load_scenario

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
TARGET_S = 30.0
SAME = 1e-9


def weight_variants(loaded: LoadedScenario, count: int, seed: int) -> list[LoadedScenario]:
    rng = np.random.default_rng(seed)
    draws = rng.uniform(0.0, 2.0, size=(count, 4))
    draws[rng.random((count, 4)) < 0.2] = 0.0
    return [
        replace(
            loaded,
            scenario=loaded.scenario.model_copy(
                update={"weights": Weights(fit=f, export=e, member=m, coop=c)}
            ),
        )
        for f, e, m, c in draws.tolist()
    ]


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= SAME * max(1.0, abs(a), abs(b))


def load_now() -> float:
    """The 1-minute load average (NaN where the system has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def bench_weights(loaded: LoadedScenario, count: int, subset: int) -> dict[str, float]:
    variants = weight_variants(loaded, count, seed=0)
    load = load_now()
    started, cpu = time.perf_counter(), time.process_time()
    resolver = FastResolver(loaded)
    fast = [resolver.solve(v) for v in variants]
    fast_s, fast_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    rebuilt = [solve(v, resolver.region, tables=resolver.tables) for v in variants[:subset]]
    rebuild_s, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
    agree = sum(same(a.objective, b.objective) for a, b in zip(fast, rebuilt, strict=False))
    return {
        "count": count,
        "fast_s": fast_s,
        "fast_solves": resolver.fast,
        "rebuilds": resolver.rebuilds,
        "subset": subset,
        "rebuild_subset_s": rebuild_s,
        "rebuild_extrapolated_s": rebuild_s * count / subset,
        "agree": agree,
        "fast_cpu_s": fast_cpu,
        "rebuild_extrapolated_cpu_s": rebuild_cpu * count / subset,
        "load": load,
    }


def bench_samples(count: int, subset: int) -> dict[str, float]:
    base = solve_scenario_file(BASELINE)
    load = load_now()
    started, cpu = time.perf_counter(), time.process_time()
    fast = robustness(base, count, 0.2, seed=0, progress=False)
    fast_s, fast_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    rebuilt = robustness(base, subset, 0.2, seed=0, fast=False, progress=False)
    rebuild_s, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
    pairs = zip(fast.samples["objective"][:subset], rebuilt.samples["objective"], strict=True)
    cores = zip(fast.samples["cores"][:subset], rebuilt.samples["cores"], strict=True)
    return {
        "count": count,
        "fast_s": fast_s,
        "rebuilt_in_fast": fast.rebuilds,
        "subset": subset,
        "rebuild_subset_s": rebuild_s,
        "rebuild_extrapolated_s": rebuild_s * count / subset,
        "agree": sum(same(a, b) for a, b in pairs),
        "cores_agree": sum(a == b for a, b in cores),
        "fast_cpu_s": fast_cpu,
        "rebuild_extrapolated_cpu_s": rebuild_cpu * count / subset,
        "load": load,
    }


def bench_front(loaded: LoadedScenario) -> dict[str, float]:
    base = solve_scenario_file(BASELINE)
    started, cpu = time.perf_counter(), time.process_time()
    terms = ["fit", "export", "coop"]
    solver = TermSolver(base.region, loaded.scenario, base.tables, terms, solver_options(loaded))
    front = augmecon2(solver, terms)
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    assert front is not None
    return {
        "points": len(front.points),
        "solves": front.solves + front.payoff.solves,
        "seconds": seconds,
        "cpu_s": cpu_s,
        "grid": front.grid["export"],
    }


def report(weights: dict[str, float], samples: dict[str, float], front: dict[str, float]) -> str:
    def verdict(seconds: float) -> str:
        return "meets" if seconds <= TARGET_S else "misses"

    w, s, f = weights, samples, front
    lines = [
        "# Research analyses: fast re-solves (make bench-research)",
        "",
        f"Measured by `bench/research.py` in one run on {platform.machine()}, "
        f"{os.cpu_count()} logical CPUs (shared with other work while measured), Python "
        f"{platform.python_version()}, one process. Rebuild figures are measured on a subset "
        "and **extrapolated** linearly (subset time × count / subset).",
        "",
        "| analysis | count | fast path | rebuild (extrapolated) | ratio | target 30 s | "
        "CPU: fast, rebuild (extrapolated) | load at its start |",
        "|---|---|---|---|---|---|---|---|",
        f"| weight variants of the baseline | {w['count']} | {w['fast_s']:.1f} s | "
        f"{w['rebuild_extrapolated_s']:.1f} s (from {w['subset']}: "
        f"{w['rebuild_subset_s']:.1f} s) | {w['rebuild_extrapolated_s'] / w['fast_s']:.1f}× | "
        f"{verdict(w['fast_s'])} | {w['fast_cpu_s']:.1f} s, "
        f"{w['rebuild_extrapolated_cpu_s']:.1f} s | {w['load']:.1f} |",
        f"| robustness samples (log-normal, sigma 0.2) | {s['count']} | {s['fast_s']:.1f} s | "
        f"{s['rebuild_extrapolated_s']:.1f} s (from {s['subset']}: "
        f"{s['rebuild_subset_s']:.1f} s) | {s['rebuild_extrapolated_s'] / s['fast_s']:.1f}× | "
        f"{verdict(s['fast_s'])} | {s['fast_cpu_s']:.1f} s, "
        f"{s['rebuild_extrapolated_cpu_s']:.1f} s | {s['load']:.1f} |",
        "",
        f"Load average while measured (1 min, at the start): {LOAD_AT_START}. Wall times on a "
        "shared machine grow with its load; the CPU seconds of this process (HiGHS's threads "
        "included) are the less disturbed figure.",
        f"Weight variants: {w['fast_solves']} solved on the persistent model, {w['rebuilds']} "
        f"rebuilt; on the subset the two paths' objectives agree in {w['agree']} of "
        f"{w['subset']} (1e-9 relative).",
        f"Robustness: {s['rebuilt_in_fast']} of {s['count']} samples needed a rebuild inside "
        f"the fast path; on the subset the objectives agree in {s['agree']} and the sets of "
        f"cores in {s['cores_agree']} of {s['subset']}.",
        "",
        f"Three-term front of the baseline (fit, export, coop; AUGMECON2, grid {f['grid']} per "
        f"constrained term): {f['points']} points, {f['solves']} solves (payoff table "
        f"included), {f['seconds']:.1f} s ({f['cpu_s']:.1f} s CPU).",
        "",
    ]
    return "\n".join(lines)


LOAD_AT_START = "unknown"


def main(argv: list[str] | None = None) -> int:
    global LOAD_AT_START
    if hasattr(os, "getloadavg"):
        LOAD_AT_START = f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--subset", type=int, default=50)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "bench" / "research.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-front", action="store_true")
    args = parser.parse_args(argv)
    loaded = load_scenario(BASELINE)
    weights = bench_weights(loaded, args.variants, min(args.subset, args.variants))
    print(f"weights: {weights}", flush=True)
    samples = bench_samples(args.samples, min(args.subset, args.samples))
    print(f"samples: {samples}", flush=True)
    front = (
        {"points": 0, "solves": 0, "seconds": 0.0, "cpu_s": 0.0, "grid": 0}
        if args.no_front
        else bench_front(loaded)
    )
    print(f"front: {front}", flush=True)
    text = report(weights, samples, front)
    print()
    print(text)
    if not args.no_write:
        args.out.write_text(text, encoding="utf-8")
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
