"""Find the smallest set of rules that conflict, in the planner's terms.

When a scenario is infeasible, every rule the planner can change becomes a :class:`Rule` (a
lock on a district or on a set of districts, a forbidden site or a district banned to every
type, a type's minimum or maximum, the district capacity, the border minimum,
a group's floor or cap, the budget, the border or corridor reach of one type). A deletion
filter then drops rules one at a time while the rest stay infeasible: what remains is an
irreducible conflict, a set of rules that cannot hold together although any one of them could
be relaxed to make the scenario feasible (the rule-level analogue of an irreducible infeasible
subset, Chinneck & Dravnieks 1991).

Relaxing a rule only ever enlarges the feasible set, so the filter is sound. Feasibility is
tested on the core-site part of the model (members and cooperation cannot make a scenario
infeasible), with the objective switched off, which keeps every test small and fast.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from model.diagnosis import structural_conflicts
from model.instance import IndicatorTables, build_instance
from model.matrix_model import build_program
from model.region import Region
from model.scenario import Scenario
from solvers import SolverOptions, Status
from solvers.highs import solve_program

FEASIBILITY_TIME_LIMIT_S = 30.0


@dataclass(frozen=True)
class Rule:
    """One rule the planner can relax: its scenario key, its wording, how to drop it."""

    key: str
    text: str
    relax: Callable[[dict[str, Any]], None]  # edits a scenario dict so the rule no longer binds


def _types_of(data: dict[str, Any], region: Region) -> list[str]:
    chosen = data["rules"]["clusters"]
    return list(chosen) if chosen is not None else list(region.clusters)


def candidate_rules(scenario: Scenario, region: Region) -> list[Rule]:
    """Every rule of the scenario that binds, in the order the deletion filter tries them."""
    data = scenario.model_dump()
    rules = scenario.rules
    types = _types_of(data, region)
    n_districts = len(region.district_ids)
    found: list[Rule] = []

    for index, pick in enumerate(rules.forbid):
        found.append(
            Rule(
                f"rules.forbid[{index}]",
                f"the ban of {pick.cluster or 'every type'} in {pick.district}",
                _drop_entry("forbid", index),
            )
        )
    if not rules.greenfield:
        found.append(
            Rule(
                "rules.greenfield",
                "the rule that a core needs activity in its type's own sectors",
                _set_key(("greenfield",), True),
            )
        )
    for name, label in (("border", "a crossing"), ("corridor", "a federal road")):
        reach = getattr(rules, name)
        for k in types:
            if reach.applies_to(region.clusters[k]):
                found.append(
                    Rule(
                        f"rules.{name}.types:{k}",
                        f"the {name} rule for {k} ({label} within {reach.max_minutes:g} min)",
                        _exempt_from_reach(name, k, region),
                    )
                )
    if rules.max_clusters_per_district < len(types):
        found.append(
            Rule(
                "rules.max_clusters_per_district",
                f"at most {_cores(rules.max_clusters_per_district)} per district",
                _set_key(("max_clusters_per_district",), len(types)),
            )
        )
    for k in types:
        lo, hi = rules.site_range(k)
        if hi < n_districts:
            found.append(
                Rule(
                    f"rules.sites.{k}.max",
                    f"at most {_cores(hi, k)}",
                    _set_site_bound(k, "max", n_districts),
                )
            )
        if lo > 0:
            found.append(
                Rule(
                    f"rules.sites.{k}.min",
                    f"at least {_cores(lo, k)}",
                    _set_site_bound(k, "min", 0),
                )
            )
    if rules.budget is not None:
        found.append(
            Rule(
                "rules.budget",
                f"the budget of {rules.budget.limit:g}",
                _set_key(("budget",), None),
            )
        )
    if rules.min_border_sites > 0:
        found.append(
            Rule(
                "rules.min_border_sites",
                f"at least {_cores(rules.min_border_sites)} in border districts",
                _set_key(("min_border_sites",), 0),
            )
        )
    for index, group in enumerate(rules.groups):
        of = "" if group.types is None else " of " + ", ".join(group.types)
        if group.max_sites is not None:
            found.append(
                Rule(
                    f"rules.groups[{index}].max_sites",
                    f"at most {_cores(group.max_sites)}{of} in group {group.name}",
                    _set_group_bound(index, "max_sites", None),
                )
            )
        if group.min_sites > 0:
            found.append(
                Rule(
                    f"rules.groups[{index}].min_sites",
                    f"at least {_cores(group.min_sites)}{of} in group {group.name}",
                    _set_group_bound(index, "min_sites", 0),
                )
            )
    for index, lock in enumerate(rules.lock):
        found.append(
            Rule(
                f"rules.lock[{index}]",
                f"the lock of {lock.describe()}",
                _drop_entry("lock", index),
            )
        )
    return found


def _cores(count: int, kind: str = "") -> str:
    noun = "core" if count == 1 else "cores"
    return f"{count} {kind} {noun}" if kind else f"{count} {noun}"


def _drop_entry(key: str, index: int) -> Callable[[dict[str, Any]], None]:
    def relax(data: dict[str, Any]) -> None:
        data["rules"][key][index] = None  # removed before validation; keeps other indices

    return relax


def _set_key(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def relax(data: dict[str, Any]) -> None:
        node = data["rules"]
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return relax


def _set_site_bound(k: str, bound: str, value: int) -> Callable[[dict[str, Any]], None]:
    def relax(data: dict[str, Any]) -> None:
        sites = data["rules"]["sites"]
        default = sites.get("default") or {}
        entry = sites.setdefault(k, {"min": None, "max": None})
        for other in ("min", "max"):  # pin the type's own bounds before changing one
            if entry.get(other) is None:
                fallback = default.get(other)
                entry[other] = fallback if fallback is not None else 1
        entry[bound] = value

    return relax


def _set_group_bound(index: int, bound: str, value: int | None) -> Callable[[dict[str, Any]], None]:
    def relax(data: dict[str, Any]) -> None:
        data["rules"]["groups"][index][bound] = value

    return relax


def _exempt_from_reach(name: str, k: str, region: Region) -> Callable[[dict[str, Any]], None]:
    def relax(data: dict[str, Any]) -> None:
        reach = data["rules"][name]
        flag = "cross_border" if name == "border" else "needs_corridor"
        if reach["types"] is None:
            flagged = [t for t in _types_of(data, region) if getattr(region.clusters[t], flag)]
            reach["types"] = flagged
        reach["types"] = [t for t in reach["types"] if t != k]

    return relax


def _relaxed(scenario: Scenario, dropped: list[Rule]) -> Scenario:
    data = copy.deepcopy(scenario.model_dump())
    for rule in dropped:
        rule.relax(data)
    for key in ("lock", "forbid"):
        data["rules"][key] = [entry for entry in data["rules"][key] if entry is not None]
    data["weights"] = {"fit": 0.0, "export": 0.0, "member": 0.0, "coop": 0.0}
    return Scenario.model_validate(data)


def is_feasible(
    region: Region, scenario: Scenario, tables: IndicatorTables, dropped: list[Rule]
) -> bool:
    """Whether the scenario with the dropped rules relaxed admits any siting at all."""
    relaxed = _relaxed(scenario, dropped)
    instance = build_instance(region, relaxed, tables)
    if structural_conflicts(instance):
        return False
    # the model as arrays (no Pyomo model): the search asks this hundreds of times
    program = build_program(instance)
    if program is None:  # a row that can never hold
        return False
    outcome, _ = solve_program(
        program.lp, SolverOptions(time_limit=FEASIBILITY_TIME_LIMIT_S, threads=None)
    )
    if outcome.status == Status.INFEASIBLE:
        return False
    if outcome.has_solution:
        return True
    raise RuntimeError(f"feasibility test ended without an answer: {outcome.message}")


def find_conflict(region: Region, scenario: Scenario, tables: IndicatorTables) -> list[Rule]:
    """An irreducible set of rules that cannot hold together (empty if none is found)."""
    rules = candidate_rules(scenario, region)
    if is_feasible(region, scenario, tables, []):
        return []  # feasible after all (e.g. only the objective part was at fault)
    if not is_feasible(region, scenario, tables, rules):
        return []  # infeasible even with every rule relaxed: not a conflict of rules
    kept = list(rules)
    for rule in rules:
        trial = [r for r in kept if r is not rule]
        dropped = [r for r in rules if r not in trial]
        if not is_feasible(region, scenario, tables, dropped):
            kept = trial  # still infeasible without it: the rule is not part of the conflict
    return kept


def single_fixes(
    region: Region, scenario: Scenario, tables: IndicatorTables, conflict: list[Rule]
) -> list[Rule]:
    """The rules of the conflict whose relaxation alone makes the whole scenario feasible."""
    return [rule for rule in conflict if is_feasible(region, scenario, tables, [rule])]


def describe(conflict: list[Rule], fixes: list[Rule]) -> list[str]:
    """Sentences for the planner."""
    if not conflict:
        return []
    if len(conflict) == 1:
        lines = [f"This rule cannot be met: {conflict[0].text} ({conflict[0].key})."]
    else:
        listed = "; ".join(f"{rule.text} ({rule.key})" for rule in conflict)
        lines = [
            f"These {len(conflict)} rules cannot all hold together: {listed}.",
            "Without any one of them the others can hold together.",
        ]
    if fixes:
        lines.append(
            "Relaxing any one of these alone makes the scenario feasible: "
            + "; ".join(rule.key for rule in fixes)
            + "."
        )
    else:
        lines.append("The scenario holds further conflicts: relaxing one rule is not enough.")
    return lines
