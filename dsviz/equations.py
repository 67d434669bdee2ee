"""The blog post's equations, corrected and made general, as LaTeX — symbolic, and filled in with the
current numbers.

One notation everywhere: indices start at 0; ``F̃`` is the input padded by p pixels on every side;
stride s, dilation δ, depth multiplier d; the pointwise weights P are ``N × (M·d)``, one row per output
(as the weights picture draws them). ``CORRECTIONS`` lists, in plain sentences, what differs from the
formulas as usually written; ``GENERALISATIONS`` what was added to them.
"""

from __future__ import annotations

from fractions import Fraction

from dsviz.checks import require_whole
from dsviz.cost import ConvCost, SeparableCost
from dsviz.geometry import pad_amount

# --------------------------------------------------------------------------- the operations

_WINDOW = r"s k + \delta i,\; s l + \delta j"
_TAPS = r"\sum_{i=0}^{D_K-1} \sum_{j=0}^{D_K-1}"
STANDARD = rf"G_{{k,l,n}} = {_TAPS} \sum_{{m=0}}^{{M-1}} K_{{i,j,m,n}} \cdot \tilde{{F}}_{{{_WINDOW},\; m}}"
DEPTHWISE = (
    rf"\hat{{G}}_{{k,l,m d + r}} = {_TAPS} \hat{{K}}_{{i,j,m d + r}} \cdot \tilde{{F}}_{{{_WINDOW},\; m}},"
    r"\qquad r = 0, \dots, d - 1"
)
POINTWISE = r"G_{k,l,n} = \sum_{c=0}^{M d - 1} P_{n,c} \cdot \hat{G}_{k,l,c}"
PADDED_INPUT = r"\tilde{F}_{a,b,m} = F_{a - p,\; b - p,\; m}\quad(\text{outside } F\text{: the padding})"
OUTPUT_SIZE = (
    r"H' = \left\lfloor \frac{H + 2p - \delta (D_K - 1) - 1}{s} \right\rfloor + 1,\qquad"
    r" p = \begin{cases} \delta (D_K - 1) / 2 & \text{same: } H' = \lceil H / s \rceil \\"
    r" 0 & \text{valid} \end{cases}"
)

LEGEND = "\n".join(
    [
        "- $s$ — stride: how many input pixels the window moves between neighbouring outputs.",
        "- $\\delta$ — dilation: the spacing of the kernel's taps ($\\delta = 1$: adjacent pixels).",
        "- $d$ — depth multiplier: filters per input channel, so the depthwise stage makes $M d$ maps; "
        "map $m d + r$ filters input channel $m$.",
        "- $\\tilde F$ — the input $F$ with $p$ pixels of padding on every side (zeros, or reflected, "
        "repeated or wrapped pixels); all indices start at 0.",
        "- $D_K$ — the kernel's side; $D_F$ the input's side, $D_G$ the output's "
        "($H' \\times W'$ when the image is not square); $M$, $N$ — input and output channels.",
        "- $P$ — the $N \\times M d$ pointwise weights: row $n$ says how output $n$ mixes the maps.",
    ]
)

# --------------------------------------------------------------------------- the costs


def cost_equations(square: bool = True) -> tuple[str, str, str]:
    """``(standard cost, separable cost, ratio)`` with depth multiplier d, on the output grid:
    ``D_G · D_G`` for a square output, ``H' · W'`` otherwise."""
    grid = r"D_G \cdot D_G" if square else r"H' \cdot W'"
    dw = rf"D_K \cdot D_K \cdot M \cdot d \cdot {grid}"
    pw = rf"M \cdot d \cdot N \cdot {grid}"
    std = rf"D_K \cdot D_K \cdot M \cdot N \cdot {grid}"
    standard = rf"C_{{\mathrm{{standard}}}} = {std}"
    separable = (
        rf"C_{{\mathrm{{separable}}}} = \underbrace{{{dw}}}_{{\mathrm{{depthwise}}}}"
        rf" + \underbrace{{{pw}}}_{{\mathrm{{pointwise}}}}"
    )
    ratio = (
        rf"\frac{{C_{{\mathrm{{separable}}}}}}{{C_{{\mathrm{{standard}}}}}} = \frac{{{dw} + {pw}}}{{{std}}}"
        r" = \frac{d\,(D_K^2 + N)}{D_K^2 \cdot N} = d \left(\frac{1}{N} + \frac{1}{D_K^2}\right)"
    )
    return standard, separable, ratio


COST_STANDARD, COST_SEPARABLE, RATIO = cost_equations()
RATIO_D1 = r"d = 1:\quad \frac{C_{\mathrm{separable}}}{C_{\mathrm{standard}}} = \frac{1}{N} + \frac{1}{D_K^2}"

# The blog post's forms, exactly as it prints them (for showing next to the corrected ones).
AS_USUALLY_WRITTEN = {
    "standard": r"G_{k,l,n}=\sum_{i,j,m}K_{i,j,m,n}\cdot F_{k+i-1,l+j-1,m}",
    "depthwise": r"\hat{G}_{k,l,m}=\sum_{i,j}\hat{K}_{i,j,m}\cdot F_{k+i-1,l+j-1,m}",
    "cost_standard": r"D_K\cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F",
    "cost_separable": (
        r"\begin{aligned}C_{separable} &= C_{depthwise} + C_{pointwise} \\"
        r"&=D_K\cdot D_K \cdot M \cdot \cdot D_F \cdot D_F + M\cdot N \cdot D_F \cdot D_F\end{aligned}"
    ),
    "ratio": (
        r"\dfrac{D_K\cdot D_k \cdot M \cdot D_F \cdot D_F + M\cdot N \cdot D_F \cdot D_F}"
        r"{D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F} = \dfrac{1}{N} + \dfrac{1}{D_K^2}"
    ),
}

