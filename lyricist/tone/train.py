"""Training of the two neural sentiment classifiers: the LSTM and the transformer.

Both read labeled texts with :func:`lyricist.lang.corpus.read_texts` (labels
normalised to negative / neutral / positive), train on the rows whose
deterministic split is ``train``, stop early on the macro-F1 of the ``val``
rows, and report the ``test`` rows in ``metrics.json``. Both train through
the shared accelerate loop :func:`lyricist.core.loop.fit`, so checkpoints are
atomic and an interrupted run continues with ``resume=True``.

- LSTM (:class:`lyricist.tone.lstm.LSTMClassifier`): word ids from
  :func:`lyricist.lang.text.tokens`, the embedding table initialised from word2vec
  vectors (``--vectors``, else ``checkpoints/general-vectors``, else
  ``checkpoints/embeddings``, else a small word2vec trained on the fly on the
  training texts and the bundled songs). Saved as ``model.safetensors``,
  ``vocab.json`` and ``config.json``.
- Transformer: ``AutoModelForSequenceClassification`` on the bundled MiniLM
  (or any ``base_model`` folder or hub id), dynamic padding with
  length-grouped batches, class-weighted loss, bf16 autocast where the
  hardware supports it. Saved with ``save_pretrained`` (``id2label`` set),
  so ``transformers.pipeline("text-classification", model=DIR)`` loads it;
  the lyricist fields (kind, fingerprint, params) are merged into the same
  ``config.json``.

Default data (no paths): the bundled ``corpora/comments.csv`` plus
``corpora/lines.csv``; the ``test`` split of ``lines.csv`` is never trained
on and is the in-domain test set.

Example (tiny, a few seconds):
    >>> from lyricist.tone.train import train_lstm  # doctest: +SKIP
    >>> train_lstm(["comments.csv"], preset="tiny", out_dir="/tmp/lstm")["test_accuracy"]  # doctest: +SKIP
    0.61
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_write_json, write_config
from lyricist.core.config import SENTIMENT_LABELS, bundled_corpus, checkpoint_dir, checkpoints_root, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.hf import MINILM, minilm_path, quiet_transformers
from lyricist.core.progress import ProgressFn, is_main_process, report, scaled

LABEL2ID = {lab: i for i, lab in enumerate(SENTIMENT_LABELS)}


# ----------------------------------------------------------------- configs
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


#: Training presets: ``tiny`` for tests (seconds), ``default`` for the bundled corpus, ``full`` for SST-scale data.
LSTM_TRAIN_PRESETS = {
    "tiny": LSTMTrainConfig(preset="tiny", epochs=2, batch_size=16, lr=5e-3, max_len=32, w2v_dim=16, patience=2),
    "default": LSTMTrainConfig(),
    "full": LSTMTrainConfig(preset="full", epochs=6, batch_size=64, lr=1.5e-3, max_len=64, min_count=1,
                            max_vocab=60000, patience=2),
}
TRANSFORMER_TRAIN_PRESETS = {
    "tiny": TransformerTrainConfig(tiny_random=True, epochs=1, batch_size=16, lr=1e-3, max_len=32),
    "default": TransformerTrainConfig(),
    "full": TransformerTrainConfig(epochs=2, batch_size=32, lr=6e-5, max_len=64, patience=1),
}


def lstm_train_config(preset: str = "default", **overrides) -> LSTMTrainConfig:
    """The LSTM training preset ``preset`` with some fields overridden (``None`` values ignored)."""
    preset_check(preset)
    return replace(LSTM_TRAIN_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


def transformer_train_config(preset: str = "default", **overrides) -> TransformerTrainConfig:
    """The transformer training preset ``preset`` with some fields overridden (``None`` values ignored)."""
    preset_check(preset)
    return replace(TRANSFORMER_TRAIN_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


# ----------------------------------------------------------------- data
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
    from lyricist.lang.corpus import fingerprint, read_texts

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


def _macro_f1(gold: Sequence[int], pred: Sequence[int]) -> float:
    from lyricist.core.metrics import macro_f1

    return macro_f1(list(gold), list(pred))


# ----------------------------------------------------------------- word vectors
def find_vectors(vectors: str | os.PathLike | None = None):
    """Word2vec ``KeyedVectors`` for the LSTM, or ``None`` when none are found.

    Looks at ``vectors`` (a checkpoint folder or a word2vec-format file), then
    ``checkpoints/general-vectors``, then ``checkpoints/embeddings``.
    Returns ``(keyed_vectors, source_path)``.
    """
    candidates = [Path(vectors)] if vectors else [checkpoint_dir("general-vectors"), checkpoint_dir("embeddings")]
    for cand in candidates:
        kv = _load_kv(cand, required=bool(vectors))
        if kv is not None:
            return kv, str(cand)
    return None, ""


def _load_kv(path: Path, required: bool):
    """Vectors from a lyricist embeddings/general-vectors folder, or a word2vec-format file.

    Never unpickles: gensim's own ``.kv``/``.model`` files are pickles, so a bare one is refused
    with the conversion to use instead.
    """
    from lyricist.core.checkpoint import read_config
    from lyricist.explore.vectors import load_vectors

    if path.is_dir() and (path / "config.json").is_file():
        try:
            kind = read_config(path).get("kind", "")
            if kind in ("embeddings", "general-vectors"):
                return load_vectors(path, kind)
            problem = LyricistError(f"{path} holds a {kind or 'non-lyricist'} checkpoint, not word vectors: "
                                    f"pass an embeddings or general-vectors folder")
        except LyricistError as e:
            problem = e
        if required:
            raise problem
        return None
    if path.is_file():
        name = path.name.lower()
        if name.endswith((".kv", ".model", ".wordvectors")):
            raise LyricistError(f"{path} is a gensim pickle, which lyricist does not load (a pickle can run code): "
                                f"save it with kv.save_word2vec_format('vectors.bin', binary=True) and pass that")
        from gensim.models import KeyedVectors

        try:
            return KeyedVectors.load_word2vec_format(str(path), binary=name.endswith((".bin", ".bin.gz")))
        except Exception as e:  # noqa: BLE001 - any parse error means "not word2vec format"
            raise LyricistError(f"cannot read word vectors from {path} ({e.__class__.__name__}): pass a "
                                f"word2vec text (.txt/.vec) or binary (.bin) file, or an embeddings folder") from None
    if required:
        raise LyricistError(f"no word vectors at {path}: pass an embeddings checkpoint folder or a word2vec "
                            f"file (.txt, .vec, .bin)")
    return None


def quick_word2vec(token_lists: Sequence[list[str]], dim: int = 100, seed: int = 0):
    """A small skip-gram word2vec over ``token_lists`` (used when no trained vectors exist)."""
    from gensim.models import Word2Vec

    w2v = Word2Vec(sentences=[t for t in token_lists if t], vector_size=dim, window=5, min_count=1, sg=1,
                   negative=5, epochs=10 if len(token_lists) < 20000 else 5, workers=2, seed=seed)
    return w2v.wv


def build_vocab(train_tokens: Sequence[list[str]], kv=None, min_count: int = 1, max_vocab: int = 40000) -> list[str]:
    """Vocabulary of the LSTM: ``<pad>``, ``<unk>``, training words by frequency, then vector words.

    Words that only the vectors know still get a row initialised from them, so
    test words unseen in training keep a meaningful vector instead of ``<unk>``.

    Example:
        >>> build_vocab([["a", "b", "a"]])
        ['<pad>', '<unk>', 'a', 'b']
    """
    counts = Counter(t for toks in train_tokens for t in toks)
    vocab = ["<pad>", "<unk>"]
    seen = set(vocab)
    for w, c in counts.most_common():
        if c < min_count or len(vocab) >= max_vocab:
            break
        vocab.append(w)
        seen.add(w)
    if kv is not None:
        for w in kv.index_to_key:
            if len(vocab) >= max_vocab:
                break
            if w not in seen and w == w.lower():
                vocab.append(w)
                seen.add(w)
    return vocab


def init_matrix(vocab: Sequence[str], kv, dim: int, seed: int = 0) -> tuple[np.ndarray, float]:
    """Embedding matrix ``(len(vocab), dim)`` from ``kv``; words it lacks try their lemma, else a random row.

    Returns the matrix and the share of the vocabulary covered by the vectors.
    ``<unk>`` gets the mean vector and ``<pad>`` zeros.
    """
    from lyricist.lang.text import expand, lemma

    rng = np.random.default_rng(seed)
    scale = float(np.std(kv.vectors)) if kv is not None and len(kv.index_to_key) else 0.1
    mat = rng.normal(0.0, scale, (len(vocab), dim)).astype(np.float32)
    hit = 0
    if kv is not None:
        for i, w in enumerate(vocab[2:], start=2):
            for form in (w, expand(w), lemma(w), w.strip("'")):
                if form in kv.key_to_index:
                    mat[i] = kv[form]
                    hit += 1
                    break
        mat[1] = kv.vectors.mean(0)
    mat[0] = 0.0
    return mat, hit / max(1, len(vocab) - 2)


def encode_tokens(toks: Sequence[str], index: dict[str, int], max_len: int) -> list[int]:
    """Word ids of ``toks`` (unknown words -> 1), truncated to ``max_len``."""
    from lyricist.lang.text import expand

    out = []
    for t in toks[:max_len]:
        i = index.get(t)
        if i is None:
            i = index.get(expand(t), 1)
        out.append(i)
    return out


def pad_ids(rows: Sequence[Sequence[int]]):
    """Right-pad id lists into a ``(B, T)`` long tensor plus lengths ``(B,)`` (empty rows get length 0)."""
    import torch

    width = max(1, max((len(r) for r in rows), default=1))
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        if r:
            ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)


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


# ----------------------------------------------------------------- LSTM
def train_lstm(paths: Sequence[str | os.PathLike] | None = None, preset: str = "default",
               out_dir: str | os.PathLike | None = None, epochs: int | None = None, resume: bool = False,
               progress: Optional[ProgressFn] = None, *, vectors: str | os.PathLike | None = None,
               text_col: str | None = None, label_col: str | None = None, label_map: dict | None = None,
               max_examples: int | None = None, max_seconds: float | None = None,
               log: Optional[Callable[[str], None]] = None, **overrides) -> dict:
    """Train the LSTM sentiment classifier and write its checkpoint.

    Args:
        paths: labeled data (default: the bundled comments and lyric lines).
        preset: ``tiny``, ``default`` or ``full`` (see :data:`LSTM_TRAIN_PRESETS`).
        out_dir: checkpoint folder (default ``checkpoints/sentiment-lstm``).
        epochs: override the preset's maximum epochs.
        resume: continue an interrupted run from its saved state.
        progress: ``(fraction, message)`` callback.
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

    from lyricist.tone.lstm import LSTMClassifier, LSTMConfig
    from lyricist.lang.text import tokens_many
    from lyricist.core.loop import LoopConfig, finish, fit, seed_everything

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
        extra = _bundled_song_tokens()
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
        f1 = _macro_f1(labels["val"], pred)
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

    loop = LoopConfig(epochs=cfg.epochs, lr=cfg.lr, patience=cfg.patience, seed=cfg.seed,
                      max_seconds=cfg.max_seconds, weight_decay=0.0, warmup_frac=0.03)
    result = fit(model, loader, cfg=loop, evaluate=evaluate, save=save, out_dir=out_dir, loss_fn=loss_fn,
                 resume=resume, progress=scaled(progress, 0.08, 0.97), log=log)
    metrics = _final_metrics("lstm", out_dir, data, result, t_start, extra={"vector_coverage": round(coverage, 4),
                                                                            "vectors": kv_source,
                                                                            "vocab_size": len(vocab)})
    finish(out_dir)
    report(progress, 1.0, "done")
    return metrics


