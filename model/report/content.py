"""The content of a run's report, as a document both renderers write out.

Sections: scenario (description and resolved settings), map, sitings, why each cluster sits
where it does, indicators (LQ heat table, fit, access and specialization, cluster stars), solver
outcome, data provenance, licences. Reports read results only; the one exception is the
runner-up re-solve, which :mod:`model.report.explain` performs through the public pipeline.
"""

from __future__ import annotations

import json
from typing import Any

from model.basis import label
from model.compare_summary import setting_words
from model.lagrangian_bound import bound_sentence
from model.pipeline import RunResult
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
from model.report.estimates import (
    MARK,
    MARK_NOTE,
    UNSTATED_TEXT,
    Composition,
    SitingBasis,
    amount,
    describe,
    export_reason,
    fit_marks,
    lq_marks,
    run_export_reason,
)
from model.report.explain import TERMS, Explanation
from model.report.fit_text import fit_method_sentence
from model.report.formatting import Names, num, pct
from model.report.indicator_tables import (
    access_table,
    district_frame,
    fit_table,
    lq_table,
    stars_table,
)
from model.report.provenance import Provenance, licence_lines
from model.report.why_text import own_rules_text, rules_summary_text, why_not_text
from model.report.whynot import TIE_TOLERANCE
from model.scenario import Scenario

TERM_LABELS = {
    "fit": "specialization fit",
    "export": "export orientation",
    "member": "member districts",
    "coop": "cooperation",
}
MAX_TABLE_DISTRICTS = 60  # larger regions get district tables of the sited districts only
CLUSTER_TERM_LABELS = TERM_LABELS | {"coop": "cooperation (half of each pair)"}


