"""Sentiment scorers: one :class:`Scorer` interface over four models, and :func:`load_scorer`.

Every scorer returns probabilities over ``negative, neutral, positive`` and a
valence ``p(positive) - p(negative)``:

- ``lexicon``: VADER's compound score (+-0.05 thresholds), no training;
- ``lstm``: the (bi)LSTM over word2vec vectors (``checkpoints/sentiment-lstm``);
- ``transformer``: MiniLM fine-tuned (``checkpoints/sentiment-transformer``);
- ``ensemble``: the mean of the LSTM's and the transformer's probabilities.

:func:`load_scorer` loads a model once per process (cached by folder and
modification time). What is built on the scorers lives beside them: the tone
report (:mod:`lyricist.tone.report`), bulk comment classification
(:mod:`lyricist.tone.bulk`) and evaluation (:mod:`lyricist.tone.eval`);
training lives in :mod:`lyricist.tone.train`.

Example:
    >>> s = load_scorer("lexicon")
    >>> [r["label"] for r in s.predict(["I love this", "I hate this"])]
    ['positive', 'negative']
    >>> s.predict(["what a lovely day"], polar=True)[0]["valence"] > 0
    True
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from lyricist.core.cache import ModelCache
from lyricist.core.checkpoint import read_config, read_metrics
from lyricist.core.config import SENTIMENT_LABELS, checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.hf import encodable, quiet_transformers, torch_threads
from lyricist.core.loop import bf16_supported, dataclass_from_dict
from lyricist.lang.lexicon import lexicon_probs, vader_compound
from lyricist.lang.text import tokens_many
from lyricist.tone.encode import encode_tokens, lstm_probs, transformer_probs

SCORER_KINDS = ("auto", "lexicon", "lstm", "transformer", "ensemble")
POLAR = ("negative", "positive")
_KIND_DIRS = {"lstm": "sentiment-lstm", "transformer": "sentiment-transformer"}


# ----------------------------------------------------------------- scorers
class Scorer:
    """Base class: subclasses implement :meth:`predict_proba`; everything else builds on it."""

    name = "scorer"
    #: Where the model was loaded from ('' for the lexicon).
    source = ""

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(N, 3)`` over :data:`lyricist.core.config.SENTIMENT_LABELS`."""
        raise NotImplementedError

    def predict(self, texts: Sequence[str], polar: bool = False) -> list[dict]:
        """One ``{"label", "valence", "probs"}`` per text, in one batched pass.

        Args:
            texts: the texts.
            polar: choose the label between negative and positive only (for binary data sets).

        Example:
            >>> load_scorer("lexicon").predict(["what a lovely day"])[0]["label"]
            'positive'
        """
        texts = list(texts)
        if not texts:
            return []
        return [row_of(p, polar) for p in self.predict_proba(texts)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"


def row_of(p: np.ndarray, polar: bool = False) -> dict:
    """The result dict of one probability row ``(3,)``: label (arg-max), valence and probabilities."""
    probs = {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, p)}
    if polar:
        label = "positive" if p[2] >= p[0] else "negative"
    else:
        label = SENTIMENT_LABELS[int(np.argmax(p))]
    return {"label": label, "valence": round(float(p[2] - p[0]), 4), "probs": probs}


class LexiconScorer(Scorer):
    """VADER: valence is the compound score; labels use the +-0.05 thresholds."""

    name = "lexicon"
    source = "VADER"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            p = lexicon_probs(vader_compound(t))
            out[i] = [p[lab] for lab in SENTIMENT_LABELS]
        return out


class LSTMScorer(Scorer):
    """The LSTM checkpoint in ``folder`` (``model.safetensors``, ``vocab.json``, ``config.json``)."""

    name = "lstm"

    def __init__(self, folder: str | os.PathLike):
        from safetensors.torch import load_file

        from lyricist.tone.lstm import LSTMClassifier, LSTMConfig  # (torch)

        folder = Path(folder)
        doc = read_config(folder, "sentiment-lstm")
        self.source = str(folder)
        try:
            self.vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
            params = doc["params"]
            self.cfg = dataclass_from_dict(LSTMConfig, params["model"])
            self.max_len = int(params.get("max_len", 64))
            model = LSTMClassifier(self.cfg)
            state = load_file(str(folder / "model.safetensors"))
            model.load_state_dict(state)
        except LyricistError:
            raise
        except Exception as e:
            raise LyricistError(f"corrupt LSTM checkpoint at {folder} ({e.__class__.__name__}): retrain it with "
                                f"`lyricist train sentiment --arch lstm`") from None
        if len(self.vocab) != self.cfg.vocab_size:
            raise LyricistError(f"{folder}: vocab.json has {len(self.vocab)} words but the model expects "
                                f"{self.cfg.vocab_size}: retrain with `lyricist train sentiment --arch lstm`")
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.model = model.eval()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        rows = [encode_tokens(t, self.index, self.max_len) for t in tokens_many(texts)]
        with torch_threads(1):
            return lstm_probs(self.model, rows)


