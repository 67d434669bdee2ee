"""ui.editor.parse_grid: typed cells are read by the link's strict parser, never changed silently.

A browser's number cell turned "1,5" into 15, "1e39" into 139, "nan" and "abc" into 0; text cells
parsed here refuse each of them with the row, the column and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ui.editor import parse_grid


def cells(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[f"{j}: col {j + 1}" for j in range(len(rows[0]))])


def test_plain_numbers_are_read_exactly() -> None:
    values, problem = parse_grid(cells([["-1", "0", "1"], ["-2", ".5", "2e1"], ["1e-3", " 3 ", "-0"]]), 1e4)
    assert problem is None
    np.testing.assert_array_equal(
        values, np.array([[-1, 0, 1], [-2, 0.5, 20], [1e-3, 3, 0]], dtype=np.float32)
    )


@pytest.mark.parametrize("typed", ["1,5", "1e39", "nan", "abc", "", "inf", "10001", "½", "1 000"])
def test_junk_is_refused_with_its_row_and_column(typed: str) -> None:
    grid = cells([["1", "2", "3"], ["4", typed, "6"]])
    values, problem = parse_grid(grid, 1e4)
    assert values is None
    assert problem.startswith("row 2, column 2 (1: col 2)")


def test_the_first_bad_cell_is_named() -> None:
    _, problem = parse_grid(cells([["x", "y"]]), 1e4)
    assert problem.startswith("row 1, column 1")
