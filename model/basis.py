"""The basis of a data row: how a figure in ``activity.csv`` or ``exports.csv`` was obtained.

A region file may carry a ``basis`` column (and ``year`` and ``note``) on its activity and
export rows. One district–sector pair can have several rows, one per basis: a stated headcount
of a plant plus a population baseline, say. Their values add up. Everything downstream (the
explanations, the atlas, the sensitivity analysis) reads the composition from these rows.

A region without the column is read as ``unstated``: the tool does not know, and says so; it
does not claim the figure is an estimate, nor that it is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Basis:
    id: str
    label: str  # short words for tables: "stated headcount"
    estimate: bool  # True when the figure is an estimate, not a measured or stated one


BASES: dict[str, Basis] = {
    b.id: b
    for b in (
        Basis("official", "official statistics", False),
        Basis("stated", "headcount stated by a source", False),
        Basis("proxy", "estimate from a related stated figure", True),
        Basis("size_class_default", "size-class default for a named firm", True),
        Basis("group_default", "guess for an unnamed group of firms", True),
        Basis("sector_baseline", "sector baseline from a land or farm statistic", True),
        Basis("population_baseline", "population baseline (population × a rate)", True),
        Basis("regional_distribution", "regional total distributed by activity", True),
        Basis("assumed", "assumed value, no statistic behind it", True),
        Basis("unstated", "basis not stated in the region files", False),
    )
}
UNSTATED = "unstated"


def is_estimate(basis: str) -> bool:
    """True for a basis whose figures are estimates (unknown ids count as estimates)."""
    known = BASES.get(basis)
    return known.estimate if known else True


def label(basis: str) -> str:
    known = BASES.get(basis)
    return known.label if known else basis


def estimated_part(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Per (district, sector): the total, the part resting on estimates, and the bases used.

    ``frame`` has columns district, sector, ``value`` and optionally basis; the result is
    indexed by (district, sector) with columns total, estimated, bases (a sorted tuple).
    """
    if frame.empty:
        return pd.DataFrame(
            columns=["total", "estimated", "bases"],
            index=pd.MultiIndex.from_tuples([], names=["district", "sector"]),
        )
    bases = frame["basis"] if "basis" in frame else pd.Series(UNSTATED, index=frame.index)
    work = pd.DataFrame(
        {
            "district": frame["district"],
            "sector": frame["sector"],
            "total": frame[value].astype(float),
            "estimated": frame[value].astype(float).where(bases.map(is_estimate), 0.0),
            "basis": bases,
        }
    )
    positive = work[work["total"] > 0]
    grouped = work.groupby(["district", "sector"])
    out = grouped[["total", "estimated"]].sum()
    named: dict[tuple[str, str], tuple[str, ...]] = {}
    for district, sector, basis in positive[["district", "sector", "basis"]].itertuples(False):
        named[(district, sector)] = tuple(sorted({*named.get((district, sector), ()), basis}))
    out["bases"] = [named.get(key, ()) for key in out.index]
    return out
