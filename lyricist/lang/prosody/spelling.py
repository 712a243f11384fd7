"""Spelling to sound, roughly: sounded vowel groups, grapheme keys, consonant phones, a learned vowel table.

The spelling fallbacks for words CMU lacks start here (the syllable estimate
has its own rules in :mod:`~lyricist.lang.prosody.syllable_count`). Nothing
here loads the dictionary: :func:`learn_vowels` is given the pronunciations.

Example:
    >>> s = "shawty"
    >>> letter_groups(s), [grapheme_key(s, g) for g in letter_groups(s)], consonant_phones("tch")
    ([(2, 4), (5, 6)], ['aw_', 'y'], ['CH'])
    >>> learn_vowels({"make": ["M EY1 K"], "take": ["T EY1 K"]})
    {'a_': 'EY', 'a': 'EY'}
"""

from __future__ import annotations

from collections import Counter, defaultdict

_SPELL_VOWELS = "aeiouy"


def letter_groups(s: str) -> list[tuple[int, int]]:
    """Spans of the sounded vowel groups of a spelling (a-z).

    y is a consonant before a vowel at the start or after a vowel; a w after a
    vowel belongs to it (aw, ew, ow); a silent final e (make, but not table)
    is no group.
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        is_v = c in "aeiou" or (c == "y" and not (i + 1 < n and s[i + 1] in "aeiou"
                                                  and (i == 0 or s[i - 1] in "aeiou")))
        if not is_v:
            i += 1
            continue
        j = i + 1
        while j < n and (s[j] in "aeiou" or (s[j] == "y" and not (j + 1 < n and s[j + 1] in "aeiou"))):
            j += 1
        if j < n and s[j] == "w" and not (j + 1 < n and s[j + 1] in _SPELL_VOWELS):
            j += 1
        elif s.startswith("gh", j) and not (j + 2 < n and s[j + 2] in _SPELL_VOWELS):
            j += 2                                 # night, though: gh goes with its vowel
        spans.append((i, j))
        i = j
    if len(spans) > 1 and spans[-1] == (n - 1, n) and s[-1] == "e" and not s.endswith("le"):
        spans.pop()
    return spans


def grapheme_key(s: str, span: tuple[int, int]) -> str:
    """A vowel group with what follows it: "er" (r-coloured), "a_" (open: one consonant, then a vowel), "a"."""
    a, b = span
    g = s[a:b]
    if b < len(s) and s[b] == "r" and (b + 1 == len(s) or s[b + 1] not in _SPELL_VOWELS):
        return g + "r"
    if b + 1 < len(s) and s[b] not in _SPELL_VOWELS and s[b + 1] in _SPELL_VOWELS:
        return g + "_"
    return g


_CONSONANT_DIGRAPHS = [("tch", "CH"), ("sch", "SH K"), ("ch", "CH"), ("sh", "SH"), ("th", "TH"), ("ph", "F"),
                       ("ck", "K"), ("ng", "NG"), ("gh", ""), ("wh", "W"), ("qu", "K W"), ("dg", "JH"),
                       ("x", "K S"), ("c", "K"), ("q", "K"), ("j", "JH"), ("y", "Y"), ("h", "HH")]


def consonant_phones(letters: str) -> list[str]:
    """Phones of a run of consonant letters between two vowel groups (rough)."""
    out: list[str] = []
    i = 0
    while i < len(letters):
        for g, ph in _CONSONANT_DIGRAPHS:
            if letters.startswith(g, i):
                phones = ph.split()
                i += len(g)
                break
        else:
            phones = [letters[i].upper()] if letters[i] in "bdfgklmnprstvwz" else []
            i += 1
        for p in phones:
            if not out or out[-1] != p:  # doubled letters (cc, ll): one sound
                out.append(p)
    return out


def learn_vowels(prons: dict[str, list[str]]) -> dict[str, str]:
    """Grapheme key -> the stressed vowel it most often spells, from a lexicon's words (``{word: phones}``).

    Words whose vowel groups and vowel phones pair up one to one teach the
    table; only stressed vowels are counted.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for w, ps in prons.items():
        if not ps or not w.isalpha() or not w.isascii():
            continue
        spans = letter_groups(w)
        vowels = [p for p in ps[0].split() if p[-1].isdigit()]
        if len(spans) != len(vowels):
            continue
        for span, v in zip(spans, vowels):
            if v[-1] in "12":
                key = grapheme_key(w, span)
                counts[key][v[:-1]] += 1
                counts[w[span[0]:span[1]]][v[:-1]] += 1  # the bare group, as a back-off
    return {k: c.most_common(1)[0][0] for k, c in counts.items()}
