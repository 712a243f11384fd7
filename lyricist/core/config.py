"""Shared settings: version, label sets, presets and where checkpoints live.

Model configs are typed dataclasses defined beside the model they build
(``explore.train.EmbeddingConfig``, ``tone.lstm.LSTMConfig``, ...) and the kinds of model are
listed in :mod:`lyricist.core.kinds`; this module
holds what all of them share. It imports nothing else from lyricist and never
torch, so the CLI can start fast.

Example:
    >>> checkpoint_dir("embeddings", "/tmp/m")
    PosixPath('/tmp/m')
    >>> SENTIMENT_LABELS
    ('negative', 'neutral', 'positive')
"""

from __future__ import annotations

import os
from pathlib import Path

from lyricist.core.errors import LyricistError

VERSION = "0.1.0"

SENTIMENT_LABELS = ("negative", "neutral", "positive")
MOOD_LABELS = ("happy", "angry", "sad", "relaxed")
EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
PRESETS = ("tiny", "default", "full")

#: The bundled corpus (songs, comments and labeled lines), shipped inside the package
#: (``corpora/`` at the repository root links to it).
CORPORA_DIR = Path(__file__).resolve().parents[1] / "corpora"

#: Longest input the scorer and the app accept in one go, in characters.
MAX_SONG_CHARS = 20_000


def checkpoints_root() -> Path:
    """The folder that holds the default model of each kind.

    ``$LYRICIST_CHECKPOINTS`` if set, else ``./checkpoints``.
    """
    env = os.environ.get("LYRICIST_CHECKPOINTS")
    return Path(env) if env else Path("checkpoints")


def checkpoint_dir(kind: str, override: str | os.PathLike | None = None) -> Path:
    """Where the model of ``kind`` lives: the flag, then the env var, then ./checkpoints.

    Args:
        kind: a kind's folder name (see :mod:`lyricist.core.kinds`).
        override: a folder given by the user with ``--model``.
    """
    if override:
        return Path(override)
    return checkpoints_root() / kind


def bundled_corpus() -> Path:
    """Path of the bundled corpus folder (``lyricist/corpora``, linked as ``corpora/`` at the repo root)."""
    return CORPORA_DIR


def preset_check(preset: str) -> str:
    """Validate a preset name and return it."""
    if preset not in PRESETS:
        raise LyricistError(f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}")
    return preset
