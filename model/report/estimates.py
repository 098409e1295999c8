"""Which numbers of a run rest on estimates, number by number.

Every figure of a core that the outputs print (an LQ, the fit, the export orientation) comes
from rows of ``activity.csv`` or ``exports.csv``, and each row carries a basis
(:mod:`model.basis`). This module gathers, for one figure, the rows behind it: a
:class:`Composition` of values per basis, from which the outputs say how much of the figure is
estimated, on which bases and from which year.

What counts as the rows behind a figure:

- the LQ of sector *s* in district *i*: the activity rows of (*i*, *s*);
- the fit of type *k* in district *i*: the activity rows of *i* in the sectors of *k* (its
  *own-sector activity*);
- the export orientation of *k* in *i*: the export-share rows of *i* in the sectors of *k*,
  each weighted by the sector's weight in *k* (so the estimated share is the share of the
  figure itself).

The LQ and the fit also depend on the district's and the region's totals; the marks look at the
numerator rows only, the rows that make the district stand out.

A figure is *marked* (``†``) when more than ``MAJORITY`` (half) of what lies behind it is
estimated. The sentences in "Why here" state any estimated part, marked or not. Rows of basis
``unstated`` are neither estimates nor measured figures: the outputs say "basis not stated in
the region files".

A core is *greenfield* when its own-sector activity is 0
(:func:`model.indicators.own_sector_activity`): nothing of its kind exists in the district.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from model.basis import UNSTATED, is_estimate, label
from model.indicators import own_sector_activity
from model.pipeline import RunResult
from model.region import ClusterType, Region
from model.report.map_data import MapMarks

MARK = "†"
MAJORITY = 0.5  # a figure is marked when more than this share of what lies behind it is estimated
MARK_NOTE = (
    f"{MARK} rests on estimates (more than {MAJORITY:.0%} of the activity or export share behind "
    "it is estimated)"
)
UNSTATED_TEXT = "basis not stated in the region files"


def _when(year: int | None, basis: str) -> str:
    """' (2021)', or ' (undated)' for a row of a known basis whose source gives no year."""
    if year is not None:
        return f" ({year})"
    return "" if basis == UNSTATED else " (undated)"


@dataclass(frozen=True)
class Part:
    """The rows of one basis behind a figure."""

    basis: str
    value: float
    rows: int
    year: int | None  # the oldest year among these rows, if any states one
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> bool:
        return is_estimate(self.basis)


@dataclass(frozen=True)
class Composition:
    """What a figure rests on: its positive rows grouped by basis, largest part first."""

    parts: tuple[Part, ...] = ()

    @property
    def total(self) -> float:
        return math.fsum(p.value for p in self.parts)

    @property
    def estimated(self) -> float:
        return math.fsum(p.value for p in self.parts if p.estimate)

    @property
    def estimated_share(self) -> float:
        """The estimated part of the total, 0..1 (0 when there is nothing)."""
        total = self.total
        return min(1.0, self.estimated / total) if total > 0 else 0.0

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)

    @property
    def bases(self) -> list[str]:
        return sorted(p.basis for p in self.parts)

    @property
    def oldest_year(self) -> int | None:
        years = [p.year for p in self.parts if p.year is not None]
        return min(years) if years else None

    @property
    def has_estimate(self) -> bool:
        return any(p.estimate for p in self.parts)

    @property
    def marked(self) -> bool:
        """More than ``MAJORITY`` of the figure rests on estimates."""
        return self.estimated_share > MAJORITY

    @property
    def single_estimated_row(self) -> bool:
        """The figure rests on exactly one row, and that row is an estimate."""
        return self.rows == 1 and self.parts[0].estimate

    @property
    def unstated_only(self) -> bool:
        return bool(self.parts) and all(p.basis == UNSTATED for p in self.parts)

    def mark(self) -> str:
        return MARK if self.marked else ""


Row = tuple[str, float, str, float, str]  # sector, value, basis, year (NaN: none), note


class Rows:
    """The rows of ``region.activity`` (``value="value"``) or ``region.exports``
    (``value="share"``), grouped by district once for fast look-ups."""

    def __init__(self, frame: pd.DataFrame, value: str) -> None:
        self.by_district: dict[str, list[Row]] = {}
        if frame.empty:
            return
        size = len(frame)
        for district, sector, amount, basis, year, note in zip(
            frame["district"],
            frame["sector"],
            frame[value].astype(float),
            frame["basis"] if "basis" in frame else [UNSTATED] * size,
            frame["year"] if "year" in frame else [math.nan] * size,
            frame["note"] if "note" in frame else [""] * size,
            strict=True,
        ):
            self.by_district.setdefault(str(district), []).append(
                (
                    str(sector),
                    float(amount),
                    str(basis),
                    float(year),
                    note if isinstance(note, str) else "",
                )
            )

    def of(self, district: str) -> list[Row]:
        return self.by_district.get(district, [])


def compose(rows: Iterable[Row], weights: Mapping[str, float]) -> Composition:
    """The rows in the sectors of ``weights``, each value times its weight, grouped by basis.

    Rows of value 0 and sectors of weight 0 are left out.
    """
    groups: dict[str, list[tuple[float, float, str]]] = {}
    for sector, value, basis, year, note in rows:
        weighted = value * float(weights.get(sector, 0.0))
        if weighted > 0:
            groups.setdefault(basis, []).append((weighted, year, note))
    parts = []
    for basis, chosen in groups.items():
        years = [int(y) for _, y, _ in chosen if not math.isnan(y)]
        notes = tuple(sorted({n for _, _, n in chosen if n}))
        parts.append(
            Part(
                basis,
                math.fsum(v for v, _, _ in chosen),
                len(chosen),
                min(years) if years else None,
                notes,
            )
        )
    parts.sort(key=lambda p: (-p.value, p.basis))
    return Composition(tuple(parts))


def composition(
    frame: pd.DataFrame, value: str, district: str, weights: Mapping[str, float]
) -> Composition:
    """The rows of ``district`` in the sectors of ``weights`` (see :func:`compose`)."""
    return compose(Rows(frame, value).of(district), weights)


def amount(value: float) -> str:
    """An activity or share figure in words: thousands separated, few digits when small."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def describe(c: Composition, what: str = "") -> str:
    """The basis of a figure in a few words ('' when it rests on stated or official rows only).

    E.g. "67% estimated, on 150: 100 size-class default for a named firm (2021), 50 headcount
    stated by a source (2023)"; "basis not stated in the region files".
    """
    if not c.parts:
        return ""
    if c.unstated_only:
        return UNSTATED_TEXT
    if not c.has_estimate and not any(p.basis == UNSTATED for p in c.parts):
        return ""
    parts = ", ".join(
        f"{amount(p.value)} {label(p.basis)}" + _when(p.year, p.basis) for p in c.parts
    )
    share = "all estimated" if c.estimated_share >= 1 else f"{c.estimated_share:.0%} estimated"
    on = f"on {what} {amount(c.total)}" if what else f"on {amount(c.total)}"
    return f"{share}, {on}: {parts}"


