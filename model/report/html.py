"""Render a report document as one self-contained HTML file.

Self-contained means the page needs nothing but itself: the style sheet is inline, images are
``data:image/png;base64`` URIs, there is no script, and no attribute points outside the file
(links inside the page only; web addresses in the text are printed, not linked). It opens the
same without a network.
"""

from __future__ import annotations

import base64
import html
import re

from model.report.document import (
    Block,
    Bullets,
    Callout,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    slug,
)

STYLE = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1d1b;
       max-width: 1180px; margin: 24px auto; padding: 0 20px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin-bottom: 4px; }
h2 { font-size: 21px; border-bottom: 2px solid #d8d8d4; padding-bottom: 3px; margin-top: 34px; }
h3 { font-size: 17px; margin-top: 24px; }
.subtitle { color: #555; margin-top: 0; }
nav { background: #f4f4f2; padding: 8px 14px; border-radius: 4px; font-size: 14px; }
nav a { margin-right: 14px; color: #0b5394; text-decoration: none; }
table { border-collapse: collapse; margin: 10px 0 6px; font-size: 13px; }
th, td { border: 1px solid #d5d5d0; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #efefeb; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.caption { color: #555; font-size: 13px; margin: 2px 0 14px; }
.callout { border-left: 5px solid #b45309; background: #fff7e6; padding: 8px 12px; margin: 12px 0; }
.callout.note { border-left-color: #2563eb; background: #eef4ff; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
code { background: #f1f1ee; padding: 0 3px; border-radius: 3px; font-size: 13px; }
.scroll { overflow-x: auto; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; color: #000; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 18px; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table, figure, .callout { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure img { max-height: 240mm; border: none; }
  a { color: #000; text-decoration: none; }
}
"""

_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)\s]+)\)")


def inline(text: str) -> str:
    """The inline Markdown subset as HTML; a link keeps its text and prints its target."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        code, bold, italic, label, target = match.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{inline(bold)}</strong>")
        elif italic is not None:
            out.append(f"<em>{inline(italic)}</em>")
        else:
            out.append(f"{inline(label)} ({html.escape(target)})")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def heat_colour(level: float) -> str:
    """White to a strong blue for 0..1, light enough to read black text at the top."""
    level = min(max(level, 0.0), 1.0)
    low, high = (255, 255, 255), (86, 140, 214)
    rgb = [round(a + (b - a) * level) for a, b in zip(low, high, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def table_html(table: Table) -> str:
    numeric = table.numeric or [False] * len(table.columns)
    head = "".join(f"<th>{inline(c)}</th>" for c in table.columns)
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, text in enumerate(row):
            classes = ' class="num"' if numeric[c] else ""
            level = table.heat[r][c] if table.heat else None
            style = f' style="background:{heat_colour(level)}"' if level is not None else ""
            cells.append(f"<td{classes}{style}>{inline(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f'<p class="caption">{inline(table.caption)}</p>' if table.caption else ""
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{caption}"
    )


def block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Callout):
        label = "Warning" if block.kind == "warning" else "Note"
        return (
            f'<div class="callout {block.kind}"><strong>{label}:</strong> '
            f"{inline(block.text)}</div>"
        )
    if isinstance(block, Table):
        return table_html(block)
    if isinstance(block, Figure):
        data = base64.b64encode(block.png).decode("ascii")
        caption = f"<figcaption>{inline(block.caption)}</figcaption>" if block.caption else ""
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.alt)}">'
            f"{caption}</figure>"
        )
    raise TypeError(f"unknown block {type(block).__name__}")


def _section(section: Section, level: int) -> list[str]:
    anchor = section.anchor or slug(section.title)
    parts = [f'<h{level} id="{anchor}">{inline(section.title)}</h{level}>']
    for block in section.blocks:
        if isinstance(block, Section):
            parts += _section(block, min(level + 1, 6))
        else:
            parts.append(block_html(block))
    return parts


def render_html(document: Document) -> str:
    """The whole document as one HTML page."""
    nav = "".join(
        f'<a href="#{s.anchor or slug(s.title)}">{inline(s.title)}</a>' for s in document.sections
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(document.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{inline(document.title)}</h1>",
    ]
    if document.subtitle:
        parts.append(f'<p class="subtitle">{inline(document.subtitle)}</p>')
    parts += [block_html(block) for block in document.lead]
    parts.append(f"<nav>{nav}</nav>")
    for section in document.sections:
        parts += _section(section, 2)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
