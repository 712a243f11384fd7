"""Metrics of drafted lyrics: rhyme-scheme and syllable accuracy, distinct-n, copy rate.

Classification metrics and perplexity live in :mod:`lyricist.core.metrics`; these need the
pronouncing dictionary and the copy guard, so they sit with the drafting job.

Example:
    >>> rhyme_accuracy([["my heart", "apart", "the night", "tonight"]], "AABB")
    1.0
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lyricist.drafting.ngrams import has_copy
from lyricist.lang.prosody import is_rhyme, last_word, line_syllables, normalize_scheme, words_of


def rhyme_pairs(lines: Sequence[str], scheme: str) -> tuple[int, int]:
    """``(met, required)`` rhymes of a draft: each line after the first of its letter must rhyme with that first line.

    A rhyme is checked against the CMU dictionary (same stressed vowel and everything after it); a line
    that ends on the same word as the line it rhymes with does not count.

    Example:
        >>> rhyme_pairs(["the night", "my heart", "the light", "the night"], "ABAB")
        (1, 2)
    """
    pattern = normalize_scheme(scheme, len(lines)) if len(scheme) != len(lines) or scheme.lower() == "free" \
        else scheme
    first: dict[str, str | None] = {}
    met = required = 0
    for line, c in zip(lines, pattern):
        if c == "-":
            continue
        w = last_word(line)
        if c not in first:
            first[c] = w
            continue
        required += 1
        met += bool(w and first[c] and is_rhyme(first[c], w))
    return met, required


def rhyme_accuracy(drafts: Sequence[Sequence[str]], schemes: Sequence[str] | str) -> float:
    """Share of required rhymes met over drafts (see :func:`rhyme_pairs`); 1.0 when none is required.

    Example:
        >>> rhyme_accuracy([["my heart", "apart", "the night", "tonight"]], "AABB")
        1.0
    """
    if isinstance(schemes, str):
        schemes = [schemes] * len(drafts)
    met = req = 0
    for lines, sch in zip(drafts, schemes):
        m, r = rhyme_pairs(list(lines), sch)
        met, req = met + m, req + r
    return met / req if req else 1.0


def syllable_accuracy(lines: Sequence[str], target: int | Sequence[int], tol: int = 1) -> float:
    """Share of lines whose syllable count is within ``tol`` of the target.

    Example:
        >>> syllable_accuracy(["we danced through the night", "go"], 5)
        0.5
    """
    if not lines:
        return 0.0
    targets = [target] * len(lines) if isinstance(target, int) else list(target)
    return sum(abs(line_syllables(t) - g) <= tol for t, g in zip(lines, targets)) / len(lines)


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n (Li et al. 2016): unique word n-grams / all word n-grams over the texts.

    Example:
        >>> distinct_n(["a b a b"], 1), distinct_n(["a b a b"], 2)
        (0.5, 0.6666666666666666)
    """
    grams = [tuple(ws[i:i + n]) for t in texts for ws in [words_of(t)] for i in range(len(ws) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def copy_rate(lines: Sequence[str], ngram_set, n: int = 6) -> float:
    """Share of lines holding a word ``n``-gram found in the training corpus.

    Args:
        lines: generated lines.
        ngram_set: sorted ``uint64`` array of n-gram hashes (a generator's ``copyguard.npy``),
            or any container of hashes supporting ``in``.
        n: n-gram length in words.

    Example:
        >>> from lyricist.drafting.ngrams import build_copy_guard
        >>> g = build_copy_guard([["we", "were", "young", "and", "the", "night", "was", "long"]])
        >>> copy_rate(["we were young and the night", "a brand new line of my own"], g)
        0.5
    """
    if not lines:
        return 0.0
    guard = ngram_set if isinstance(ngram_set, (set, frozenset)) else np.asarray(ngram_set, dtype=np.uint64)
    return sum(has_copy(words_of(t), guard, n) for t in lines) / len(lines)
