"""Theme and mood signals for drafting: theme keywords, theme relevance and the mood scorer.

A draft is steered toward its theme by keywords in the model's control prefix
(:func:`theme_keywords`: the theme's content lemmas, then their neighbours in the word space)
and by ranking lines on theme relevance (:class:`ThemeModel`); toward its mood by the sign of
valence the mood asks for (:data:`MOOD_VALENCE`) and the sentiment scorer (:func:`mood_scorer`).

Example:
    >>> MOOD_VALENCE["sad"], theme_keywords("Rain on the roof")
    (-1.0, ['rain', 'roof'])
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.core.hf import embed_texts
from lyricist.drafting.model import Generator
from lyricist.explore.api import load_space
from lyricist.lang.text import content_lemmas, lemma
from lyricist.tone.scorers import load_scorer

#: Sign of the valence each mood asks for (Russell quadrants).
MOOD_VALENCE = {"happy": 1.0, "relaxed": 1.0, "angry": -1.0, "sad": -1.0}


class ThemeModel:
    """Theme relevance of lines and words: word vectors when trained, else the MiniLM sentence encoder.

    With word vectors (``lyricist.explore.space.load_space``), a line's relevance is
    the mean, over its content words, of the best similarity to a keyword.
    Without them, it is the cosine between the MiniLM embeddings of the line
    and of the theme.
    """

    def __init__(self, theme: str, keywords: Sequence[str], space=None):
        self.theme, self.keywords, self.space = theme, list(keywords), space
        self.backend = "vectors" if space is not None else "minilm"
        self._theme_vec = None
        self._sim: dict[tuple[str, str], float] = {}

    def _word_sim(self, w: str) -> float:
        best = 0.0
        if w not in self.space:  # unknown word: no evidence either way
            return best
        for k in self.keywords:
            key = (w, k)
            if key not in self._sim:
                try:
                    v = float(self.space.similarity(w, k)) if k in self.space else 0.0
                except (LyricistError, KeyError, ValueError):
                    v = 0.0
                self._sim[key] = v if v == v else 0.0  # NaN: the words share no space
            best = max(best, self._sim[key])
        return best

    def _theme(self):
        if self._theme_vec is None:
            self._theme_vec = embed_texts([self.theme or " ".join(self.keywords)])[0]
        return self._theme_vec

    def lines(self, texts: Sequence[str]):
        """Relevance of each line, roughly in [0, 1]."""
        if not texts:
            return np.zeros(0)
        if self.backend == "vectors":
            out = []
            for t in texts:
                ws = content_lemmas(t)
                out.append(float(np.mean([self._word_sim(w) for w in ws])) if ws else 0.0)
            return np.array(out)
        return embed_texts(texts) @ self._theme()

    def words(self, words: Sequence[str]):
        """Relevance of single words (used to rank rhyme words)."""
        if not words:
            return np.zeros(0)
        if self.backend == "vectors":
            return np.array([self._word_sim(lemma(w)) for w in words])
        return embed_texts(words) @ self._theme()


def theme_space(gen: Generator):
    """The word-vector space, or None (with a note) when no embeddings are trained."""
    global _SPACE_NOTED
    try:
        return load_space(build_general=False)  # never build the general vectors (minutes) as a side effect
    except (ImportError, LyricistError, OSError) as e:
        if not _SPACE_NOTED:
            print(f"note: no word embeddings ({str(e).split(':')[0]}): theme keywords are the theme's own words, "
                  "relevance uses the MiniLM sentence encoder (train embeddings with `lyricist train embeddings`)",
                  file=sys.stderr)
            _SPACE_NOTED = True
        return None


_SPACE_NOTED = False


def theme_keywords(theme: str, space=None, known: Optional[dict] = None, limit: int = 6) -> list[str]:
    """Keywords of a theme: its content lemmas, then their nearest neighbours in the word space.

    Args:
        theme: the songwriter's words.
        space: a word space with ``similar(word, topn)`` (optional).
        known: words the generator knows; neighbours outside it are skipped.
        limit: at most this many keywords.

    Example:
        >>> theme_keywords("Leaving a small town at dawn")
        ['leave', 'small', 'town', 'dawn']
    """
    kws = [w for w in content_lemmas(theme) if any(c.isalpha() for c in w)][:limit]
    if space is not None and len(kws) < limit:
        for w in list(kws):
            try:
                near = space.similar(w, topn=5)
            except Exception:  # a theme word the space lacks
                continue
            for item in near:
                n = item[0] if isinstance(item, (tuple, list)) else getattr(item, "word", str(item))
                if len(kws) >= limit:
                    break
                if n not in kws and n.isalpha() and (known is None or n in known):
                    kws.append(n)
    return kws


def mood_scorer():
    """The sentiment scorer used for mood reranking and the mood hit rate (best trained model, else VADER)."""
    return load_scorer("auto")
