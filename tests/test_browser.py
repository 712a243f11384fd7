"""End to end: the real app served by streamlit, driven page by page in headless Chromium.

Runs on tiny checkpoints (``tiny_checkpoints`` in conftest.py). With ``LYRICIST_SCREENSHOTS=docs/screenshots``
it uses the default models instead (``$LYRICIST_SCREENSHOT_MODELS`` or ./checkpoints) and
saves the README's screenshots there; otherwise the screenshots go to tmp_path.
Needs Debian's chromium (/usr/bin/chromium) and the playwright package (scripts/install.sh --dev).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import app_load  # noqa: E402  (one way to serve the app on loopback, shared with the load bench)

CHROMIUM = app_load.CHROMIUM
VIEWPORT = {"width": 1280, "height": 900}
MAX_PNG = 300 * 1024
WAIT_MS = 120_000  # the first draft loads MiniLM and the generator


@pytest.fixture(scope="module")
def sync_playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: run scripts/install.sh --dev (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright as sp
    except ImportError:
        pytest.skip("the playwright package is missing: run scripts/install.sh --dev (pip install playwright)")
    return sp


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = os.environ.get("LYRICIST_SCREENSHOTS")
    folder = (REPO / out if not Path(out).is_absolute() else Path(out)) if out else \
        tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def models(request) -> Path:
    if os.environ.get("LYRICIST_SCREENSHOTS"):
        from lyricist.app.defaults import missing

        root = Path(os.environ.get("LYRICIST_SCREENSHOT_MODELS") or REPO / "checkpoints").resolve()
        gone = missing(root)
        if gone:
            pytest.fail(f"README screenshots need the default models; missing in {root}: {', '.join(gone)} "
                        "(run `lyricist train all`)")
        return root
    return request.getfixturevalue("tiny_checkpoints")


@pytest.fixture(scope="module")
def server(models, tmp_path_factory):
    """The app served as ``lyricist demo`` does, on a free localhost port; always stopped at the end."""
    with app_load.serve(models, tmp_path_factory.mktemp("server") / "streamlit.log",
                        env={"OMP_NUM_THREADS": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser(sync_playwright):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _settle(page) -> None:
    """Wait until streamlit has finished the current run (no 'Running...' status widget)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
    page.wait_for_timeout(500)


def _shot(page, shots: Path, name: str) -> Path:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size < MAX_PNG, f"{path} is {path.stat().st_size:,} bytes"
    return path


def _no_errors(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def test_draft_page(page, server, shots):
    page.goto(f"{server}/")  # Draft is the default page
    page.get_by_label("Theme", exact=True).fill("rain on the window at night")
    page.get_by_role("button", name="Draft", exact=True).click()
    page.get_by_role("button", name="Export .txt").wait_for(timeout=WAIT_MS)
    _settle(page)
    if os.environ.get("LYRICIST_SCREENSHOTS"):  # the README shows a warm draft's time, as users see it
        caption = page.get_by_text("keywords:").inner_text()
        page.get_by_label("Seed", exact=True).first.fill("1")
        page.get_by_role("button", name="Draft", exact=True).click()
        page.wait_for_function(
            """old => { const c = [...document.querySelectorAll('p')].find(p => p.innerText.includes('keywords:'));
                        return c && c.innerText !== old && !document.querySelector("[data-testid='stProgress']"); }""",
            arg=caption, timeout=WAIT_MS)
        _settle(page)
    _no_errors(page)
    assert page.locator("[data-testid='stCheckbox']").count() == 8  # one lock per line
    _shot(page, shots, "draft")


def test_tone_page(page, server, shots):
    page.goto(f"{server}/tone")
    page.get_by_role("button", name="Try an example song").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    _settle(page)
    _no_errors(page)
    assert page.get_by_text("Emotional arc").count() >= 1
    assert page.locator("[data-testid='stMetric']").count() == 4
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()  # the arc, with the mood card above it
    _shot(page, shots, "tone")


def test_explore_page(page, server, shots):
    page.goto(f"{server}/explore")
    box = page.get_by_label("Word", exact=True)
    box.fill("rain")
    box.press("Enter")
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    _settle(page)
    _no_errors(page)
    assert page.get_by_text("around 'rain'").count() >= 1  # the map's title names the query
    _shot(page, shots, "explore")


def test_models_page(page, server, shots):
    page.goto(f"{server}/models")
    page.get_by_text("Train or retrain").wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)  # the grid loads lazily
    _settle(page)
    _no_errors(page)
    assert page.locator("[data-testid='stDataFrame']").count() == 1
    _shot(page, shots, "models")


def test_tone_comments_upload(page, server, tmp_path):
    csv = tmp_path / "comments.csv"
    csv.write_text("comment,label\nI love this chorus so much,positive\nthis is awful noise,negative\n"
                   "played it at the wedding,neutral\n", encoding="utf-8")
    page.goto(f"{server}/tone")
    page.get_by_role("tab", name="Comments").click()
    page.get_by_text("Comments file").wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stFileUploader'] input[type=file]").last.set_input_files(str(csv))
    page.get_by_role("button", name="Download predictions CSV").wait_for(timeout=WAIT_MS)
    _settle(page)
    _no_errors(page)
    assert page.get_by_text("3 comments, mean valence").count() == 1
