"""Training the song-mood classifier: the logistic regression fit, k-fold cross-validation, train_mood.

The features and the fitted model (:class:`lyricist.tone.mood.MoodModel`,
plain numpy arrays) live in :mod:`lyricist.tone.mood`; this module adds
scikit-learn's solver, stratified cross-validation and :func:`train_mood`,
which writes the checkpoint that :func:`lyricist.tone.mood.predict_mood` loads.

Example (lexicon features, a second or two):
    >>> train_mood(preset="tiny", out_dir="/tmp/mood")["features"]  # doctest: +SKIP
    'lexicon'
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_dir, atomic_write_json
from lyricist.core.config import MOOD_LABELS, checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.metrics import accuracy, macro_f1
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.tone.mood import MoodConfig, MoodModel, load_mood_songs, mood_config, save_mood, song_features


def fit_logreg(X: np.ndarray, y: Sequence[str], cfg: MoodConfig, names: list[str]) -> MoodModel:
    """Standardise ``X`` and fit a balanced multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(0)
    scale = X.std(0)
    scale[scale < 1e-8] = 1.0
    clf = LogisticRegression(C=cfg.C, max_iter=cfg.max_iter, class_weight="balanced")
    clf.fit((X - mean) / scale, list(y))
    labels = [str(c) for c in clf.classes_]
    coef, intercept = clf.coef_, clf.intercept_
    if len(labels) == 2:  # sklearn keeps one row for two classes: p(second) = sigmoid(z); softmax([0, z]) is the same
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return MoodModel(coef=coef.astype(np.float32), intercept=intercept.astype(np.float32),
                     mean=mean.astype(np.float32), scale=scale.astype(np.float32), labels=labels, cfg=cfg,
                     feature_names=list(names))


def cross_validate(X: np.ndarray, y: Sequence[str], cfg: MoodConfig, folds: int = 5) -> dict:
    """Stratified k-fold macro-F1 and accuracy of the logistic regression on features ``X``.

    Returns ``{"folds", "macro_f1", "macro_f1_std", "accuracy", "per_fold": [...]}``.
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(list(y))
    k = min(folds, int(min(np.unique(y, return_counts=True)[1])))
    if k < 2:
        raise LyricistError("too few songs per mood for cross-validation: need at least 2 of each")
    f1s, accs = [], []
    for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=cfg.seed).split(X, y):
        m = fit_logreg(X[tr], y[tr], cfg, [])
        pred = [m.labels[i] for i in m.proba(X[te]).argmax(1)]
        f1s.append(macro_f1(list(y[te]), pred))
        accs.append(accuracy(list(y[te]), pred))
    return {"folds": k, "macro_f1": round(float(np.mean(f1s)), 4), "macro_f1_std": round(float(np.std(f1s)), 4),
            "accuracy": round(float(np.mean(accs)), 4), "per_fold": [round(f, 4) for f in f1s]}


def train_mood(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
               out_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
               epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None,
               text_col: str | None = None, label_col: str | None = None, folds: int | None = None,
               log: Optional[Callable[[str], None]] = None, **overrides) -> dict:
    """Train the song-mood classifier, report its k-fold CV score, and save it.

    Args:
        paths: labeled songs (default: the bundled ``corpora/songs``); a CSV needs a lyrics and a mood column.
        preset: ``tiny`` (lexicon features), ``default`` or ``full``.
        out_dir: checkpoint folder (default ``checkpoints/mood``).
        root, epochs, resume: taken by every trainer (:mod:`lyricist.core.kinds`); the mood model
            needs no other model, has no epochs (a logistic regression, seconds) and so nothing to resume.
        progress: ``(fraction, message)`` callback.
        text_col, label_col: columns of a CSV.
        folds: cross-validation folds reported in metrics.json (0 to skip; default 3 at preset ``tiny``, else 5).
        **overrides: any :class:`MoodConfig` field (``features``, ``C``...).
    Returns:
        The metrics written to ``metrics.json``.

    Example:
        >>> train_mood(preset="tiny", out_dir="/tmp/mood")["n"]  # doctest: +SKIP
        88
    """
    cfg = mood_config(preset, **overrides)
    out_dir = Path(out_dir) if out_dir else checkpoint_dir("mood")
    t0 = time.time()
    report(progress, 0.0, "reading songs")
    lines, moods, fp, sources = load_mood_songs(paths, text_col=text_col, label_col=label_col)
    if log:
        log(f"{len(moods)} songs: " + ", ".join(f"{m} {moods.count(m)}" for m in MOOD_LABELS))
    X, names = song_features(lines, cfg, progress=scaled(progress, 0.02, 0.85))
    if folds is None:
        folds = 3 if preset == "tiny" else 5
    cv = cross_validate(X, moods, cfg, folds) if folds and folds > 1 else None
    report(progress, 0.9, "fitting")
    model = fit_logreg(X, moods, cfg, names)
    pred = [model.labels[i] for i in model.proba(X).argmax(1)]
    metrics = {"n": len(moods), "counts": {m: moods.count(m) for m in MOOD_LABELS}, "features": cfg.features,
               "n_features": X.shape[1], "train_accuracy": round(accuracy(moods, pred), 4),
               "train_macro_f1": round(macro_f1(moods, pred), 4), "cv": cv,
               "train_seconds": round(time.time() - t0, 2), "data": sources}
    with atomic_dir(out_dir) as tmp:
        save_mood(model, tmp, fingerprint=fp, data=sources, n=len(moods))
        atomic_write_json(tmp / "metrics.json", metrics)
    if log and cv:
        log(f"{cv['folds']}-fold CV macro-F1 {cv['macro_f1']:.3f} ± {cv['macro_f1_std']:.3f}")
    report(progress, 1.0, "done")
    return metrics
