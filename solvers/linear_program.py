"""The arrays of a mixed-integer linear program, as every matrix-based solver takes them.

    optimise  cost·x + offset   (sense: maximise or minimise)
    subject to  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper,
                x_j integer where integrality[j]

with ``A`` in compressed sparse column form. Made by compiling a Pyomo model
(:func:`solvers.standard_form.compile_model`) or straight from the siting instance
(``model.matrix_model``); this module needs only numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LinearProgram:
    """Arrays of a mixed-integer linear program, one column per Pyomo variable.

    ``columns`` is empty for a program made without a Pyomo model
    (:mod:`model.matrix_model`); ``num_col`` counts the costs.
    """

    columns: list[Any]  # the Pyomo variable of each column, or empty
    maximize: bool
    cost: np.ndarray  # (n,)
    offset: float
    col_lower: np.ndarray  # (n,), -inf where unbounded
    col_upper: np.ndarray  # (n,), +inf where unbounded
    integrality: np.ndarray  # (n,) bool
    row_lower: np.ndarray  # (m,), -inf where unbounded
    row_upper: np.ndarray  # (m,), +inf where unbounded
    a_start: np.ndarray  # (n+1,) int32, CSC column starts
    a_index: np.ndarray  # (nnz,) int32, row indices
    a_value: np.ndarray  # (nnz,) float64
    row_names: list[str] | None = None
    column_of: dict[int, int] | None = None  # id(variable) -> column, when already at hand

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    def column_names(self) -> list[str]:
        return [v.name for v in self.columns]

    def column_index(self) -> dict[int, int]:
        """id(variable) -> column."""
        if self.column_of is not None:
            return self.column_of
        return dict(zip(map(id, self.columns), range(self.num_col), strict=True))


def all_columns_bounded(lp: LinearProgram) -> bool:
    """True when every column has finite bounds (so the feasible set is bounded)."""
    return bool(np.all(np.isfinite(lp.col_lower)) and np.all(np.isfinite(lp.col_upper)))
