"""dsviz.registry and the block's settings table: one strict parser per type, round trips, notices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz.block import SETTINGS
from dsviz.registry import Choice, Flag, Integer, Notice, Numbers, SettingError, format_number, parse_number


def valid_values(key: str) -> st.SearchStrategy:
    setting = SETTINGS[key]
    if isinstance(setting, Numbers):
        number = st.floats(-setting.bound, setting.bound, allow_nan=False, width=32)
        return st.lists(number, min_size=1, max_size=30).map(tuple)
    return st.sampled_from(setting.examples())


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_setting_round_trips_through_its_link_text(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(SETTINGS.keys()))
    value = data.draw(valid_values(key))
    setting = SETTINGS[key]
    assert setting.parse(setting.format(value)) == value
    link = SETTINGS.format({key: value})
    parsed, notices = SETTINGS.parse(link)
    assert not notices
    assert parsed.get(key, setting.default) == value


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("pg_dil", "2.5"),  # bug: the slider showed 2 and the link became pg_dil=2
        ("pg_dil", "2.0"),
        ("pg_k", "05"),
        ("pg_k", "+5"),
        ("pg_k", " 5"),
        ("pg_k", "5 "),
        ("pg_k", "٥"),  # Arabic-Indic five: int() accepts it
        ("pg_k", "0x5"),
        ("pg_k", "5e0"),
        ("pg_k", "1_1"),
        ("pg_k", "4"),
        ("pg_k", ""),
        ("pg_n", "99999999999999999999"),
        ("pg_bn", "True"),
        ("pg_bn", "1"),
        ("pg_pad", "Zeros"),
        ("img", "astronaut "),
        ("pg_custom0", "1,2,nan"),
        ("pg_custom0", "1,,2"),
        ("pg_custom0", "1;2"),
        ("pg_custom0", "1e39"),
        ("pg_custom0", "1,5e4"),
        ("pg_custom0", "inf"),
        ("pg_custom0", "0x1p3"),
    ],
)
def test_almost_numbers_are_refused_with_a_notice(key: str, raw: str) -> None:
    values, notices = SETTINGS.parse({key: raw})
    assert key not in values
    (notice,) = notices
    assert notice.key == key and notice.raw == raw
    assert "used" in str(notice)


def test_notice_says_what_was_used_instead() -> None:
    _, notices = SETTINGS.parse({"pg_dil": "2.5", "pg_pad": "bogus", "pg_custom0": "x", "zzz": "1"})
    text = {n.key: str(n) for n in notices}
    assert "used 1" in text["pg_dil"]
    assert "used zeros" in text["pg_pad"]
    assert "used the default numbers" in text["pg_custom0"]
    assert "not a dsviz setting" in text["zzz"]


def test_notices_quote_long_and_unprintable_values_safely() -> None:
    notice = Notice("pg_k", "x" * 5000 + "\n\x00", "not a whole number", "3")
    text = str(notice)
    assert len(text) < 200 and "\n" not in text


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), ("-0.5", -0.5), (".25", 0.25), ("1e-3", np.float32(1e-3)), ("10000", 1e4), ("3.", 3.0)],
)
def test_plain_numbers_parse(text: str, value: float) -> None:
    assert parse_number(text, 1e4) == float(np.float32(value))


@pytest.mark.parametrize("text", ["1,5", "nan", "abc", "1e39", "", " ", "−1", "1e4.5", "10001", "--1"])
def test_not_plain_numbers_are_refused(text: str) -> None:
    with pytest.raises(SettingError):
        parse_number(text, 1e4)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e4, 1e4, allow_nan=False, width=32))
def test_number_text_is_the_shortest_exact_float32(value: float) -> None:
    text = format_number(value)
    assert parse_number(text, 1e4) == value
    assert len(text) <= 16 and math.isfinite(float(text))


def test_every_type_is_in_the_table() -> None:
    kinds = {type(s) for s in SETTINGS.settings.values()}
    assert kinds == {Choice, Integer, Flag, Numbers}
    assert {"img", "res", "chan", "copies", "pg_k", "pg_n", "pg_dw0", "pg_custom0", "pg_pwc"} <= set(
        SETTINGS.keys()
    )


def test_duplicate_keys_are_refused() -> None:
    from dsviz.registry import Registry

    with pytest.raises(ValueError, match="two settings"):
        Registry([Flag("a", False, "A", "g"), Flag("a", True, "A", "g")])
