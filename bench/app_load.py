"""The app under load: N browser sessions score and draft at once against one server on loopback.

Serves the real app (``streamlit run``, loopback only) on a free port and opens N sessions in one
headless Chromium (Playwright's async API), all at once. Each session:

1. opens the Tone page, pastes its own song (``3 + i % 6`` lines, so each session's result differs),
   presses Score and waits for ``Lines (k)``;
2. goes to the Draft page through the sidebar (the same Streamlit session), types its own theme,
   presses Draft and waits for the draft titled with that theme.

Checked for every session: no exception or error box, its Tone result counts its own lines and its
draft carries its own theme (no session sees another's state). Checked for the server: each model
was loaded once (the ``lyricist: loaded ...`` lines of its log), not once per session.
Reported: p50/p95 of the Score and Draft latencies (click to result on screen) and the wall time.

    python bench/app_load.py --sessions 20        # default models in $LYRICIST_CHECKPOINTS or ./checkpoints
    python bench/app_load.py --sessions 3 --no-write

``tests/test_load.py`` runs the same driver with 3 sessions on tiny models (default suite) and with
20 behind ``slow``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LYRICIST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LOADED = re.compile(r"^lyricist: loaded (.+?) in [\d.]+ s \(pid (\d+)[,)]", re.M)
THEMES = ["rain on the window at night", "leaving a small town at dawn", "a dog waiting at the window",
          "first summer job at the beach", "the factory that closed our town", "fishing with my father",
          "a wedding in the snow", "driving home after the last shift", "an old piano in the hallway",
          "a letter I never sent", "the night bus across the city", "my grandmother's garden",
          "a broken phone screen", "dancing in the kitchen", "the lighthouse keeper's daughter",
          "a stadium after the game", "a voicemail from my brother", "moving into the first apartment",
          "the river in flood", "a radio in the truck"]
LINES = ["I walk alone beneath the rain", "The kettle sings, the morning's new", "You said goodbye and slammed the door",
         "We laughed until the streetlights came", "My hands are tired, my heart is sore",
         "The river runs the way it ran", "I found your jacket on the chair", "Nobody's waiting at the station"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(models: Path, log_path: Path, start_timeout: float = 90.0, warm: bool = True,
          env: Optional[dict] = None) -> Iterator[str]:
    """Serve the app on 127.0.0.1 with the models in ``models``; yields its URL; always stopped.

    ``warm``: as ``lyricist demo`` does (``python -m lyricist.app.serve``: the models load in the
    background from the start); else ``streamlit run app.py`` with ``LYRICIST_APP_WARM=0`` (each model
    loads on the first click that needs it). ``env``: more environment variables for the server.
    """
    port = free_port()
    env = {**os.environ, **(env or {}), "LYRICIST_CHECKPOINTS": str(models), "LYRICIST_APP_WARM": "1" if warm else "0"}
    log = open(log_path, "w+", encoding="utf-8")
    head = [sys.executable, "-m", "lyricist.app.serve"] if warm else [sys.executable, "-m", "streamlit", "run",
                                                                      str(ROOT / "app.py")]
    proc = subprocess.Popen([*head, "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start: {log.read()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def model_loads(log_path: Path) -> dict[str, int]:
    """How many times the server loaded each model, from its log."""
    counts: dict[str, int] = {}
    for what, _ in LOADED.findall(log_path.read_text(encoding="utf-8", errors="replace")):
        counts[what] = counts.get(what, 0) + 1
    return counts


@dataclass
class Session:
    """What one session did and saw."""
    index: int
    theme: str
    lines: int
    score_s: Optional[float] = None
    draft_s: Optional[float] = None
    problems: list[str] = field(default_factory=list)


def song_for(i: int) -> tuple[str, int]:
    n = 3 + i % 6
    return "\n".join(LINES[(i + k) % len(LINES)] for k in range(n)) + "\n", n


async def settle(page, timeout_ms: int) -> None:
    await page.wait_for_timeout(200)
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                 timeout=timeout_ms)


async def errors_on(page) -> list[str]:
    out = []
    for sel in ("[data-testid='stException']", "[data-testid='stAlertContentError']"):
        loc = page.locator(sel)
        for k in range(await loc.count()):
            out.append((await loc.nth(k).inner_text()).strip().splitlines()[0][:200])
    return out


async def score_once(page, url: str, text: str, n: int, timeout_ms: int, goto: bool = True) -> float:
    """Paste ``text`` (``n`` lines) on the Tone page and press Score; seconds from the click to ``Lines (n)``."""
    if goto:
        await page.goto(f"{url}/tone", timeout=timeout_ms)
    box = page.get_by_label("Lyrics ([Verse]/[Chorus] markers are optional)")
    await box.wait_for(timeout=timeout_ms)
    await box.fill(text)
    t0 = time.perf_counter()
    await page.get_by_role("button", name="Score", exact=True).click()
    await page.get_by_text(f"Lines ({n})", exact=True).wait_for(timeout=timeout_ms)
    return time.perf_counter() - t0


async def draft_once(page, theme: str, timeout_ms: int) -> float:
    """Type ``theme`` on the Draft page (already open) and press Draft; seconds to the draft's heading."""
    theme_box = page.get_by_label("Theme", exact=True)
    await theme_box.wait_for(timeout=timeout_ms)
    await theme_box.fill(theme)
    t0 = time.perf_counter()
    await page.get_by_role("button", name="Draft", exact=True).click()
    await page.get_by_role("heading", name=theme, exact=True).wait_for(timeout=timeout_ms)
    return time.perf_counter() - t0