# --- scenario -------------------------------------------------------------------------------


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Dotted keys and compact values of the resolved scenario."""
    if isinstance(data, dict) and data:
        rows = []
        for key, value in data.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    return [(prefix, json.dumps(data, ensure_ascii=False))]


def _defaults() -> dict[str, str]:
    """The flattened settings of a scenario that sets nothing but its name."""
    blank = Scenario.model_validate({"name": "defaults"}).model_dump(mode="json")
    return dict(flatten(blank))


def scenario_section(result: RunResult) -> Section:
    """The description, the settings that differ from the defaults, and the files read."""
    loaded = result.loaded
    defaults = _defaults()
    names = Names(result.region)
    changed = []
    for key, value in flatten(loaded.resolved()):
        if key in ("name", "description", "extends") or defaults.get(key) == value:
            continue
        words = setting_words(key, json.loads(value), names.districts, names.types)
        changed.append(f"`{key}`: {words}" if words is not None else f"`{key}` = {value}")
    blocks: list[Block | Section] = [
        Paragraph(loaded.scenario.description.strip() or "*The scenario has no description.*"),
        Paragraph(
            "Settings that differ from the defaults (all settings: *Settings* below):"
            if changed
            else "Every setting has its default value (all settings: *Settings* below)."
        ),
    ]
    if changed:
        blocks.append(Bullets(changed))
    origin = []
    if loaded.chain:
        origin.append("scenario files (root first): " + ", ".join(f"`{c}`" for c in loaded.chain))
    if loaded.overrides:
        origin.append("overrides: " + ", ".join(f"`{o}`" for o in loaded.overrides))
    if origin:
        blocks.append(Bullets(origin))
    return Section("Scenario", blocks)


def settings_section(result: RunResult) -> Section:
    """Every resolved setting."""
    settings = [
        (key, value)
        for key, value in flatten(result.loaded.resolved())
        if key not in ("name", "description")
    ]
    return Section(
        "Settings",
        [
            Table(
                ["setting", "value"],
                [[f"`{key}`", value] for key, value in settings],
                caption="Every setting after `extends` and command-line overrides, defaults "
                "filled in.",
            )
        ],
    )


# --- sitings and explanations -----------------------------------------------------------------


GREENFIELD_MARK = "○"


def sitings_section(result: RunResult, explanations: list[Explanation], names: Names) -> Section:
    objective = result.objective or 0.0
    rows = []
    marked = greenfield = False
    for e in explanations:
        core_mark = ""
        if e.basis is not None:
            if e.basis.core.rests_on_estimates:
                core_mark += MARK
                marked = True
            if e.basis.core.greenfield:
                core_mark += f" {GREENFIELD_MARK}"
                greenfield = True
        rows.append(
            [
                names.t(e.cluster_type),
                f"**{names.d(e.core)}**{core_mark}",
                names.ds(e.members),
                *(num(e.terms[t]) + _term_mark(e, t) for t in TERMS),
                num(e.value),
                pct(e.value / objective) if objective else "–",
            ]
        )
    notes = []
    if marked:
        notes.append(f"{MARK_NOTE}; what each rests on: see Why here")
    if greenfield:
        notes.append(
            f"{GREENFIELD_MARK} greenfield core: no activity of its type in the district yet"
        )
    table = Table(
        ["cluster type", "core", "members", "fit", "export", "members", "coop", "value", "share"],
        rows,
        caption="Weighted objective terms per cluster; each pair of cooperating cores is split "
        "equally between the two, so the values add up to the objective."
        + "".join(f" {n}." for n in notes),
        numeric=[False, False, False, True, True, True, True, True, True],
    )
    term_rows = [
        [
            TERM_LABELS[t],
            num(result.terms.get(t, 0.0)),
            pct(result.terms.get(t, 0.0) / objective) if objective else "–",
        ]
        for t in TERMS
    ]
    term_rows.append(["**objective**", f"**{num(objective)}**", "100.0%"])
    reason = run_export_reason(result)
    terms = Table(
        ["term", "value", "share"], term_rows, numeric=[False, True, True], caption=reason or ""
    )
    return Section("Sitings", [table, terms])


def _inline(c: Composition | None, quiet: bool) -> str:
    """ " — 67% estimated, on 150: …" after a number; '' when nothing needs saying."""
    if c is None or quiet:
        return ""
    text = describe(c)
    return f" — {text}" if text else ""


def basis_paragraphs(result: RunResult, e: Explanation, names: Names) -> list[str]:
    """What the core's figures rest on: greenfield, estimated share, single row, export."""
    b = e.basis
    if b is None:
        return []
    core, own = b.core, b.core.own
    where = names.d(e.core)
    fit = (
        e.terms["fit"] / result.loaded.scenario.weights.fit
        if result.loaded.scenario.weights.fit
        else None
    )
    text: list[str] = []
    if core.greenfield:
        text.append(
            f"**Greenfield.** {where} has no activity in the sectors of this type: the core is "
            "a new start, sited for what its members, exports or cooperation bring, not for "
            "anything of its kind already there."
        )
    elif own.unstated_only:
        text.append(
            f"**Basis.** The activity behind these figures ({amount(own.total)} in the type's "
            f"sectors in {where}, {own.rows} row{'s' if own.rows != 1 else ''}): {UNSTATED_TEXT}; "
            "the tool cannot say whether it is measured or estimated."
        )
    elif own.has_estimate:
        fit_text = f"The fit {num(fit)}{own.mark()} rests" if fit is not None else "The fit rests"
        bases = ", ".join(label(p.basis) for p in own.parts)
        year = f"; oldest year {own.oldest_year}" if own.oldest_year is not None else ""
        rows = f"{own.rows} row{'s' if own.rows != 1 else ''}"
        text.append(
            f"**Basis.** {fit_text} on the activity of the type's sectors in {where}, "
            f"{amount(own.total)} in {rows}: {own.estimated_share:.0%} of it is estimated"
            + (f" ({MARK}: more than half)" if own.marked else "")
            + f"; bases: {bases}{year}."
        )
    else:
        year = f" (oldest year {own.oldest_year})" if own.oldest_year is not None else ""
        text.append(
            f"**Basis.** The activity of the type's sectors in {where} ({amount(own.total)}) "
            "rests on "
            + ", ".join(label(p.basis) for p in own.parts)
            + f"{year}: nothing behind the fit is estimated."
        )
    if own.single_estimated_row:
        part = own.parts[0]
        sector = next((s for s, c in core.sectors.items() if c.parts), "?")
        details = ", ".join([str(part.year)] if part.year is not None else []) + "".join(
            f"; note: {n}" for n in part.notes
        )
        text.append(
            f"**This core rests on one estimated figure:** {amount(part.value)} in {sector} in "
            f"{where}, {label(part.basis)}"
            + (f" ({details.lstrip('; ')})" if details else "")
            + ". A planner should verify it before quoting the siting."
        )
    text.append(export_text(result, e, names))
    return text


