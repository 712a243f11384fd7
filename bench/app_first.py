"""The app's first answer: how long the first Draft and the first Score click wait on a fresh server.

For each of four fresh servers on loopback (``bench/app_load.serve``), one headless Chromium session
opens the page as soon as the server answers its health check and clicks at once, then clicks again
with a new input (models warm). Reported: the first click, the second, and the difference, which is
what loading still costs the first visitor.

- ``warm at start``: ``python -m lyricist.app.serve``, what ``lyricist demo`` runs: the models load on
  a background thread from the start, generator first.
- ``load on click``: ``streamlit run app.py`` with ``LYRICIST_APP_WARM=0``: each model loads on the
  first click that needs it, as before warming existed.

The target (issue 14.5): the first click waits no more than about 5 s beyond the work itself.

    python bench/app_first.py                     # default models ($LYRICIST_CHECKPOINTS or ./checkpoints)
    python bench/app_first.py --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import app_load  # noqa: E402


async def clicks(url: str, page_name: str, timeout_ms: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await app_load.launch(p)
        try:
            page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            t_open = time.perf_counter()
            if page_name == "draft":
                await page.goto(url, timeout=timeout_ms)  # Draft is the default page, at /
                first = await app_load.draft_once(page, app_load.THEMES[0], timeout_ms)
                saw = await page.get_by_text("Loading models", exact=False).count()
                second = await app_load.draft_once(page, app_load.THEMES[1], timeout_ms)
            else:
                (t1, n1), (t2, n2) = app_load.song_for(0), app_load.song_for(1)
                first = await app_load.score_once(page, url, t1, n1, timeout_ms)
                saw = 0
                second = await app_load.score_once(page, url, t2, n2, timeout_ms, goto=False)
            errors = await app_load.errors_on(page)
            return {"first": first, "second": second, "page_open_s": time.perf_counter() - t_open - first - second,
                    "errors": errors, "saw_loading": bool(saw)}
        finally:
            await browser.close()


def first_answer(models: Path, page_name: str, warm: bool, workdir: Path, timeout_s: float = 300.0) -> dict:
    """One fresh server; the first and second click on ``page_name`` (``draft`` or ``score``)."""
    log = workdir / f"{page_name}-{'warm' if warm else 'lazy'}.log"
    t0 = time.perf_counter()
    with app_load.serve(models, log, warm=warm) as url:
        up = time.perf_counter() - t0
        r = asyncio.run(clicks(url, page_name, int(timeout_s * 1000)))
    return {**r, "server_up_s": up, "loads": app_load.model_loads(log),
            "log": log.read_text(encoding="utf-8", errors="replace")}


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=None, help="checkpoints folder ($LYRICIST_CHECKPOINTS or ./checkpoints)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    a = ap.parse_args(argv)
    from common import machine, write_section

    models = (a.models or Path(os.environ.get("LYRICIST_CHECKPOINTS") or ROOT / "checkpoints")).resolve()
    rows, bad = [], 0
    with tempfile.TemporaryDirectory(prefix="lyricist-first-") as tmp:
        for page_name in ("draft", "score"):
            for warm in (True, False):
                r = first_answer(models, page_name, warm, Path(tmp))
                bad += bool(r["errors"])
                rows.append((page_name, warm, r))
                print(f"{page_name:5s} {'warm at start' if warm else 'load on click':13s} server up {r['server_up_s']:.1f} s, "
                      f"first click {r['first']:.1f} s, second {r['second']:.1f} s, errors {r['errors']}")
    lines = ["## The app's first answer (`bench/app_first.py`)", "",
             f"{dt.date.today().isoformat()} · {machine(torch_threads=False)} · models: the defaults in the "
             "checkpoints folder · a fresh server for each row, one headless Chromium session that clicks as "
             "soon as the page is up (the browser shares the same cores).", "",
             "| first click | server | first click | second click (warm) | first − second |",
             "|---|---|---:|---:|---:|"]
    for page_name, warm, r in rows:
        lines.append(f"| {'Draft (8 lines)' if page_name == 'draft' else 'Score (a short song)'} | "
                     f"{'warm at start (`lyricist demo`)' if warm else 'load on click (`LYRICIST_APP_WARM=0`)'} | "
                     f"{r['first']:.1f} s | {r['second']:.1f} s | {r['first'] - r['second']:+.1f} s |")
    lines += ["", "- Target: the first click waits no more than about 5 s beyond the work itself (the "
              "first − second column). While it waits the page says \"Loading models: ...\".",
              "- With warming, the server queues the generator, then the sentiment scorer, then the word "
              "spaces; a first Score click on a fresh server can therefore also wait for the generator."]
    if not a.no_write:
        write_section("app-first-answer", "\n".join(lines))
    print("\n".join(lines))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
