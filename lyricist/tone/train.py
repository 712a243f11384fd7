"""Training of the two neural sentiment classifiers, the LSTM and the transformer, alone or both.

Both read labeled texts with :func:`lyricist.tone.data.load_labeled` (labels
normalised to negative / neutral / positive), train on the rows whose
deterministic split is ``train``, stop early on the macro-F1 of the ``val``
rows, and report the ``test`` rows in ``metrics.json``
(:func:`lyricist.tone.measure.final_metrics`). Both train through the shared
accelerate loop :func:`lyricist.core.loop.fit`, so checkpoints are atomic and
an interrupted run continues with ``resume=True``.

- :func:`lyricist.tone.train_lstm.train_lstm`: the (bi)LSTM over word2vec
  vectors, saved as ``model.safetensors``, ``vocab.json`` and ``config.json``;
- :func:`lyricist.tone.train_transformer.train_transformer`: MiniLM fine-tuned,
  saved with ``save_pretrained``.

:func:`train_sentiment` trains one or both; with both it then measures their
ensemble (:func:`lyricist.tone.measure.measure_ensemble`). All three trainers
take the data ``paths`` first and everything else by keyword.

Default data (no paths): the bundled ``corpora/comments.csv`` plus
``corpora/lines.csv``; the ``test`` split of ``lines.csv`` is never trained
on and is the in-domain test set.

Example:
    >>> train_sentiment(preset="tiny", arch="lstm", out_dir="/tmp/lstm")["lstm"]["arch"]  # doctest: +SKIP
    'lstm'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional, Sequence

from lyricist.core.config import checkpoints_root
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.tone.measure import measure_ensemble
from lyricist.tone.train_lstm import train_lstm
from lyricist.tone.train_transformer import train_transformer


def train_sentiment(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
                    out_dir: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
                    resume: bool = False, arch: str = "both", base_model: str | None = None,
                    epochs: int | None = None, vectors: str | os.PathLike | None = None, text_col: str | None = None,
                    label_col: str | None = None, max_examples: int | None = None,
                    max_seconds: float | None = None, min_words: int | None = None,
                    lr: float | None = None, log: Optional[Callable[[str], None]] = None) -> dict:
    """Train the LSTM, the transformer, or both (then measure their ensemble on validation).

    Args:
        out_dir: for one arch, that model's folder; for ``both``, a root folder that
            gets ``sentiment-lstm/`` and ``sentiment-transformer/`` (default ``checkpoints/``).
        arch: ``lstm``, ``transformer`` or ``both``.
        lr: override the preset's peak learning rate (for instance a lower one to continue
            fine-tuning a checkpoint passed as ``base_model``).
        Other arguments: as in :func:`lyricist.tone.train_lstm.train_lstm` and
            :func:`lyricist.tone.train_transformer.train_transformer`.
    Returns:
        ``{"lstm": metrics, "transformer": metrics, "ensemble": {...}}`` (the parts trained).

    Example:
        >>> train_sentiment(preset="tiny", arch="both", out_dir="/tmp/ck")["ensemble"]["better"]  # doctest: +SKIP
        False
    """
    if arch not in ("lstm", "transformer", "both"):
        raise LyricistError(f"unknown --arch {arch!r}: use lstm, transformer or both")
    common = dict(text_col=text_col, label_col=label_col, max_examples=max_examples, max_seconds=max_seconds,
                  log=log, epochs=epochs, resume=resume, min_words=min_words)
    if lr is not None:
        common["lr"] = lr
    result: dict = {}
    if arch == "lstm":
        result["lstm"] = train_lstm(paths, preset=preset, out_dir=out_dir, progress=progress, vectors=vectors,
                                    **common)
        return result
    if arch == "transformer":
        result["transformer"] = train_transformer(paths, preset=preset, out_dir=out_dir, progress=progress,
                                                  base_model=base_model, **common)
        return result
    root = Path(out_dir) if out_dir else checkpoints_root()
    lstm_dir, tr_dir = root / "sentiment-lstm", root / "sentiment-transformer"
    result["lstm"] = train_lstm(paths, preset=preset, out_dir=lstm_dir, progress=scaled(progress, 0.0, 0.3),
                                vectors=vectors, **common)
    result["transformer"] = train_transformer(paths, preset=preset, out_dir=tr_dir,
                                              progress=scaled(progress, 0.3, 0.97), base_model=base_model,
                                              **common)
    result["ensemble"] = measure_ensemble(paths, lstm_dir, tr_dir, text_col=text_col, label_col=label_col)
    report(progress, 1.0, "done")
    return result