class TransformerScorer(Scorer):
    """Any sequence-classification checkpoint (``save_pretrained`` folder) with sentiment labels.

    Label names are read from ``id2label`` (``negative``/``neutral``/``positive``,
    ``NEGATIVE``/``POSITIVE``, ``LABEL_0``.. in that order); a 2-label model
    gives neutral probability 0.
    """

    name = "transformer"

    def __init__(self, folder: str | os.PathLike, max_len: int = 128, batch_size: int = 16):

        from lyricist.core import bert

        folder = Path(folder)
        _check_transformer_folder(folder)
        self.source = str(folder)
        light = bert.load_classifier(folder)  # a BERT (MiniLM) runs without importing transformers (about 4 s)
        if light is not None:
            self.tok, self.model = light
        else:
            quiet_transformers()
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            try:
                self.tok = AutoTokenizer.from_pretrained(str(folder))
                self.model = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
            except Exception as e:
                raise LyricistError(f"corrupt transformer checkpoint at {folder} ({e.__class__.__name__}): retrain "
                                    f"it with `lyricist train sentiment --arch transformer`") from None
        n_tok, n_emb = len(self.tok), int(getattr(self.model.config, "vocab_size", 0) or 0)
        if n_emb and n_tok > n_emb:  # its ids would index past the embeddings (an IndexError on the first text)
            raise LyricistError(f"{folder}: the tokenizer has {n_tok:,} tokens but the model only {n_emb:,} embeddings "
                                f"(mismatched files): retrain it with `lyricist train sentiment --arch transformer`")
        # never past the model's position table: a tokenizer shared with a smaller model (the tiny test
        # BERT has 64 positions) may advertise a longer maximum
        self.max_len = min(max_len, getattr(self.tok, "model_max_length", max_len) or max_len,
                           getattr(self.model.config, "max_position_embeddings", max_len) or max_len)
        self.batch_size = batch_size
        self.columns = _label_columns(self.model.config.id2label)
        # bf16 autocast where the CPU has it in hardware (AMX / AVX512-BF16): 2.3x faster on 1,000
        # comments, SST-2 dev accuracy within 0.1 point of fp32 (docs/BENCHMARKS.md, sentiment)
        self.bf16 = bf16_supported()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        ids = self.tok([encodable(t) for t in texts], truncation=True, max_length=self.max_len)["input_ids"]
        with torch_threads(1):  # (one thread is faster on a shared CPU)
            p = transformer_probs(self.model, ids, self.tok.pad_token_id or 0, batch_size=self.batch_size,
                                  bf16=self.bf16)
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for j, col in enumerate(self.columns):
            out[:, col] += p[:, j]
        return out


#: files that hold a Hugging Face tokenizer (fast, WordPiece, BPE or SentencePiece)
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "tokenizer.model", "spiece.model",
                    "sentencepiece.bpe.model")


def _check_transformer_folder(folder: Path) -> dict:
    """``config.json`` of a sequence-classification folder, checked before transformers reads it.

    A lyricist checkpoint is checked as every other kind (its kind and format version); a
    checkpoint from elsewhere (a ``save_pretrained`` folder without lyricist's fields) must at
    least be a transformers model with labels and a tokenizer.

    Raises:
        LyricistError: no or unreadable config.json, another kind, a newer format, no tokenizer.
    """
    try:
        doc = read_config(folder)  # missing, unreadable, or written by a newer lyricist
    except LyricistError:
        read_config(folder, "sentiment-transformer")  # the same problem, told with this kind's fix
        raise
    kind = doc.get("kind")
    if kind or "lyricist_version" in doc:
        read_config(folder, "sentiment-transformer")  # another kind: "pass the right --model folder"
    elif not (doc.get("model_type") and doc.get("id2label")):
        raise LyricistError(f"{folder} holds no sentiment model (its config.json has no kind, model_type or "
                            "labels): pass the right --model folder")
    if not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        raise LyricistError(f"{folder} has no tokenizer (tokenizer.json or vocab.txt): retrain it with "
                            "`lyricist train sentiment --arch transformer`")
    return doc


def _label_columns(id2label: dict) -> list[int]:
    """Column of SENTIMENT_LABELS for each output of a classifier, from its ``id2label``."""
    names = [str(id2label[i]).lower() for i in sorted(id2label, key=int)]
    aliases = {"neg": 0, "negative": 0, "label_0": 0, "0": 0, "neu": 1, "neutral": 1, "pos": 2, "positive": 2}
    if len(names) == 2 and all(n.startswith("label_") or n.isdigit() for n in names):
        return [0, 2]
    cols = []
    for n in names:
        if n in aliases:
            cols.append(aliases[n])
        elif len(names) == 3 and n in ("label_1", "1"):
            cols.append(1)
        elif len(names) == 3 and n in ("label_2", "2"):
            cols.append(2)
        else:
            raise LyricistError(f"the model's labels {names} are not sentiment labels: use a sentiment "
                                f"checkpoint (negative/neutral/positive)")
    return cols


