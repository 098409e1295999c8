"""The sentences of "Why here" that answer "why not there?", the own rules, and ties.

Plain language for a planner: full district and type names, ties called ties with the tied
districts listed (never "gives up 0.000"), and what beat each better-scoring district.
"""

from __future__ import annotations

from model.report.explain import Explanation
from model.report.formatting import Names, num, pct
from model.report.own_rules import OwnRules
from model.report.whynot import Move, WhyNot

MAX_SHOWN = 5  # better-scoring districts named one by one; the rest are counted


def _what_beat(answer: WhyNot, move: Move, names: Names) -> str:
    """Why a district with a higher core score did not get the core."""
    where = names.d(move.district)
    if move.blocked:
        return f"{where} ({num(move.core)}): " + "; ".join(move.blocked)
    if answer.is_tie(move):
        return f"{where} ({num(move.core)}): a tie, the same objective"
    here = answer.here
    losses = []
    if move.members < here.members - answer.tolerance:
        losses.append(f"members {num(move.members)} against {num(here.members)} here")
    if move.coop < here.coop - answer.tolerance:
        colocated = [
            names.t(k).lower()
            for k, d in answer.partners_here
            if d == answer.core and d != move.district and k != answer.cluster_type
        ]
        what = "cooperation"
        if colocated:
            what = "cooperation (co-location with " + ", ".join(colocated) + " here)"
        losses.append(f"{what} {num(move.coop)} against {num(here.coop)} here")
    delta = answer.delta(move)
    text = f"{where} ({num(move.core)}): " + (" and ".join(losses) or "its total is lower")
    if delta > answer.tolerance:
        return text + f"; it would gain {num(delta)} (the solve is not proven optimal)"
    return text + f", so it gives up {num(-delta)}"


def _listed(answer: WhyNot, better: list[Move], names: Names) -> str:
    """The better-scoring districts: blocked ones grouped by the rule, the others one by one."""
    by_rule: dict[str, list[Move]] = {}
    open_moves = []
    for move in better:
        if move.blocked:
            by_rule.setdefault("; ".join(move.blocked), []).append(move)
        else:
            open_moves.append(move)
    parts = [_what_beat(answer, m, names) for m in open_moves[:MAX_SHOWN]]
    if len(open_moves) > MAX_SHOWN:
        parts.append(f"{len(open_moves) - MAX_SHOWN} more open districts give up more")
    for rule, moves in by_rule.items():
        shown = ", ".join(f"{names.d(m.district)} ({num(m.core)})" for m in moves[:MAX_SHOWN])
        if len(moves) > MAX_SHOWN:
            shown += f" and {len(moves) - MAX_SHOWN} more"
        parts.append(f"{shown}: {rule}")
    return "; ".join(parts)


def why_not_text(e: Explanation, names: Names) -> str:
    """ "Why not there?": ties, and every district with a higher core score."""
    answer = e.why_not
    if answer is None:
        return ""
    parts = []
    ties = answer.ties
    if ties:
        parts.append(
            f"**Tie.** {names.ds([m.district for m in ties])} would give exactly the same "
            "objective with everything else fixed; the solver's pick among tied districts is "
            "arbitrary."
        )
    better = answer.better_scoring
    score = num(answer.here.core)
    if not better:
        parts.append(
            f"**Why not elsewhere.** No other district scores higher on fit + export for this "
            f"type ({score} here)."
        )
    else:
        allowed = [m for m in better if not m.blocked]
        open_to = f"{len(allowed)} of them" if allowed else "none of them"
        verb = "scores" if len(better) == 1 else "score"
        parts.append(
            f"**Why not elsewhere.** {len(better)} district{'s' if len(better) != 1 else ''} "
            f"{verb} higher on fit + export than {names.d(e.core)} ({score}), {open_to} open to "
            f"this core with everything else fixed (cooperation counted in whole pairs): "
            f"{_listed(answer, better, names)}."
        )
    return " ".join(parts)


def own_rules_text(e: Explanation, names: Names) -> str:
    """The scenario's own rules that moved this type, if they did."""
    effect = e.own_rules
    if effect is None:
        return ""
    where = names.ds(effect.free_cores) if effect.free_cores else "nowhere"
    text = f"**Your rules.** Without the scenario's own rules this core would be in {where}"
    if effect.moved_by:
        text += "; moved by " + ", ".join(f"{r.key} ({r.text})" for r in effect.moved_by)
    else:
        text += "; no single rule moves it alone (the rules act together)"
    return text + "."


def rules_summary_text(summary: OwnRules | None, objective: float | None, names: Names) -> str:
    """One paragraph: the own rules, what they cost together, which types they moved."""
    if summary is None or not summary.rules:
        return ""
    listed = "; ".join(f"{r.key}: {r.text}" for r in summary.rules)
    text = f"The scenario's own rules: {listed}. "
    cost = summary.cost(objective)
    if cost is None:
        return text + f"Without them: {summary.note or summary.status}."
    moved = sorted(summary.effects)
    if not moved:
        return text + "Without them the siting is the same: they move no core."
    share = f" ({pct(cost / summary.free_objective)})" if summary.free_objective else ""
    text += (
        f"Together they cost {num(cost)}{share} of the objective and move "
        + ", ".join(names.t(k).lower() for k in moved)
        + "."
    )
    if summary.note:
        text += f" ({summary.note}.)"
    return text
