"""The lesson's eight questions: each correct answer computed from dsviz for the current settings,
the feedback that says why, and the printable worksheet.

Pure: no streamlit. A question's prompt carries the numbers it is about, so a page can tell that a
checked answer belongs to other settings (the prompt changed) and ask again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from dsviz import cost, ops
from dsviz.block import Block
from dsviz.mobilenet import mobilenet_v1
from dsviz.words import count, plural

STEPS = 8
# Step 8's answer is a range: the share of MobileNet's MACs in its 1×1 convolutions.
SHARES = ((0, 25), (25, 50), (50, 75), (75, 90), (90, 100))
FLOPS = "That counts FLOPs (a multiply and an add each); a MAC counts the pair once."
LAYERS = ("the standard convolution", "the depthwise stage", "the pointwise stage")


@dataclass(frozen=True)
class Setup:
    """Everything an answer depends on: the block on this picture, and the MobileNet of step 8."""

    block: Block
    height: int
    width: int
    alpha: str = "1.0"
    resolution: int = 224

    def cost(self) -> cost.SeparableCost:
        return self.block.cost(self.height, self.width, bias=False)


@dataclass(frozen=True)
class Question:
    """One prediction. ``options`` empty: a number is typed, right within ``tolerance`` (relative)."""

    step: int
    prompt: str
    answer: float | str
    why: str  # the reasoning, filled in with this setting's numbers: shown whatever the guess
    options: tuple[str, ...] = ()
    accepted: tuple[str, ...] = ()  # every right option (ties); defaults to (answer,)
    tolerance: float = 0.0
    slips: tuple[tuple[float | str, str], ...] = ()  # common wrong answers, and what each one missed

    @property
    def shown_answer(self) -> str:
        if isinstance(self.answer, str):
            return " or ".join(self.accepted or (self.answer,))  # a tie: every right option
        return f"{self.answer:,.4g}" if self.answer != int(self.answer) else f"{int(self.answer):,}"


@dataclass(frozen=True)
class Feedback:
    right: bool
    text: str


def check(q: Question, guess: float | str | None) -> Feedback:
    """Right or not, and why (the reasoning is given either way: a lucky guess learns it too)."""
    if guess is None:
        return Feedback(False, f"No prediction made. The answer is **{q.shown_answer}**. {q.why}")
    if q.options:
        right = guess in (q.accepted or (q.answer,))
    else:
        answer = float(q.answer)  # type: ignore[arg-type]
        right = abs(float(guess) - answer) <= q.tolerance * abs(answer)
    if right:
        return Feedback(True, f"**Right: {q.shown_answer}.** {q.why}")
    said = guess if isinstance(guess, str) else f"{float(guess):,.6g}"
    hint = next((f"{text} " for slip, text in q.slips if _same(q, guess, slip)), "")
    return Feedback(
        False, f"**Not quite:** you said {said}; the answer is **{q.shown_answer}**. {hint}{q.why}"
    )


def _same(q: Question, guess: float | str, slip: float | str) -> bool:
    if isinstance(slip, str) or isinstance(guess, str):
        return guess == slip
    return abs(float(guess) - float(slip)) <= max(q.tolerance * abs(float(slip)), 1e-9)


def slips(answer: float, *known: tuple[float | str, str]) -> tuple[tuple[float | str, str], ...]:
    """The known slips that are wrong at these settings (at K = 1, say, "K" is also "K²")."""
    return tuple((value, text) for value, text in known if value != answer)


def _size(setup: Setup) -> tuple[int, int]:
    std = setup.cost().standard
    return std.out_height, std.out_width


def step1(setup: Setup) -> Question:
    k = setup.block.depthwise.kernel_size
    return Question(
        1,
        f"A {k}×{k} kernel slides over one channel. How many multiply-adds make ONE output pixel?",
        k * k,
        f"The kernel has {k}×{k} = {count(k * k, 'weight')}; each multiplies the input value under it, "
        f"and the products are added: one multiply-add per weight. Stride and dilation move the window, "
        "not the count.",
        slips=slips(
            k * k,
            (k, "That is one row of the kernel: the window is K×K."),
            (2 * k * k, FLOPS),
        ),
    )


def step2(setup: Setup) -> Question:
    b, std = setup.block, setup.cost().standard
    k, m, n, (ho, wo) = b.depthwise.kernel_size, b.m, b.n, _size(setup)
    where = "the one input channel" if m == 1 else f"every one of the {m} input channels"
    return Question(
        2,
        f"How many multiply-adds (MACs) does a standard {k}×{k} convolution from M = {m} to N = {n} "
        f"channels need on this {setup.width}×{setup.height} px input (output {wo}×{ho})?",
        std.mult_adds,
        f"Each of the N·H_out·W_out = {n}·{ho}·{wo} output values reads a {k}×{k} window in {where}: "
        f"K²·M = {count(k * k * m, 'product')}. So K²·M·N·H_out·W_out = {k}²·{m}·{n}·{ho}·"
        f"{wo} = {std.mult_adds:,}.",
        tolerance=0.01,
        slips=slips(
            std.mult_adds,
            (k * k * m * n, "That is the cost of one output pixel; there are H_out·W_out of them."),
            (k * k * n * ho * wo, "That leaves out M: every output reads all M input channels."),
            (k * k * m * ho * wo, "That is one output channel; there are N of them."),
            (
                2 * std.mult_adds,
                FLOPS,
            ),
        ),
    )


def seen_by(block: Block, channel: int) -> list[int]:
    """The depthwise maps that read input ``channel``: the nonzero slices of the depthwise stage
    written as a standard kernel (all-ones kernels, identity mix, so no weight of 0 hides a link)."""
    size, maps = block.depthwise.kernel_size, block.maps
    ones = np.ones((maps, size, size), dtype=np.float32)
    kernel = ops.compose(ones, np.eye(maps, dtype=np.float32), block.d)  # (M·d, M, K, K)
    return [j for j in range(maps) if np.any(kernel[j, channel])]


def watched(block: Block) -> int:
    """The channel step 3 asks about: green when there is one (the question as the issue put it)."""
    return block.channels.index("G") if "G" in block.channels else 0


def step3(setup: Setup) -> Question:
    b = setup.block
    c = watched(b)
    name, maps = b.channels[c], seen_by(b, c)
    labels = [b.map_labels()[j] for j in maps]
    rest = (
        f"The other {count(b.maps - len(maps), 'map')} never see {name}: no map mixes two channels."
        if b.maps > len(maps)
        else f"With one input channel every map is made from {name}, and there is nothing to mix yet."
    )
    return Question(
        3,
        f"After the depthwise stage (M = {b.m}, d = {b.d}: {count(b.maps, 'map')}), how many maps can see "
        f"channel {name}?",
        len(maps),
        f"Depthwise map j filters input channel j // d only; with d = {b.d} that is "
        f"{count(len(maps), 'map')} from {name}: {', '.join(labels)}. {rest}",
        slips=slips(len(maps), (b.maps, "Every map seeing every channel is a standard convolution.")),
    )


def step4(setup: Setup) -> Question:
    b, sep = setup.block, setup.cost()
    ho, wo = _size(setup)
    now = sep.pointwise.mult_adds
    doubled = cost.pointwise_cost(b.maps, 2 * b.n, ho, wo).mult_adds
    return Question(
        4,
        f"N doubles from {b.n} to {2 * b.n}: how many times as many MACs does the pointwise stage need?",
        float(Fraction(doubled, now)),
        f"Pointwise MACs = M·d·N·H_out·W_out: each output pixel of each of the N outputs sums M·d = "
        f"{count(b.maps, 'product')}. That is proportional to N: {now:,} → {doubled:,}. The depthwise "
        f"stage does not change at all ({sep.depthwise.mult_adds:,} MACs).",
        slips=slips(2, (4, "Four times would need both M·d and N to double; only N does.")),
    )


def step5(setup: Setup) -> Question:
    b = setup.block
    k, m, n, d = b.depthwise.kernel_size, b.m, b.n, b.d
    weights = b.composed().size
    stored = b.maps * k * k + n * b.maps  # depthwise (M·d, 1, K, K) + pointwise (N, M·d)
    mix = (
        "P[n, m]·K̂[m]: channel m's one kernel, scaled"
        if d == 1
        else f"Σ_r P[n, m·d + r]·K̂[m·d + r]: a mix of channel m's {d} kernels"
    )
    than = "the same as" if stored == weights else ("fewer than" if stored < weights else "more than")
    return Question(
        5,
        f"Depthwise then pointwise equals ONE standard convolution M = {m} → N = {n}. How many weights "
        "does its kernel have?",
        weights,
        f"Its kernel has shape (N, M, K, K) = ({n}, {m}, {k}, {k}): {weights:,} "
        f"{plural(weights, 'weight')}. Slice [n, m] is {mix}. The block stores "
        f"{stored:,} weights, {than} the kernel it equals: only kernels of this special form are "
        "separable blocks.",
        slips=slips(weights, (stored, "That is what the block stores, not the standard kernel it equals.")),
    )


def step6(setup: Setup) -> Question:
    b, sep = setup.block, setup.cost()
    k, n, d = b.depthwise.kernel_size, b.n, b.d
    ratio = sep.ratio
    usual = "the formula as usually written, 1/N + 1/K²" if d == 1 else f"d·(1/N + 1/K²), d = {d}"
    return Question(
        6,
        f"What percentage of the standard convolution's MACs does the separable block need here "
        f"(K = {k}, N = {n}, d = {d})?",
        float(ratio) * 100,
        f"Separable ÷ standard = {sep.mult_adds:,} ÷ {sep.standard.mult_adds:,} = exactly {usual} = "
        f"{float(sep.closed_form_ratio):.4%}, because both layers share one output grid. Only with d = 1 "
        "is it the usual 1/N + 1/K²; with d kernels per channel both stages grow d-fold.",
        tolerance=0.02,
        slips=slips(
            float(ratio) * 100,
            (
                float(1 / ratio),
                "That is how many times fewer MACs; the question asks for the percentage left.",
            ),
        ),
    )


def step7(setup: Setup) -> Question:
    sep = setup.cost()
    layers = (sep.standard, sep.depthwise, sep.pointwise)
    intensity = [layer.arithmetic_intensity for layer in layers]
    low = min(intensity)
    accepted = tuple(name for name, i in zip(LAYERS, intensity, strict=True) if i == low)
    shown = "; ".join(f"{name} {float(i):.2f}" for name, i in zip(LAYERS, intensity, strict=True))
    return Question(
        7,
        "Which layer does the FEWEST multiply-adds per byte of memory it reads and writes?",
        accepted[0],
        f"MACs per byte moved (input + weights + output, float32): {shown}. A layer can run no faster "
        "than (MACs per byte) × (memory bandwidth), nor than the arithmetic peak (the roofline): below "
        "the machine's balance point, fewer MACs per byte means a lower ceiling. So cutting MACs does not "
        "cut time in proportion; a measurement also shows per-call costs and how well each layer is "
        "computed.",
        options=LAYERS,
        accepted=accepted,
    )


def share_label(low: int, high: int) -> str:
    return f"{low}–{high}%"


def one_by_one_share(alpha: str, resolution: int) -> Fraction:
    """The share of MobileNet v1's mult-adds in its 1×1 (pointwise) convolutions."""
    net = mobilenet_v1(Fraction(alpha), resolution)
    return next(s.mult_adds_share for s in net.breakdown() if s.type == "conv1x1")