@dataclass(frozen=True)
class SiteBasis:
    """The rows behind the figures of a type in a district (a core or a member)."""

    cluster_type: str
    district: str
    own: Composition  # own-sector activity: what the fit rests on
    sectors: dict[str, Composition]  # per sector of the type: what its LQ rests on
    export: Composition  # export shares weighted by the type's sector weights
    greenfield: bool

    @property
    def rests_on_estimates(self) -> bool:
        return self.own.marked or self.export.marked

    @property
    def bases(self) -> list[str]:
        return sorted(set(self.own.bases) | set(self.export.bases))

    @property
    def oldest_year(self) -> int | None:
        years = [y for y in (self.own.oldest_year, self.export.oldest_year) if y is not None]
        return min(years) if years else None


def site_basis(
    region: Region,
    own: pd.DataFrame,
    cluster_type: str,
    district: str,
    rows: tuple[Rows, Rows] | None = None,
) -> SiteBasis:
    """The basis of type ``cluster_type`` in ``district``; ``own`` from ``own_sectors``.

    ``rows``: the region's activity and export rows grouped once (built here when None).
    """
    activity, exports = rows or region_rows(region)
    cluster = region.clusters[cluster_type]
    positive = {s: w for s, w in cluster.sectors.items() if w > 0}
    here = activity.of(district)
    return SiteBasis(
        cluster_type,
        district,
        compose(here, dict.fromkeys(positive, 1.0)),
        {s: compose(here, {s: 1.0}) for s in positive},
        compose(exports.of(district), positive),
        _greenfield(own, cluster_type, district),
    )


