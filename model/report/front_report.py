"""Tables, figure and report documents of ``run.py payoff`` and ``run.py front``."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from model.front import Front
from model.payoff import PayoffTable, Point
from model.report.document import Document, Figure, Paragraph, Section, Table
from model.results import TERMS


def _num(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _cores(point: Point, names: Mapping[str, str]) -> str:
    return ", ".join(f"{k} @ {names.get(i, i)}" for k, i in point.cores)


def points_frame(points: Sequence[Point], first: str = "point") -> pd.DataFrame:
    """One row per point: its four unweighted terms (empty when not modelled) and its cores."""
    records = []
    for n, p in enumerate(points, 1):
        row: dict[str, object] = {first: n}
        row.update({t: p.terms[t] for t in TERMS})
        row["proven"] = p.proven
        row["cores"] = p.cores_text()
        records.append(row)
    return pd.DataFrame.from_records(records, columns=[first, *TERMS, "proven", "cores"])


def _grid_text(front: Front) -> str:
    return ", ".join(f"{t} {n}" for t, n in front.grid.items())


def payoff_frame(table: PayoffTable) -> pd.DataFrame:
    frame = points_frame([table.rows[t] for t in table.terms], first="row")
    frame["row"] = list(table.terms)
    frame.insert(1, "order", [",".join(table.orders[t]) for t in table.terms])
    return frame


def front_figure(front: Front, optimum: Mapping[str, float] | None = None) -> bytes:
    """front.png: the front of two terms, or the three 2-D projections of three (colour: the
    term left out of each panel). The scenario's weighted optimum is marked when given."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    terms = front.terms
    vectors = {t: [p.terms[t] for p in front.points] for t in terms}
    pairs = (
        [(terms[0], terms[1])]
        if len(terms) == 2
        else [
            (terms[0], terms[1]),
            (terms[0], terms[2]),
            (terms[1], terms[2]),
        ]
    )
    fig, axes = plt.subplots(1, len(pairs), figsize=(5.2 * len(pairs), 4.4), squeeze=False)
    for ax, (a, b) in zip(axes[0], pairs, strict=True):
        if len(terms) == 2:
            order = sorted(range(len(front.points)), key=lambda n: vectors[a][n])
            ax.step(
                [vectors[a][n] for n in order],
                [vectors[b][n] for n in order],
                where="post",
                color="#999999",
                linewidth=0.8,
            )
            ax.scatter(vectors[a], vectors[b], s=22, color="#1f77b4", zorder=3, label="front")
        else:
            third = next(t for t in terms if t not in (a, b))
            shown = ax.scatter(
                vectors[a], vectors[b], s=22, c=vectors[third], cmap="viridis", zorder=3
            )
            fig.colorbar(shown, ax=ax, label=third)
        nadir = front.reference
        ax.axvline(nadir[a], color="#cc4444", linewidth=0.6, linestyle=":")
        ax.axhline(nadir[b], color="#cc4444", linewidth=0.6, linestyle=":")
        if optimum is not None:
            ax.scatter(
                [optimum[a]],
                [optimum[b]],
                marker="*",
                s=140,
                color="#d62728",
                zorder=4,
                label="scenario's weighted optimum",
            )
            ax.legend(fontsize=8, loc="best")
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.grid(True, linewidth=0.3)
    title = f"Pareto front of {', '.join(terms)}: {len(front.points)} points"
    fig.suptitle(title + ("" if len(terms) == 2 else " (projections)"), fontsize=11)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def _payoff_section(table: PayoffTable) -> Section:
    rows = [
        [t, " → ".join(table.orders[t]), *(_num(table.rows[t].terms[u]) for u in table.terms)]
        for t in table.terms
    ]
    rows.append(["ideal", "", *(_num(table.ideal[u]) for u in table.terms)])
    rows.append(["nadir", "", *(_num(table.nadir[u]) for u in table.terms)])
    return Section(
        "Payoff table",
        [
            Paragraph(
                "Each row maximises its term first, then the others in the order shown, each "
                "held at its optimum before the next (lexicographic), so every row is a "
                "non-dominated siting. Terms are unweighted. The ideal is the diagonal; the "
                "nadir is the least value in each column (exact for two terms, an estimate for "
                "more)."
            ),
            Table(
                ["row", "order", *table.terms],
                rows,
                numeric=[False, False, *([True] * len(table.terms))],
            ),
        ],
    )


