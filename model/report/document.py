"""A tiny document model that the Markdown and the HTML renderers both write out.

The report's content is built once as these blocks; ``markdown.py`` and ``html.py`` only decide
how each block looks. Text uses a small inline subset of Markdown: ``**bold**``, ``*italic*``,
`` `code` `` and ``[text](target)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Callout:
    """A boxed warning or note, shown before the text around it."""

    text: str
    kind: str = "warning"  # warning or note


@dataclass(frozen=True)
class Table:
    """Cells already formatted as text; ``heat`` (0..1 or None per cell) shades cells."""

    columns: list[str]
    rows: list[list[str]]
    heat: list[list[float | None]] | None = None
    caption: str = ""
    numeric: list[bool] | None = None  # right-align these columns


@dataclass(frozen=True)
class Figure:
    """A PNG image: a file beside the Markdown report, embedded in the HTML report."""

    file_name: str
    png: bytes
    alt: str
    caption: str = ""


Block = Paragraph | Bullets | Callout | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block | Section] = field(default_factory=list)
    anchor: str = ""

    def add(self, *blocks: Block | Section) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    title: str
    subtitle: str = ""
    lead: list[Block] = field(default_factory=list)  # before the first section
    sections: list[Section] = field(default_factory=list)


def slug(text: str) -> str:
    """An anchor id for a heading: lower case, letters and digits joined by '-'."""
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part) or "section"
