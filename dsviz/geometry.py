"""Output-size arithmetic shared by the ops and the cost model.

One place decides what "same" padding means, so the pictures and the numbers can never disagree.
"""

from __future__ import annotations

from typing import Literal

Padding = Literal["same", "valid"] | int
MAX_PADDING = 64  # pixels per side: more than any 'same' padding here (K ≤ 11, dilation ≤ 4 → 20)


def effective_kernel(kernel_size: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: ``dilation·(K−1) + 1`` pixels."""
    return dilation * (kernel_size - 1) + 1


def pad_amount(kernel_size: int, padding: Padding = "same", dilation: int = 1) -> int:
    """Zero-padding added on *each* side.

    ``"same"`` is symmetric ``dilation·(K−1)/2`` (PyTorch's ``padding=dilation·(K//2)``), which needs
    an odd K;
    ``"valid"`` is 0; an int is taken as given.
    """
    if padding == "same":
        if kernel_size % 2 == 0:
            raise ValueError(
                f"'same' padding needs an odd kernel size (got {kernel_size}): an even kernel has no "
                "centre pixel, so it cannot be padded equally on both sides."
            )
        return dilation * (kernel_size - 1) // 2
    if padding == "valid":
        return 0
    if isinstance(padding, bool) or not isinstance(padding, int):
        raise ValueError(f"padding must be 'same', 'valid' or a whole number, not {padding!r}")
    if not 0 <= padding <= MAX_PADDING:
        raise ValueError(f"padding must be between 0 and {MAX_PADDING} pixels per side (got {padding})")
    return padding


def output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
) -> int:
    """Output length along one axis: ``⌊(size + 2p − dilation·(K−1) − 1) / stride⌋ + 1``.

    With "same" padding this is ``⌈size / stride⌉``. Raises ``ValueError`` when nothing is left.
    """
    for name, value in (("size", size), ("kernel size", kernel_size), ("stride", stride)):
        if value < 1:
            raise ValueError(f"{name} must be ≥ 1 (got {value})")
    if dilation < 1:
        raise ValueError(f"dilation must be ≥ 1 (got {dilation})")
    pad = pad_amount(kernel_size, padding, dilation)
    span = effective_kernel(kernel_size, dilation)
    out = (size + 2 * pad - span) // stride + 1
    if out < 1:
        raise ValueError(
            f"the kernel spans {span} pixels but the padded input is only {size + 2 * pad} pixels across: "
            "the output would be empty. Use a smaller kernel or dilation, or 'same' padding."
        )
    return out
