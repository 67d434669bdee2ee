"""The real app in a real browser: `streamlit run` on a local port, driven by Playwright and Chromium.

What only a browser shows: the images actually load, an upload goes through the real uploader, a
slider moved with the keyboard reruns the page and rewrites the link, a typed grid cell goes through
the real data editor, expanders stay open, pages switch through the sidebar, and nothing errors in
the console. One server and one Chromium serve the whole module; each test gets a fresh tab (a fresh
Streamlit session). The pages are read from app.py's ``st.navigation``, so a page added there is
covered by the deep-link and page-switch tests. Expected tile sizes come from dsviz.render.
Screenshots go to artifacts/ (gitignored); docs/playground.png, the README's picture, is written when
missing or when DSVIZ_UPDATE_DOCS=1.
"""

from __future__ import annotations

import ast
import io
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, ROOT, live_server
from PIL import Image, ImageDraw
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.source_util import page_icon_and_name

from dsviz import images, render
from dsviz.block import SETTINGS, custom_key, identity_numbers, kernel_key
from ui.style import per_row_for

pytestmark = pytest.mark.browser

APP = ROOT / "app.py"
ARTIFACTS = ROOT / "artifacts"
DOCS_SHOT = ROOT / "docs" / "playground.png"
WIDTH = 1400
SHOT_SIZE = (1440, 6000)  # px: the tall window the view screenshots start from
TIMEOUT = 60_000  # ms: the first run of a fresh server imports torch and computes every tile (2 busy cores)

IMAGES = '[data-testid="stImage"] img'
# The Playground at its defaults (3 channels, d = 1, N = 8) draws the photo and one image per row of
# tiles: the channels (1 row), a row per channel (3) and the outputs (2 rows of 4).
DEFAULT_IMAGES = 7
FEWEST_IMAGES = 4  # any Playground view: the photo, its channels' row, a channel row, an output row
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
ERROR = '[data-testid="stAlertContentError"]'
WARNING = '[data-testid="stAlertContentWarning"]'
MAIN = '[data-testid="stMain"]'
PROBE_404 = "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
LAST_ELEMENT = (
    "This block in PyTorch, with this page's weights"  # views/playground.py's last item: a page link
)
FORMULAS = "pg_formulas"  # key of the expander "The cost formulas, as usually written and corrected"

# Counts the script runs the page has seen, from stApp's data-test-script-state ("initial", "running",
# "notRunning", …). Installed before the app's own scripts, so no run is missed; each attribute record
# carries the old value, and the new one is the next record's old value (or the attribute now), so runs
# that start and end between two observer callbacks are still counted.
RUN_COUNTER_JS = """(() => {
    window.__dsvizRuns = 0;
    const ATTR = 'data-test-script-state';
    new MutationObserver(records => {
        records = records.filter(r => r.attributeName === ATTR);
        records.forEach((r, i) => {
            const next = i + 1 < records.length && records[i + 1].target === r.target
                ? records[i + 1].oldValue : r.target.getAttribute(ATTR);
            if (next === 'running' && r.oldValue !== 'running') window.__dsvizRuns += 1;
        });
    }).observe(document, {attributes: true, subtree: true, attributeOldValue: true, attributeFilter: [ATTR]});
})();"""

# What the page is waiting for, by name; the page is settled when every entry is 0 or false: the script is
# running, a "Running…" widget, elements left over from the previous run (Streamlit marks those
# data-stale until the run ends), placeholder skeletons (Streamlit shows one where an image or a chart
# will be until it has loaded), and images not decoded yet. A timeout reports it.
PENDING_JS = """() => ({
    running: document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState !== 'notRunning',
    statusWidget: !!document.querySelector('[data-testid="stStatusWidget"]'),
    stale: document.querySelectorAll('[data-stale="true"]').length,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    undecoded: [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(img => !(img.complete && img.naturalWidth > 0)).length,
})"""
SETTLED_JS = f"() => Object.values(({PENDING_JS})()).every(value => !value)"

# The src (or the alt text) of every image between the heading containing `start` and the next one
# containing `end` (section headings are siblings of the images, so document order is the only reliable
# scope).
SECTION_SRCS_JS = """([start, end, attr]) => {
    const heads = [...document.querySelectorAll('[data-testid="stHeading"]')];
    const first = heads.find(h => h.innerText.includes(start));
    const last = end ? heads.find(h => h.innerText.includes(end)) : null;
    if (!first) return null;
    return [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(img => first.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING)
        .filter(img => !last || last.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_PRECEDING)
        .map(img => attr === 'alt' ? img.alt : img.src);
}"""

# [src, naturalWidth, naturalHeight, rendered width] of every image, in document order.
IMAGE_SIZES_JS = (
    "imgs => imgs.map(i => [i.src, i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])"
)


# --- the pages app.py registers -------------------------------------------------------------------


@dataclass(frozen=True)
class AppPage:
    """One ``st.Page`` of app.py: its script, its title, its URL path ("" for the default page)."""

    script: str
    title: str
    url_path: str
    default: bool

    @property
    def source(self) -> str:
        return (ROOT / self.script).read_text(encoding="utf-8")

    @property
    def heading(self) -> str | None:
        """The text of the script's ``st.title("…")``, when it is a plain string."""
        for node in ast.walk(ast.parse(self.source)):
            if _is_call(node, "title") and node.args and isinstance(node.args[0], ast.Constant):
                return str(node.args[0].value)
        return None

    @property
    def shows_block(self) -> bool:
        """The page builds the block from the settings (and so puts it into its link)."""
        return "current_block(" in self.source


def _is_call(node: ast.AST, name: str) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == name) or (
        isinstance(func, ast.Name) and func.id == name
    )


