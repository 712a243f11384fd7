"""Measuring trained sentiment checkpoints: ``metrics.json`` and the ensemble verdict.

:func:`final_metrics` reloads the best checkpoint a trainer saved (through
:func:`lyricist.tone.scorers.load_scorer`, as users will load it) and scores
it on the validation and test rows; :func:`measure_ensemble` compares the
LSTM + transformer ensemble with each model alone, which decides what
``load_scorer("auto")`` picks.

Example:
    >>> measure_ensemble(None, "ck/sentiment-lstm", "ck/sentiment-transformer")["better"]  # doctest: +SKIP
    False
"""

from __future__ import annotations

import time
from pathlib import Path

from lyricist.core.checkpoint import atomic_write_json, read_metrics
from lyricist.core.config import SENTIMENT_LABELS
from lyricist.core.metrics import accuracy, macro_f1
from lyricist.core.progress import is_main_process
from lyricist.tone.data import LabeledData, load_labeled
from lyricist.tone.scorers import load_scorer


def final_metrics(arch: str, out_dir: Path, data: LabeledData, result: dict, t_start: float,
                  extra: dict | None = None) -> dict:
    """Score the saved best model on val and test, and write ``metrics.json`` beside it."""
    scorer = load_scorer(arch, out_dir, reload=True)
    metrics = {"arch": arch, "n_train": len(data.train), "n_val": len(data.val), "n_test": len(data.test),
               "train_seconds": result["train_seconds"], "total_seconds": round(time.time() - t_start, 2),
               "best_epoch": result["best_epoch"], "epochs_run": result["epochs_run"],
               "stopped": result["stopped"], "mixed_precision": result["mixed_precision"],
               "device": result["device"], "history": result["history"], "data": data.sources, **(extra or {})}
    for name in ("val", "test"):
        rows = getattr(data, name)
        if not rows:
            continue
        t0 = time.perf_counter()
        probs = scorer.predict_proba([t for t, _ in rows])
        ms = 1000 * (time.perf_counter() - t0) / len(rows)
        gold = [SENTIMENT_LABELS[y] for _, y in rows]
        pred = [SENTIMENT_LABELS[i] for i in probs.argmax(1)]
        metrics[f"{name}_accuracy"] = round(accuracy(gold, pred), 4)
        metrics[f"{name}_macro_f1"] = round(macro_f1(gold, pred), 4)
        metrics[f"{name}_ms_per_item"] = round(ms, 3)
    metrics["processes"] = result.get("processes", 1)
    if is_main_process():
        atomic_write_json(Path(out_dir) / "metrics.json", metrics)
    return metrics


def measure_ensemble(paths, lstm_dir, transformer_dir, *, text_col=None, label_col=None) -> dict:
    """Compare the ensemble with each member on the validation split; record the verdict in both metrics.json.

    :func:`lyricist.tone.scorers.load_scorer` with ``kind="auto"`` uses the
    ensemble only where this found it better than the transformer alone.
    """
    data = load_labeled(paths, text_col=text_col, label_col=label_col)
    texts = [t for t, _ in data.val]
    gold = [SENTIMENT_LABELS[y] for _, y in data.val]
    lstm, tr = load_scorer("lstm", lstm_dir, reload=True), load_scorer("transformer", transformer_dir, reload=True)
    p_l, p_t = lstm.predict_proba(texts), tr.predict_proba(texts)
    scores = {}
    for name, p in (("lstm", p_l), ("transformer", p_t), ("ensemble", (p_l + p_t) / 2)):
        scores[name] = round(macro_f1(gold, [SENTIMENT_LABELS[i] for i in p.argmax(1)]), 4)
    verdict = {"val_macro_f1": scores, "better": scores["ensemble"] > max(scores["lstm"], scores["transformer"]),
               "lstm_dir": str(lstm_dir), "transformer_dir": str(transformer_dir), "n_val": len(texts)}
    for folder in (lstm_dir, transformer_dir):
        m = read_metrics(folder)
        m["ensemble"] = verdict
        atomic_write_json(Path(folder) / "metrics.json", m)
    return verdict
