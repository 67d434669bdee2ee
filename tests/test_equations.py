"""dsviz.equations: the LaTeX shown next to the cost card, with its numbers read back out of the LaTeX and
compared with K²·M·d·H'·W', M·d·N·H'·W' and K²·M·N·H'·W' computed here from first principles
(design.md: "same" padding gives H' = ⌈H / stride⌉ for any dilation)."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

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


@pytest.mark.parametrize(("m", "n", "k", "h", "w", "d", "stride", "dilation"), CASES)
def test_filled_ratio(m: int, n: int, k: int, h: int, w: int, d: int, stride: int, dilation: int) -> None:
    sep = cost.separable_cost(m, n, k, h, w, multiplier=d, stride=stride, dilation=dilation)
    latex = equations.filled_ratio(sep)
    dw, pw, std = expected(m, n, k, h, w, d, stride)
    exact = Fraction(dw + pw, std)
    seed = Fraction(1, n) + Fraction(1, k * k)

    match = re.fullmatch(
        r"\\frac\{C_\{\\mathrm\{separable\}\}\}\{C_\{\\mathrm\{standard\}\}\} = (.+?) \\approx ([\d.]+)"
        r"\\quad (=|\\neq)\\quad \\frac\{1\}\{(\d+)\} \+ \\frac\{1\}\{(\d+)\^2\} = (.+?) \\approx ([\d.]+)",
        latex,
    )
    assert match, latex
    shown_exact, approx_exact, relation, n_shown, k_shown, shown_seed, approx_seed = match.groups()
    assert read_fraction(shown_exact) == exact
    assert float(approx_exact) == pytest.approx(float(exact), abs=5e-5)
    assert (int(n_shown), int(k_shown)) == (n, k)
    assert read_fraction(shown_seed) == seed
    assert float(approx_seed) == pytest.approx(float(seed), abs=5e-5)
    assert relation == ("=" if exact == seed else r"\neq")
    # the seed's closed form is exact precisely for d = 1 (and a full standard conv)
    assert (exact == seed) == (d == 1)


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
    "COST_STANDARD": equations.COST_STANDARD,
    "COST_SEPARABLE": equations.COST_SEPARABLE,
    "RATIO": equations.RATIO,
}


@pytest.mark.parametrize("name", SYMBOLIC)
def test_symbolic_equations_have_no_seed_typos(name: str) -> None:
    latex = SYMBOLIC[name]
    assert not re.search(r"\\cdot\s*\\cdot", latex), latex  # the seed's "M · · D_F"
    assert "D_k" not in latex  # the seed's lowercase D_k
    assert latex.count("{") == latex.count("}")


def test_filled_equations_have_no_seed_typos() -> None:
    for args in [(3, 8, 3, 256, 256), (3, 8, 5, 171, 256)]:
        sep = cost.separable_cost(*args, multiplier=2)
        for latex in (equations.filled_costs(sep), equations.filled_ratio(sep)):
            assert not re.search(r"\\cdot\s*\\cdot", latex)
            assert "D_k" not in latex
            assert latex.count("{") == latex.count("}")


def test_symbolic_cost_formulas_have_the_right_factors() -> None:
    def factors(term: str) -> list[str]:
        return [f.strip() for f in term.split(r"\cdot")]

    std = equations.COST_STANDARD.split("=")[1]
    assert sorted(factors(std)) == sorted(["D_K", "D_K", "M", "N", "D_G", "D_G"])
    dw, pw = re.findall(r"\\underbrace\{([^{}]*)\}", equations.COST_SEPARABLE)
    assert sorted(factors(dw)) == sorted(["D_K", "D_K", "M", "D_G", "D_G"])
    assert sorted(factors(pw)) == sorted(["M", "N", "D_G", "D_G"])
    assert equations.RATIO.replace(" ", "").endswith(r"=\frac{1}{N}+\frac{1}{D_K^2}")
