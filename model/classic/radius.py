r"""The radius (covering) representation of "distance to the nearest open site", shared by the
p-median and the UFLP (Cornuéjols, Nemhauser & Wolsey 1980; Elloumi 2010; García, Labbé &
Marín 2011).

For client *i*, let :math:`\rho_i^1 < \rho_i^2 < \dots < \rho_i^{m_i}` be radii taken from the
distinct values of its row :math:`d_{i\cdot}` (the smallest one always among them) and
:math:`G_i^a = \{j : \rho_i^a \le d_{ij} < \rho_i^{a+1}\}` (:math:`G_i^1` also holds every site
closer than :math:`\rho_i^1`). A continuous :math:`z_i^a \in [0,1]` (:math:`a < m_i`) is 1 when no
open site lies closer than :math:`\rho_i^{a+1}`:

.. math::

    z_i^1 + \sum_{j \in G_i^1} y_j \ge 1, \qquad
    z_i^a + \sum_{j \in G_i^a} y_j \ge z_i^{a-1} \quad (2 \le a < m_i),

and :math:`\rho_i^1 + \sum_{a<m_i} (\rho_i^{a+1} - \rho_i^a)\, z_i^a` is the distance from *i* to
its nearest open site when that distance is one of the radii, and a lower bound on it
otherwise. With every distinct value as a radius this is Elloumi's formulation: every
:math:`y_j` appears once per client, so the matrix has :math:`O(|I|\,|J|)` non-zeros.

Reductions (Elloumi 2010): radii at or beyond a distance where an open site is certain are
dropped: a predefined facility at distance :math:`e_i`, or, when exactly *p* of :math:`|J|` sites
open, the smallest ball holding :math:`|J| - p + 1` sites (one of them must be open).

Radius generation (after García, Labbé & Marín 2011): the model with a subset of the radii is a
relaxation, exact at every *y* whose nearest open sites (or, for a fractional *y*, every site
carrying weight before a client is fully covered) lie at kept radii. :func:`needed_radii` finds the
radii a given *y* needs; adding them until none is missing proves the relaxation's optimum
optimal for the full model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

COVERED = 1.0 - 1e-9  # cumulative weight counted as "covered"
POSITIVE = 1e-9


@dataclass
class ClientRadii:
    """One client's candidate radii (every distinct distance up to the certain one) and which
    of them the model currently uses."""

    order: np.ndarray  # sites sorted by distance from the client
    sorted_d: np.ndarray  # their distances
    values: np.ndarray  # distinct distances D^1 < ... < D^T (T: an open site is certain)
    kept: np.ndarray  # bool per value; the first and the last are always kept

    def radii(self) -> np.ndarray:
        return self.values[self.kept]

    def groups(self) -> list[np.ndarray]:
        """Sites in [ρ_a, ρ_{a+1}) for each kept radius but the last."""
        radii = self.radii()
        if len(radii) < 2:
            return []
        cuts = np.searchsorted(self.sorted_d, radii[1:], side="left")
        starts = np.concatenate(([0], cuts[:-1]))
        return [self.order[s:e] for s, e in zip(starts, cuts, strict=True)]

    def distance(self, y: np.ndarray) -> float:
        """Covering distance at y (integer or fractional): Σ over all radii of step · uncovered."""
        cover = np.cumsum(y[self.order])
        level_end = np.searchsorted(self.sorted_d, self.values[:-1], side="right")
        covered = cover[level_end - 1]
        uncovered = np.clip(1.0 - covered, 0.0, 1.0)
        return float(self.values[0] + np.dot(np.diff(self.values), uncovered))

    def needed(self, y: np.ndarray) -> np.ndarray:
        """Indices of the values at which y puts weight before the client is fully covered."""
        weight = y[self.order]
        cover = np.cumsum(weight)
        before = np.concatenate(([0.0], cover[:-1]))
        active = (weight > POSITIVE) & (before < COVERED)
        found = np.searchsorted(self.values, self.sorted_d[active], side="left")
        return np.unique(np.minimum(found, len(self.values) - 1))


def client_radii(
    row: np.ndarray, *, open_count: int | None = None, certain: float = np.inf
) -> ClientRadii:
    """Every distinct distance of one client up to where an open site is certain, all kept.

    ``open_count``: exactly this many sites open (p-median); ``certain``: distance of the
    nearest predefined facility.
    """
    order = np.argsort(row, kind="stable")
    ordered = row[order]
    values, starts = np.unique(ordered, return_index=True)
    ends = np.append(starts[1:], len(row))
    last = len(values) - 1
    if open_count is not None:
        reach = len(row) - open_count + 1  # a ball of this many sites holds an open one
        last = min(last, int(np.searchsorted(ends, reach, side="left")))
    if np.isfinite(certain):
        last = min(last, int(np.searchsorted(values, certain, side="left")))
    values = values[: last + 1]
    return ClientRadii(order, ordered, values, np.ones(len(values), dtype=bool))


def all_radii(
    distances: np.ndarray, *, open_count: int | None = None, existing: list[int] | None = None
) -> list[ClientRadii]:
    """Radii of every client (rows of ``distances``), all kept."""
    certain = (
        distances[:, existing].min(axis=1) if existing else np.full(distances.shape[0], np.inf)
    )
    return [
        client_radii(distances[i], open_count=open_count, certain=float(certain[i]))
        for i in range(distances.shape[0])
    ]


def keep_only_ends(radii: list[ClientRadii]) -> None:
    """Start radius generation from the smallest and the certain radius of each client."""
    for client in radii:
        client.kept[:] = False
        client.kept[0] = client.kept[-1] = True


def add_needed(radii: list[ClientRadii], y: np.ndarray) -> int:
    """Keep every radius that y needs; return how many were added."""
    added = 0
    for client in radii:
        needed = client.needed(y)
        added += int(np.count_nonzero(~client.kept[needed]))
        client.kept[needed] = True
    return added


def covering_cost(radii: list[ClientRadii], weights: np.ndarray, y: np.ndarray) -> float:
    """Σ_i w_i · covering distance of i at y (the full model's value of y)."""
    return float(sum(w * c.distance(y) for w, c in zip(weights, radii, strict=True)))


def add_covering_distance(
    model: pyo.ConcreteModel, weights: np.ndarray, radii: list[ClientRadii]
) -> pyo.Expression:
    """Add ``z`` and the covering chain over ``model.y``; return Σ_i w_i · distance_i."""
    groups = [client.groups() for client in radii]
    values = [client.radii() for client in radii]
    index = [(i, a) for i, found in enumerate(groups) for a in range(len(found))]
    model.z = pyo.Var(index, bounds=(0, 1))
    y, z = model.y, model.z

    def chain(_: pyo.ConcreteModel, i: int, a: int) -> object:
        served = pyo.quicksum(y[int(j)] for j in groups[i][a])
        return z[i, a] + served >= (1 if a == 0 else z[i, a - 1])

    model.chain = pyo.Constraint(index, rule=chain)
    constant = float(sum(w * v[0] for w, v in zip(weights, values, strict=True)))
    steps = pyo.quicksum(
        float(weights[i] * (values[i][a + 1] - values[i][a])) * z[i, a] for i, a in index
    )
    return constant + steps