def export_text(result: RunResult, e: Explanation, names: Names) -> str:
    """The export term: why it is 0, or what its shares rest on."""
    b = e.basis
    weights = result.loaded.scenario.weights
    where = names.d(e.core)
    if e.terms["export"] == 0 or b is None:
        return (
            "**Export.** The export term is 0: "
            + export_reason(result, e.cluster_type, e.core, where)
            + "."
        )
    raw = e.terms["export"] / weights.export
    export = b.core.export
    text = f"**Export.** Export orientation {num(raw)}{export.mark()} (weight {weights.export:g})"
    said = describe(export, "a weighted share of")
    if said:
        text += f", {said}"
        if export.oldest_year is not None:
            text += f"; oldest year {export.oldest_year}"
    return text + "."


def explanation_blocks(
    result: RunResult, e: Explanation, names: Names, members: dict[str, float]
) -> list[Block]:
    cap = result.loaded.scenario.indicators.lq_cap
    b = e.basis
    quiet = b is None or (b.core.own.unstated_only or not b.core.own.parts)
    terms = Table(
        ["term", "value", "share of this cluster"],
        [
            [CLUSTER_TERM_LABELS[t], num(e.terms[t]) + _term_mark(e, t), pct(e.share(t))]
            for t in TERMS
        ]
        + [["**total**", f"**{num(e.value)}**", "100.0%"]],
        numeric=[False, True, True],
        caption=f"{MARK_NOTE}."
        if b is not None and (b.core.own.marked or b.core.export.marked)
        else "",
    )
    sectors = "; ".join(
        f"{sector} (weight {weight:g}) LQ {lq:.2f}"
        + (_mark(b.core.sectors.get(sector)) if b is not None else "")
        + (f", capped at {cap:g}" if lq > cap else "")
        + _inline(b.core.sectors.get(sector) if b is not None else None, quiet)
        for sector, weight, lq in e.type_sectors
    )
    leading = ", ".join(f"{sector} {lq:.2f}" for sector, lq in e.leading_sectors) or "none"
    text = [
        f"**Sectors.** The type's sectors in {names.d(e.core)}: {sectors}. "
        f"The district's leading sectors by LQ: {leading}."
    ]
    method = fit_method_sentence(result, e.cluster_type, e.core)
    if method:
        text.append(method)
    text += basis_paragraphs(result, e, names)
    if e.members:
        text.append(
            "**Members.** "
            + ", ".join(
                f"{names.d(m)} ({num(members.get(m, 0.0))}{_member_basis(b, m)})" for m in e.members
            )
            + "."
        )
    else:
        text.append("**Members.** None.")
    if e.partners:
        text.append(
            "**Cooperation.** With "
            + ", ".join(
                f"{names.t(p.cluster_type).lower()} in {names.d(p.core)} ({num(p.value)})"
                for p in e.partners
            )
            + "; half of each pair counts here."
        )
    blocks: list[Block] = [terms]
    if e.greenfield:
        blocks.append(
            Callout(
                f"**No activity.** The type's own sectors show no activity in "
                f"{names.d(e.core)}: this core would be built from nothing (greenfield)."
            )
        )
    blocks += [Paragraph(t) for t in text]
    if e.rules:
        blocks.append(Paragraph("**Rules at work.**"))
        blocks.append(Bullets(e.rules))
    else:
        blocks.append(
            Paragraph(
                "**Rules at work.** None binds here: the core is the objective's free choice "
                "among the allowed sites."
            )
        )
    blocks.append(Paragraph("**Runner-up.** " + runner_up_text(result, e, names)))
    for extra in (why_not_text(e, names), own_rules_text(e, names)):
        if extra:
            blocks.append(Paragraph(extra))
    return blocks


