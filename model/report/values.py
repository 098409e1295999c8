"""One number per sited cluster: its value, and the values add up to the objective.

The objective (docs/model.md §5) is a sum over cores (fit and export), member arcs and pairs of
cores of different types (cooperation). A cluster's **value** is

    w_fit·fit[k,i] + w_export·exp[k,i]            (its core)
  + w_member · Σ_j fit[k,j]·link[i,j]             (its members)
  + ½ · Σ_{(k',j) other cores, k' ≠ k} w_coop·coop[k,k']·link[i,j]   (half of each pair)

Each pair's cooperation is split equally between its two cores, so the values of all clusters
add up to the objective exactly (pairs of cores of one type have no cooperation). The console,
``clusters.csv``, ``summary.json`` (``value``, and ``contribution`` for older readers) and the
report all show this number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.instance import symmetric_cooperation
from model.pipeline import RunResult
from model.results import Lookup

TERMS = ("fit", "export", "member", "coop")


@dataclass(frozen=True)
class ClusterValue:
    """The weighted terms of one sited cluster (coop: its half of every pair it belongs to)."""

    cluster_type: str
    core: str
    members: tuple[str, ...]
    terms: dict[str, float]

    @property
    def value(self) -> float:
        return math.fsum(self.terms.values())


def pair_value(
    result: RunResult,
    first: tuple[str, str],
    second: tuple[str, str],
    links: Lookup | None = None,
) -> float:
    """The whole weighted cooperation of two cores (0 for two cores of one type)."""
    (k, i), (k2, j) = first, second
    if k == k2:
        return 0.0
    link = (links or Lookup(result.tables.link))(i, j)
    return result.loaded.scenario.weights.coop * symmetric_cooperation(result.region, k, k2) * link


def cluster_values(result: RunResult) -> list[ClusterValue]:
    """The value of every sited cluster, in the order of ``result.sitings()``."""
    weights = result.loaded.scenario.weights
    fit, export, link = (
        Lookup(result.tables.fit),
        Lookup(result.tables.export),
        Lookup(result.tables.link),
    )
    sitings = result.sitings()
    cores = [(s.cluster_type, s.core) for s in sitings]
    values = []
    for siting in sitings:
        k, i = siting.cluster_type, siting.core
        coop = math.fsum(
            pair_value(result, (k, i), other, link) for other in cores if other != (k, i)
        )
        values.append(
            ClusterValue(
                k,
                i,
                tuple(siting.members),
                {
                    "fit": weights.fit * fit(k, i),
                    "export": weights.export * export(k, i),
                    "member": weights.member
                    * math.fsum(fit(k, j) * link(i, j) for j in siting.members),
                    "coop": coop / 2,
                },
            )
        )
    return values