def app_pages() -> list[AppPage]:
    """Every ``st.Page(...)`` call in app.py, in order, with the URL path Streamlit serves it at: ""
    for the default page (``default=True``, else the first), else the ``url_path`` argument or the
    script's name as ``st.Page`` infers it (``views/pixel.py`` → ``pixel``)."""
    calls = []
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if _is_call(node, "Page") and node.args and isinstance(node.args[0], ast.Constant):
            kwargs = {k.arg: k.value for k in node.keywords}
            options = {key: value.value for key, value in kwargs.items() if isinstance(value, ast.Constant)}
            calls.append(((node.lineno, node.col_offset), str(node.args[0].value), options))
    assert calls, f"no st.Page(...) with a script path found in {APP}"
    calls.sort(key=lambda call: call[0])
    default = next((i for i, (_, _, options) in enumerate(calls) if options.get("default")), 0)
    pages = []
    for i, (_, script, options) in enumerate(calls):
        _, inferred = page_icon_and_name(Path(script))
        url_path = "" if i == default else str(options.get("url_path") or inferred).strip("/")
        title = str(options.get("title") or inferred.replace("_", " "))
        pages.append(AppPage(script, title, url_path, i == default))
    return pages


PAGES = app_pages()
DEFAULT_PAGE = next(page for page in PAGES if page.default)


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


def link(url: str) -> dict[str, str]:
    """The query of ``url`` as {key: value} (the link's settings)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two bounding boxes (x, y, width, height) share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


class Tab:
    """A fresh browser tab on the app, with the page errors and console errors it collected."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url
        self.errors: list[str] = []
        self.probes = 0  # Streamlit's own look-ups of /<page>/_stcore/… (404) when opened on a page's URL
        self.ended: list[int] = []  # the status of each script_finished message, in order
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                self.ended.append(msg.script_finished)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status == 404 and re.fullmatch(r"/[^/]+/_stcore/[\w-]+", urlsplit(response.url).path):
            self.probes += 1

    def browser_errors(self) -> list[str]:
        """The errors collected, less the console's note of each 404 from Streamlit's own probes: a
        page's URL makes the frontend try ``/<page>/_stcore/health`` before the server root."""
        errors, probes = [], self.probes
        for error in self.errors:
            if probes and error == PROBE_404:
                probes -= 1
            else:
                errors.append(error)
        return errors

    def open(self, query: str = "") -> None:
        """Load the Playground (``query`` like ``"?pg_n=4"``) and wait until its first run is drawn."""
        self.open_page(DEFAULT_PAGE, query)
        expect(self.page.get_by_role("heading", name=re.compile("Playground"))).to_be_visible(timeout=TIMEOUT)
        # The page's last element: once it is drawn the first run is over.
        expect(self.page.get_by_role("link", name=LAST_ELEMENT)).to_be_visible(timeout=TIMEOUT)
        self.settle()

    def open_page(self, page: AppPage, query: str = "") -> None:
        """Load ``page`` (``query`` like ``"?pg_n=4"``) in this tab and wait until its first run is drawn."""
        self.page.goto(f"{self.base_url}/{page.url_path}{query}")
        self.wait_for_run(0)

    def runs(self) -> int:
        return self.page.evaluate("window.__dsvizRuns")

    def wait_for_run(self, before: int) -> None:
        """Wait until a run after the first ``before`` has started and the page has settled. A run
        that ended early for another (a control's callback hands over to the page parts it names,
        ui.parts) is not the end: the page settles after the run that follows it."""
        self._wait(f"before => window.__dsvizRuns > before && ({SETTLED_JS})()", before)
        deadline = time.monotonic() + TIMEOUT / 1000
        while self.ended and self.ended[-1] == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            assert time.monotonic() < deadline, "no run followed the one that ended early"
            self.page.wait_for_timeout(10)
        self.settle()

    def settle(self) -> None:
        self._wait(SETTLED_JS)

    def _wait(self, js: str, arg: object = None) -> None:
        try:
            self.page.wait_for_function(js, arg=arg, timeout=TIMEOUT)
        except PlaywrightTimeoutError as err:
            state = self.page.evaluate(f"[window.__dsvizRuns, ({PENDING_JS})()]")
            raise AssertionError(f"the page did not settle: runs, pending = {state}") from err

    def rerun(self, action: Callable[[], object]) -> None:
        """Do ``action`` (a click, a key press) and wait for the run it starts to be drawn."""
        before = self.runs()
        action()
        self.wait_for_run(before)

    def srcs(self) -> list[str]:
        return self.page.eval_on_selector_all(IMAGES, "imgs => imgs.map(img => img.src)")

    def section(self, start: str, end: str | None = None) -> list[str]:
        srcs = self.page.evaluate(SECTION_SRCS_JS, [start, end, "src"])
        assert srcs is not None, f"no section heading containing {start!r}"
        return srcs

    def alts(self, start: str, end: str | None = None) -> list[str]:
        """The alt text of every image of a section: what each row of tiles shows."""
        alts = self.page.evaluate(SECTION_SRCS_JS, [start, end, "alt"])
        assert alts is not None, f"no section heading containing {start!r}"
        return alts

    def image(self, src: str) -> Image.Image:
        """The image the page shows at ``src``, as the server sent it."""
        return Image.open(io.BytesIO(self.page.request.get(src).body())).convert("RGB")

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
        self.wait_until_changed(f"({SECTION_SRCS_JS})({json.dumps([start, end, 'src'])})", before)

    def upload(self, name: str, data: bytes, mime: str) -> None:
        self.page.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": mime, "buffer": data})

    def widget(self, key: str) -> Locator:
        return self.page.locator(f".st-key-{key}")

    def button(self, key: str) -> Locator:
        """The button with this key (Streamlit also keeps a hidden, zero-width copy of it)."""
        return self.widget(key).locator("button:visible")

    def slider(self, key: str) -> str:
        """The value a slider shows (select-sliders keep an index in `value`, the label in valuetext)."""
        return self.widget(key).locator("input[type=range]").get_attribute("aria-valuetext") or ""

    def press(self, key: str, keys: str) -> None:
        """Press ``keys`` on the slider of setting ``key`` and wait for the rerun."""
        thumb = self.widget(key).locator("input[type=range]")
        thumb.focus()
        self.rerun(lambda: thumb.press(keys))

    def nav_link(self, page: AppPage) -> Locator:
        """The sidebar navigation's link to ``page``."""
        return self.page.locator(f'[data-testid="stSidebarNav"] a[href="{self.base_url}/{page.url_path}"]')

    def selected(self, key: str) -> str:
        """The label a selectbox shows."""
        return self.widget(key).get_by_role("combobox").input_value()

    def select(self, key: str, label: str) -> None:
        """Pick ``label`` in the selectbox of setting ``key`` and wait for the rerun.

        The list closes when its page scrolls, and a click on a box below the fold scrolls it there
        first: so scroll, then click, and click again if the list did not stay open.
        """
        box = self.widget(key).get_by_role("combobox")
        box.scroll_into_view_if_needed()
        for _ in range(3):
            box.click()
            try:
                expect(box).to_have_attribute("aria-expanded", "true", timeout=3_000)
                break
            except AssertionError:
                continue
        self.rerun(lambda: self.page.get_by_role("option", name=label, exact=True).click())

    def main_height(self) -> int:
        return self.page.evaluate(f"document.querySelector('{MAIN}').scrollHeight")

    def assert_healthy(self, min_images: int = FEWEST_IMAGES) -> None:
        """No exception box, no safety-net message, no browser errors, and the images decoded."""
        page = self.page
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(page.get_by_text("Something went wrong")).to_have_count(0)
        natural = page.eval_on_selector_all(IMAGES, "imgs => imgs.map(img => img.naturalWidth)")
        assert len(natural) >= min_images, f"only {len(natural)} images on the page"
        assert all(w > 0 for w in natural), f"images that did not decode: {natural}"
        assert self.browser_errors() == []

    def screenshot(self, name: str, size: tuple[int, int] = (WIDTH, 900)) -> Path:
        """The whole page, from a ``size`` window: Streamlit scrolls inside stMain, so the window is
        grown to its content first."""
        page = self.page
        width, height = size
        page.set_viewport_size({"width": width, "height": height})
        self.settle()
        for _ in range(5):  # growing the window can re-flow the page; stop once the height holds
            scroll = self.main_height()
            if scroll <= height:
                break
            height = scroll
            page.set_viewport_size({"width": width, "height": height})
            self.settle()
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=path, full_page=True)
        page.set_viewport_size({"width": WIDTH, "height": 900})
        return path


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser profile for the module: its HTTP cache keeps Streamlit's scripts (plotly alone is
    megabytes) from being fetched again for every tab."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    context.add_init_script(RUN_COUNTER_JS)
    yield context
    context.close()


