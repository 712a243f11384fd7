"""Which words a query may offer: rhymes, syllable counts, the query's own forms, words worth suggesting.

:class:`WordFilters` answers these for every row of a :class:`~lyricist.explore.blend.VectorTable`
from the sound index (:func:`lyricist.explore.words.word_sounds`), merged from the two
checkpoints' ``sounds.npz`` or computed on first use, with the rhyme tables built once and
the rhymes of each target cached.

Example:
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2); kv.add_vectors(["fire", "desire", "table"], np.eye(3, 2, dtype="f4"))
    >>> f = WordFilters(VectorTable(None, kv))
    >>> [f.table.keys[i] for i in f.rhyme_rows("higher")], f.syllable_counts().tolist()
    (['fire', 'desire'], [2, 3, 2])
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.explore.blend import VectorTable
from lyricist.explore.words import inflections, normalize_word, word_sounds
from lyricist.lang.prosody import assonance_key, near_level, rhyme_parts, word_identity

__all__ = ["WordFilters"]


class WordFilters:
    """The sound index of a table's rows and the filters built on it (rhymes, forms, suggestible words).

    Args:
        table: the rows to filter.
        corpus_keys: the corpus vectors' words in their own order (the rows of ``corpus_sounds``).
        corpus_sounds, general_sounds: the checkpoints' saved sound indexes, if any
            (:func:`lyricist.explore.vectors.open_checkpoint`); else computed on first use.
    """

    def __init__(self, table: VectorTable, corpus_keys: Sequence[str] | None = None,
                 corpus_sounds: dict | None = None, general_sounds: dict | None = None):
        self.table = table
        self._lock = threading.Lock()
        self._given_sounds = (corpus_keys, corpus_sounds, general_sounds)
        self._snd: dict[str, np.ndarray] | None = None
        self._rhyme_index: tuple[dict, dict, dict] | None = None
        self._rhyme_cache: dict = {}
        self._suggestible: np.ndarray | None = None

    def sounds(self) -> dict[str, np.ndarray]:
        """The sound index over every row (see :func:`word_sounds`): syllables, rhyme parts, lemma, dictionary.

        Taken from the checkpoints' ``sounds.npz`` when they were passed,
        else computed on first use (about a second per 10,000 words).
        """
        if self._snd is None:
            with self._lock:
                if self._snd is None:
                    ckeys, csnd, gsnd = self._given_sounds
                    n, ng = len(self.table.keys), self.table.n_general
                    if gsnd is not None and len(gsnd["syllables"]) == ng and (csnd is not None or n == ng):
                        parts = {k: [v] for k, v in gsnd.items()}
                        if n > ng:  # corpus-only rows, in the corpus's own order
                            pos = {w: k for k, w in enumerate(ckeys)}
                            take = np.array([pos[w] for w in self.table.keys[ng:]], dtype=np.int64)
                            for k in parts:
                                parts[k].append(csnd[k][take])
                        snd = {k: np.concatenate(v) for k, v in parts.items()}
                    elif csnd is not None and ng == 0:
                        snd = dict(csnd)
                    else:
                        snd = word_sounds(self.table.keys)
                    self._snd = snd
        return self._snd

    def syllable_counts(self) -> np.ndarray:
        """``(N,)`` syllables of every word (CMU, else the spelling rules of :mod:`lyricist.lang.prosody`)."""
        return self.sounds()["syllables"]

    def _rhyme_tables(self) -> tuple[dict, dict, dict]:
        """``(part -> rows with that rhyme part, first part -> rows, assonance key -> first parts)``."""
        if self._rhyme_index is None:
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
        w = normalize_word(target)
        key = (w, near)
        hit = self._rhyme_cache.get(key)
        if hit is not None:
            return hit
        i = self.table.index.get(w)
        joined = str(self.sounds()["rhymes"][i]) if i is not None else ""
        parts = joined.split("|") if joined else list(rhyme_parts(w))  # unknown: prosody's spelling guess
        if not parts:
            raise LyricistError(f"cannot rhyme {w!r}: its pronunciation is unknown and no known word ends like it "
                                "(check the spelling)")
        by_part, by_first, by_vowel = self._rhyme_tables()
        rows = {r for p in parts for r in by_part.get(p, ())}
        if near:
            for p in by_vowel.get(assonance_key(parts[0]), ()):
                if near_level(parts[0], p) >= 1:
                    rows.update(by_first[p])
        me = word_identity(w)
        out = np.array(sorted(r for r in rows if word_identity(self.table.keys[r]) != me), dtype=np.int64)
        if len(self._rhyme_cache) > 4096:
            self._rhyme_cache.clear()
        self._rhyme_cache[key] = out
        return out

    def is_form(self, q: int, c: int) -> bool:
        """Whether row ``c`` is row ``q``'s word or one of its inflections (:func:`is_inflection`, from the index)."""
        if q == c:
            return True
        kq, kc = self.table.keys[q], self.table.keys[c]
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
        ok = self._suggestible
        if ok is None:
            t = self.table
            longer = np.fromiter((len(w) > 1 for w in t.keys), dtype=bool, count=len(t.keys))  # no "o", "x"
            ok = self.sounds()["dictionary"] | (t.has_c & (t.gcount < 1e5) & longer)
            self._suggestible = ok
        return ok
