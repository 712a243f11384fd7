"""The default models: which exist, and training the missing ones in dependency order.

One place that knows the six default checkpoints, where they live
(``checkpoints/<kind>``, or ``$LYRICIST_CHECKPOINTS/<kind>``), and how each is
trained on the bundled corpus. ``lyricist train all``, ``lyricist demo`` and
the app's Models page all call :func:`train_defaults`; the app and the CLI show
:func:`status`.

Order matters: the general-English vectors and the corpus embeddings come
first (the sentiment LSTM initialises its word table from them), then the
sentiment LSTM, the fine-tuned transformer, the song-mood model and the lyric
generator.

Example:
    >>> import tempfile
    >>> [s["kind"] for s in status(tempfile.mkdtemp())][:2]
    ['general-vectors', 'embeddings']
    >>> r = train_defaults(preset="tiny", root="/tmp/ck")          # doctest: +SKIP
    >>> sorted(r["trained"])                                        # doctest: +SKIP
    ['embeddings', 'general-vectors', 'generator', 'mood', 'sentiment-lstm', 'sentiment-transformer']
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from lyricist.core.checkpoint import read_config, read_metrics
from lyricist.core.config import checkpoints_root, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.kinds import KINDS, expand, names, ordered
from lyricist.core.loop import reset_accelerate_state
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.explore.vectors import has_vectors

#: The default models in training order (each after the kinds it needs; see lyricist.core.kinds).
DEFAULT_KINDS = names()

#: Largest file the app accepts, in MB: Streamlit's ``server.maxUploadSize`` (in .streamlit/config.toml and in
#: :func:`demo_command`) and the limit of the comments and corpus uploaders, whose readers stream CSV/JSONL of
#: any size (a bigger comments file is for ``lyricist classify``).
MAX_UPLOAD_MB = 50

#: The song uploader's limit, in MB: Streamlit counts whole MB, and a song is at most MAX_SONG_CHARS
#: characters (80 KB of UTF-8 at most), which the Tone page checks after the upload.
SONG_UPLOAD_MB = 1

#: What each model is for, in a few words (the app's Models page and ``lyricist train all``).
DESCRIPTIONS = {k.name: k.description for k in ordered()}


def _root(root: str | os.PathLike | None) -> Path:
    return Path(root) if root else checkpoints_root()


def _ready(folder: Path, kind: str) -> bool:
    """A usable checkpoint: its config.json reads and names the right kind."""
    try:
        read_config(folder, kind)
    except LyricistError:
        return False
    if kind in ("embeddings", "general-vectors"):  # older ones lack the pickle-free word list: retrain
        return has_vectors(folder)
    return True


def status(root: str | os.PathLike | None = None) -> list[dict]:
    """What each default model is, where it lives, and whether it is trained.

    Args:
        root: the checkpoints folder (default ``$LYRICIST_CHECKPOINTS`` or ``./checkpoints``).
    Returns:
        One dict per kind, in training order: ``{"kind", "description", "path", "exists", "error",
        "fingerprint", "trained_at", "preset", "size_mb", "metrics", "config"}``; ``error`` is a
        one-line reason when the folder exists but is unusable (corrupt, wrong kind).

    Example:
        >>> import tempfile
        >>> s = status(tempfile.mkdtemp())
        >>> s[0]["exists"], s[0]["error"]
        (False, None)
    """
    base = _root(root)
    out = []
    for kind in DEFAULT_KINDS:
        folder = KINDS[kind].default_dir(base)
        row = {"kind": kind, "description": DESCRIPTIONS[kind], "path": str(folder), "exists": False,
               "error": None, "fingerprint": None, "trained_at": None, "preset": None, "size_mb": None,
               "metrics": {}, "config": {}}
        if folder.exists():
            try:
                doc = read_config(folder, kind)
            except LyricistError as e:
                row["error"] = str(e)
            else:
                cfg_file = folder / "config.json"
                row.update(exists=True, fingerprint=doc.get("fingerprint") or None, config=doc,
                           metrics=read_metrics(folder),
                           preset=(doc.get("params") or {}).get("preset") or doc.get("preset"),
                           trained_at=_dt.datetime.fromtimestamp(cfg_file.stat().st_mtime).isoformat(
                               timespec="seconds"),
                           size_mb=round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20,
                                         2))
        out.append(row)
    return out


def missing(root: str | os.PathLike | None = None) -> list[str]:
    """The kinds with no usable checkpoint under ``root``, in training order.

    Example:
        >>> import tempfile
        >>> missing(tempfile.mkdtemp()) == list(DEFAULT_KINDS)
        True
    """
    base = _root(root)
    return [k for k in DEFAULT_KINDS if not _ready(KINDS[k].default_dir(base), k)]


def check_kinds(kinds: Optional[Sequence[str]]) -> list[str]:
    """The kinds asked for, expanded (``sentiment`` -> both models) and in training order; raise if unknown."""
    return expand(kinds)


def _train_one(kind: str, base: Path, paths: Optional[list[str]], preset: str, epochs: Optional[int],
               resume: bool, progress: Optional[ProgressFn], log: Optional[Callable[[str], None]]) -> dict:
    """Train one default model into ``base/<folder>``; return the short summary ``train all`` reports."""
    k = KINDS[kind]
    m = k.train(paths, preset=preset, out_dir=k.default_dir(base), root=base, epochs=epochs, resume=resume,
                progress=progress, log=log)
    return k.summarise(m)


def train_defaults(kinds: Optional[Sequence[str]] = None, corpus: Optional[Sequence[str | os.PathLike]] = None,
                   preset: str = "default", root: str | os.PathLike | None = None, only_missing: bool = True,
                   epochs: Optional[int] = None, resume: bool = False, progress: Optional[ProgressFn] = None,
                   log: Optional[Callable[[str], None]] = None) -> dict:
    """Train the default models (all, or ``kinds``) in dependency order, each in its own progress range.

    Args:
        kinds: which models (default all of :data:`DEFAULT_KINDS`; ``sentiment`` means both sentiment models).
        corpus: files/folders to train on (default: the bundled corpus). Plain songs train the
            embeddings and the generator; the sentiment and mood models need labels, and fall back
            to the bundled labeled data (with a warning in the result) when ``corpus`` has none.
        preset: ``tiny`` (tests, about a minute for all), ``default`` or ``full``.
        root: checkpoints folder (default ``$LYRICIST_CHECKPOINTS`` or ``./checkpoints``).
        only_missing: skip models that already have a usable checkpoint.
        epochs: override each neural model's epochs.
        resume: continue interrupted runs from their saved state.
        progress: ``(fraction, message)`` callback over the whole run.
        log: one-line notes (the CLI prints them on stderr).
    Returns:
        ``{"root", "preset", "trained": {kind: summary}, "skipped": [kind...], "warnings": [...],
        "seconds"}``.

    Raises:
        LyricistError: bad preset/kind, or a model that cannot be trained on the data given.

    Example:
        >>> train_defaults(["mood"], preset="tiny", root="/tmp/ck")["trained"]["mood"]["seconds"] < 60  # doctest: +SKIP
        True
    """
    preset_check(preset)
    todo = check_kinds(kinds)
    base = _root(root)
    base.mkdir(parents=True, exist_ok=True)
    paths = [str(p) for p in corpus] if corpus else None
    if paths:
        for p in paths:
            if not Path(p).exists():
                raise LyricistError(f"no such corpus: {p} (check the path)")
    skipped = [k for k in todo if only_missing and _ready(KINDS[k].default_dir(base), k)]
    todo = [k for k in todo if k not in skipped]
    total = sum(KINDS[k].weight for k in todo) or 1.0
    say = log or (lambda s: None)
    trained: dict = {}
    warnings: list[str] = []
    t0 = time.perf_counter()
    done = 0.0
    for n, kind in enumerate(todo, 1):
        part = scaled(progress, done / total, (done + KINDS[kind].weight) / total)
        step = (lambda f, m="", _k=kind, _n=n: part(f, f"{_k} ({_n}/{len(todo)})" + (f": {m}" if m else ""))) \
            if part else None
        report(step, 0.0, "starting")
        say(f"training {kind} ({n}/{len(todo)}, preset {preset})")
        t1 = time.perf_counter()
        try:
            summary = _train_one(kind, base, paths, preset, epochs, resume, step, log)
        except LyricistError as e:
            if not (paths and KINDS[kind].labels):
                raise
            # the user's corpus has no usable labels for this model: train it on the bundled data
            msg = f"{kind}: your corpus cannot train it ({e}); trained on the bundled corpus instead"
            warnings.append(msg)
            say(f"warning: {msg}")
            summary = _train_one(kind, base, None, preset, epochs, resume, step, log)
        summary["wall_seconds"] = round(time.perf_counter() - t1, 2)
        trained[kind] = summary
        done += KINDS[kind].weight
        report(progress, done / total, f"{kind} done")
    report(progress, 1.0, "all models ready")
    return {"root": str(base), "preset": preset, "trained": trained, "skipped": skipped, "warnings": warnings,
            "seconds": round(time.perf_counter() - t0, 2)}


def build_tiny_checkpoints(root: str | os.PathLike, epochs: int = 1) -> dict:
    """All six default models at preset ``tiny`` under ``root`` (the app's tests; about a minute on 2 cores).

    ``epochs`` (1) caps every neural model: these checkpoints only have to load and answer, not be good.

    Example:
        >>> build_tiny_checkpoints("/tmp/tiny")["preset"]   # doctest: +SKIP
        'tiny'
    """
    reset_accelerate_state()
    try:
        return train_defaults(preset="tiny", root=root, only_missing=False, epochs=epochs)
    finally:
        reset_accelerate_state()


def app_path() -> Path:
    """The Streamlit script of the app, ``lyricist/app/streamlit_app.py`` (installed with the package)."""
    return Path(__file__).resolve().parent / "streamlit_app.py"


def demo_command(port: int = 8501) -> list[str]:
    """The command that serves the app on 127.0.0.1 (what ``lyricist demo`` runs).

    It is ``streamlit run`` through :mod:`lyricist.app.serve`, which starts loading the models in the
    background before the server takes its first visitor.

    Example:
        >>> demo_command(8502)[1:5]
        ['-m', 'lyricist.app.serve', '--server.address', '127.0.0.1']
    """
    import sys

    if not isinstance(port, int) or not 1024 <= port <= 65535:
        raise LyricistError(f"--port must be between 1024 and 65535, got {port}")
    # the settings of the repo's .streamlit/config.toml, as flags: a pip-installed lyricist has no such file
    return [sys.executable, "-m", "lyricist.app.serve", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.showErrorDetails", "none", "--client.toolbarMode", "minimal", "--theme.base", "light",
            "--server.maxUploadSize", str(MAX_UPLOAD_MB)]
