"""Shared data of the classic location models: who is served, where a facility may open, at what
distance, and what a solution is.

A :class:`LocationData` holds a client × site distance (or cost) matrix with client weights and,
where a model needs them, fixed costs and capacities per site, plus the sites that already exist
(predefined facilities, always open). It comes from a region folder (districts are both clients
and candidate sites, distances are the road travel minutes of ``model.indicators``, weights the
populations), from an OR-Library file, or from any matrix (``from_matrix``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyomo.environ as pyo

from model.errors import InputError


@dataclass(frozen=True)
class LocationData:
    """Clients, candidate sites and the distances between them (clients × sites)."""

    name: str
    clients: list[str]
    sites: list[str]
    distances: np.ndarray  # d[i, j]: client i to site j (minutes, km, or a cost)
    weights: np.ndarray  # w[i] ≥ 0, the client's demand (1 when unweighted)
    fixed_costs: np.ndarray | None = None  # f[j], for the UFLP
    capacities: np.ndarray | None = None  # Q[j], for the capacitated p-median
    existing: tuple[str, ...] = ()  # predefined facilities: open in every solution
    site_distances: np.ndarray | None = None  # sites × sites, for p-dispersion (default: d)

    def __post_init__(self) -> None:
        shape = (len(self.clients), len(self.sites))
        if self.distances.shape != shape:
            raise ValueError(f"distances have shape {self.distances.shape}, expected {shape}")
        if len(self.weights) != shape[0]:
            raise ValueError("one weight per client is needed")
        if not np.all(np.isfinite(self.distances)):
            raise InputError(
                self.name, None, "some client cannot reach some site (infinite distance)"
            )
        unknown = [s for s in self.existing if s not in self.sites]
        if unknown:
            raise InputError(self.name, "existing", f"unknown site(s): {', '.join(unknown)}")

    @property
    def existing_index(self) -> list[int]:
        position = {s: n for n, s in enumerate(self.sites)}
        return sorted(position[s] for s in self.existing)

    def with_existing(self, existing: Sequence[str]) -> LocationData:
        """The same data with these predefined (always open) facilities."""
        return replace(self, existing=tuple(dict.fromkeys(existing)))

    def narrowed(self, keep: np.ndarray, opened: np.ndarray) -> LocationData:
        """The data on the sites ``keep`` (indices, in order) only, those of them marked in
        ``opened`` (a bool per original site) predefined; per-site costs and capacities
        follow the sites. For the MIP after a reduction has fixed the others."""
        return LocationData(
            name=self.name,
            clients=self.clients,
            sites=[self.sites[j] for j in keep],
            distances=self.distances[:, keep],
            weights=self.weights,
            fixed_costs=None if self.fixed_costs is None else self.fixed_costs[keep],
            capacities=None if self.capacities is None else self.capacities[keep],
            existing=tuple(self.sites[j] for j in keep if opened[j]),
        )

    def dispersion_matrix(self) -> np.ndarray:
        """Site × site distances (the p-dispersion data)."""
        if self.site_distances is not None:
            return self.site_distances
        if self.clients != self.sites:
            raise InputError(self.name, None, "p-dispersion needs site-to-site distances")
        return self.distances

    @classmethod
    def from_matrix(
        cls,
        distances: np.ndarray | Sequence[Sequence[float]],
        *,
        weights: Sequence[float] | np.ndarray | None = None,
        clients: Sequence[str] | None = None,
        sites: Sequence[str] | None = None,
        fixed_costs: Sequence[float] | np.ndarray | None = None,
        capacities: Sequence[float] | np.ndarray | None = None,
        existing: Sequence[str] = (),
        name: str = "matrix",
    ) -> LocationData:
        """From a plain matrix; names default to ``c0, c1, ...`` and ``s0, s1, ...``."""
        matrix = np.asarray(distances, dtype=float)
        n_clients, n_sites = matrix.shape
        return cls(
            name=name,
            clients=list(clients) if clients is not None else [f"c{i}" for i in range(n_clients)],
            sites=list(sites) if sites is not None else [f"s{j}" for j in range(n_sites)],
            distances=matrix,
            weights=np.ones(n_clients) if weights is None else np.asarray(weights, dtype=float),
            fixed_costs=None if fixed_costs is None else np.asarray(fixed_costs, dtype=float),
            capacities=None if capacities is None else np.asarray(capacities, dtype=float),
            existing=tuple(existing),
        )

    @classmethod
    def from_region(cls, folder: Path | str, *, weight: str | None = "population") -> LocationData:
        """Districts of a region folder: travel minutes on the road graph, weighted by a
        ``districts.csv`` column (population by default; ``None`` for unit weights)."""
        from model.indicators import travel_times
        from model.region import load_region

        region = load_region(folder)
        ids = region.district_ids
        times = travel_times(region.roads, ids).to_numpy(float)
        if weight is None:
            weights = np.ones(len(ids))
        else:
            if weight not in region.districts.columns:
                raise InputError(Path(folder) / "districts.csv", weight, "no such column")
            weights = region.districts[weight].to_numpy(float)
            if not np.all(np.isfinite(weights)):
                raise InputError(
                    Path(folder) / "districts.csv", weight, "a district has no value for the weight"
                )
        return cls(Path(folder).name, list(ids), list(ids), times, weights)

    @classmethod
    def from_orlib_pmedian(cls, path: Path | str) -> tuple[LocationData, int]:
        """An OR-Library ``pmedN.txt`` file and its p (vertices are clients and sites)."""
        from model.orlib import read_pmedian

        found = read_pmedian(path)
        names = [str(v + 1) for v in range(found.distances.shape[0])]
        return (
            cls(found.name, names, names, found.distances, np.ones(len(names))),
            found.p,
        )

    @classmethod
    def from_orlib_uflp(cls, path: Path | str) -> LocationData:
        """An OR-Library ``capXX.txt`` file as a UFLP: costs are per whole demand, weights 1."""
        from model.orlib import read_uflp

        found = read_uflp(path)
        m, n = found.costs.shape
        return cls(
            name=found.name,
            clients=[str(j + 1) for j in range(n)],
            sites=[str(i + 1) for i in range(m)],
            distances=found.costs.T.copy(),
            weights=np.ones(n),
            fixed_costs=found.fixed_costs,
            capacities=found.capacities,
        )


@dataclass(frozen=True)
class Params:
    """The parameters a classic model may need; each model checks the ones it uses."""

    p: int | None = None  # facilities to open, predefined ones included
    radius: float | None = None  # service distance (MCLP, LSCP)
    formulation: str | None = None  # p-median, UFLP: 'radius' or 'textbook' (None: the default)
    reduce: bool = True  # p-median, UFLP: fix sites by Lagrangian bounds before the MIP
    capacity: float | None = None  # capacitated p-median: one capacity for every site


@dataclass(frozen=True)
class Solution:
    """Open sites (indices into ``data.sites``) and, where the model decides it, the client to
    site assignment; otherwise every client goes to its nearest open site."""

    open_sites: list[int]
    assignment: list[int] | None = None


@dataclass(frozen=True)
class Prepared:
    """A smaller instance, found before the MIP, whose optimum is the original's (it holds an
    optimal solution, not necessarily every one)."""

    data: LocationData  # the narrowed instance the MIP is built on
    site_map: list[int]  # its sites as indices of the original sites
    lower_bound: float  # valid for the original instance
    incumbent: Solution  # a solution of the original instance (original indices)
    notes: str


@dataclass(frozen=True)
class Evaluation:
    """A solution's objective recomputed from the data, and any rule it breaks."""

    objective: float
    assignment: list[int]  # client -> site index (-1: not served / not covered)
    violations: list[str] = field(default_factory=list)


