"""Readers for the OR-Library location instances shipped in ``data/orlib/`` (Beasley 1990).

- ``pmedN.txt`` (uncapacitated p-median, Beasley 1985): first line ``n m p``, then ``m`` lines
  ``i j cost`` (1-based, undirected). Vertex pairs repeat, and the published optima hold only
  when **the last occurrence of a pair overwrites the earlier ones** (data/orlib/README.md: pmed1
  gives 5819 that way, 5718 with the cheapest); the distance matrix is then the all-pairs
  shortest paths of that graph.
- ``capXX.txt`` (used as UFLP, Beasley 1988): ``m n``; ``m`` lines ``capacity fixed_cost``
  (``capacity`` may be the word itself, or ``0`` in the capa/b/c packaging); then per customer
  its demand and ``m`` costs, each the cost of serving the customer's *whole* demand from that
  facility. Numbers may wrap over lines, so the file is read as one stream of tokens.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from model.errors import InputError

ORLIB_DIR = Path(__file__).resolve().parent.parent / "data" / "orlib"


@dataclass(frozen=True)
class PMedianFile:
    """One OR-Library p-median instance: vertices are both clients and candidate sites."""

    name: str
    p: int
    distances: np.ndarray  # n × n shortest-path costs
    n_edges: int  # edge lines in the file, duplicates included
    n_duplicates: int  # lines whose pair appeared before (overwritten)


@dataclass(frozen=True)
class UflpFile:
    """One OR-Library capacitated warehouse file, read for the UFLP (capacities kept apart)."""

    name: str
    fixed_costs: np.ndarray  # m facilities
    costs: np.ndarray  # m × n: cost of serving all of customer j's demand from i
    demands: np.ndarray  # n customers
    capacities: np.ndarray | None  # m, or None where the file holds the word 'capacity' or 0


def _numbers(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="ascii").split()
    except FileNotFoundError as err:
        raise InputError(path, None, "file not found") from err
    except UnicodeDecodeError as err:
        raise InputError(path, None, "not an OR-Library text file (non-ASCII bytes)") from err


def _int(path: Path, token: str, where: str) -> int:
    try:
        return int(token)
    except ValueError as err:
        raise InputError(path, where, f"expected an integer, got {token!r}") from err


def _float(path: Path, token: str, where: str) -> float:
    try:
        value = float(token)
    except ValueError as err:
        raise InputError(path, where, f"expected a number, got {token!r}") from err
    if not np.isfinite(value):
        raise InputError(path, where, f"expected a finite number, got {token!r}")
    return value


def read_pmedian(path: Path | str) -> PMedianFile:
    """Read a ``pmedN.txt`` file: last-wins duplicate edges, then all-pairs shortest paths."""
    path = Path(path)
    lines = [line.split() for line in path.read_text(encoding="ascii").splitlines()]
    lines = [line for line in lines if line]
    if not lines or len(lines[0]) != 3:
        raise InputError(path, "line 1", "expected 'n m p'")
    n, m, p = (_int(path, t, "line 1") for t in lines[0])
    if len(lines) - 1 < m:
        raise InputError(
            path, None, f"the header announces {m} edges, the file has {len(lines) - 1}"
        )
    if not 1 <= p <= n:
        raise InputError(path, "line 1", f"p = {p} is not between 1 and n = {n}")
    cost: dict[tuple[int, int], float] = {}
    duplicates = 0
    for number, line in enumerate(lines[1 : m + 1], start=2):
        where = f"line {number}"
        if len(line) != 3:
            raise InputError(path, where, "expected 'i j cost'")
        i, j = _int(path, line[0], where), _int(path, line[1], where)
        value = _float(path, line[2], where)
        if not (1 <= i <= n and 1 <= j <= n):
            raise InputError(path, where, f"vertex out of 1..{n}")
        if value < 0:
            raise InputError(path, where, "negative edge cost")
        key = (min(i, j) - 1, max(i, j) - 1)
        duplicates += key in cost
        cost[key] = value  # the last occurrence wins (see the module docstring)
    keys = [k for k in cost if k[0] != k[1]]
    rows = np.array([k[0] for k in keys], dtype=np.int64)
    cols = np.array([k[1] for k in keys], dtype=np.int64)
    values = np.array([cost[k] for k in keys], dtype=float)
    # zero-cost edges would vanish from a sparse matrix; a tiny stand-in keeps them as edges
    graph = coo_matrix((np.where(values > 0, values, 1e-12), (rows, cols)), shape=(n, n))
    distances = shortest_path(graph.tocsr(), method="D", directed=False)
    if not np.all(np.isfinite(distances)):
        raise InputError(path, None, "the graph is not connected")
    distances = np.where(distances < 1e-9, 0.0, distances)
    return PMedianFile(path.stem, p, distances, m, duplicates)


def read_uflp(path: Path | str) -> UflpFile:
    """Read a ``capXX.txt`` file as an uncapacitated facility location instance."""
    path = Path(path)
    tokens = _numbers(path)
    if len(tokens) < 2:
        raise InputError(path, "line 1", "expected 'm n'")
    m, n = _int(path, tokens[0], "header m"), _int(path, tokens[1], "header n")
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise InputError(
            path, None, f"expected {expected} numbers for m = {m}, n = {n}, found {len(tokens)}"
        )
    capacities: list[float] = []
    fixed = np.empty(m)
    position = 2
    for i in range(m):
        token = tokens[position]
        capacities.append(
            np.nan if token.lower() == "capacity" else _float(path, token, f"facility {i + 1}")
        )
        fixed[i] = _float(path, tokens[position + 1], f"facility {i + 1} fixed cost")
        position += 2
    demands = np.empty(n)
    costs = np.empty((m, n))
    for j in range(n):
        demands[j] = _float(path, tokens[position], f"customer {j + 1} demand")
        block = tokens[position + 1 : position + 1 + m]
        costs[:, j] = [_float(path, t, f"customer {j + 1} cost") for t in block]
        position += 1 + m
    if np.any(fixed < 0) or np.any(costs < 0):
        raise InputError(path, None, "negative fixed or allocation cost")
    caps = np.array(capacities)
    known = None if np.any(np.isnan(caps)) or np.all(caps == 0) else caps
    return UflpFile(path.stem, fixed, costs, demands, known)


def published_optima(kind: str) -> dict[str, float]:
    """Published optima by instance name: ``kind`` is ``pmed`` or ``uncap`` (data/orlib/*.csv)."""
    table = ORLIB_DIR / f"{kind}_optima.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["optimal_value"]) for row in csv.DictReader(handle)}


def pmedian_path(name: str) -> Path:
    """``data/orlib/pmed/<name>.txt`` for a name such as ``pmed7``."""
    return ORLIB_DIR / "pmed" / f"{name}.txt"


def uflp_path(name: str) -> Path:
    """``data/orlib/uncap/<name>.txt`` for a name such as ``cap71`` or ``capa``."""
    return ORLIB_DIR / "uncap" / f"{name}.txt"
