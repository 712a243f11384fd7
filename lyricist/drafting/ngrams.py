"""Word n-gram tables of a corpus: the successor lists the decoder joins words by, and the copy guard.

The copy guard is the sorted set of 64-bit hashes of every word 6-gram of the corpus lines
(saved as a generator's ``copyguard.npy``); a drafted line holding one of them copies the
corpus and is dropped, and :func:`lyricist.drafting.metrics.copy_rate` counts such lines.

Example:
    >>> g = build_copy_guard([["we", "were", "young", "and", "the", "night", "was", "long"]])
    >>> has_copy("we were young and the night".split(), g), has_copy("a line of my own".split(), g)
    (True, False)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_write_json
from lyricist.lang.corpus import read_songs
from lyricist.lang.prosody import words_of

COPY_N = 6
LINE_START, LINE_END = "<s>", "</s>"  # line edges in the n-gram tables (no lyric word can spell them)


def ngram_hash(words: Sequence[str]) -> int:
    """A stable 64-bit hash of a word n-gram (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest(), "little")


def line_ngrams(words: Sequence[str], n: int = COPY_N) -> list[int]:
    """Hashes of the word ``n``-grams of one line (none when it has fewer than ``n`` words)."""
    return [ngram_hash(words[i:i + n]) for i in range(len(words) - n + 1)]


def build_ngrams(lines_words: Sequence[Sequence[str]]) -> dict:
    """Forward word bigrams and trigrams of the corpus lines, as successor lists.

    ``{"bigrams": {w: [next words]}, "trigrams": {"w1 w2": [next words]}}``, sorted, with
    :data:`LINE_START` and :data:`LINE_END` standing for the line's edges. The decoder
    joins words only the way some corpus line joins them (trigram first, bigram when the pair is
    unseen), so a draft reads as locally grammatical in the corpus voice while the copy guard
    keeps whole phrases (6-grams) out.

    Example:
        >>> ng = build_ngrams([["the", "night", "is", "young"], ["the", "light", "is", "on"]])
        >>> ng["bigrams"]["the"], ng["trigrams"]["light is"], ng["bigrams"]["<s>"]
        (['light', 'night'], ['on'], ['the'])
    """
    nxt: dict[str, set] = {}
    nxt2: dict[str, set] = {}
    for ws in lines_words:
        if not ws:
            continue
        ws = [LINE_START, *ws, LINE_END]  # so that lines also begin and end the way corpus lines do
        for i in range(len(ws) - 1):
            nxt.setdefault(ws[i], set()).add(ws[i + 1])
            if i + 2 < len(ws):
                nxt2.setdefault(f"{ws[i]} {ws[i + 1]}", set()).add(ws[i + 2])
    return {"bigrams": {a: sorted(b) for a, b in sorted(nxt.items())},
            "trigrams": {a: sorted(b) for a, b in sorted(nxt2.items())}}


def ensure_ngrams(folder: str | os.PathLike) -> bool:
    """Add ``ngrams.json`` to a generator checkpoint trained before it existed (from its recorded data).

    Only the ``train`` split songs count, as at training time. Returns True when the file exists afterwards.
    """
    folder = Path(folder)
    if (folder / "ngrams.json").is_file():
        return True
    try:
        doc = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    paths = [p for p in (doc.get("data") or []) if Path(p).exists()]
    if not paths:
        return False
    songs = [s for s in read_songs(paths) if len(s.lines) >= 2]
    train = [s for s in songs if s.split == "train"] or songs
    atomic_write_json(folder / "ngrams.json", build_ngrams([words_of(ln.text) for s in train for ln in s.lines]))
    return True


def build_copy_guard(lines_words: Sequence[Sequence[str]], n: int = COPY_N) -> np.ndarray:
    """Sorted unique ``uint64`` hashes of every word ``n``-gram of the corpus lines.

    Example:
        >>> g = build_copy_guard([["a", "b", "c", "d", "e", "f", "g"]])
        >>> len(g), bool(np.isin(np.uint64(ngram_hash("b c d e f g".split())), g))
        (2, True)
    """
    hs = [h for ws in lines_words for h in line_ngrams(ws, n)]
    return np.unique(np.array(hs, dtype=np.uint64))


def has_copy(words: Sequence[str], guard, n: int = COPY_N) -> bool:
    """True when a word ``n``-gram of ``words`` is in ``guard``.

    Args:
        words: one line's words.
        guard: sorted ``uint64`` array from :func:`build_copy_guard`, or a set of hashes.
        n: n-gram length in words.
    """
    hs = line_ngrams(list(words), n)
    if not hs:
        return False
    if isinstance(guard, (set, frozenset)):
        return any(h in guard for h in hs)
    guard = np.asarray(guard, dtype=np.uint64)
    if not len(guard):
        return False
    arr = np.array(hs, dtype=np.uint64)
    pos = np.minimum(np.searchsorted(guard, arr), len(guard) - 1)
    return bool((guard[pos] == arr).any())
