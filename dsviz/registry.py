"""Settings that live in a link: one typed entry per key, with one parser and one validity rule per type.

A link is user input — pasted, edited, truncated, years old. Every value therefore goes through
exactly one strict parser: it either yields a valid value, or it is refused with a notice that names
the key, the value and what was used instead. Nothing is coerced silently ("2.5" is not 2, " 3" is
not 3, "٣" is not 3), so the value a page shows is always the value the link says, or the default.

``format`` is the inverse of ``parse``: ``parse(format(v)) == v`` for every valid ``v``; a link the
app writes therefore reopens the same view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_RAW = 100_000  # characters: longer link values are refused before any parsing
SHOWN_RAW = 40  # characters of a refused value quoted back in a notice


class SettingError(ValueError):
    """A link value that cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class Setting:
    """One key of the link: its default, its label in the UI, and its rules.

    ``group`` says which part of the app owns it ("image", "block", "view", …): a page's link holds
    the groups that page uses.
    """

    key: str
    default: Any
    label: str
    group: str
    help: str | None = None
    default_text: str | None = None  # what the default means, when its value says nothing ("the centre")

    def parse(self, raw: str) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def format(self, value: Any) -> str:
        return str(value)

    def valid(self, value: Any) -> bool:
        try:
            return self.parse(self.format(value)) == value
        except (SettingError, TypeError, ValueError):
            return False

    def examples(self) -> tuple[Any, ...]:
        """Valid values worth trying (all of them when there are few): the fuzz tests use these."""
        return (self.default,)


@dataclass(frozen=True)
class Choice(Setting):
    """One of a few names. The name (never the shown label) is the URL value; a label is accepted too,
    for links written by older versions that stored labels."""

    options: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def parse(self, raw: str) -> str:
        if raw in self.options:
            return raw
        by_label = {label: name for name, label in self.labels.items()}
        if raw in by_label:
            return by_label[raw]
        raise SettingError(f"not one of {', '.join(self.options)}")

    def label_of(self, name: str) -> str:
        return self.labels.get(name, name)

    def examples(self) -> tuple[str, ...]:
        return self.options


@dataclass(frozen=True)
class Integer(Setting):
    """A whole number from a fixed set, written in plain ASCII decimal ("5", never "05", "+5", "5.0").

    ``widget`` says how it is drawn: "slider" (a contiguous range), "steps" (a set with gaps, as a
    select-slider), "number" (a typed number) or "select" (a dropdown).
    """

    options: tuple[int, ...] = ()
    widget: str = "slider"

    def parse(self, raw: str) -> int:
        if not re.fullmatch(r"-?(0|[1-9][0-9]{0,8})", raw):
            raise SettingError("not a whole number")
        value = int(raw)
        if value not in self.options:
            raise SettingError(f"not one of {describe_ints(self.options)}")
        return value

    def examples(self) -> tuple[int, ...]:
        return self.options


@dataclass(frozen=True)
class Flag(Setting):
    """On or off: ``true`` / ``false``."""

    def parse(self, raw: str) -> bool:
        if raw == "true":
            return True
        if raw == "false":
            return False
        raise SettingError("not true or false")

    def format(self, value: Any) -> str:
        return "true" if value else "false"

    def examples(self) -> tuple[bool, ...]:
        return (False, True)


# ASCII digits only (\d would take "٣"), and one way to match each text: "\d+\.?\d*" matched "999…9x"
# in quadratic time (minutes for a 10⁵-character link value).
NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?")


def parse_number(text: str, bound: float) -> float:
    """A plain decimal number (``-1``, ``0.25``, ``.5``, ``1e-3``) with ``|x| ≤ bound``.

    Refused: commas as decimal points, spaces, NaN, inf, hex, underscores, non-ASCII digits.
    """
    if not NUMBER.fullmatch(text):
        raise SettingError(f"{code(shown(text))} is not a plain number (use digits, '.', '-' and 'e')")
    value = float(text)
    if not math.isfinite(value) or abs(value) > bound:
        raise SettingError(f"{code(shown(text))} is outside −{bound:g}…{bound:g}")
    return float(np.float32(value))


def format_number(value: float) -> str:
    """The shortest text that reads back as the same float32 (``0.11111111``, ``-1``, ``1e-35``)."""
    if not value:
        return "0"
    v = np.float32(value)
    forms = np.format_float_positional(v, unique=True, trim="-"), np.format_float_scientific(v, trim="-")
    return min(forms, key=len)


