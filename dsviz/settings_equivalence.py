"""Settings of the "Equivalence & expressivity" page (keys ``eq_…``, group "equivalence"): added to
the one registry, :data:`dsviz.block.SETTINGS`, so the link, the widgets and the fuzz see them."""

from __future__ import annotations

from dsviz.checks import KERNEL_SIZES
from dsviz.filterbank import BANKS, DEFAULT_BANK
from dsviz.registry import Choice, Integer, Setting

MOST_OUTPUTS = 64  # dsviz.block.MAX_OUT (not imported: block imports this module)

EQUIVALENCE_SETTINGS: tuple[Setting, ...] = (
    Choice(
        "eq_bank",
        DEFAULT_BANK,
        "Target filter bank",
        "equivalence",
        help="A standard K×K convolution M → N to approximate: output n looks for one orientation "
        "and weighs the colours by its own pattern.",
        options=tuple(BANKS),
        labels=BANKS,
    ),
    # the page narrows it to 1 … K²: K² kernels per channel reproduce any K×K filters
    Integer(
        "eq_d",
        1,
        "Depth multiplier d of the approximation",
        "equivalence",
        help="Depthwise kernels per input channel in the separable approximation.",
        options=tuple(range(1, max(KERNEL_SIZES) ** 2 + 1)),
    ),
    # the page narrows it to 0 … N − 1
    Integer(
        "eq_out",
        0,
        "Output channel shown",
        "equivalence",
        options=tuple(range(MOST_OUTPUTS)),
        widget="select",
    ),
)