def region_rows(region: Region) -> tuple[Rows, Rows]:
    """The region's activity and export rows, grouped by district."""
    return Rows(region.activity, "value"), Rows(region.exports, "share")


def own_sectors(activity_wide: pd.DataFrame, clusters: Mapping[str, ClusterType]) -> pd.DataFrame:
    """Own-sector activity, type × district (see :func:`model.indicators.own_sector_activity`)."""
    return own_sector_activity(activity_wide, clusters)


def _greenfield(own: pd.DataFrame, cluster_type: str, district: str) -> bool:
    if cluster_type not in own.index or district not in own.columns:
        return True
    return not float(own[district][cluster_type]) > 0


@dataclass(frozen=True)
class SitingBasis:
    """A sited cluster's core and members with the rows behind their figures."""

    cluster_type: str
    core: SiteBasis
    members: dict[str, SiteBasis] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """The fields summary.json adds to a siting (no timings: reruns stay identical)."""
        own = self.core.own
        return {
            "estimated_share": round(own.estimated_share, 6),
            "bases": own.bases,
            "oldest_year": own.oldest_year,
            "single_estimated_row": own.single_estimated_row,
            "export_estimated_share": round(self.core.export.estimated_share, 6),
            "export_bases": self.core.export.bases,
            "rests_on_estimates": self.core.rests_on_estimates,
            "members_on_estimates": sorted(
                m for m, b in self.members.items() if b.rests_on_estimates
            ),
            "greenfield": self.core.greenfield,
        }


def run_bases(result: RunResult) -> list[SitingBasis]:
    """One entry per siting of ``result``, in the order of ``result.sitings()``."""
    if not result.has_solution:
        return []
    own = own_sectors(result.tables.activity, result.region.clusters)
    rows = region_rows(result.region)
    out = []
    for siting in result.sitings():
        k = siting.cluster_type
        out.append(
            SitingBasis(
                k,
                site_basis(result.region, own, k, siting.core, rows),
                {m: site_basis(result.region, own, k, m, rows) for m in siting.members},
            )
        )
    return out


def map_notice(bases: Iterable[SitingBasis], short: bool = False) -> str | None:
    """One line for the foot of a map: how many cores and members rest on estimates.

    None when no figure of a core or member rests on an estimate or on an unstated basis.
    """
    chosen = list(bases)
    members = [m for b in chosen for m in b.members.values()]
    return notice(
        cores=len(chosen),
        marked=sum(1 for b in chosen if b.core.rests_on_estimates),
        partly=sum(
            1
            for b in chosen
            if not b.core.rests_on_estimates
            and (b.core.own.has_estimate or b.core.export.has_estimate)
        ),
        members=len(members),
        marked_members=sum(1 for m in members if m.rests_on_estimates),
        unstated=sum(1 for b in chosen if b.core.own.unstated_only),
        short=short,
    )


