"""dsviz.equations: the LaTeX shown next to the cost card, with its numbers read back out of the LaTeX and
compared with K²·M·d·H'·W', M·d·N·H'·W' and K²·M·N·H'·W' computed here from first principles
(design.md: "same" padding gives H' = ⌈H / stride⌉ for any dilation); the general index formulas
followed literally in plain Python loops and compared with torch."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz import cost, equations

CASES = [
    # M, N, K, H, W, d, stride, dilation
    (3, 8, 3, 256, 256, 1, 1, 1),
    (3, 8, 3, 171, 256, 1, 2, 1),
    (3, 8, 3, 171, 256, 2, 2, 1),
    (32, 64, 3, 112, 112, 1, 1, 1),
    (24, 64, 11, 43, 64, 4, 4, 4),
    (1, 1, 1, 5, 7, 1, 1, 1),
    (6, 5, 5, 33, 17, 2, 3, 2),
    (512, 1024, 3, 7, 7, 1, 1, 1),
]
NUMBER = r"\d{1,3}(?:\\,\d{3})*"


def to_int(latex_number: str) -> int:
    return int(latex_number.replace(r"\,", ""))


def product(latex: str) -> int:
    return math.prod(int(f) for f in latex.split(r"\cdot"))


def read_fraction(latex: str) -> Fraction:
    m = re.fullmatch(r"\s*\\tfrac\{(\d+)\}\{(\d+)\}\s*", latex) or re.fullmatch(r"\s*(\d+)\s*", latex)
    assert m, latex
    return Fraction(int(m.group(1)), int(m.group(2)) if m.lastindex == 2 else 1)


def expected(m: int, n: int, k: int, h: int, w: int, d: int, stride: int) -> tuple[int, int, int]:
    ho, wo = -(-h // stride), -(-w // stride)
    return k * k * m * d * ho * wo, m * d * n * ho * wo, k * k * m * n * ho * wo


@pytest.mark.parametrize(("m", "n", "k", "h", "w", "d", "stride", "dilation"), CASES)
def test_filled_costs_numbers(
    m: int, n: int, k: int, h: int, w: int, d: int, stride: int, dilation: int
) -> None:
    sep = cost.separable_cost(m, n, k, h, w, multiplier=d, stride=stride, dilation=dilation)
    latex = equations.filled_costs(sep)
    dw, pw, std = expected(m, n, k, h, w, d, stride)

    braces = re.findall(r"\\underbrace\{([^{}]*)\}_\{([^{}]*)\}", latex)
    assert len(braces) == 2, latex
    (dw_factors, dw_total), (pw_factors, pw_total) = braces
    assert to_int(dw_total) == dw
    assert to_int(pw_total) == pw
    assert product(dw_factors) == dw  # the factors written are the ones that multiply to the total
    assert product(pw_factors) == pw

    totals = re.findall(rf"= ({NUMBER})\\ \\text{{MACs}}", latex)
    assert [to_int(t) for t in totals] == [dw + pw, std], latex

    standard_factors = re.search(r"\\text\{vs\}\\quad(.*?)=", latex)
    assert standard_factors, latex
    assert product(standard_factors.group(1)) == std


def test_filled_costs_spells_out_the_output_grid_and_multiplier() -> None:
    sep = cost.separable_cost(3, 8, 5, 171, 256, multiplier=2, stride=2)
    latex = equations.filled_costs(sep)
    dw_factors = re.findall(r"\\underbrace\{([^{}]*)\}", latex)[0]
    assert [int(f) for f in dw_factors.split(r"\cdot")] == [5, 5, 3, 2, 86, 128]  # K·K·M·d·H'·W'


def test_filled_costs_with_groups_counts_the_grouped_standard_conv() -> None:
    sep = cost.separable_cost(6, 9, 3, 10, 12, groups=3)
    latex = equations.filled_costs(sep)
    std = 3 * 3 * (6 // 3) * 9 * 10 * 12
    totals = re.findall(rf"= ({NUMBER})\\ \\text{{MACs}}", latex)
    assert to_int(totals[-1]) == std


def parse_ratio(latex: str) -> tuple[Fraction, str, Fraction, str, str, str]:
    """The pieces of filled_ratio: g·d factors, K, N, K, N, exact, its decimal, relation, N, K, the rest."""
    match = re.fullmatch(
        r"\\frac\{C_\{\\mathrm\{separable\}\}\}\{C_\{\\mathrm\{standard\}\}\} = "
        r"\\frac\{((?:\d+ \\cdot )*)\(?(\d+)\^2 \+ (\d+)\)?\}\{(\d+)\^2 \\cdot (\d+)\}"
        r" = (.+?) \\approx ([\d.]+)"
        r"\\quad (=|\\neq) \\quad \\frac\{1\}\{(\d+)\} \+ \\frac\{1\}\{(\d+)\^2\}(.*)",
        latex,
    )
    assert match, latex
    return match.groups()


@pytest.mark.parametrize(("m", "n", "k", "h", "w", "d", "stride", "dilation"), CASES)
def test_filled_ratio(m: int, n: int, k: int, h: int, w: int, d: int, stride: int, dilation: int) -> None:
    sep = cost.separable_cost(m, n, k, h, w, multiplier=d, stride=stride, dilation=dilation)
    latex = equations.filled_ratio(sep)
    dw, pw, std = expected(m, n, k, h, w, d, stride)
    exact = Fraction(dw + pw, std)
    usual = Fraction(1, n) + Fraction(1, k * k)

    scale, k1, n1, k2, n2, shown, approx, relation, n3, k3, rest = parse_ratio(latex)
    assert {int(k1), int(k2), int(k3)} == {k} and {int(n1), int(n2), int(n3)} == {n}
    factor = math.prod(int(f) for f in scale.split(r"\cdot") if f.strip())
    assert factor == d
    assert Fraction(factor * (k * k + n), k * k * n) == exact  # the numbers written give the exact ratio
    assert read_fraction(shown) == exact
    assert float(approx) == pytest.approx(float(exact), abs=5e-5)
    # "=" to the usual 1/N + 1/D_K² exactly when it is the same number: d = 1
    assert relation == ("=" if d == 1 else r"\neq")
    if d == 1:
        assert rest == ""
    else:
        value, decimal = re.fullmatch(r" = (.+?) \\approx ([\d.]+)", rest).groups()
        assert read_fraction(value) == usual
        assert float(decimal) == pytest.approx(float(usual), abs=5e-5)


def test_filled_ratio_with_groups_shows_g_and_d() -> None:
    sep = cost.separable_cost(6, 9, 3, 10, 12, groups=3, multiplier=2)
    latex = equations.filled_ratio(sep)
    scale, *_, shown, _approx, relation, _n, _k, _rest = parse_ratio(latex)
    assert scale == r"3 \cdot 2 \cdot "
    assert read_fraction(shown) == sep.ratio == Fraction(4, 3)  # the separable block costs more here
    assert relation == r"\neq"


def test_fractions_are_in_lowest_terms() -> None:
    sep = cost.separable_cost(3, 8, 3, 256, 256)
    latex = equations.filled_ratio(sep)
    for num, den in re.findall(r"\\tfrac\{(\d+)\}\{(\d+)\}", latex):
        assert math.gcd(int(num), int(den)) == 1
        assert (int(num), int(den)) == (17, 72)  # 1/8 + 1/9


SYMBOLIC = {
    "STANDARD": equations.STANDARD,
    "DEPTHWISE": equations.DEPTHWISE,
    "POINTWISE": equations.POINTWISE,
    "PADDED_INPUT": equations.PADDED_INPUT,
    "OUTPUT_SIZE": equations.OUTPUT_SIZE,
    "COST_STANDARD": equations.COST_STANDARD,
    "COST_SEPARABLE": equations.COST_SEPARABLE,
    "RATIO": equations.RATIO,
    "RATIO_D1": equations.RATIO_D1,
    **{f"non-square {i}": latex for i, latex in enumerate(equations.cost_equations(square=False))},
}


@pytest.mark.parametrize("name", SYMBOLIC)
def test_symbolic_equations_have_none_of_the_usual_typos(name: str) -> None:
    latex = SYMBOLIC[name]
    assert not re.search(r"\\cdot\s*\\cdot", latex), latex  # the blog post's "M · · D_F"
    assert "D_k" not in latex  # the blog post's lowercase D_k
    assert "D_F" not in latex  # costs and outputs live on the output grid
    assert latex.count("{") == latex.count("}")


def test_filled_equations_have_none_of_the_usual_typos() -> None:
    for args in [(3, 8, 3, 256, 256), (3, 8, 5, 171, 256)]:
        sep = cost.separable_cost(*args, multiplier=2)
        for latex in (equations.filled_costs(sep), equations.filled_ratio(sep)):
            assert not re.search(r"\\cdot\s*\\cdot", latex)
            assert "D_k" not in latex
            assert latex.count("{") == latex.count("}")


def factors(term: str) -> list[str]:
    return sorted(f.strip() for f in term.split(r"\cdot"))


@pytest.mark.parametrize("square", [True, False])
def test_symbolic_cost_formulas_have_the_right_factors(square: bool) -> None:
    grid = ["D_G", "D_G"] if square else ["H'", "W'"]
    standard, separable, ratio = equations.cost_equations(square)
    assert factors(standard.split("=")[1]) == sorted(["D_K", "D_K", "M", "N", *grid])
    dw, pw = re.findall(r"\\underbrace\{([^{}]*)\}", separable)
    assert factors(dw) == sorted(["D_K", "D_K", "M", "d", *grid])
    assert factors(pw) == sorted(["M", "d", "N", *grid])
    assert ratio.replace(" ", "").endswith(
        r"=\frac{d\,(D_K^2+N)}{D_K^2\cdotN}=d\left(\frac{1}{N}+\frac{1}{D_K^2}\right)"
    )
    assert equations.cost_equations() == (equations.COST_STANDARD, equations.COST_SEPARABLE, equations.RATIO)


@pytest.mark.parametrize(("m", "n", "k", "h", "w", "d", "stride", "dilation"), CASES)
def test_ratio_closed_form_with_d_is_exact(
    m: int, n: int, k: int, h: int, w: int, d: int, stride: int, dilation: int
) -> None:
    for padding in ("same", "valid"):
        try:
            sep = cost.separable_cost(
                m, n, k, h, w, multiplier=d, stride=stride, dilation=dilation, padding=padding
            )
        except ValueError:  # 'valid' leaves nothing of a small image
            continue
        assert sep.ratio == Fraction(d * (k * k + n), k * k * n) == d * (Fraction(1, n) + Fraction(1, k * k))
        assert sep.reduction == equations.reduction(n, k, d)


def test_the_blog_posts_forms_are_quoted_exactly() -> None:
    seed = Path("/work/shared/seed/depthwise-separable-convolution.md")
    if not seed.exists():
        pytest.skip("the blog post is not in this checkout")
    text = seed.read_text().replace("\n", "")
    for name, latex in equations.AS_USUALLY_WRITTEN.items():
        assert latex.replace(r"\begin{aligned}", "").replace(r"\end{aligned}", "") in text, name


def test_corrections_are_plain_sentences_that_never_say_seed() -> None:
    for sentence in (*equations.CORRECTIONS, *equations.GENERALISATIONS, equations.LEGEND):
        assert "seed" not in sentence.lower()
    assert all(s.endswith(".") for s in (*equations.CORRECTIONS, *equations.GENERALISATIONS))
    joined = " ".join(equations.CORRECTIONS)
    for fixed in ("D_G", "D_k", "stray", "padded", "N ≥ 72", "7.9×"):
        assert fixed in joined
    for symbol in ("$s$", "$\\delta$", "$d$", "$\\tilde F$", "$D_G$"):
        assert symbol in equations.LEGEND


# ---- "8 to 9 times less" ------------------------------------------------------------------------------


def test_reduction_at_3x3_reaches_8_only_from_n_72_and_never_9() -> None:
    for n in range(1, 2000):
        r = equations.reduction(n, 3)
        assert r == cost.separable_cost(1, n, 3, 4, 4).reduction
        assert (r >= 8) == (n >= 72)
        assert r < 9
    assert equations.reduction(72, 3) == 8
    assert f"{float(equations.reduction(64, 3)):.1f}" == "7.9"
    assert equations.reduction(64, 3, 2) == equations.reduction(64, 3) / 2


@pytest.mark.parametrize("bad", [(0, 3, 1), (8, 0, 1), (8, 3, 0), (8.0, 3, 1), (True, 3, 1)])
def test_reduction_rejects_non_sizes(bad: tuple) -> None:
    with pytest.raises(ValueError):
        equations.reduction(*bad)


# ---- output size ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "k", "h", "w", "d", "stride", "dilation"), CASES)
def test_filled_output_size(
    m: int, n: int, k: int, h: int, w: int, d: int, stride: int, dilation: int
) -> None:
    for padding in ("same", "valid"):
        try:
            conv = cost.depthwise_cost(
                m, k, h, w, multiplier=d, stride=stride, dilation=dilation, padding=padding
            )
        except ValueError:
            continue
        latex = equations.filled_output_size(conv)
        rows = re.findall(
            r"(H'|W') = \\left\\lfloor \\frac\{(\d+) \+ 2 \\cdot (\d+) - (\d+) \\cdot \((\d+) - 1\) - 1\}"
            r"\{(\d+)\} \\right\\rfloor \+ 1 = (\d+)",
            latex,
        )
        assert [r[0] for r in rows] == ["H'", "W'"], latex
        for (_, size, p, delta, kk, s, out), real in zip(rows, (h, w), strict=True):
            size, p, delta, kk, s, out = map(int, (size, p, delta, kk, s, out))
            assert (size, delta, kk, s) == (real, dilation, k, stride)
            assert p == (dilation * (k - 1) // 2 if padding == "same" else 0)
            assert out == (size + 2 * p - delta * (kk - 1) - 1) // s + 1
            assert (
                out
                == F.conv2d(
                    torch.zeros(1, 1, real, 1),
                    torch.zeros(1, 1, k, 1),
                    stride=(stride, 1),
                    padding=(p, 0),
                    dilation=(dilation, 1),
                ).shape[2]
            )
            if padding == "same":
                assert out == -(-real // stride)  # ⌈H/s⌉


# ---- the general index formulas, followed literally -------------------------------------------------


def padded(f: np.ndarray, p: int) -> np.ndarray:
    """F̃: F (H, W, M) with p zeros on every side, indices from 0."""
    return np.pad(f, ((p, p), (p, p), (0, 0)))


def test_the_formulas_use_the_general_window() -> None:
    window = r"\tilde{F}_{s k + \delta i,\; s l + \delta j,\; m}"
    assert window in equations.STANDARD and window in equations.DEPTHWISE
    assert r"K_{i,j,m,n}" in equations.STANDARD
    assert r"\hat{G}_{k,l,m d + r}" in equations.DEPTHWISE and r"\hat{K}_{i,j,m d + r}" in equations.DEPTHWISE
    assert equations.POINTWISE == r"G_{k,l,n} = \sum_{c=0}^{M d - 1} P_{n,c} \cdot \hat{G}_{k,l,c}"


@settings(max_examples=20, deadline=None)
@given(
    m=st.integers(1, 3),
    n=st.integers(1, 4),
    k=st.sampled_from([1, 3, 5]),
    s=st.integers(1, 3),
    delta=st.integers(1, 3),
    d=st.integers(1, 3),
    padding=st.sampled_from(["same", "valid"]),
    seed=st.integers(0, 2**16),
)
def test_index_formulas_equal_torch(m, n, k, s, delta, d, padding, seed) -> None:
    rng = np.random.default_rng(seed)
    h, w = delta * (k - 1) + 1 + rng.integers(0, 6), delta * (k - 1) + 1 + rng.integers(0, 6)
    f = rng.normal(size=(h, w, m))  # F_{row, column, channel}
    kernel = rng.normal(size=(k, k, m, n))  # K_{i,j,m,n}
    k_hat = rng.normal(size=(k, k, m * d))  # K̂_{i,j,c}
    p_mat = rng.normal(size=(n, m * d))  # P_{n,c}: one row per output
    p = delta * (k - 1) // 2 if padding == "same" else 0
    f_t = padded(f, p)
    h_out = (h + 2 * p - delta * (k - 1) - 1) // s + 1
    w_out = (w + 2 * p - delta * (k - 1) - 1) // s + 1

    g = np.zeros((h_out, w_out, n))
    g_hat = np.zeros((h_out, w_out, m * d))
    for kk in range(h_out):
        for ll in range(w_out):
            for nn in range(n):
                g[kk, ll, nn] = sum(
                    kernel[i, j, mm, nn] * f_t[s * kk + delta * i, s * ll + delta * j, mm]
                    for i in range(k)
                    for j in range(k)
                    for mm in range(m)
                )
            for mm in range(m):
                for r in range(d):
                    g_hat[kk, ll, mm * d + r] = sum(
                        k_hat[i, j, mm * d + r] * f_t[s * kk + delta * i, s * ll + delta * j, mm]
                        for i in range(k)
                        for j in range(k)
                    )
    g_sep = np.zeros((h_out, w_out, n))
    for kk in range(h_out):
        for ll in range(w_out):
            for nn in range(n):
                g_sep[kk, ll, nn] = sum(p_mat[nn, c] * g_hat[kk, ll, c] for c in range(m * d))

    x = torch.from_numpy(f.transpose(2, 0, 1))[None]  # (1, M, H, W)
    geometry = {"stride": s, "padding": p, "dilation": delta}
    standard = F.conv2d(x, torch.from_numpy(kernel.transpose(3, 2, 0, 1)), **geometry)  # (N, M, K, K)
    maps = F.conv2d(x, torch.from_numpy(k_hat.transpose(2, 0, 1))[:, None], groups=m, **geometry)
    mixed = F.conv2d(maps, torch.from_numpy(p_mat)[:, :, None, None])
    np.testing.assert_allclose(g, standard[0].numpy().transpose(1, 2, 0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(g_hat, maps[0].numpy().transpose(1, 2, 0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(g_sep, mixed[0].numpy().transpose(1, 2, 0), rtol=1e-9, atol=1e-9)
