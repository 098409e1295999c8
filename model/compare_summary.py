"""One plain-language line per compared scenario: what changed, what it costs, what moved.

For every scenario after the first (the reference), e.g.::

    wood_northeast: wood processing in one of Sychyovsky, Novoduginsky, Tyomkinsky and no
    core in Smolensk (city) cost 0.850 (16.2 %) against baseline; 5 cores move: wood
    processing Gagarinsky → Sychyovsky, ...

The change is said from the settings that differ: new locks, bans and groups in words, other
keys as ``key old → new``. Under other weights the objectives are not comparable and the line
says so instead of a cost.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.compare import Snapshot

MAX_PHRASES = 3  # setting changes said in words; the rest are counted
MAX_MOVES = 8  # moved cores named; the rest are counted
IGNORED = ("name", "description", "extends")


def _district_list(ids: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(d, d) for d in ids)


def _lock_phrase(entry: dict[str, Any], names: dict[str, str], types: dict[str, str]) -> str:
    places = entry.get("districts") or [entry.get("district")]
    kind = types.get(str(entry.get("cluster")), str(entry.get("cluster"))).lower()
    if len(places) == 1:
        return f"{kind} in {names.get(str(places[0]), str(places[0]))}"
    return f"{kind} in one of {_district_list([str(p) for p in places], names)}"


def _forbid_phrases(
    entries: list[dict[str, Any]], names: dict[str, str], types: dict[str, str]
) -> list[str]:
    by_type: dict[str | None, list[str]] = {}
    for entry in entries:
        by_type.setdefault(entry.get("cluster"), []).append(str(entry.get("district")))
    phrases = []
    for cluster, places in by_type.items():
        what = "no core" if cluster is None else f"no {types.get(cluster, cluster).lower()} core"
        shown = _district_list(places[:4], names)
        more = f" and {len(places) - 4} more districts" if len(places) > 4 else ""
        phrases.append(f"{what} in {shown}{more}")
    return phrases


def _group_phrase(entry: dict[str, Any], names: dict[str, str]) -> str:
    bounds = []
    if entry.get("min_sites"):
        bounds.append(f"at least {entry['min_sites']}")
    if entry.get("max_sites") is not None:
        bounds.append(f"at most {entry['max_sites']}")
    places = [str(d) for d in entry.get("districts", [])]
    where = _district_list(places[:4], names) + (" and more" if len(places) > 4 else "")
    if entry.get("max_sites") == 0:
        return f"no core in {where}"
    return f"{' and '.join(bounds) or 'any number of'} cores in {where}"


def _added(mine: Any, theirs: Any) -> list[Any]:
    """Entries of a list setting that the reference does not have."""
    mine = mine if isinstance(mine, list) else []
    theirs = theirs if isinstance(theirs, list) else []
    known = {json.dumps(e, sort_keys=True) for e in theirs}
    return [e for e in mine if json.dumps(e, sort_keys=True) not in known]


def setting_words(key: str, value: Any, names: dict[str, str], types: dict[str, str]) -> str | None:
    """A lock, ban or group list in words (None for any other setting)."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        return None
    if key == "rules.lock":
        phrases = [_lock_phrase(e, names, types) for e in value]
    elif key == "rules.forbid":
        phrases = _forbid_phrases(value, names, types)
    elif key == "rules.groups":
        phrases = [f"{e.get('name')}: {_group_phrase(e, names)}" for e in value]
    else:
        return None
    return "; ".join(phrases) or "none"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "null" if value is None else str(value)


def setting_phrases(snap: Snapshot, reference: Snapshot) -> list[str]:
    """The settings that differ from the reference, in words where a planner would say them."""
    names = {**reference.names, **snap.names}
    types = {**reference.type_names, **snap.type_names}
    phrases: list[str] = []
    keys = list(dict.fromkeys([*reference.settings, *snap.settings]))
    for key in keys:
        if key in IGNORED or not key:
            continue
        mine, theirs = snap.settings.get(key), reference.settings.get(key)
        if json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True):
            continue
        added = _added(mine, theirs)
        removed = _added(theirs, mine)
        if key == "rules.lock" and not removed:
            phrases += [_lock_phrase(e, names, types) for e in added if isinstance(e, dict)]
        elif key == "rules.forbid" and not removed:
            phrases += _forbid_phrases([e for e in added if isinstance(e, dict)], names, types)
        elif key == "rules.groups" and not removed:
            phrases += [_group_phrase(e, names) for e in added if isinstance(e, dict)]
        else:
            phrases.append(f"{key} {_plain(theirs)} → {_plain(mine)}")
    return phrases


def _moves(snap: Snapshot, reference: Snapshot) -> list[str]:
    names = {**reference.names, **snap.names}
    types = {**reference.type_names, **snap.type_names}
    moves = []
    for k in list(dict.fromkeys([*reference.sitings, *snap.sitings])):
        before = [c for c, _ in reference.sitings.get(k, [])]
        after = [c for c, _ in snap.sitings.get(k, [])]
        if before != after:
            moves.append(
                f"{types.get(k, k).lower()} {_district_list(before, names) or 'none'} → "
                f"{_district_list(after, names) or 'none'}"
            )
    return moves


def summary_line(snap: Snapshot, reference: Snapshot) -> str:
    """One plain-language line for ``snap`` against the reference."""
    from model.compare import comparable

    phrases = setting_phrases(snap, reference)
    said = " and ".join(phrases[:MAX_PHRASES])
    if len(phrases) > MAX_PHRASES:
        said += f" (and {len(phrases) - MAX_PHRASES} more changes)"
    subject = f"{snap.label}: {said}" if said else snap.label
    one = len(phrases) <= 1
    verb, change, gain = ("costs", "changes", "gains") if one else ("cost", "change", "gain")
    if snap.objective is None:
        return f"{subject}: no siting ({snap.status})."
    if not comparable(snap, reference):
        text = (
            f"{subject}: the weights differ from {reference.label}, so the objectives are not "
            "comparable"
        )
    elif reference.objective is None:
        text = f"{subject}: {reference.label} has no siting to compare with"
    else:
        delta = snap.objective - reference.objective
        share = f" ({abs(delta) / abs(reference.objective):.1%})" if reference.objective else ""
        if abs(delta) <= 1e-9 * max(1.0, abs(reference.objective)):
            text = f"{subject} {change} nothing in the objective against {reference.label}"
        elif delta < 0:
            text = f"{subject} {verb} {-delta:.3f}{share} against {reference.label}"
        else:
            text = f"{subject} {gain} {delta:.3f}{share} against {reference.label}"
    moves = _moves(snap, reference)
    if not moves:
        return text + "; no core moves."
    shown = "; ".join(moves[:MAX_MOVES])
    if len(moves) > MAX_MOVES:
        shown += f"; and {len(moves) - MAX_MOVES} more"
    count = f"{len(moves)} type{'s' if len(moves) != 1 else ''}"
    verb = "moves" if len(moves) == 1 else "move"
    return f"{text}; {count} {verb}: {shown}."


def summary_lines(snapshots: list[Snapshot]) -> list[str]:
    """One line per scenario after the first."""
    reference = snapshots[0]
    return [summary_line(snap, reference) for snap in snapshots[1:]]
