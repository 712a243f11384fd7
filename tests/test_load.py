"""The app under load (issue 13): sessions that score and draft at once share the models and never see each other.

Drives ``bench/app_load.py``: one real ``streamlit run`` server on loopback, N headless Chromium
sessions started together. The default suite runs 3 sessions on tiny models; 20 sessions run
behind ``slow`` (``pytest -m slow tests/test_load.py``); ``python bench/app_load.py`` runs 20 on
the default models and records p50/p95 in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import app_load  # noqa: E402

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
