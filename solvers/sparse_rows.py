"""Families of linear rows as one compressed sparse row (CSR) block over a list of columns.

:class:`MatrixRows` holds ``lower ≤ A x ≤ upper`` for one family of rows as numpy arrays. The
formulation states every large family this way (``model.rows``); the rows then become Pyomo
constraints (:mod:`solvers.matrix_rows`) or go to HiGHS as arrays (``model.matrix_model``).
This module needs only numpy, so the array path never imports Pyomo; a row's Pyomo expression
(:meth:`MatrixRows.expression`) imports it when asked for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class MatrixRows:
    """Rows ``lower ≤ A x ≤ upper`` with ``A`` in CSR form over ``variables`` (Pyomo
    variables, or ``range(n)`` for rows that go to a solver as arrays).

    ``start`` has one entry per row plus one; row r's terms are ``coef[p] · variables[column[p]]``
    for p in ``start[r] .. start[r+1] - 1``. Every row has at least one term; ``lower`` is
    ``-inf`` and ``upper`` ``+inf`` where the row has no such bound.
    """

    variables: Sequence[Any]
    start: np.ndarray  # (m + 1,) int64
    column: np.ndarray  # (nnz,) int64, positions in ``variables``
    coef: np.ndarray  # (nnz,) float64
    lower: np.ndarray  # (m,) float64
    upper: np.ndarray  # (m,) float64

    def __post_init__(self) -> None:
        m = len(self.lower)
        if self.start.shape != (m + 1,) or self.upper.shape != (m,):
            raise ValueError("start needs one entry per row plus one, upper one per row")
        nnz = len(self.column)
        if self.start[0] != 0 or self.start[-1] != nnz or len(self.coef) != nnz:
            raise ValueError("start must run from 0 to the number of terms")
        if m and np.diff(self.start).min() < 1:
            raise ValueError("every row needs at least one term")
        if len(self.column) and not 0 <= self.column.min() <= self.column.max() < len(
            self.variables
        ):
            raise ValueError("a column is outside the variable list")
        if (
            np.any(self.lower > self.upper)
            or np.isnan(self.lower).any()
            or np.isnan(self.upper).any()
        ):
            raise ValueError("every row needs lower <= upper")

    def __len__(self) -> int:
        return len(self.lower)

    @classmethod
    def differences(
        cls, variables: Sequence[Any], first: np.ndarray, second: np.ndarray
    ) -> MatrixRows:
        """Rows ``variables[first[r]] − variables[second[r]] ≤ 0``."""
        count = len(first)
        return cls(
            variables,
            np.arange(0, 2 * count + 1, 2, dtype=np.int64),
            np.column_stack([first, second]).ravel().astype(np.int64),
            np.tile([1.0, -1.0], count),
            np.full(count, -math.inf),
            np.zeros(count),
        )

    @classmethod
    def sums(
        cls,
        variables: Sequence[Any],
        groups: Sequence[Sequence[int]],
        upper: float | Sequence[float],
        last_coef: Sequence[float] | None = None,
        lower: float | Sequence[float] = -math.inf,
    ) -> MatrixRows:
        """Rows ``lower ≤ Σ_{j ∈ group} variables[j] ≤ upper``, one per group.

        ``lower`` and ``upper`` are one number for every row or one per row. With
        ``last_coef``, each group's last column takes its row's entry of ``last_coef``
        instead of 1 (as in ``Σ x − c·y ≤ 0``).
        """
        count = len(groups)
        sizes = np.fromiter(map(len, groups), dtype=np.int64, count=count)
        start = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(sizes, out=start[1:])
        column = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(start[-1]))
        coef = np.ones(len(column))
        if last_coef is not None:
            coef[start[1:] - 1] = last_coef
        return cls(
            variables,
            start,
            column,
            coef,
            np.broadcast_to(np.asarray(lower, dtype=np.float64), (count,)).copy(),
            np.broadcast_to(np.asarray(upper, dtype=np.float64), (count,)).copy(),
        )

    def expression(self, row: int) -> Any:
        """Row ``row`` as a Pyomo relational expression (``Σ coef·x ≤ upper`` and so on)."""
        from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
        from pyomo.core.expr.relational_expr import (
            EqualityExpression,
            InequalityExpression,
            RangedExpression,
        )

        terms: list[Any] = []
        variables = self.variables
        begin, end = int(self.start[row]), int(self.start[row + 1])
        for column, coef in zip(
            self.column[begin:end].tolist(), self.coef[begin:end].tolist(), strict=True
        ):
            var = variables[column]
            terms.append(var if coef == 1.0 else MonomialTermExpression((coef, var)))
        body = LinearExpression(terms)
        lower, upper = float(self.lower[row]), float(self.upper[row])
        if lower == upper:
            return EqualityExpression((body, upper))
        if lower == -math.inf:
            return InequalityExpression((body, upper), False)
        if upper == math.inf:
            return InequalityExpression((lower, body), False)
        return RangedExpression((lower, body, upper), (False, False))