def _mark(c: Composition | None) -> str:
    return c.mark() if c is not None else ""


def _term_mark(e: Explanation, term: str) -> str:
    if e.basis is None:
        return ""
    if term == "fit":
        return e.basis.core.own.mark()
    if term == "export":
        return e.basis.core.export.mark()
    if term == "member":
        return MARK if any(m.rests_on_estimates for m in e.basis.members.values()) else ""
    return ""


def _member_basis(b: SitingBasis | None, member: str) -> str:
    """ "; 80% estimated" after a member's value when its activity rests partly on estimates."""
    if b is None or member not in b.members:
        return ""
    own = b.members[member].own
    if b.members[member].greenfield:
        return "; no activity of this type"
    if own.has_estimate:
        return f"{own.mark()}; {own.estimated_share:.0%} estimated"
    return ""


def runner_up_text(result: RunResult, e: Explanation, names: Names) -> str:
    r = e.runner_up
    if r.status in ("locked", "not computed") or r.objective is None:
        return r.note[:1].upper() + r.note[1:] + "." if r.note else r.status
    where = names.ds(r.districts) if r.districts else "nowhere"
    scale = max(1.0, abs(result.objective or 0.0))
    if r.given_up is not None and abs(r.given_up) <= TIE_TOLERANCE * scale:
        text = (
            f"a tie: with {names.d(e.core)} forbidden for this type, the best siting puts it in "
            f"**{where}** with the same objective ({num(r.objective)})"
        )
        if r.moved:
            text += "; other cores that move with it: " + "; ".join(
                f"{names.t(k).lower()} {names.ds(old)} → {names.ds(new)}" for k, old, new in r.moved
            )
        text += "."
        return text[:1].upper() + text[1:]
    text = (
        f"with {names.d(e.core)} forbidden for this type, the best siting puts it in **{where}**"
        f" and the objective falls from {num(result.objective)} to {num(r.objective)}: "
        f"forcing the runner-up gives up **{num(r.given_up)}**"
    )
    if result.objective:
        text += f" ({pct((r.given_up or 0.0) / result.objective)} of the objective)"
    text += "."
    if r.moved:
        text += " Other cores that move with it: " + "; ".join(
            f"{names.t(k).lower()} {names.ds(old)} → {names.ds(new)}" for k, old, new in r.moved
        )
        text += "."
    if r.note:
        text += f" ({r.note}.)"
    return text[:1].upper() + text[1:]


def explanations_section(
    result: RunResult, explanations: list[Explanation], names: Names
) -> Section:
    member_values: dict[tuple[str, str], dict[str, float]] = {}
    for record in result.assignments.to_dict("records"):
        if record["role"] == "member":
            key = (str(record["cluster_type"]), str(record["core"]))
            member_values.setdefault(key, {})[str(record["district"])] = float(
                record["contribution"]
            )
    section = Section(
        "Why here",
        [
            Paragraph(
                "For each cluster: the terms that put it there (its value: fit, export, "
                "members and half of each cooperation pair; the values add up to the "
                "objective), the core district's sectors, the rules that shape the choice, the "
                "runner-up (the scenario solved again with this core forbidden; a tie when it "
                "gives up nothing), why not elsewhere (every district with a higher fit + "
                "export score and what beat it, everything else fixed) and, when the scenario's "
                "own rules moved the type, which rule did."
            )
        ],
    )
    summary = explanations[0].rules_summary if explanations else None
    said = rules_summary_text(summary, result.objective, names)
    if said:
        section.blocks.append(Paragraph(said))
    for e in explanations:
        title = f"{names.t(e.cluster_type)} in {names.d(e.core)}"
        blocks = explanation_blocks(
            result, e, names, member_values.get((e.cluster_type, e.core), {})
        )
        section.add(Section(title, list(blocks)))
    return section