def notice(
    cores: int,
    marked: int,
    partly: int,
    members: int,
    marked_members: int,
    unstated: int,
    short: bool = False,
) -> str | None:
    """The map's estimate notice from counts (also rebuilt from a saved summary.json).

    ``short``: a few words for a small map of the comparison.
    """
    if not cores:
        return None
    if short:
        if marked or partly or marked_members:
            text = f"{MARK} estimates: {marked} of {_count(cores, 'core')}"
            text += f" (+{partly} partly)" if partly else ""
            return text + (f", {marked_members} of {_count(members, 'member')}" if members else "")
        return f"basis not stated: {unstated} of {_count(cores, 'core')}" if unstated else None
    if marked or partly or marked_members:
        text = (
            f"{MARK} Activity and export figures rest on estimates (more than half estimated) "
            f"for {marked} of {_count(cores, 'core')}"
        )
        if partly:
            text += f" ({partly} more partly estimated)"
        if members:
            text += f" and {marked_members} of {_count(members, 'member')}"
        return text + "; see Why here in the report."
    if unstated:
        return (
            f"Activity figures of {unstated} of {_count(cores, 'core')}: {UNSTATED_TEXT} "
            "(not known whether measured or estimated)."
        )
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def greenfield_cores(bases: Iterable[SitingBasis]) -> set[tuple[str, str]]:
    return {(b.cluster_type, b.core.district) for b in bases if b.core.greenfield}


def estimated_cores(bases: Iterable[SitingBasis]) -> set[tuple[str, str]]:
    return {(b.cluster_type, b.core.district) for b in bases if b.core.rests_on_estimates}


def lq_basis_frame(region: Region) -> pd.DataFrame:
    """The basis of every (district, sector) with activity: lq_basis.csv of the atlas."""
    records = [
        {
            "district": district,
            "sector": sector,
            "activity": c.total,
            "estimated": c.estimated,
            "estimated_share": c.estimated_share,
            "bases": " ".join(c.bases),
            "oldest_year": c.oldest_year,
            "rows": c.rows,
        }
        for (district, sector), c in lq_marks(region).items()
    ]
    columns = [
        "district", "sector", "activity", "estimated", "estimated_share", "bases",
        "oldest_year", "rows",
    ]  # fmt: skip
    out = pd.DataFrame.from_records(records, columns=columns)
    out["oldest_year"] = out["oldest_year"].astype("Int64")
    return out.set_index(["district", "sector"])


def fit_basis_frame(region: Region, types: list[str]) -> pd.DataFrame:
    """Per (district, type): the basis of the fit (own-sector activity) and greenfield flag."""
    wide = region_activity_wide(region)
    own = own_sectors(wide, region.clusters)
    rows = region_rows(region)
    records = []
    for district in region.district_ids:
        for k in types:
            b = site_basis(region, own, k, district, rows)
            records.append(
                {
                    "district": district,
                    "cluster_type": k,
                    "own_activity": b.own.total,
                    "estimated_share": b.own.estimated_share,
                    "bases": " ".join(b.own.bases),
                    "oldest_year": b.own.oldest_year,
                    "single_estimated_row": b.own.single_estimated_row,
                    "greenfield": b.greenfield,
                }
            )
    out = pd.DataFrame.from_records(records)
    out["oldest_year"] = out["oldest_year"].astype("Int64")
    return out.set_index(["district", "cluster_type"])


def region_activity_wide(region: Region) -> pd.DataFrame:
    from model.indicators import activity_matrix

    return activity_matrix(region.activity, region.district_ids)


def lq_marks(region: Region) -> dict[tuple[str, str], Composition]:
    """The composition behind each (district, sector) LQ with activity."""
    out: dict[tuple[str, str], Composition] = {}
    activity = Rows(region.activity, "value")
    for district in sorted(activity.by_district):
        here = activity.of(district)
        for sector in sorted({row[0] for row in here}):
            c = compose(here, {sector: 1.0})
            if c.parts:
                out[(district, sector)] = c
    return out


def fit_marks(region: Region, types: Iterable[str]) -> dict[tuple[str, str], Composition]:
    """The composition behind each (type, district) fit (own-sector activity)."""
    out = {}
    activity = Rows(region.activity, "value")
    for k in types:
        weights = {s: 1.0 for s, w in region.clusters[k].sectors.items() if w > 0}
        for district in region.district_ids:
            c = compose(activity.of(district), weights)
            if c.parts:
                out[(k, district)] = c
    return out


# --- why an export term is 0 ----------------------------------------------------------------


