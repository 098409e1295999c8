r"""Sensitivity of a siting to the basis of its data: which cores rest on which estimates.

Every activity and export row carries a basis (:mod:`model.basis`: official, stated, proxy,
size-class default, ...; ``unstated`` when the region files do not say). This analysis solves
the scenario once as it is (the baseline), then twice more for every basis present in the
region's activity or export rows:

**drop** ``b``: every activity row and every export row of basis ``b`` is removed (a pair's
rows of the other bases stay). What it asks: does the siting survive without these figures?

**replace** ``b``: the rows of basis ``b`` are replaced by a neutral alternative that carries
no district-specific information:

* activity: for each sector ``s``, the basis's total :math:`T_{b,s} = \sum_i v_{b,s,i}` is
  spread over *all* districts in proportion to population,

  .. math:: \tilde v_{b,s,i} = T_{b,s} \cdot P_i / \sum_j P_j,

  so each sector's total (and each basis's total per sector) is kept exactly, while where the
  activity sits follows population only. It is impossible when a district has no population
  figure or the region's population is 0; the variant then says so in its note and leaves
  the activity of ``b`` out (as drop does).
* exports: each export row of basis ``b`` in sector ``s`` gets the mean share of the sector's
  *other* rows (rows of ``s`` whose basis is not ``b``), lowered where needed so that the
  (district, sector) total stays at most 1. Row count is kept, the sector total is not. A sector
  with no other row has no neutral alternative: the note says so and those rows are left out.

A replace variant in which nothing could be replaced is not solved: its status is
``not_possible`` and its note gives the reason. A variant whose activity has no positive value
left is not solved either (status ``no_data_left``): no location quotient exists. A variant
whose solve is infeasible or ends without a solution keeps the solver's status (``infeasible``,
``time_limit``, ``error``); one whose solve raises a program error is ``failed`` with the
message. None of these stops the analysis.

For every core (k, i) of the baseline optimum a variant says ``kept`` (the variant sites a
core of k in i), ``moved to j`` (it does not, and sites k in j instead), or ``not sited``.

**Rests on**: for each core (k, i) of the baseline, the weighted activity of its type in its
district, :math:`A_{k,i} = \sum_s w_{k,s} v_{s,i}`, split by basis,
:math:`A_{k,i,b} = \sum_s w_{k,s} v_{b,s,i}`, and each basis's share :math:`A_{k,i,b} /
A_{k,i}`. A core is flagged ``single estimated row`` when the positive activity rows of its
district in its type's sectors are exactly one row and its basis is an estimate
(:func:`model.basis.is_estimate`), ``estimates only`` when there are several and all are
estimates, and ``no activity`` when there is none. This is the numerator of the core's
location quotients; their denominators (the district's and the sector's totals) rest on the
whole file, which the drop and replace variants test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, field, fields, replace

import pandas as pd

from model.basis import BASES, UNSTATED, is_estimate
from model.errors import ClusterSiteError, InputError
from model.pipeline import RunResult, SolutionCheckError, solve
from model.region import Region

Core = tuple[str, str]
MODES = ("drop", "replace")
NO_DATA_LEFT = "no_data_left"
NOT_POSSIBLE = "not_possible"
FAILED = "failed"


@dataclass(frozen=True)
class Variant:
    """One re-solve: a basis dropped or replaced, and what came of it."""

    mode: str  # drop or replace
    basis: str
    status: str  # the solver's status, or no_data_left, not_possible, failed
    objective: float | None
    cores: frozenset[Core]
    activity_rows: int  # activity rows of the basis removed or replaced
    export_rows: int  # export rows of the basis removed or replaced
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.mode} {self.basis}"

    @property
    def column(self) -> str:
        """The variant's column in cores.csv: mode:basis."""
        return f"{self.mode}:{self.basis}"

    @property
    def solved(self) -> bool:
        return (
            self.status not in (NO_DATA_LEFT, NOT_POSSIBLE, FAILED) and self.objective is not None
        )


