"""Training word2vec on a corpus of songs: the config, its presets, the corpus sentences, the run.

:func:`train_embeddings` reads the corpus (one sentence per song section, tokens from
:mod:`lyricist.lang.text`: lowercased, apostrophe forms such as ``lovin'`` kept), optionally
joins frequent pairs into phrases, trains gensim ``Word2Vec`` (skip-gram by default), with
progress per epoch and a resumable state saved now and then, evaluates the vectors and writes
the checkpoint folder atomically (:mod:`lyricist.explore.vectors`); it also builds the general
vectors (:mod:`lyricist.explore.train_general`) when they are missing. gensim is imported only
while training; this module never imports torch.

Example:
    >>> auto_epochs(20_000), EMBEDDING_PRESETS["tiny"].vector_size
    (50, 32)
    >>> r = train_embeddings(preset="tiny", out_dir="/tmp/emb", general=False)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from lyricist.core.checkpoint import atomic_dir, atomic_write_json, write_config
from lyricist.core.config import bundled_corpus, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.explore.eval import evaluate_keyed_vectors
from lyricist.explore.train_general import ensure_general_vectors
from lyricist.explore.vectors import GENERAL_KIND, KIND, has_vectors, save_sounds, save_vectors
from lyricist.lang.corpus import ReadReport, fingerprint, read_songs
from lyricist.lang.text import tokens_many

MIN_TOKENS = 50  # fewer corpus tokens than this cannot train anything meaningful

__all__ = ["EmbeddingConfig", "EMBEDDING_PRESETS", "auto_min_count", "auto_epochs", "corpus_sentences",
           "train_embeddings"]


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


def train_embeddings(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
                     out_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
                     epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None,
                     log=None, phrases: bool | None = None, cfg: EmbeddingConfig | None = None,
                     general: bool = True, general_dir: str | os.PathLike | None = None,
                     state_every_s: float = 30.0) -> dict:
    """Train word2vec on a corpus and write the model folder atomically.

    Args:
        paths: files or folders of songs (default: the bundled corpus ``corpora/``).
        preset: ``tiny``, ``default`` or ``full`` (see :data:`EMBEDDING_PRESETS`).
        out_dir: model folder (default ``checkpoint_dir("embeddings")``).
        root: checkpoints root whose ``general-vectors`` to use or build (when ``general_dir`` is not given).
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
    if general_dir is None and root is not None:
        general_dir = Path(root) / GENERAL_KIND
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
        gdir = ensure_general_vectors(general_dir, progress=scaled(progress, 1.0 - gen_share, 1.0))
        result["general"] = str(gdir)
    report(progress, 1.0, "done")
    return result


def _save_state(state: Path, model, doc: dict) -> None:
    """The full model (with its output weights) plus how far training got, swapped in atomically."""
    with atomic_dir(state) as tmp:
        model.save(str(tmp / "w2v.model"))
        atomic_write_json(tmp / "state.json", doc)
