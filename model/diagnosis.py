"""Explain an infeasible scenario in the planner's terms, before or after the solver runs.

This module finds the conflicts that can be read off the rules directly: a lock on a site that
a rule excludes (or on a set of districts that rules exclude one and all, each district named
with its reason), more locks than a type's maximum or a district's capacity, a type or a group
whose minimum exceeds the sites left to it, a border minimum no allowed site can meet, types
whose minima together exceed what their allowed districts hold (``model.site_flow``). When
none of these explains an infeasible model, the solver's verdict stands with a general message.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from model.column_index import site_arrays
from model.instance import SitingInstance
from model.site_flow import crowded_types


def structural_conflicts(instance: SitingInstance) -> list[str]:
    """Conflicts between rules that make the scenario infeasible, each as one sentence."""
    conflicts: list[str] = []
    for k in instance.types:
        lo, hi = instance.site_range[k]
        if lo > hi:
            conflicts.append(f"rules.sites for {k} ask for at least {lo} and at most {hi} cores")
    for group in instance.groups:
        if group.max_sites is not None and group.min_sites > group.max_sites:
            conflicts.append(
                f"group {group.name} asks for at least {group.min_sites} and at most "
                f"{group.max_sites} cores"
            )
    allowed = set(instance.sites)
    # a lock on one district fixes its core; a lock on a set fixes nothing in particular
    fixed: list[tuple[str, str]] = []
    for lock in instance.locks:
        if any(site in allowed for site in lock.sites):
            if len(lock.districts) == 1:
                fixed.append(lock.sites[0])
            continue
        if len(lock.districts) == 1:
            k, i = lock.sites[0]
            reason = instance.excluded.get((k, i), "the site is not allowed")
            conflicts.append(f"the lock of {k} in {i} conflicts with the {reason}")
            continue
        why = "; ".join(
            f"{i}: {instance.excluded.get((lock.cluster, i), 'not allowed')}"
            for i in lock.districts
        )
        conflicts.append(
            f"the lock of {lock.describe()} (rules.lock[{lock.index}]) cannot be met: every "
            f"district of its set is excluded ({why})"
        )
    locks = list(dict.fromkeys(fixed))
    locks_per_type = Counter(k for k, _ in locks)
    for k, count in locks_per_type.items():
        hi = instance.site_range[k][1]
        if count > hi:
            conflicts.append(f"{count} locks of {k} exceed its maximum of {hi} sites")
    locks_per_district = Counter(i for _, i in locks)
    for i, count in locks_per_district.items():
        if count > instance.capacity:
            conflicts.append(
                f"{count} locks in {i} exceed max_clusters_per_district = {instance.capacity}"
            )
    sites_per_type = np.bincount(site_arrays(instance)[0], minlength=len(instance.types))
    for a, k in enumerate(instance.types):
        lo = instance.site_range[k][0]
        if sites_per_type[a] < lo:
            reasons = sorted({r.split(":")[0] for (t, _), r in instance.excluded.items() if t == k})
            why = f" (excluded by: {', '.join(reasons)})" if reasons else ""
            conflicts.append(
                f"{k} needs at least {lo} sites but only {sites_per_type[a]} districts "
                f"are allowed{why}"
            )
    border_capacity = _most_cores(instance, instance.border_districts)
    if instance.min_border_sites > border_capacity:
        conflicts.append(
            f"min_border_sites = {instance.min_border_sites} but at most {border_capacity} cores "
            "can sit in border districts under the other rules"
        )
    for group in instance.groups:
        most = _most_cores(instance, frozenset(group.districts), group.types)
        if group.min_sites > most:
            conflicts.append(
                f"group {group.name} needs at least {group.min_sites} cores but at most {most} "
                "can sit in its districts"
            )
    total_min = sum(instance.site_range[k][0] for k in instance.types)
    total_room = _most_cores(instance, frozenset(instance.districts))
    if total_min > total_room:
        conflicts.append(
            f"the types need at least {total_min} cores in all but capacity and the allowed sites "
            f"leave room for {total_room}"
        )
    if not conflicts:  # several types that compete for the same few districts
        crowded = crowded_types(instance)
        if crowded is not None:
            conflicts.append(crowded.sentence(instance))
    return conflicts


def _most_cores(
    instance: SitingInstance, districts: frozenset[str], types: tuple[str, ...] | None = None
) -> int:
    """An upper bound on cores in the districts (of the types, None = all): capacity, allowed
    sites and type maxima."""
    type_of, district_of = site_arrays(instance)
    in_districts = np.array([d in districts for d in instance.districts], dtype=bool)
    counted = in_districts[district_of]
    if types is not None:
        counted &= np.array([k in types for k in instance.types], dtype=bool)[type_of]
    per_district = np.bincount(district_of[counted], minlength=len(instance.districts))
    by_capacity = int(np.minimum(per_district, instance.capacity).sum())
    per_type = np.bincount(type_of[counted], minlength=len(instance.types))
    maxima = np.array([instance.site_range[k][1] for k in instance.types], dtype=np.int64)
    by_type = int(np.minimum(per_type, maxima).sum())
    return min(by_capacity, by_type)


GENERAL_MESSAGE = (
    "the solver proved that no siting satisfies all rules together; none of the simple "
    "conflicts (locks, minima against allowed sites, capacity, border minimum, groups) explains "
    "it alone, so it comes from their combination (try relaxing rules one at a time)"
)
