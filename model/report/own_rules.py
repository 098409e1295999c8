"""Which of the scenario's own rules moved a core, found by solving without them.

The scenario's **own rules** are its policy entries: each ``rules.lock`` entry, each
``rules.groups`` entry, the ``rules.forbid`` bans (one rule per banned type, and one for the
bans of every type), ``rules.budget`` and ``rules.min_border_sites``. The structural rules
(sites per type, district capacity, catchment, border and corridor reach, greenfield) are part
of the model and stay.

Method (docs/model.md §11): the scenario is solved once with all its own rules removed. Every
type whose cores differ there was moved by the rules together; to name the rule, the scenario
is solved again once per own rule with only that rule removed, and a rule moved a type when
removing it alone changes that type's cores. A type can be moved by rules that only act
together, in which case no single rule is named and the explanation says so. The objective
difference against the free solve is what the rules cost together.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from model.pipeline import RunResult, solve
from model.scenario import LoadedScenario, validate_scenario

MAX_RULE_SOLVES = 12  # one re-solve per own rule; more rules get only the joint comparison
RULE_BUDGET_S = 30.0  # expected seconds of all re-solves, at the original run's pace


@dataclass(frozen=True)
class OwnRule:
    """One policy entry of the scenario, and how to remove it from the resolved data."""

    key: str  # e.g. rules.groups[0] (city)
    text: str  # e.g. group city: at most 0 cores

    def remove(self, rules: dict[str, Any]) -> None:
        _REMOVERS[self.key.split("[")[0].split(" ")[0]](rules, self)


@dataclass(frozen=True)
class RuleEffect:
    """What the scenario's own rules did to one cluster type."""

    cluster_type: str
    free_cores: list[str]  # the type's cores without any own rule
    moved_by: list[OwnRule] = field(default_factory=list)  # rules that alone move it


@dataclass(frozen=True)
class OwnRules:
    """The scenario's own rules, the free solve, and the types they moved."""

    rules: list[OwnRule]
    status: str  # of the free solve, or "none" (no own rules) / "not computed"
    free_objective: float | None = None
    effects: dict[str, RuleEffect] = field(default_factory=dict)  # moved types only
    note: str = ""

    def cost(self, objective: float | None) -> float | None:
        """What the rules cost together: the free optimum minus the run's objective."""
        if objective is None or self.free_objective is None:
            return None
        return self.free_objective - objective


def own_rules(result: RunResult) -> list[OwnRule]:
    """The policy entries of the scenario, in the order of the scenario's keys."""
    rules = result.loaded.scenario.rules
    names = {str(k): str(v) for k, v in result.region.districts["name"].items()}
    types = {k: c.name.lower() for k, c in result.region.clusters.items()}
    found = []
    for n, lock in enumerate(rules.lock):
        places = [names.get(d, d) for d in lock.places]
        where = places[0] if len(places) == 1 else "one of " + ", ".join(places)
        found.append(
            OwnRule(f"rules.lock[{n}]", f"{types.get(lock.cluster, lock.cluster)} in {where}")
        )
    for n, group in enumerate(rules.groups):
        bounds = []
        if group.min_sites:
            bounds.append(f"at least {group.min_sites}")
        if group.max_sites is not None:
            bounds.append(f"at most {group.max_sites}")
        of = "" if group.types is None else " of " + ", ".join(group.types)
        found.append(
            OwnRule(
                f"rules.groups[{n}] ({group.name})",
                f"group {group.name}: {' and '.join(bounds) or 'no bound'} cores{of}",
            )
        )
    banned = list(dict.fromkeys(p.cluster for p in rules.forbid))
    for cluster in banned:
        places = [p.district for p in rules.forbid if p.cluster == cluster]
        what = "every type" if cluster is None else cluster
        shown = ", ".join(names.get(d, d) for d in places[:5])
        if len(places) > 5:
            shown += f" and {len(places) - 5} more"
        no = "no core" if cluster is None else f"no {types.get(cluster, cluster)} core"
        found.append(OwnRule(f"rules.forbid ({what})", f"{no} in {shown}"))
    if rules.budget is not None:
        found.append(OwnRule("rules.budget", f"budget limit {rules.budget.limit:g}"))
    if rules.min_border_sites:
        found.append(
            OwnRule("rules.min_border_sites", f"at least {rules.min_border_sites} border cores")
        )
    return found