CORRECTIONS = (
    "The cost counts output pixels, so it uses the output side D_G (H′ × W′ for a non-square image) "
    "where the formula as usually written has the input side D_F. The two agree only at stride 1 "
    "with 'same' padding; at stride 2 the D_F version is about 4× too high.",
    "The depthwise cost as usually written, D_K·D_K·M· ·D_F·D_F, has a stray “·” with no factor "
    "behind it: the depthwise cost is D_K·D_K·M·D_G·D_G, with no N, because each filter sees one "
    "channel.",
    "The lowercase D_k in the ratio is D_K, the kernel's side.",
    "The depthwise output is D_G × D_G × M·d (D_G × D_G × M when d = 1), not D_F × D_F × M: its maps "
    "have the output's size.",
    "F_{k+i−1, l+j−1, m}, with indices from 1, reads outside F at the border unless F is padded first. "
    "Here indices start at 0 and F̃ is F with p pixels of padding on every side.",
    "“8 to 9 times less computation” with 3×3 kernels needs N ≥ 72 output channels: the reduction (for "
    "d = 1) is 9N/(9 + N), 7.9× at N = 64 and 8× at N = 72, and it approaches 9× without reaching it.",
)
GENERALISATIONS = (
    "Stride s and dilation δ: output pixel (k, l) reads input pixels s·k + δ·i and s·l + δ·j.",
    "Depth multiplier d: each input channel gets d filters, so the depthwise stage makes M·d maps, "
    "both costs gain a factor d, and the ratio becomes d·(1/N + 1/D_K²) = d·(D_K² + N)/(D_K²·N); "
    "1/N + 1/D_K² is the case d = 1.",
    "Padding: 'same' (p = δ·(D_K − 1)/2) gives H′ = ⌈H/s⌉; 'valid' (p = 0) gives "
    "H′ = ⌊(H − δ·(D_K − 1) − 1)/s⌋ + 1.",
    "The pointwise weights P are written N × (M·d), one row per output, as in the weights picture.",
)


def reduction(n: int, k: int, d: int = 1) -> Fraction:
    """How many times fewer MACs the separable block needs: ``D_K²·N / (d·(D_K² + N))``.

    Exact for any stride, padding and dilation (both forms share one output grid). Below 1 when the
    separable block costs more (large d, small N).
    """
    n, k, d = require_whole("N", n), require_whole("K", k), require_whole("d", d)
    return Fraction(k * k * n, d * (k * k + n))


# --------------------------------------------------------------------------- filled in


def _n(value: int) -> str:
    r"""An integer with thin-space thousands separators (``1\,769\,472``)."""
    return f"{value:,}".replace(",", r"\,")


def _frac(value: Fraction) -> str:
    return rf"\tfrac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value)


def filled_output_sides(conv: ConvCost) -> tuple[str, str]:
    """``H' = ⌊(H + 2p − δ·(K−1) − 1)/s⌋ + 1 = …`` and the same for W', with this layer's numbers."""
    k, s, delta = conv.kernel_size, conv.stride, conv.dilation
    p = pad_amount(k, conv.padding, delta)
    height, width = (
        rf"{name} = \left\lfloor \frac{{{size} + 2 \cdot {p} - {delta} \cdot ({k} - 1) - 1}}{{{s}}}"
        rf" \right\rfloor + 1 = {out}"
        for name, size, out in (("H'", conv.height, conv.out_height), ("W'", conv.width, conv.out_width))
    )
    return height, width


def filled_output_size(conv: ConvCost) -> str:
    """Both sides of :func:`filled_output_sides` on one line."""
    return r",\qquad ".join(filled_output_sides(conv))


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
    """The exact ratio as ``g·d·(K² + N)/(K²·N)`` with this layer's numbers, then the usual closed form
    ``1/N + 1/K²``: "=" only when it is the same number (d = 1 and a full standard conv, g = 1),
    otherwise "≠" and its own value. ``≈`` marks decimals.
    """
    n, k = sep.pointwise.out_channels, sep.depthwise.kernel_size
    factors = [f for f in (sep.standard.groups, sep.multiplier) if f > 1]  # g, d
    exact, usual = sep.ratio, sep.usual_ratio
    top = "".join(rf"{f} \cdot " for f in factors) + (rf"({k}^2 + {n})" if factors else rf"{k}^2 + {n}")
    head = (
        rf"\frac{{C_{{\mathrm{{separable}}}}}}{{C_{{\mathrm{{standard}}}}}}"
        rf" = \frac{{{top}}}{{{k}^2 \cdot {n}}} = {_frac(exact)} \approx {float(exact):.4f}"
    )
    closed = rf"\frac{{1}}{{{n}}} + \frac{{1}}{{{k}^2}}"
    if exact == usual:
        return rf"{head}\quad = \quad {closed}"
    return rf"{head}\quad \neq \quad {closed} = {_frac(usual)} \approx {float(usual):.4f}"
