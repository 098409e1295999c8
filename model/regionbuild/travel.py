"""Travel times between districts, written as the road links of ``roads.csv``.

Three sources, one output: a set of undirected links ``(a, b, minutes, kind)`` whose shortest
paths give the travel times between every pair of district points.

* **Great circle** (default): one link per pair of neighbours (and per pair the user lists in
  ``--road-kinds``), ``minutes = great-circle km × detour ÷ speed(kind) × 60``. Defaults and
  their sources: :data:`DETOUR_FACTOR`, :data:`SPEED_KMH` (docs/region.md, "Defaults").
* **OD matrix** (``--od``): the user's minutes per pair.
* **Road graph** (``--graph``, a GraphML file as osmnx saves it): each district point is
  snapped to the nearest graph node and the graph is routed with Dijkstra
  (scipy.sparse.csgraph) as an undirected graph: an edge's minutes are its ``travel_time``
  (seconds) when present, otherwise ``length`` ÷ ``speed_kph`` or ÷ the speed of its road kind.
  A link's kind is the kind that covers most of its path's minutes.

OD and graph times are *pruned*: a pair is written as a link only when no route through a
third district is as fast, so the written links reproduce every pair's time exactly (with
positive times, a dropped pair's route through ``c`` is strictly shorter in each part, so by
induction every dropped pair is still reached in its own time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from model.errors import InputError
from model.region import ROAD_KINDS
from model.regionbuild.defaults import (
    DEFAULT_KIND,
    DETOUR_FACTOR,
    SPEED_KMH,
)
from model.tables import MAX_INPUT_BYTES, check_readable, shown

# Mean Earth radius, km (IUGG mean radius R1 = 6371.0088 km, rounded as in data/smolensk).
EARTH_RADIUS_KM = 6371.0

# OSM highway classes → road kinds (the same three classes as the speeds above).
OSM_KINDS: dict[str, str] = {
    "motorway": "federal", "motorway_link": "federal", "trunk": "federal", "trunk_link": "federal",
    "primary": "regional", "primary_link": "regional", "secondary": "regional",
    "secondary_link": "regional",
}  # fmt: skip
MAX_GRAPH_NODES = 5_000_000
PRUNE_TOLERANCE = 1e-9  # minutes: equal within this counts as "as fast"


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    minutes: float
    kind: str


def haversine_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Great-circle km between two (lat, lon) points in degrees."""
    (lat1, lon1), (lat2, lon2) = p, q
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def great_circle_minutes(
    p: tuple[float, float],
    q: tuple[float, float],
    kind: str,
    detour: float,
    speeds: dict[str, float],
) -> float:
    return haversine_km(p, q) * detour / speeds[kind] * 60.0


def great_circle_links(
    points: dict[str, tuple[float, float]],
    pairs: Iterable[tuple[str, str]],
    kinds: dict[tuple[str, str], str],
    default_kind: str = DEFAULT_KIND,
    detour: float = DETOUR_FACTOR,
    speeds: dict[str, float] | None = None,
) -> list[Link]:
    """One link per pair (a < b), kind from ``kinds`` or ``default_kind``."""
    speed = speeds or SPEED_KMH
    links = []
    for a, b in sorted({(min(a, b), max(a, b)) for a, b in pairs}):
        kind = kinds.get((a, b), default_kind)
        minutes = great_circle_minutes(points[a], points[b], kind, detour, speed)
        links.append(Link(a, b, max(minutes, 0.1), kind))
    return links


def components(ids: Sequence[str], links: Sequence[Link]) -> list[list[str]]:
    """Connected parts of the link graph, largest first."""
    pos = {d: n for n, d in enumerate(ids)}
    rows = [pos[lk.a] for lk in links]
    cols = [pos[lk.b] for lk in links]
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(ids), len(ids)))
    count, labels = connected_components(graph, directed=False)
    parts: list[list[str]] = [[] for _ in range(count)]
    for d, label in zip(ids, labels, strict=True):
        parts[label].append(d)
    return sorted(parts, key=lambda p: (-len(p), p))


