"""Words of a lyric line: tokens with their apostrophe forms, the word a line ends on, folded spellings.

Apostrophe forms stay whole (``don't``, ``lovin'``, ``'cause``); quotes,
punctuation, numbers and ad-libs in parentheses are handled the way a singer
would read them. :func:`fold_word` is the spelling every lookup starts from.

Example:
    >>> words_of("Lovin' you 'cause y'all (oh)"), last_word("Into the light... (oh)"), fold_word("Café")
    (["lovin'", 'you', "'cause", "y'all", 'oh'], 'light', 'cafe')
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_CHUNK = re.compile(r"[\w']+")
_PARENS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
# Apostrophe forms kept whole although a quote could look the same.
_LEADING = {
    "'cause", "'cos", "'coz", "'cuz", "'em", "'til", "'till", "'bout", "'round", "'fore",
    "'n", "'n'", "'tis", "'twas", "'kay", "'gain", "'course", "'neath", "'mongst", "'cept",
}
_TRAILING = {"o'", "ol'", "an'", "n'", "th'", "'n'", "goin'"}


def _norm(text: str) -> str:
    """NFC, straight apostrophes."""
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES)


def _clean_token(tok: str) -> str | None:
    tok = tok.lower().replace("_", "")
    if any(ch.isdigit() for ch in tok):
        return None  # "5th", "24/7": numbers are not counted (document)
    if tok.startswith("'") and tok not in _LEADING and tok.rstrip("'") not in _LEADING:
        tok = tok.lstrip("'")
    if tok.endswith("'") and tok not in _TRAILING and not (tok.endswith("in'") and len(tok) > 3):
        tok = tok.rstrip("'")
    tok = re.sub(r"'{2,}", "'", tok)
    return tok if any(ch.isalpha() for ch in tok) else None


def words_of(line: str) -> list[str]:
    """Lowercased word tokens of a lyric line.

    Apostrophe forms stay whole (``don't``, ``lovin'``, ``'cause``, ``y'all``);
    quotes around words, punctuation and tokens with digits are dropped;
    hyphens split words.

    Example:
        >>> words_of("I'm lovin' you 'cause y'all don't stop (oh) - 5th street!")
        ["i'm", "lovin'", 'you', "'cause", "y'all", "don't", 'stop', 'oh', 'street']
    """
    out = []
    for chunk in _CHUNK.findall(_norm(line or "")):
        tok = _clean_token(chunk)
        if tok:
            out.append(tok)
    return out


def last_word(line: str) -> str | None:
    """The word a line ends on, the one that carries its rhyme.

    Trailing punctuation and ad-libs in parentheses or brackets (``(oh)``,
    ``[x2]``) are skipped; a line made only of an ad-lib uses the ad-lib.

    Example:
        >>> last_word("Into the light... (oh, oh)")
        'light'
        >>> last_word("!!!") is None
        True
    """
    words = words_of(_PARENS.sub(" ", _norm(line or "")))
    if not words:
        words = words_of(line)
    return words[-1] if words else None


def fold_word(word: str) -> str:
    """Lowercase, straight apostrophes, accents removed (café -> cafe)."""
    w = _norm(word).strip().lower()
    if not w.isascii():
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    return w
