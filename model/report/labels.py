"""Place map labels without overlap: a small deterministic greedy repel.

Each label has an anchor (a district's admin centre, in display pixels) and an estimated box
size. Labels are placed one by one in priority order (cores first, then from north to south);
each takes the first of a fixed list of positions around its anchor (below, above, right,
left, then further out) whose box overlaps no box placed before and no obstacle (the core
markers) and stays inside the axes. When every position collides, the one with the least
overlap is taken. Same input, same placement: no randomness, no iteration to convergence.
"""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels

# (dx, dy) of the box's anchor point in multiples of the gap, and the box's alignment there
CANDIDATES: tuple[tuple[float, float, str, str], ...] = (
    (0, -1, "center", "top"),
    (0, 1, "center", "bottom"),
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (0, -2.6, "center", "top"),
    (0, 2.6, "center", "bottom"),
    (2.2, 0, "left", "center"),
    (-2.2, 0, "right", "center"),
)


@dataclass(frozen=True)
class Placement:
    """Where a label goes: offset from its anchor in pixels, and the text alignment."""

    dx: float
    dy: float
    ha: str
    va: str
    box: Box


def text_size(text: str, fontsize_pt: float, dpi: float, bold: bool = False) -> tuple[float, float]:
    """An estimate of a text's box in pixels (DejaVu Sans: about 0.6 em per character)."""
    per_char = 0.64 if bold else 0.6
    width = per_char * fontsize_pt * len(text) * dpi / 72
    height = 1.2 * fontsize_pt * dpi / 72
    return width, height


def _box(x: float, y: float, width: float, height: float, ha: str, va: str) -> Box:
    x0 = x - width / 2 if ha == "center" else (x if ha == "left" else x - width)
    y0 = y - height / 2 if va == "center" else (y if va == "bottom" else y - height)
    return (x0, y0, x0 + width, y0 + height)


def overlap(a: Box, b: Box) -> float:
    """Area shared by two boxes (0 when they only touch or are apart)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Box, frame: Box | None) -> float:
    if frame is None:
        return 0.0
    inside = overlap(box, frame)
    return (box[2] - box[0]) * (box[3] - box[1]) - inside


def place_labels(
    anchors: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    gap: float,
    obstacles: list[Box] | None = None,
    frame: Box | None = None,
) -> list[Placement]:
    """One placement per label, in the order given (the order is the priority)."""
    placed: list[Box] = []
    blocked = list(obstacles or [])
    result = []
    for (x, y), (width, height) in zip(anchors, sizes, strict=True):
        best: tuple[float, Placement] | None = None
        for fx, fy, ha, va in CANDIDATES:
            dx, dy = fx * gap, fy * gap
            box = _box(x + dx, y + dy, width, height, ha, va)
            cost = sum(overlap(box, other) for other in placed)
            cost += 0.5 * sum(overlap(box, other) for other in blocked)
            cost += 2.0 * _outside(box, frame)
            if best is None or cost < best[0]:
                best = (cost, Placement(dx, dy, ha, va, box))
            if cost == 0:
                break
        assert best is not None
        placed.append(best[1].box)
        result.append(best[1])
    return result
