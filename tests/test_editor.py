"""ui.editor.parse / serialise: the comma-separated numbers a custom grid keeps in the URL."""

from __future__ import annotations

import numpy as np
import pytest

from ui.editor import parse, serialise


@pytest.mark.parametrize(
    "values",
    [
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        [[0.25, -0.5], [1.5, 1e-3]],
        [[0.299, 0.587, 0.114]],
        [[7.0]],
        [[-1234.0, 5e-05, 0.0, -0.0]],
    ],
)
def test_round_trip_of_short_numbers_is_exact(values: list[list[float]]) -> None:
    grid = np.array(values, dtype=np.float32)
    text = serialise(grid)
    assert " " not in text  # one URL-friendly token
    back = parse(text, grid.shape)
    assert back is not None
    assert back.shape == grid.shape and back.dtype == np.float32
    np.testing.assert_array_equal(back, grid)


def test_round_trip_keeps_four_significant_digits() -> None:
    grid = np.random.default_rng(0).normal(0, 3, (5, 7)).astype(np.float32)
    back = parse(serialise(grid), grid.shape)
    assert back is not None
    np.testing.assert_allclose(back, grid, rtol=5e-4, atol=1e-6)


def test_serialise_writes_row_major_comma_separated() -> None:
    assert serialise(np.array([[1, 2], [3, 4]], np.float32)) == "1,2,3,4"
    assert serialise(np.array([[0.5, -0.25]])) == "0.5,-0.25"


def test_parse_reads_row_major() -> None:
    back = parse("1,2,3,4,5,6", (2, 3))
    np.testing.assert_array_equal(back, np.array([[1, 2, 3], [4, 5, 6]], np.float32))
    np.testing.assert_array_equal(
        parse("1,2,3,4,5,6", (3, 2)), np.arange(1, 7, dtype=np.float32).reshape(3, 2)
    )


@pytest.mark.parametrize("raw", ["1,2,3", "1,2,3,4,5", "1", "1,2,3,4,", ",1,2,3,4"])
def test_wrong_length_is_none(raw: str) -> None:
    assert parse(raw, (2, 2)) is None


@pytest.mark.parametrize(
    "raw",
    [
        "nan,0,0,0",
        "0,inf,0,0",
        "0,0,-inf,0",
        "0,0,0,NaN",
        "Infinity,0,0,0",
        "1e39,0,0,0",  # overflows float32 to inf
        "a,b,c,d",
        "1,2,three,4",
        "1;2;3;4",
        "1,,2,3",
        "0x1,0,0,0",
        "[1,2,3,4]",
    ],
)
def test_non_finite_or_junk_is_none(raw: str) -> None:
    with np.errstate(over="ignore"):
        assert parse(raw, (2, 2)) is None


@pytest.mark.parametrize("raw", ["", None])
def test_empty_is_none(raw: str | None) -> None:
    assert parse(raw, (3, 3)) is None