# --- indicators -----------------------------------------------------------------------------


def indicators_section(result: RunResult, names: Names) -> Section:
    """LQ, fit, access and specialization tables; in a large region only the sited districts."""
    tables = result.tables
    sitings = result.sitings()
    cores = {(s.cluster_type, s.core) for s in sitings}
    blocks: list[Block | Section] = []
    rows: list[str] | None = None
    if len(result.region.district_ids) > MAX_TABLE_DISTRICTS:
        sited = {s.core for s in sitings} | {m for s in sitings for m in s.members}
        rows = [d for d in result.region.district_ids if d in sited]
        blocks.append(
            Paragraph(
                f"The region has {len(result.region.district_ids)} districts: the tables below "
                f"show the {len(rows)} that hold a core or a member. `python run.py indicators "
                "--region DIR` writes every district's indicators as CSV."
            )
        )
    lq = tables.lq if rows is None else tables.lq.loc[rows]
    fit = tables.fit if rows is None else tables.fit[rows]
    districts = district_frame(tables, result.region)
    lq_marked = {key for key, c in lq_marks(result.region).items() if c.marked}
    fit_marked = {
        key for key, c in fit_marks(result.region, result.instance.types).items() if c.marked
    }
    blocks += [
        lq_table(lq, names, result.loaded.scenario.indicators.lq_cap, lq_marked, MARK_NOTE),
        fit_table(fit, result.instance.types, names, cores, fit_marked, MARK_NOTE),
        access_table(districts if rows is None else districts.loc[rows], names),
    ]
    stars = stars_table(tables.activity, names, limit=MAX_TABLE_DISTRICTS)
    if stars is not None:
        blocks.append(stars)
    return Section("Indicators", blocks)


# --- solver ---------------------------------------------------------------------------------


def outcome_sentence(result: RunResult) -> tuple[str, bool]:
    """A plain sentence on the solver's verdict, and whether it is a proven optimum."""
    outcome = result.outcome
    limit = result.loaded.scenario.solver.time_limit
    if result.status == "optimal":
        solver = f"{outcome.solver} {outcome.version}" if outcome else "the solver"
        allowed = result.loaded.scenario.solver.mip_gap
        reached = outcome.gap if outcome and outcome.gap is not None else allowed
        if allowed > 0 and reached > 1e-9:
            return (
                f"**Not proven optimal.** {solver} stopped within the relative gap of "
                f"{allowed:g} that the scenario allows (gap reached {pct(reached)}): the best "
                "siting may be that much better than this one.",
                False,
            )
        return f"{solver} proved this siting optimal.", True
    if result.status == "time_limit" and result.has_solution:
        bound = num(outcome.bound) if outcome else "–"
        gap_text = pct(outcome.gap) if outcome and outcome.gap is not None else "unknown"
        solver_bound = outcome.bound if outcome else None
        lagrangian = (
            f" {bound_sentence(result.lagrangian, result.objective, solver_bound)}."
            if result.lagrangian is not None
            else ""
        )
        return (
            f"**Not proven optimal.** The solver stopped at its time limit ({limit:g} s) with this "
            f"siting; the best bound is {bound} (gap {gap_text}), so a better siting may exist."
            + lagrangian,
            False,
        )
    if result.status == "infeasible":
        return "**Infeasible.** No siting satisfies every rule of the scenario.", False
    return f"**No solution** (status {result.status}).", False


