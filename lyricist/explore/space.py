"""Word embeddings for songwriters: train word2vec on your lyrics, then explore the space.

Two spaces, and a blend of them:

- **corpus**: gensim ``Word2Vec`` (skip-gram by default) trained on your songs
  (:func:`train_embeddings`), tokens from :mod:`lyricist.lang.text` (lowercased,
  apostrophe forms such as ``lovin'`` kept), optional phrase detection;
- **general**: static vectors for ~48k common English words distilled from the
  bundled MiniLM (:mod:`lyricist.explore.general`), so the explorer makes sense even on
  a corpus of a few thousand lines;
- **blend** (the default): the corpus first, the general space for what the
  corpus lacks. The similarity of two words ``a`` and ``b`` is

  ====================================  ==============================================
  both words in both spaces             ``w * cos_corpus + (1 - w) * cos_general``
  the corpus lacks one of them          ``cos_general``
  only the corpus has them (lovin')     ``r * cos_corpus``
  ====================================  ==============================================

  with ``r = m / (m + half_count)`` the reliability of the corpus cosine, ``m``
  the corpus count of the rarer word, and ``w = corpus_weight * r`` (defaults
  ``corpus_weight=0.5``, ``half_count=20``: a word seen 20 times in your lyrics
  moves its similarities a quarter of the way to the corpus view, a word seen
  1,000 times half of the way). Both constants are priors, not tuned on
  WordSim-353 (the test).

:class:`WordSpace` answers everything on any of the three spaces: neighbours
with rhyme / syllable filters and without the query's own inflections,
analogies (3CosMul), odd-one-out, words between two words, projection on a
semantic axis, a 2-D map (plotly; PCA or t-SNE), and export for the TensorFlow
Embedding Projector. A filtered query ranks its candidates directly (the
rhymes of ``fire`` that either space knows) instead of scanning neighbours,
which makes it fast and guarantees every answer passes the filter. Neighbour
lists offer only words worth suggesting (:meth:`WordSpace.suggestible`): the
corpus's own words, and dictionary words from the general list, so surnames
and abbreviations (``mcguire``, ``usmc``) stay out.

Checkpoints: ``checkpoints/embeddings/`` holds ``vectors.kv`` (gensim
``KeyedVectors.load`` reads it; each word's corpus ``count`` is kept; the
vectors themselves in ``vectors.kv.vectors.npy``), ``vectors.keys.json`` (the
words and counts: lyricist reads these and the ``.npy``, never the pickle), ``sounds.npz`` (the sound
index: rhyme parts, syllables, lemma and dictionary flag of every word, plus
keys and counts, so the explorer opens a checkpoint without importing gensim
and filters without loading CMU or spaCy), ``config.json`` (corpus
fingerprint, parameters, vocabulary size, training time) and
``metrics.json``. This module never imports torch.

Example:
    >>> ws = load_space()                                              # doctest: +SKIP
    >>> ws.similar("heart", rhymes_with="fire", topn=3)                # doctest: +SKIP
    [('inspire', 0.218), ('desire', 0.176), ('liar', 0.171)]
    >>> ws.analogy("man", "king", "woman", topn=1)[0][0]               # doctest: +SKIP
    'queen'
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from lyricist.core.cache import ModelCache
from lyricist.core.checkpoint import (atomic_dir, atomic_write_bytes, atomic_write_json, atomic_write_text, read_config,
                                 write_config)
from lyricist.core.config import bundled_corpus, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report, scaled

KIND = "embeddings"
GENERAL_KIND = "general-vectors"
VECTORS_FILE = "vectors.kv"
#: Words in row order and their counts: with the ``.npy`` of vectors, all lyricist reads (no pickle).
KEYS_FILE = "vectors.keys.json"
SPACES = ("corpus", "general", "blend")
MAP_METHODS = ("pca", "tsne")
MIN_TOKENS = 50  # fewer corpus tokens than this cannot train anything meaningful

__all__ = [
    "EmbeddingConfig", "EMBEDDING_PRESETS", "SPACES", "WordSpace", "train_embeddings", "load_space",
    "load_vectors", "save_vectors", "has_vectors", "similar_words", "analogy_words", "odd_one_out", "between_words", "axis_words",
    "map_figure", "word_map", "export_projector", "export_space", "general_ready", "evaluate_embeddings",
    "evaluate_keyed_vectors", "wordsim", "analogy_accuracy", "inflections", "is_inflection",
]


# ----------------------------------------------------------------- config
@dataclass
class EmbeddingConfig:
    """How word2vec is trained on a corpus (``0`` means: scaled to the corpus size)."""

    vector_size: int = 100
    """Dimensions of each word vector."""
    window: int = 5
    """Words on each side that count as context."""
    sg: int = 1
    """1 = skip-gram (better for rare words, the usual case in lyrics), 0 = CBOW."""
    negative: int = 5
    """Negative samples per positive pair."""
    sample: float = 1e-3
    """Down-sampling threshold for frequent words."""
    min_count: int = 0
    """Ignore words seen fewer times; 0 = by corpus size (1 under 50k tokens, 2, 3, then 5 over 5M)."""
    epochs: int = 0
    """Passes over the corpus; 0 = by corpus size (about 2M token-passes, between 5 and 50)."""
    phrases: bool = False
    """Join frequent word pairs into one token (``broken_heart``) with gensim Phrases."""
    phrase_min_count: int = 5
    """A pair must occur this often to become a phrase."""
    phrase_threshold: float = 10.0
    """Phrases score threshold (higher: fewer phrases)."""
    workers: int = 0
    """Training threads; 0 = the number of CPU cores (1 gives bit-identical runs)."""
    seed: int = 1
    """Seed of the initial vectors and of sampling."""

    def __post_init__(self):
        if self.vector_size < 2 or self.window < 1 or self.negative < 1:
            raise LyricistError("vector_size must be at least 2, window and negative at least 1")
        if self.sg not in (0, 1):
            raise LyricistError(f"sg must be 0 (CBOW) or 1 (skip-gram), got {self.sg}")
        if self.min_count < 0 or self.epochs < 0 or self.workers < 0:
            raise LyricistError("min_count, epochs and workers must be 0 (auto) or positive")
        if not 0 <= self.sample < 1:
            raise LyricistError(f"sample must be in [0, 1), got {self.sample}")
        if self.phrase_min_count < 1 or self.phrase_threshold <= 0:
            raise LyricistError("phrase_min_count must be at least 1 and phrase_threshold positive")


#: ``tiny`` for tests (32 dims, 5 epochs, seconds), ``default`` (100 dims, epochs by corpus size),
#: ``full`` (300 dims, phrases).
EMBEDDING_PRESETS = {
    "tiny": EmbeddingConfig(vector_size=32, epochs=5, min_count=1),
    "default": EmbeddingConfig(),
    "full": EmbeddingConfig(vector_size=300, phrases=True),
}


def auto_min_count(n_tokens: int) -> int:
    """``min_count`` for a corpus of ``n_tokens`` tokens: keep every word of a small corpus.

    Example:
        >>> auto_min_count(20_000), auto_min_count(1_000_000), auto_min_count(10_000_000)
        (1, 3, 5)
    """
    return 1 if n_tokens < 50_000 else 2 if n_tokens < 500_000 else 3 if n_tokens < 5_000_000 else 5


def auto_epochs(n_tokens: int) -> int:
    """Epochs for ``n_tokens`` tokens: about two million token-passes, between 5 and 50.

    Small corpora need many passes for the vectors to settle.

    Example:
        >>> auto_epochs(20_000), auto_epochs(200_000), auto_epochs(4_000_000)
        (50, 10, 5)
    """
    return int(min(50, max(5, round(2_000_000 / max(1, n_tokens)))))


# ----------------------------------------------------------------- training
def corpus_sentences(paths: Sequence[str | os.PathLike], progress: Optional[ProgressFn] = None) -> tuple[list, dict]:
    """Token lists of a corpus, one per song section (stanza), and counts about it.

    Returns:
        ``(sentences, {"songs", "sections", "tokens"})``.
    """
    from lyricist.lang.corpus import ReadReport, read_songs
    from lyricist.lang.text import tokens_many

    rep = ReadReport()
    texts: list[str] = []
    songs = 0
    for song in read_songs(list(paths), report=rep):
        songs += 1
        for _, lines in song.sections():
            texts.append("\n".join(ln.text for ln in lines))
        if songs % 200 == 0:
            report(progress, 0.3 * min(1.0, songs / 10000), f"read {songs:,} songs")
    sentences = []
    for i, toks in enumerate(tokens_many(texts)):
        if toks:
            sentences.append(toks)
        if i % 2000 == 0:
            report(progress, 0.3 + 0.7 * i / max(1, len(texts)), f"tokenised {i:,}/{len(texts):,} sections")
    n = sum(len(s) for s in sentences)
    return sentences, {"songs": songs, "sections": len(sentences), "tokens": n, "warnings": rep.warnings}


class _GensimProgress(logging.Handler):
    """Turns gensim's 'EPOCH i - PROGRESS: at x% examples' log records into progress calls."""

    def __init__(self, on_fraction):
        super().__init__(logging.INFO)
        self.on_fraction = on_fraction

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if "PROGRESS: at" in str(record.msg) and record.msg.startswith("EPOCH") and len(record.args) >= 2:
                self.on_fraction(int(record.args[0]), float(record.args[1]) / 100.0)
        except Exception:  # noqa: BLE001 - a progress bar must never break training
            pass


class _quiet_gensim_progress:
    """Context manager: route gensim's INFO progress to ``on_fraction`` and nowhere else."""

    def __init__(self, on_fraction):
        self.handler = _GensimProgress(on_fraction)
        self.logger = logging.getLogger("gensim.models.word2vec")

    def __enter__(self):
        self.saved = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]
        return False


def _state_dir(out: Path) -> Path:
    return out.with_name(f".{out.name}.train_state")