def nearest_open(distances: np.ndarray, open_sites: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per client, the nearest open site (index) and its distance."""
    chosen = np.asarray(sorted(open_sites), dtype=int)
    if chosen.size == 0:
        rows = distances.shape[0]
        return np.full(rows, -1), np.full(rows, np.inf)
    block = distances[:, chosen]
    best = block.argmin(axis=1)
    return chosen[best], block[np.arange(block.shape[0]), best]


def common_violations(data: LocationData, solution: Solution, p: int | None) -> list[str]:
    """Predefined sites closed, or a facility count other than p."""
    problems = [
        f"predefined site {data.sites[j]} is closed"
        for j in data.existing_index
        if j not in set(solution.open_sites)
    ]
    if p is not None and len(solution.open_sites) != p:
        problems.append(f"{len(solution.open_sites)} sites open, expected p = {p}")
    return problems


def require_p(data: LocationData, params: Params, model: str) -> int:
    """The p a model needs, checked against the number of sites and predefined facilities."""
    p = params.p
    if p is None:
        raise InputError(None, "--p", f"{model} needs p, the number of facilities")
    if not 1 <= p <= len(data.sites):
        raise InputError(None, "--p", f"p = {p} is not between 1 and {len(data.sites)} sites")
    if p < len(data.existing):
        raise InputError(None, "--p", f"p = {p} is fewer than the {len(data.existing)} predefined")
    return p


def require_radius(params: Params, model: str) -> float:
    """The service radius a covering model needs."""
    if params.radius is None or not params.radius >= 0:
        raise InputError(None, "--radius", f"{model} needs a service radius ≥ 0")
    return float(params.radius)


def declare_sites(data: LocationData, *, relax: bool = False) -> pyo.ConcreteModel:
    """A model with ``y[j]`` (site j open) per site, predefined facilities fixed open."""
    model = pyo.ConcreteModel(name="classic")
    model.y = pyo.Var(range(len(data.sites)), domain=pyo.UnitInterval if relax else pyo.Binary)
    for j in data.existing_index:
        model.y[j].fix(1)
    return model


def add_site_count(model: pyo.ConcreteModel, p: int) -> None:
    """Σ_j y_j = p."""
    model.count = pyo.Constraint(expr=pyo.quicksum(model.y.values()) == p)
