"""Text cleaning: the one normal form every corpus text goes through, and the word form used for ids.

:func:`clean_text` is what a reader keeps (NFC, no LRC time tags, straight
quotes, single spaces, newlines kept); :func:`norm_text` is the lower-cased
word form behind song ids and duplicate detection; :func:`word_tokens` gives
the words that ``corpus stats`` counts.

Example:
    >>> clean_text("  It\\u2019s  [00:01.00]raining ")
    "It's raining"
    >>> norm_text("It's RAINING!"), word_tokens("It's RAINING!")
    ("it's raining", ["it's", 'raining'])
"""

from __future__ import annotations

import re
import unicodedata

_LRC_TIME = re.compile(r"\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]|<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'", "\u00b4": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
           "\u200b": "", "\u2060": "", "\ufeff": ""}
_ODD_CHARS = re.compile("[" + "".join(_QUOTES) + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of horizontal whitespace other than one plain space (matching every single space is slow).
_SPACES = re.compile(r" ?[^\S\n ][^\S\n]*| {2,}[^\S\n]*")
_ODD_SPACE = re.compile(r"[^\S\n ]")
_EDGE_SPACES = re.compile(r" \n ?|\n ")


def clean_text(s: str) -> str:
    """Normalise one text: NFC, no LRC time tags, straight quotes, single spaces; keeps newlines.

    ``\\r\\n`` and ``\\r`` become ``\\n``; each line is stripped; the result is stripped.

    Example:
        >>> clean_text("[00:12.34]It\u2019s   a \u201cnew\u201d day\\r\\n[01:02] next ")
        'It\\'s a "new" day\\nnext'
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    if "[" in s or "<" in s:
        s = _LRC_TIME.sub("", s)
    s = _ODD_CHARS.sub(lambda m: _QUOTES.get(m.group(), ""), s)  # curly quotes; zero-width and control chars
    if "  " in s or _ODD_SPACE.search(s):  # (the checks save most of the time on clean text)
        s = _SPACES.sub(" ", s)
    if " \n" in s or "\n " in s:
        s = _EDGE_SPACES.sub("\n", s)
    return s.strip()


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, with inner apostrophes (don't, rock'n'roll)
# Everything that is not part of a _WORD: other chars, underscores, apostrophes at word edges.
_NOT_WORD = re.compile(r"(?:[^\w']|_|'(?![^\W_])|(?<![^\W_])')+")


_ASCII_NOT_WORD = str.maketrans(dict.fromkeys(
    [c for c in map(chr, range(128)) if not c.isalnum() and c != "'"], " "))
# An apostrophe with no letter or digit after it, or none before it ('cause, singin').
_EDGE_APOSTROPHE = re.compile(r"'(?:(?![a-z0-9])|(?<![a-z0-9]'))")


def norm_text(s: str) -> str:
    """Lower-cased words of letters, digits and inner apostrophes, one space apart: the dedup and id form.

    ASCII text takes a fast path (translate and split); the regex handles the rest.

    Example:
        >>> norm_text("  'Cause I DON'T -- know_why!")
        "cause i don't know why"
    """
    t = s.lower()
    if t.isascii():
        t = " ".join(t.translate(_ASCII_NOT_WORD).split())
        if "'" in t:
            t = " ".join(_EDGE_APOSTROPHE.sub(" ", t).split())
        return t
    return _NOT_WORD.sub(" ", t).strip()


def word_tokens(s: str) -> list[str]:
    """The lower-cased words of ``s`` (letters and digits, inner apostrophes kept): what corpus stats count.

    Example:
        >>> word_tokens("Don't stop, rock'n'roll_2 'til dawn")
        ["don't", 'stop', "rock'n'roll", '2', 'til', 'dawn']
    """
    return _WORD.findall(s.lower())