@pytest.fixture
def tab(context: BrowserContext, server: str) -> Iterator[Tab]:
    """A new tab: a new websocket, so a fresh Streamlit session with a fresh session state."""
    page = context.new_page()
    yield Tab(page, server)
    page.close()


# --- test images and expected sizes -----------------------------------------------------------------


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


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def sample_size() -> tuple[int, int]:
    """(H, W) of the default built-in image at the default working resolution."""
    return images.load_sample(images.DEFAULT_SAMPLE, max_side=SETTINGS["res"].default).shape[1:]


def tile_size(height: int, width: int, stride: int = 1) -> tuple[int, int]:
    """(width, height) of a map tile for a ``height × width`` input at ``stride``, as dsviz.render draws
    it: the input's zoom and canvas, whatever the map's own size."""
    zoom = render.zoom_for(height, width)
    canvas = render.canvas_for(height, width, zoom)
    values = np.zeros((math.ceil(height / stride), math.ceil(width / stride)), np.float32)
    return render.tile(values, "map", render.Scale.unit(), zoom=zoom, canvas=canvas).size


def photo_tile_size(height: int, width: int) -> tuple[int, int]:
    """(width, height) of the input photo's tile, as dsviz.render draws it."""
    zoom = render.zoom_for(height, width)
    return render.photo(np.zeros((3, height, width), np.float32), "photo", zoom=zoom).size


# --- tests ------------------------------------------------------------------------------------------


def test_default_page_loads_with_images_and_no_errors(tab: Tab) -> None:
    tab.open()
    tab.assert_healthy()
    assert len(tab.srcs()) == DEFAULT_IMAGES
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
    jpeg = photo_jpeg()
    tab.upload("holiday.jpg", jpeg, "image/jpeg")
    tab.wait_until_changed("document.querySelector('[data-testid=\"stImage\"] img').src", before[0])
    after = tab.srcs()
    assert after[0] != before[0], "the input photo did not change"
    head = tab.page.locator(IMAGES).first
    size = tuple(head.evaluate("img => [img.naturalWidth, img.naturalHeight]"))
    height, width = images.load_image(jpeg, max_side=SETTINGS["res"].default).shape[1:]
    assert size == photo_tile_size(height, width), f"input photo tile of a {width}×{height} photo is {size}"
    expect(tab.page.get_by_text("Showing your upload")).to_be_visible()
    tab.assert_healthy()
    tab.screenshot("after_upload.png")


def test_corrupt_uploads_show_an_error_and_keep_the_page(tab: Tab) -> None:
    tab.open()
    builtin = tab.srcs()[0]
    alert = tab.page.locator(ERROR)

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
    assert len(tab.srcs()) >= DEFAULT_IMAGES
    assert tab.browser_errors() == []


