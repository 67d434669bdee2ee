"""Argument checks that turn bad input into a sentence a student understands.

Every public op calls these before torch sees anything, so a mistake never surfaces as a torch stack
trace. Each check raises ``ValueError``.
"""

from __future__ import annotations

import numbers

import numpy as np

from dsviz.words import agree, count, is_are

KERNEL_SIZES = range(1, 12, 2)  # odd K, 1–11
STRIDES = range(1, 5)
DILATIONS = range(1, 5)
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
ACTIVATIONS = ("none", "relu", "relu6")


def as_float_array(
    name: str, value: object, ndim: int, *, finite: bool = True, dtype: type = np.float32
) -> np.ndarray:
    """``value`` as a ``dtype`` array with ``ndim`` axes, all of them non-empty and (when ``finite``) all
    values finite."""
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must hold real numbers, not complex ones")
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers ({err})") from None
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {count(ndim, 'axis', 'axes')}, but the array given has {arr.ndim} "
            f"(shape {arr.shape})"
        )
    if 0 in arr.shape:
        raise ValueError(f"{name} must not be empty, but the array given has shape {arr.shape}")
    if finite:
        require_finite(name, arr)
    return arr


def require_finite(name: str, arr: np.ndarray) -> None:
    """Refuse NaN and ±inf: they would silently poison every output they touch.

    A float32 sum is NaN or inf whenever some value is, and it is far cheaper than an ``isfinite``
    mask of a large image; only when it is not finite (a bad value, or an overflow of huge ones) is
    the exact mask built.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # huge-but-finite values: checked exactly below
        total = arr.sum()
    if np.isfinite(total):
        return
    bad = ~np.isfinite(arr)
    if not bad.any():  # the sum overflowed, but every value is an ordinary number
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    n = int(bad.sum())
    what = agree(n, "a finite number", "finite numbers")
    where = f"at index {first}" if n == 1 else f"the first at index {first}"
    raise ValueError(
        f"{count(n, 'value')} in {name} {is_are(n)} not {what} (NaN or ±inf), {where}. Every weight "
        "and pixel must be an ordinary number (|x| < 3.4e38, float32's limit)."
    )


def is_whole(value: object) -> bool:
    """An integer (Python or NumPy), and not a bool: ``True`` is an int in Python, never a meant size."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def require_whole(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``, or a ``ValueError`` a student can read."""
    if not is_whole(value):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum} (got {value})")
    return int(value)


def require_groups(in_channels: int, out_channels: int, groups: int) -> None:
    """Grouped convolution splits both channel sets into ``groups`` equal parts."""
    require_whole("groups", groups)
    for side, channels in (("input", in_channels), ("output", out_channels)):
        if channels % groups:
            raise ValueError(
                f"groups={groups} must divide the {side} channels ({channels}): every group "
                f"gets the same whole number of {side} channels."
            )


def require_choice(name: str, value: object, allowed: range | tuple) -> None:
    """``value`` must be one of ``allowed`` (whole numbers only, for a range); the message lists them."""
    if isinstance(allowed, range):
        if not is_whole(value) or value not in allowed:
            raise ValueError(
                f"{name} must be a whole number from {allowed.start} to {allowed.stop - 1}, not {value!r}"
            )
    elif not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def require_kernel_size(kernel_size: int) -> None:
    """Kernels are square with an odd side 1–11, so each has a centre pixel."""
    if not is_whole(kernel_size) or kernel_size not in KERNEL_SIZES:
        raise ValueError(
            f"kernel size must be odd and between 1 and 11 (got {kernel_size}): an odd kernel has "
            "a centre pixel, which is what 'same' padding lines up with the input pixel."
        )


def require_square_kernels(name: str, kernels: np.ndarray) -> int:
    """Last two axes equal and odd; returns K."""
    k_h, k_w = kernels.shape[-2:]
    if k_h != k_w:
        raise ValueError(
            f"{name} must be square (K×K), but each has {count(k_h, 'row')} and {count(k_w, 'column')}"
        )
    require_kernel_size(k_h)
    return k_h
