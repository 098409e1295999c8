r"""The policy rows of the siting model (family 7 of docs/model.md §5) as sparse arrays.

Each function returns the rows of one family over the core columns :math:`y` (positions in
``instance.sites``, which are the model's first columns), in the order the family has always
had, together with the keys that name them and the keys of the rows that no solution can
satisfy (a floor over no allowed site). :mod:`model.formulation` puts them on the Pyomo model;
:mod:`model.matrix_model` hands them to HiGHS as arrays. Both therefore state the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from model.instance import Site, SitingInstance
from solvers.sparse_rows import MatrixRows


@dataclass(frozen=True)
class PolicyFamily:
    """The rows of one family: ``rows`` named by ``keys`` (None for the family's single
    unindexed row), and ``infeasible``, the keys of rows with no allowed site that need one."""

    name: str
    keys: list[Any] | None
    rows: MatrixRows
    infeasible: list[Any]


def _rows(
    variables: Sequence[Any],
    columns: list[list[int]],
    coefs: list[list[float]],
    lower: list[float],
    upper: list[float],
) -> MatrixRows:
    rows = MatrixRows.sums(variables, columns, upper, lower=lower)
    flat = [c for row in coefs for c in row]
    if any(c != 1.0 for c in flat):
        return replace(rows, coef=np.array(flat, dtype=np.float64))
    return rows


def policy_families(
    instance: SitingInstance, variables: Sequence[Any], y: dict[Site, int]
) -> list[PolicyFamily]:
    """Families 7a to 7d over the columns ``y`` (core site -> column) of ``variables``."""
    return [
        _border(instance, variables, y),
        _groups(instance, variables, y),
        _locks(instance, variables, y),
        _budget(instance, variables, y),
    ]


def _border(instance: SitingInstance, variables: Sequence[Any], y: dict[Site, int]) -> PolicyFamily:
    """7a. Σ_{k, i ∈ B} y[k,i] ≥ b: at least b cores in border districts."""
    need = instance.min_border_sites
    if need <= 0:
        return PolicyFamily("min_border_sites", None, _rows(variables, [], [], [], []), [])
    columns = [y[s] for s in instance.sites if s[1] in instance.border_districts]
    if not columns:
        return PolicyFamily("min_border_sites", None, _rows(variables, [], [], [], []), [None])
    rows = _rows(variables, [columns], [[1.0] * len(columns)], [need], [math.inf])
    return PolicyFamily("min_border_sites", None, rows, [])


def _groups(instance: SitingInstance, variables: Sequence[Any], y: dict[Site, int]) -> PolicyFamily:
    """7b. lo_G ≤ Σ_{k ∈ K_G, i ∈ G} y[k,i] ≤ hi_G, written where a side can bind."""
    keys: list[Any] = []
    columns: list[list[int]] = []
    lower: list[float] = []
    upper: list[float] = []
    infeasible: list[Any] = []
    for g, group in enumerate(instance.groups):
        counted = [y[s] for s in instance.sites if group.counts(s)]
        lo, hi = group.min_sites, group.max_sites
        hi_binds = hi is not None and hi < len(counted)
        if not counted:
            if lo > 0:
                infeasible.append(g)
            continue
        if lo <= 0 and not hi_binds:
            continue
        keys.append(g)
        columns.append(counted)
        lower.append(lo if lo > 0 else -math.inf)
        upper.append(hi if hi_binds and hi is not None else math.inf)
    ones = [[1.0] * len(c) for c in columns]
    return PolicyFamily(
        "group_limits", keys, _rows(variables, columns, ones, lower, upper), infeasible
    )


def _locks(instance: SitingInstance, variables: Sequence[Any], y: dict[Site, int]) -> PolicyFamily:
    """7c. Σ_{i ∈ L} y[k,i] ≥ 1 over a lock's districts; y[k,i] = 1 for one district."""
    keys: list[Any] = []
    columns: list[list[int]] = []
    upper: list[float] = []
    infeasible: list[Any] = []
    for n, lock in enumerate(instance.locks):
        found = [y[s] for s in lock.sites if s in y]
        if not found:
            infeasible.append(n)
            continue
        single = len(lock.districts) == 1
        keys.append(n)
        columns.append(found[:1] if single else found)
        upper.append(1.0 if single else math.inf)
    ones = [[1.0] * len(c) for c in columns]
    rows = _rows(variables, columns, ones, [1.0] * len(keys), upper)
    return PolicyFamily("locks", keys, rows, infeasible)


def _budget(instance: SitingInstance, variables: Sequence[Any], y: dict[Site, int]) -> PolicyFamily:
    """7d. Σ c_i · y[k,i] ≤ L over the cores whose district costs something."""
    empty = PolicyFamily("budget", None, _rows(variables, [], [], [], []), [])
    if instance.site_cost is None or instance.budget_limit is None:
        return empty
    cost = instance.site_cost
    costly = [s for s in instance.sites if cost[s[1]] != 0]
    if not costly:
        return empty  # every core is free: the budget cannot bind (its limit is never negative)
    rows = _rows(
        variables,
        [[y[s] for s in costly]],
        [[float(cost[s[1]]) for s in costly]],
        [-math.inf],
        [float(instance.budget_limit)],
    )
    return PolicyFamily("budget", None, rows, [])
