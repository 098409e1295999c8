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