def _lstm_predict_ids(model, rows: Sequence[list[int]], device, batch_size: int = 256) -> list[int]:
    """Arg-max class of each id list (model already in eval mode)."""
    return [int(i) for i in lstm_probs(model, rows, device, batch_size).argmax(1)]


def lstm_probs(model, rows: Sequence[list[int]], device=None, batch_size: int = 256) -> np.ndarray:
    """Softmax probabilities ``(N, C)`` of the LSTM for id lists, batched by similar length."""
    import torch

    out = np.zeros((len(rows), model.cfg.n_classes), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            ids, lengths = pad_ids([rows[i] for i in idx])
            if device is not None:
                ids = ids.to(device)
            logits = model(ids, lengths=lengths).logits.float()  # (B, C)
            out[idx] = torch.softmax(logits, -1).cpu().numpy()
    return out


def _bundled_song_tokens() -> list[list[str]]:
    """Token lists of the bundled songs' lines (extra text for the on-the-fly word2vec)."""
    try:
        from lyricist.lang.corpus import read_songs
        from lyricist.lang.text import tokens_many

        songs = bundled_corpus() / "songs"
        if not songs.exists():
            return []
        return list(tokens_many(line.text for s in read_songs([songs]) for line in s.lines))
    except LyricistError:
        return []


# ----------------------------------------------------------------- transformer
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


def train_transformer(paths: Sequence[str | os.PathLike] | None = None, preset: str = "default",
                      out_dir: str | os.PathLike | None = None, base_model: str | None = None,
                      epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None, *,
                      text_col: str | None = None, label_col: str | None = None, label_map: dict | None = None,
                      max_examples: int | None = None, max_seconds: float | None = None,
                      log: Optional[Callable[[str], None]] = None, **overrides) -> dict:
    """Fine-tune a transformer sentiment classifier and write a ``save_pretrained`` checkpoint.

    Args:
        paths: labeled data (default: the bundled comments and lyric lines).
        preset: ``tiny`` (random tiny BERT, for tests), ``default`` or ``full``.
        out_dir: checkpoint folder (default ``checkpoints/sentiment-transformer``).
        base_model: folder or hub id to start from (default: the bundled MiniLM).
        epochs, resume, progress, text_col, label_col, label_map, max_examples, max_seconds, log:
            as in :func:`train_lstm`.
        **overrides: any other :class:`TransformerTrainConfig` field.
    Returns:
        The metrics written to ``metrics.json``.

    Example:
        >>> train_transformer(["toy.csv"], preset="tiny", out_dir="/tmp/tr")["val_macro_f1"]  # doctest: +SKIP
        0.42
    """
    import torch
    from torch.utils.data import DataLoader

    from lyricist.core.loop import LoopConfig, finish, fit, seed_everything

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
        ids, mask = _pad_pieces([b[0] for b in batch], pad_id)
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
        f1 = _macro_f1(labels["val"], pred)
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

    loop = LoopConfig(epochs=cfg.epochs, lr=cfg.lr, patience=cfg.patience, seed=cfg.seed,
                      max_seconds=cfg.max_seconds, warmup_frac=cfg.warmup_frac)
    result = fit(model, loader, cfg=loop, evaluate=evaluate, save=save, out_dir=out_dir, loss_fn=loss_fn,
                 resume=resume, progress=scaled(progress, 0.05, 0.97), log=log)
    metrics = _final_metrics("transformer", out_dir, data, result, t_start,
                             extra={"base_model": cfg.base_model or MINILM})
    finish(out_dir)
    report(progress, 1.0, "done")
    return metrics


def _pad_pieces(rows: Sequence[Sequence[int]], pad_id: int):
    """Right-pad word-piece id lists: ``input_ids`` and ``attention_mask``, both ``(B, T)``."""
    import torch

    width = max(1, max((len(r) for r in rows), default=1))
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, :len(r)] = 1
    return ids, mask


