"""One colour and one marker per cluster type, fixed by the type's place in the catalogue.

A type keeps its look on every map of a region (run map, comparison small multiples, atlas),
because the style depends on the catalogue order, not on which types a scenario sites. The
first colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); every type also gets its own marker shape, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#6A3D9A",  # purple
    "#8C564B",  # brown
    "#B8A000",  # dark yellow
    "#444444",  # dark grey
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "p")


@dataclass(frozen=True)
class TypeStyle:
    colour: str
    marker: str


def type_styles(catalogue: list[str]) -> dict[str, TypeStyle]:
    """Style of every type of the catalogue (colours and markers repeat after ten types)."""
    return {
        type_id: TypeStyle(PALETTE[n % len(PALETTE)], MARKERS[n % len(MARKERS)])
        for n, type_id in enumerate(catalogue)
    }
