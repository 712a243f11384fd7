"""Known-answer tests of the metric helpers in lyricist.core.metrics."""

import pytest

from lyricist.core import metrics as ev


def test_accuracy_and_macro_f1_known_answers():
    gold = ["neg", "neg", "pos", "pos", "neu"]
    pred = ["neg", "pos", "pos", "pos", "neg"]
    assert ev.accuracy(gold, pred) == pytest.approx(0.6)
    # neg: P 1/2 R 1/2 F 0.5; pos: P 2/3 R 1 F 0.8; neu: 0 -> mean 0.4333
    assert ev.macro_f1(gold, pred) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert ev.macro_f1(gold, gold) == 1.0


def test_macro_f1_averages_only_gold_labels_by_default():
    gold = ["negative", "positive"]
    pred = ["negative", "neutral"]
    # positive F1 = 0, negative F1 = 1; neutral is absent from gold and left out of the mean
    assert ev.macro_f1(gold, pred) == pytest.approx(0.5)


def test_confusion_and_report_shape():
    gold = ["a", "b", "b", "c"]
    pred = ["a", "b", "a", "c"]
    assert ev.confusion(gold, pred, ["a", "b", "c"]) == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    r = ev.classification_report(gold, pred, ["a", "b", "c"], ms_per_item=1.23456)
    assert set(r) == {"n", "accuracy", "macro_f1", "per_class", "confusion", "labels", "ms_per_item"}
    assert r["per_class"]["b"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert r["ms_per_item"] == 1.235


def test_length_mismatch_raises():
    with pytest.raises(ValueError):
        ev.accuracy([1, 2], [1])


def test_latency_helpers_and_bootstrap():
    assert ev.ms_per_item(lambda xs: sorted(xs), list(range(1000)), repeats=3) >= 0
    assert ev.median_ms(lambda: None, runs=3) >= 0
    lo, hi = ev.bootstrap_ci([1] * 50 + [0] * 50, [1] * 100, n=100)
    assert 0.35 < lo <= hi < 0.65