def _remove_lock(rules: dict[str, Any], rule: OwnRule) -> None:
    rules["lock"][_index(rule)] = None


def _remove_group(rules: dict[str, Any], rule: OwnRule) -> None:
    rules["groups"][_index(rule)] = None


def _remove_forbid(rules: dict[str, Any], rule: OwnRule) -> None:
    what = rule.key[len("rules.forbid (") : -1]
    cluster = None if what == "every type" else what
    rules["forbid"] = [p for p in rules["forbid"] if p is None or p.get("cluster") != cluster]


def _remove_budget(rules: dict[str, Any], rule: OwnRule) -> None:
    rules["budget"] = None


def _remove_border_minimum(rules: dict[str, Any], rule: OwnRule) -> None:
    rules["min_border_sites"] = 0


def _index(rule: OwnRule) -> int:
    return int(rule.key.split("[", 1)[1].split("]", 1)[0])


_REMOVERS = {
    "rules.lock": _remove_lock,
    "rules.groups": _remove_group,
    "rules.forbid": _remove_forbid,
    "rules.budget": _remove_budget,
    "rules.min_border_sites": _remove_border_minimum,
}


def without(loaded: LoadedScenario, rules: list[OwnRule]) -> LoadedScenario:
    """The scenario with the given own rules removed (validated like any scenario)."""
    data = copy.deepcopy(loaded.resolved())
    for rule in rules:
        rule.remove(data["rules"])
    for key in ("lock", "groups"):  # removed entries were set to None to keep indices stable
        data["rules"][key] = [entry for entry in data["rules"][key] if entry is not None]
    scenario = validate_scenario(data, str(loaded.path) if loaded.path else "<scenario>")
    extra = "without " + ", ".join(rule.key for rule in rules)
    return LoadedScenario(scenario, loaded.path, list(loaded.chain), [*loaded.overrides, extra])


def _cores_by_type(result: RunResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for k, d in sorted(result.core_set()):
        found.setdefault(k, []).append(d)
    return found


def rule_effects(
    result: RunResult, per_rule: bool = True, budget_s: float | None = RULE_BUDGET_S
) -> OwnRules:
    """Solve without the scenario's own rules (all, then each alone) and name what moved."""
    rules = own_rules(result)
    if not rules:
        return OwnRules([], "none")
    if not result.has_solution:
        return OwnRules(rules, "not computed", note="the run has no siting to compare")
    started = time.perf_counter()
    free = solve(without(result.loaded, rules), result.region, tables=result.tables)
    if not free.has_solution:
        return OwnRules(rules, free.status, note="no siting without them either")
    took = time.perf_counter() - started
    mine, theirs = _cores_by_type(result), _cores_by_type(free)
    moved = [k for k in result.instance.types if mine.get(k, []) != theirs.get(k, [])]
    note = ""
    single: dict[str, list[OwnRule]] = {k: [] for k in moved}
    if moved and per_rule and len(rules) > 1:
        if len(rules) > MAX_RULE_SOLVES:
            note = f"more than {MAX_RULE_SOLVES} own rules: not solved once per rule"
        elif budget_s is not None and took * len(rules) > budget_s:
            note = (
                f"{len(rules)} re-solves would take about {took * len(rules):.0f} s (budget "
                f"{budget_s:g} s): not solved once per rule"
            )
        else:
            for rule in rules:
                alone = solve(without(result.loaded, [rule]), result.region, tables=result.tables)
                if not alone.has_solution:
                    continue
                cores = _cores_by_type(alone)
                for k in moved:
                    if cores.get(k, []) != mine.get(k, []):
                        single[k].append(rule)
    elif moved and len(rules) == 1:
        single = {k: list(rules) for k in moved}
    effects = {k: RuleEffect(k, theirs.get(k, []), single[k]) for k in moved}
    return OwnRules(rules, free.status, free.objective, effects, note)
