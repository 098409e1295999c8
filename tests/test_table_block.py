"""``model.instance.table_block``: the label lookup that replaced ``.loc[rows, columns]``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.instance import table_block

FRAME = pd.DataFrame(
    np.arange(12, dtype=float).reshape(3, 4), index=["a", "b", "c"], columns=["w", "x", "y", "z"]
)


@pytest.mark.parametrize(
    ("rows", "columns"),
    [
        (["a", "b", "c"], ["w", "x", "y", "z"]),  # the frame in its own order
        (["c", "a"], ["z", "w", "x"]),  # reordered and fewer
        (["b"], ["y"]),
        ([], ["w"]),
        (["a"], []),
    ],
)
def test_block_equals_loc(rows: list[str], columns: list[str]) -> None:
    expected = FRAME.loc[rows, columns].to_numpy(float)
    got = table_block(FRAME, rows, columns)
    assert got.shape == (len(rows), len(columns))
    assert np.array_equal(got, expected)


@pytest.mark.parametrize(("rows", "columns"), [(["a", "q"], ["w"]), (["a"], ["w", "q"])])
def test_a_missing_label_is_a_key_error_as_with_loc(rows: list[str], columns: list[str]) -> None:
    with pytest.raises(KeyError):
        FRAME.loc[rows, columns]
    with pytest.raises(KeyError, match="q"):
        table_block(FRAME, rows, columns)