def bridge_links(
    ids: Sequence[str],
    links: Sequence[Link],
    points: dict[str, tuple[float, float]],
    detour: float = DETOUR_FACTOR,
    speeds: dict[str, float] | None = None,
) -> list[Link]:
    """Links that join parts with no shared boundary (islands, exclaves): each smaller part is
    joined to the nearest district outside it, by great circle, kind ``local`` (ASSUMPTION:
    a ferry or a minor road; the validation summary lists every bridge)."""
    speed = speeds or SPEED_KMH
    bridges: list[Link] = []
    current = list(links)
    while True:
        parts = components(ids, current)
        if len(parts) == 1:
            return bridges
        part = set(parts[-1])
        best = min(
            (
                (haversine_km(points[a], points[b]), a, b)
                for a in part
                for b in ids
                if b not in part
            ),
        )
        _, a, b = best
        minutes = great_circle_minutes(points[a], points[b], "local", detour, speed)
        link = Link(min(a, b), max(a, b), max(minutes, 0.1), "local")
        bridges.append(link)
        current.append(link)


def prune(ids: Sequence[str], links: Sequence[Link]) -> list[Link]:
    """The links no route through a third district matches (see the module docstring)."""
    pos = {d: n for n, d in enumerate(ids)}
    n = len(ids)
    rows = [pos[lk.a] for lk in links] + [pos[lk.b] for lk in links]
    cols = [pos[lk.b] for lk in links] + [pos[lk.a] for lk in links]
    vals = [lk.minutes for lk in links] * 2
    dist = dijkstra(coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr(), directed=False)
    kept = []
    for lk in links:
        i, j = pos[lk.a], pos[lk.b]
        via = dist[i, :] + dist[:, j]
        via[i] = via[j] = np.inf
        if via.min() > lk.minutes + PRUNE_TOLERANCE and lk.minutes <= dist[i, j] + PRUNE_TOLERANCE:
            kept.append(lk)
    return kept


# --- road graph --------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphRouting:
    links: list[Link]
    snap_km: dict[str, float]  # distance from each district point to its graph node
    nodes: int
    edges: int


def _edge_kind(highway: Any) -> str:
    text = str(highway or "")
    kinds = [OSM_KINDS.get(t.strip(" '\"[]"), "local") for t in text.split(",")]
    return min(kinds, key=ROAD_KINDS.index) if kinds else "local"


def _number(path: Path, where: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise InputError(path, where, f"expected a number, got {shown(str(value))}") from err
    if not math.isfinite(number) or number < 0:
        raise InputError(path, where, f"expected a finite number ≥ 0, got {shown(str(value))}")
    return number


def read_graph(path: Path) -> Any:
    """A GraphML road graph (networkx), or one InputError naming the file."""
    import networkx as nx

    check_readable(path)
    if path.stat().st_size > MAX_INPUT_BYTES:  # pragma: no cover - check_readable refuses
        raise InputError(path, None, "file too large")
    try:
        graph = nx.read_graphml(path)
    except Exception as err:  # ElementTree.ParseError, NetworkXError, ValueError, KeyError...
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, None, f"cannot read as GraphML: {shown(first)}") from err
    if graph.number_of_nodes() == 0:
        raise InputError(path, None, "the graph has no nodes")
    if graph.number_of_nodes() > MAX_GRAPH_NODES:
        raise InputError(path, None, f"more than {MAX_GRAPH_NODES} nodes")
    return graph


