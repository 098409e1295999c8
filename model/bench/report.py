r"""Benchmark report: solved counts, shifted geometric means and performance profiles.

- A run is **solved** when its status is ``optimal`` and its solution passed the independent
  check. Its time is the solver's wall time (hand-off included); an unsolved run is charged
  the time limit.
- A run is **over licence limit** when the solver's licence refused the model (a free edition's
  size limit, or no usable licence): neither solved nor unsolved. The instances where any
  compared solver has such a run are left out of the SGM and the performance profile, which
  are computed over the **compared instances**, those every solver could take.
- **Shifted geometric mean** (Achterberg 2007; Mittelmann's benchmarks), shift :math:`s = 10`
  seconds: :math:`\mathrm{SGM} = \exp\big(\frac1n \sum_r \ln(t_r + s)\big) - s` over every run
  (compared instance × seed) of a solver; NaN when no instance is compared.
- **Performance profile** (Dolan & Moré 2002): per instance, :math:`t_{p,s}` is the mean time of
  solver *s* over the seeds (unsolved if any seed is unsolved), :math:`r_{p,s} = t_{p,s} /
  \min_s t_{p,s}`, and :math:`\rho_s(\tau)` the share of instances with :math:`r_{p,s} \le
  \tau`; unsolved instances never count.
- **Consistency**: runs that claim optimality on one instance must agree on the objective
  (relative 1e-6), no checked solution may beat another run's bound, and no run may call an
  instance infeasible that another run solved; each refuted claim is listed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

SHIFT_S = 10.0
AGREEMENT = 1e-6
OVER_LICENCE_LIMIT = "over_licence_limit"  # as model.bench.runner writes it


def over_limit_mask(runs: pd.DataFrame) -> pd.Series:
    """Runs the solver's licence refused."""
    return runs["status"] == OVER_LICENCE_LIMIT


def compared_instances(runs: pd.DataFrame) -> list[str]:
    """Instances that no solver's licence refused, in the order of the runs."""
    refused = set(runs.loc[over_limit_mask(runs), "instance"])
    return [name for name in runs["instance"].drop_duplicates() if name not in refused]


def over_limit_by_solver(runs: pd.DataFrame) -> dict[str, list[str]]:
    """Per solver, the instances its licence refused (solvers without any left out)."""
    refused = runs[over_limit_mask(runs)]
    return {
        str(solver): list(group["instance"].drop_duplicates())
        for solver, group in refused.groupby("solver", sort=False)
    }


def solved_mask(runs: pd.DataFrame) -> pd.Series:
    """Optimal and checked."""
    return (runs["status"] == "optimal") & (runs["check"] == "ok")


def charged_times(runs: pd.DataFrame) -> pd.Series:
    """Solve time of solved runs; the time limit for the others."""
    times = pd.to_numeric(runs["solve_s"], errors="coerce").fillna(np.inf)
    limit = pd.to_numeric(runs["time_limit"], errors="coerce")
    return times.where(solved_mask(runs), limit).clip(upper=limit)


