"""The robustness report: keep-shares with intervals, the regret, and a stability map.

Reads a :class:`model.robustness.Robustness` (the statistics are defined in the docstring of
``model/robustness.py``) and the unperturbed run. The stability map shades each district by
the keep-share of the optimum's core there (the larger one when a district holds two cores);
districts without a core of the optimum stay unshaded. Cores whose figures rest on estimates
carry the † mark of ``model.report.estimates`` in the tables and on the map.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure as MplFigure

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
from model.report.estimates import map_marks, run_bases
from model.report.geo import load_shapes
from model.report.html import render_html
from model.report.maps import (
    ESTIMATE_MARK,
    MapLayers,
    MapMarks,
    draw_districts,
    draw_labels,
    finish_axes,
)
from model.report.markdown import render_markdown

if TYPE_CHECKING:
    from model.pipeline import RunResult
    from model.robustness import Robustness

MAP_FILE = "stability_map.png"
SHADES = LinearSegmentedColormap.from_list("keep", ["#f7e1d7", "#6fa8dc", "#1c4587"])


def _names(result: RunResult) -> dict[str, str]:
    return {str(k): str(v) for k, v in result.region.districts["name"].items()}


def _share(share: float, low: float, high: float) -> str:
    return f"{share:.0%} ({low:.0%}–{high:.0%})"


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def district_shares(found: Robustness) -> dict[str, float]:
    """Per district holding a core of the optimum: the largest keep-share of its cores."""
    shares: dict[str, float] = {}
    optimum = found.shares[found.shares["in_optimum"]]
    for district, share in zip(optimum["district"], optimum["share"], strict=True):
        shares[str(district)] = max(shares.get(str(district), 0.0), float(share))
    return shares


def stability_png(found: Robustness, result: RunResult, marks: MapMarks) -> bytes:
    """The stability map (module docstring) as PNG bytes."""
    region = result.region
    layers = MapLayers(region, load_shapes(region.path, set(region.district_ids)))
    shares = district_shares(found)
    norm = Normalize(0.0, 1.0)
    fills = {d: SHADES(norm(s))[:3] for d, s in shares.items()}
    figure = MplFigure(figsize=(7.2, 6.4), dpi=100)
    ax = figure.add_subplot(1, 1, 1)
    draw_districts(ax, layers, fills)  # type: ignore[arg-type]
    suffix = {d: f"{marks.label_suffix(d)} {s:.0%}" for d, s in shares.items()}
    draw_labels(ax, layers, set(shares), suffix=suffix)
    finish_axes(ax, layers, layers.shapes.attribution)
    bar = figure.colorbar(ScalarMappable(norm=norm, cmap=SHADES), ax=ax, shrink=0.7)
    bar.set_label("share of samples keeping the optimum's core")
    title = f"Stability of the optimum's cores over {len(found.samples)} samples"
    ax.set_title(title, fontsize=11, loc="left")
    if not shares:
        ax.text(0.5, 0.5, "the optimum sites no core", transform=ax.transAxes, ha="center")
    if marks.notice:
        notice = textwrap.fill(marks.notice, 130)
        figure.text(0.01, 0.01, notice, fontsize=7, color="#7a4b00", va="bottom")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def regret_blocks(found: Robustness) -> list[Block | Section]:
    regret = found.regret
    if regret is None or regret.mean is None:
        return [
            Paragraph(
                "No sample has a regret: none was solved with the baseline siting feasible "
                f"in it ({regret.baseline_infeasible if regret else 0} solved samples break "
                "a rule with the baseline siting)."
            )
        ]
    interval = (
        f"95 % interval of the mean {regret.low:.4f} to {regret.high:.4f} (Student t)"
        if regret.low is not None and regret.high is not None
        else "no interval from one sample"
    )
    return [
        Paragraph(
            f"Expected regret of the baseline siting: **{regret.mean:.4f}** ({interval}), "
            f"over {regret.counted} samples. Regret: a sample's optimum minus the baseline "
            "siting's objective on that sample's data."
        ),
        Bullets(
            [
                f"samples where the baseline siting stays optimal (regret 0): "
                f"{regret.zero_share:.0%}",
                f"largest regret: {_value(regret.largest)}",
                f"solved samples in which the baseline siting breaks a rule (no regret "
                f"counted): {regret.baseline_infeasible}",
            ]
        ),
    ]


def robustness_document(found: Robustness, result: RunResult) -> Document:
    """The report of a robustness analysis (report.md, report.html)."""
    from model.robustness import wilson_interval

    names = _names(result)
    noise = found.noise
    samples = len(found.samples)
    params = ", ".join(f"{k} {v}" for k, v in noise.describe().items())
    marks = map_marks(run_bases(result))
    doc = Document(
        f"Robustness to the estimated data: {result.loaded.scenario.name}",
        subtitle=f"{samples} samples, seed {found.seed}; noise {params}",
    )
    kept = round(found.optimum_kept * samples)
    low, high = wilson_interval(kept, samples)
    doc.lead.append(
        Paragraph(
            f"The optimum's whole siting is kept in **{found.optimum_kept:.0%}** of the "
            f"samples (95 % Wilson interval {low:.0%}–{high:.0%})."
        )
    )
    if marks.estimated:
        doc.lead.append(
            Callout(
                f"{ESTIMATE_MARK} rests on estimates: {len(marks.estimated)} of the optimum's "
                "cores rest on estimated activity or export figures (see the run's report.md, "
                "Why here)."
            )
        )
    optimum = found.shares[found.shares["in_optimum"]]

    def place(k: str, i: str) -> str:
        mark = ESTIMATE_MARK if (k, i) in marks.estimated else ""
        return f"{names.get(i, i)}{mark}"

    cores: list[Block | Section] = (
        [
            Table(
                ["type", "district", "samples keeping it", "share (95 % Wilson interval)"],
                [
                    [str(k), place(str(k), str(i)), f"{n} of {samples}", _share(s, lo, hi)]
                    for k, i, n, s, lo, hi in zip(
                        optimum["cluster_type"],
                        optimum["district"],
                        optimum["kept"],
                        optimum["share"],
                        optimum["low"],
                        optimum["high"],
                        strict=True,
                    )
                ],
                numeric=[False, False, True, True],
            )
        ]
        if len(optimum)
        else [Paragraph("The optimum sites no core: there is no core to keep.")]
    )
    doc.sections.append(Section("Cores of the optimum", cores))
    doc.sections.append(
        Section(
            "Stability map",
            [
                Figure(
                    MAP_FILE,
                    stability_png(found, result, marks),
                    "Districts shaded by the keep-share of the optimum's core there",
                    caption="Each district with a core of the optimum is shaded by the share "
                    "of samples that keep it (the larger share where two cores sit); "
                    f"{ESTIMATE_MARK}: the core rests on estimates.",
                )
            ],
        )
    )
    doc.sections.append(Section("Regret of the baseline siting", regret_blocks(found)))
    every = found.shares
    doc.sections.append(
        Section(
            "Every core chosen in some sample",
            [
                Table(
                    ["type", "district", "share (95 % Wilson interval)", "in the optimum"],
                    [
                        [str(k), names.get(str(i), str(i)), _share(s, lo, hi), "yes" if o else ""]
                        for k, i, s, lo, hi, o in zip(
                            every["cluster_type"],
                            every["district"],
                            every["share"],
                            every["low"],
                            every["high"],
                            every["in_optimum"],
                            strict=True,
                        )
                    ],
                    numeric=[False, False, True, False],
                )
                if len(every)
                else Paragraph("No sample sited a core.")
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
                    "The noise models, the interval and the regret are defined in the "
                    "docstring of `model/robustness.py`."
                ),
            ],
        )
    )
    return doc


def write_robustness_documents(document: Document, folder: Path) -> list[Path]:
    """report.md (with the map beside it, as a PNG) and report.html (the map inline)."""
    written = []
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Figure):
                path = folder / block.file_name
                path.write_bytes(block.png)
                written.append(path)
    md = folder / "report.md"
    md.write_text(render_markdown(document), encoding="utf-8")
    page = folder / "report.html"
    page.write_text(render_html(document), encoding="utf-8")
    return [*written, md, page]