def step8(setup: Setup) -> Question:
    share = one_by_one_share(setup.alpha, setup.resolution)
    options = tuple(share_label(lo, hi) for lo, hi in SHARES)
    # a share exactly on a boundary belongs to both ranges
    accepted = tuple(share_label(lo, hi) for lo, hi in SHARES if lo <= share * 100 <= hi)
    return Question(
        8,
        f"MobileNet v1 (α = {setup.alpha}, ρ = {setup.resolution}): what share of all its multiply-adds "
        "is in the 1×1 (pointwise) convolutions?",
        accepted[0],
        f"{float(share):.2%}. After the depthwise trick the K×K filtering is cheap; the channel mixing, "
        "M·N per pixel, is what is left. α scales both M and N, so it multiplies the 1×1 cost by about α²; "
        "ρ scales every layer by about (ρ/224)², leaving the shares nearly as they were.",
        options=options,
        accepted=accepted,
    )


QUESTIONS = (step1, step2, step3, step4, step5, step6, step7, step8)


def question(step: int, setup: Setup) -> Question:
    return QUESTIONS[step - 1](setup)


PRINT_CSS = """
@page { size: A4; margin: 14mm; }
body { font: 11pt/1.35 system-ui, sans-serif; color: #000; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
p.setting { font-size: 9pt; color: #333; margin: 0 0 4mm; }
section { break-inside: avoid; margin: 0 0 3mm; }
h2 { font-size: 11pt; margin: 0 0 1mm; }
.answer { border: 1px solid #888; height: 18mm; border-radius: 2mm; }
ul { margin: 1mm 0; padding-left: 6mm; }
"""


def worksheet_html(questions: list[Question], titles: list[str], setting: str) -> str:
    """The eight questions, each with a box to write in: one HTML page that prints on ≤ 2 A4 pages."""
    parts = []
    for q, title in zip(questions, titles, strict=True):
        choices = "".join(f"<li>{html.escape(o)}</li>" for o in q.options)
        parts.append(
            f'<section class="question"><h2>{q.step}. {html.escape(title)}</h2>'
            f"<p>{html.escape(q.prompt)}</p>"
            + (f"<ul>{choices}</ul>" if choices else "")
            + '<p>My prediction:</p><div class="answer"></div></section>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>dsviz lesson worksheet</title><style>{PRINT_CSS}</style></head><body>"
        "<h1>Depthwise separable convolution: predict, then check</h1>"
        f'<p class="setting">{html.escape(setting)}</p>' + "".join(parts) + "</body></html>"
    )
