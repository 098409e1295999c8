"""Tiny programs of a chosen size, for probing a solver's licence (``solvers.licence``)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from solvers.standard_form import LinearProgram


def probe_program(rows: int, columns: int) -> LinearProgram:
    """max Σ x_j s.t. x_(i mod n) ≤ 1 for each row i, x binary: optimum n.

    Binary, because the free editions' limits for MIPs are the ones that bind the siting model
    (COPT's size-limited mode takes LPs up to 10,000 rows and columns, MIPs up to 2,000).

    Its columns have no Pyomo variables behind them (nothing is loaded back), so the list of
    columns holds placeholders; only its length matters to the adapters' ``_load``.
    """
    row_of = np.arange(rows)
    column_of = row_of % columns
    order = np.argsort(column_of, kind="stable")
    start = np.searchsorted(column_of[order], np.arange(columns + 1)).astype(np.int32)
    return LinearProgram(
        columns=cast(list[Any], [None] * columns),
        maximize=True,
        cost=np.ones(columns),
        offset=0.0,
        col_lower=np.zeros(columns),
        col_upper=np.ones(columns),
        integrality=np.ones(columns, dtype=bool),
        row_lower=np.full(rows, -np.inf),
        row_upper=np.ones(rows),
        a_start=start,
        a_index=row_of[order].astype(np.int32),
        a_value=np.ones(rows),
    )