async def run_session(browser, url: str, i: int, timeout_ms: int) -> Session:
    text, n = song_for(i)
    s = Session(i, THEMES[i % len(THEMES)] + ("" if i < len(THEMES) else f" {i}"), n)
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        s.score_s = await score_once(page, url, text, n, timeout_ms)
        await settle(page, timeout_ms)
        s.problems += [f"tone: {e}" for e in await errors_on(page)]
        for other in {3 + k % 6 for k in range(6)} - {n}:  # another session's line count never shows here
            if await page.get_by_text(f"Lines ({other})", exact=True).count():
                s.problems.append(f"tone page shows another session's result: Lines ({other})")
        await page.get_by_role("link", name="Draft").first.click()
        s.draft_s = await draft_once(page, s.theme, timeout_ms)
        await settle(page, timeout_ms)
        s.problems += [f"draft: {e}" for e in await errors_on(page)]
        heads = [h.strip() for h in await page.locator("h3").all_inner_texts()]
        foreign = [h for h in heads if h in THEMES and h != s.theme]
        if foreign:
            s.problems.append(f"draft page shows another session's draft: {foreign}")
    except Exception as e:  # a timeout or a missing element is a failed session, not a crashed bench
        s.problems.append(f"{type(e).__name__}: {str(e).splitlines()[0][:200]}")
    finally:
        await ctx.close()
    return s


async def launch(p):
    """Debian's headless Chromium through Playwright ``p``."""
    return await p.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"])


async def drive(url: str, sessions: int, timeout_s: float = 300.0) -> tuple[list[Session], float]:
    """Open ``sessions`` sessions at once; returns what each did and the wall time."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch(p)
        try:
            t0 = time.perf_counter()
            out = await asyncio.gather(*(run_session(browser, url, i, int(timeout_s * 1000))
                                         for i in range(sessions)))
            return list(out), time.perf_counter() - t0
        finally:
            await browser.close()


def percentile(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
        (2.0, 4.0)
    """
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(-(-q * len(xs) // 100)) - 1))
    return xs[k]


def run(models: Path, sessions: int, workdir: Path, timeout_s: float = 300.0) -> dict:
    """Serve, drive, and summarise: latencies, failures, model loads."""
    log_path = workdir / "streamlit.log"
    with serve(models, log_path) as url:
        found, wall = asyncio.run(drive(url, sessions, timeout_s))
    loads = model_loads(log_path)
    scores = [s.score_s for s in found if s.score_s is not None]
    drafts = [s.draft_s for s in found if s.draft_s is not None]
    return {"sessions": sessions, "wall_s": wall, "loads": loads, "failed": [s for s in found if s.problems],
            "results": found,
            "score": {"n": len(scores), "p50": percentile(scores, 50) if scores else None,
                      "p95": percentile(scores, 95) if scores else None},
            "draft": {"n": len(drafts), "p50": percentile(drafts, 50) if drafts else None,
                      "p95": percentile(drafts, 95) if drafts else None}}


def _fmt(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.1f} s"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--models", type=Path, default=None, help="checkpoints folder ($LYRICIST_CHECKPOINTS or ./checkpoints)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds one step may wait")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from common import machine, write_section

    models = (a.models or Path(os.environ.get("LYRICIST_CHECKPOINTS") or ROOT / "checkpoints")).resolve()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lyricist-load-") as tmp:
        r = run(models, a.sessions, Path(tmp), a.timeout)
    for s in r["failed"]:
        print(f"session {s.index}: {'; '.join(s.problems)}")
    print(f"{a.sessions} sessions in {r['wall_s']:.1f} s; score p50 {_fmt(r['score']['p50'])} "
          f"p95 {_fmt(r['score']['p95'])}; draft p50 {_fmt(r['draft']['p50'])} p95 {_fmt(r['draft']['p95'])}; "
          f"model loads {r['loads']}; failed sessions {len(r['failed'])}")
    if not a.no_write:
        body = "\n".join([
            "## The app under load (`bench/app_load.py`)",
            "",
            f"{dt.date.today().isoformat()} · {machine(torch_threads=False)} · models: the defaults trained on "
            "the bundled corpus · one `streamlit run` server on 127.0.0.1 and one headless Chromium on the "
            "same machine, so the browser's rendering competes with the server for the same cores.",
            "",
            f"{a.sessions} sessions at once; each scores its own song on the Tone page, then drafts 8 lines on "
            "its own theme on the Draft page. Latency is from the click to the result on screen, "
            "cold models included (the first requests pay for loading them).",
            "",
            "| step | sessions done | p50 | p95 |",
            "|---|---:|---:|---:|",
            f"| Score | {r['score']['n']}/{a.sessions} | {_fmt(r['score']['p50'])} | {_fmt(r['score']['p95'])} |",
            f"| Draft | {r['draft']['n']}/{a.sessions} | {_fmt(r['draft']['p50'])} | {_fmt(r['draft']['p95'])} |",
            "",
            f"- Wall time for all sessions: {r['wall_s']:.1f} s. Sessions with an error, a timeout or another "
            f"session's result on screen: {len(r['failed'])}.",
            f"- Model loads in the server's log: "
            f"{', '.join(f'{k} x{v}' for k, v in sorted(r['loads'].items())) or 'none'} "
            f"(one each means all sessions share one copy).",
        ])
        write_section("app-load", body)
    return 1 if r["failed"] or any(v > 1 for v in r["loads"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
