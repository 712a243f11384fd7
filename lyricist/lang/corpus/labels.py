"""Labels: words and numeric schemes mapped to ``negative/neutral/positive`` or the four moods.

:func:`normalize_label` maps one raw label; :class:`LabelReader` does it for
one file, deciding the file's numeric scheme (0/1, 0/1/2, -1/0/1, SST-5 0..4)
from a peek at its labels; :func:`parse_label_map` reads ``--label-map`` pairs.

Example:
    >>> normalize_label("Very Negative"), normalize_label(2, scheme="ternary"), normalize_label("calm", "mood")
    ('negative', 'positive', 'relaxed')
    >>> read = LabelReader("sentiment", None, ["0", "4", "2"], "sst.tsv")
    >>> read.scheme, read("3", "row 1")
    ('sst5', 'positive')
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from lyricist.core.config import MOOD_LABELS, SENTIMENT_LABELS
from lyricist.core.errors import LyricistError

_SENTIMENT_WORDS = {
    "negative": "negative", "neg": "negative", "very negative": "negative",
    "neutral": "neutral", "neu": "neutral",
    "positive": "positive", "pos": "positive", "very positive": "positive",
}
_MOOD_WORDS = {
    "happy": "happy", "happiness": "happy", "joy": "happy", "joyful": "happy",
    "angry": "angry", "anger": "angry",
    "sad": "sad", "sadness": "sad",
    "relaxed": "relaxed", "relax": "relaxed", "relaxing": "relaxed", "calm": "relaxed",
}
#: Numeric schemes: name -> {value: label}.
NUMERIC_SCHEMES = {
    "binary": {0: "negative", 1: "positive"},
    "ternary": {0: "negative", 1: "neutral", 2: "positive"},
    "signed": {-1: "negative", 0: "neutral", 1: "positive"},
    "sst5": {0: "negative", 1: "negative", 2: "neutral", 3: "positive", 4: "positive"},
}
_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
KINDS = ("sentiment", "mood", "raw")


def numeric_scheme(lo: int, hi: int) -> str | None:
    """The numeric label scheme that fits labels ranging from ``lo`` to ``hi``.

    Example:
        >>> numeric_scheme(0, 1), numeric_scheme(-1, 1), numeric_scheme(0, 2), numeric_scheme(0, 4)
        ('binary', 'signed', 'ternary', 'sst5')
    """
    if lo == -1 and hi <= 1:
        return "signed"
    if lo >= 0 and hi <= 1:
        return "binary"
    if lo >= 0 and hi == 2:
        return "ternary"
    if lo >= 0 and hi in (3, 4):
        return "sst5"
    return None


def _as_int(s: str) -> int | None:
    return int(float(s)) if _INT.match(s) else None


def _accepted(kind: str) -> str:
    if kind == "mood":
        return (f"use {'/'.join(MOOD_LABELS)} (or joy, anger, sadness, calm)")
    return (f"use {'/'.join(SENTIMENT_LABELS)} (or neg/neu/pos), or numbers 0/1, 0/1/2, -1/0/1 or 0..4")


def normalize_label(value: Any, kind: str = "sentiment", mapping: dict | None = None,
                    scheme: str | None = None) -> str | None:
    """Map a raw label to the project's label set.

    Args:
        value: the raw label (word or number). None or empty gives None.
        kind: ``"sentiment"`` (negative/neutral/positive), ``"mood"`` (happy/angry/sad/relaxed)
            or ``"raw"`` (kept as given, stripped).
        mapping: ``{raw: label}`` chosen by the user; it wins over everything else.
        scheme: numeric scheme (a key of :data:`NUMERIC_SCHEMES`); when None, one number alone
            decides it with the same rule readers use per file (-1 signed, 0/1 binary,
            2 ternary, 3/4 SST-5), so pass it for 0/1/2 or SST-5 data.
    Returns:
        The label, or None for a missing one.
    Raises:
        LyricistError: for a label it does not know, listing the accepted ones.

    Example:
        >>> normalize_label("POS"), normalize_label(0), normalize_label("4", scheme="sst5")
        ('positive', 'negative', 'positive')
        >>> normalize_label("meh", mapping={"meh": "neutral"})
        'neutral'
    """
    if kind not in KINDS:
        raise LyricistError(f"unknown label kind {kind!r}: use one of {', '.join(KINDS)}")
    if value is None or isinstance(value, (dict, list)):
        return None
    raw = str(value).strip()
    if not raw:
        return None
    if mapping:
        num = _as_int(raw)
        for key in (raw, raw.lower()) if num is None else (raw, raw.lower(), str(num)):
            if key in mapping:
                return normalize_label(mapping[key], kind)  # the target itself must be a known label
    if kind == "raw":
        return raw
    low = " ".join(raw.lower().replace("_", " ").split())
    words = _MOOD_WORDS if kind == "mood" else _SENTIMENT_WORDS
    if low in words:
        return words[low]
    if kind == "sentiment" and isinstance(value, bool):
        return "positive" if value else "negative"
    num = _as_int(raw) if kind == "sentiment" else None
    if num is not None:
        table = NUMERIC_SCHEMES.get(scheme or numeric_scheme(min(num, 0), num) or "")
        if table and num in table:
            return table[num]
        raise LyricistError(f"label {raw} does not fit the {scheme or 'numeric'} labels: "
                            f"{_accepted(kind)}, or pass --label-map RAW=LABEL")
    raise LyricistError(f"unknown {kind} label {raw!r}: {_accepted(kind)}, or pass --label-map RAW=LABEL")


class LabelReader:
    """Normalises the labels of one file, deciding its numeric scheme from a peek at them."""

    def __init__(self, kind: str, mapping: dict | None, peek: Sequence[Any], where: str):
        self.kind, self.mapping, self.where = kind, mapping, where
        nums = [n for v in peek if v is not None and (n := _as_int(str(v).strip())) is not None]
        numeric = kind in ("sentiment", "auto")
        self.scheme = numeric_scheme(min(nums), max(nums)) if nums and numeric else None
        if nums and kind == "sentiment" and self.scheme is None and not mapping:
            raise LyricistError(f"numeric labels {min(nums)}..{max(nums)} in {where} fit no known scheme: "
                                f"{_accepted(kind)}, or pass --label-map RAW=LABEL")

    def __call__(self, value: Any, row: str) -> str | None:
        if self.kind == "auto":  # corpus_stats: sentiment, else mood, else the label as written
            for kind in ("sentiment", "mood", "raw"):
                try:
                    return normalize_label(value, kind, self.mapping, self.scheme)
                except LyricistError:
                    continue
        try:
            return normalize_label(value, self.kind, self.mapping, self.scheme)
        except LyricistError as e:
            raise LyricistError(f"{row}: {e}") from None


def parse_label_map(pairs: Iterable[str] | None) -> dict | None:
    """Parse ``RAW=LABEL`` pairs given on the command line into a label mapping.

    Example:
        >>> parse_label_map(["4=positive", "meh=neutral"])
        {'4': 'positive', 'meh': 'neutral'}
        >>> parse_label_map([]) is None
        True
    """
    out: dict[str, str] = {}
    for pair in pairs or ():
        raw, sep, label = pair.partition("=")
        if not sep or not raw.strip() or not label.strip():
            raise LyricistError(f"--label-map takes RAW=LABEL (for example 4=positive), not {pair!r}")
        out[raw.strip()] = label.strip()
    return out or None