def test_tiny_and_thin_uploads_show_a_message_and_keep_a_sane_page(tab: Tab) -> None:
    """A 1×1 and a 3×200 PNG are refused with a message naming their W×H; the built-in image stays,
    and the page keeps its normal height (a thin image once stretched it to tens of thousands of px)."""
    tab.open()
    builtin = tab.srcs()
    alert = tab.page.locator(ERROR)
    for width, height in [(1, 1), (3, 200)]:
        name = f"tiny-{width}x{height}.png"
        tab.rerun(
            lambda name=name, width=width, height=height: tab.upload(name, png(width, height), "image/png")
        )
        expect(alert).to_contain_text(name)
        expect(alert).to_contain_text(f"{width}×{height} px")
        assert tab.srcs() == builtin, f"{name}: the page's images changed"
        tab.assert_healthy()
        assert tab.main_height() < 20_000, f"{name}: the page is {tab.main_height()} px tall"


def test_kernel_size_slider_redraws_the_maps_and_the_link(tab: Tab) -> None:
    tab.open()
    before = tab.section("2 ·", "3 ·")  # one image per channel: the channel, its kernel, its map
    assert tab.slider("pg_k") == "3"
    thumb = tab.widget("pg_k").locator("input[type=range]")
    thumb.focus()
    thumb.press("ArrowRight")
    tab.wait_until_section_changed("2 ·", "3 ·", before)
    after = tab.section("2 ·", "3 ·")
    assert tab.slider("pg_k") == "5"
    assert link(tab.page.url).get("pg_k") == "5", f"the link did not follow: {tab.page.url}"
    assert len(after) == len(before) == 3, (before, after)  # 3 channel rows
    assert not set(before) & set(after), "some channel rows (kernels and depthwise maps) did not change"
    assert all(alt.startswith(("channel R:", "channel G:", "channel B:")) for alt in tab.alts("2 ·", "3 ·"))
    tab.assert_healthy()


CONTROLS = {"slider", "select_slider", "selectbox", "toggle", "checkbox", "number_input"}


def test_a_stage_reruns_alone_and_keeps_the_link(tab: Tab) -> None:
    """N and K rerun only the page parts they change (ui.parts): Streamlit reports a fragment run,
    no control and no input is re-sent, N sends no depthwise row, and the URL and the sidebar's copy
    box follow anyway. The sidebar reruns the whole app."""
    finished: list[str] = []  # the status of every script_finished message, in order
    sent: list[tuple[str, str]] = []  # (kind, alt text of an image) of every element sent

    def frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                finished.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
            elif msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                kind = element.WhichOneof("type")
                alts = [img.alt for img in element.imgs.imgs] if kind == "imgs" else [""]
                sent.extend((kind, alt) for alt in alts)

    tab.page.on("websocket", lambda ws: ws.on("framereceived", frame))
    tab.open()
    inputs = tab.section("1 ·", "2 ·")
    box = tab.page.locator('[data-testid="stSidebar"] #dsviz-link')

    def moved(key: str, keys: str) -> str:
        before = len(finished)
        sent.clear()
        tab.press(key, keys)  # waits for the run to be drawn: its script_finished came before
        assert len(finished) > before, "no script_finished after the move"
        return finished[-1]

    for key, query in (("pg_n", {"pg_n": "9"}), ("pg_k", {"pg_n": "9", "pg_k": "5"})):
        assert moved(key, "ArrowRight") == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
        assert not CONTROLS & {kind for kind, _ in sent}, f"{key} sent the controls again: {sent}"
        rows = [alt for kind, alt in sent if alt.startswith("channel ")]
        assert len(rows) == (3 if key == "pg_k" else 0), f"{key} sent the depthwise rows {rows}"
        assert [alt for kind, alt in sent if alt.startswith("outputs")], f"{key} sent no output row"
        assert link(tab.page.url) == query, tab.page.url
        expect(box).to_have_text(re.compile(re.escape(urlsplit(tab.page.url).query) + "$"))
        assert tab.section("1 ·", "2 ·") == inputs, "the input stage was redrawn"
    # back to the value the page last drew the slider with (K = 3), and on again: both are taken
    assert moved("pg_k", "ArrowLeft") == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert link(tab.page.url) == {"pg_n": "9"}, tab.page.url
    assert moved("pg_k", "ArrowRight") == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert link(tab.page.url) == {"pg_n": "9", "pg_k": "5"}, tab.page.url
    assert tab.alts("3 ·", "4 ·") == ["outputs 0–3", "outputs 4–7", "outputs 8"], "one row per 4 outputs"
    tab.assert_healthy()

    assert moved("copies", "ArrowRight") == "FINISHED_SUCCESSFULLY"  # a sidebar control: the whole app
    assert link(tab.page.url) == {"pg_n": "9", "pg_k": "5", "copies": "1"}, tab.page.url
    # after the app's run the part still reruns alone (a nested part once lost its place here)
    for key in ("pg_n", "pg_k", "pg_n"):
        assert moved(key, "ArrowLeft") == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert link(tab.page.url) == {"pg_n": "7", "copies": "1"}, tab.page.url  # K = 3 is the default
    expect(box).to_have_text(re.compile(re.escape(urlsplit(tab.page.url).query) + "$"))
    # its button copies the link as it stands, from the keyboard too
    tab.page.locator("#dsviz-copy").focus()
    tab.page.keyboard.press("Enter")
    expect(tab.page.locator("#dsviz-copied")).to_have_text("Copied")
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied == box.text_content() and link(copied) == link(tab.page.url), copied
    assert urlsplit(copied).netloc == urlsplit(tab.page.url).netloc, copied
    tab.assert_healthy()


