"""The word explorer: neighbours, rhymes that fit a meaning, analogies and maps over word vectors.

Two spaces, and a blend of them:

- **corpus**: gensim ``Word2Vec`` (skip-gram by default) trained on your songs
  (:func:`lyricist.explore.train.train_embeddings`), tokens from :mod:`lyricist.lang.text` (lowercased,
  apostrophe forms such as ``lovin'`` kept), optional phrase detection;
- **general**: static vectors for ~48k common English words distilled from the
  bundled MiniLM (:mod:`lyricist.explore.train_general`), so the explorer makes sense even on
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
lists offer only words worth suggesting (:meth:`~lyricist.explore.filters.WordFilters.suggestible`): the
corpus's own words, and dictionary words from the general list, so surnames
and abbreviations (``mcguire``, ``usmc``) stay out.

Where the parts live: the vector table and the blend rule in :mod:`lyricist.explore.blend`,
the filters in :mod:`lyricist.explore.filters`, word families and register in
:mod:`lyricist.explore.families` (:meth:`~WordSpace.neighbours`, what ``lyricist similar`` shows),
the map in :mod:`lyricist.explore.plot`, checkpoints in :mod:`lyricist.explore.vectors`, and the cached
loader and library calls (:func:`~lyricist.explore.api.load_space`, ``similar_words``...) in :mod:`lyricist.explore.api`.
This module never imports torch.

Example:
    >>> from lyricist.explore.api import load_space                    # doctest: +SKIP
    >>> ws = load_space()                                              # doctest: +SKIP
    >>> ws.similar("heart", rhymes_with="fire", topn=3)                # doctest: +SKIP
    [('inspire', 0.218), ('desire', 0.176), ('liar', 0.171)]
    >>> ws.analogy("man", "king", "woman", topn=1)[0][0]               # doctest: +SKIP
    'queen'
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_write_text
from lyricist.core.errors import LyricistError
from lyricist.explore.blend import SPACES, VectorTable, cos_mul, top_words
from lyricist.explore.families import Neighbour, arrange, zipf_frequency as register_zipf
from lyricist.explore.filters import WordFilters
from lyricist.explore.plot import MAP_METHODS, draw_map, project_2d
from lyricist.explore.words import normalize_word

__all__ = ["SPACES", "WordSpace", "MAP_MAX_WORDS"]

#: The most words a 2-D map places (neighbours, or words given): more is unreadable, and t-SNE slows.
MAP_MAX_WORDS = 500


class WordSpace(VectorTable):
    """Nearest neighbours, analogies and maps over a corpus space, a general space and their blend.

    Build it with :func:`lyricist.explore.api.load_space` (cached), or directly from two gensim
    ``KeyedVectors`` (either may be None). The vectors and similarities are those of
    :class:`~lyricist.explore.blend.VectorTable` (``keys``, ``index``, ``G``, ``C``, ``count``,
    ``sim_matrix``, ``sims``, ``vectors``); ``filters`` (a :class:`~lyricist.explore.filters.WordFilters`)
    knows the sounds and forms of every row.

    Example:
        >>> from gensim.models import KeyedVectors
        >>> kv = KeyedVectors(2); kv.add_vectors(["sad", "unhappy", "table"], np.array([[1, 0], [1, .1], [0, 1]], "f4"))
        >>> WordSpace(None, kv).similar("sad", topn=1)[0][0]
        'unhappy'
    """

    def __init__(self, corpus=None, general=None, *, corpus_weight: float = 0.5, half_count: float = 20.0,
                 corpus_dir: str | None = None, general_dir: str | None = None,
                 corpus_sounds: dict | None = None, general_sounds: dict | None = None):
        super().__init__(corpus, general, corpus_weight=corpus_weight, half_count=half_count)
        self.corpus_dir, self.general_dir = corpus_dir, general_dir
        self.filters = WordFilters(self, list(corpus.index_to_key) if corpus is not None else None,
                                   corpus_sounds, general_sounds)
        self._by_len: dict[int, list[str]] | None = None

    # -- words ----------------------------------------------------------------------------------
    def __contains__(self, word: str) -> bool:
        try:
            return normalize_word(word) in self.index
        except LyricistError:
            return False

    def in_space(self, word: str, space: str = "blend") -> bool:
        """Whether ``word`` has a vector in ``space``."""
        i = self.index.get(normalize_word(word))
        return i is not None and bool(self.valid(self.check_space(space))[i])

    def lookup(self, word: str, space: str = "blend") -> int:
        """Row of ``word`` in ``space``; a :class:`LyricistError` with spelling suggestions if unknown.

        Example:
            >>> ws.lookup("hart")  # doctest: +SKIP
            LyricistError: unknown word 'hart': not in the corpus or general vocabulary; did you mean heart, hard, art?
        """
        space = self.check_space(space)
        w = normalize_word(word)
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
        w = normalize_word(word)
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

    def similarity(self, a: str, b: str, space: str = "blend") -> float:
        """Similarity of two words in ``space`` (NaN when they share no space).

        Example:
            >>> ws.similarity("happy", "glad") > ws.similarity("happy", "table")  # doctest: +SKIP
            True
        """
        ia, ib = self.lookup(a, space), self.lookup(b, space)
        return float(self.sim_matrix(np.array([ia]), np.array([ib]), space)[0, 0])

    def syllable_counts(self) -> np.ndarray:
        """``(N,)`` syllables of every word (CMU, else the spelling rules of :mod:`lyricist.lang.prosody`)."""
        return self.filters.syllable_counts()

    def rhyme_rows(self, target: str, near: bool = False) -> np.ndarray:
        """Rows of the words that rhyme with ``target`` (see :meth:`lyricist.explore.filters.WordFilters.rhyme_rows`).

        Example:
            >>> [ws.keys[i] for i in ws.rhyme_rows("fire")][:3]  # doctest: +SKIP
            ['higher', 'fire', 'entire']
        """
        return self.filters.rhyme_rows(target, near)

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
            dictionary_only: suggest only :meth:`WordFilters.suggestible` words (no names,
                abbreviations or function words that only the general list has).
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
        space = self.check_space(space)
        q = self.lookup(word, space)
        cands: np.ndarray | None = None
        if rhymes_with is not None:
            cands = self.filters.rhyme_rows(rhymes_with, near)
        if syllables is not None:
            syl = self.syllable_counts()
            cands = np.flatnonzero(syl == int(syllables)) if cands is None else cands[syl[cands] == int(syllables)]
        keep = self.valid(space) & self.filters.suggestible() if dictionary_only else self.valid(space)
        cands = np.flatnonzero(keep) if cands is None else cands[keep[cands]]
        if len(cands) == 0:
            return []
        s = self.sims(q, cands, space)
        ok = ~np.isnan(s) & (cands != q)
        cands, s = cands[ok], s[ok]
        return top_words(self.keys, cands, s, topn, lambda c: exclude_inflections and self.filters.is_form(q, c))

    def neighbours(self, word: str, topn: int = 10, *, families: bool = True, register: bool = True,
                   **similar_kw) -> tuple[list[Neighbour], list[str]]:
        """The suggestion list: :meth:`similar`, with word families grouped and technical/rare register ranked down.

        Args:
            word, topn: as :meth:`similar`; ``similar_kw`` are its filters (``rhymes_with``, ``syllables``...).
            families: drop the query's own derivations (rainy, rainstorm for ``rain``) and show
                neighbours that derive from each other once (ballet [ballets, ballerina]); with a rhyme
                or syllable filter only the first (``noon`` and ``afternoon`` rhyme and scan differently).
            register: rank technical and rare words down, unless the corpus uses them (corpus count > 0).
        Returns:
            ``(neighbours, query_family)`` as :func:`lyricist.explore.families.arrange`.

        Example:
            >>> heads, own = ws.neighbours("rain", topn=3)  # doctest: +SKIP
            >>> [h.word for h in heads], own[:2]             # doctest: +SKIP
            (['drenched', 'flooding', 'downpour'], ['rainy', 'rainfall'])
        """
        pool = self.similar(word, topn=max(6 * topn, 60) if families or register else topn, **similar_kw)
        query = self.keys[self.lookup(word, similar_kw.get("space", "blend"))]
        group = similar_kw.get("rhymes_with") is None and similar_kw.get("syllables") is None
        def zipf(w: str) -> float:  # the general list's frequency per billion words, else wordfreq's
            g = float(self.gcount[self.index[w]])
            return float(np.log10(g)) if g > 0 else register_zipf(w)

        return arrange(query, pool, topn, families=families, register=register, group=group,
                       in_corpus=lambda w: bool(self.count[self.index[w]] > 0), zipf=zipf)

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
        space = self.check_space(space)
        ia, ib, ic = (self.lookup(x, space) for x in (a, b, c))
        cands = np.flatnonzero(self.valid(space))
        s = self.sim_matrix(cands, np.array([ia, ib, ic]), space)  # (R, 3)
        score = cos_mul(s[:, 0], s[:, 1], s[:, 2])
        ok = ~np.isnan(score) & ~np.isin(cands, [ia, ib, ic])
        return top_words(self.keys, cands[ok], score[ok], topn, lambda c: False)

    def odd_one_out(self, words: Sequence[str], space: str = "blend") -> tuple[str, list[tuple[str, float]]]:
        """The word that fits least: the lowest mean similarity to the others.

        Returns:
            ``(odd_word, [(word, mean similarity to the others), ...])`` in the order given.

        Example:
            >>> ws.odd_one_out(["rain", "storm", "thunder", "guitar"])[0]  # doctest: +SKIP
            'guitar'
        """
        space = self.check_space(space)
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
        space = self.check_space(space)
        ia, ib = self.lookup(a, space), self.lookup(b, space)
        cands = np.flatnonzero(self.valid(space))
        s = self.sim_matrix(cands, np.array([ia, ib]), space)
        score = np.min(s, axis=1)
        ok = ~np.isnan(score) & ~np.isin(cands, [ia, ib]) & self.filters.suggestible()[cands]
        return top_words(self.keys, cands[ok], score[ok], topn,
                         lambda c: exclude_inflections and (self.filters.is_form(ia, c) or self.filters.is_form(ib, c)))

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
        space = self.check_space(space)
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
                   method: str = "pca", space: str = "blend", seed: int = 0, families: bool = True,
                   register: bool = True, **similar_kw):
        """A 2-D map of words as a plotly figure (hover labels; query and neighbours highlighted).

        Args:
            words: words to place (unknown ones are skipped).
            query: a word whose ``topn`` neighbours (with ``similar_kw`` filters) are placed too: the
                suggestion list of :meth:`neighbours` (one word per family, with ``families``).
            method: ``pca`` (default, stable) or ``tsne`` (clusters; needs at least 5 words).
        Returns:
            ``plotly.graph_objects.Figure`` with one trace per group (query, neighbours, words).

        Example:
            >>> fig = ws.map_figure(query="rain", topn=10)  # doctest: +SKIP
            >>> len(fig.data[1].x)                           # doctest: +SKIP
            10
        """
        space = self.check_space(space)
        if method not in MAP_METHODS:
            raise LyricistError(f"unknown map method {method!r}: use pca or tsne")
        if not isinstance(topn, int) or not 1 <= topn <= MAP_MAX_WORDS:
            raise LyricistError(f"a map places 1 to {MAP_MAX_WORDS} neighbours, got topn={topn!r}: pass a smaller topn")
        if words is not None and len(words) > MAP_MAX_WORDS:
            raise LyricistError(f"a map places at most {MAP_MAX_WORDS} words, got {len(words):,}: pass fewer words")
        groups: dict[str, str] = {}
        scores: dict[str, float] = {}
        if query:
            q = self.keys[self.lookup(query, space)]
            groups[q] = "query"
            heads, _ = self.neighbours(q, topn=topn, families=families, register=register, space=space,
                                       **similar_kw)
            for h in heads:
                groups.setdefault(h.word, "neighbour")
                scores[h.word] = h.score
        for w in words or ():
            try:
                groups.setdefault(self.keys[self.lookup(w, space)], "word")
            except LyricistError:
                continue
        if len(groups) < 3:
            raise LyricistError("a map needs at least 3 known words: give more words or a query")
        names = list(groups)
        X = self.vectors(np.array([self.index[w] for w in names]), space)  # (n, d)
        corpus_counts = {w: int(self.count[self.index[w]]) for w in names if self.has_c[self.index[w]]}
        title = f"{method.upper()} map of the {space} space" + (f" around '{query}'" if query else "")
        return draw_map(project_2d(X, method, seed), names, groups, scores, corpus_counts, title)

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
        space = self.check_space(space)
        if limit < 1:
            raise LyricistError("limit must be at least 1")
        if words is not None:
            rows = np.array(list(dict.fromkeys(self.lookup(w, space) for w in words)), dtype=np.int64)
        else:
            valid = self.valid(space)
            order = np.concatenate([self.corpus_order, np.arange(self.n_general)]) if space != "general" \
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
        i = self.index[normalize_word(word)]
        return {"word": self.keys[i], "syllables": int(self.syllable_counts()[i]), "in_corpus": bool(self.has_c[i]),
                "corpus_count": int(self.count[i]), "in_general": bool(self.has_g[i])}
