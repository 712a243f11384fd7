"""Evaluation on labeled files: sentiment scorers on labeled texts, the mood model on labeled songs.

Both return the report of :func:`lyricist.core.metrics.classification_report`
(accuracy, macro-F1, per-class scores, confusion, ms per item) plus which
model was scored on which data.

Example:
    >>> evaluate_sentiment("sst2/dev.tsv", scorer="lexicon")["accuracy"]  # doctest: +SKIP
    0.69
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Optional

from lyricist.core.config import MOOD_LABELS, SENTIMENT_LABELS, checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.metrics import classification_report
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.lang.corpus import read_texts
from lyricist.tone.mood import load_mood, load_mood_songs, quadrant_predict, song_features
from lyricist.tone.scorers import POLAR, load_scorer


def evaluate_sentiment(data: str | os.PathLike, text_col: str | None = None, label_col: str | None = None,
                       model: str | os.PathLike | None = None, scorer: str = "auto", *, split: str = "all",
                       label_map: dict | None = None, progress: Optional[ProgressFn] = None) -> dict:
    """Accuracy, macro-F1, per-class scores and confusion of a scorer on a labeled file.

    When the gold labels are only ``negative``/``positive`` (SST-2, for
    instance) the prediction is the arg-max of p(negative), p(positive): a
    3-class model is scored on the two polar classes.

    Args:
        data: labeled CSV/TSV/JSONL (numeric labels are normalised, see ``corpus.normalize_label``).
        text_col, label_col, label_map: how to read it.
        model: a sentiment checkpoint folder; else ``scorer`` from ./checkpoints.
        scorer: ``auto``, ``lexicon``, ``lstm``, ``transformer`` or ``ensemble``.
        split: ``all``, or only the rows of the deterministic ``train``/``val``/``test`` split.
    Returns:
        ``{"n","accuracy","macro_f1","per_class","confusion","labels","ms_per_item","polar","model","data","split"}``

    Example:
        >>> evaluate_sentiment("sst2/dev.tsv", scorer="lexicon")["polar"]  # doctest: +SKIP
        True
    """
    if split not in ("all", "train", "val", "test"):
        raise LyricistError(f"unknown split {split!r}: use all, train, val or test")
    path = Path(data)
    if not path.exists():
        raise LyricistError(f"no such file: {path} (check --data)")
    texts, gold = [], []
    for rec in read_texts([path], text_col=text_col, label_col=label_col, label_map=label_map, kind="sentiment",
                          dedup=False):  # score every row of a benchmark file
        if rec.label in SENTIMENT_LABELS and (split == "all" or rec.split == split):
            texts.append(rec.text)
            gold.append(rec.label)
    if not texts:
        raise LyricistError(f"no labeled texts in {path}" + (f" (split {split})" if split != "all" else "") +
                            ": each row needs a text and a sentiment label (see --text-col/--label-col)")
    sc = load_scorer("auto" if model else scorer, model)
    polar = set(gold) <= set(POLAR)
    report(progress, 0.05, f"scoring {len(texts):,} texts")
    t0 = time.perf_counter()
    preds = []
    for s in range(0, len(texts), 512):
        preds += [r["label"] for r in sc.predict(texts[s:s + 512], polar=polar)]
        report(progress, 0.05 + 0.95 * len(preds) / len(texts), f"{len(preds):,}/{len(texts):,}")
    ms = 1000 * (time.perf_counter() - t0) / len(texts)
    res = classification_report(gold, preds, list(POLAR) if polar else list(SENTIMENT_LABELS), ms_per_item=ms)
    res.update(polar=polar, model=f"{sc.name} ({sc.source})", data=str(path), split=split)
    return res


def evaluate_mood(data: str | os.PathLike, text_col: str | None = None, label_col: str | None = None,
                  model: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None) -> dict:
    """Accuracy, macro-F1, per-class scores and confusion of the mood model on labeled songs.

    Without a trained mood model, the quadrant rule (lexicon baseline) is evaluated, and ``model`` says so.

    Example:
        >>> evaluate_mood("nju_musicmood_train.csv")["labels"]  # doctest: +SKIP
        ['happy', 'angry', 'sad', 'relaxed']
    """
    path = Path(data)
    if not path.exists():
        raise LyricistError(f"no such file or folder: {path} (check --data)")
    lines, gold, _, _ = load_mood_songs([path], text_col=text_col, label_col=label_col, dedup=False)
    folder = checkpoint_dir("mood", model)
    t0 = time.perf_counter()
    if (folder / "config.json").is_file() or model:
        m = load_mood(folder)
        report(progress, 0.05, f"{len(gold)} songs")
        X, _ = song_features(lines, m.cfg, progress=scaled(progress, 0.05, 0.95))
        pred = [m.labels[i] for i in m.proba(X).argmax(1)]
        name = f"mood model ({folder})"
    else:
        pred = quadrant_predict(lines)
        name = "quadrant rule (VADER valence x arousal words; no trained mood model)"
    ms = 1000 * (time.perf_counter() - t0) / len(gold)
    res = classification_report(gold, pred, list(MOOD_LABELS), ms_per_item=ms)
    res.update(model=name, data=str(path))
    report(progress, 1.0, "done")
    return res