def test_a_slow_stage_says_what_it_is_doing(tab: Tab) -> None:
    """A view that takes seconds (1024 px, 7 filtered copies, K = 11, d = 4, N = 64; new to this server)
    shows a spinner naming the stage at work (Streamlit sends one once a stage has run 0.5 s), and
    every spinner is gone when the page is drawn. Read from the websocket: a spinner may be on screen
    for less time than a check for it takes."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from ui.stages import WORKING

    spinners: list[str] = []  # each transient message's spinner text, "" for a clear

    def frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_transient":
                spinners.append(" ".join(e.spinner.text for e in msg.delta.new_transient.elements))

    tab.page.on("websocket", lambda ws: ws.on("framereceived", frame))
    tab.page.goto(f"{tab.base_url}/?img=chelsea&res=1024&copies=7&pg_k=11&pg_n=64&pg_d=4")
    expect(tab.page.get_by_role("link", name=LAST_ELEMENT)).to_be_visible(timeout=TIMEOUT)
    tab.settle()
    shown = [text for text in spinners if text]
    assert shown and set(shown) <= set(WORKING.values()), spinners
    assert spinners[-1] == "", "a spinner was left on the page"
    expect(tab.page.get_by_test_id("stSpinner")).to_have_count(0)
    tab.assert_healthy()


def test_link_opens_the_same_view(tab: Tab) -> None:
    tab.open("?pg_k=7&pg_n=4&img=rings")
    assert tab.slider("pg_k") == "7"
    assert tab.slider("pg_n") == "4"
    assert tab.alts("3 ·", "4 ·") == ["outputs 0–3"], "section 3 should show one row of the 4 outputs"
    expect(tab.page.get_by_text("for this layer")).to_be_visible()
    expect(tab.page.get_by_text("7×7 convolution from 3 channels to 4 channels")).to_be_visible()
    tab.assert_healthy()


def test_link_picks_a_builtin_image_by_its_name(tab: Tab) -> None:
    """Sample names are the URL values, not the labels shown: ``?img=rings`` opens Rings.

    (A selectbox with a ``format_func`` bound to the URL reads and writes its *label* unless
    ui/settings.py maps names itself; this once dropped ``?img=rings`` without a notice.)
    """
    tab.open()
    default_photo = tab.srcs()[0]
    tab.open("?img=rings")
    chosen = tab.page.get_by_role("combobox", name="Built-in image")
    expect(chosen, f"?img=rings was ignored (URL now {tab.page.url})").to_have_value(re.compile("^Rings"))
    assert tab.srcs()[0] != default_photo, "the input photo is still the default one"
    assert link(tab.page.url).get("img") == "rings", "the link must keep the name, not the label"
    tab.assert_healthy()


@pytest.mark.parametrize(
    ("key", "raw", "shown"),
    [("res", "100", "256"), ("pg_k", "4", "3")],
    ids=["sidebar-setting", "page-setting"],
)
def test_invalid_link_setting_is_reported(tab: Tab, key: str, raw: str, shown: str) -> None:
    """The first view of a bad link says what was ignored, for a sidebar and for a page widget.

    (The page's notices are recorded while the page runs, after the sidebar: app.py must draw the
    warning after page.run(), or they appear only on the next rerun.)
    """
    tab.open(f"?{key}={raw}")
    assert tab.slider(key) == shown
    _, notices = SETTINGS.parse({key: raw})
    expected = str(notices[0]).replace("`", "")  # like "pg_k=4 (not one of 1, 3, 5, 7, 9, 11; used 3)"
    assert expected.endswith(f"; used {shown})"), expected
    expect(tab.page.locator(WARNING), f"no warning on first load of ?{key}={raw}").to_contain_text(expected)
    tab.assert_healthy()


def test_many_output_channels(tab: Tab) -> None:
    tab.open("?pg_n=64")
    per_row = per_row_for(64, False)
    rows = [f"outputs {n}–{min(n + per_row, 64) - 1}" for n in range(0, 64, per_row)]
    assert tab.alts("3 ·", "4 ·") == rows  # ceil(64 / 6) = 11 rows of tiles, one image each
    sizes = {
        src: (w, h, round(shown))
        for src, w, h, shown in tab.page.eval_on_selector_all(IMAGES, IMAGE_SIZES_JS)
    }
    shown = {sizes[src] for src in tab.section("3 ·", "4 ·")}
    assert len(shown) == 1, f"output rows of different sizes (natural w, h, drawn w): {shown}"
    tab.assert_healthy()
    tab.screenshot("n64.png", SHOT_SIZE)


@pytest.mark.parametrize("page", PAGES, ids=[Path(page.script).stem for page in PAGES])
def test_deep_link_opens_its_page_with_its_settings(tab: Tab, page: AppPage) -> None:
    """``<base>/<page>?pg_k=5&pg_n=4`` in a fresh session opens that page with those settings: the
    widgets (where the page shows them) and the link keep them, and no notice says they were dropped.
    (Streamlit serves the default page at ``/`` only: ``/playground`` would be "not found".)"""
    tab.open_page(page, "?pg_k=5&pg_n=4")
    url = urlsplit(tab.page.url)
    assert url.path == f"/{page.url_path}", f"{page.script} ended at {tab.page.url}"
    # a page that draws the block keeps its settings in its link; another (MobileNet) leaves them out
    want = {"pg_k": "5", "pg_n": "4"} if page.shows_block else {}
    assert link(tab.page.url) == want, f"{page.script}: the link is now {tab.page.url}"
    if page.heading:
        expect(tab.page.get_by_role("heading", name=page.heading, exact=True)).to_be_visible()
    if len(PAGES) > 1:  # a single page has no navigation to mark it
        current = tab.page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_contain_text(page.title)
    shown = {key: value for key, value in {"pg_k": "5", "pg_n": "4"}.items() if tab.widget(key).count()}
    assert {key: tab.slider(key) for key in shown} == shown
    if page.default:
        assert shown, "the Playground shows the K and N sliders"
    expect(tab.page.locator(WARNING)).to_have_count(0)
    tab.assert_healthy(min_images=0)


def test_page_switch_round_trip_keeps_every_setting(tab: Tab) -> None:
    """Settings live in the session, not in one page's widgets: change K (keyboard), N, a kernel and
    the Playground's colour scale, go to another page through the sidebar and back; everything is as
    it was. Each page's link holds only what that page uses: the Playground's view setting pg_scale
    never appears in another page's link."""
    others = [page for page in PAGES if not page.default]
    if not others:
        pytest.skip(f"app.py registers a single page ({DEFAULT_PAGE.script}): no other page to switch to")
    other = others[0]
    tab.open()
    tab.press("pg_k", "ArrowRight")  # 3 → 5
    tab.press("pg_n", "ArrowLeft")  # 8 → 7
    picker, kernel = kernel_key(1, 0), SETTINGS[kernel_key(1, 0)].label_of("box")
    tab.select(picker, kernel)
    scale = SETTINGS["pg_scale"].label_of("shared")
    tab.select("pg_scale", scale)
    playground = link(tab.page.url)
    assert playground == {"pg_k": "5", "pg_n": "7", picker: "box", "pg_scale": "shared"}, playground

    # A page switch is waited for by its URL, not by the run counter: the counter missed the switch's
    # run twice in CI (its attribute observer saw no "running" transition), with the page drawn.
    tab.nav_link(other).click()
    tab.page.wait_for_url(lambda url: urlsplit(url).path == f"/{other.url_path}", timeout=TIMEOUT)
    if other.heading:  # the other page's first run may be slow on a busy machine
        heading = tab.page.get_by_role("heading", name=other.heading, exact=True)
        expect(heading).to_be_visible(timeout=TIMEOUT)
    tab.settle()
    there = link(tab.page.url)
    assert "pg_scale" not in there or "pg_scale" in other.source, f"{other.script}'s link: {tab.page.url}"
    assert all(playground.get(key) == value for key, value in there.items()), (playground, there)
    if other.shows_block:
        block = {key: value for key, value in playground.items() if SETTINGS[key].group == "block"}
        assert {key: there.get(key) for key in block} == block, f"{other.script}'s link: {tab.page.url}"
    expect(tab.page.locator('[data-testid="stException"]')).to_have_count(0)

    tab.nav_link(DEFAULT_PAGE).click()
    tab.page.wait_for_url(lambda url: urlsplit(url).path == "/", timeout=TIMEOUT)
    expect(tab.page.get_by_role("link", name=LAST_ELEMENT)).to_be_visible(timeout=TIMEOUT)
    tab.settle()
    assert link(tab.page.url) == playground, f"back on the Playground the link is {tab.page.url}"
    assert (tab.slider("pg_k"), tab.slider("pg_n")) == ("5", "7")
    assert tab.selected(picker) == kernel
    assert tab.selected("pg_scale") == scale
    tab.assert_healthy()