def payoff_document(
    scenario: str,
    table: PayoffTable,
    names: Mapping[str, str],
    extra: Sequence[Section] = (),
) -> Document:
    doc = Document(
        f"Payoff table: {scenario}",
        subtitle=f"{table.solves} solves, {table.seconds:.1f} s",
    )
    doc.sections.append(_payoff_section(table))
    doc.sections.append(
        Section(
            "Sitings of the rows",
            [
                Table(
                    ["row", "cores"],
                    [[t, _cores(table.rows[t], names)] for t in table.terms],
                )
            ],
        )
    )
    doc.sections.extend(extra)
    return doc


def point_section(title: str, text: str, point: Point, names: Mapping[str, str]) -> Section:
    return Section(
        title,
        [
            Paragraph(text),
            Table(
                ["term", "value"],
                [[t, _num(point.terms[t])] for t in TERMS],
                numeric=[False, True],
            ),
            Paragraph(f"Cores: {_cores(point, names)}."),
        ],
    )


def front_document(
    scenario: str,
    front: Front,
    png: bytes,
    names: Mapping[str, str],
    optimum: Mapping[str, float] | None,
) -> Document:
    share = front.hypervolume_share()
    doc = Document(
        f"Pareto front of {', '.join(front.terms)}: {scenario}",
        subtitle=f"AUGMECON2, grid {_grid_text(front)}, ε {front.eps:g}; {len(front.points)} "
        f"non-dominated points; {front.solves} solves ({front.infeasible} infeasible, "
        f"{front.bypassed} grid points bypassed) and {front.payoff.solves} for the payoff "
        f"table, {front.seconds:.1f} s",
    )
    doc.lead.append(
        Paragraph(
            f"Hypervolume (reference point: the nadir) **{front.hypervolume():.6g}**"
            + (f", {share:.1%} of the box from the nadir to the ideal." if share else ".")
            + ("" if front.proven else " Some solves stopped at the time limit: NOT proven.")
        )
    )
    for note in front.notes:
        doc.lead.append(Paragraph(f"Note: {note}."))
    doc.sections.append(
        Section(
            "Front",
            [
                Figure(
                    "front.png",
                    png,
                    f"Pareto front of {', '.join(front.terms)}",
                    "The star is the scenario's weighted optimum; dotted lines, the nadir."
                    if optimum
                    else "",
                ),
                Table(
                    ["point", *front.terms, "cores"],
                    [
                        [str(n), *(_num(p.terms[t]) for t in front.terms), _cores(p, names)]
                        for n, p in enumerate(front.points, 1)
                    ],
                    numeric=[True, *([True] * len(front.terms)), False],
                ),
            ],
        )
    )
    doc.sections.append(_payoff_section(front.payoff))
    doc.sections.append(
        Section(
            "Method",
            [
                Paragraph(
                    f"The augmented ε-constraint method AUGMECON2 (Mavrotas and Florios 2013): "
                    f"maximise {front.terms[0]} plus ε times the normalised slacks of "
                    f"{', '.join(front.terms[1:])}, which are held above the points of a grid "
                    f"({_grid_text(front)} intervals) over their payoff-table ranges; the "
                    "bypass skips grid points that would return the same siting, an "
                    "infeasible solve ends "
                    "its loop. The terms are unweighted; every point's siting passed the "
                    "project's solution check. docs/model.md §8 states when the front is exact."
                ),
                Table(
                    ["term", "grid step"],
                    [[t, _num(front.steps[t], 6)] for t in front.terms[1:]],
                    numeric=[False, True],
                ),
            ],
        )
    )
    return doc
