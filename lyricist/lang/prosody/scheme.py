"""Rhyme schemes: reading one off some lines, stretching one to a length, checking lines against one.

Example:
    >>> rhyme_scheme(["the night", "the light", "my heart", "apart"]), normalize_scheme("ABCB", 6)
    ('AABB', 'ABCBDE')
    >>> scheme_matches(["the night", "my heart", "the light", "apart"], "ABAB")
    True
"""

from __future__ import annotations

import re

from lyricist.core.errors import LyricistError
from lyricist.lang.prosody.rhyme import is_rhyme
from lyricist.lang.prosody.words import last_word

#: Letters given to rhyme sounds, in order; "-" marks a line with no rhyme requirement.
SCHEME_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rhyme_scheme(lines: list[str], near: bool = False) -> str:
    """The rhyme scheme of some lines, one letter per line.

    Letters (A-Z, then a-z) go to new rhyme sounds in order; a line takes the
    letter of the first earlier line it rhymes with (perfect, or also near
    with ``near=True``), else the next free letter. A line with no word gets
    "-". Ending on the same word is not a rhyme. Past 52 sounds, lines get "+".

    Example:
        >>> rhyme_scheme(["my heart is on fire", "we danced through the night",
        ...               "you lift me up higher", "into the light"])
        'ABAB'
    """
    words = [last_word(line) for line in lines]
    letters: list[str] = []
    fresh = iter(SCHEME_LETTERS)
    for i, w in enumerate(words):
        if w is None:
            letters.append("-")
            continue
        for j in range(i):
            if words[j] is not None and is_rhyme(words[j], w, near=near):
                letters.append(letters[j])
                break
        else:
            letters.append(next(fresh, "+"))
    return "".join(letters)


def normalize_scheme(scheme: str, n_lines: int) -> str:
    """A rhyme scheme stretched or cut to ``n_lines``, with fresh letters for each repetition.

    Letters are renamed in order of first use (``BABA`` -> ``ABAB``); an
    all-lowercase scheme is read as uppercase. "-" marks a line with no rhyme
    requirement; ``free`` gives "-" for every line.

    Raises:
        LyricistError: the scheme is empty, has other characters, or needs
            more than 52 rhyme sounds.

    Example:
        >>> normalize_scheme("AABB", 8), normalize_scheme("abcb", 6), normalize_scheme("free", 3)
        ('AABBCCDD', 'ABCBDE', '---')
    """
    if n_lines < 0:
        raise LyricistError(f"number of lines must be 0 or more, not {n_lines}")
    s = (scheme or "").strip()
    if s.lower() == "free":
        return "-" * n_lines
    if s.islower():
        s = s.upper()
    if not s or not re.fullmatch(r"[A-Za-z-]+", s):
        raise LyricistError(
            f"invalid rhyme scheme {scheme!r}: use letters such as AABB, ABAB, ABCB, AAAA, or 'free'")
    out: list[str] = []
    fresh = iter(SCHEME_LETTERS)
    block: dict[str, str] = {}
    for i in range(n_lines):
        c = s[i % len(s)]
        if i % len(s) == 0:
            block = {}
        if c == "-":
            out.append("-")
            continue
        if c not in block:
            nxt = next(fresh, None)
            if nxt is None:
                raise LyricistError(
                    f"rhyme scheme {scheme!r} over {n_lines} lines needs more than {len(SCHEME_LETTERS)} "
                    "rhyme sounds: use fewer lines or 'free'")
            block[c] = nxt
        out.append(block[c])
    return "".join(out)


def scheme_matches(lines: list[str], scheme: str, near: bool = False) -> bool:
    """Whether the lines follow a rhyme scheme (``free`` always does).

    Only the required rhymes are checked: every line rhymes with the first
    line of its letter (``ABCB``: line 4 with line 2); lines with different
    letters may rhyme or not. Ending on the same word is not rhyming.

    Example:
        >>> scheme_matches(["the night", "my heart", "the light", "apart"], "ABAB")
        True
        >>> scheme_matches(["the night", "my heart", "the night", "apart"], "ABAB")
        False
    """
    pattern = normalize_scheme(scheme, len(lines))
    first: dict[str, str | None] = {}
    for line, c in zip(lines, pattern):
        if c == "-":
            continue
        w = last_word(line)
        if c not in first:
            first[c] = w
        elif w is None or first[c] is None or not is_rhyme(first[c], w, near=near):
            return False
    return True
