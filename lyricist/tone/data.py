"""Labeled sentiment data for training: the splits, class weights and length-grouped batches.

:func:`load_labeled` reads labeled texts with :func:`lyricist.lang.corpus.read_texts`
(labels normalised to negative / neutral / positive) into the rows of each
deterministic split, as ``(text, label_id)`` with ids from :data:`LABEL2ID`.
By default it reads the bundled ``corpora/comments.csv`` plus
``corpora/lines.csv``; the ``test`` split of ``lines.csv`` is never trained on
and is the in-domain test set.

Example:
    >>> LABEL2ID
    {'negative': 0, 'neutral': 1, 'positive': 2}
    >>> batches = list(LengthGroupedBatches([3, 1, 2, 5], batch_size=2))
    >>> sorted(i for b in batches for i in b)
    [0, 1, 2, 3]
"""

from __future__ import annotations

import math
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from lyricist.core.config import SENTIMENT_LABELS, bundled_corpus
from lyricist.core.errors import LyricistError
from lyricist.lang.corpus import fingerprint, read_texts

LABEL2ID = {lab: i for i, lab in enumerate(SENTIMENT_LABELS)}


@dataclass
class LabeledData:
    """Texts and label ids of each split, plus where they came from."""

    train: list = field(default_factory=list)
    val: list = field(default_factory=list)
    test: list = field(default_factory=list)
    fingerprint: str = ""
    sources: list = field(default_factory=list)

    def counts(self) -> dict:
        return {name: len(getattr(self, name)) for name in ("train", "val", "test")}


def default_sentiment_paths() -> list[Path]:
    """The bundled training data: ``corpora/comments.csv`` and ``corpora/lines.csv``."""
    root = bundled_corpus()
    paths = [p for p in (root / "comments.csv", root / "lines.csv") if p.exists()]
    if not paths:
        raise LyricistError(f"the bundled corpus is missing from {root}: reinstall lyricist or pass --corpus")
    return paths


def load_labeled(paths: Sequence[str | os.PathLike] | None = None, *, text_col: str | None = None,
                 label_col: str | None = None, label_map: dict | None = None, max_train: int = 0,
                 seed: int = 0, min_words: int = 0) -> LabeledData:
    """Read labeled sentiment texts and split them by their deterministic split.

    Args:
        paths: files or folders (CSV/TSV/JSONL, .gz); default :func:`default_sentiment_paths`.
        text_col, label_col, label_map: passed to :func:`lyricist.lang.corpus.read_texts`.
        max_train: keep a random sample of at most this many training rows (0: all).
        seed: seed of that sample.
        min_words: drop training rows (only) with fewer whitespace-separated words.
    Returns:
        :class:`LabeledData` whose splits are lists of ``(text, label_id)``.
    """
    paths = [Path(p) for p in (paths or default_sentiment_paths())]
    data = LabeledData(fingerprint=fingerprint(paths), sources=[str(p) for p in paths])
    for rec in read_texts(paths, text_col=text_col, label_col=label_col, label_map=label_map, kind="sentiment"):
        if rec.label not in LABEL2ID:
            continue
        getattr(data, rec.split if rec.split in ("train", "val", "test") else "train").append(
            (rec.text, LABEL2ID[rec.label]))
    if not data.train:
        raise LyricistError("no labeled training texts found in " + ", ".join(data.sources) +
                            ": each row needs a text and a sentiment label (see --text-col/--label-col)")
    if not data.val:  # tiny corpora: carve a validation share out of train
        rng = random.Random(seed)
        rng.shuffle(data.train)
        k = max(1, len(data.train) // 10)
        data.val, data.train = data.train[:k], data.train[k:]
    if min_words:
        data.train = [row for row in data.train if len(row[0].split()) >= min_words]
        if not data.train:
            raise LyricistError(f"no training text has {min_words} words or more: lower --min-words")
    if max_train and len(data.train) > max_train:
        rng = random.Random(seed)
        data.train = rng.sample(data.train, max_train)
    return data


def class_weights(labels: Sequence[int], n_classes: int = 3) -> list[float]:
    """Inverse-frequency weights, square-rooted and scaled to mean 1 over the classes present.

    Classes absent from the training data get weight 0 (they never occur as targets anyway).

    Example:
        >>> [round(w, 3) for w in class_weights([0, 0, 0, 2])]
        [0.732, 0.0, 1.268]
    """
    counts = Counter(labels)
    raw = [1.0 / math.sqrt(counts[c]) if counts[c] else 0.0 for c in range(n_classes)]
    present = [w for w in raw if w > 0]
    mean = sum(present) / len(present) if present else 1.0
    return [w / mean for w in raw]


class LengthGroupedBatches:
    """Batches of similar length (less padding), reshuffled every epoch.

    Shuffles the indices, cuts them into pools of ``50 * batch_size``, sorts each
    pool by length, cuts batches and shuffles the batches, as ``group_by_length``
    in transformers does. Iterating again gives a new order (epoch counter).
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 0):
        self.lengths, self.batch_size, self.seed, self.epoch = list(lengths), batch_size, seed, 0

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass epoch ``epoch``'s order (it depends on the seed and epoch only)."""
        self.epoch = epoch

    def __iter__(self):
        rng = random.Random(self.seed * 1000 + self.epoch)
        self.epoch += 1
        idx = list(range(len(self.lengths)))
        rng.shuffle(idx)
        pool = 50 * self.batch_size
        batches = []
        for s in range(0, len(idx), pool):
            chunk = sorted(idx[s:s + pool], key=lambda i: self.lengths[i])
            batches += [chunk[b:b + self.batch_size] for b in range(0, len(chunk), self.batch_size)]
        rng.shuffle(batches)
        yield from batches

