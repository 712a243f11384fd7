"""The one registry of model kinds: name, folder, trainer, loader, and what each needs.

Every place that lists or trains models reads this table: the default-model status and
training order (``lyricist.app.defaults``), ``lyricist train``, the app's Models page and the
checkpoint checks (``read_config`` names the ``lyricist train`` command that fixes a missing
checkpoint). The trainer and loader are named as ``"module:function"`` and imported only when
called, so the registry sits in ``core`` without importing the jobs above it.

Every trainer takes the same keyword-only arguments (see :meth:`Kind.train`) and returns its
metrics dict; a trainer that has no use for one of them (the general vectors read no corpus)
accepts and ignores it.

Example:
    >>> [k.name for k in ordered()][:3]
    ['general-vectors', 'embeddings', 'sentiment-lstm']
    >>> KINDS["sentiment-lstm"].needs, KINDS["sentiment-lstm"].train_command
    (('general-vectors', 'embeddings'), 'sentiment')
    >>> expand(["sentiment", "mood"])
    ['sentiment-lstm', 'sentiment-transformer', 'mood']
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from lyricist.core.config import checkpoints_root
from lyricist.core.errors import LyricistError


@dataclass(frozen=True)
class Kind:
    """One kind of model and how it is made."""

    name: str
    """Kind name, as written in each checkpoint's ``config.json`` (``"kind"``)."""
    folder: str
    """Folder of the default model under the checkpoints root."""
    description: str
    """What the model is for, in a few words (Models page, ``lyricist train all``)."""
    trainer: str
    """``"module:function"`` that trains it (keyword-only arguments of :meth:`train`)."""
    loader: str
    """``"module:function"`` that loads a checkpoint folder of this kind."""
    needs: tuple[str, ...] = ()
    """Kinds trained before it, whose checkpoints it may read (the LSTM starts from word vectors)."""
    labels: Optional[str] = None
    """Labels its training data must carry: ``"sentiment"``, ``"mood"`` or None (plain songs)."""
    train_command: str = ""
    """The ``lyricist train X`` word that trains it (defaults to the name)."""
    weight: float = 0.1
    """Share of a ``train all`` progress bar (roughly its share of training time)."""
    metric: tuple[str, str, str] = ("", "", "")
    """Headline metric: ``(metrics.json key, label, format)``; a dotted key reads nested dicts."""
    summary: tuple[tuple[str, str], ...] = ()
    """``(name, metrics key)`` pairs that ``train all`` reports for it (dotted keys read nested dicts)."""
    options: tuple[tuple[str, Any], ...] = ()
    """Fixed keyword arguments its trainer gets when trained as a default model."""

    def __post_init__(self):
        if not self.train_command:
            object.__setattr__(self, "train_command", self.name)

    def train(self, paths: Optional[Sequence[str | os.PathLike]] = None, *, preset: str = "default",
              out_dir: str | os.PathLike, root: str | os.PathLike | None = None, epochs: Optional[int] = None,
              resume: bool = False, progress: Optional[Callable[[float, str], None]] = None,
              log: Optional[Callable[[str], None]] = None) -> dict:
        """Train this kind into ``out_dir`` and return its metrics.

        Every trainer has this shape: the data first, then keyword-only arguments, then options
        of its own (given here from :attr:`options`).

        Args:
            paths: training files or folders (default: the bundled corpus).
            preset: ``tiny``, ``default`` or ``full``.
            out_dir: the checkpoint folder to write (atomically).
            root: the checkpoints root holding the kinds it :attr:`needs`.
            epochs: override the preset's epochs (where the model has epochs).
            resume: continue an interrupted run from its last finished epoch.
            progress: ``progress(fraction, message)``.
            log: one-line messages (epoch summaries).
        """
        return resolve(self.trainer)(paths, preset=preset, out_dir=out_dir, root=root, epochs=epochs,
                                     resume=resume, progress=progress, log=log, **dict(self.options))

    def summarise(self, metrics: dict) -> dict:
        """The :attr:`summary` values of a trainer's result (None where missing).

        Example:
            >>> KINDS["mood"].summarise({"train_macro_f1": 0.9, "cv": {"macro_f1": 0.7}, "train_seconds": 2})
            {'train_macro_f1': 0.9, 'cv_macro_f1': 0.7, 'seconds': 2}
        """
        return {name: dig(metrics, key) for name, key in self.summary}

    def load(self, folder: str | os.PathLike | None = None) -> Any:
        """The model in ``folder`` (default: this kind's default folder), as its job loads it."""
        return resolve(self.loader)(folder)

    def default_dir(self, root: str | os.PathLike | None = None) -> Path:
        """``root/folder``, ``root`` defaulting to ``$LYRICIST_CHECKPOINTS`` or ``./checkpoints``."""
        return Path(root or checkpoints_root()) / self.folder


def dig(d: Any, dotted: str) -> Any:
    """``d["a"]["b"]`` for ``"a.b"``; None when a step is missing or not a dict.

    Example:
        >>> dig({"cv": {"macro_f1": 0.7}}, "cv.macro_f1"), dig({"cv": None}, "cv.macro_f1")
        (0.7, None)
    """
    for part in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    return d


