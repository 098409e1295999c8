"""The siting model as the arrays of a linear program, made without a Pyomo model.

HiGHS takes a model as arrays. The Pyomo model (:func:`model.formulation.build_model`) makes
a Python object per variable and per row and is then compiled back into arrays
(:func:`solvers.standard_form.compile_model`); at 3,000 districts × 51 types that is about
700,000 columns and 1.2 million rows, and the two steps took 27 s against 1.3 s for handing
the arrays to HiGHS. :func:`build_program` states the same rows through the same functions
(:func:`model.formulation.add_rows` with an :class:`ArraySink`) and assembles the matrix
directly, so the program equals the compiled Pyomo model array for array
(``tests/test_matrix_model.py`` checks this on every shipped scenario, generated regions and
random tiny instances, in both cooperation forms).

Columns are those of :class:`model.formulation.Columns`: every core ``y`` (in
``instance.sites`` order), every member arc ``x`` (``instance.members``), then every pair
``z`` (``instance.pairs``) or every compact ``w`` and mirror ``w'``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix

from model.column_index import ColumnIndex
from model.formulation import (
    _Compact,
    add_rows,
    checked_form,
    column_count,
    columns_of,
    compact_terms,
    objective_costs,
)
from model.instance import SitingInstance
from model.policy_rows import PolicyFamily
from model.results import Solution, ordered_solution
from solvers.matrix_rows import MatrixRows
from solvers.standard_form import LinearProgram


class ArraySink:
    """Keeps the rows' arrays, in the order they come; notes infeasible rows by name."""

    def __init__(self) -> None:
        self.blocks: list[MatrixRows] = []
        self.infeasible_rows: list[str] = []

    def rows(self, name: str, keys: Callable[[], Sequence[Any]], rows: MatrixRows) -> None:
        if len(rows):
            self.blocks.append(rows)

    def infeasible(self, name: str, keys: Sequence[Any]) -> None:
        self.infeasible_rows.append(name)

    def policy(self, family: PolicyFamily) -> None:
        if family.infeasible:
            self.infeasible_rows.append(family.name)
        self.rows(family.name, lambda: [], family.rows)


@dataclass(frozen=True)
class SitingProgram:
    """The program's arrays (``lp``; its ``columns`` list is empty, as there are no Pyomo
    variables) and where each kind of column starts."""

    lp: LinearProgram
    form: str
    compact: _Compact | None  # the compact terms (both directions) of the compact form
    index: ColumnIndex  # the sites and arcs as positions (for the warm start)

    def solution(self, values: np.ndarray, instance: SitingInstance) -> Solution:
        """The cores (y = 1) and member arcs (x = 1) of the column values ``values``."""
        n_y, n_x = len(instance.sites), len(instance.members)
        cores = [instance.sites[n] for n in np.flatnonzero(values[:n_y] > 0.5).tolist()]
        arcs = values[n_y : n_y + n_x]
        members = [instance.members[n] for n in np.flatnonzero(arcs > 0.5).tolist()]
        return ordered_solution(cores, members, instance.types, instance.districts)


def build_program(instance: SitingInstance, cooperation: str | None = None) -> SitingProgram | None:
    """The model of ``instance`` as arrays; None when a row can never hold (a floor over no
    allowed site), which the Pyomo path reports with the row's name."""
    form = checked_form(instance, cooperation)
    compact: _Compact | None = compact_terms(instance) if form == "compact" else None
    n = column_count(instance, compact)
    columns = columns_of(instance, range(n), compact)
    sink = ArraySink()
    add_rows(sink, instance, columns, compact)
    if sink.infeasible_rows:
        return None
    lp = assemble(n, objective_costs(instance, compact), _bounds(instance, compact), sink.blocks)
    return SitingProgram(lp, form, compact, columns.index)


def _bounds(
    instance: SitingInstance, compact: _Compact | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y and x binary; z in [0, 1]; w and w' in [0, ∞)."""
    n_binary = len(instance.sites) + len(instance.members)
    n = column_count(instance, compact)
    lower = np.zeros(n)
    upper = np.ones(n)
    if compact is not None:
        upper[n_binary:] = math.inf
    integrality = np.zeros(n, dtype=bool)
    integrality[:n_binary] = True
    return lower, upper, integrality


def assemble(
    n: int,
    cost: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray],
    blocks: list[MatrixRows],
) -> LinearProgram:
    """One column-wise matrix from row blocks over columns ``0 .. n-1``, as the compiler of
    :mod:`solvers.standard_form` makes it (duplicates summed, zeros dropped, rows sorted)."""
    if blocks:
        column = np.concatenate([b.column for b in blocks])
        coef = np.concatenate([b.coef for b in blocks])
        sizes = np.concatenate([np.diff(b.start) for b in blocks])
        lower = np.concatenate([b.lower for b in blocks])
        upper = np.concatenate([b.upper for b in blocks])
    else:
        column, coef, sizes = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        lower, upper = np.zeros(0), np.zeros(0)
    m = len(lower)
    row = np.repeat(np.arange(m, dtype=np.int64), sizes)
    matrix = coo_matrix((coef, (row, column)), shape=(m, n)).tocsc()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    col_lower, col_upper, integrality = bounds
    return LinearProgram(
        columns=[],
        maximize=True,
        cost=cost,
        offset=0.0,
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        row_lower=lower,
        row_upper=upper,
        a_start=matrix.indptr.astype(np.int32),
        a_index=matrix.indices.astype(np.int32),
        a_value=matrix.data.astype(np.float64),
    )
