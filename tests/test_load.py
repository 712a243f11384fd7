"""The app under load (issue 13): sessions that score and draft at once share the models and never see each other.

Drives ``bench/app_load.py``: one real ``streamlit run`` server on loopback, N headless Chromium
sessions started together. The default suite runs 3 sessions on tiny models; 20 sessions run
behind ``slow`` (``pytest -m slow tests/test_load.py``); ``python bench/app_load.py`` runs 20 on
the default models and records p50/p95 in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import app_first  # noqa: E402
import app_load  # noqa: E402

from lyricist.app import warm  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _needs_a_browser():
    if not Path(app_load.CHROMIUM).exists():
        pytest.skip(f"no chromium at {app_load.CHROMIUM}: run scripts/install.sh --dev (apt-get install chromium)")
    pytest.importorskip("playwright", reason="the playwright package is missing: run scripts/install.sh --dev")


def _check(r: dict, sessions: int) -> None:
    problems = {s.index: s.problems for s in r["failed"]}
    assert not problems, problems
    assert r["score"]["n"] == r["draft"]["n"] == sessions
    # each model loaded once for the whole server, not once per session
    assert r["loads"].get("generator") == 1, r["loads"]
    assert r["loads"].get("sentiment scorer") == 1, r["loads"]
    assert all(v == 1 for v in r["loads"].values()), r["loads"]


@pytest.mark.timeout(600)
def test_three_sessions_score_and_draft_at_once(tiny_checkpoints, tmp_path):
    _check(app_load.run(tiny_checkpoints, 3, tmp_path, timeout_s=240), 3)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_twenty_sessions_score_and_draft_at_once(tiny_checkpoints, tmp_path):
    _check(app_load.run(tiny_checkpoints, 20, tmp_path, timeout_s=900), 20)


def test_sessions_get_distinct_inputs():
    songs = [app_load.song_for(i) for i in range(6)]
    assert len({n for _, n in songs}) == 6 and all(text.count("\n") == n for text, n in songs)
    assert len(set(app_load.THEMES)) == len(app_load.THEMES) >= 20
    assert app_load.model_loads(Path(__file__)) == {}  # this file has no log lines


def test_model_loads_are_read_from_the_log(tmp_path):
    log = tmp_path / "s.log"
    log.write_text("x\nlyricist: loaded generator in 1.2 s (pid 7)\nlyricist: loaded word spaces in 0.3 s (pid 7)\n"
                   "lyricist: loaded generator in 1.0 s (pid 7)\n")
    assert app_load.model_loads(log) == {"generator": 2, "word spaces": 1}


@pytest.mark.timeout(300)
def test_models_warm_before_the_first_visitor(tiny_checkpoints, tmp_path):
    """``python -m lyricist.app.serve`` (what ``lyricist demo`` runs) loads every model before anyone connects."""
    log = tmp_path / "s.log"
    with app_load.serve(tiny_checkpoints, log) as url:
        deadline = time.time() + 120
        while time.time() < deadline and len(app_load.model_loads(log)) < 3:
            time.sleep(0.3)
        text = log.read_text(encoding="utf-8")
        assert app_load.model_loads(log) == {"generator": 1, "sentiment scorer": 1, "word spaces": 1}, text[-2000:]
        assert text.count("background)") == 3, text[-2000:]
        r = asyncio.run(app_first.clicks(url, "draft", 120_000))
    assert not r["errors"] and not r["saw_loading"], r
    assert app_load.model_loads(log) == {"generator": 1, "sentiment scorer": 1, "word spaces": 1}  # none per session


def test_registry_loads_once_per_key_and_keeps_errors():
    m = warm.Models()
    calls = []
    f = m.future("g", ("a",), lambda: calls.append(1) or "model-a")
    assert f.result() == "model-a" and m.future("g", ("a",), lambda: calls.append(2)) is f and calls == [1]

    def broken():
        raise ValueError("corrupt checkpoint: retrain it")

    bad = m.future("g", ("b",), broken)  # a retrained (here: broken) model replaces the old one
    with pytest.raises(ValueError, match="retrain"):
        bad.result()
    assert m.future("g", ("b",), lambda: "x") is bad  # the error is kept until the checkpoint changes
    assert m.future("g", ("c",), lambda: "model-c").result() == "model-c"
    m.clear()
    assert m.future("g", ("c",), lambda: "again").result() == "again"


def test_warming_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path))
    monkeypatch.setenv("LYRICIST_APP_WARM", "0")
    assert warm.start() == []
    monkeypatch.setenv("LYRICIST_APP_WARM", "1")
    assert warm.start() == ["scorer"]  # an empty folder: only the lexicon scorer, which needs no checkpoint
    assert warm.start() == []  # once per process and folder


def test_a_waiting_click_jumps_the_queue(monkeypatch, tmp_path):
    import threading

    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path))  # no models: the scorer is the lexicon

    m = warm.Models()
    gate = threading.Event()
    slow = m.future("generator", ("k",), gate.wait)  # the background thread is busy with this one
    queued = m.future("scorer", warm.key_of("scorer"), lambda: "from the queue")
    assert not queued.done()
    got = m.get("scorer", now=True)  # loaded here, at once, not after the generator
    assert got.done() and got is not queued and queued.cancelled()
    assert m.get("scorer", now=True) is got  # and only once
    gate.set()
    assert slow.result(timeout=10) is True
