"""What every page of the app shares: cached model loaders, error display, progress, empty states.

Models load once per server under ``st.cache_resource``; the cache key is a
stamp of the checkpoint folders (path + newest modification time), so a model
retrained from the Models page is picked up on the next run. Library errors
(:class:`lyricist.core.errors.LyricistError`) are shown with ``st.error``, one line,
never as a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import streamlit as st

from lyricist.core.cache import newest_mtime
from lyricist.core.errors import LyricistError
from lyricist.core.kinds import ALIASES

#: Which default models each page needs to work at all (the Tone page falls back to the VADER lexicon).
NEEDS = {"draft": ("generator",), "explore": ("embeddings",), "tone": ()}


def root() -> Path:
    """The checkpoints folder the app reads (``$LYRICIST_CHECKPOINTS`` or ``./checkpoints``)."""
    from lyricist.core.config import checkpoints_root

    return checkpoints_root()


def stamp(*kinds: str) -> tuple:
    """``((kind, folder, newest mtime), ...)``: a cache key that changes when a model is retrained."""
    base = root()
    return tuple((k, str((base / k).resolve()), newest_mtime(base / k)) for k in kinds)


def guard(fn: Callable, *args, **kwargs) -> Any:
    """Call ``fn``; on a user-facing error show it with ``st.error`` and return ``None``."""
    try:
        return fn(*args, **kwargs)
    except LyricistError as e:
        st.error(str(e))
    except MemoryError:
        st.error("out of memory: use a smaller input")
    return None


# ----------------------------------------------------------------- cached models
@st.cache_resource(show_spinner="Loading the lyric generator...")
def generator(key: tuple):
    """The generator checkpoint, warmed up so the first draft pays only for drafting (``key`` from :func:`stamp`)."""
    from lyricist.drafting.cowrite import warm_up

    return warm_up(root() / "generator")


@st.cache_resource(show_spinner="Loading the sentiment model...")
def scorer(key: tuple):
    """The best sentiment scorer available (``auto``: ensemble, transformer, LSTM, else VADER)."""
    from lyricist.tone.scorers import load_scorer

    return load_scorer("auto")


@st.cache_resource(show_spinner="Loading the word spaces...")
def space(key: tuple):
    """The word explorer over the corpus and general vectors (never builds missing vectors here)."""
    from lyricist.explore.api import load_space

    return load_space(build_general=False)


def scorer_key() -> tuple:
    return stamp(*ALIASES["sentiment"], "mood")


def space_key() -> tuple:
    return stamp("embeddings", "general-vectors")


# ----------------------------------------------------------------- progress, training, empty states
def st_progress(label: str):
    """A :data:`lyricist.core.progress.ProgressFn` drawing an ``st.progress`` bar; returns ``(fn, bar)``."""
    bar = st.progress(0.0, text=label)

    def update(fraction: float, message: str = "") -> None:
        bar.progress(min(1.0, max(0.0, float(fraction))), text=f"{label}: {message}" if message else label)

    return update, bar


def run_training(kinds: Optional[Sequence[str]] = None, corpus: Optional[Sequence[str]] = None,
                 preset: str = "default", only_missing: bool = True) -> Optional[dict]:
    """Train default models with a progress bar; show the end state; clear the model caches."""
    from lyricist.app.defaults import train_defaults
    from lyricist.core.loop import reset_accelerate_state

    update, bar = st_progress("Training")
    reset_accelerate_state()
    try:
        r = guard(train_defaults, kinds=kinds, corpus=corpus, preset=preset, root=root(),
                  only_missing=only_missing, progress=update)
    finally:
        reset_accelerate_state()
    if r is None:
        bar.empty()
        return None
    st.cache_resource.clear()
    st.cache_data.clear()
    bar.progress(1.0, text="Training: done")
    trained = ", ".join(r["trained"]) or "nothing (every model was already trained)"
    st.success(f"Trained {trained} in {r['seconds']:.0f} s (preset {r['preset']}); models are in {r['root']}.")
    for w in r["warnings"]:
        st.warning(w)
    st.session_state["last_training"] = r
    return r


def missing_models(kinds: Sequence[str]) -> list[str]:
    """Which of ``kinds`` have no usable checkpoint."""
    from lyricist.app.defaults import missing

    gone = set(missing(root()))
    return [k for k in kinds if k in gone]


def empty_state(page: str) -> bool:
    """If the page's models are missing, say so and offer to train the defaults. True when it can go on."""
    gone = missing_models(NEEDS.get(page, ()))
    if page == "explore" and gone and not missing_models(("general-vectors",)):
        gone = []  # the general space alone is enough to explore
    if not gone:
        return True
    st.info(f"No {' or '.join(gone)} model yet. Train the default models on the bundled corpus "
            "(a few minutes at the default preset; `tiny` takes about a minute and is only for trying the app).")
    c1, c2 = st.columns([1, 3])
    preset = c1.selectbox("Preset", ("default", "tiny"), key=f"empty_preset_{page}")
    if c2.button("Train the default models", type="primary", key=f"empty_train_{page}"):
        if run_training(preset=preset) is not None:
            st.rerun()
    return False


def too_long(text: str) -> bool:
    """Warn (and return True) when ``text`` is over the app's input limit."""
    from lyricist.core.config import MAX_SONG_CHARS

    if len(text) > MAX_SONG_CHARS:
        st.warning(f"This text has {len(text):,} characters; the limit is {MAX_SONG_CHARS:,}. "
                   "Split it and work on one part at a time.")
        return True
    return False


def decode_upload(upload) -> Optional[str]:
    """Text of an uploaded file, or ``None`` after an ``st.error`` (binary, not UTF-8, too big)."""
    from lyricist.core.config import MAX_SONG_CHARS

    data = upload.getvalue()
    if len(data) > MAX_SONG_CHARS * 4:
        st.error(f"{upload.name} is {len(data):,} bytes; the limit is {MAX_SONG_CHARS:,} characters: "
                 "upload a smaller part")
        return None
    if b"\x00" in data:
        st.error(f"{upload.name} looks binary: upload a plain-text (.txt) file")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error(f"{upload.name} is not UTF-8 text: save it as UTF-8 and upload it again")
        return None


def save_upload(upload, folder: Path) -> Path:
    """Write an uploaded file into ``folder`` under its own (sanitised) name."""
    name = os.path.basename(upload.name).replace("\x00", "") or "upload"
    path = Path(folder) / name
    path.write_bytes(upload.getvalue())
    return path


def example_song() -> str:
    """A bundled song to try the Tone page with."""
    from lyricist.core.config import bundled_corpus

    path = bundled_corpus() / "songs" / "sad-empty-house.txt"
    if not path.is_file():
        path = sorted((bundled_corpus() / "songs").glob("*.txt"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    # drop the title/mood/theme header: the user pastes lyrics, not metadata
    while lines and (":" in lines[0] and not lines[0].startswith("[")) or (lines and not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip()