def solver_section(result: RunResult) -> Section:
    sentence, _ = outcome_sentence(result)
    blocks: list[Block | Section] = [Paragraph(sentence)]
    if result.diagnosis:
        blocks.append(Bullets(list(result.diagnosis)))
    outcome = result.outcome
    if outcome is not None:
        rows = [
            ["solver", f"{outcome.solver} {outcome.version}"],
            ["status", outcome.status.value],
            ["objective", num(outcome.objective, 6)],
            ["best bound", num(outcome.bound, 6)],
            ["gap", pct(outcome.gap) if outcome.gap is not None else "–"],
            *(
                [["Lagrangian bound (§5.3)", num(result.lagrangian.value, 6)]]
                if result.lagrangian is not None
                else []
            ),
            ["nodes", str(outcome.nodes) if outcome.nodes is not None else "–"],
        ]
        if outcome.message:
            rows.append(["message", outcome.message])
        blocks.append(Table(["", ""], rows, numeric=[False, True]))
    size = result.instance
    blocks.append(
        Paragraph(
            f"Model size: {len(size.sites)} allowed core sites, {len(size.members)} member arcs, "
            f"{len(size.pairs)} cooperating pairs. Solver and stage times are in summary.json "
            "(they change from run to run; this report does not)."
        )
    )
    return Section("Solver outcome", blocks)


# --- provenance and licences ----------------------------------------------------------------


def estimate_blocks(provenance: Provenance) -> list[Block]:
    """What the region's SOURCES.md says is estimated (or that the data are unsourced)."""
    if not provenance.has_sources:
        return [Callout(provenance.warning)]
    if not provenance.estimated:
        return [
            Paragraph("The region's `SOURCES.md` says:"),
            *(Paragraph(p) for p in provenance.intro),
            Paragraph("It has no *What is estimated* section."),
        ]
    blocks: list[Block] = [Paragraph("From the region's `SOURCES.md`, *What is estimated*:")]
    blocks += [Paragraph(p) for p in provenance.estimated]
    if provenance.estimated_parts:
        blocks.append(Bullets(list(provenance.estimated_parts)))
    blocks.append(Paragraph("Full sources, years and methods: `SOURCES.md` in the region folder."))
    return blocks


def provenance_section(result: RunResult, provenance: Provenance) -> Section:
    region = result.region
    blocks: list[Block | Section] = [
        Paragraph(f"Region folder: `{region.path}`."),
        *estimate_blocks(provenance),
        Table(
            ["file", "SHA-256"],
            [[f"`{name}`", f"`{digest}`"] for name, digest in sorted(region.file_hashes.items())],
            caption="The data files this run read (package versions and the git revision are in "
            "summary.json).",
        ),
    ]
    return Section("Data provenance", blocks)


def licences_section(provenance: Provenance, map_credit: str | None) -> Section:
    return Section("Licences", [Bullets(licence_lines(provenance, map_credit))])


# --- the document ---------------------------------------------------------------------------


def run_document(
    result: RunResult,
    explanations: list[Explanation],
    map_png: bytes,
    provenance: Provenance,
    map_credit: str | None,
) -> Document:
    """The whole report of one run."""
    names = Names(result.region)
    scenario = result.loaded.scenario
    document = Document(
        title=f"Cluster siting: {scenario.name}",
        subtitle=f"Region `{result.region.path.name}` · status "
        f"**{result.status}**"
        + (f" · objective {num(result.objective, 4)}" if result.objective is not None else ""),
    )
    sentence, proven = outcome_sentence(result)
    if not proven:
        document.lead.append(Callout(sentence))
    document.lead.append(
        Callout(
            provenance.warning,
            "warning" if provenance.estimated or not provenance.has_sources else "note",
        )
    )
    document.sections.append(scenario_section(result))
    document.sections.append(
        Section(
            "Map",
            [
                Figure(
                    "map.png",
                    map_png,
                    f"Map of the sitings of scenario {scenario.name}",
                    caption="Cores as symbols coloured by type; member districts shaded and linked "
                    "to their core; road links join admin centres.",
                )
            ],
        )
    )
    if result.has_solution:
        document.sections.append(sitings_section(result, explanations, names))
        document.sections.append(explanations_section(result, explanations, names))
    else:
        document.sections.append(
            Section("Sitings", [Paragraph(sentence), Bullets(list(result.diagnosis) or ["–"])])
        )
    document.sections.append(indicators_section(result, names))
    document.sections.append(settings_section(result))
    document.sections.append(solver_section(result))
    document.sections.append(provenance_section(result, provenance))
    document.sections.append(licences_section(provenance, map_credit))
    return document