@dataclass(frozen=True)
class Numbers(Setting):
    """Custom numbers (a kernel or a weight matrix), comma-separated. Their count is checked where
    the shape is known (it depends on other settings), not here. ``default`` is None: not set."""

    bound: float = 1e4
    most: int = 1024

    def parse(self, raw: str) -> tuple[float, ...]:
        items = raw.split(",")
        if len(items) > self.most:
            raise SettingError(f"more than {self.most} numbers")
        return tuple(parse_number(item, self.bound) for item in items)

    def format(self, value: Any) -> str:
        return ",".join(format_number(v) for v in value)

    def examples(self) -> tuple[tuple[float, ...] | None, ...]:
        return (None,)


def describe_ints(options: Iterable[int]) -> str:
    """``1–4`` for a contiguous run, else ``1, 3, 5``."""
    values = sorted(options)
    if values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def shown(raw: str) -> str:
    """A refused value as quoted back to the user: shortened, control characters made visible."""
    text = raw if len(raw) <= SHOWN_RAW else raw[:SHOWN_RAW] + "…"
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


def code(text: str) -> str:
    """``text`` as a Markdown code span that shows it literally, whatever it holds: a link's text must
    not turn into links, bold or maths on the page, nor close its span early with a backtick.

    CommonMark: the fence is one backtick longer than the longest run inside, and one space is
    stripped from each end when both ends have one (so a text starting or ending with a backtick or
    a space on both ends gets one space of padding)."""
    if not text:
        return "` `"  # an empty span is not a span
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    both = text.startswith(" ") and text.endswith(" ") and text.strip(" ")
    pad = " " if text.startswith("`") or text.endswith("`") or both else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@dataclass(frozen=True)
class Notice:
    """A link value that was not used: ``key=raw`` (why) — and what was used instead."""

    key: str
    raw: str
    why: str
    used: str

    def __str__(self) -> str:
        return f"{code(shown(self.key) + '=' + shown(self.raw))} ({self.why}; used {self.used})"


class Registry:
    """Every setting by key, in one table; parses a whole link into values plus notices."""

    def __init__(self, settings: Iterable[Setting]):
        self.settings: dict[str, Setting] = {}
        for setting in settings:
            if setting.key in self.settings:
                raise ValueError(f"two settings are called {setting.key!r}")
            self.settings[setting.key] = setting

    def __getitem__(self, key: str) -> Setting:
        return self.settings[key]

    def __contains__(self, key: object) -> bool:
        return key in self.settings

    def keys(self, *groups: str) -> list[str]:
        return [k for k, s in self.settings.items() if not groups or s.group in groups]

    def defaults(self) -> dict[str, Any]:
        return {k: s.default for k, s in self.settings.items()}

    def used_instead(self, key: str) -> str:
        setting = self.settings[key]
        if setting.default_text is not None:
            return setting.default_text
        if setting.default is None:
            return "the default numbers"
        if isinstance(setting, Choice):
            return setting.label_of(setting.default)
        return setting.format(setting.default)

    def parse(self, link: Mapping[str, str | Sequence[str]]) -> tuple[dict[str, Any], list[Notice]]:
        """``{key: raw}`` → the valid values (defaults left out) and a notice for everything else.

        A key given more than once (``?pg_k=5&pg_k=7``, a list of raws) takes its last value, as
        browsers and Streamlit do; each different earlier value is named in a notice."""
        values: dict[str, Any] = {}
        notices: list[Notice] = []
        for key, given in link.items():
            raws = [given] if isinstance(given, str) else list(given) or [""]
            raw = raws[-1]
            for earlier in dict.fromkeys(raws[:-1]):
                if earlier != raw:
                    notices.append(Notice(key, earlier, "given more than once", "the last one"))
            setting = self.settings.get(key)
            if setting is None:
                notices.append(Notice(key, raw, "not a dsviz setting", "nothing"))
                continue
            try:
                if len(raw) > MAX_RAW:
                    raise SettingError("far too long")
                values[key] = setting.parse(raw)
            except SettingError as err:
                notices.append(Notice(key, raw, str(err), self.used_instead(key)))
        return values, notices

    def format(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The link for ``values``: defaults are left out, so links stay short."""
        return {
            key: self.settings[key].format(value)
            for key, value in values.items()
            if value is not None and value != self.settings[key].default
        }