class EnsembleScorer(Scorer):
    """Weighted mean of member scorers' probabilities."""

    name = "ensemble"

    def __init__(self, members: Sequence[Scorer], weights: Sequence[float] | None = None):
        if not members:
            raise LyricistError("an ensemble needs at least one model")
        self.members = list(members)
        w = np.array(weights if weights is not None else [1.0] * len(members), dtype=np.float32)
        self.weights = w / w.sum()
        self.source = " + ".join(m.source for m in members)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return sum(w * m.predict_proba(texts) for w, m in zip(self.weights, self.members))


_SCORERS = ModelCache("sentiment", size=6)
_NOTED: set = set()


def _note(msg: str) -> None:
    print(f"note: {msg}", file=sys.stderr)


def load_scorer(kind: str = "auto", model_dir: str | os.PathLike | None = None, reload: bool = False) -> Scorer:
    """A sentiment scorer, loaded once per process and cached by folder and modification time.

    Args:
        kind: ``auto`` (the best trained model available, else the lexicon, with a note on stderr),
            ``lexicon``, ``lstm``, ``transformer`` or ``ensemble``.
        model_dir: a checkpoint folder. With ``lstm``/``transformer`` that model's
            folder; with ``auto`` its kind is read from its config.json; with
            ``ensemble`` a folder holding ``sentiment-lstm/`` and ``sentiment-transformer/``.
        reload: ignore the cache.

    Example:
        >>> load_scorer("lexicon").name
        'lexicon'
    """
    if kind not in SCORER_KINDS:
        raise LyricistError(f"unknown scorer {kind!r}: use one of {', '.join(SCORER_KINDS)}")
    if kind == "lexicon":
        return _SCORERS.get(("lexicon",), [], LexiconScorer, reload)
    if kind in ("lstm", "transformer"):
        folder = checkpoint_dir(_KIND_DIRS[kind], model_dir)
        cls = LSTMScorer if kind == "lstm" else TransformerScorer
        if not folder.exists():
            read_config(folder, f"sentiment-{kind}")  # one-line "train one" error
        return _SCORERS.get((kind, str(folder.resolve())), [folder], lambda: cls(folder), reload)
    if kind == "ensemble":
        lstm_dir, tr_dir = _ensemble_dirs(model_dir)
        return EnsembleScorer([load_scorer("lstm", lstm_dir, reload), load_scorer("transformer", tr_dir, reload)])
    # auto
    if model_dir:
        return load_scorer(_kind_of(Path(model_dir)), model_dir, reload)
    lstm_dir, tr_dir = checkpoint_dir("sentiment-lstm"), checkpoint_dir("sentiment-transformer")
    has_l, has_t = (lstm_dir / "config.json").is_file(), (tr_dir / "config.json").is_file()
    if has_l and has_t:
        if read_metrics(tr_dir).get("ensemble", {}).get("better"):
            return load_scorer("ensemble", None, reload)
        best = max(("transformer", tr_dir), ("lstm", lstm_dir),
                   key=lambda kd: read_metrics(kd[1]).get("val_macro_f1", -1.0))
        return load_scorer(best[0], best[1], reload)
    if has_t:
        return load_scorer("transformer", tr_dir, reload)
    if has_l:
        return load_scorer("lstm", lstm_dir, reload)
    if "no-model" not in _NOTED:
        _note("no trained sentiment model found: using the VADER lexicon "
              "(train one with `lyricist train sentiment`)")
        _NOTED.add("no-model")
    return load_scorer("lexicon")


def _kind_of(folder: Path) -> str:
    doc = read_config(folder)
    kind = doc.get("kind")
    if kind == "sentiment-lstm":
        return "lstm"
    if kind == "sentiment-transformer" or "id2label" in doc:
        return "transformer"
    raise LyricistError(f"{folder} holds a {kind or 'non-lyricist'} checkpoint, not a sentiment model: "
                        f"pass the right --model folder (a sentiment-lstm or sentiment-transformer checkpoint)")


def _ensemble_dirs(model_dir) -> tuple[Path, Path]:
    if model_dir:
        root = Path(model_dir)
        return root / "sentiment-lstm", root / "sentiment-transformer"
    return checkpoint_dir("sentiment-lstm"), checkpoint_dir("sentiment-transformer")


def load_lstm(model_dir: str | os.PathLike | None = None) -> Scorer:
    """The LSTM scorer in ``model_dir`` (default ``checkpoints/sentiment-lstm``), cached: the registry's loader."""
    return load_scorer("lstm", model_dir)


def load_transformer(model_dir: str | os.PathLike | None = None) -> Scorer:
    """The transformer scorer in ``model_dir`` (default ``checkpoints/sentiment-transformer``), cached."""
    return load_scorer("transformer", model_dir)