@dataclass(frozen=True)
class Sensitivity:
    """The baseline, every variant, and what each baseline core rests on."""

    baseline: RunResult
    bases: list[str]
    variants: list[Variant]
    rests_on: pd.DataFrame  # cluster_type, district, basis, weighted_activity, share, rows
    flags: dict[Core, str] = field(default_factory=dict)  # per core: a flag or ""

    def outcome(self, core: Core, variant: Variant, names: dict[str, str] | None = None) -> str:
        """kept, moved to j, not sited, or the variant's status when it has no siting.

        ``names`` shows district names instead of ids.
        """
        if not variant.solved:
            return variant.status
        if core in variant.cores:
            return "kept"
        k = core[0]
        elsewhere = sorted(j for kk, j in variant.cores if kk == k and (kk, j) not in self.cores)
        shown = [names.get(j, j) for j in elsewhere] if names else elsewhere
        return f"moved to {', '.join(shown)}" if shown else "not sited"

    @property
    def cores(self) -> list[Core]:
        """The baseline's cores, in type order then district."""
        order = {k: n for n, k in enumerate(self.baseline.instance.types)}
        return sorted(self.baseline.core_set(), key=lambda c: (order.get(c[0], 0), c[1]))

    def rows(self) -> list[VariantRow]:
        """One row per solve, the baseline first (variants.csv)."""
        base = self.baseline
        rows = [
            VariantRow(
                "baseline",
                "",
                base.status,
                base.objective,
                0.0,
                len(self.cores),
                0,
                _cores_text(base.core_set()),
                0,
                0,
                "",
            )
        ]
        for v in self.variants:
            outcomes = [self.outcome(c, v) for c in self.cores]
            change = (
                v.objective - base.objective
                if v.objective is not None and base.objective is not None
                else None
            )
            kept = sum(o == "kept" for o in outcomes)
            rows.append(
                VariantRow(
                    v.mode,
                    v.basis,
                    v.status,
                    v.objective,
                    change,
                    kept if v.solved else None,
                    len(outcomes) - kept if v.solved else None,
                    _cores_text(v.cores) if v.solved else "",
                    v.activity_rows,
                    v.export_rows,
                    v.note,
                )
            )
        return rows

    def variants_table(self) -> pd.DataFrame:
        """variants.csv: :meth:`rows` as a table."""
        columns = [f.name for f in fields(VariantRow)]
        table = pd.DataFrame([astuple(r) for r in self.rows()], columns=columns)
        return table.astype({"cores_kept": "Int64", "cores_moved": "Int64"})

    def summary_of(self, core: Core) -> CoreSummary:
        """A core's weighted activity, rows, estimated share, flag and rests-on text."""
        part = self.rests_on[
            (self.rests_on["cluster_type"] == core[0]) & (self.rests_on["district"] == core[1])
        ]
        shares = {str(b): float(s) for b, s in zip(part["basis"], part["share"], strict=True)}
        return CoreSummary(
            weighted_activity=float(part["weighted_activity"].sum()),
            rows=int(part["rows"].sum()),
            estimated_share=float(part.loc[part["estimate"], "share"].sum()),
            flag=self.flags.get(core, ""),
            rests_on=rests_on_text(part),
            shares=shares,
        )

    def cores_table(self) -> pd.DataFrame:
        """cores.csv: per baseline core its weighted activity, shares by basis, outcomes."""
        rows = []
        for core in self.cores:
            found = self.summary_of(core)
            row: dict[str, object] = {
                "cluster_type": core[0],
                "district": core[1],
                "weighted_activity": found.weighted_activity,
                "rows": found.rows,
                "estimated_share": found.estimated_share,
                "flag": found.flag,
                "rests_on": found.rests_on,
            }
            for basis in self.bases:
                row[f"share_{basis}"] = found.shares.get(basis, 0.0)
            for v in self.variants:
                row[v.column] = self.outcome(core, v)
            rows.append(row)
        columns = ["cluster_type", "district", "weighted_activity", "rows", "estimated_share"]
        columns += ["flag", "rests_on", *[f"share_{b}" for b in self.bases]]
        columns += [v.column for v in self.variants]
        return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class VariantRow:
    """One line of variants.csv."""

    mode: str
    basis: str
    status: str
    objective: float | None
    objective_change: float | None
    cores_kept: int | None
    cores_moved: int | None
    cores: str
    activity_rows: int
    export_rows: int
    note: str