def test_expander_stays_open_after_timing_and_after_changing_d(tab: Tab) -> None:
    """Bug: open expanders collapsed after 'Time both on this server' and after changing d."""
    tab.open()
    details = tab.widget(FORMULAS).locator("details")
    expect(details).to_have_count(1)
    tab.widget(FORMULAS).locator("summary").click()
    expect(details).to_have_attribute("open", "")
    tab.settle()
    timed = tab.button("pg_time")
    timed.scroll_into_view_if_needed()
    tab.rerun(timed.click)
    expect(details, "the expander closed after timing").to_have_attribute("open", "")
    tab.press("pg_d", "ArrowRight")  # d: 1 → 2
    assert tab.slider("pg_d") == "2"
    expect(details, "the expander closed after changing d").to_have_attribute("open", "")
    tab.assert_healthy()


def test_typed_grid_values_are_never_changed_silently(tab: Tab) -> None:
    """Bug: "1,5" typed into a custom kernel became 15. Now the cell is refused with its row, column
    and grid, and the maps keep the last valid numbers; a valid "2" is used and goes into the link.
    The data editor's toolbar, shown on hover, must not cover the kernel picker above the grid."""
    tab.open()
    picker = kernel_key(0, 0)
    tab.select(picker, "Custom numbers")
    size = SETTINGS["pg_k"].default
    identity = identity_numbers(size)
    assert SETTINGS[custom_key(0, 0)].parse(link(tab.page.url)[custom_key(0, 0)]) == identity
    grid = tab.page.locator('[data-testid="stDataFrame"]').filter(has_text="0: col 1").first
    grid.scroll_into_view_if_needed()
    before = tab.srcs()

    def type_into_last_cell_of_row_1(text: str) -> None:
        box = grid.locator("canvas").first.bounding_box()
        assert box is not None
        row_height = box["height"] / (size + 1)  # a header row, then one row per kernel row
        tab.page.mouse.dblclick(box["x"] + box["width"] - 12, box["y"] + 1.5 * row_height)
        editor = tab.page.locator("textarea.gdg-input")
        expect(editor).to_be_visible()
        editor.press("Control+a")
        editor.type(text)
        tab.rerun(lambda: editor.press("Enter"))

    type_into_last_cell_of_row_1("1,5")
    error = tab.page.locator(ERROR)
    expect(error).to_have_count(1)
    for part in ("Kernel for R", "row 1", f"column {size}", "1,5"):
        expect(error).to_contain_text(part)
    assert tab.srcs() == before, "a refused cell must leave every map as it was"
    assert SETTINGS[custom_key(0, 0)].parse(link(tab.page.url)[custom_key(0, 0)]) == identity

    section = tab.section("2 ·", "3 ·")
    type_into_last_cell_of_row_1("2")
    tab.wait_until_section_changed("2 ·", "3 ·", section)
    expect(error).to_have_count(0)
    want = list(identity)
    want[size - 1] = 2.0
    assert SETTINGS[custom_key(0, 0)].parse(link(tab.page.url)[custom_key(0, 0)]) == tuple(want)
    after = tab.section("2 ·", "3 ·")
    assert after[0] != section[0], "R's kernel and map did not change"  # one image per channel row
    assert after[1:] == section[1:], "G's and B's rows must not change"

    grid.hover()
    toolbar = grid.locator('[data-testid="stElementToolbar"]')
    expect(toolbar).to_be_visible()
    expect(toolbar).to_have_css("opacity", "1")
    bar, box = (
        toolbar.bounding_box(),
        tab.widget(picker).locator('[data-testid="stSelectbox"]').bounding_box(),
    )
    assert bar is not None and box is not None
    assert not overlap(bar, box), f"the grid's toolbar {bar} covers the kernel picker {box}"
    area = grid.bounding_box()
    assert area is not None
    top = box["y"] - 10
    clip = {"x": box["x"] - 10, "y": top, "width": 720, "height": area["y"] + area["height"] + 10 - top}
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=ARTIFACTS / "grid_toolbar.png", clip=clip)
    tab.assert_healthy()


