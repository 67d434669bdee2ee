"""The lesson's answers against independent computations: torch's FlopCounterMode (FLOPs = 2 × MACs),
torch modules' weight counts, a torch depthwise conv fed one channel, and the MobileNet paper's
Table 2; the feedback for right and wrong predictions; the worksheet's HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from dsviz import lesson
from dsviz.block import SETTINGS, block_from
from dsviz.registry import SettingError

CHROMIUM = "/usr/bin/chromium"
RGB = (("R", "G", "B"), (0, 1, 2))
GRAY = (("gray",), (None,))
# (channels, K, N, d, stride, dilation, H, W): the defaults, a strided/dilated one, gray, and d > 1
CASES = [
    (RGB, 3, 8, 1, 1, 1, 48, 64),
    (RGB, 5, 16, 1, 2, 2, 37, 50),
    (GRAY, 3, 4, 2, 1, 1, 30, 20),
    (RGB, 1, 32, 3, 2, 1, 33, 31),
]


def setup_for(channels, k: int, n: int, d: int, stride: int, dil: int, h: int, w: int) -> lesson.Setup:
    values = {"pg_k": k, "pg_n": n, "pg_d": d, "pg_stride": stride, "pg_dil": dil}
    block, _ = block_from(values, *channels)
    return lesson.Setup(block, h, w)


def macs(module: torch.nn.Module, x: torch.Tensor) -> int:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2


def layers(m: int, n: int, k: int, d: int, stride: int, dil: int) -> tuple[torch.nn.Module, ...]:
    """The standard conv, the depthwise and the pointwise stage as torch modules ('same' padding)."""
    pad = dil * (k - 1) // 2
    geo = {"stride": stride, "padding": pad, "dilation": dil, "bias": False}
    standard = torch.nn.Conv2d(m, n, k, **geo)
    depthwise = torch.nn.Conv2d(m, m * d, k, groups=m, **geo)
    pointwise = torch.nn.Conv2d(m * d, n, 1, bias=False)
    return standard, depthwise, pointwise


@pytest.mark.parametrize("case", CASES)
def test_counts_match_torch(case) -> None:
    channels, k, n, d, stride, dil, h, w = case
    s = setup_for(*case)
    m = len(channels[0])
    standard, depthwise, pointwise = layers(m, n, k, d, stride, dil)
    x = torch.zeros(1, m, h, w)
    y = depthwise(x)
    # 1: one output pixel of one channel = a 1-channel conv with a 1×1 output
    one = torch.nn.Conv2d(1, 1, k, bias=False)
    assert lesson.step1(s).answer == macs(one, torch.zeros(1, 1, k, k))
    # 2: the standard convolution
    assert lesson.step2(s).answer == macs(standard, x)
    # 4: the pointwise stage at 2N over at N
    twice = torch.nn.Conv2d(m * d, 2 * n, 1, bias=False)
    assert lesson.step4(s).answer == macs(twice, y) / macs(pointwise, y) == 2
    # 5: the standard convolution's weights
    assert lesson.step5(s).answer == standard.weight.numel()
    # 6: separable over standard, in %
    separable = macs(depthwise, x) + macs(pointwise, y)
    assert lesson.step6(s).answer == pytest.approx(100 * separable / macs(standard, x), rel=1e-12)
    # 7: MACs per byte moved (float32 input + weights + output), lowest named
    moved = {
        "the standard convolution": (standard, x),
        "the depthwise stage": (depthwise, x),
        "the pointwise stage": (pointwise, y),
    }
    per_byte = {
        name: macs(mod, inp) / (4 * (inp.numel() + mod.weight.numel() + mod(inp).numel()))
        for name, (mod, inp) in moved.items()
    }
    low = min(per_byte.values())
    q7 = lesson.step7(s)
    assert set(q7.accepted) == {name for name, v in per_byte.items() if v == pytest.approx(low)}


@pytest.mark.parametrize("case", CASES)
def test_step3_counts_the_maps_torch_sees(case) -> None:
    """Feed torch's depthwise conv an impulse in the asked-about channel: the maps that light up."""
    channels, k, _, d = case[:4]
    s = setup_for(*case)
    m = len(channels[0])
    c = channels[0].index("G") if "G" in channels[0] else 0
    x = torch.zeros(1, m, 9, 9)
    x[0, c, 4, 4] = 1.0
    weight = torch.rand(m * d, 1, k, k) + 0.1  # no zero weight to hide a link
    y = F.conv2d(x, weight, groups=m, padding=k // 2)
    lit = [j for j in range(m * d) if y[0, j].abs().sum() > 0]
    assert lesson.step3(s).answer == len(lit) == d


def test_step8_is_the_papers_table_2() -> None:
    """MobileNet v1 at α = 1, 224: the paper's Table 2 puts 94.86% of mult-adds in 1×1 convolutions."""
    q = lesson.step8(setup_for(*CASES[0]))
    assert q.accepted == ("90–100%",)
    assert float(lesson.one_by_one_share("1.0", 224)) == pytest.approx(0.9486, abs=5e-5)


def test_feedback_right_and_wrong() -> None:
    s = setup_for(*CASES[0])
    q2 = lesson.step2(s)
    right = lesson.check(q2, float(q2.answer) * 1.005)  # within 1 %: a rounded prediction counts
    assert right.right and right.text.startswith("**Right")
    wrong = lesson.check(q2, float(q2.answer) / 3)
    assert not wrong.right and "Not quite" in wrong.text and "K²·M·N·H_out·W_out" in wrong.text
    assert not lesson.check(q2, None).right
    q7 = lesson.step7(s)
    assert lesson.check(q7, q7.answer).right
    other = next(o for o in q7.options if o not in q7.accepted)
    assert "MACs per byte" in lesson.check(q7, other).text
    q4 = lesson.step4(s)
    assert not lesson.check(q4, 4).right  # "K² times" is the common slip: it is exactly 2
    assert lesson.check(q4, 2).right


class Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections = 0
        self.boxes = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        names = dict(attrs).get("class", "")
        self.sections += tag == "section" and names == "question"
        self.boxes += tag == "div" and names == "answer"


def test_worksheet_holds_eight_questions() -> None:
    s = setup_for(*CASES[0])
    questions = [lesson.question(i, s) for i in range(1, lesson.STEPS + 1)]
    page = lesson.worksheet_html(questions, [f"title {i}" for i in range(8)], "settings <here>")
    parser = Sections()
    parser.feed(page)
    assert parser.sections == parser.boxes == 8
    assert "@page" in page and "A4" in page and "settings &lt;here&gt;" in page


def test_step_setting_reads_the_link() -> None:
    assert SETTINGS["step"].parse("3") == 3
    with pytest.raises(SettingError):
        SETTINGS["step"].parse("9")
    assert SETTINGS["ls_notes"].default is False


def test_common_slips_are_named() -> None:
    """A wrong answer that is a known slip gets a sentence on what it missed (only when it is wrong)."""
    s = setup_for(*CASES[0])  # K = 3, M = 3, N = 8, d = 1
    q1, q2, q4, q5 = lesson.step1(s), lesson.step2(s), lesson.step4(s), lesson.step5(s)
    assert "one row of the kernel" in lesson.check(q1, 3).text
    assert "FLOPs" in lesson.check(q1, 18).text and "FLOPs" in lesson.check(q2, 2 * q2.answer).text
    assert "one output pixel" in lesson.check(q2, 3 * 3 * 3 * 8).text
    assert "only N does" in lesson.check(q4, 4).text
    assert "what the block stores" in lesson.check(q5, 3 * 9 + 8 * 3).text
    one = setup_for(GRAY, 1, 4, 1, 1, 1, 10, 10)  # K = 1: "one row" would be the right answer
    assert lesson.step1(one).slips == ((2, lesson.FLOPS),)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")
def test_worksheet_prints_on_two_a4_pages(tmp_path: Path) -> None:
    """Chromium's own print to PDF, for the longest prompts (big numbers, d > 1): at most 2 pages."""
    from live_server import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    copies = tuple(f"{c} (blur)" for c in "RGB")
    s = setup_for((("R", "G", "B", *copies), (0, 1, 2) * 2), 7, 64, 4, 1, 1, 1024, 1024)
    questions = [lesson.question(i, s) for i in range(1, lesson.STEPS + 1)]
    titles = ["A standard convolution mixes every channel"] * lesson.STEPS
    sheet = lesson.worksheet_html(questions, titles, "For: " + "a long description of the settings; " * 4)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content(sheet)
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        browser.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2


def test_a_tie_accepts_every_tied_option() -> None:
    """K = 1, M = N = 1, d = 1: the three layers are the same 1×1 convolution, with the same MACs per byte."""
    q = lesson.step7(setup_for(GRAY, 1, 1, 1, 1, 1, 10, 10))
    assert set(q.accepted) == set(lesson.LAYERS)
    assert all(lesson.check(q, option).right for option in lesson.LAYERS)
    assert q.shown_answer == " or ".join(lesson.LAYERS)
