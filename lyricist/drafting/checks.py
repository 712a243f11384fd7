"""The constraints a candidate line is checked against, and the record of a measured candidate.

A sampled line becomes a :class:`Candidate` with the constraints it misses (its ``issues``):
``syllables`` (off the target by more than the tolerance), ``ending`` (a weak last word),
``rhyme`` (no rhyme with the lines of its letter, or too few rhymes left for the lines still
to come), ``repeat`` (a repeated end word, a stutter, or a word trigram already in the draft)
and ``copy`` (a word 6-gram of the training corpus, :func:`copies`).

Example:
    >>> repeats("the night is young".split(), ["the night is over", None], 1)
    True
    >>> repeats("the night is young".split(), ["a day of rain", None], 1)
    False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from lyricist.core.errors import LyricistError
from lyricist.drafting.model import Generator
from lyricist.drafting.ngrams import has_copy
from lyricist.drafting.tables import WEAK_ENDINGS
from lyricist.lang.prosody import is_rhyme, line_syllables, rhymes, word_identity, words_of
from lyricist.lang.text import is_stop


@dataclass
class Candidate:
    """A candidate line with its measurements."""

    text: str
    words: list[str]
    syllables: int
    lm: float
    issues: list[str]
    valence: float = 0.0
    theme: float = 0.0
    score: float = 0.0
    target: int = 0
    loose: bool = False
    """Sampled without the corpus n-gram joining rule (the last resort when nothing else passed)."""


def line_issues(gen: Generator, text: str, words: Sequence[str], partners: Sequence[str], used: set, future: int,
                lines: Sequence[Optional[str]], index: int, target: int, tolerance: int) -> tuple[int, list[str]]:
    """The syllables of a model-form line for slot ``index`` of a draft, and the constraints it misses.

    Args:
        gen: the generator (its corpus words and copy guard).
        text, words: the line in model form, and its words.
        partners: end words of the lines it must rhyme with.
        used: word identities of the draft's other end words.
        future: lines still to write that must rhyme with this one.
        lines: the draft's lines (None: not written yet).
        index: this line's slot.
        target, tolerance: the syllable target and how far a line may miss it.
    """
    issues = []
    n_syl = line_syllables(text)
    if abs(n_syl - target) > tolerance:
        issues.append("syllables")
    end = words[-1]
    if end in WEAK_ENDINGS:
        issues.append("ending")
    if partners:
        if not all(is_rhyme(p, end) for p in partners) or word_identity(end) in used:
            issues.append("rhyme")
    elif future:
        try:
            r = rhymes(end, limit=200, names=True)["perfect"]
        except LyricistError:
            r = []
        if sum(1 for w in r if gen.words.get(w, 0) >= 1 and word_identity(w) not in used) < max(2, future + 1):
            issues.append("rhyme")  # too few rhymes for the lines still to come
        elif word_identity(end) in used:
            issues.append("repeat")
    if copies(gen, words):
        issues.append("copy")
    if any(a == b and is_stop(a) for a, b in zip(words, words[1:])):
        issues.append("repeat")  # "in in": a stutter, not a refrain ("denied denied" is fine)
    if repeats(words, lines, index):
        issues.append("repeat")
    return n_syl, issues


def copies(gen: Generator, words: Sequence[str]) -> bool:
    """True when a word n-gram of the line (n = 6) occurs in the generator's training corpus."""
    return has_copy(words, gen.copy_guard, gen.copy_n)


def repeats(words: Sequence[str], lines: Sequence[Optional[str]], index: int) -> bool:
    """A word trigram already in another line of the draft (or the same line twice)."""
    grams = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
    if len(grams) < len(words) - 2:
        return True
    for j, t in enumerate(lines):
        if j == index or t is None:
            continue
        ow = words_of(t)
        if ow == list(words):
            return True
        if grams & {tuple(ow[i:i + 3]) for i in range(len(ow) - 2)}:
            return True
    return False