def graph_links(
    path: Path,
    points: dict[str, tuple[float, float]],
    speeds: dict[str, float] | None = None,
) -> GraphRouting:
    """Route between the district points over the road graph in ``path``."""
    from scipy.spatial import cKDTree

    speed = speeds or SPEED_KMH
    graph = read_graph(path)
    node_ids = list(graph.nodes)
    pos = {node: n for n, node in enumerate(node_ids)}
    lonlat = np.empty((len(node_ids), 2))
    for n, node in enumerate(node_ids):
        data = graph.nodes[node]
        where = f"node {shown(str(node))}"
        if "x" not in data or "y" not in data:
            raise InputError(path, where, "no x/y coordinates (osmnx writes x = lon, y = lat)")
        lonlat[n] = (_coord(path, f"{where}, x", data["x"]), _coord(path, f"{where}, y", data["y"]))
        if not (-180 <= lonlat[n, 0] <= 180 and -90 <= lonlat[n, 1] <= 90):
            raise InputError(path, where, "x/y outside lon -180..180, lat -90..90")
    rows, cols, minutes, kinds = [], [], [], []
    for u, v, data in graph.edges(data=True):
        where = f"edge {shown(str(u))}-{shown(str(v))}"
        kind = _edge_kind(data.get("highway"))
        if "travel_time" in data:
            m = _number(path, f"{where}, travel_time", data["travel_time"]) / 60.0
        elif "length" in data:
            km = _number(path, f"{where}, length", data["length"]) / 1000.0
            kph = (
                _number(path, f"{where}, speed_kph", data["speed_kph"])
                if "speed_kph" in data
                else speed[kind]
            )
            if kph <= 0:
                raise InputError(path, f"{where}, speed_kph", "must be positive")
            m = km / kph * 60.0
        else:
            raise InputError(path, where, "neither travel_time nor length")
        rows.append(pos[u])
        cols.append(pos[v])
        minutes.append(max(m, 1e-6))  # csgraph drops explicit zeros
        kinds.append(kind)
    n = len(node_ids)
    # the fastest of parallel edges, both directions (the graph is routed undirected)
    matrix = _fastest(rows, cols, minutes, n)
    ids = sorted(points)
    tree = cKDTree(_unit_vectors(lonlat[:, 1], lonlat[:, 0]))
    targets = np.array([points[d] for d in ids])
    chord, nearest = tree.query(_unit_vectors(targets[:, 0], targets[:, 1]))
    snap_km = {
        d: float(2 * EARTH_RADIUS_KM * math.asin(min(1.0, c / 2)))
        for d, c in zip(ids, chord, strict=True)
    }
    by_node: dict[int, str] = {}
    for d, node in zip(ids, nearest, strict=True):
        if int(node) in by_node:
            raise InputError(
                path,
                None,
                f"districts {by_node[int(node)]} and {d} snap to the same "
                "graph node: the graph is too coarse for this region",
            )
        by_node[int(node)] = d
    dist, pred = dijkstra(matrix, directed=False, indices=nearest, return_predecessors=True)
    edge_kind: dict[tuple[int, int], str] = {}
    for r, c, k in zip(rows, cols, kinds, strict=True):
        for key in ((r, c), (c, r)):
            if key not in edge_kind or ROAD_KINDS.index(k) < ROAD_KINDS.index(edge_kind[key]):
                edge_kind[key] = k
    candidates = []
    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            t = dist[i, nearest[j]]
            if not math.isfinite(t):
                raise InputError(path, None, f"no route from {a} to {ids[j]} in the graph")
            candidates.append(Link(a, ids[j], float(t), ""))
    kept = prune(ids, candidates)
    links = []
    for lk in kept:
        i, j = ids.index(lk.a), ids.index(lk.b)
        kind = _path_kind(pred[i], int(nearest[j]), matrix, edge_kind)
        links.append(Link(lk.a, lk.b, lk.minutes, kind))
    return GraphRouting(links, snap_km, graph.number_of_nodes(), graph.number_of_edges())


def _coord(path: Path, where: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise InputError(path, where, f"expected a number, got {shown(str(value))}") from err
    if not math.isfinite(number):
        raise InputError(path, where, f"expected a finite number, got {shown(str(value))}")
    return number


def _fastest(rows: list[int], cols: list[int], minutes: list[float], n: int) -> Any:
    best: dict[tuple[int, int], float] = {}
    for r, c, m in zip(rows, cols, minutes, strict=True):
        key = (min(r, c), max(r, c))
        if key not in best or m < best[key]:
            best[key] = m
    keys = list(best)
    starts = [k[0] for k in keys] + [k[1] for k in keys]
    ends = [k[1] for k in keys] + [k[0] for k in keys]
    values = [best[k] for k in keys] * 2
    return coo_matrix((values, (starts, ends)), shape=(n, n)).tocsr()


def _unit_vectors(lat: Any, lon: Any) -> Any:
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def _path_kind(pred: Any, target: int, matrix: Any, edge_kind: dict[tuple[int, int], str]) -> str:
    """The road kind covering most minutes of the shortest path ending at ``target``."""
    totals = dict.fromkeys(ROAD_KINDS, 0.0)
    node = target
    while pred[node] >= 0:
        prev = int(pred[node])
        totals[edge_kind.get((prev, node), "local")] += float(matrix[prev, node])
        node = prev
    return max(ROAD_KINDS, key=lambda k: (totals[k], -ROAD_KINDS.index(k)))