@dataclass(frozen=True)
class CoreSummary:
    """What one baseline core rests on."""

    weighted_activity: float
    rows: int
    estimated_share: float
    flag: str
    rests_on: str
    shares: dict[str, float]


def _cores_text(cores: Iterable[Core]) -> str:
    return ";".join(f"{k}@{i}" for k, i in sorted(cores))


def rests_on_text(part: pd.DataFrame) -> str:
    """'stated 62%; group_default 38%' from a core's rows of the rests-on table."""
    shown = part[part["share"] > 0].sort_values(["share", "basis"], ascending=[False, True])
    return "; ".join(f"{b} {s:.0%}" for b, s in zip(shown["basis"], shown["share"], strict=True))


def with_bases(region: Region) -> Region:
    """The region with a basis column on both tables (``unstated`` where a table has none)."""
    activity, exports = region.activity, region.exports
    if "basis" not in activity:
        activity = activity.assign(basis=UNSTATED)
    if "basis" not in exports:
        exports = exports.assign(basis=UNSTATED)
    return replace(region, activity=activity, exports=exports)


def bases_present(region: Region) -> list[str]:
    """Every basis of an activity or export row, in the order of :data:`model.basis.BASES`."""
    found = set(region.activity["basis"]) | set(region.exports["basis"])
    known = [b for b in BASES if b in found]
    return known + sorted(str(b) for b in found - set(BASES))


def drop_basis(region: Region, basis: str) -> Region:
    """The region without the activity and export rows of ``basis``."""
    activity = region.activity[region.activity["basis"] != basis].reset_index(drop=True)
    exports = region.exports[region.exports["basis"] != basis].reset_index(drop=True)
    return replace(region, activity=activity, exports=exports)


def replace_basis(region: Region, basis: str) -> tuple[Region, list[str], bool]:
    """The region with the rows of ``basis`` replaced (module docstring).

    Returns the region, notes on what could not be replaced, and whether anything was.
    """
    notes: list[str] = []
    replaced_any = False
    activity = region.activity
    own = activity[activity["basis"] == basis]
    rest = activity[activity["basis"] != basis]
    if not own.empty:
        population = region.districts["population"].astype(float)
        missing = [str(d) for d in population.index[population.isna()]]
        total_population = float(population.sum()) if not missing else 0.0
        if missing or not total_population > 0:
            why = (
                f"no population for {', '.join(missing[:5])}"
                if missing
                else "the region's population is 0"
            )
            notes.append(f"activity of {basis} not replaced ({why}): left out")
            activity = rest.reset_index(drop=True)
        else:
            totals = own.groupby("sector")["value"].sum()
            spread = [
                {
                    "district": district,
                    "sector": sector,
                    "value": float(total) * float(people) / total_population,
                    "basis": basis,
                    "year": float("nan"),
                    "note": "replaced: spread by population",
                }
                for sector, total in totals.items()
                if total > 0
                for district, people in population.items()
            ]
            added = pd.DataFrame(spread, columns=list(activity.columns))
            activity = pd.concat([rest, added], ignore_index=True) if spread else rest
            activity = activity.astype({"value": float}).reset_index(drop=True)
            replaced_any = True
    exports = region.exports
    own_exports = exports[exports["basis"] == basis]
    if not own_exports.empty:
        others = exports[exports["basis"] != basis]
        means = others.groupby("sector")["share"].mean()
        pair_other = others.groupby(["district", "sector"])["share"].sum()
        lonely = sorted(set(own_exports["sector"]) - set(means.index))
        if lonely:
            notes.append(
                f"exports of {basis} in {', '.join(map(str, lonely))} not replaced "
                "(no other rows of the sector to average): left out"
            )
        new = own_exports[own_exports["sector"].isin(means.index)].copy()
        if not new.empty:
            room = [
                1.0 - float(pair_other.get((d, s), 0.0))
                for d, s in zip(new["district"], new["sector"], strict=True)
            ]
            new["share"] = [
                max(0.0, min(float(means[s]), r)) for s, r in zip(new["sector"], room, strict=True)
            ]
            new["note"] = "replaced: sector mean of the other rows"
            replaced_any = True
        exports = pd.concat([others, new], ignore_index=True).astype({"share": float})
    return replace(region, activity=activity, exports=exports), notes, replaced_any


