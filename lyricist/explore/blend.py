"""The vector table under the explorer: both spaces over one vocabulary, and the blend rule.

:class:`VectorTable` unit-normalises the corpus and general vectors once, into one table over
the union of both vocabularies, and computes similarities in any of the three spaces
(``corpus``, ``general``, ``blend``) by the rule documented in :mod:`lyricist.explore.space`.
:func:`cos_mul` (3CosMul, for analogies) and :func:`top_words` (the best candidates that
pass a filter) are the ranking helpers the queries and the evaluation share.

Example:
    >>> from gensim.models import KeyedVectors
    >>> g = KeyedVectors(2); g.add_vectors(["a", "b", "c"], np.array([[1, 0], [0.6, 0.8], [0, 1]], "f4"))
    >>> t = VectorTable(None, g)
    >>> t.sim_matrix(np.array([0]), np.array([1, 2]), "general").astype(float).round(2).tolist()
    [[0.6, 0.0]]
    >>> top_words(t.keys, np.array([1, 2]), np.array([0.6, 0.0]), 1, lambda row: False)
    [('b', 0.6)]
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.explore.vectors import vector_counts

SPACES = ("corpus", "general", "blend")

__all__ = ["SPACES", "VectorTable", "unit_rows", "cos_mul", "top_words"]


class VectorTable:
    """The corpus and general vectors of every word, unit-normalised, with the similarities of the three spaces.

    Built from two gensim ``KeyedVectors`` (either may be None), one table over the union
    of both vocabularies:

    - ``G`` ``(N, dg)`` general vectors (zero rows where the general space lacks the word),
    - ``C`` ``(N, dc)`` corpus vectors (zero rows where the corpus lacks it),
    - ``count`` ``(N,)`` corpus counts (0 where absent), ``gcount`` ``(N,)`` general
      frequencies per billion words (0 where absent),
    - ``has_c``, ``has_g`` ``(N,)`` bool: which rows each space has.

    Keys are ordered: general words by frequency, then corpus-only words by count.
    ``corpus_weight`` and ``half_count`` are the constants of the blend rule.
    """

    def __init__(self, corpus=None, general=None, *, corpus_weight: float = 0.5, half_count: float = 20.0):
        if corpus is None and general is None:
            raise LyricistError("no word vectors: train some with `lyricist train embeddings`")
        if not 0.0 <= corpus_weight <= 1.0 or half_count <= 0:
            raise LyricistError("corpus_weight must be in [0, 1] and half_count positive")
        self.corpus_weight, self.half_count = float(corpus_weight), float(half_count)
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
            self.G[:len(gkeys)] = unit_rows(np.asarray(general.vectors))
            self.has_g[:len(gkeys)] = True
            gc = vector_counts(general)
            if gc is not None:
                self.gcount[:len(gkeys)] = gc
        if corpus is not None:
            rows = np.fromiter((self.index[w] for w in ckeys), dtype=np.int64, count=len(ckeys))
            self.C[rows] = unit_rows(np.asarray(corpus.vectors))
            self.has_c[rows] = True
            counts = vector_counts(corpus)
            self.count[rows] = counts if counts is not None else 1.0
        # the corpus rows, most frequent first (for restrict_vocab on the corpus space)
        self.corpus_order = np.flatnonzero(self.has_c)[np.argsort(-self.count[self.has_c], kind="stable")] \
            if corpus is not None else np.zeros(0, dtype=np.int64)
        self._crows = np.flatnonzero(self.has_c)  # the few rows with a corpus vector

    def __len__(self) -> int:
        return len(self.keys)

    def check_space(self, space: str) -> str:
        """``space`` itself if it is one of :data:`SPACES` and loaded; else a :class:`LyricistError` that says why."""
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
        crows = self._crows  # the corpus part is sparse
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
        return unit_rows(np.concatenate(parts, axis=1))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``(N, d)`` rows scaled to length 1, float32 (zero rows stay zero)."""
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32)


def cos_mul(sa: np.ndarray, sb: np.ndarray, sc: np.ndarray, eps: float = 1e-3) -> np.ndarray:
    """3CosMul over cosines shifted to [0, 1]; NaN where any similarity is undefined."""
    return ((sb + 1) / 2) * ((sc + 1) / 2) / ((sa + 1) / 2 + eps)


def top_words(keys: list[str], cands: np.ndarray, scores: np.ndarray, topn: int,
              drop: Callable[[int], bool]) -> list[tuple[str, float]]:
    """The ``topn`` best ``(keys[row], score)`` of the rows ``cands``, skipping rows where ``drop(row)``.

    Sorts only a slice at first (``argpartition``), widened while the filter rejects too many.
    """
    out: list[tuple[str, float]] = []
    k = min(len(cands), topn * 4 + 16)
    while True:
        part = np.argpartition(-scores, k - 1)[:k] if k < len(cands) else np.arange(len(cands))
        part = part[np.argsort(-scores[part], kind="stable")]
        out = []
        for j in part:
            if not drop(int(cands[j])):
                out.append((keys[cands[j]], round(float(scores[j]), 4)))
                if len(out) == topn:
                    return out
        if k >= len(cands):
            return out
        k = min(len(cands), k * 4)
