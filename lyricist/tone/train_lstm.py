"""Training the LSTM sentiment classifier: its train config, presets and :func:`train_lstm`.

Word ids come from :func:`lyricist.lang.text.tokens`; the embedding table of
:class:`lyricist.tone.lstm.LSTMClassifier` starts from word2vec vectors
(:mod:`lyricist.tone.vectors`: ``--vectors``, else ``checkpoints/general-vectors``,
else ``checkpoints/embeddings``, else a small word2vec trained on the fly on the
training texts and the bundled songs). Training runs through the shared loop
:func:`lyricist.core.loop.fit` (atomic checkpoints, ``resume=True``), stops
early on the validation macro-F1 and saves ``model.safetensors``,
``vocab.json`` and ``config.json``, which :class:`lyricist.tone.scorers.LSTMScorer` loads.

Example:
    >>> lstm_train_config("tiny", lr=1e-2).lr
    0.01
    >>> train_lstm(["toy.csv"], preset="tiny", out_dir="/tmp/lstm")["test_accuracy"]  # doctest: +SKIP
    0.61
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_write_json, write_config
from lyricist.core.config import SENTIMENT_LABELS, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.loop import LoopConfig, already_finished, finish, fit, seed_everything
from lyricist.core.metrics import macro_f1
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.lang.text import tokens_many
from lyricist.tone.data import LengthGroupedBatches, class_weights, load_labeled
from lyricist.tone.encode import encode_tokens, lstm_probs, pad_ids
from lyricist.tone.measure import final_metrics
from lyricist.tone.vectors import build_vocab, bundled_song_tokens, find_vectors, init_matrix, quick_word2vec, vectors_in


@dataclass
class LSTMTrainConfig:
    """How the LSTM sentiment classifier is trained (the network's shape is in ``LSTMConfig``)."""

    preset: str = "default"
    """Network preset from ``lyricist.tone.lstm.LSTM_PRESETS``."""
    epochs: int = 8
    """Maximum epochs (early stopping usually ends sooner)."""
    batch_size: int = 64
    """Sentences per step."""
    lr: float = 2e-3
    """Peak learning rate."""
    max_len: int = 64
    """Longest input, in word tokens (longer texts are truncated)."""
    min_count: int = 1
    """A training word needs this many occurrences to get its own row."""
    max_vocab: int = 40000
    """Cap on the vocabulary: training words first, then the most frequent words of the vectors."""
    patience: int = 2
    """Epochs without a better validation macro-F1 before stopping."""
    max_examples: int = 0
    """Use at most this many training examples, sampled with the seed (0: all)."""
    min_words: int = 0
    """Train only on texts of at least this many words (0: all)."""
    max_seconds: float = 0.0
    """Stop after this many seconds of training (0: no limit)."""
    w2v_dim: int = 100
    """Width of the word2vec trained on the fly when no vectors are found."""
    seed: int = 0
    """Seed for sampling, initialisation and shuffling."""

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.max_len < 1:
            raise LyricistError("epochs, batch_size and max_len must be positive")
        if self.lr <= 0:
            raise LyricistError(f"lr must be positive, got {self.lr}")



#: Training presets: ``tiny`` for tests (seconds), ``default`` for the bundled corpus, ``full`` for SST-scale data.
LSTM_TRAIN_PRESETS = {
    "tiny": LSTMTrainConfig(preset="tiny", epochs=2, batch_size=16, lr=5e-3, max_len=32, w2v_dim=16, patience=2),
    "default": LSTMTrainConfig(),
    "full": LSTMTrainConfig(preset="full", epochs=6, batch_size=64, lr=1.5e-3, max_len=64, min_count=1,
                            max_vocab=60000, patience=2),
}


def lstm_train_config(preset: str = "default", **overrides) -> LSTMTrainConfig:
    """The LSTM training preset ``preset`` with some fields overridden (``None`` values ignored)."""
    preset_check(preset)
    return replace(LSTM_TRAIN_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


def train_lstm(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
               out_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
               progress: Optional[ProgressFn] = None, resume: bool = False, epochs: int | None = None,
               vectors: str | os.PathLike | None = None,
               text_col: str | None = None, label_col: str | None = None, label_map: dict | None = None,
               max_examples: int | None = None, max_seconds: float | None = None,
               log: Optional[Callable[[str], None]] = None, **overrides) -> dict:
    """Train the LSTM sentiment classifier and write its checkpoint.

    Args:
        paths: labeled data (default: the bundled comments and lyric lines).
        preset: ``tiny``, ``default`` or ``full`` (see :data:`LSTM_TRAIN_PRESETS`).
        out_dir: checkpoint folder (default ``checkpoints/sentiment-lstm``).
        root: checkpoints root to take word vectors from when ``vectors`` is not given
            (its general vectors, else its corpus embeddings; see :func:`lyricist.tone.vectors.vectors_in`).
        progress: ``(fraction, message)`` callback.
        resume: continue an interrupted run from its saved state.
        epochs: override the preset's maximum epochs.
        vectors: word2vec vectors (``.kv`` file or embeddings folder) for the embedding table.
        text_col, label_col, label_map: how to read the data files.
        max_examples: subsample the training rows.
        max_seconds: training time budget.
        log: one-line messages (the CLI prints them on stderr).
        **overrides: any other :class:`LSTMTrainConfig` field (``lr``, ``batch_size``...).
    Returns:
        The metrics written to ``metrics.json`` (validation and test accuracy / macro-F1, times...).

    Example:
        >>> m = train_lstm(["toy.csv"], preset="tiny", out_dir="/tmp/lstm")  # doctest: +SKIP
        >>> sorted(m)[:3]  # doctest: +SKIP
        ['best_epoch', 'coverage', 'epochs_run']
    """
    import torch
    from torch.utils.data import DataLoader

    from lyricist.tone.lstm import LSTMClassifier, LSTMConfig  # (torch)

    if vectors is None and root is not None:
        vectors = vectors_in(root)
    cfg = lstm_train_config(preset, epochs=epochs, max_examples=max_examples, max_seconds=max_seconds, **overrides)
    out_dir = Path(out_dir) if out_dir else checkpoint_dir("sentiment-lstm")
    t_start = time.time()
    report(progress, 0.0, "reading data")
    data = load_labeled(paths, text_col=text_col, label_col=label_col, label_map=label_map,
                        max_train=cfg.max_examples, seed=cfg.seed, min_words=cfg.min_words)
    if log:
        log(f"data: {data.counts()} from {', '.join(data.sources)}")
    report(progress, 0.03, "tokenising")
    split_tokens = {name: list(tokens_many(t for t, _ in getattr(data, name))) for name in ("train", "val", "test")}

    kv, kv_source = find_vectors(vectors)
    if kv is None:
        report(progress, 0.05, "training word2vec")
        extra = bundled_song_tokens()
        kv = quick_word2vec(split_tokens["train"] + extra, dim=cfg.w2v_dim, seed=cfg.seed)
        kv_source = "word2vec trained on the fly (training texts + bundled songs)"
    if log:
        log(f"word vectors: {kv_source} ({len(kv.index_to_key)} words, {kv.vector_size}-d)")
    vocab = build_vocab(split_tokens["train"], kv, cfg.min_count, cfg.max_vocab)
    index = {w: i for i, w in enumerate(vocab)}
    seed_everything(cfg.seed)
    mat, coverage = init_matrix(vocab, kv, kv.vector_size, cfg.seed)
    mcfg = LSTMConfig.preset(cfg.preset, vocab_size=len(vocab), embed_dim=kv.vector_size)
    model = LSTMClassifier(mcfg)
    model.init_embeddings(torch.from_numpy(mat))

    enc = {name: [encode_tokens(t, index, cfg.max_len) for t in split_tokens[name]] for name in split_tokens}
    labels = {name: [y for _, y in getattr(data, name)] for name in ("train", "val", "test")}
    weights = torch.tensor(class_weights(labels["train"]), dtype=torch.float32)
    train_rows = [(ids, y) for ids, y in zip(enc["train"], labels["train"])]

    def collate(batch):
        ids, lengths = pad_ids([b[0] for b in batch])
        return {"input_ids": ids, "lengths": lengths, "labels": torch.tensor([b[1] for b in batch])}

    loader = DataLoader(train_rows, batch_sampler=LengthGroupedBatches([len(r[0]) for r in train_rows],
                                                                       cfg.batch_size, cfg.seed),
                        collate_fn=collate)

    def loss_fn(m, batch):
        return m(**batch, class_weights=weights.to(batch["input_ids"].device)).loss

    def evaluate(m, acc):
        pred = _lstm_predict_ids(m, enc["val"], acc.device)
        f1 = macro_f1(labels["val"], pred)
        return {"score": f1, "val_macro_f1": f1,
                "val_accuracy": float(np.mean(np.array(pred) == np.array(labels["val"])))}

    params = {"model": dataclasses.asdict(mcfg), "train": dataclasses.asdict(cfg), "max_len": cfg.max_len}

    def save(m, folder):
        from safetensors.torch import save_file

        sd = {k: v.detach().float().contiguous().cpu() for k, v in m.state_dict().items()}
        save_file(sd, str(Path(folder) / "model.safetensors"), metadata={"format": "pt"})
        atomic_write_json(Path(folder) / "vocab.json", vocab)
        write_config(folder, "sentiment-lstm", params, fingerprint=data.fingerprint, labels=list(SENTIMENT_LABELS),
                     vocab_size=len(vocab), vectors=kv_source, vector_coverage=round(coverage, 4),
                     data=data.sources, n=data.counts())

    done = already_finished(out_dir, "sentiment-lstm", params, data.fingerprint, resume, progress, log)
    if done is not None:
        return done
    loop = LoopConfig(epochs=cfg.epochs, lr=cfg.lr, patience=cfg.patience, seed=cfg.seed,
                      max_seconds=cfg.max_seconds, weight_decay=0.0, warmup_frac=0.03)
    result = fit(model, loader, cfg=loop, evaluate=evaluate, save=save, out_dir=out_dir, loss_fn=loss_fn,
                 resume=resume, progress=scaled(progress, 0.08, 0.97), log=log)
    metrics = final_metrics("lstm", out_dir, data, result, t_start, extra={"vector_coverage": round(coverage, 4),
                                                                           "vectors": kv_source,
                                                                           "vocab_size": len(vocab)})
    finish(out_dir)
    report(progress, 1.0, "done")
    return metrics


def _lstm_predict_ids(model, rows: Sequence[list[int]], device, batch_size: int = 256) -> list[int]:
    """Arg-max class of each id list (model already in eval mode)."""
    return [int(i) for i in lstm_probs(model, rows, device, batch_size).argmax(1)]
