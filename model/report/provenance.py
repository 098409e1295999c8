"""What the report says about where the data come from and under which licences.

Shipped regions carry a ``SOURCES.md``; its "What is estimated" and "Licences in short"
sections are quoted (the estimate section in short: its opening paragraph and the first
paragraph of each subsection). A user's region without ``SOURCES.md`` is called unsourced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from model.report.geo import OSM_ATTRIBUTION
from model.tables import read_text

ESTIMATED_HEADING = "What is estimated"
LICENCES_HEADING = "Licences in short"
CODE_LICENCE = "clustersite code: MIT licence."


@dataclass(frozen=True)
class Provenance:
    """The region's sourcing in a form the report can print."""

    has_sources: bool
    estimated: list[str] = field(default_factory=list)  # paragraphs (inline Markdown)
    estimated_parts: list[str] = field(default_factory=list)  # "heading: first paragraph"
    licences: list[str] = field(default_factory=list)  # bullet items
    intro: list[str] = field(default_factory=list)  # paragraphs before the first section

    @property
    def warning(self) -> str:
        """One sentence for the top of a report."""
        if not self.has_sources:
            return (
                "this region has no SOURCES.md, so its data are **unsourced**: the sitings show "
                "what the model does with the numbers given, nothing more."
            )
        if self.estimated:
            return (
                "some input data of this region are **estimates** (see *Data provenance*); the "
                "sitings show what the model does with those estimates, not an official "
                "assessment."
            )
        return (
            "the region's SOURCES.md does not say what is estimated; read what it says "
            "(*Data provenance*) before quoting a result."
        )


def section(text: str, heading: str, level: int = 2) -> str | None:
    """The body of the Markdown section with this heading (None if there is none)."""
    marker = "#" * level + " "
    lines = text.splitlines()
    start = None
    for n, line in enumerate(lines):
        if line.strip() == marker + heading:
            start = n + 1
        elif (
            start is not None
            and line.startswith("#")
            and len(line) - len(line.lstrip("#")) <= level
        ):
            return "\n".join(lines[start:n]).strip()
    return "\n".join(lines[start:]).strip() if start is not None else None


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each joined into one line."""
    out, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def bullet_items(text: str) -> list[str]:
    """The items of a Markdown bullet list (continuation lines joined)."""
    items: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            items.append(stripped[2:])
        elif stripped and items:
            items[-1] += " " + stripped
    return items


def _estimated(body: str) -> tuple[list[str], list[str]]:
    intro, _, rest = body.partition("\n### ")
    parts = []
    if rest:
        for chunk in ("### " + rest).split("\n### "):
            title, _, text = chunk.removeprefix("### ").partition("\n")
            first = next(
                (p for p in paragraphs(text) if not p.startswith(("|", "```"))),
                "",
            )
            if first.endswith(":"):  # it introduces a list that is not quoted here
                first += " see SOURCES.md."
            parts.append(f"**{title.strip()}**: {first}" if first else f"**{title.strip()}**")
    return paragraphs(intro), parts


def read_provenance(region_dir: Path) -> Provenance:
    """The provenance of a region folder (unsourced when it has no SOURCES.md)."""
    path = region_dir / "SOURCES.md"
    if not path.is_file():
        return Provenance(has_sources=False)
    text = read_text(path)
    estimated = section(text, ESTIMATED_HEADING)
    intro, parts = _estimated(estimated) if estimated else ([], [])
    licences = section(text, LICENCES_HEADING)
    opening = text.split("\n## ", 1)[0]
    preface = [p for p in paragraphs(opening) if not p.startswith(("#", "|", "```"))]
    return Provenance(True, intro, parts, bullet_items(licences) if licences else [], preface)


def licence_lines(provenance: Provenance, map_credit: str | None) -> list[str]:
    """The licences to print: SOURCES.md's list, or the map data's credit; always the code's."""
    lines = list(provenance.licences)
    if not lines and map_credit:
        lines.append(f"Map geometry: {map_credit}.")
        if map_credit == OSM_ATTRIBUTION:
            lines.append(
                "OpenStreetMap data are available under the Open Database License "
                "(https://www.openstreetmap.org/copyright)."
            )
    if not lines:
        lines.append("The region's data state no licence.")
    lines.append(CODE_LICENCE)
    return lines