def shifted_geometric_mean(times: list[float] | np.ndarray, shift: float = SHIFT_S) -> float:
    """exp(mean(ln(t + shift))) − shift."""
    values = np.asarray(times, dtype=float)
    if values.size == 0:
        return math.nan
    return float(np.exp(np.mean(np.log(values + shift))) - shift)


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per solver: runs, solved, time-limit stops, errors, failed checks, runs over its licence
    limit, and the SGM of time over the compared instances."""
    compared = set(compared_instances(runs))
    frame = runs.assign(
        solved=solved_mask(runs),
        charged=charged_times(runs),
        compared=runs["instance"].isin(compared),
    )
    rows = []
    for solver, group in frame.groupby("solver", sort=False):
        rows.append(
            {
                "solver": solver,
                "version": str(group["solver_version"].dropna().iloc[0])
                if group["solver_version"].notna().any()
                else "",
                "runs": len(group),
                "solved": int(group["solved"].sum()),
                "time_limit": int((group["status"] == "time_limit").sum()),
                "errors": int((group["status"] == "error").sum()),
                "failed_checks": int((group["check"] == "failed").sum()),
                "over_licence_limit": int(over_limit_mask(group).sum()),
                "sgm_s": round(
                    shifted_geometric_mean(group.loc[group["compared"], "charged"].to_numpy()), 3
                ),
            }
        )
    return pd.DataFrame(rows)


def instance_times(runs: pd.DataFrame) -> pd.DataFrame:
    """Compared instance × solver mean time over seeds; NaN where any seed is unsolved."""
    solvers = list(runs["solver"].drop_duplicates())
    runs = runs[runs["instance"].isin(compared_instances(runs))]
    frame = runs.assign(solved=solved_mask(runs), time=pd.to_numeric(runs["solve_s"]))
    grouped = frame.groupby(["instance", "solver"], sort=False)
    mean = grouped["time"].mean().where(grouped["solved"].all())
    if mean.empty:  # nothing compared: an empty table that still has every solver's column
        return pd.DataFrame(columns=solvers, dtype=float)
    return mean.unstack("solver").reindex(columns=solvers)


def performance_ratios(times: pd.DataFrame) -> pd.DataFrame:
    """r[p, s] = t[p, s] / min_s t[p, s]; inf where unsolved (NaN rows: nobody solved)."""
    best = times.min(axis=1, skipna=True)
    ratios = times.div(best, axis=0)
    return ratios.fillna(np.inf)


def profile(ratios: pd.Series, taus: np.ndarray) -> np.ndarray:
    """ρ(τ): share of instances with ratio ≤ τ."""
    values = ratios.to_numpy(dtype=float)
    return np.array([(values <= tau).mean() if values.size else 0.0 for tau in taus])


def plot_profiles(times: pd.DataFrame, path: Path) -> Path:
    """Dolan–Moré performance profile plot (log2 τ axis) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = performance_ratios(times)
    finite = ratios.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    top = max(2.0, float(finite.max()) * 1.5 if finite.size else 2.0)
    taus = np.logspace(0, math.log2(top), 400, base=2.0)
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for solver in ratios.columns:
        axes.step(taus, profile(ratios[solver], taus), where="post", label=str(solver))
    axes.set_xscale("log", base=2)
    axes.set_xlim(1, top)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("τ (time within a factor τ of the fastest solver)")
    axes.set_ylabel("share of instances")
    axes.set_title(f"Performance profile ({len(ratios)} instances)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def disagreements(runs: pd.DataFrame, sense: str = "max") -> list[str]:
    """Claims that the runs of one instance refute: optimal runs with different objectives, a
    bound that a checked solution of another run beats, 'infeasible' beside a checked
    solution. ``sense``: the instances' objective sense (the siting model maximises)."""
    found = []
    for instance, group in runs.groupby("instance", sort=False):
        checked = group[group["check"] == "ok"]
        values = pd.to_numeric(checked["objective"], errors="coerce").dropna()
        optimal = pd.to_numeric(group[solved_mask(group)]["objective"], errors="coerce")
        if len(optimal) and optimal.max() - optimal.min() > _slack(optimal.max()):
            pairs = ", ".join(
                f"{s}:{v:.9g}"
                for s, v in zip(group[solved_mask(group)]["solver"], optimal, strict=True)
            )
            found.append(f"{instance}: optimal objectives differ ({pairs})")
        if len(values):
            best = values.max() if sense == "max" else values.min()
            for row in group.itertuples(index=False):
                bound = _number(row.bound)
                beaten = (
                    best > bound + _slack(best) if sense == "max" else best < bound - _slack(best)
                )
                if not math.isnan(bound) and beaten:
                    found.append(
                        f"{instance}: {row.solver} (seed {row.seed}) reports bound {bound:.9g}, "
                        f"but a checked solution has {best:.9g}"
                    )
                if row.status == "infeasible":
                    found.append(
                        f"{instance}: {row.solver} (seed {row.seed}) reports infeasible, but a "
                        f"checked solution exists ({best:.9g})"
                    )
    return found


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _slack(value: float) -> float:
    return AGREEMENT * max(1.0, abs(float(value)))


def write_report(
    runs: pd.DataFrame, folder: Path, skipped: dict[str, str], title: str = "Solver benchmark"
) -> Path:
    """report.md, summary.csv and profile.png in ``folder``."""
    summary = summary_table(runs)
    summary.to_csv(folder / "summary.csv", index=False)
    times = instance_times(runs)
    plot_profiles(times, folder / "profile.png")
    limit = runs["time_limit"].iloc[0] if len(runs) else ""
    compared = compared_instances(runs)
    refused = over_limit_by_solver(runs)
    lines = [
        f"# {title}",
        "",
        f"{runs['instance'].nunique()} instances × {runs['solver'].nunique()} solvers × "
        f"{runs['seed'].nunique()} seeds = {len(runs)} runs; time limit {limit} s; one thread "
        "per run.",
        "",
        "Solved = optimal and the solution passed the independent check. Over licence limit = "
        "the solver's licence refused the model (a free edition's size limit): neither solved "
        "nor unsolved. SGM = shifted geometric mean of time, shift "
        f"{SHIFT_S:g} s, unsolved runs charged the time limit, over the {len(compared)} of "
        f"{runs['instance'].nunique()} instances that every solver could take (the performance "
        "profile too).",
        "",
        _markdown(summary),
        "",
        "![performance profile](profile.png)",
        "",
    ]
    if refused:
        lines += ["Over licence limit (left out of the SGM and the profile):", ""]
        lines += [f"- {name}: {', '.join(found)}" for name, found in refused.items()]
        lines.append("")
    if skipped:
        lines += ["Solvers not run (not installed):", ""]
        lines += [f"- {name}: {hint}" for name, hint in skipped.items()]
        lines.append("")
    problems = disagreements(runs)
    lines += [
        "Claims refuted by other runs:" if problems else "No run's claim is refuted by another.",
        "",
    ]
    lines += [f"- {p}" for p in problems]
    hardware = runs[["host", "cpu", "cores", "memory_gb", "python"]].drop_duplicates()
    lines += ["", "Hardware:", "", _markdown(hardware), ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])
