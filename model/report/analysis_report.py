"""``report.md`` and ``report.html`` of the two data analyses: sensitivity and robustness.

Both are built as one :class:`model.report.document.Document` and written by the same Markdown
and HTML renderers as the run report (the HTML is one self-contained file, no external asset).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from model.basis import label
from model.report.document import Bullets, Callout, Document, Paragraph, Section, Table
from model.report.html import render_html
from model.report.markdown import render_markdown

if TYPE_CHECKING:
    from model.pipeline import RunResult
    from model.robustness import Robustness
    from model.sensitivity import Sensitivity

NOT_SOLVED = {
    "no_data_left": "no data left (no positive activity)",
    "not_possible": "not possible (no neutral alternative)",
    "failed": "failed",
}


def _names(result: RunResult) -> dict[str, str]:
    return {str(k): str(v) for k, v in result.region.districts["name"].items()}


def _num(value: float | None, digits: int = 4) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:.{digits}f}"


def _escape(text: str) -> str:
    """Keep the inline Markdown subset from reading ids as emphasis or code."""
    return text.replace("*", "∗").replace("`", "'")


def sensitivity_document(found: Sensitivity) -> Document:
    base = found.baseline
    names = _names(base)
    scenario = base.loaded.scenario.name
    doc = Document(
        f"Sensitivity to the data basis: {scenario}",
        subtitle=f"region {base.region.path}; bases present: "
        + ", ".join(f"{b} ({label(b)})" for b in found.bases),
    )
    if len(found.bases) == 1:
        doc.lead.append(
            Callout(
                f"The region's rows hold one basis only ({found.bases[0]}): dropping it leaves "
                "no data, so the drop variant cannot say which cores rest on which estimate.",
                "note",
            )
        )
    if not found.cores:
        doc.lead.append(Callout("The baseline sites no core: there is nothing to move.", "note"))
    rows = [
        [
            "baseline" if row.mode == "baseline" else f"{row.mode} {row.basis}",
            NOT_SOLVED.get(row.status, row.status),
            _num(row.objective),
            _num(row.objective_change) if row.mode != "baseline" else "",
            "-" if row.cores_kept is None else f"{row.cores_kept}/{len(found.cores)}",
            f"{row.activity_rows}/{row.export_rows}",
            _escape(row.note),
        ]
        for row in found.rows()
    ]
    doc.sections.append(
        Section(
            "Variants",
            [
                Table(
                    [
                        "variant",
                        "status",
                        "objective",
                        "change",
                        "cores kept",
                        "rows (act./exp.)",
                        "note",
                    ],
                    rows,
                    numeric=[False, False, True, True, True, True, False],
                    caption="drop: the basis's activity and export rows removed; replace: "
                    "activity spread over the districts by population (each sector's total "
                    "kept), export rows set to the sector's mean over the other rows",
                )
            ],
        )
    )
    core_rows = []
    for core in found.cores:
        summary = found.summary_of(core)
        core_rows.append(
            [
                core[0],
                names.get(core[1], core[1]),
                _num(summary.weighted_activity, 2),
                _escape(summary.rests_on) or "-",
                f"{summary.estimated_share:.0%}",
                summary.flag,
                *[_escape(found.outcome(core, v, names)) for v in found.variants],
            ]
        )
    doc.sections.append(
        Section(
            "Cores and what they rest on",
            [
                Paragraph(
                    "Weighted activity of the core's type in its district, "
                    "Σ_s w[k,s]·v[s,i], split by the basis of the rows; *estimated* is the "
                    "share on estimate bases. Flags: *single estimated row* (one positive row "
                    "in the type's sectors, an estimate), *estimates only*, *no activity*."
                ),
                Table(
                    [
                        "type",
                        "district",
                        "weighted activity",
                        "rests on",
                        "estimated",
                        "flag",
                        *[v.name for v in found.variants],
                    ],
                    core_rows,
                    numeric=[False, False, True, False, True, False]
                    + [False] * len(found.variants),
                ),
            ],
        )
    )
    flagged = [
        f"{k} in {names.get(i, i)}: {found.flags[(k, i)]}"
        for k, i in found.cores
        if found.flags.get((k, i))
    ]
    if flagged:
        doc.sections.append(Section("Flagged cores", [Bullets(flagged)]))
    doc.sections.append(
        Section(
            "Method",
            [
                Paragraph(
                    "The scenario is solved as it is, then once per basis present with that "
                    "basis's rows dropped and once with them replaced by a neutral alternative "
                    "(the docstring of `model/sensitivity.py` gives the formulas). A core is "
                    "*kept* when the variant sites a core of the same type in the same "
                    "district, *moved to* the districts where the variant sites that type "
                    "instead, *not sited* otherwise. Variants that cannot be solved are "
                    "reported with the reason, not left out."
                )
            ],
        )
    )
    return doc


def robustness_document(found: Robustness, result: RunResult) -> Document:
    names = _names(result)
    noise = found.noise
    samples = len(found.samples)
    params = ", ".join(f"{k} {v}" for k, v in noise.describe().items())
    doc = Document(
        f"Robustness to the estimated data: {result.loaded.scenario.name}",
        subtitle=f"{samples} samples, seed {found.seed}; noise {params}",
    )
    doc.lead.append(
        Paragraph(
            f"The optimum's whole siting is kept in **{found.optimum_kept:.0%}** of the samples."
        )
    )
    optimum = found.shares[found.shares["in_optimum"]]
    doc.sections.append(
        Section(
            "Cores of the optimum",
            [
                Table(
                    ["type", "district", "samples keeping it"],
                    [
                        [str(k), names.get(str(i), str(i)), f"{s:.0%}"]
                        for k, i, s in zip(
                            optimum["cluster_type"],
                            optimum["district"],
                            optimum["share"],
                            strict=True,
                        )
                    ],
                    numeric=[False, False, True],
                )
            ],
        )
    )
    doc.sections.append(
        Section(
            "Every core chosen in some sample",
            [
                Table(
                    ["type", "district", "share of samples", "in the optimum"],
                    [
                        [str(k), names.get(str(i), str(i)), f"{s:.0%}", "yes" if o else ""]
                        for k, i, s, o in zip(
                            found.shares["cluster_type"],
                            found.shares["district"],
                            found.shares["share"],
                            found.shares["in_optimum"],
                            strict=True,
                        )
                    ],
                    numeric=[False, False, True, False],
                )
            ],
        )
    )
    statuses = found.samples["status"].value_counts()
    doc.sections.append(
        Section(
            "Samples",
            [
                Bullets([f"{status}: {count}" for status, count in statuses.items()]),
                Paragraph(
                    "The noise models are defined in the docstring of `model/robustness.py`."
                ),
            ],
        )
    )
    return doc


def write_documents(document: Document, folder: Path) -> list[Path]:
    """report.md and report.html of ``document`` in ``folder``."""
    md = folder / "report.md"
    md.write_text(render_markdown(document), encoding="utf-8")
    page = folder / "report.html"
    page.write_text(render_html(document), encoding="utf-8")
    return [md, page]