def has_export_file(region: Region) -> bool:
    return "exports.csv" in region.file_hashes


def export_reason(result: RunResult, cluster_type: str, district: str, name: str) -> str:
    """Why the export term of type ``cluster_type`` in ``district`` (display ``name``) is 0."""
    weights = result.loaded.scenario.weights
    cluster = result.region.clusters[cluster_type]
    sectors = [s for s, w in cluster.sectors.items() if w > 0]
    exports = result.region.exports
    if weights.export == 0:
        return "the export weight is 0 in this scenario"
    if not has_export_file(result.region):
        return "the region has no exports.csv, so no export share is recorded anywhere"
    here = exports[(exports["district"] == district) & exports["sector"].isin(sectors)]
    recorded = sorted({str(s) for s in here["sector"]})
    missing = [s for s in sectors if s not in recorded]
    parts = []
    if missing:
        noun = "sector" if len(missing) == 1 else "sectors"
        parts.append(f"no export share is recorded for {noun} {', '.join(missing)} in {name}")
    if recorded:
        said = "share of {} in {} is 0" if len(recorded) == 1 else "shares of {} in {} are 0"
        parts.append("the recorded export " + said.format(", ".join(recorded), name))
    return "; ".join(parts) or f"the type has no sectors of positive weight in {name}"


def run_export_reason(result: RunResult) -> str | None:
    """One sentence on why the run's export term is 0 (None when it is not 0 or nothing sited)."""
    if not result.has_solution or abs(result.terms.get("export", 0.0)) > 1e-12:
        return None
    if not result.sitings():
        return None
    if result.loaded.scenario.weights.export == 0:
        return "The export term is 0 because the export weight is 0 in this scenario."
    if not has_export_file(result.region):
        return (
            "The export term is 0: the region has no exports.csv, so no export share is recorded."
        )
    if result.region.exports.empty or not (result.region.exports["share"] > 0).any():
        return "The export term is 0: the region's exports.csv records no positive export share."
    return (
        "The export term is 0: no export share is recorded for the sectors of any sited type in "
        "its core district (each cluster's Why here names the sectors)."
    )


def map_marks(bases: Iterable[SitingBasis]) -> MapMarks:
    """The map's greenfield cores, cores resting on estimates and foot notice."""
    chosen = list(bases)
    return MapMarks(
        frozenset(greenfield_cores(chosen)),
        frozenset(estimated_cores(chosen)),
        map_notice(chosen),
        map_notice(chosen, short=True),
    )


def saved_map_marks(entries: Iterable[Mapping[str, object]]) -> MapMarks:
    """The map marks rebuilt from the ``sitings`` of a saved summary.json.

    Runs written before these fields existed give no marks and no notice.
    """
    chosen = [e for e in entries if "rests_on_estimates" in e]
    if not chosen:
        return MapMarks()

    def share(entry: Mapping[str, object], key: str) -> float:
        value = entry.get(key)
        return float(value) if isinstance(value, int | float) else 0.0

    def members(entry: Mapping[str, object], key: str) -> list[object]:
        value = entry.get(key)
        return value if isinstance(value, list) else []

    key = [(str(e.get("cluster_type")), str(e.get("core"))) for e in chosen]
    marked = [bool(e.get("rests_on_estimates")) for e in chosen]
    partly = sum(
        1
        for e, m in zip(chosen, marked, strict=True)
        if not m and (share(e, "estimated_share") > 0 or share(e, "export_estimated_share") > 0)
    )
    member_count = sum(len(members(e, "members")) for e in chosen)
    marked_members = sum(len(members(e, "members_on_estimates")) for e in chosen)
    unstated = sum(1 for e in chosen if e.get("bases") == [UNSTATED])

    def said(short: bool) -> str | None:
        return notice(
            len(chosen), sum(marked), partly, member_count, marked_members, unstated, short
        )

    return MapMarks(
        frozenset(k for k, e in zip(key, chosen, strict=True) if e.get("greenfield")),
        frozenset(k for k, m in zip(key, marked, strict=True) if m),
        said(False),
        said(True),
    )
