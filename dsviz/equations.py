"""The seed's equations, corrected, as LaTeX — symbolic, and filled in with the current numbers.

Corrections to the seed: its depthwise cost reads ``D_K·D_K·M·  ·D_F·D_F`` (a missing factor) and its
ratio has a lowercase ``D_k``. We also count on the *output* grid ``D_G`` (= ``D_F`` at stride 1 with
"same" padding), which is what the multiply-adds really are for any stride.
"""

from __future__ import annotations

from fractions import Fraction

from dsviz.cost import SeparableCost

STANDARD = r"G_{k,l,n} = \sum_{i,j,m} K_{i,j,m,n}\,\cdot\,F_{k+i-1,\;l+j-1,\;m}"
DEPTHWISE = r"\hat{G}_{k,l,m} = \sum_{i,j} \hat{K}_{i,j,m}\,\cdot\,F_{k+i-1,\;l+j-1,\;m}"
POINTWISE = r"G_{k,l,n} = \sum_{m} P_{m,n}\,\cdot\,\hat{G}_{k,l,m}"
COST_STANDARD = r"C_{\mathrm{standard}} = D_K \cdot D_K \cdot M \cdot N \cdot D_G \cdot D_G"
COST_SEPARABLE = (
    r"C_{\mathrm{separable}} = \underbrace{D_K \cdot D_K \cdot M \cdot D_G \cdot D_G}_{\mathrm{depthwise}}"
    r" + \underbrace{M \cdot N \cdot D_G \cdot D_G}_{\mathrm{pointwise}}"
)
RATIO = (
    r"\frac{D_K \cdot D_K \cdot M \cdot D_G \cdot D_G + M \cdot N \cdot D_G \cdot D_G}"
    r"{D_K \cdot D_K \cdot M \cdot N \cdot D_G \cdot D_G} = \frac{1}{N} + \frac{1}{D_K^2}"
)


def _n(value: int) -> str:
    r"""An integer with thin-space thousands separators (``1\,769\,472``)."""
    return f"{value:,}".replace(",", r"\,")


def _frac(value: Fraction) -> str:
    return rf"\tfrac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value)


def filled_costs(sep: SeparableCost) -> str:
    """The separable and standard MACs with this layer's numbers: ``K·K·(M·d)·H'·W' + (M·d)·N·H'·W'``.

    Non-square outputs are written ``H'·W'``; a depth multiplier appears as ``M·d``.
    """
    dw, pw, std = sep.depthwise, sep.pointwise, sep.standard
    k, m, n, d = dw.kernel_size, dw.in_channels, pw.out_channels, sep.multiplier
    grid = rf"{dw.out_height} \cdot {dw.out_width}"
    md = f"{m} \\cdot {d}" if d > 1 else f"{m}"
    return (
        rf"\underbrace{{{k} \cdot {k} \cdot {md} \cdot {grid}}}_{{{_n(dw.mult_adds)}}}"
        rf" + \underbrace{{{md} \cdot {n} \cdot {grid}}}_{{{_n(pw.mult_adds)}}}"
        rf" = {_n(sep.mult_adds)}\ \text{{MACs}}"
        rf"\quad\text{{vs}}\quad {k} \cdot {k} \cdot {std.in_channels // std.groups} \cdot {n} \cdot {grid}"
        rf" = {_n(std.mult_adds)}\ \text{{MACs}}"
    )


def filled_ratio(sep: SeparableCost) -> str:
    """The exact ratio next to the seed's closed form ``1/N + 1/D_K²``, filled in."""
    n, k = sep.pointwise.out_channels, sep.depthwise.kernel_size
    exact = sep.ratio
    seed = sep.seed_ratio
    closed = rf"\frac{{1}}{{{n}}} + \frac{{1}}{{{k}^2}} = {_frac(seed)} \approx {float(seed):.4f}"
    relation = "=" if exact == seed else r"\neq"
    return (
        rf"\frac{{C_{{\mathrm{{separable}}}}}}{{C_{{\mathrm{{standard}}}}}} = {_frac(exact)}"
        rf" \approx {float(exact):.4f}\quad {relation}\quad {closed}"
    )
