"""Render a report document as Markdown (GitHub-flavoured tables, images beside the file)."""

from __future__ import annotations

from model.report.document import (
    Block,
    Bullets,
    Callout,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
)

HEAT_BOLD = 0.999  # a heat cell at the top of its scale is bold (Markdown has no colour)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    numeric = table.numeric or [False] * len(table.columns)
    lines = [
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    for r, row in enumerate(table.rows):
        cells = []
        for c, text in enumerate(row):
            level = table.heat[r][c] if table.heat else None
            bold = level is not None and level >= HEAT_BOLD and text
            cells.append(f"**{_cell(text)}**" if bold else _cell(text))
        lines.append("| " + " | ".join(cells) + " |")
    if table.caption:
        lines += ["", f"*{table.caption}*"]
    return "\n".join(lines)


def block_markdown(block: Block) -> str:
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, Bullets):
        return "\n".join(f"- {item}" for item in block.items)
    if isinstance(block, Callout):
        label = "Warning" if block.kind == "warning" else "Note"
        return f"> **{label}:** {block.text}"
    if isinstance(block, Table):
        return table_markdown(block)
    if isinstance(block, Figure):
        text = f"![{block.alt}]({block.file_name})"
        return f"{text}\n\n*{block.caption}*" if block.caption else text
    raise TypeError(f"unknown block {type(block).__name__}")


def _section(section: Section, level: int) -> list[str]:
    parts = [f"{'#' * level} {section.title}"]
    for block in section.blocks:
        if isinstance(block, Section):
            parts += _section(block, level + 1)
        else:
            parts.append(block_markdown(block))
    return parts


def render_markdown(document: Document) -> str:
    """The whole document as Markdown text ending in a newline."""
    parts = [f"# {document.title}"]
    if document.subtitle:
        parts.append(document.subtitle)
    parts += [block_markdown(block) for block in document.lead]
    for section in document.sections:
        parts += _section(section, 2)
    return "\n\n".join(parts) + "\n"