def rests_on(region: Region, cores: Iterable[Core]) -> tuple[pd.DataFrame, dict[Core, str]]:
    """Per core and basis the weighted activity and its share; a flag per core (docstring)."""
    activity = region.activity
    rows = []
    flags: dict[Core, str] = {}
    for k, i in cores:
        weights = {s: w for s, w in region.clusters[k].sectors.items() if w > 0}
        here = activity[(activity["district"] == i) & activity["sector"].isin(list(weights))]
        here = here[here["value"] > 0]
        weighted = here["value"] * here["sector"].map(weights)
        by_basis = weighted.groupby(here["basis"]).sum()
        counts = here.groupby("basis").size()
        total = float(by_basis.sum())
        for basis, amount in by_basis.items():
            rows.append(
                {
                    "cluster_type": k,
                    "district": i,
                    "basis": str(basis),
                    "estimate": is_estimate(str(basis)),
                    "weighted_activity": float(amount),
                    "share": float(amount) / total if total > 0 else 0.0,
                    "rows": int(counts.get(basis, 0)),
                }
            )
        estimated = [is_estimate(str(b)) for b in here["basis"]]
        if not estimated:
            flags[(k, i)] = "no activity"
        elif len(estimated) == 1 and estimated[0]:
            flags[(k, i)] = "single estimated row"
        elif all(estimated):
            flags[(k, i)] = "estimates only"
        else:
            flags[(k, i)] = ""
    columns = ["cluster_type", "district", "basis", "estimate", "weighted_activity", "share"]
    table = pd.DataFrame(rows, columns=[*columns, "rows"])
    return table.astype({"estimate": bool}), flags


def _solve_variant(
    result: RunResult, mode: str, basis: str, region: Region, rows: tuple[int, int], note: str
) -> Variant:
    """Solve one variant; a variant that cannot be solved says why instead of raising."""
    if not (region.activity["value"] > 0).any():
        return Variant(mode, basis, NO_DATA_LEFT, None, frozenset(), *rows, note=note)
    try:
        run = solve(result.loaded, region)
    except SolutionCheckError:
        raise  # a bug of the program: exit 1 as for any run
    except ClusterSiteError as err:
        return Variant(mode, basis, FAILED, None, frozenset(), *rows, note=str(err))
    if not run.has_solution:
        reason = "; ".join(run.diagnosis)
        note = "; ".join(p for p in (note, reason) if p)
    cores = run.core_set() if run.has_solution else frozenset()
    return Variant(mode, basis, run.status, run.objective, cores, *rows, note=note)


def sensitivity(result: RunResult, modes: Iterable[str] = MODES) -> Sensitivity:
    """Re-solve the run's scenario with each basis dropped and replaced (module docstring).

    ``result`` is the baseline run; it must hold a siting.
    """
    if not result.has_solution:
        raise InputError(
            result.loaded.path or "<scenario>",
            None,
            f"the run ended {result.status}; there is no siting to test",
        )
    region = with_bases(result.region)
    bases = bases_present(region)
    variants: list[Variant] = []
    for basis in bases:
        rows = (
            int((region.activity["basis"] == basis).sum()),
            int((region.exports["basis"] == basis).sum()),
        )
        for mode in modes:
            if mode == "drop":
                variants.append(
                    _solve_variant(result, mode, basis, drop_basis(region, basis), rows, "")
                )
                continue
            changed, notes, replaced_any = replace_basis(region, basis)
            if not replaced_any:
                variants.append(
                    Variant(
                        mode, basis, NOT_POSSIBLE, None, frozenset(), *rows, note="; ".join(notes)
                    )
                )
                continue
            variants.append(_solve_variant(result, mode, basis, changed, rows, "; ".join(notes)))
    table, flags = rests_on(region, result.core_set())
    return Sensitivity(result, bases, variants, table, flags)
