"""Fluency of lyric lines as SLOR under an independent judge language model.

SLOR (Kann, Rothe and Filippova 2018) is a sentence's log-probability under a language model
minus its log-probability under that model's unigram distribution, per word:

    SLOR(S) = (ln p_LM(S) - ln p_unigram(S)) / |S|

so rare words are not punished for being rare, only for being put together badly. The judge
here is a word trigram model with interpolated Kneser-Ney smoothing (absolute discount 0.75;
continuation counts for the lower orders), trained on any text the user names. It must be text
the generator never saw, so that the judge and the generator share no model: the benchmark
uses lyrics by 21 artists (``../shared/datasets/lyrics_21artists``) while the generator is the
SmolLM2 base fine-tuned on the bundled corpus. Words seen fewer than ``min_count`` times are one
unknown word, in training and in scoring alike.

SLOR separates fluent text from word salad; it cannot say which of two fluent lines a songwriter
would keep (the blind reader of ``bench/blind.py`` decides that).

Example:
    >>> j = NgramJudge.fit(["the night is long and the road is cold"] * 3 +
    ...                    ["the road is long and the night is cold"] * 3, min_count=1)
    >>> j.slor("the road is cold") > j.slor("cold is road the")
    True
    >>> j.slor("") is None
    True
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Optional

from lyricist.core.errors import LyricistError
from lyricist.lang.corpus import read_texts

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
UNK = "<unk>"
#: Fewest training words :func:`load_judge` accepts: below that every line is mostly unknown words.
MIN_JUDGE_WORDS = 5_000
BOS = "<s>"


def judge_words(text: str) -> list[str]:
    """The words the judge sees: lower case, apostrophes kept inside words, punctuation dropped.

    Example:
        >>> judge_words("I'm runnin' — DON'T stop!")
        ["i'm", 'runnin', "don't", 'stop']
    """
    return _WORD.findall(text.lower().replace("\u2019", "'"))


class NgramJudge:
    """A word trigram LM (interpolated Kneser-Ney) and its unigram model, for SLOR."""

    def __init__(self, discount: float = 0.75, min_count: int = 2):
        if not 0 < discount < 1:
            raise LyricistError(f"the discount must be between 0 and 1, got {discount}")
        self.d, self.min_count = discount, min_count
        self.vocab: set[str] = set()
        self.words = 0  # training tokens
        self.uni: Counter = Counter()  # token counts (rare words as UNK), for the unigram model
        self.tri: Counter = Counter()
        self.ctx2: Counter = Counter()  # c(u v .)
        self.types2: Counter = Counter()  # N1+(u v .)
        self.cont2: Counter = Counter()  # N1+(. v w)
        self.cont2_ctx: Counter = Counter()  # sum_w N1+(. v w)
        self.types_cont2: Counter = Counter()  # |{w : N1+(. v w) > 0}|
        self.cont1: Counter = Counter()  # N1+(. w)
        self.cont1_total = 0

    @classmethod
    def fit(cls, texts: Iterable[str], discount: float = 0.75, min_count: int = 2) -> "NgramJudge":
        """Train on ``texts`` (lines, songs or any running text); each text, and each line of a text
        with line breaks, starts a fresh context, as each judged line does.

        Raises:
            LyricistError: the texts have too few words to judge anything.
        """
        docs = [judge_words(line) for t in texts for line in t.splitlines()]
        counts = Counter(w for doc in docs for w in doc)
        self = cls(discount, min_count)
        self.vocab = {w for w, c in counts.items() if c >= min_count}
        if not self.vocab:
            raise LyricistError(f"the judge corpus has no word seen {min_count}+ times: give it more text "
                                "(thousands of lines)")
        bigrams: set[tuple[str, str]] = set()
        for doc in docs:
            seq = [BOS, BOS] + [w if w in self.vocab else UNK for w in doc]
            self.uni.update(seq[2:])
            for i in range(2, len(seq)):
                self.tri[(seq[i - 2], seq[i - 1], seq[i])] += 1
            bigrams.update(zip(seq[1:], seq[2:]))
        self.words = sum(self.uni.values())
        for (u, v, w), c in self.tri.items():
            self.ctx2[(u, v)] += c
            self.types2[(u, v)] += 1
        for (u, v, w) in self.tri:  # continuation counts of the bigram (v, w): distinct u before it
            self.cont2[(v, w)] += 1
        for (v, w), c in self.cont2.items():
            self.cont2_ctx[v] += c
            self.types_cont2[v] += 1
        for (v, w) in bigrams:
            self.cont1[w] += 1
        self.cont1_total = sum(self.cont1.values())
        return self

    def _p1(self, w: str) -> float:
        # continuation unigram, add-one over the vocabulary and the unknown word: never zero
        return (self.cont1.get(w, 0) + 1) / (self.cont1_total + len(self.vocab) + 1)

    def _p2(self, v: str, w: str) -> float:
        den = self.cont2_ctx.get(v, 0)
        if not den:
            return self._p1(w)
        return (max(self.cont2.get((v, w), 0) - self.d, 0) / den
                + self.d * self.types_cont2[v] / den * self._p1(w))

    def _p3(self, u: str, v: str, w: str) -> float:
        den = self.ctx2.get((u, v), 0)
        if not den:
            return self._p2(v, w)
        return (max(self.tri.get((u, v, w), 0) - self.d, 0) / den
                + self.d * self.types2[(u, v)] / den * self._p2(v, w))

    def _unigram(self, w: str) -> float:
        return (self.uni.get(w, 0) + 1) / (self.words + len(self.vocab) + 1)

    def logprobs(self, text: str) -> list[tuple[float, float]]:
        """``(ln p_LM, ln p_unigram)`` of each word of ``text``, the first in a fresh context."""
        seq = [BOS, BOS] + [w if w in self.vocab else UNK for w in judge_words(text)]
        return [(math.log(self._p3(seq[i - 2], seq[i - 1], seq[i])), math.log(self._unigram(seq[i])))
                for i in range(2, len(seq))]

    def slor(self, text: str) -> Optional[float]:
        """SLOR of one line (None if it has no words).

        Example:
            >>> j = NgramJudge.fit(["you and me tonight"] * 20 + ["me and you forever"] * 20, min_count=1)
            >>> round(j.slor("you and me tonight"), 2) > round(j.slor("tonight me and you"), 2)
            True
        """
        lp = self.logprobs(text)
        if not lp:
            return None
        return sum(a - b for a, b in lp) / len(lp)

    def perplexity(self, texts: Iterable[str]) -> float:
        """Word perplexity of ``texts`` under the trigram model."""
        total, n = 0.0, 0
        for t in texts:
            for a, _ in self.logprobs(t):
                total += a
                n += 1
        if not n:
            raise LyricistError("no words to measure perplexity on")
        return math.exp(-total / n)

    def describe(self) -> str:
        return (f"word trigram LM, interpolated Kneser-Ney (D={self.d}), {self.words:,} training words, "
                f"vocabulary {len(self.vocab):,} (words seen {self.min_count}+ times)")


def mean_slor(judge: NgramJudge, lines: Iterable[str]) -> dict:
    """Mean and median SLOR of ``lines`` (lines without words are skipped), and how many were scored.

    Example:
        >>> j = NgramJudge.fit(["you and me tonight"] * 20 + ["me and you forever"] * 20, min_count=1)
        >>> mean_slor(j, ["you and me tonight", "!!!"])["lines"]
        1
    """
    vals = sorted(v for v in (judge.slor(t) for t in lines) if v is not None)
    if not vals:
        return {"slor": None, "slor_median": None, "lines": 0}
    mid = len(vals) // 2
    med = vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2
    return {"slor": round(sum(vals) / len(vals), 4), "slor_median": round(med, 4), "lines": len(vals)}


def load_judge(path, min_count: int = 2) -> NgramJudge:
    """Train the judge on a text corpus: a ``.txt`` (one text per line), or a CSV/TSV/JSONL (optionally
    ``.gz``) whose text column is ``text``, ``lyric(s)``, ``comment`` or ``sentence``.

    Raises:
        LyricistError: the path is missing or holds no readable text.
    """
    p = Path(path)
    if not p.exists():
        raise LyricistError(f"no such file or folder: {p} (check the --judge path)")
    texts, first_error = None, None
    for col in (None, "Lyric", "lyrics", "lyric"):  # the usual text columns, then lyric sets' own names
        try:
            texts = [r.text for r in read_texts([p], text_col=col, kind="raw", dedup=True)]
            break
        except LyricistError as e:  # a file that cannot be read fails each time: its first message says why
            first_error = first_error or e
    if texts is None and first_error is not None:
        raise first_error
    if not texts:
        raise LyricistError(f"{p} has no text the judge can read: give a .txt of lines or a CSV with a text column")
    judge = NgramJudge.fit(texts, min_count=min_count)
    if judge.words < MIN_JUDGE_WORDS:
        raise LyricistError(f"{p} has only {judge.words:,} words: a judge needs at least {MIN_JUDGE_WORDS:,} "
                            "(thousands of lines of text the generator never saw)")
    return judge