def transformer_probs(model, rows: Sequence[Sequence[int]], pad_id: int, device=None,
                      batch_size: int = 64, bf16: bool = False) -> np.ndarray:
    """Softmax probabilities ``(N, num_labels)`` for word-piece id lists, batched by similar length.

    ``bf16`` runs the forward pass under bf16 autocast (worth it only where bf16 is in hardware).
    """
    import torch

    n_labels = model.config.num_labels
    out = np.zeros((len(rows), n_labels), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    dev = torch.device(device) if device is not None else next(model.parameters()).device
    with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            ids, mask = _pad_pieces([rows[i] for i in idx], pad_id)
            if device is not None:
                ids, mask = ids.to(device), mask.to(device)
            logits = model(input_ids=ids, attention_mask=mask).logits.float()  # (B, L)
            out[idx] = torch.softmax(logits, -1).cpu().numpy()
    return out


def merge_lyricist_config(folder, kind: str, params: dict, fingerprint: str, **extra) -> dict:
    """Add lyricist's fields (version, kind, fingerprint, params) to a ``save_pretrained`` config.json.

    transformers keeps unknown keys as plain attributes, so the folder still
    loads with ``pipeline(...)`` and with :func:`lyricist.core.checkpoint.read_config`.
    """
    path = Path(folder) / "config.json"
    hf = json.loads(path.read_text(encoding="utf-8"))
    from lyricist.core.checkpoint import FORMAT_VERSION
    from lyricist.core.config import VERSION

    hf.update({"lyricist_version": VERSION, "format_version": FORMAT_VERSION, "kind": kind,
               "fingerprint": fingerprint, "params": params, **extra})
    atomic_write_json(path, hf)
    return hf


# ----------------------------------------------------------------- both, and the ensemble
def _final_metrics(arch: str, out_dir: Path, data: LabeledData, result: dict, t_start: float,
                   extra: dict | None = None) -> dict:
    """Score the saved best model on val and test, and write ``metrics.json`` beside it."""
    from lyricist.core.metrics import accuracy, macro_f1
    from lyricist.tone.scorers import load_scorer

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


def train_sentiment(paths: Sequence[str | os.PathLike] | None = None, preset: str = "default",
                    out: str | os.PathLike | None = None, arch: str = "both", base_model: str | None = None,
                    epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None, *,
                    vectors: str | os.PathLike | None = None, text_col: str | None = None,
                    label_col: str | None = None, max_examples: int | None = None,
                    max_seconds: float | None = None, min_words: int | None = None,
                    lr: float | None = None, log: Optional[Callable[[str], None]] = None) -> dict:
    """Train the LSTM, the transformer, or both (then measure their ensemble on validation).

    Args:
        out: for one arch, that model's folder; for ``both``, a root folder that
            gets ``sentiment-lstm/`` and ``sentiment-transformer/`` (default ``checkpoints/``).
        arch: ``lstm``, ``transformer`` or ``both``.
        lr: override the preset's peak learning rate (for instance a lower one to continue
            fine-tuning a checkpoint passed as ``base_model``).
        Other arguments: as in :func:`train_lstm` and :func:`train_transformer`.
    Returns:
        ``{"lstm": metrics, "transformer": metrics, "ensemble": {...}}`` (the parts trained).

    Example:
        >>> train_sentiment(preset="tiny", arch="both", out="/tmp/ck")["ensemble"]["better"]  # doctest: +SKIP
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
        result["lstm"] = train_lstm(paths, preset, out, progress=progress, vectors=vectors, **common)
        return result
    if arch == "transformer":
        result["transformer"] = train_transformer(paths, preset, out, base_model, progress=progress, **common)
        return result
    root = Path(out) if out else checkpoints_root()
    lstm_dir, tr_dir = root / "sentiment-lstm", root / "sentiment-transformer"
    result["lstm"] = train_lstm(paths, preset, lstm_dir, progress=scaled(progress, 0.0, 0.3), vectors=vectors,
                                **common)
    result["transformer"] = train_transformer(paths, preset, tr_dir, base_model,
                                              progress=scaled(progress, 0.3, 0.97), **common)
    result["ensemble"] = measure_ensemble(paths, lstm_dir, tr_dir, text_col=text_col, label_col=label_col)
    report(progress, 1.0, "done")
    return result


def measure_ensemble(paths, lstm_dir, transformer_dir, *, text_col=None, label_col=None) -> dict:
    """Compare the ensemble with each member on the validation split; record the verdict in both metrics.json.

    :func:`lyricist.tone.scorers.load_scorer` with ``kind="auto"`` uses the
    ensemble only where this found it better than the transformer alone.
    """
    from lyricist.core.checkpoint import read_metrics
    from lyricist.core.metrics import macro_f1
    from lyricist.tone.scorers import load_scorer

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
