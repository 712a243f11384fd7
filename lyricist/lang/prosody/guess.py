"""Rhyme parts guessed from spelling, for words CMU lacks: the CMU words that end alike vote.

Used by :func:`~lyricist.lang.prosody.rhyme.rhyme_parts` with the shared
lexicon; ``bench/syllables.py`` passes a lexicon of training-fold words to
measure the guess on words it never saw.

Example:
    >>> from lyricist.lang.prosody.cmu import cmu_lexicon
    >>> guess_rhyme("blorptastic", cmu_lexicon()), guess_rhyme("shawty", cmu_lexicon())
    ('AE S T IH K', 'AO T IY')
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from lyricist.lang.prosody.cmu import Lexicon
from lyricist.lang.prosody.phones import VOWEL_PHONES, n_vowels
from lyricist.lang.prosody.spelling import consonant_phones, grapheme_key, letter_groups
from lyricist.lang.prosody.words import fold_word

def _tail(rp: str, k: int) -> str:
    """The phones of a rhyme part from its k-th last vowel (all of it if it has fewer)."""
    ph = rp.split()
    idx = [i for i, p in enumerate(ph) if p in VOWEL_PHONES]
    return " ".join(ph[idx[-k]:]) if len(idx) >= k else rp


def guess_rhyme(word: str, lex: Lexicon, exclude: str | None = None,
                 min_support: int = 2, min_share: float = 0.5) -> str | None:
    """Rhyme part of an unknown word, from the CMU words that end like it.

    1. Find the CMU words that share the longest ending with ``word`` (at
       least its last vowel group; backing off until ``min_support`` words
       share it).
    2. If most of them agree on a rhyme part that starts inside the shared
       ending, that is the answer (blorptastic ~ fantastic: "AE S T IH K").
    3. Else they vote on the phones of the shared ending only; if they say
       the stress falls before it, the vowel group before the ending is
       spelled out with a vowel table learned from the lexicon and rough
       consonant rules (shawty: "AO" + "T" + "IY").

    None when the word has no vowel or no CMU word shares its last vowel group.
    """
    s = re.sub(r"[^a-z]", "", fold_word(word))
    groups = letter_groups(s)
    if not groups:
        m = re.search(r"r+([^r]*)$", s)            # brr, skrrt: a sung r is the vowel
        return " ".join(["ER", *consonant_phones(m.group(1))]) if m else None
    keys, rps = lex.suffix_index()
    rev = s[::-1]
    pos = bisect.bisect_left(keys, rev)

    def common(a: str) -> int:
        n = 0
        for x, y in zip(a, rev):
            if x != y:
                break
            n += 1
        return n

    need = len(s) - groups[-1][0]  # the last vowel group and everything after it
    longest = max((common(keys[j]) for j in (pos - 1, pos, pos + 1)
                   if 0 <= j < len(keys) and keys[j] != exclude), default=0)
    if longest < need:
        need = len(s) - groups[-1][1] + 1  # at least the group's last letter
        if longest < need:                 # nothing ends like it: spell the last syllable out
            return _spell_syllable(s, groups[-1], lex)
    chosen: list[str] = []
    length = longest
    for length in range(longest, need - 1, -1):
        lo = bisect.bisect_left(keys, rev[:length])
        hi = bisect.bisect_left(keys, rev[:length] + "{")  # "{" sorts after "z"
        votes = [rps[j] for j in range(lo, hi) if keys[j] != exclude]
        if votes:
            chosen = votes
            if len(votes) >= min_support:
                break
    if not chosen:
        return None
    start = len(s) - length                        # where the shared ending starts
    k = sum(1 for a, b in groups if b > start)     # vowel groups it covers
    best, n_best = Counter(chosen).most_common(1)[0]
    if n_best / len(chosen) >= min_share and n_vowels(best) <= k:
        return best
    inside = [rp for rp in chosen if n_vowels(rp) <= k]
    if 2 * len(inside) >= len(chosen) or len(groups) <= k:
        pool = inside or chosen
        return Counter(_tail(rp, k) for rp in pool).most_common(1)[0][0]
    # the stress falls on the vowel group before the shared ending
    tail = Counter(_tail(rp, k) for rp in chosen if n_vowels(rp) > k).most_common(1)[0][0]
    return " ".join([_spell_syllable(s, groups[-k - 1], lex, until=groups[-k][0]), tail])


def _spell_syllable(s: str, group: tuple[int, int], lex: Lexicon, until: int | None = None) -> str:
    """Phones of one vowel group and the consonants after it (up to ``until``), from spelling."""
    a, b = group
    table = lex.vowel_table()
    vowel = table.get(grapheme_key(s, group)) or table.get(s[a:b]) or "AH"
    coda = re.sub(r"[aeiouy]+$", "", s[b:until]) if until is None else s[b:until]
    if vowel == "ER" and coda.startswith("r"):
        coda = coda[1:]
    return " ".join([vowel, *consonant_phones(coda)])
