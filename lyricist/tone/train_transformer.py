"""Fine-tuning the transformer sentiment classifier: its train config, presets and :func:`train_transformer`.

``AutoModelForSequenceClassification`` on the bundled MiniLM (or any
``base_model`` folder or hub id; ``tiny_random`` builds a 2-layer BERT for
tests), dynamic padding with length-grouped batches, class-weighted loss,
bf16 autocast where the hardware supports it, through the shared loop
:func:`lyricist.core.loop.fit`. Saved with ``save_pretrained`` (``id2label``
set), so ``transformers.pipeline("text-classification", model=DIR)`` loads
it; :func:`merge_lyricist_config` adds the lyricist fields (kind,
fingerprint, params) to the same ``config.json``.

Example:
    >>> transformer_train_config("full").epochs
    2
    >>> train_transformer(["toy.csv"], preset="tiny", out_dir="/tmp/tr")["val_macro_f1"]  # doctest: +SKIP
    0.42
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import FORMAT_VERSION, atomic_write_json
from lyricist.core.config import SENTIMENT_LABELS, VERSION, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.hf import MINILM, minilm_path, quiet_transformers
from lyricist.core.loop import LoopConfig, already_finished, finish, fit, seed_everything
from lyricist.core.metrics import macro_f1
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.tone.data import LABEL2ID, LengthGroupedBatches, class_weights, load_labeled
from lyricist.tone.encode import pad_pieces, transformer_probs
from lyricist.tone.measure import final_metrics


@dataclass
class TransformerTrainConfig:
    """How the transformer sentiment classifier is fine-tuned."""

    base_model: str = ""
    """Folder or hub id of the pretrained encoder ('' = the bundled MiniLM)."""
    tiny_random: bool = False
    """Build a tiny randomly initialised BERT (2 layers, width 32) with the base tokenizer (tests only)."""
    epochs: int = 4
    """Maximum epochs."""
    batch_size: int = 32
    """Sentences per step."""
    lr: float = 5e-5
    """Peak learning rate."""
    max_len: int = 128
    """Longest input, in word pieces."""
    class_weights: bool = True
    """Weight the loss by inverse class frequency (square-rooted), for skewed data."""
    patience: int = 2
    """Epochs without a better validation macro-F1 before stopping."""
    max_examples: int = 0
    """Use at most this many training examples, sampled with the seed (0: all)."""
    min_words: int = 0
    """Train only on texts of at least this many words (SST-2 train is mostly short phrases; 0: all)."""
    max_seconds: float = 0.0
    """Stop after this many seconds of training (0: no limit)."""
    warmup_frac: float = 0.06
    """Share of the steps spent warming the learning rate up."""
    seed: int = 0
    """Seed for sampling, initialisation and shuffling."""

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.max_len < 8:
            raise LyricistError("epochs and batch_size must be positive and max_len at least 8")
        if self.lr <= 0:
            raise LyricistError(f"lr must be positive, got {self.lr}")



#: Training presets: ``tiny`` (a random tiny BERT, for tests), ``default`` and ``full`` (as for the LSTM).
TRANSFORMER_TRAIN_PRESETS = {
    "tiny": TransformerTrainConfig(tiny_random=True, epochs=1, batch_size=16, lr=1e-3, max_len=32),
    "default": TransformerTrainConfig(),
    "full": TransformerTrainConfig(epochs=2, batch_size=32, lr=6e-5, max_len=64, patience=1),
}


def transformer_train_config(preset: str = "default", **overrides) -> TransformerTrainConfig:
    """The transformer training preset ``preset`` with some fields overridden (``None`` values ignored)."""
    preset_check(preset)
    return replace(TRANSFORMER_TRAIN_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


def load_base(cfg: TransformerTrainConfig):
    """Tokenizer and a fresh 3-class sequence classifier on ``cfg.base_model`` (or a tiny random BERT)."""
    quiet_transformers()
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification

    base = minilm_path(cfg.base_model)
    id2label = {i: lab for i, lab in enumerate(SENTIMENT_LABELS)}
    try:
        tok = AutoTokenizer.from_pretrained(base)
        if cfg.tiny_random:
            conf = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=max(64, cfg.max_len),
                              num_labels=3, id2label=id2label, label2id=LABEL2ID)
            model = BertForSequenceClassification(conf)
        else:
            model = AutoModelForSequenceClassification.from_pretrained(
                base, num_labels=3, id2label=id2label, label2id=LABEL2ID, ignore_mismatched_sizes=True)
    except (OSError, ValueError) as e:
        first = str(e).strip().splitlines()[0][:160] if str(e).strip() else e.__class__.__name__
        raise LyricistError(f"cannot load base model {base!r} ({first}): pass a local model folder with "
                            f"--base-model (hub ids need internet access)") from None
    model.config.problem_type = "single_label_classification"
    return tok, model, base


def train_transformer(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
                      out_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
                      progress: Optional[ProgressFn] = None, resume: bool = False,
                      base_model: str | None = None, epochs: int | None = None,
                      text_col: str | None = None, label_col: str | None = None, label_map: dict | None = None,
                      max_examples: int | None = None, max_seconds: float | None = None,
                      log: Optional[Callable[[str], None]] = None, **overrides) -> dict:
    """Fine-tune a transformer sentiment classifier and write a ``save_pretrained`` checkpoint.

    Args:
        paths: labeled data (default: the bundled comments and lyric lines).
        preset: ``tiny`` (random tiny BERT, for tests), ``default`` or ``full``.
        out_dir: checkpoint folder (default ``checkpoints/sentiment-transformer``).
        root: taken by every trainer (:mod:`lyricist.core.kinds`); the transformer needs no other model.
        base_model: folder or hub id to start from (default: the bundled MiniLM).
        progress, resume, epochs, text_col, label_col, label_map, max_examples, max_seconds, log:
            as in :func:`lyricist.tone.train_lstm.train_lstm`.
        **overrides: any other :class:`TransformerTrainConfig` field.
    Returns:
        The metrics written to ``metrics.json``.

    Example:
        >>> train_transformer(["toy.csv"], preset="tiny", out_dir="/tmp/tr")["val_macro_f1"]  # doctest: +SKIP
        0.42
    """
    import torch
    from torch.utils.data import DataLoader

    cfg = transformer_train_config(preset, base_model=base_model, epochs=epochs, max_examples=max_examples,
                                   max_seconds=max_seconds, **overrides)
    out_dir = Path(out_dir) if out_dir else checkpoint_dir("sentiment-transformer")
    t_start = time.time()
    report(progress, 0.0, "reading data")
    data = load_labeled(paths, text_col=text_col, label_col=label_col, label_map=label_map,
                        max_train=cfg.max_examples, seed=cfg.seed, min_words=cfg.min_words)
    if log:
        log(f"data: {data.counts()} from {', '.join(data.sources)}")
    seed_everything(cfg.seed)
    tok, model, base = load_base(cfg)
    report(progress, 0.03, "tokenising")

    def encode(rows):
        return tok([t for t, _ in rows], truncation=True, max_length=cfg.max_len)["input_ids"] if rows else []

    enc = {name: encode(getattr(data, name)) for name in ("train", "val", "test")}
    labels = {name: [y for _, y in getattr(data, name)] for name in ("train", "val", "test")}
    weights = torch.tensor(class_weights(labels["train"]) if cfg.class_weights else [1.0, 1.0, 1.0])
    train_rows = list(zip(enc["train"], labels["train"]))
    pad_id = tok.pad_token_id or 0

    def collate(batch):
        ids, mask = pad_pieces([b[0] for b in batch], pad_id)
        return {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([b[1] for b in batch])}

    loader = DataLoader(train_rows, batch_sampler=LengthGroupedBatches([len(r[0]) for r in train_rows],
                                                                       cfg.batch_size, cfg.seed),
                        collate_fn=collate)

    def loss_fn(m, batch):
        logits = m(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits  # (B, 3)
        return torch.nn.functional.cross_entropy(logits.float(), batch["labels"],
                                                 weight=weights.to(logits.device))

    def evaluate(m, acc):
        pred = transformer_probs(m, enc["val"], pad_id, acc.device).argmax(1).tolist()
        f1 = macro_f1(labels["val"], pred)
        return {"score": f1, "val_macro_f1": f1,
                "val_accuracy": float(np.mean(np.array(pred) == np.array(labels["val"])))}

    params = dataclasses.asdict(cfg)
    params["base_model"] = cfg.base_model or MINILM

    def save(m, folder):
        m.save_pretrained(folder)
        tok.save_pretrained(folder)
        merge_lyricist_config(folder, "sentiment-transformer", params, data.fingerprint,
                              labels=list(SENTIMENT_LABELS), data=data.sources, n=data.counts(),
                              base_model=cfg.base_model or MINILM)

    done = already_finished(out_dir, "sentiment-transformer", params, data.fingerprint, resume, progress, log)
    if done is not None:
        return done
    loop = LoopConfig(epochs=cfg.epochs, lr=cfg.lr, patience=cfg.patience, seed=cfg.seed,
                      max_seconds=cfg.max_seconds, warmup_frac=cfg.warmup_frac)
    result = fit(model, loader, cfg=loop, evaluate=evaluate, save=save, out_dir=out_dir, loss_fn=loss_fn,
                 resume=resume, progress=scaled(progress, 0.05, 0.97), log=log)
    metrics = final_metrics("transformer", out_dir, data, result, t_start,
                            extra={"base_model": cfg.base_model or MINILM})
    finish(out_dir)
    report(progress, 1.0, "done")
    return metrics


def merge_lyricist_config(folder, kind: str, params: dict, fingerprint: str, **extra) -> dict:
    """Add lyricist's fields (version, kind, fingerprint, params) to a ``save_pretrained`` config.json.

    transformers keeps unknown keys as plain attributes, so the folder still
    loads with ``pipeline(...)`` and with :func:`lyricist.core.checkpoint.read_config`.
    """
    path = Path(folder) / "config.json"
    hf = json.loads(path.read_text(encoding="utf-8"))
    hf.update({"lyricist_version": VERSION, "format_version": FORMAT_VERSION, "kind": kind,
               "fingerprint": fingerprint, "params": params, **extra})
    atomic_write_json(path, hf)
    return hf
