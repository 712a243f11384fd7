"""What every page of the app shares: cached model loaders, error display, progress, empty states.

Models load once per server process (:mod:`lyricist.app.warm`, warmed in the background from the
start); each is keyed by a stamp of its checkpoint folders (path + newest modification time), so a
model retrained from the Models page is picked up on the next run. Library errors
(:class:`lyricist.core.errors.LyricistError`) are shown with ``st.error``, one line,
never as a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import streamlit as st

from lyricist.app import warm
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
    return warm.stamp(*kinds)


def guard(fn: Callable, *args, **kwargs) -> Any:
    """Call ``fn``; on a user-facing error show it with ``st.error`` and return ``None``."""
    try:
        return fn(*args, **kwargs)
    except LyricistError as e:
        st.error(str(e))
    except MemoryError:
        st.error("out of memory: use a smaller input")
    return None


# ----------------------------------------------------------------- shared models
def _model(name: str, label: str) -> Any:
    """Default model ``name`` from the server's registry; a click that comes before it is ready says so."""
    fut = warm.MODELS.get(name)
    if not fut.done():
        with st.spinner(f"Loading models: {label} (this happens once per server)..."):
            return warm.MODELS.get(name, now=True).result()
    return fut.result()


def generator():
    """The generator checkpoint, warmed up so the first draft pays only for drafting (shared by all sessions)."""
    return _model("generator", "the lyric generator")


def scorer():
    """The best sentiment scorer available (``auto``: ensemble, transformer, LSTM, else VADER), shared."""
    return _model("scorer", "the sentiment model")


def space():
    """The word explorer over the corpus and general vectors (never builds missing vectors here), shared."""
    return _model("space", "the word spaces")


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
    warm.MODELS.clear()
    st.cache_data.clear()
    bar.progress(1.0, text="Training: done")
    trained = ", ".join(r["trained"]) or "nothing (every model was already trained)"
    st.success(f"Trained {trained} in {r['seconds']:.0f} s (preset {r['preset']}); models are in {r['root']}.")
    for w in r["warnings"]:
        st.warning(w)
    st.session_state["last_training"] = r
    return r


def unusable_models(kinds: Sequence[str]) -> list[str]:
    """``st.error`` one line for each default model of ``kinds`` whose folder exists but is unusable
    (not a checkpoint, another kind, a newer format, unreadable config.json); returns those kinds."""
    from lyricist.app.defaults import status

    bad = [r for r in status(root()) if r["kind"] in kinds and r["error"]]
    for r in bad:
        st.error(f"{r['kind']}: {r['error']}")
    return [r["kind"] for r in bad]


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


#: What each uploader takes: ``st.file_uploader`` types (the last extension, as Streamlit checks it) and the
#: whole suffixes :func:`save_upload` keeps (the readers look through ``.gz``; see lang.corpus.FORMATS)
SONG_TYPES = ("txt",)
COMMENT_TYPES = ("csv", "tsv", "jsonl", "txt")
CORPUS_TYPES = ("txt", "csv", "tsv", "jsonl", "gz")
_TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".jsonl", ".json")
_BINARY_MAGIC = (b"\x1f\x8b", b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"MZ",
                 b"{\\rtf", b"\xd0\xcf\x11\xe0", b"ID3", b"OggS", b"RIFF", b"fLaC")


def shown_name(name: str) -> str:
    """An uploaded file's name fit to show in a message: its last part, printable, at most 60 characters.

    Example:
        >>> shown_name("../../etc/passwd\\x00.txt")
        'passwd.txt'
    """
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "`*_[]<>")
    return (base[:57] + "...") if len(base) > 60 else (base or "the file")


def upload_suffix(name: str, types: Sequence[str]) -> Optional[str]:
    """The whitelisted suffix of an uploaded file name (``.csv``, ``.csv.gz``...), or None when refused.

    Example:
        >>> upload_suffix("My Song.TXT", SONG_TYPES), upload_suffix("a.csv.gz", CORPUS_TYPES)
        ('.txt', '.csv.gz')
        >>> upload_suffix("x.gz", CORPUS_TYPES), upload_suffix("run.sh", SONG_TYPES)
        (None, None)
    """
    low = str(name).lower()
    gz = "gz" in types and low.endswith(".gz")
    inner = low[:-3] if gz else low
    for suf in _TEXT_SUFFIXES:
        if inner.endswith(suf) and (suf.lstrip(".") in types or (suf == ".json" and "jsonl" in types)):
            return suf + (".gz" if gz else "")
    return None


