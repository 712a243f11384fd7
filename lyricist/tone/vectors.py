"""The LSTM's vocabulary and embedding table, from word2vec vectors.

:func:`find_vectors` looks for trained word vectors (a file or folder given,
else ``checkpoints/general-vectors``, else ``checkpoints/embeddings``); when
there are none, :func:`quick_word2vec` trains a small one on the training
texts plus :func:`bundled_song_tokens`. :func:`build_vocab` picks the words
that get a row and :func:`init_matrix` fills the rows from the vectors.

Example:
    >>> build_vocab([["rain", "falls", "rain"]], max_vocab=3)
    ['<pad>', '<unk>', 'rain']
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from lyricist.core.checkpoint import read_config
from lyricist.core.config import bundled_corpus
from lyricist.core.errors import LyricistError
from lyricist.core.kinds import KINDS
from lyricist.explore.vectors import load_vectors
from lyricist.lang.corpus import read_songs
from lyricist.lang.text import expand, lemma, tokens_many


def vectors_in(root: str | os.PathLike) -> Path | None:
    """The word vectors the LSTM starts from under a checkpoints ``root``: its general vectors,
    else its corpus embeddings (the order of :func:`find_vectors`); None when it has neither.

    Example:
        >>> vectors_in("/no/such/root") is None
        True
    """
    for kind in KINDS["sentiment-lstm"].needs:
        if (KINDS[kind].default_dir(root) / "vectors.kv").is_file():
            return KINDS[kind].default_dir(root)
    return None


def find_vectors(vectors: str | os.PathLike | None = None):
    """Word2vec ``KeyedVectors`` for the LSTM, or ``None`` when none are found.

    Looks at ``vectors`` (a checkpoint folder or a word2vec-format file), then
    ``checkpoints/general-vectors``, then ``checkpoints/embeddings``.
    Returns ``(keyed_vectors, source_path)``.
    """
    candidates = [Path(vectors)] if vectors else [KINDS[k].default_dir() for k in KINDS["sentiment-lstm"].needs]
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
    """A small skip-gram word2vec over ``token_lists`` (used when no trained vectors exist).

    One worker thread: gensim is reproducible for a seed only then, so the same seed gives the
    same LSTM run (and a resumed run the same vocabulary); at this size one thread is as fast.
    """
    from gensim.models import Word2Vec

    w2v = Word2Vec(sentences=[t for t in token_lists if t], vector_size=dim, window=5, min_count=1, sg=1,
                   negative=5, epochs=10 if len(token_lists) < 20000 else 5, workers=1, seed=seed)
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


def bundled_song_tokens() -> list[list[str]]:
    """Token lists of the bundled songs' lines (extra text for the on-the-fly word2vec)."""
    try:
        songs = bundled_corpus() / "songs"
        if not songs.exists():
            return []
        return list(tokens_many(line.text for s in read_songs([songs]) for line in s.lines))
    except LyricistError:
        return []