def test_stride_2_tiles_are_as_wide_as_the_input_tiles(tab: Tab) -> None:
    """Bug: at stride 2 the maps' titles and colour-bar text were drawn twice as large as their
    neighbours'. Every depthwise and output tile is drawn on the input's canvas (same natural size as
    the input channel tiles), so the browser scales all their text alike, and a map sits as wide as
    the channel beside it. Each row of tiles is one image: the stride-2 map is checked inside it, drawn
    half size and centred in a tile as wide as its channel's."""
    tab.open("?pg_stride=2")
    height, width = sample_size()
    expected = tile_size(height, width, stride=2)
    assert expected == tile_size(height, width), "dsviz.render: a stride-2 tile differs from a stride-1 one"
    kernel = render.kernel_tile(np.zeros((3, 3)), "k", render.Scale.signed(1.0)).size
    per_row = per_row_for(SETTINGS["pg_n"].default, False)
    sizes = {src: (w, h, shown) for src, w, h, shown in tab.page.eval_on_selector_all(IMAGES, IMAGE_SIZES_JS)}
    inputs = tab.section("1 ·", "2 ·")[1:]  # after the photo: one row of the channel tiles
    rows = tab.section("2 ·", "3 ·")  # per channel: the channel, its kernel, its map (d = 1)
    outputs = tab.section("3 ·", "4 ·")
    assert len(inputs) == 1 and len(rows) == 3
    assert len(outputs) == math.ceil(SETTINGS["pg_n"].default / per_row)
    gallery_row = (render.row_width([expected[0]] * per_row), expected[1])
    for src in inputs + outputs:
        assert sizes[src][:2] == gallery_row, f"a row is {sizes[src][:2]}, not {gallery_row}"
    channel_row = (render.row_width([expected[0], kernel[0], expected[0]]), max(expected[1], kernel[1]))
    for src in rows:
        assert sizes[src][:2] == channel_row, f"a channel row is {sizes[src][:2]}, not {channel_row}"
    shown = {round(sizes[src][2]) for src in outputs}
    assert max(shown) - min(shown) <= 1, f"output rows drawn at different widths: {shown}"
    # inside a channel row: the channel fills its canvas; its map, at stride 2, is half as large, centred
    canvas = render.canvas_for(height, width, render.zoom_for(height, width))
    offsets = render.row_offsets([expected[0], kernel[0], expected[0]])
    body = np.asarray(tab.image(rows[0]))[render.TITLE_HEIGHT : render.TITLE_HEIGHT + canvas[1]]
    channel = ink_box(body[:, : canvas[0]])
    drawn = ink_box(body[:, offsets[2] : offsets[2] + canvas[0]], ink=200)  # the grey frame, not JPEG ringing
    assert channel[2:] == (canvas[0], canvas[1]), f"the channel covers {channel}, not its canvas {canvas}"
    half = render.canvas_for(math.ceil(height / 2), math.ceil(width / 2), render.zoom_for(height, width))
    assert all(abs(got - want - 2) <= 2 for got, want in zip(drawn[2:], half, strict=True)), (drawn, half)
    assert (
        abs(drawn[0] + drawn[2] / 2 - canvas[0] / 2) <= 2
        and abs(drawn[1] + drawn[3] / 2 - canvas[1] / 2) <= 2
    )
    tab.assert_healthy()
    tab.screenshot("stride2.png", SHOT_SIZE)


def ink_box(picture: np.ndarray, ink: int = 235) -> tuple[int, int, int, int]:
    """(left, top, width, height) of what is drawn on a white canvas (JPEG: "white" is ≥ ``ink``)."""
    rows, cols = np.nonzero((picture < ink).any(axis=-1))
    return cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1


def test_reset_clears_every_setting_and_the_link(tab: Tab) -> None:
    tab.open("?pg_d=2&chan=gray")
    tab.press("pg_k", "ArrowRight")
    tab.select(kernel_key(0, 0), "Box blur")
    assert {"pg_d", "chan", "pg_k", kernel_key(0, 0)} <= set(link(tab.page.url)), tab.page.url
    reset = tab.button("reset_all")
    tab.rerun(reset.click)
    assert urlsplit(tab.page.url).query == "", f"the link still holds {tab.page.url}"
    # the frontend may draw a slider's new value a moment after the run ends (seen once in CI): wait for it
    for key, default in (("pg_k", "3"), ("pg_d", "1")):
        thumb = tab.widget(key).locator("input[type=range]")
        expect(thumb).to_have_attribute("aria-valuetext", default, timeout=10_000)
    tab.assert_healthy()


@pytest.mark.parametrize(
    ("query", "name"),
    [("?pg_k=7", "k7.png"), ("?pg_dil=2", "dil2.png"), ("?pg_d=2", "d2.png"), ("?chan=gray", "gray.png")],
)
def test_view_screenshots(tab: Tab, query: str, name: str) -> None:
    """Whole-page pictures of a few views to look at (artifacts/), each checked healthy."""
    tab.open(query)
    assert link(tab.page.url) == link(query)
    tab.assert_healthy(min_images=4)
    tab.screenshot(name, SHOT_SIZE)


def page_of(script: str) -> AppPage:
    return next(page for page in PAGES if page.script == script)