def looks_binary(data: bytes, gz: bool = False) -> bool:
    """Whether ``data`` is not text: a NUL or many control bytes in its first 8 KB, or a binary format's magic.

    A ``.gz`` upload must start with the gzip magic (its content is checked when it is read).

    Example:
        >>> looks_binary(b"la la la\\n"), looks_binary(b"\\x89PNG\\r\\n"), looks_binary(b"\\x1f\\x8b\\x08", gz=True)
        (False, True, False)
    """
    if gz:
        return not data.startswith(b"\x1f\x8b")
    head = data[:8192]
    if b"\x00" in head or head.startswith(_BINARY_MAGIC):
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > max(2, len(head) // 20)


def upload_problem(name: str, data: bytes, types: Sequence[str], max_bytes: int) -> Optional[str]:
    """Why an upload is refused, as the one-line message the page shows; None when it is fine.

    Args:
        name: the file name the browser sent (only shown, never used as a path).
        data: its bytes.
        types: the uploader's types (:data:`SONG_TYPES`, :data:`COMMENT_TYPES`, :data:`CORPUS_TYPES`).
        max_bytes: the page's limit.

    Example:
        >>> upload_problem("song.txt", b"\\x00\\x01", SONG_TYPES, 1000)
        'song.txt looks binary: upload a plain-text UTF-8 file (.txt)'
        >>> upload_problem("song.txt", b"x" * 2000, SONG_TYPES, 1000)
        'song.txt is 2,000 bytes; the limit is 1,000 bytes: upload a smaller file'
    """
    shown = shown_name(name)
    allowed = ", ".join("." + t for t in types)
    suffix = upload_suffix(name, types)
    if suffix is None:
        extra = " (name a .gz after its content, e.g. comments.csv.gz)" if "gz" in types else ""
        return f"{shown}: upload a {allowed} file{extra}"
    if len(data) > max_bytes:
        limit = f"{max_bytes // 2**20} MB" if max_bytes >= 2**20 else f"{max_bytes:,} bytes"
        return f"{shown} is {len(data):,} bytes; the limit is {limit}: upload a smaller file"
    if looks_binary(data, gz=suffix.endswith(".gz")):
        if suffix.endswith(".gz"):
            return f"{shown} is not a gzip file: upload it uncompressed, or gzip it"
        return f"{shown} looks binary: upload a plain-text UTF-8 file ({allowed})"
    return None


def decode_upload(upload) -> Optional[str]:
    """Text of an uploaded song, or ``None`` after an ``st.error`` (binary, not UTF-8, too big)."""
    from lyricist.core.config import MAX_SONG_CHARS

    data = upload.getvalue()
    problem = upload_problem(upload.name, data, SONG_TYPES, MAX_SONG_CHARS * 4)  # 4 bytes a character at most
    if problem:
        st.error(problem)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error(f"{shown_name(upload.name)} is not UTF-8 text: save it as UTF-8 and upload it again")
        return None
    if len(text) > MAX_SONG_CHARS:
        st.error(f"{shown_name(upload.name)} has {len(text):,} characters; the limit is {MAX_SONG_CHARS:,}: "
                 "upload one part at a time")
        return None
    return text


def check_uploads(uploads: Sequence, types: Sequence[str], max_bytes: int) -> bool:
    """``st.error`` for the first refused upload (see :func:`upload_problem`); True when all are fine."""
    for up in uploads:
        problem = upload_problem(up.name, up.getvalue(), types, max_bytes)
        if problem:
            st.error(problem)
            return False
    return True


def save_upload(upload, folder: str | os.PathLike, types: Sequence[str]) -> Path:
    """Write an upload into ``folder`` under a generated name that keeps only its whitelisted suffix.

    The browser's file name is never a path here: ``../x``, absolute names and odd characters cannot
    choose where the bytes go. Check the upload with :func:`upload_problem` first.
    """
    import tempfile

    suffix = upload_suffix(upload.name, types)
    if suffix is None:
        raise LyricistError(upload_problem(upload.name, b"", types, 1) or "unsupported upload")
    fd, path = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=folder)
    with os.fdopen(fd, "wb") as f:
        f.write(upload.getvalue())
    return Path(path)


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
