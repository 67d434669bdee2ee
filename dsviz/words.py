"""English for messages: a number with its noun, a verb that agrees with it, an image's size.

    count(1, "input channel")      → "1 input channel"
    count(3, "input channel")      → "3 input channels"
    count(2, "axis", "axes")       → "2 axes"                (irregular plurals are given)
    there_are(1, "depthwise map")  → "there is 1 depthwise map"
    image_size(width=200, height=3) → "200×3 px"              (width × height, always)

Only exactly 1 takes the singular: "0 kernels", "1 kernel", "2 kernels".
"""

from __future__ import annotations


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``noun`` as it goes with ``n``: singular for exactly 1, else ``plural_form`` (default noun + "s")."""
    if n == 1:
        return noun
    return noun + "s" if plural_form is None else plural_form


def count(n: int, noun: str, plural_form: str | None = None) -> str:
    """``n`` and its noun: ``count(3, "input channel")`` → ``"3 input channels"``."""
    return f"{n} {plural(n, noun, plural_form)}"


def agree(n: int, singular: str, plural_form: str) -> str:
    """The verb (or any word) that goes with ``n`` things: ``agree(n, "has", "have")``."""
    return singular if n == 1 else plural_form


def is_are(n: int) -> str:
    """``"is"`` for exactly 1 thing, ``"are"`` otherwise."""
    return agree(n, "is", "are")


def there_are(n: int, noun: str, plural_form: str | None = None) -> str:
    """``"there is 1 kernel"`` / ``"there are 3 kernels"``."""
    return f"there {is_are(n)} {count(n, noun, plural_form)}"


def image_size(*, width: int, height: int) -> str:
    """An image's size in prose: width × height in pixels, ``"200×3 px"`` (200 wide, 3 high).

    Keyword-only on purpose: arrays are ``(H, W)``, prose is W×H, and a positional call would
    invite the swap.
    """
    return f"{width}×{height} px"
