"""The pair form's rows (families 6, 8 and 9) as a Python loop over the pair tuples: for 6 and
8 the loop the project ran before vectorising, frozen here as the reference that
``model.pair_rows`` must reproduce exactly (same row keys in the same order, same columns, same
coefficients); for 9, written as a loop to check the numpy rows of ``add_capacity_products``.

Each family is returned as ``{name: [(key, [(column, coef), ...]), ...]}`` with columns
numbered as in the model: every y (the instance's sites), every x, then every z.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from model.instance import SitingInstance

Row = tuple[Any, list[tuple[int, float]]]


def loop_pair_rows(instance: SitingInstance) -> dict[str, list[Row]]:
    y = {site: n for n, site in enumerate(instance.sites)}
    first_z = len(instance.sites) + len(instance.members)
    out_of: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    into: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for column, (k, i, k2, j) in enumerate(instance.pairs, first_z):
        out_of[(k, i, k2)].append(column)
        into[(k2, j, k)].append(column)
    hi = {k: instance.site_range[k][1] for k in instance.types}
    first = [key for key, pairs in out_of.items() if len(pairs) > hi[key[2]]]
    second = [key for key, pairs in into.items() if len(pairs) > hi[key[2]]]
    first_tight = {key for key in first if hi[key[2]] == 1}
    second_tight = {key for key in second if hi[key[2]] == 1}
    rows: dict[str, list[Row]] = {}
    pairs = instance.pairs
    for name, tight, core in (
        ("pair_first_core", first_tight, 0),
        ("pair_second_core", second_tight, 2),
    ):
        rows[name] = [
            (pair, [(first_z + n, 1.0), (y[(pair[core], pair[core + 1])], -1.0)])
            for n, pair in enumerate(pairs)
            if ((pair[0], pair[1], pair[2]) if core == 0 else (pair[2], pair[3], pair[0]))
            not in tight
        ]
    for name, keys, grouped in (
        ("pair_bound_first", first, out_of),
        ("pair_bound_second", second, into),
    ):
        rows[name] = [
            (
                key,
                [(column, 1.0) for column in grouped[key]]
                + [(y[(key[0], key[1])], -float(hi[key[2]]))],
            )
            for key in keys
        ]
    # 9: per core, the pairs with a partner in its own district in which it is first, then
    # those in which it is second; rows by core position
    products: dict[int, list[int]] = defaultdict(list)
    for column, (k, i, _k2, j) in enumerate(pairs, first_z):
        if i == j:
            products[y[(k, i)]].append(column)
    for column, (_k, i, k2, j) in enumerate(pairs, first_z):
        if i == j:
            products[y[(k2, j)]].append(column)
    bound = instance.capacity - 1
    rows["pair_capacity"] = [
        (instance.sites[core], [(column, 1.0) for column in columns] + [(core, -float(bound))])
        for core, columns in sorted(products.items())
        if len(columns) > bound
    ]
    return rows
