"""The site and member rows (families 1 to 5) as the project built them before vectorising:
Python loops over the site and arc tuples, frozen here as the reference that
``model.formulation`` must reproduce exactly (same row keys in the same order, same columns,
same coefficients, same bounds).

Each family is returned as ``{name: [(key, [(column, coef), ...], lower, upper), ...]}`` with
columns numbered as in the model: every y (the instance's sites), then every x.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from model.instance import SitingInstance

Row = tuple[Any, list[tuple[int, float]], float, float]


def loop_site_rows(instance: SitingInstance) -> dict[str, list[Row]]:
    y = {site: n for n, site in enumerate(instance.sites)}
    first_x = len(instance.sites)
    rows: dict[str, list[Row]] = {}

    by_type: dict[str, list[int]] = {k: [] for k in instance.types}
    for site, column in y.items():
        by_type[site[0]].append(column)
    rows["sites_per_type"] = []
    for k in instance.types:
        lo, hi = instance.site_range[k]
        hi_binds = hi is not None and hi < len(by_type[k])
        if by_type[k] and (lo > 0 or hi_binds):
            rows["sites_per_type"].append(
                (
                    k,
                    [(c, 1.0) for c in by_type[k]],
                    lo if lo > 0 else -math.inf,
                    hi if hi_binds else math.inf,
                )
            )

    by_district: dict[str, list[int]] = defaultdict(list)
    for site, column in y.items():
        by_district[site[1]].append(column)
    rows["district_capacity"] = [
        (i, [(c, 1.0) for c in by_district[i]], -math.inf, instance.capacity)
        for i in instance.districts
        if len(by_district[i]) > instance.capacity
    ]

    rows["members_need_core"] = [
        ((k, i, j), [(first_x + n, 1.0), (y[(k, i)], -1.0)], -math.inf, 0.0)
        for n, (k, i, j) in enumerate(instance.members)
    ]

    arcs_into: dict[tuple[str, str], list[int]] = defaultdict(list)
    for column, (k, _, j) in enumerate(instance.members, first_x):
        arcs_into[(k, j)].append(column)
    rows["one_membership"] = [
        (key, [(c, 1.0) for c in arcs + ([y[key]] if key in y else [])], -math.inf, 1.0)
        for key, arcs in arcs_into.items()
        if len(arcs) > 1 or key in y
    ]

    arcs_out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for column, (k, i, _) in enumerate(instance.members, first_x):
        arcs_out[(k, i)].append(column)
    cap = instance.max_members
    rows["catchment_size"] = [
        (key, [(c, 1.0) for c in arcs] + [(y[key], float(-cap))], -math.inf, 0.0)
        for key, arcs in arcs_out.items()
        if len(arcs) > cap
    ]
    return rows