@pytest.mark.skipif("views/pixel.py" not in [p.script for p in PAGES], reason="no 'Inside one pixel' page")
def test_window_animation_plays_in_the_browser_without_a_rerun(tab: Tab) -> None:
    """▶ play steps the Plotly frames in the browser: the output the slider names changes several times
    while the app runs no script (window.__dsvizRuns counts every run the server draws)."""
    tab.open_page(page_of("views/pixel.py"))
    chart = tab.widget("px_window_fig")
    label = chart.locator(".slider-group > .slider-label")  # the current value, not the step labels
    expect(label).to_have_count(1, timeout=TIMEOUT)
    runs, seen = tab.runs(), {label.text_content()}
    chart.locator(".updatemenu-button").first.click()  # ▶ play
    deadline = time.monotonic() + 6
    while len(seen) < 4 and time.monotonic() < deadline:
        tab.page.wait_for_timeout(200)
        seen.add(label.text_content())
    assert len(seen) >= 4, f"the animation did not advance: {seen}"
    assert tab.runs() == runs, "playing the animation ran the script on the server"
    tab.assert_healthy(min_images=0)


SEE_IT_VIEWS = [
    ("views/pixel.py", "?pg_stride=2&pg_dil=2&pg_d=2&pg_pad=reflect", "pixel-s2-d2-reflect.png"),
    ("views/pixel.py", "?pg_k=7&chan=gray", "pixel-k7-gray.png"),
    ("views/groups.py", "?copies=3&pg_d=2&gr_g=4&pg_stride=2&pg_dil=2", "groups-m12-g4.png"),
    ("views/groups.py", "?pg_pad=reflect&pg_k=7&gr_g=3&pg_n=64", "groups-k7-n64-reflect.png"),
    ("views/groups.py", "?chan=gray", "groups-gray.png"),
]


@pytest.mark.parametrize(("script", "query", "name"), SEE_IT_VIEWS, ids=[v[2] for v in SEE_IT_VIEWS])
def test_see_it_pages_at_odd_settings(tab: Tab, script: str, query: str, name: str) -> None:
    """Stride 2, dilation 2, d = 2, reflect padding, K = 7, grayscale and N = 64 on the other "See it"
    pages: the page keeps the link, draws without errors, and a picture goes to artifacts/."""
    if script not in [p.script for p in PAGES]:
        pytest.skip(f"{script} is not in app.py")
    tab.open_page(page_of(script), query)
    assert link(tab.page.url) == link(query)
    expect(tab.page.locator(WARNING)).to_have_count(0)
    tab.assert_healthy(min_images=0)
    tab.screenshot(name, SHOT_SIZE)


def test_keyboard_alone_reaches_and_moves_the_kernel_slider(tab: Tab) -> None:
    """No mouse: Tab from the top of the page reaches the K slider (focus visible on it), → moves it,
    and the page redraws with K = 5 and says so in the link."""
    tab.open()
    tab.page.locator("body").focus()
    for _ in range(80):  # the sidebar's controls come first
        tab.page.keyboard.press("Tab")
        focused = tab.page.evaluate("document.activeElement.closest('[class*=st-key-]')?.className || ''")
        if "st-key-pg_k" in focused:
            break
    else:
        pytest.fail("80 presses of Tab never reached the kernel-size slider")
    assert tab.page.evaluate("document.activeElement.type") == "range"  # the slider's thumb itself
    tab.rerun(lambda: tab.page.keyboard.press("ArrowRight"))
    assert tab.slider("pg_k") == "5"
    assert link(tab.page.url).get("pg_k") == "5"
    tab.assert_healthy()


def test_keyboard_alone_opens_the_kernel_pickers_and_picks_one(tab: Tab) -> None:
    """24 channels × d = 2: the 48 pickers wait in an expander. From the "one kernel for all
    channels" toggle, Tab reaches it, Enter opens it (the pickers are drawn), Tab reaches channel
    R's first picker, and ↓ Enter picks the next kernel: the rows and the link follow."""
    tab.open("?copies=7&pg_d=2&res=64&pg_dw0=box")
    pickers = tab.page.locator(".st-key-pg_dw0, .st-key-pg_dw23_1")
    assert pickers.count() == 0
    tab.widget("pg_shared").locator("input").focus()
    tab.page.keyboard.press("Tab")
    assert "st-key-dsviz_kernel_pickers" in tab.page.evaluate(
        "document.activeElement.closest('[class*=st-key-]')?.className || ''"
    )
    tab.rerun(lambda: tab.page.keyboard.press("Enter"))
    assert pickers.count() == 2  # the first channel's and the last one's second
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.getAttribute('aria-label')") == "Kernel for R (#1 of 2)"
    assert tab.selected("pg_dw0") == "Box blur"
    tab.page.keyboard.press("ArrowDown")  # opens the list on the current kernel
    tab.page.keyboard.press("ArrowDown")
    tab.rerun(lambda: tab.page.keyboard.press("Enter"))
    chosen = tab.selected("pg_dw0")
    assert chosen != "Box blur"
    assert tab.alts("2 ·", "3 ·")[0].startswith(f"channel R: its kernels {chosen}, ")
    assert link(tab.page.url).get("pg_dw0") not in (None, "box")
    tab.assert_healthy()


def test_phone_width_has_no_sideways_scroll(tab: Tab) -> None:
    """390×844 (a phone): the page fits its width (no sideways scrolling), the maps still draw, and a
    picture goes to artifacts/ to look at."""
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.open()
    overflow = tab.page.evaluate(f"document.querySelector('{MAIN}').scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the phone"
    # the rows of tiles keep a readable width there: their own boxes scroll sideways (ui.style.ROWS_CSS)
    rows = tab.page.eval_on_selector_all(
        "[class*='st-key-dsviz_rows_'] img", "imgs => imgs.map(i => i.getBoundingClientRect().width)"
    )
    assert len(rows) >= 6 and min(rows) >= 560, rows
    tab.assert_healthy()
    tab.screenshot("phone-390.png", (390, 844))