def train_embeddings(paths: Sequence[str | os.PathLike] | None = None, preset: str = "default",
                     out_dir: str | os.PathLike | None = None, epochs: int | None = None,
                     phrases: bool | None = None, *, cfg: EmbeddingConfig | None = None, resume: bool = False,
                     general: bool = True, general_dir: str | os.PathLike | None = None,
                     state_every_s: float = 30.0, progress: Optional[ProgressFn] = None,
                     log=None) -> dict:
    """Train word2vec on a corpus and write the model folder atomically.

    Args:
        paths: files or folders of songs (default: the bundled corpus ``corpora/``).
        preset: ``tiny``, ``default`` or ``full`` (see :data:`EMBEDDING_PRESETS`).
        out_dir: model folder (default ``checkpoint_dir("embeddings")``).
        epochs: override the preset's epochs.
        phrases: override the preset's phrase detection.
        cfg: an explicit :class:`EmbeddingConfig` (then ``preset`` is ignored).
        resume: continue from the state of an interrupted run (saved every
            ``state_every_s`` seconds in ``.<out>.train_state`` beside the folder).
        general: also build the general-English vectors if they are missing
            (so the default explorer works after this one call).
        general_dir: where the general vectors live (default ``checkpoints/general-vectors``).
        progress: ``(fraction, message)`` callback.
        log: optional ``print``-like function for one-line notes.
    Returns:
        ``{"out", "vocab_size", "tokens", "songs", "sections", "epochs", "min_count", "phrases",
        "train_seconds", "words_per_second", "metrics", "general"}``; ``words_per_second`` is
        corpus tokens times epochs over training seconds.

    Example:
        >>> r = train_embeddings(preset="tiny", out_dir="/tmp/emb", general=False)  # doctest: +SKIP
        >>> r["vocab_size"] > 1000                                                  # doctest: +SKIP
        True
    """
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    from lyricist.lang.corpus import fingerprint

    base = cfg or EMBEDDING_PRESETS[preset_check(preset)]
    changes = {}
    if epochs is not None:
        if epochs < 1:
            raise LyricistError(f"--epochs must be at least 1, got {epochs}")
        changes["epochs"] = epochs
    if phrases is not None:
        changes["phrases"] = bool(phrases)
    cfg = dataclasses.replace(base, **changes)
    paths = [str(p) for p in paths] if paths else [str(bundled_corpus())]
    out = checkpoint_dir(KIND, out_dir)
    say = log or (lambda s: None)
    gen_share = 0.0 if not general or has_vectors(checkpoint_dir(GENERAL_KIND, general_dir)) else 0.5
    p_main = scaled(progress, 0.0, 1.0 - gen_share)

    report(p_main, 0.0, "reading corpus")
    fp = fingerprint(paths)
    sentences, stats = corpus_sentences(paths, scaled(p_main, 0.0, 0.15))
    n_tokens = stats["tokens"]
    if n_tokens < MIN_TOKENS:
        raise LyricistError(f"the corpus has only {n_tokens} words: word vectors need at least {MIN_TOKENS} "
                            "(pass more songs with --corpus)")
    n_phrases = 0
    if cfg.phrases:
        from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

        report(p_main, 0.15, "finding phrases")
        ph = Phrases(sentences, min_count=cfg.phrase_min_count, threshold=cfg.phrase_threshold,
                     connector_words=ENGLISH_CONNECTOR_WORDS).freeze()
        n_phrases = len(ph.phrasegrams)
        sentences = [ph[s] for s in sentences]
    min_count = cfg.min_count or auto_min_count(n_tokens)
    n_epochs = cfg.epochs or auto_epochs(n_tokens)
    workers = cfg.workers or (os.cpu_count() or 1)
    resolved = dataclasses.replace(cfg, min_count=min_count, epochs=n_epochs, workers=workers)

    state = _state_dir(out)
    state_doc = {"fingerprint": fp, "params": {k: v for k, v in dataclasses.asdict(resolved).items()
                                               if k != "workers"}}
    done = 0
    model = None
    if resume and (state / "state.json").is_file():
        try:
            saved = json.loads((state / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if {k: saved.get(k) for k in state_doc} != state_doc:
            raise LyricistError(f"the saved training state in {state} is for another corpus or other settings: "
                                "run again without --resume to start over")
        model = Word2Vec.load(str(state / "w2v.model"))
        done = int(saved["epochs_done"])
        say(f"resuming after epoch {done}/{n_epochs}")
    elif resume:
        say("no saved training state: starting from scratch")

    t0 = time.perf_counter()
    last_save = [time.perf_counter()]
    train_share = (0.15, 0.92)

    def frac(epoch_done: float) -> float:
        return train_share[0] + (train_share[1] - train_share[0]) * epoch_done / n_epochs

    class _Epochs(CallbackAny2Vec):
        """Progress per epoch, and the resumable state now and then."""

        def __init__(self):
            self.epoch = done

        def on_epoch_end(self, m):
            self.epoch += 1
            report(p_main, frac(self.epoch), f"epoch {self.epoch}/{n_epochs}")
            if self.epoch < n_epochs and time.perf_counter() - last_save[0] >= state_every_s:
                _save_state(state, m, {**state_doc, "epochs_done": self.epoch})
                last_save[0] = time.perf_counter()

    def within(epoch: int, f: float) -> None:
        # gensim numbers the epochs of one train() call from 0; a resumed run starts at `done`
        report(p_main, frac(done + epoch + f), f"epoch {done + epoch + 1}/{n_epochs}")

    report(p_main, train_share[0], f"training on {n_tokens:,} tokens")
    with _quiet_gensim_progress(within):
        if model is None:
            model = Word2Vec(vector_size=cfg.vector_size, window=cfg.window, sg=cfg.sg, negative=cfg.negative,
                             sample=cfg.sample, min_count=min_count, workers=workers, seed=cfg.seed,
                             epochs=n_epochs)
            model.build_vocab(sentences)
            if len(model.wv) < 2:
                raise LyricistError(f"no word occurs {min_count} times in the corpus: pass more songs")
            model.train(sentences, total_examples=model.corpus_count, epochs=n_epochs, callbacks=[_Epochs()])
        elif done < n_epochs:
            # continue the linear learning-rate decay where the interrupted run left it
            start = model.alpha - (model.alpha - model.min_alpha) * done / n_epochs
            model.workers = workers
            model.train(sentences, total_examples=model.corpus_count, epochs=n_epochs - done,
                        start_alpha=start, end_alpha=model.min_alpha, callbacks=[_Epochs()])
    seconds = time.perf_counter() - t0
    wv = model.wv
    report(p_main, 0.93, "evaluating")
    metrics = {"vocab_size": len(wv), "tokens": n_tokens, "epochs": n_epochs, "train_seconds": round(seconds, 2),
               "words_per_second": round(n_tokens * (n_epochs - done) / max(seconds, 1e-9), 1)}
    metrics.update(evaluate_keyed_vectors(wv))
    with atomic_dir(out) as tmp:
        save_vectors(wv, tmp)
        save_sounds(tmp, wv)
        write_config(tmp, KIND, resolved, fingerprint=fp, vocab_size=len(wv), vector_size=wv.vector_size,
                     tokens=n_tokens, songs=stats["songs"], sections=stats["sections"], phrases_found=n_phrases,
                     train_seconds=round(seconds, 2), words_per_second=metrics["words_per_second"],
                     corpus=[str(p) for p in paths])
        atomic_write_json(tmp / "metrics.json", metrics)
    shutil.rmtree(state, ignore_errors=True)
    result = {"out": str(out), "vocab_size": len(wv), "tokens": n_tokens, "songs": stats["songs"],
              "sections": stats["sections"], "epochs": n_epochs, "min_count": min_count, "phrases": n_phrases,
              "train_seconds": round(seconds, 2), "words_per_second": metrics["words_per_second"],
              "metrics": metrics, "general": None, "warnings": stats["warnings"]}
    report(p_main, 1.0, f"{len(wv):,} words")
    if general:
        from lyricist.explore.general import ensure_general_vectors

        gdir = ensure_general_vectors(general_dir, progress=scaled(progress, 1.0 - gen_share, 1.0))
        result["general"] = str(gdir)
    report(progress, 1.0, "done")
    return result


def _save_state(state: Path, model, doc: dict) -> None:
    """The full model (with its output weights) plus how far training got, swapped in atomically."""
    with atomic_dir(state) as tmp:
        model.save(str(tmp / "w2v.model"))
        atomic_write_json(tmp / "state.json", doc)


def has_vectors(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds vectors in the form :func:`load_vectors` reads."""
    folder = Path(folder)
    return (folder / KEYS_FILE).is_file() and (folder / f"{VECTORS_FILE}.vectors.npy").is_file()


def save_vectors(kv, folder: str | os.PathLike) -> None:
    """Write ``KeyedVectors`` into a checkpoint folder, in two forms.

    ``vectors.kv`` (+ ``vectors.kv.vectors.npy``) is gensim's own format, so
    ``KeyedVectors.load`` opens the checkpoint; it is a pickle, so lyricist never reads it.
    lyricist reads the ``.npy`` (``allow_pickle=False``) and ``vectors.keys.json``.

    Example:
        >>> save_vectors(model.wv, "/tmp/m")        # doctest: +SKIP
        >>> load_vectors("/tmp/m").most_similar("love", topn=1)  # doctest: +SKIP
    """
    folder = Path(folder)
    kv.save(str(folder / VECTORS_FILE), sep_limit=0)  # vectors in their own .npy: the explorer maps it
    counts = kv.expandos.get("count") if hasattr(kv, "expandos") else None
    atomic_write_json(folder / KEYS_FILE, {"keys": list(kv.index_to_key),
                                           "counts": None if counts is None else [int(c) for c in counts]})


# ----------------------------------------------------------------- loading
def load_vectors(folder: str | os.PathLike, kind: str = KIND, mmap: bool = False):
    """The ``KeyedVectors`` of a checkpoint folder, checked against its ``config.json``.

    With ``mmap``, a separately stored vector array (``vectors.kv.vectors.npy``, as gensim
    writes big ones) is memory-mapped read-only instead of read.

    Raises:
        LyricistError: missing folder, missing/corrupt ``config.json`` or vectors, wrong kind,
            or vectors that do not match the config.
    """
    from gensim.models import KeyedVectors

    folder = Path(folder)
    conf = read_config(folder, kind)
    what = "embeddings" if kind == KIND else "general vectors"
    fix = ("retrain with `lyricist train embeddings`" if kind == KIND
           else f"delete {folder} (it is rebuilt when needed)")
    keys_path, npy = folder / KEYS_FILE, folder / f"{VECTORS_FILE}.vectors.npy"
    if not npy.is_file():
        raise LyricistError(f"{folder} has no {npy.name}: {fix}")
    if not keys_path.is_file():  # older checkpoints hold the words only in the pickle, which we never load
        raise LyricistError(f"{folder} has no {KEYS_FILE} (written by an older lyricist): {fix}")
    try:
        doc = json.loads(keys_path.read_text(encoding="utf-8"))
        keys, counts = list(doc["keys"]), doc.get("counts")
        vecs = np.load(npy, mmap_mode="r" if mmap else None, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - JSON, numpy and OS errors all mean "unusable file"
        raise LyricistError(f"cannot load the {what} in {folder} ({e.__class__.__name__}): they are corrupt; "
                            f"{fix}") from None
    want = conf.get("vocab_size")
    if vecs.ndim != 2 or vecs.shape[0] != len(keys) or (want is not None and want != len(keys)) or \
            (counts is not None and len(counts) != len(keys)):
        raise LyricistError(f"the vectors in {folder} do not match its {KEYS_FILE} or config.json "
                            f"({len(keys)} words, {vecs.shape[0] if vecs.ndim else 0} rows, config says {want}): "
                            f"{fix}")
    kv = KeyedVectors(int(vecs.shape[1]), count=0, dtype=vecs.dtype)
    kv.index_to_key = keys
    kv.key_to_index = {k: i for i, k in enumerate(keys)}
    kv.vectors = vecs
    if counts is not None:
        kv.expandos["count"] = np.asarray(counts, dtype=np.int64)
    return kv


_SPACES = ModelCache("word space", size=4)


def load_space(model_dir: str | os.PathLike | None = None, general_dir: str | os.PathLike | None = None, *,
               build_general: bool = True, require_corpus: bool = False,
               progress: Optional[ProgressFn] = None) -> "WordSpace":
    """The explorer over the default (or given) models, loaded once and cached by folder and mtime.

    Args:
        model_dir: corpus embeddings folder (default ``checkpoints/embeddings``; if that
            is missing the explorer works on the general space alone).
        general_dir: general vectors folder (default ``checkpoints/general-vectors``).
        build_general: build the general vectors if they are missing (minutes, once).
        require_corpus: raise if there is no corpus model.
        progress: callback while building the general vectors.

    Example:
        >>> ws = load_space("checkpoints/embeddings")   # doctest: +SKIP
        >>> ws.has_corpus, ws.has_general               # doctest: +SKIP
        (True, True)
    """
    cdir = checkpoint_dir(KIND, model_dir)
    gdir = checkpoint_dir(GENERAL_KIND, general_dir)
    if model_dir is not None or require_corpus:
        read_config(cdir, KIND)  # a clear error for a folder given but missing or wrong
    use_c = (cdir / "config.json").is_file()
    if not has_vectors(gdir) and build_general:
        from lyricist.explore.general import ensure_general_vectors

        ensure_general_vectors(gdir, progress=progress)
    use_g = (gdir / "config.json").is_file()
    if not use_c and not use_g:
        raise LyricistError(f"no word vectors at {cdir} or {gdir}: run `lyricist train embeddings`")
    def build() -> "WordSpace":
        # the sound index (rhymes, syllables, lemmas) is saved beside the vectors: loading it
        # takes milliseconds where computing it takes seconds
        ckv, csnd = open_checkpoint(cdir, KIND) if use_c else (None, None)
        gkv, gsnd = open_checkpoint(gdir, GENERAL_KIND) if use_g else (None, None)
        return WordSpace(ckv, gkv, corpus_dir=str(cdir) if use_c else None,
                         general_dir=str(gdir) if use_g else None, corpus_sounds=csnd, general_sounds=gsnd)

    key = ("space", str(cdir.resolve()) if use_c else "", str(gdir.resolve()) if use_g else "")
    ws = _SPACES.get(key, [cdir if use_c else None, gdir if use_g else None], build)
    return ws


# ----------------------------------------------------------------- inflections
def inflections(word: str) -> set[str]:
    """Regular inflected spellings of ``word`` (plural, possessive, -ed, -ing, lyric -in').

    Derivations stay out: ``lovely`` and ``lover`` are other words.

    Example:
        >>> {"love's", "loved", "loves", "lovin'", "loving"} <= inflections("love")
        True
        >>> {"stopped", "stoppin'", "cries", "cried"} <= inflections("stop") | inflections("cry")
        True
    """
    w = word.lower()
    out = {w + "s", w + "'s", w + "s'", w + "ed", w + "ing", w + "in'"}
    if w.endswith(("s", "x", "z", "ch", "sh", "o")):
        out.add(w + "es")
    if w.endswith("e"):
        out |= {w + "d", w[:-1] + "ing", w[:-1] + "in'"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "in'"}  # stop -> stopped
    return out


def is_inflection(query: str, candidate: str) -> bool:
    """Whether ``candidate`` is ``query`` itself or one of its inflected forms (either way round).

    Uses the lemmatizer of :mod:`lyricist.lang.text` (``cried`` -> ``cry``, ``sadder`` -> ``sad``,
    ``lovin'`` -> ``love``) and the spelling rules of :func:`inflections`.

    Example:
        >>> [is_inflection("love", w) for w in ("loved", "lovin'", "love's", "lovely", "lover")]
        [True, True, True, False, False]
    """
    from lyricist.lang.text import lemma

    q, c = query.lower(), candidate.lower()
    if q == c:
        return True
    lq, lc = lemma(q), lemma(c)
    if lq == lc:
        return True
    return c in inflections(q) or c in inflections(lq) or q in inflections(c) or q in inflections(lc)


# ----------------------------------------------------------------- the sound index
SOUNDS_FILE = "sounds.npz"
SOUNDS_VERSION = 3


@functools.lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Lowercase English dictionary words and their inflected forms (WordNet lemmas via ``spacy-lookups-data``).

    Used to keep proper names, abbreviations and function words (``mcguire``,
    ``usmc``, ``of``) out of the suggestions that come from the general
    vocabulary: WordNet lists nouns, verbs, adjectives and adverbs (function
    words are not in it). It also lists many names in lowercase, so a word is
    dropped when the Brill lexicon only knows it capitalised, or when spaCy's
    lexeme probabilities see it spelled ``France``/``LDL`` e times more often
    than ``france``/``ldl`` (which costs a few common words that are mostly
    names: ``christmas``, ``sunday``). The user's own corpus words are never filtered.

    Example:
        >>> d = dictionary_words(); ("desire" in d, "desires" in d, "mcguire" in d, "of" in d, "france" in d)
        (True, True, False, False, False)
    """
    import gzip
    from importlib import resources

    def table(name: str) -> dict:
        path = resources.files("spacy_lookups_data").joinpath("data", f"en_{name}.json.gz")
        with gzip.open(str(path), "rt", encoding="utf8") as f:
            return json.load(f)

    try:
        index: set[str] = set().union(*table("lemma_index").values())
        forms = {form for pos in table("lemma_exc").values() for form, lem in pos.items()
                 if any(x in index for x in lem)}
        forms |= {form for form, lem in table("lemma_lookup").items() if lem in index}
    except Exception:  # noqa: BLE001 - a declared dependency; without it nothing is filtered
        return frozenset()
    names = _proper_names()
    try:  # spelled with a capital e (2.7) times more often than without: a name or an acronym (france, ldl)
        logp = table("lexeme_prob")
    except Exception:  # noqa: BLE001
        logp = {}
    low = -1e9

    def capitalised(w: str) -> bool:
        # the margin keeps words that are also a band or a title (queen, king, god: 1.2-1.6x)
        return max(logp.get(w.capitalize(), low), logp.get(w.upper(), low)) > logp.get(w, low) + 1.0

    return frozenset(w for w in index | forms
                     if (w.isalpha() or "'" in w) and w not in names and not capitalised(w))


def _proper_names() -> set[str]:
    """Lowercased words that the Brill POS lexicon (shipped with TextBlob, which nrclex needs) only
    knows capitalised: ``france``, ``jerome``, ``viii``. WordNet lists many of them in lowercase."""
    try:
        from importlib import resources

        text = resources.files("textblob").joinpath("en", "en-lexicon.txt").read_text(encoding="utf-8")
    except Exception:  # noqa: BLE001 - optional: without it, WordNet alone decides
        return set()
    lower, capital = set(), set()
    for line in text.splitlines():
        w = line.split(" ", 1)[0]
        if not w or line.startswith(";;;"):
            continue
        (lower if w.islower() else capital).add(w)
    return {w.lower() for w in capital if w[0].isupper()} - lower


def _keys_digest(keys: Sequence[str]) -> str:
    h = hashlib.sha1()
    h.update("\n".join(keys).encode("utf-8"))
    return h.hexdigest()[:16]


def word_sounds(keys: Sequence[str], progress: Optional[ProgressFn] = None) -> dict[str, np.ndarray]:
    """Per-word facts the filters need, computed once per vocabulary (and saved with the vectors).

    Returns:
        ``{"syllables": (N,) int16, "rhymes": (N,) str, "lemma": (N,) str, "dictionary": (N,) bool}``:
        syllables from CMU (else spelling rules); the rhyme parts of every
        pronunciation joined by ``|`` (``"AY ER|AY R"`` for fire), empty for a word
        whose pronunciation is unknown (never offered as a rhyme: a spelling guess
        is too often wrong); the lemma (``lovin'`` -> ``love``) for the inflection
        filter; whether it is a dictionary word (:func:`dictionary_words`).

    Example:
        >>> s = word_sounds(["fire", "desire", "mcguire"])
        >>> s["rhymes"][0], s["syllables"].tolist(), s["dictionary"].tolist()
        ('AY ER|AY R', [2, 3, 2], [True, True, False])
    """
    from lyricist.lang.prosody import rhyme_parts, pronunciations, syllables
    from lyricist.lang.text import lemma

    d = dictionary_words()
    n = len(keys)
    syl = np.zeros(n, dtype=np.int16)
    rh, lem, dic = [], [], np.zeros(n, dtype=bool)
    for i, w in enumerate(keys):
        parts = w.split("_")  # a phrase (broken_heart) scans as its words and rhymes on its last one
        syl[i] = sum(syllables(p) for p in parts if p)
        last = parts[-1]
        # rhyme_parts is what prosody.is_rhyme compares, so the index agrees with it exactly
        rh.append("|".join(rhyme_parts(last)) if last and pronunciations(last) else "")
        lm = lemma(w) if "_" not in w else w
        lem.append(lm)
        # eye's is a form, not a word to offer; two letters from the general list are abbreviations (uv, ai)
        dic[i] = (w in d or lm in d) and not w.endswith(("'s", "s'")) and len(w) > 2
        if i % 5000 == 0:
            report(progress, i / max(1, n), f"sounds of {i:,}/{n:,} words")
    return {"syllables": syl, "rhymes": np.array(rh, dtype=object), "lemma": np.array(lem, dtype=object),
            "dictionary": dic}


def _kv_size(folder: Path) -> int:
    try:
        return (folder / VECTORS_FILE).stat().st_size
    except OSError:
        return -1


def save_sounds(folder: str | os.PathLike, kv, sounds: dict[str, np.ndarray] | None = None) -> Path:
    """Write ``sounds.npz`` for the ``KeyedVectors`` ``kv`` saved in ``folder``, atomically.

    It holds the sound index (:func:`word_sounds`) and, so that the explorer can
    open the checkpoint without importing gensim (seconds), the keys and counts
    of ``kv`` and the size of ``vectors.kv`` it was made for.
    """
    import io

    keys = list(kv.index_to_key)
    sounds = sounds if sounds is not None else word_sounds(keys)
    counts = _counts(kv)
    # string columns are stored as newline-joined UTF-8 (a fixed-width numpy string array
    # would be 20x bigger) and load without pickle
    text = {k: np.frombuffer("\n".join(map(str, col)).encode("utf-8"), dtype=np.uint8)
            for k, col in (("keys", keys), ("rhymes", sounds["rhymes"]), ("lemma", sounds["lemma"]))}
    buf = io.BytesIO()
    np.savez(buf, version=np.array(SOUNDS_VERSION), digest=np.array(_keys_digest(keys)),
             kv_size=np.array(_kv_size(Path(folder))), count=counts if counts is not None else np.ones(len(keys)),
             syllables=sounds["syllables"], dictionary=sounds["dictionary"], **text)
    return atomic_write_bytes(Path(folder) / SOUNDS_FILE, buf.getvalue())


def _read_index(folder: Path) -> dict | None:
    """``sounds.npz`` as arrays (keys, count, syllables, rhymes, lemma, dictionary, kv_size), or None if unusable."""
    path = folder / SOUNDS_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["version"]) != SOUNDS_VERSION:
                return None
            out = {k: z[k] for k in ("count", "syllables", "dictionary")}
            for k in ("keys", "rhymes", "lemma"):
                out[k] = np.array(z[k].tobytes().decode("utf-8").split("\n"), dtype=object)
            out["digest"], out["kv_size"] = str(z["digest"]), int(z["kv_size"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None  # corrupt or old: rebuilt by the caller
    n = len(out["keys"])
    return out if all(len(out[k]) == n for k in ("count", "syllables", "dictionary", "rhymes", "lemma")) else None


_SOUND_COLUMNS = ("syllables", "rhymes", "lemma", "dictionary")


def load_sounds(folder: str | os.PathLike | None, kv) -> dict[str, np.ndarray]:
    """The saved sound index of ``folder`` if it matches ``kv``, else computed now and saved (best effort).

    Folders written before the index existed get it on first use, so the
    next process loads it in milliseconds.
    """
    keys = list(kv.index_to_key)
    if folder is not None:
        idx = _read_index(Path(folder))
        if idx is not None and idx["digest"] == _keys_digest(keys):
            return {k: idx[k] for k in _SOUND_COLUMNS}
    sounds = word_sounds(keys)
    if folder is not None:
        try:
            save_sounds(folder, kv, sounds)
        except OSError:
            pass  # a read-only checkpoint still works, only slower to open
    return sounds


class _PlainVectors:
    """The part of ``KeyedVectors`` the explorer reads, opened from ``sounds.npz`` + the ``.npy`` gensim wrote."""

    def __init__(self, keys: list[str], vectors: np.ndarray, counts: np.ndarray):
        self.index_to_key, self.vectors, self.counts = keys, vectors, counts
        self.vector_size = int(vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)


def _open_fast(folder: Path, conf: dict) -> tuple[_PlainVectors, dict] | None:
    """Vectors and sound index without gensim, when the folder has both files and they agree; else None."""
    npy = folder / f"{VECTORS_FILE}.vectors.npy"
    if not npy.is_file():
        return None
    idx = _read_index(folder)
    if idx is None or idx["kv_size"] != _kv_size(folder) or len(idx["keys"]) != conf.get("vocab_size", -1):
        return None
    try:
        vecs = np.load(npy, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vecs.ndim != 2 or vecs.shape[0] != len(idx["keys"]):
        return None
    kv = _PlainVectors(list(idx["keys"]), vecs, idx["count"].astype(np.float32))
    return kv, {k: idx[k] for k in _SOUND_COLUMNS}


def open_checkpoint(folder: str | os.PathLike, kind: str = KIND):
    """``(vectors, sound index)`` of a checkpoint folder: fast without gensim when possible.

    Raises:
        LyricistError: as :func:`load_vectors`.
    """
    folder = Path(folder)
    conf = read_config(folder, kind)
    fast = _open_fast(folder, conf)
    if fast is not None:
        return fast
    kv = load_vectors(folder, kind, mmap=True)
    return kv, load_sounds(folder, kv)


# ----------------------------------------------------------------- the explorer
#: Where a map label may sit around its point, and the offset of its box centre in (label height) units.
_LABEL_SLOTS = {"top center": (0.0, 1.0), "bottom center": (0.0, -1.0), "middle right": (1.0, 0.0),
                "middle left": (-1.0, 0.0), "top right": (0.8, 0.8), "bottom left": (-0.8, -0.8),
                "top left": (-0.8, 0.8), "bottom right": (0.8, -0.8)}


def label_positions(xy: np.ndarray, names: Sequence[str], width: float = 420.0, height: float = 320.0,
                    font_px: float = 12.0) -> list[str]:
    """A plotly ``textposition`` for each point, chosen greedily so labels overlap as little as possible.

    Labels are boxes of about ``0.6 * font_px`` pixels per character by ``font_px`` on a plot of
    ``width`` x ``height`` pixels; each label, in order, takes the slot (above, below, right, left,
    then the corners) whose box overlaps least with the labels and points already placed.

    Example:
        >>> label_positions(np.array([[0.0, 0.0], [0.0, 0.001], [5.0, 5.0]]), ["rain", "rainy", "sun"])
        ['bottom center', 'top center', 'top center']
    """
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        return []
    span = np.maximum(xy.max(0) - xy.min(0), 1e-9)
    px = (xy - xy.min(0)) / span * np.array([width, height])  # (n, 2) in pixels
    boxes = [(x - 4, y - 4, x + 4, y + 4) for x, y in px]  # x0, y0, x1, y1: every point, then placed labels
    air = 4.0  # keep a little space between labels, not just no overlap

    def box(x: float, y: float, w: float, h: float, slot: str, pad: float = 0.0) -> tuple:
        dx, dy = _LABEL_SLOTS[slot]
        cx, cy = x + dx * (w / 2 + 5), y + dy * (h / 2 + 5)
        return cx - w / 2 - pad, cy - h / 2 - pad, cx + w / 2 + pad, cy + h / 2 + pad

    def overlap(a: tuple) -> float:
        return sum(max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
                   for b in boxes)

    out = []
    for (x, y), name in zip(px, names):
        w, h = 0.6 * font_px * max(1, len(name)), font_px
        best = min(_LABEL_SLOTS, key=lambda slot: overlap(box(x, y, w, h, slot, air)))  # ties: first slot
        boxes.append(box(x, y, w, h, best))
        out.append(best)
    return out


def _unit_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32)


def _norm_word(word: str) -> str:
    from lyricist.lang.text import normalize

    if not isinstance(word, str) or not word.strip():
        raise LyricistError("no word given: pass one word, e.g. 'heart'")
    w = normalize(word).strip().lower()
    w = re.sub(r"^[^\w']+|[^\w']+$", "", w)
    if not w:
        raise LyricistError(f"not a word: {word.strip()!r} (use letters, e.g. 'heart')")
    return re.sub(r"\s+", "_", w)


class WordSpace:
    """Nearest neighbours, analogies and maps over a corpus space, a general space and their blend.

    Build it with :func:`load_space` (cached), or directly from two gensim
    ``KeyedVectors`` (either may be None). All vectors are unit-normalised once,
    into one table over the union of both vocabularies:

    - ``G`` ``(N, dg)`` general vectors (zero rows where the general space lacks the word),
    - ``C`` ``(N, dc)`` corpus vectors (zero rows where the corpus lacks it),
    - ``count`` ``(N,)`` corpus counts (0 where absent).

    Keys are ordered: general words by frequency, then corpus-only words by count.

    Example:
        >>> from gensim.models import KeyedVectors
        >>> kv = KeyedVectors(2); kv.add_vectors(["sad", "unhappy", "table"], np.array([[1, 0], [1, .1], [0, 1]], "f4"))
        >>> WordSpace(None, kv).similar("sad", topn=1)[0][0]
        'unhappy'
    """

    def __init__(self, corpus=None, general=None, *, corpus_weight: float = 0.5, half_count: float = 20.0,
                 corpus_dir: str | None = None, general_dir: str | None = None,
                 corpus_sounds: dict | None = None, general_sounds: dict | None = None):
        if corpus is None and general is None:
            raise LyricistError("no word vectors: train some with `lyricist train embeddings`")
        if not 0.0 <= corpus_weight <= 1.0 or half_count <= 0:
            raise LyricistError("corpus_weight must be in [0, 1] and half_count positive")
        self.corpus_weight, self.half_count = float(corpus_weight), float(half_count)
        self.corpus_dir, self.general_dir = corpus_dir, general_dir
        self.has_corpus, self.has_general = corpus is not None, general is not None
        gkeys = list(general.index_to_key) if general is not None else []
        gset = set(gkeys)
        ckeys = list(corpus.index_to_key) if corpus is not None else []
        self.keys: list[str] = gkeys + [w for w in ckeys if w not in gset]
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.keys)}
        n = len(self.keys)
        self.n_general = len(gkeys)
        self.has_g = np.zeros(n, dtype=bool)
        self.has_c = np.zeros(n, dtype=bool)
        self.count = np.zeros(n, dtype=np.float32)
        self.G = np.zeros((n, general.vector_size if general is not None else 1), dtype=np.float32)
        self.C = np.zeros((n, corpus.vector_size if corpus is not None else 1), dtype=np.float32)
        self.gcount = np.zeros(n, dtype=np.float32)  # general frequency per billion words (0 where absent)
        if general is not None:
            self.G[:len(gkeys)] = _unit_rows(np.asarray(general.vectors))
            self.has_g[:len(gkeys)] = True
            gc = _counts(general)
            if gc is not None:
                self.gcount[:len(gkeys)] = gc
        if corpus is not None:
            rows = np.fromiter((self.index[w] for w in ckeys), dtype=np.int64, count=len(ckeys))
            self.C[rows] = _unit_rows(np.asarray(corpus.vectors))
            self.has_c[rows] = True
            counts = _counts(corpus)
            self.count[rows] = counts if counts is not None else 1.0
        # corpus rank of every union row (for restrict_vocab on the corpus space)
        self._corpus_order = np.flatnonzero(self.has_c)[np.argsort(-self.count[self.has_c], kind="stable")] \
            if corpus is not None else np.zeros(0, dtype=np.int64)
        self._lock = threading.Lock()
        self._given_sounds = (corpus.index_to_key if corpus is not None else None, corpus_sounds, general_sounds)
        self._snd: dict[str, np.ndarray] | None = None
        self._rhyme_index: tuple[dict, dict, dict] | None = None
        self._rhyme_cache: dict = {}
        self._by_len: dict[int, list[str]] | None = None

    # -- basics ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, word: str) -> bool:
        try:
            return _norm_word(word) in self.index
        except LyricistError:
            return False

    def _check_space(self, space: str) -> str:
        if space not in SPACES:
            raise LyricistError(f"unknown space {space!r}: use corpus, general or blend")
        if space == "corpus" and not self.has_corpus:
            raise LyricistError("no corpus embeddings loaded: run `lyricist train embeddings` or pass --model DIR")
        if space == "general" and not self.has_general:
            raise LyricistError("no general vectors loaded: they are built by `lyricist train embeddings`")
        return space

    def valid(self, space: str) -> np.ndarray:
        """``(N,)`` bool: the rows that have a vector in ``space``."""
        return {"corpus": self.has_c, "general": self.has_g}.get(space, self.has_c | self.has_g)

    def in_space(self, word: str, space: str = "blend") -> bool:
        """Whether ``word`` has a vector in ``space``."""
        i = self.index.get(_norm_word(word))
        return i is not None and bool(self.valid(self._check_space(space))[i])

    def lookup(self, word: str, space: str = "blend") -> int:
        """Row of ``word`` in ``space``; a :class:`LyricistError` with spelling suggestions if unknown.

        Example:
            >>> ws.lookup("hart")  # doctest: +SKIP
            LyricistError: unknown word 'hart': not in the corpus or general vocabulary; did you mean heart, hard, art?
        """
        space = self._check_space(space)
        w = _norm_word(word)
        i = self.index.get(w)
        if i is not None and self.valid(space)[i]:
            return i
        where = {"corpus": "the corpus vocabulary", "general": "the general vocabulary",
                 "blend": "the corpus or general vocabulary"}[space]
        if i is not None:  # known in the other space only
            other = "general" if space == "corpus" else "corpus"
            raise LyricistError(f"word {w!r} is not in {where} (it is in the {other} space: try --space {other} "
                                "or --space blend)")
        sug = self.suggest(w, space=space)
        hint = f"; did you mean {', '.join(sug)}?" if sug else "; check the spelling"
        raise LyricistError(f"unknown word {w!r}: not in {where}{hint}")

    def suggest(self, word: str, n: int = 3, space: str = "blend") -> list[str]:
        """Known words spelled like ``word`` (difflib ratio, then commonness), for typos.

        Only words within two letters of its length, among the corpus words and
        the 30,000 most frequent general words, are compared, which keeps it
        fast on a big vocabulary.

        Example:
            >>> ws.suggest("hart")  # doctest: +SKIP
            ['heart', 'hard', 'art']
        """
        w = _norm_word(word)
        if self._by_len is None:
            by_len: dict[int, list[str]] = {}
            keep = self.has_c.copy()
            keep[:min(self.n_general, 30000)] = True
            for i in np.flatnonzero(keep):
                by_len.setdefault(len(self.keys[i]), []).append(self.keys[i])
            self._by_len = by_len
        valid = self.valid(space)
        pool = [x for k in range(len(w) - 2, len(w) + 3) for x in self._by_len.get(k, ())
                if valid[self.index[x]]]
        close = difflib.get_close_matches(w, pool, n=max(n * 4, 10), cutoff=0.6)
        rank = {x: i for i, x in enumerate(close)}

        def key(x: str):
            ratio = difflib.SequenceMatcher(None, w, x).ratio()
            i = self.index[x]
            return (-round(ratio, 1), -float(self.count[i]) if self.has_c[i] else 0.0,
                    i if self.has_g[i] else 10**9, rank[x])

        return sorted(close, key=key)[:n]

    # -- similarity -----------------------------------------------------------------------------
    def sim_matrix(self, rows: np.ndarray, cols: np.ndarray, space: str = "blend") -> np.ndarray:
        """``(len(rows), len(cols))`` similarities in ``space``; NaN where the pair shares no space.

        ``blend`` follows the rule in the module docstring.
        """
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if space == "general":
            s = self.G[rows] @ self.G[cols].T  # (R, Q)
            return np.where(self.has_g[rows][:, None] & self.has_g[cols][None, :], s, np.nan)
        if space == "corpus":
            s = self.C[rows] @ self.C[cols].T
            return np.where(self.has_c[rows][:, None] & self.has_c[cols][None, :], s, np.nan)
        sc = self.C[rows] @ self.C[cols].T if self.has_corpus else 0.0  # (R, Q)
        sg = self.G[rows] @ self.G[cols].T if self.has_general else 0.0
        both_g = self.has_g[rows][:, None] & self.has_g[cols][None, :]
        both_c = self.has_c[rows][:, None] & self.has_c[cols][None, :]
        m = np.minimum(self.count[rows][:, None], self.count[cols][None, :])  # rarer word's corpus count
        r = m / (m + self.half_count)  # reliability of the corpus cosine, 0 where a word is not in the corpus
        w = self.corpus_weight * r
        out = np.where(both_g, w * sc + (1.0 - w) * sg, np.where(both_c, r * sc, np.nan))
        return out.astype(np.float32)

    def sims(self, i: int, cands: np.ndarray | None = None, space: str = "blend") -> np.ndarray:
        """Similarity of row ``i`` to ``cands`` (default: every row), NaN where undefined.

        A few candidates (the rhymes of a word) are gathered and scored; many (a syllable
        filter, no filter) are scored against every row with matrix-vector products,
        which avoids copying most of the table (``(N, d)`` gathers cost 10x the product).
        """
        if cands is not None and len(cands) * 8 < len(self.keys):
            return self.sim_matrix(cands, np.array([i]), space)[:, 0]
        full = self._sims_all(i, space)  # (N,)
        return full if cands is None else full[cands]

    def _sims_all(self, i: int, space: str) -> np.ndarray:
        """``(N,)`` similarities of row ``i`` to every row: the rule of :meth:`sim_matrix`, vectorised."""
        if space == "general":
            return np.where(self.has_g & self.has_g[i], self.G @ self.G[i], np.nan)
        crows = self._corpus_rows()  # the few rows with a corpus vector: the corpus part is sparse
        out = np.full(len(self.keys), np.nan, dtype=np.float32)
        if space == "corpus":
            if self.has_c[i]:
                out[crows] = self.C[crows] @ self.C[i]
            return out
        if self.has_general and self.has_g[i]:
            out[self.has_g] = (self.G @ self.G[i])[self.has_g]  # (N,): the general cosine everywhere ...
        if self.has_corpus and self.has_c[i] and len(crows):
            # ... then the blend rule where both words have a corpus vector, (Nc,)
            sc = self.C[crows] @ self.C[i]
            m = np.minimum(self.count[crows], self.count[i])
            r = m / (m + self.half_count)
            w = self.corpus_weight * r
            both_g = self.has_g[crows] & self.has_g[i]
            out[crows] = np.where(both_g, w * sc + (1.0 - w) * np.nan_to_num(out[crows]), r * sc)
        return out

    def _corpus_rows(self) -> np.ndarray:
        rows = getattr(self, "_crows", None)
        if rows is None:
            rows = self._crows = np.flatnonzero(self.has_c)
        return rows

    def similarity(self, a: str, b: str, space: str = "blend") -> float:
        """Similarity of two words in ``space`` (NaN when they share no space).

        Example:
            >>> ws.similarity("happy", "glad") > ws.similarity("happy", "table")  # doctest: +SKIP
            True
        """
        ia, ib = self.lookup(a, space), self.lookup(b, space)
        return float(self.sim_matrix(np.array([ia]), np.array([ib]), space)[0, 0])

    def vectors(self, rows: np.ndarray, space: str = "blend") -> np.ndarray:
        """Vectors of ``rows`` for maps and export: ``(R, d)``.

        The blend has no single vector per word; this gives the concatenation
        ``[sqrt(w) * corpus, sqrt(1 - w) * general]`` with ``w = corpus_weight * r`` of
        the word's own count, whose dot products approximate the blended similarity.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if space == "general":
            return self.G[rows]
        if space == "corpus":
            return self.C[rows]
        c = self.count[rows]
        r = c / (c + self.half_count)
        w = np.where(self.has_g[rows], self.corpus_weight * r, 1.0)[:, None]
        parts = []
        if self.has_corpus:
            parts.append(np.sqrt(w) * self.C[rows])
        if self.has_general:
            parts.append(np.sqrt(1.0 - w) * self.G[rows])
        return _unit_rows(np.concatenate(parts, axis=1))

    # -- filters --------------------------------------------------------------------------------
    def sounds(self) -> dict[str, np.ndarray]:
        """The sound index over every row (see :func:`word_sounds`): syllables, rhyme parts, lemma, dictionary.

        Taken from the checkpoints' ``sounds.npz`` when :func:`load_space` passed them,
        else computed on first use (about a second per 10,000 words).
        """
        if self._snd is None:
            with self._lock:
                if self._snd is None:
                    ckeys, csnd, gsnd = self._given_sounds
                    n, ng = len(self.keys), self.n_general
                    if gsnd is not None and len(gsnd["syllables"]) == ng and (csnd is not None or n == ng):
                        parts = {k: [v] for k, v in gsnd.items()}
                        if n > ng:  # corpus-only rows, in the corpus's own order
                            pos = {w: k for k, w in enumerate(ckeys)}
                            take = np.array([pos[w] for w in self.keys[ng:]], dtype=np.int64)
                            for k in parts:
                                parts[k].append(csnd[k][take])
                        snd = {k: np.concatenate(v) for k, v in parts.items()}
                    elif csnd is not None and ng == 0:
                        snd = dict(csnd)
                    else:
                        snd = word_sounds(self.keys)
                    self._snd = snd
        return self._snd

    def syllable_counts(self) -> np.ndarray:
        """``(N,)`` syllables of every word (CMU, else the spelling rules of :mod:`lyricist.lang.prosody`)."""
        return self.sounds()["syllables"]

    def _rhyme_tables(self) -> tuple[dict, dict, dict]:
        """``(part -> rows with that rhyme part, first part -> rows, assonance key -> first parts)``."""
        if self._rhyme_index is None:
            from lyricist.lang.prosody import assonance_key

            by_part: dict[str, list[int]] = {}
            by_first: dict[str, list[int]] = {}
            for i, joined in enumerate(self.sounds()["rhymes"]):
                if not joined:
                    continue
                parts = str(joined).split("|")
                by_first.setdefault(parts[0], []).append(i)
                for p in parts:
                    by_part.setdefault(p, []).append(i)
            by_vowel: dict = {}
            for p in by_first:
                by_vowel.setdefault(assonance_key(p), []).append(p)
            self._rhyme_index = (by_part, by_first, by_vowel)
        return self._rhyme_index

    def rhyme_rows(self, target: str, near: bool = False) -> np.ndarray:
        """Rows of the words that rhyme with ``target`` (perfect, plus near rhymes with ``near``).

        The same test as :func:`lyricist.lang.prosody.is_rhyme` (a shared rhyme part of
        any pronunciation; with ``near``, a slant rhyme of the main pronunciations),
        answered from the sound index. Words whose pronunciation is unknown are
        never offered. Cached per target.

        Example:
            >>> [ws.keys[i] for i in ws.rhyme_rows("fire")][:3]  # doctest: +SKIP
            ['higher', 'fire', 'entire']
        """
        from lyricist.lang.prosody import near_level, rhyme_parts, word_identity

        w = _norm_word(target)
        key = (w, near)
        hit = self._rhyme_cache.get(key)
        if hit is not None:
            return hit
        i = self.index.get(w)
        joined = str(self.sounds()["rhymes"][i]) if i is not None else ""
        parts = joined.split("|") if joined else list(rhyme_parts(w))  # unknown: prosody's spelling guess
        if not parts:
            raise LyricistError(f"cannot rhyme {w!r}: its pronunciation is unknown and no known word ends like it "
                                "(check the spelling)")
        by_part, by_first, by_vowel = self._rhyme_tables()
        rows = {r for p in parts for r in by_part.get(p, ())}
        if near:
            from lyricist.lang.prosody import assonance_key

            for p in by_vowel.get(assonance_key(parts[0]), ()):
                if near_level(parts[0], p) >= 1:
                    rows.update(by_first[p])
        me = word_identity(w)
        out = np.array(sorted(r for r in rows if word_identity(self.keys[r]) != me), dtype=np.int64)
        if len(self._rhyme_cache) > 4096:
            self._rhyme_cache.clear()
        self._rhyme_cache[key] = out
        return out

    def is_form(self, q: int, c: int) -> bool:
        """Whether row ``c`` is row ``q``'s word or one of its inflections (:func:`is_inflection`, from the index)."""
        if q == c:
            return True
        kq, kc = self.keys[q], self.keys[c]
        if "_" in kq or "_" in kc:
            return False
        lem = self.sounds()["lemma"]
        lq, lc = str(lem[q]), str(lem[c])
        return lq == lc or kc in inflections(kq) or kc in inflections(lq) or kq in inflections(kc) \
            or kq in inflections(lc)

    def suggestible(self) -> np.ndarray:
        """``(N,)`` bool: the words worth suggesting as neighbours.

        Dictionary words (:func:`dictionary_words`; ``lovin'`` counts through its lemma),
        and the corpus's own other words (``ooh``, a name in a song) unless they are
        very frequent function words (``of``, ``this``: over 100 per million words in
        the general list) or single letters (``o``). Keeps names and abbreviations that only the general list
        has (``mcguire``, ``usmc``) out of neighbour lists.
        """
        ok = getattr(self, "_suggestible", None)
        if ok is None:
            longer = np.fromiter((len(w) > 1 for w in self.keys), dtype=bool, count=len(self.keys))  # no "o", "x"
            ok = self.sounds()["dictionary"] | (self.has_c & (self.gcount < 1e5) & longer)
            self._suggestible = ok
        return ok

    # -- queries --------------------------------------------------------------------------------
    def similar(self, word: str, topn: int = 10, rhymes_with: str | None = None, near: bool = False,
                syllables: int | None = None, space: str = "blend", exclude_inflections: bool = True,
                dictionary_only: bool = True) -> list[tuple[str, float]]:
        """The words nearest to ``word``, optionally only those that rhyme and/or scan.

        Args:
            word: the query word (a phrase with spaces is looked up as ``a_b``).
            topn: how many words to return.
            rhymes_with: keep only rhymes of this word (perfect; near ones too with ``near``).
            near: accept near (slant) rhymes as well.
            syllables: keep only words with this many syllables.
            space: ``blend`` (default), ``corpus`` or ``general``.
            exclude_inflections: drop the query's own forms (``love`` -> loved, loves, lovin').
            dictionary_only: suggest only :meth:`suggestible` words (no names, abbreviations
                or function words that only the general list has).
        Returns:
            ``[(word, similarity), ...]``, most similar first; fewer than ``topn`` when
            the filters leave fewer.
        Raises:
            LyricistError: unknown word (with suggestions), bad ``topn``/``syllables``, unknown rhyme word.

        Example:
            >>> ws.similar("heart", rhymes_with="fire", topn=3)  # doctest: +SKIP
            [('inspire', 0.218), ('desire', 0.176), ('liar', 0.171)]
        """
        if not isinstance(topn, int) or topn < 1:
            raise LyricistError(f"topn must be a positive whole number, got {topn!r}")
        if syllables is not None and not 1 <= int(syllables) <= 12:
            raise LyricistError(f"syllables must be between 1 and 12, got {syllables}")
        space = self._check_space(space)
        q = self.lookup(word, space)
        cands: np.ndarray | None = None
        if rhymes_with is not None:
            cands = self.rhyme_rows(rhymes_with, near)
        if syllables is not None:
            syl = self.syllable_counts()
            cands = np.flatnonzero(syl == int(syllables)) if cands is None else cands[syl[cands] == int(syllables)]
        keep = self.valid(space) & self.suggestible() if dictionary_only else self.valid(space)
        cands = np.flatnonzero(keep) if cands is None else cands[keep[cands]]
        if len(cands) == 0:
            return []
        s = self.sims(q, cands, space)
        ok = ~np.isnan(s) & (cands != q)
        cands, s = cands[ok], s[ok]
        return self._top(cands, s, topn, lambda c: exclude_inflections and self.is_form(q, c))

    def _top(self, cands: np.ndarray, scores: np.ndarray, topn: int, drop) -> list[tuple[str, float]]:
        """The ``topn`` best ``(word, score)`` skipping rows where ``drop(row)``; partial sort first."""
        out: list[tuple[str, float]] = []
        k = min(len(cands), topn * 4 + 16)
        while True:
            part = np.argpartition(-scores, k - 1)[:k] if k < len(cands) else np.arange(len(cands))
            part = part[np.argsort(-scores[part], kind="stable")]
            out = []
            for j in part:
                if not drop(int(cands[j])):
                    out.append((self.keys[cands[j]], round(float(scores[j]), 4)))
                    if len(out) == topn:
                        return out
            if k >= len(cands):
                return out
            k = min(len(cands), k * 4)

    def analogy(self, a: str, b: str, c: str, topn: int = 10, space: str = "blend") -> list[tuple[str, float]]:
        """``a`` is to ``b`` as ``c`` is to ...? Ranked by 3CosMul (Levy & Goldberg, 2014).

        ``score(d) = cos'(d, b) * cos'(d, c) / (cos'(d, a) + 0.001)`` with ``cos' = (cos + 1) / 2``,
        over every word but ``a``, ``b`` and ``c``.

        Example:
            >>> ws.analogy("man", "king", "woman", topn=1)  # doctest: +SKIP
            [('queen', 1.18)]
        """
        if not isinstance(topn, int) or topn < 1:
            raise LyricistError(f"topn must be a positive whole number, got {topn!r}")
        space = self._check_space(space)
        ia, ib, ic = (self.lookup(x, space) for x in (a, b, c))
        cands = np.flatnonzero(self.valid(space))
        s = self.sim_matrix(cands, np.array([ia, ib, ic]), space)  # (R, 3)
        score = _cos_mul(s[:, 0], s[:, 1], s[:, 2])
        ok = ~np.isnan(score) & ~np.isin(cands, [ia, ib, ic])
        return self._top(cands[ok], score[ok], topn, lambda c: False)

    def odd_one_out(self, words: Sequence[str], space: str = "blend") -> tuple[str, list[tuple[str, float]]]:
        """The word that fits least: the lowest mean similarity to the others.

        Returns:
            ``(odd_word, [(word, mean similarity to the others), ...])`` in the order given.

        Example:
            >>> ws.odd_one_out(["rain", "storm", "thunder", "guitar"])[0]  # doctest: +SKIP
            'guitar'
        """
        space = self._check_space(space)
        if isinstance(words, str) or len(words) < 3:
            raise LyricistError("odd-one-out needs at least 3 words")
        rows = [self.lookup(w, space) for w in words]
        if len(set(rows)) < len(rows):
            raise LyricistError("odd-one-out needs distinct words")
        s = self.sim_matrix(np.array(rows), np.array(rows), space)
        np.fill_diagonal(s, np.nan)
        if np.isnan(s).all(axis=1).any():
            raise LyricistError("some of these words share no space with the others: try --space general")
        mean = np.nanmean(s, axis=1)
        scores = [(self.keys[r], round(float(m), 4)) for r, m in zip(rows, mean)]
        return self.keys[rows[int(np.argmin(mean))]], scores

    def between(self, a: str, b: str, topn: int = 10, space: str = "blend",
                exclude_inflections: bool = True) -> list[tuple[str, float]]:
        """Words close to both ``a`` and ``b``: ranked by the smaller of their two similarities.

        Example:
            >>> [w for w, _ in ws.between("love", "war", topn=3)]  # doctest: +SKIP
            ['battle', 'passion', 'conflict']
        """
        space = self._check_space(space)
        ia, ib = self.lookup(a, space), self.lookup(b, space)
        cands = np.flatnonzero(self.valid(space))
        s = self.sim_matrix(cands, np.array([ia, ib]), space)
        score = np.min(s, axis=1)
        ok = ~np.isnan(score) & ~np.isin(cands, [ia, ib]) & self.suggestible()[cands]
        return self._top(cands[ok], score[ok], topn,
                         lambda c: exclude_inflections and (self.is_form(ia, c) or self.is_form(ib, c)))

    def axis(self, words: Sequence[str] | None = None, negative: str = "sad", positive: str = "happy",
             topn: int = 10, space: str = "blend", skip_unknown: bool = False) -> list[tuple[str, float]]:
        """Place words on a semantic axis: ``sim(w, positive) - sim(w, negative)``, highest first.

        Args:
            words: the words to place; None = the ``topn`` words at each end of the axis
                among the corpus words (the 10,000 most frequent general words without a corpus).
            negative, positive: the two poles.
            skip_unknown: leave out unknown words instead of raising.

        Example:
            >>> ws.axis(["funeral", "party", "rain"], "sad", "happy")  # doctest: +SKIP
            [('party', 0.21), ('rain', -0.02), ('funeral', -0.19)]
        """
        space = self._check_space(space)
        ineg, ipos = self.lookup(negative, space), self.lookup(positive, space)
        if words is None:
            pool = np.flatnonzero(self.has_c) if self.has_corpus and space != "general" \
                else np.arange(min(self.n_general, 10000))
            pool = pool[self.valid(space)[pool] & ~np.isin(pool, [ineg, ipos])]
        else:
            rows = []
            for w in words:
                try:
                    rows.append(self.lookup(w, space))
                except LyricistError:
                    if not skip_unknown:
                        raise
            pool = np.array(list(dict.fromkeys(rows)), dtype=np.int64)
        if len(pool) == 0:
            return []
        s = self.sim_matrix(pool, np.array([ipos, ineg]), space)
        score = s[:, 0] - s[:, 1]
        ok = ~np.isnan(score)
        pool, score = pool[ok], score[ok]
        order = np.argsort(-score, kind="stable")
        if words is None and len(order) > 2 * topn:
            order = np.concatenate([order[:topn], order[-topn:]])
        return [(self.keys[pool[j]], round(float(score[j]), 4)) for j in order]

    # -- maps and export ------------------------------------------------------------------------
    def map_figure(self, words: Sequence[str] | None = None, query: str | None = None, topn: int = 15,
                   method: str = "pca", space: str = "blend", seed: int = 0, **similar_kw):
        """A 2-D map of words as a plotly figure (hover labels; query and neighbours highlighted).

        Args:
            words: words to place (unknown ones are skipped).
            query: a word whose ``topn`` neighbours (with ``similar_kw`` filters) are placed too.
            method: ``pca`` (default, stable) or ``tsne`` (clusters; needs at least 5 words).
        Returns:
            ``plotly.graph_objects.Figure`` with one trace per group (query, neighbours, words).

        Example:
            >>> fig = ws.map_figure(query="rain", topn=10)  # doctest: +SKIP
            >>> len(fig.data[1].x)                           # doctest: +SKIP
            10
        """
        import plotly.graph_objects as go

        space = self._check_space(space)
        if method not in MAP_METHODS:
            raise LyricistError(f"unknown map method {method!r}: use pca or tsne")
        groups: dict[str, str] = {}
        scores: dict[str, float] = {}
        if query:
            q = self.keys[self.lookup(query, space)]
            groups[q] = "query"
            for w, s in self.similar(q, topn=topn, space=space, **similar_kw):
                groups.setdefault(w, "neighbour")
                scores[w] = s
        for w in words or ():
            try:
                groups.setdefault(self.keys[self.lookup(w, space)], "word")
            except LyricistError:
                continue
        if len(groups) < 3:
            raise LyricistError("a map needs at least 3 known words: give more words or a query")
        names = list(groups)
        X = self.vectors(np.array([self.index[w] for w in names]), space)  # (n, d)
        xy = _project_2d(X, method, seed)
        where = label_positions(xy, names)
        fig = go.Figure()
        style = {"query": ("#d62728", 16, "query"), "neighbour": ("#1f77b4", 10, "neighbours"),
                 "word": ("#7f7f7f", 9, "words")}
        for g, (colour, size, label) in style.items():
            idx = [i for i, w in enumerate(names) if groups[w] == g]
            if not idx:
                continue
            hover = [f"{names[i]}" + (f"<br>similarity {scores[names[i]]:.3f}" if names[i] in scores else "")
                     + (f"<br>corpus count {int(self.count[self.index[names[i]]])}"
                        if self.has_c[self.index[names[i]]] else "") for i in idx]
            fig.add_trace(go.Scatter(x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", name=label,
                                     text=[names[i] for i in idx], textposition=[where[i] for i in idx],
                                     hovertext=hover, hoverinfo="text",
                                     marker={"size": size, "color": colour}))
        fig.update_layout(title=f"{method.upper()} map of the {space} space" + (f" around '{query}'" if query else ""),
                          xaxis={"visible": False}, yaxis={"visible": False}, template="plotly_white",
                          legend={"orientation": "h"})
        return fig

    def export_projector(self, folder: str | os.PathLike, space: str = "blend",
                         words: Sequence[str] | None = None, limit: int = 10000) -> tuple[Path, Path]:
        """Write ``vectors.tsv`` and ``metadata.tsv`` for the TensorFlow Embedding Projector.

        Args:
            folder: where to write the two files (created if needed; each written atomically).
            words: the words to export (default: corpus words by count, then general words by
                frequency, at most ``limit``).
        Returns:
            ``(vectors_path, metadata_path)``. Load both at https://projector.tensorflow.org.

        Example:
            >>> v, m = ws.export_projector("/tmp/proj", limit=500)  # doctest: +SKIP
            >>> m.read_text().splitlines()[0]                          # doctest: +SKIP
            'word\\tin_corpus\\tcorpus_count\\tsyllables'
        """
        space = self._check_space(space)
        if limit < 1:
            raise LyricistError("limit must be at least 1")
        if words is not None:
            rows = np.array(list(dict.fromkeys(self.lookup(w, space) for w in words)), dtype=np.int64)
        else:
            valid = self.valid(space)
            order = np.concatenate([self._corpus_order, np.arange(self.n_general)]) if space != "general" \
                else np.arange(self.n_general)
            seen: set[int] = set()
            rows_l = []
            for i in order:
                if valid[i] and i not in seen:
                    seen.add(int(i))
                    rows_l.append(int(i))
                    if len(rows_l) >= limit:
                        break
            rows = np.array(rows_l, dtype=np.int64)
        X = self.vectors(rows, space)
        syl = self.syllable_counts()
        folder = Path(folder)
        vec_lines = ["\t".join(f"{v:.5g}" for v in row) for row in X]
        meta = ["word\tin_corpus\tcorpus_count\tsyllables"] + [
            f"{self.keys[i]}\t{'yes' if self.has_c[i] else 'no'}\t{int(self.count[i])}\t{int(syl[i])}" for i in rows]
        vp = atomic_write_text(folder / "vectors.tsv", "\n".join(vec_lines) + "\n")
        mp = atomic_write_text(folder / "metadata.tsv", "\n".join(meta) + "\n")
        return vp, mp

    # -- for the CLI and the app ----------------------------------------------------------------
    def describe(self, word: str) -> dict:
        """Facts about a word: ``{"word", "syllables", "in_corpus", "corpus_count", "in_general"}``."""
        i = self.index[_norm_word(word)]
        return {"word": self.keys[i], "syllables": int(self.syllable_counts()[i]), "in_corpus": bool(self.has_c[i]),
                "corpus_count": int(self.count[i]), "in_general": bool(self.has_g[i])}


def _counts(kv) -> np.ndarray | None:
    if isinstance(kv, _PlainVectors):
        return kv.counts
    try:
        return np.array([kv.get_vecattr(w, "count") for w in kv.index_to_key], dtype=np.float32)
    except (KeyError, AttributeError, ValueError):
        return None


def _cos_mul(sa: np.ndarray, sb: np.ndarray, sc: np.ndarray, eps: float = 1e-3) -> np.ndarray:
    """3CosMul over cosines shifted to [0, 1]; NaN where any similarity is undefined."""
    return ((sb + 1) / 2) * ((sc + 1) / 2) / ((sa + 1) / 2 + eps)


def _project_2d(X: np.ndarray, method: str, seed: int) -> np.ndarray:
    """``(n, d) -> (n, 2)`` by PCA or t-SNE (perplexity scaled to the number of points)."""
    if method == "tsne":
        if len(X) < 5:
            raise LyricistError("a t-SNE map needs at least 5 words: use pca or add words")
        from sklearn.manifold import TSNE

        perplexity = float(max(2.0, min(30.0, (len(X) - 1) / 3.0)))
        # exact gradients for the few dozen words of a usual map: no OpenMP Barnes-Hut threads, which
        # spin for a minute on a busy CPU even for 10 points
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, metric="cosine",
                    method="exact" if len(X) <= 120 else "barnes_hut").fit_transform(X.astype(np.float64))
    from sklearn.decomposition import PCA

    return PCA(n_components=2, random_state=seed).fit_transform(X.astype(np.float64))


# ----------------------------------------------------------------- library calls behind the CLI
def similar_words(word: str, *, topn: int = 10, rhymes_with: str | None = None, near: bool = False,
                  syllables: int | None = None, space: str = "blend", model_dir=None, general_dir=None,
                  exclude_inflections: bool = True, progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist similar`` as a JSON-able dict.

    Returns:
        ``{"word", "space", "filters": {...}, "neighbours": [{"word", "score", "syllables",
        "in_corpus", "corpus_count"}...], "models": {"corpus", "general"}, "ms"}``.

    Example:
        >>> similar_words("heart", rhymes_with="fire")["neighbours"][1]["word"]  # doctest: +SKIP
        'desire'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    space_used = _space_for(ws, space)
    t0 = time.perf_counter()
    res = ws.similar(word, topn=topn, rhymes_with=rhymes_with, near=near, syllables=syllables,
                     space=space_used, exclude_inflections=exclude_inflections)
    ms = (time.perf_counter() - t0) * 1000
    neighbours = [{**ws.describe(w), "score": s} for w, s in res]
    for n in neighbours:
        n.pop("in_general", None)
    filters = {"rhymes_with": rhymes_with, "near": near, "syllables": syllables,
               "exclude_inflections": exclude_inflections}
    return {"word": _norm_word(word), "space": space_used, "filters": filters,
            "neighbours": [{"word": n["word"], "score": n["score"], "syllables": n["syllables"],
                            "in_corpus": n["in_corpus"], "corpus_count": n["corpus_count"]} for n in neighbours],
            "models": {"corpus": ws.corpus_dir, "general": ws.general_dir}, "ms": round(ms, 3)}


def analogy_words(a: str, b: str, c: str, *, topn: int = 10, space: str = "blend", model_dir=None,
                  general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist analogy`` as a JSON-able dict: ``{"a", "b", "c", "space", "answers": [{"word", "score"}]}``.

    Example:
        >>> analogy_words("man", "king", "woman")["answers"][0]["word"]  # doctest: +SKIP
        'queen'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    space_used = _space_for(ws, space)
    res = ws.analogy(a, b, c, topn=topn, space=space_used)
    return {"a": _norm_word(a), "b": _norm_word(b), "c": _norm_word(c), "space": space_used, "method": "3CosMul",
            "answers": [{"word": w, "score": s} for w, s in res],
            "models": {"corpus": ws.corpus_dir, "general": ws.general_dir}}


def _space_for(ws: WordSpace, space: str) -> str:
    """``blend`` without a corpus model is the general space; say so in the result."""
    return "general" if space == "blend" and not ws.has_corpus else space


def general_ready(general_dir=None) -> bool:
    """Whether the general vectors exist (if not, the next explorer call builds them: minutes, once)."""
    return has_vectors(checkpoint_dir(GENERAL_KIND, general_dir))


def odd_one_out(words: Sequence[str], *, space: str = "blend", model_dir=None, general_dir=None,
                progress: Optional[ProgressFn] = None) -> dict:
    """The word that fits least: ``{"odd", "space", "words": [{"word", "score"}]}`` (score: mean similarity).

    Example:
        >>> odd_one_out(["rain", "storm", "thunder", "guitar"])["odd"]  # doctest: +SKIP
        'guitar'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    odd, scores = ws.odd_one_out(words, space=sp)
    return {"odd": odd, "space": sp, "words": [{"word": w, "score": s} for w, s in scores]}


def between_words(a: str, b: str, *, topn: int = 10, space: str = "blend", model_dir=None, general_dir=None,
                  progress: Optional[ProgressFn] = None) -> dict:
    """Words close to both: ``{"a", "b", "space", "words": [{"word", "score"}]}`` (score: the smaller similarity).

    Example:
        >>> between_words("love", "war")["words"][0]["word"]  # doctest: +SKIP
        'battle'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    res = ws.between(a, b, topn=topn, space=sp)
    return {"a": _norm_word(a), "b": _norm_word(b), "space": sp, "words": [{"word": w, "score": s} for w, s in res]}


def axis_words(words: Sequence[str] | None = None, *, negative: str = "sad", positive: str = "happy",
               topn: int = 10, space: str = "blend", model_dir=None, general_dir=None,
               progress: Optional[ProgressFn] = None) -> dict:
    """Words on a semantic axis: ``{"negative", "positive", "space", "words": [{"word", "score"}]}``.

    Unknown words among ``words`` are skipped and listed under ``"unknown"``.

    Example:
        >>> axis_words(["funeral", "party"])["words"][0]["word"]  # doctest: +SKIP
        'party'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    res = ws.axis(words, negative=negative, positive=positive, topn=topn, space=sp, skip_unknown=True)
    known = {w for w, _ in res}
    unknown = [w for w in (words or ()) if _safe_norm(w) not in known]
    return {"negative": _norm_word(negative), "positive": _norm_word(positive), "space": sp,
            "words": [{"word": w, "score": s} for w, s in res], "unknown": unknown}


def _safe_norm(w: str) -> str:
    try:
        return _norm_word(w)
    except LyricistError:
        return ""


def map_figure(words: Sequence[str] | None = None, query: str | None = None, *, topn: int = 15,
               method: str = "pca", space: str = "blend", model_dir=None, general_dir=None,
               progress: Optional[ProgressFn] = None, **similar_kw):
    """:meth:`WordSpace.map_figure` on the default (or given) models: a plotly ``Figure``.

    Example:
        >>> map_figure(query="rain").data[0].name  # doctest: +SKIP
        'query'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    return ws.map_figure(words, query=query, topn=topn, method=method, space=_space_for(ws, space), **similar_kw)


def word_map(words: Sequence[str] | None = None, query: str | None = None, *, topn: int = 15,
             method: str = "pca", space: str = "blend", out: str | os.PathLike = "word_map.html",
             model_dir=None, general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """Write :func:`map_figure` as a standalone HTML file: ``{"out", "points", "method", "space"}``."""
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    fig = ws.map_figure(words, query=query, topn=topn, method=method, space=sp)
    path = atomic_write_text(out, fig.to_html(include_plotlyjs="cdn", full_html=True))
    return {"out": str(path), "points": sum(len(t.x) for t in fig.data), "method": method, "space": sp}


def export_projector(folder: str | os.PathLike, space: str = "blend", *, words: Sequence[str] | None = None,
                     limit: int = 10000, model_dir=None, general_dir=None,
                     progress: Optional[ProgressFn] = None) -> tuple[Path, Path]:
    """:meth:`WordSpace.export_projector` on the default (or given) models: ``(vectors.tsv, metadata.tsv)``."""
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    return ws.export_projector(folder, space=_space_for(ws, space), words=words, limit=limit)


def export_space(folder: str | os.PathLike, *, space: str = "blend", limit: int = 10000, model_dir=None,
                 general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """:func:`export_projector` as a dict: ``{"vectors", "metadata", "words", "dim"}``."""
    v, m = export_projector(folder, space, limit=limit, model_dir=model_dir, general_dir=general_dir,
                            progress=progress)
    with open(v, encoding="utf-8") as f:
        dim = len(f.readline().split("\t"))
    with open(m, encoding="utf-8") as f:
        n = sum(1 for _ in f) - 1
    return {"vectors": str(v), "metadata": str(m), "words": n, "dim": dim}


# ----------------------------------------------------------------- evaluation
def _gensim_data(name: str) -> Path:
    from gensim.test.utils import datapath

    p = Path(datapath(name))
    if not p.is_file():
        raise LyricistError(f"gensim's test file {name} is missing: reinstall gensim")
    return p


def _read_pairs(path: Path) -> list[tuple[str, str, float]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, s = line.split("\t")[:3]
        out.append((a.lower(), b.lower(), float(s)))
    return out


def wordsim(ws: WordSpace, space: str = "blend", dataset: str = "wordsim353.tsv") -> dict:
    """Spearman (and Pearson) correlation with human similarity judgements, on the pairs the space knows.

    Args:
        dataset: a tab-separated ``word1 word2 score`` file from gensim's test data
            (``wordsim353.tsv``; ``simlex999.txt`` serves as a development set).
    Returns:
        ``{"spearman", "pearson", "pairs", "total", "oov_share"}``; ``oov_share`` is the share of
        pairs skipped because a word is unknown (gensim's convention, ``dummy4unknown=False``).

    Example:
        >>> wordsim(load_space(), "general")["spearman"] > 0.55  # doctest: +SKIP
        True
    """
    from scipy.stats import pearsonr, spearmanr

    pairs = _read_pairs(_gensim_data(dataset))
    valid = ws.valid(space)
    ia, ib, gold = [], [], []
    for a, b, s in pairs:
        i, j = ws.index.get(a), ws.index.get(b)
        if i is not None and j is not None and valid[i] and valid[j]:
            ia.append(i), ib.append(j), gold.append(s)
    pred = np.array([ws.sim_matrix(np.array([i]), np.array([j]), space)[0, 0] for i, j in zip(ia, ib)])
    keep = ~np.isnan(pred) if len(pred) else np.zeros(0, dtype=bool)
    n = int(keep.sum())
    res = {"pairs": n, "total": len(pairs), "oov_share": round(1 - n / max(1, len(pairs)), 4),
           "spearman": None, "pearson": None}
    if n >= 3:
        g, p = np.array(gold)[keep], pred[keep]
        res["spearman"] = round(float(spearmanr(g, p).statistic), 4)
        res["pearson"] = round(float(pearsonr(g, p).statistic), 4)
    return res


def _read_questions(path: Path) -> list[tuple[str, str, str, str, str]]:
    out, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()[:4]
            out.append((section, a, b, c, d))
    return out


def analogy_accuracy(ws: WordSpace, space: str = "blend", restrict_vocab: int = 30000,
                     dataset: str = "questions-words.txt", batch: int = 256) -> dict:
    """Google analogy accuracy (``a b c d``: ``a`` is to ``b`` as ``c`` is to ``d``), gensim-style.

    As ``KeyedVectors.evaluate_word_analogies``: only the first ``restrict_vocab`` words of
    the space (most frequent first) are candidates, a question with a word outside them is
    skipped (counted in ``oov_share``), and the three question words cannot be the answer.
    Scored with 3CosMul (what :meth:`WordSpace.analogy` uses) and 3CosAdd (gensim's
    ``most_similar``), batched over questions.

    Returns:
        ``{"accuracy" (3CosMul), "accuracy_3cosadd", "semantic", "syntactic", "questions",
        "total", "oov_share", "restrict_vocab"}``.
    """
    space = ws._check_space(space)
    if space == "corpus":
        vocab = ws._corpus_order[:restrict_vocab]
    elif space == "general":
        vocab = np.arange(min(ws.n_general, restrict_vocab))
    else:
        vocab = np.arange(min(len(ws.keys), restrict_vocab))
        vocab = vocab[ws.valid(space)[vocab]]
    pos = {int(r): k for k, r in enumerate(vocab)}
    qs = _read_questions(_gensim_data(dataset))
    kept = []
    for sec, *ws4 in qs:
        rows = [ws.index.get(w) for w in ws4]
        if all(r is not None and r in pos for r in rows):
            kept.append((sec, [pos[r] for r in rows]))
    res = {"questions": len(kept), "total": len(qs), "oov_share": round(1 - len(kept) / max(1, len(qs)), 4),
           "restrict_vocab": restrict_vocab, "accuracy": None, "accuracy_3cosadd": None,
           "semantic": None, "syntactic": None}
    if not kept:
        return res
    uniq = sorted({p for _, q in kept for p in q[:3]})
    col = {p: k for k, p in enumerate(uniq)}
    S = ws.sim_matrix(vocab, vocab[uniq], space)  # (V, U) similarities of every candidate to each question word
    S = np.nan_to_num(S, nan=-2.0)  # undefined pairs can never win
    correct_mul, correct_add, sem = np.zeros(len(kept), bool), np.zeros(len(kept), bool), np.zeros(len(kept), bool)
    for s in range(0, len(kept), batch):
        chunk = kept[s:s + batch]
        qa = np.array([col[q[0]] for _, q in chunk])
        qb = np.array([col[q[1]] for _, q in chunk])
        qc = np.array([col[q[2]] for _, q in chunk])
        sa, sb, sc = S[:, qa], S[:, qb], S[:, qc]  # (V, B)
        bad = (sa < -1.5) | (sb < -1.5) | (sc < -1.5)
        mul = np.where(bad, -np.inf, _cos_mul(sa, sb, sc))
        add = np.where(bad, -np.inf, sb - sa + sc)
        cols = np.arange(len(chunk))
        for k in range(3):
            excl = np.array([q[k] for _, q in chunk])
            mul[excl, cols] = -np.inf
            add[excl, cols] = -np.inf
        gold = np.array([q[3] for _, q in chunk])
        correct_mul[s:s + len(chunk)] = mul.argmax(axis=0) == gold
        correct_add[s:s + len(chunk)] = add.argmax(axis=0) == gold
        sem[s:s + len(chunk)] = [not sec.startswith("gram") for sec, _ in chunk]
    res["accuracy"] = round(float(correct_mul.mean()), 4)
    res["accuracy_3cosadd"] = round(float(correct_add.mean()), 4)
    res["semantic"] = round(float(correct_mul[sem].mean()), 4) if sem.any() else None
    res["syntactic"] = round(float(correct_mul[~sem].mean()), 4) if (~sem).any() else None
    return res


def evaluate_keyed_vectors(kv, restrict_vocab: int = 30000) -> dict:
    """WordSim-353, SimLex-999 (development set) and Google analogies of one plain ``KeyedVectors``.

    Example:
        >>> evaluate_keyed_vectors(kv)["wordsim353"]["spearman"]  # doctest: +SKIP
        0.75
    """
    ws = WordSpace(None, kv)
    return {"wordsim353": wordsim(ws, "general"), "simlex999": wordsim(ws, "general", "simlex999.txt"),
            "analogy": analogy_accuracy(ws, "general", restrict_vocab)}


def evaluate_embeddings(model_dir=None, general_dir=None, restrict_vocab: int = 30000,
                        spaces: Sequence[str] = SPACES, progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist eval embeddings``: WordSim-353 (+ OOV share), SimLex-999 and Google analogies per space.

    Returns:
        ``{"models": {"corpus", "general"}, "restrict_vocab", "spaces": [...],
        "wordsim353": {space: {...}}, "simlex999": {space: {...}}, "analogy": {space: {...}}, "seconds"}``.

    Example:
        >>> r = evaluate_embeddings()                     # doctest: +SKIP
        >>> r["wordsim353"]["blend"]["spearman"] >= 0.5   # doctest: +SKIP
        True
    """
    t0 = time.perf_counter()
    ws = load_space(model_dir, general_dir, progress=scaled(progress, 0.0, 0.5), require_corpus=True)
    spaces = [s for s in spaces if s in SPACES and (s != "general" or ws.has_general)
              and (s != "blend" or ws.has_general)]
    out = {"models": {"corpus": ws.corpus_dir, "general": ws.general_dir}, "restrict_vocab": restrict_vocab,
           "spaces": spaces, "wordsim353": {}, "simlex999": {}, "analogy": {}}
    for k, sp in enumerate(spaces):
        report(progress, 0.5 + 0.5 * k / len(spaces), f"evaluating the {sp} space")
        out["wordsim353"][sp] = wordsim(ws, sp)
        out["simlex999"][sp] = wordsim(ws, sp, "simlex999.txt")
        out["analogy"][sp] = analogy_accuracy(ws, sp, restrict_vocab)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    report(progress, 1.0, "done")
    return out
