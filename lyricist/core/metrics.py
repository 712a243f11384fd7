"""Metrics and benchmark helpers: plain functions over lists and numpy arrays.

Classification: :func:`accuracy`, :func:`macro_f1`, :func:`per_class`,
:func:`confusion`, :func:`classification_report` (the JSON shape of
``lyricist eval sentiment|mood``). Latency: :func:`ms_per_item`,
:func:`median_ms`. Nothing here loads a model or reads a file, so every
number can be recomputed from saved predictions.

Example:
    >>> gold = ["pos", "neg", "pos", "neg"]
    >>> pred = ["pos", "pos", "pos", "neg"]
    >>> accuracy(gold, pred)
    0.75
    >>> round(macro_f1(gold, pred), 4)
    0.7333
    >>> confusion(gold, pred, ["neg", "pos"])
    [[1, 1], [0, 2]]
"""

from __future__ import annotations

import statistics
import time
from typing import Callable, Hashable, Iterable, Sequence

import numpy as np


def _labels_of(gold: Sequence, pred: Sequence, labels: Sequence | None) -> list:
    if labels is not None:
        return list(labels)
    seen: list = []
    for y in list(gold) + list(pred):
        if y not in seen:
            seen.append(y)
    try:
        return sorted(seen)
    except TypeError:
        return seen


def _check(gold: Sequence, pred: Sequence) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length: {len(gold)} vs {len(pred)}")


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Share of items where ``pred == gold`` (0.0 for no items).

    Example:
        >>> accuracy([1, 0, 1], [1, 1, 1])
        0.6666666666666666
    """
    _check(gold, pred)
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, pred)) / len(gold)


def confusion(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence | None = None) -> list[list[int]]:
    """Confusion matrix as nested lists: ``m[i][j]`` = items of gold ``labels[i]`` predicted ``labels[j]``.

    Predictions outside ``labels`` are not counted (their row total falls short).

    Example:
        >>> confusion(["a", "b", "b"], ["a", "a", "b"], ["a", "b"])
        [[1, 0], [1, 1]]
    """
    _check(gold, pred)
    labels = _labels_of(gold, pred, labels)
    index = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for g, p in zip(gold, pred):
        if g in index and p in index:
            m[index[g], index[p]] += 1
    return m.tolist()


def per_class(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence | None = None) -> dict:
    """Precision, recall, F1 and support of each label (0.0 where undefined).

    Example:
        >>> per_class(["a", "b"], ["a", "a"], ["a", "b"])["a"]
        {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'support': 1}
    """
    _check(gold, pred)
    labels = _labels_of(gold, pred, labels)
    out = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        n_pred = sum(p == lab for p in pred)
        n_gold = sum(g == lab for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": n_gold}
    return out


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence | None = None) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (default: the labels present in gold).

    Labels absent from gold are left out of the mean by default, so a binary
    data set scored by a 3-class model is averaged over its two classes.

    Example:
        >>> macro_f1(["a", "a", "b", "b"], ["a", "a", "b", "a"])
        0.7333333333333334
    """
    _check(gold, pred)
    if labels is None:
        labels = _labels_of(gold, [], None)
    if not labels:
        return 0.0
    f1s = []
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        n_pred = sum(p == lab for p in pred)
        n_gold = sum(g == lab for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return float(sum(f1s) / len(f1s))


def classification_report(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence | None = None,
                          ms_per_item: float | None = None) -> dict:
    """The ``lyricist eval`` JSON: n, accuracy, macro_f1, per_class, confusion, labels, ms_per_item.

    ``labels`` fixes the order of ``per_class`` and ``confusion``; macro-F1
    averages over the labels that occur in ``gold``.

    Example:
        >>> r = classification_report(["a", "b"], ["a", "b"], ["a", "b"])
        >>> r["accuracy"], r["macro_f1"], r["confusion"]
        (1.0, 1.0, [[1, 0], [0, 1]])
    """
    labels = _labels_of(gold, pred, labels)
    present = [lab for lab in labels if lab in set(gold)]
    return {"n": len(gold), "accuracy": round(accuracy(gold, pred), 4),
            "macro_f1": round(macro_f1(gold, pred, present), 4),
            "per_class": per_class(gold, pred, labels), "confusion": confusion(gold, pred, labels),
            "labels": list(labels), "ms_per_item": None if ms_per_item is None else round(ms_per_item, 3)}


def ms_per_item(fn: Callable[[Sequence], object], items: Sequence, repeats: int = 1) -> float:
    """Wall-clock milliseconds per item of ``fn(items)``, the median over ``repeats`` calls.

    Example:
        >>> ms_per_item(lambda xs: [x * 2 for x in xs], list(range(100))) >= 0
        True
    """
    if not items:
        return 0.0
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn(items)
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times) / len(items)


def median_ms(fn: Callable[[], object], runs: int = 10, warmup: int = 1) -> float:
    """Median wall-clock milliseconds of ``fn()`` over ``runs`` calls after ``warmup`` calls.

    Example:
        >>> median_ms(lambda: sum(range(10)), runs=3) >= 0
        True
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def bootstrap_ci(gold: Sequence, pred: Sequence, metric: Callable[[Sequence, Sequence], float] = accuracy,
                 n: int = 1000, seed: int = 0, alpha: float = 0.05) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``metric`` (default 95% for accuracy).

    Example:
        >>> lo, hi = bootstrap_ci([1, 0, 1, 1], [1, 0, 0, 1], n=200)
        >>> 0.0 <= lo <= hi <= 1.0
        True
    """
    _check(gold, pred)
    rng = np.random.default_rng(seed)
    gold, pred = list(gold), list(pred)
    scores = []
    for _ in range(n):
        idx = rng.integers(0, len(gold), len(gold))
        scores.append(metric([gold[i] for i in idx], [pred[i] for i in idx]))
    return float(np.quantile(scores, alpha / 2)), float(np.quantile(scores, 1 - alpha / 2))


def mean(values: Iterable[float]) -> float:
    """Mean of ``values`` (0.0 when empty)."""
    values = list(values)
    return float(sum(values) / len(values)) if values else 0.0


# ----------------------------------------------------------------- language models
def perplexity(total_nll: float, n_tokens: int) -> float:
    """``exp(total NLL / tokens)``: the perplexity of a language model on held-out text.

    Example:
        >>> round(perplexity(2 * 0.6931471805599453, 2), 4)
        2.0
    """
    import math

    if n_tokens <= 0:
        return float("nan")
    return float(math.exp(min(total_nll / n_tokens, 50.0)))