def resolve(ref: str) -> Callable:
    """The function named by ``"module:function"``, imported on first use.

    Example:
        >>> resolve("lyricist.core.kinds:expand")(["mood"])
        ['mood']
    """
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


_SENTIMENT_SUMMARY = (("val_macro_f1", "val_macro_f1"), ("test_accuracy", "test_accuracy"),
                      ("test_macro_f1", "test_macro_f1"), ("train_seconds", "train_seconds"))

_ALL = (
    Kind("general-vectors", "general-vectors",
         "general-English word vectors distilled from MiniLM (Explore: general and blend spaces)",
         trainer="lyricist.explore.train_general:train_general_vectors",
         loader="lyricist.explore.vectors:load_general_vectors", train_command="general", weight=0.22,
         metric=("wordsim353.spearman", "WordSim-353 ρ", "{:.3f}"),
         summary=(("vocab_size", "vocab_size"), ("dim", "dim"), ("seconds", "seconds"))),
    Kind("embeddings", "embeddings", "word2vec on your songs (Explore: corpus and blend spaces)",
         trainer="lyricist.explore.train:train_embeddings", loader="lyricist.explore.api:load_space",
         needs=("general-vectors",), weight=0.04, metric=("vocab_size", "vocabulary", "{:,}"),
         summary=(("vocab_size", "vocab_size"), ("tokens", "tokens"), ("seconds", "train_seconds")),
         options=(("general", False),)),  # the general vectors are a kind of their own, trained before
    Kind("sentiment-lstm", "sentiment-lstm", "LSTM sentiment classifier over word vectors (Tone)",
         trainer="lyricist.tone.train_lstm:train_lstm", loader="lyricist.tone.scorers:load_lstm",
         needs=("general-vectors", "embeddings"), labels="sentiment", train_command="sentiment", weight=0.08,
         metric=("test_macro_f1", "test macro-F1", "{:.3f}"), summary=_SENTIMENT_SUMMARY),
    Kind("sentiment-transformer", "sentiment-transformer", "fine-tuned MiniLM sentiment classifier (Tone, comments)",
         trainer="lyricist.tone.train_transformer:train_transformer",
         loader="lyricist.tone.scorers:load_transformer", labels="sentiment", train_command="sentiment",
         weight=0.22, metric=("test_macro_f1", "test macro-F1", "{:.3f}"), summary=_SENTIMENT_SUMMARY),
    Kind("mood", "mood", "song mood: happy / angry / sad / relaxed (Tone)",
         trainer="lyricist.tone.train_mood:train_mood", loader="lyricist.tone.mood:load_mood",
         labels="mood", weight=0.08, metric=("cv.macro_f1", "CV macro-F1", "{:.3f}"),
         summary=(("train_macro_f1", "train_macro_f1"), ("cv_macro_f1", "cv.macro_f1"), ("seconds", "train_seconds"))),
    Kind("generator", "generator", "GPT-2 lyric generator with rhyme and syllable control (Draft)",
         trainer="lyricist.drafting.train:train_generator", loader="lyricist.drafting.model:load_generator",
         weight=0.36, metric=("val_ppl", "val perplexity", "{:.1f}"),
         summary=(("val_ppl", "val_ppl"), ("test_ppl", "test_ppl"), ("train_seconds", "train_seconds"))),
)

#: every kind by name, in training order (each after the kinds it needs)
KINDS: dict[str, Kind] = {k.name: k for k in _ALL}

#: words ``lyricist train`` accepts for a group of kinds
ALIASES = {"sentiment": ("sentiment-lstm", "sentiment-transformer"), "lstm": ("sentiment-lstm",),
           "transformer": ("sentiment-transformer",), "general": ("general-vectors",)}


def ordered() -> list[Kind]:
    """Every kind in training order."""
    return list(KINDS.values())


def names() -> tuple[str, ...]:
    """Every kind's name in training order."""
    return tuple(KINDS)


def expand(words: Optional[Sequence[str]]) -> list[str]:
    """Kind names for ``words`` (names or :data:`ALIASES`), in training order; all when None.

    Raises:
        LyricistError: a word that names no kind.
    """
    if words is None:
        return list(KINDS)
    wanted: set[str] = set()
    for w in words:
        if w in ALIASES:
            wanted.update(ALIASES[w])
        elif w in KINDS:
            wanted.add(w)
        else:
            raise LyricistError(f"unknown model kind {w!r}: use {', '.join(KINDS)} (or sentiment)")
    return [k for k in KINDS if k in wanted]


def train_command(kind: Optional[str]) -> str:
    """The ``lyricist train X`` word for ``kind`` (``all`` when unknown or None).

    Example:
        >>> train_command("sentiment-transformer"), train_command(None)
        ('sentiment', 'all')
    """
    k = KINDS.get(kind or "")
    return k.train_command if k else (kind or "all")
