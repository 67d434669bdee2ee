"""The real app in a real browser: `streamlit run` on a local port, driven by Playwright and Chromium.

What only a browser shows: the images actually load, an upload goes through the real uploader, a
slider moved with the keyboard reruns the page and rewrites the link, and nothing errors in the
console. One server and one Chromium serve the whole module; each test gets a fresh tab (a fresh
Streamlit session). Screenshots go to artifacts/ (gitignored); docs/playground.png, the README's
picture, is written when missing or when DSVIZ_UPDATE_DOCS=1.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, ROOT, live_server
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts"
DOCS_SHOT = ROOT / "docs" / "playground.png"
WIDTH = 1400
TIMEOUT = 30_000  # ms: the first run of a fresh server imports torch and computes every tile

IMAGES = '[data-testid="stImage"] img'
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
LAST_ELEMENT = "The seed's cost formulas"  # the expander at the end of views/playground.py

# True once the last rerun is drawn: no "Running…" widget, no element left over from the previous run
# (Streamlit marks those data-stale until the run ends), no placeholder skeleton (Streamlit shows one
# where an image will be until its file has loaded), and every image decoded.
SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stImage"] img')]
        .every(img => img.complete && img.naturalWidth > 0)"""

# The src of every image between the heading containing `start` and the next one containing `end`
# (section headings are siblings of the images, so document order is the only reliable scope).
SECTION_SRCS_JS = """([start, end]) => {
    const heads = [...document.querySelectorAll('[data-testid="stHeading"]')];
    const first = heads.find(h => h.innerText.includes(start));
    const last = end ? heads.find(h => h.innerText.includes(end)) : null;
    if (!first) return null;
    return [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(img => first.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING)
        .filter(img => !last || last.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_PRECEDING)
        .map(img => img.src);
}"""


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests, but {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Tab:
    """A fresh browser tab on the app, with the page errors and console errors it collected."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url
        self.errors: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, query: str = "") -> None:
        """Load the app (``query`` like ``"?pg_n=4"``) and wait until its first run is drawn."""
        self.page.goto(self.base_url + "/" + query)
        expect(self.page.get_by_role("heading", name=re.compile("Playground"))).to_be_visible(timeout=TIMEOUT)
        # The page's last element: once it is drawn the first run is over (a fresh load has no stale
        # elements to wait for, and the images alone may be counted before the last ones arrive).
        expect(self.page.get_by_text(LAST_ELEMENT)).to_be_visible(timeout=TIMEOUT)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(SETTLED_JS, timeout=TIMEOUT)

    def srcs(self) -> list[str]:
        return self.page.eval_on_selector_all(IMAGES, "imgs => imgs.map(img => img.src)")

    def section(self, start: str, end: str | None = None) -> list[str]:
        srcs = self.page.evaluate(SECTION_SRCS_JS, [start, end])
        assert srcs is not None, f"no section heading containing {start!r}"
        return srcs

    def wait_until_changed(self, js_value: str, before: object) -> None:
        """Poll until the expression ``js_value`` differs from ``before``, then wait for the run to end.

        The change proves the rerun has started drawing; from then on, elements it has not redrawn yet
        are marked stale, so ``settle`` cannot pass early.
        """
        self.page.wait_for_function(
            f"before => JSON.stringify({js_value}) !== JSON.stringify(before)", arg=before, timeout=TIMEOUT
        )
        self.settle()

    def wait_until_section_changed(self, start: str, end: str, before: list[str]) -> None:
        self.wait_until_changed(f"({SECTION_SRCS_JS})({json.dumps([start, end])})", before)

    def upload(self, name: str, data: bytes, mime: str) -> None:
        self.page.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": mime, "buffer": data})

    def slider(self, key: str) -> str:
        """The value a slider shows (select-sliders keep an index in `value`, the label in valuetext)."""
        return self.page.locator(f".st-key-{key} input[type=range]").get_attribute("aria-valuetext") or ""

    def assert_healthy(self) -> None:
        """No exception box, no safety-net message, no browser errors, and the images decoded."""
        page = self.page
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(page.get_by_text("Something went wrong")).to_have_count(0)
        natural = page.eval_on_selector_all(IMAGES, "imgs => imgs.map(img => img.naturalWidth)")
        assert len(natural) >= 10, f"only {len(natural)} images on the page"
        assert all(w > 0 for w in natural), f"images that did not decode: {natural}"
        assert self.errors == []

    def screenshot(self, name: str) -> Path:
        """The whole page: Streamlit scrolls inside stMain, so grow the viewport to its content first."""
        page = self.page
        height = 0
        for _ in range(5):  # growing the window can re-flow the page; stop once the height holds
            scroll = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            if scroll == height:
                break
            height = scroll
            page.set_viewport_size({"width": WIDTH, "height": height})
            self.settle()
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=path, full_page=True)
        page.set_viewport_size({"width": WIDTH, "height": 900})
        return path


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    yield Tab(context.new_page(), server)
    context.close()


# --- test images ------------------------------------------------------------------------------------


def photo_jpeg(width: int = 640, height: int = 480) -> bytes:
    """A photo-like JPEG: a colour gradient with a few shapes, so every filter has edges to find."""
    x = np.linspace(0, 255, width)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height)[:, None].repeat(width, 1)
    picture = Image.fromarray(np.stack([x, y, 255 - x], axis=-1).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((60, 60, 260, 260), fill=(250, 250, 250), outline=(0, 0, 0), width=6)
    draw.rectangle((340, 200, 580, 420), fill=(20, 20, 120))
    draw.line((0, height - 1, width - 1, 0), fill=(0, 0, 0), width=9)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


# --- tests ------------------------------------------------------------------------------------------


def test_default_page_loads_with_images_and_no_errors(tab: Tab) -> None:
    tab.open()
    tab.assert_healthy()
    assert len(tab.srcs()) >= 10
    expect(tab.page.get_by_text("for this layer")).to_be_visible()  # the cost headline on top
    tab.screenshot("default.png")
    if os.environ.get("DSVIZ_UPDATE_DOCS") == "1" or not DOCS_SHOT.exists():
        save_docs_screenshot(tab.page)


def save_docs_screenshot(page: Page) -> None:
    """The README's picture: the top 1800 px at 1400 wide, as a small optimised PNG."""
    page.set_viewport_size({"width": WIDTH, "height": 1800})
    page.wait_for_function(SETTLED_JS, timeout=TIMEOUT)
    raw = Image.open(io.BytesIO(page.screenshot()))
    DOCS_SHOT.parent.mkdir(exist_ok=True)
    # 256 colours are plenty for a UI with a few photos, and keep the file a fraction of full RGB.
    raw.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(DOCS_SHOT, optimize=True)
    assert DOCS_SHOT.stat().st_size < 600_000, f"{DOCS_SHOT} is {DOCS_SHOT.stat().st_size} bytes"


def test_upload_photo_replaces_the_input(tab: Tab) -> None:
    tab.open()
    before = tab.srcs()
    tab.upload("holiday.jpg", photo_jpeg(), "image/jpeg")
    tab.wait_until_changed("document.querySelector('[data-testid=\"stImage\"] img').src", before[0])
    after = tab.srcs()
    assert after[0] != before[0], "the input photo did not change"
    head = tab.page.locator(IMAGES).first
    width, height = head.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    # the photo tile is the picture at working resolution 256 plus a 20 px title band: 256 × (192 + 20)
    assert (width, height) == (256, 212), f"input photo tile is {width}×{height}"
    expect(tab.page.get_by_text("Showing your upload")).to_be_visible()
    tab.assert_healthy()
    tab.screenshot("after_upload.png")


def test_corrupt_uploads_show_an_error_and_keep_the_page(tab: Tab) -> None:
    tab.open()
    builtin = tab.srcs()[0]
    alert = tab.page.locator('[data-testid="stAlertContentError"]')

    tab.upload("bad.png", b"not an image at all", "image/png")
    expect(alert).to_contain_text("not an image", timeout=TIMEOUT)
    tab.settle()
    assert tab.srcs()[0] == builtin, "a refused upload must leave the built-in photo in place"
    expect(tab.page.get_by_text("Showing the built-in image instead")).to_be_visible()

    tab.upload("good.jpg", photo_jpeg(), "image/jpeg")
    tab.wait_until_changed("document.querySelector('[data-testid=\"stImage\"] img').src", builtin)
    expect(alert).to_have_count(0)
    good = tab.srcs()[0]

    jpeg = photo_jpeg()
    tab.upload("cut.jpg", jpeg[: len(jpeg) // 2], "image/jpeg")
    expect(alert).to_contain_text("damaged or incomplete", timeout=TIMEOUT)
    tab.settle()
    assert tab.srcs()[0] == good, "a refused upload must keep the previous good upload"
    expect(tab.page.get_by_text("Showing your previous upload")).to_be_visible()
    expect(tab.page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(tab.page.get_by_text("Something went wrong")).to_have_count(0)
    assert len(tab.srcs()) >= 10
    assert tab.errors == []


def test_kernel_size_slider_redraws_the_maps_and_the_link(tab: Tab) -> None:
    tab.open()
    inputs = set(tab.section("1 ·", "2 ·"))
    section = tab.section("2 ·", "3 ·")
    before = [s for s in section if s not in inputs]  # kernels and depthwise maps
    assert tab.slider("pg_k") == "3"
    thumb = tab.page.locator(".st-key-pg_k input[type=range]")
    thumb.focus()
    thumb.press("ArrowRight")
    tab.wait_until_section_changed("2 ·", "3 ·", section)
    after = [s for s in tab.section("2 ·", "3 ·") if s not in inputs]
    assert tab.slider("pg_k") == "5"
    assert re.search(r"[?&]pg_k=5(&|$)", tab.page.url), f"the link did not follow: {tab.page.url}"
    assert len(after) == len(before) == 6, (before, after)  # 3 channels × (kernel, map)
    assert not set(before) & set(after), "some kernel or depthwise images did not change"
    tab.assert_healthy()


def test_link_opens_the_same_view(tab: Tab) -> None:
    tab.open("?pg_k=7&pg_n=4&img=rings")
    assert tab.slider("pg_k") == "7"
    assert tab.slider("pg_n") == "4"
    assert len(tab.section("3 ·", "4 ·")) == 4, "section 3 should show one tile per output channel"
    expect(tab.page.get_by_text("for this layer")).to_be_visible()
    expect(tab.page.get_by_text("7×7 convolution from 3 to 4 channels")).to_be_visible()
    tab.assert_healthy()


def test_link_picks_a_builtin_image_by_its_name(tab: Tab) -> None:
    """Sample names are the URL values, not the labels shown: ``?img=rings`` opens Rings.

    (A selectbox with a ``format_func`` bound to the URL reads and writes its *label* unless
    ui/state.py maps names itself; this once dropped ``?img=rings`` without a notice.)
    """
    tab.open()
    default_photo = tab.srcs()[0]
    tab.open("?img=rings")
    chosen = tab.page.get_by_role("combobox", name="Built-in image")
    expect(chosen, f"?img=rings was ignored (URL now {tab.page.url})").to_have_value(re.compile("^Rings"))
    assert tab.srcs()[0] != default_photo, "the input photo is still the default one"
    assert "img=rings" in tab.page.url, "the link must keep the name, not the label"
    tab.assert_healthy()


@pytest.mark.parametrize(
    ("query", "key", "shown"),
    [("?res=100", "res", "256"), ("?pg_k=4", "pg_k", "3")],
    ids=["sidebar-setting", "page-setting"],
)
def test_invalid_link_setting_is_reported(tab: Tab, query: str, key: str, shown: str) -> None:
    """The first view of a bad link says what was ignored, for a sidebar and for a page widget.

    (The page's notices are recorded while the page runs, after the sidebar: app.py must draw the
    warning after page.run(), or they appear only on the next rerun.)
    """
    tab.open(query)
    assert tab.slider(key) == shown
    warning = tab.page.locator('[data-testid="stAlertContentWarning"]')
    expect(warning, f"no warning on first load of {query}").to_contain_text(f"{query[1:]} (used {shown})")
    tab.assert_healthy()


def test_many_output_channels(tab: Tab) -> None:
    tab.open("?pg_n=64")
    assert len(tab.section("3 ·", "4 ·")) == 64
    tab.assert_healthy()
    tab.screenshot("n64.png")
