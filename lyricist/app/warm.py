"""The app's models, loaded once per server process and warmed in the background from the start.

Every session of one Streamlit server shares a :class:`Models` registry (:data:`MODELS`). Each model
is a :class:`concurrent.futures.Future` keyed by a stamp of its checkpoint folders (path + newest
modification time), so a retrained model is loaded afresh and the old copy is dropped. Loads run one
at a time on a single background thread: :func:`start` queues every model whose checkpoint exists
(generator first, since Draft is the default page), so by the time a writer has typed a theme the
models are usually ready, and a click that comes sooner waits only for what is still loading.

``python -m lyricist.app.serve`` (what ``lyricist demo`` runs) calls :func:`start` before the server
takes its first connection; ``streamlit run app.py`` calls it on the first page view. Each load is
logged once on stderr as ``lyricist: loaded generator in 2.1 s (pid 7, background)``.

Example:
    >>> m = Models()
    >>> f = m.future("answer", ("k",), lambda: 42)
    >>> f.result(), m.future("answer", ("k",), lambda: 0) is f, m.future("answer", ("k2",), lambda: 7).result()
    (42, True, 7)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional

from lyricist.core.cache import newest_mtime
from lyricist.core.config import checkpoints_root
from lyricist.core.kinds import ALIASES
from lyricist.drafting.cowrite import warm_up
from lyricist.explore.api import load_space
from lyricist.tone.scorers import load_scorer

__all__ = ["Models", "MODELS", "LOADERS", "start", "stamp", "key_of", "log"]

#: ``lyricist: loaded ...`` lines on the server's stderr: an operator (and ``bench/app_load.py``) sees
#: that all sessions share one copy of each model, and when it became ready.
log = logging.getLogger("lyricist.app")
if not log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("lyricist: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def stamp(*kinds: str) -> tuple:
    """``((kind, folder, newest mtime), ...)`` in ``$LYRICIST_CHECKPOINTS``: a key that changes when a model is retrained."""
    base = checkpoints_root()
    return tuple((k, str((base / k).resolve()), newest_mtime(base / k)) for k in kinds)


def _load_generator() -> Any:
    return warm_up(checkpoints_root() / "generator")


def _load_scorer() -> Any:
    return load_scorer("auto")


def _load_space() -> Any:
    return load_space(build_general=False)


#: name -> (what the log calls it, the checkpoint kinds its key stamps, the kind that must exist to
#: warm it at start, the loader). In warming order.
LOADERS: dict[str, tuple[str, tuple[str, ...], Optional[str], Callable[[], Any]]] = {
    "generator": ("generator", ("generator",), "generator", _load_generator),
    "scorer": ("sentiment scorer", (*ALIASES["sentiment"], "mood"), None, _load_scorer),
    "space": ("word spaces", ("embeddings", "general-vectors"), "embeddings", _load_space),
}


def key_of(name: str) -> tuple:
    """The current key of default model ``name`` (``generator``, ``scorer`` or ``space``)."""
    return stamp(*LOADERS[name][1])


class Models:
    """Futures of loaded models, one per name and key, filled by one background thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, tuple[tuple, Future]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lyricist-warm")

    def future(self, name: str, key: tuple, load: Callable[[], Any], what: str = "") -> Future:
        """The future of ``name`` at ``key``: the one already queued, or a new load (dropping older keys)."""
        with self._lock:
            held = self._futures.get(name)
            if held is not None and held[0] == key:
                return held[1]
            fut = self._pool.submit(self._timed, what or name, load)
            self._futures[name] = (key, fut)
            return fut

    @staticmethod
    def _timed(what: str, load: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        try:
            out = load()
        except Exception as e:  # kept in the future: the page that needs it shows the error
            log.info("could not load %s: %s", what, str(e).splitlines()[0] if str(e) else type(e).__name__)
            raise
        where = "background" if threading.current_thread().name.startswith("lyricist-warm") else "foreground"
        log.info("loaded %s in %.1f s (pid %d, %s)", what, time.perf_counter() - t0, os.getpid(), where)
        return out

    def get(self, name: str, now: bool = False) -> Future:
        """The future of default model ``name`` for the current checkpoints folder (queued if need be).

        ``now``: a click is waiting for it. If its load is still queued behind another model's, it is
        taken out of the queue and run in the calling thread at once (a first Score click need not wait
        for the generator); a load already running is waited for, never started twice.
        """
        what, _, _, load = LOADERS[name]
        key = key_of(name)
        if not now:
            return self.future(name, key, load, what)
        with self._lock:
            held = self._futures.get(name)
            if held is not None and held[0] == key and not held[1].cancel():
                return held[1]  # running or done
            fut: Future = Future()
            fut.set_running_or_notify_cancel()  # running: another caller waits for it instead of cancelling it
            self._futures[name] = (key, fut)
        try:
            fut.set_result(self._timed(what, load))
        except Exception as e:
            fut.set_exception(e)
        return fut

    def clear(self) -> None:
        """Forget every model (after training, so nothing stale is kept in memory)."""
        with self._lock:
            self._futures.clear()


#: The registry every session of this process shares.
MODELS = Models()
_started: set[str] = set()
_started_lock = threading.Lock()


def start() -> list[str]:
    """Queue, once per process and checkpoints folder, every default model that is trained there.

    Returns the names queued now (empty when this folder was already warmed, or when
    ``$LYRICIST_APP_WARM`` is ``0``: then each model loads on the first click that needs it).
    """
    if os.environ.get("LYRICIST_APP_WARM", "1").strip() == "0":
        return []
    base = checkpoints_root()
    with _started_lock:
        if str(base.resolve()) in _started:
            return []
        _started.add(str(base.resolve()))
    queued = []
    for name, (_, _, needs, _) in LOADERS.items():
        if needs is None or (base / needs / "config.json").is_file():
            MODELS.get(name)
            queued.append(name)
    return queued
