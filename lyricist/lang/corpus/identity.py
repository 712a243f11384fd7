"""Stable identities: short hashes, near-duplicate keys, deterministic splits and the dedup set.

Ids and splits depend on a text's content alone (see :attr:`Song.id`), so a
song lands in the same split on every machine and in every run. Duplicates are
found by 64-bit hashes of the :func:`~lyricist.lang.corpus.clean.norm_text`
form (exact) and of its first :data:`NEAR_WORDS` words (near), never by
keeping the texts.

Example:
    >>> seen, verse = Dedup(), " ".join(["la"] * NEAR_WORDS)
    >>> seen.check(verse), seen.check(verse), seen.check(verse + " di da")
    (None, 'exact', 'near')
    >>> split_of(short_sha1("la la la")) in ("train", "val", "test")
    True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lyricist.core.errors import LyricistError

NEAR_WORDS = 12  # songs/texts sharing their first 12 normalised words are near-duplicates


def first_words(norm: str, n: int = NEAR_WORDS) -> str:
    """The first ``n`` words of a :func:`norm_text` string."""
    return " ".join(norm.split(" ", n)[:n])


def short_sha1(s: str) -> str:
    """The first 16 hex digits of the SHA-1 of ``s``: the stable id of a song or text."""
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:16]


def _hash64(s: str) -> int:
    """64-bit hash for the dedup sets (8 bytes a key, however long the text)."""
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


def split_of(identity: str, val: float = 0.1, test: float = 0.1) -> str:
    """Deterministic split of one item from the SHA-1 of its identity.

    The same identity always lands in the same split, whatever else is in the corpus.

    Args:
        identity: a song or text id (see :attr:`Song.id`).
        val, test: shares of the validation and test splits.
    Returns:
        ``"train"``, ``"val"`` or ``"test"``.

    Example:
        >>> split_of("abc") == split_of("abc")
        True
        >>> split_of("abc", val=0.0, test=0.0)
        'train'
    """
    if not (0.0 <= val <= 1.0 and 0.0 <= test <= 1.0 and val + test <= 1.0):
        raise LyricistError(f"bad split shares val={val} test={test}: each must be in [0, 1], summing to at most 1")
    x = int(hashlib.sha1(identity.encode("utf-8")).hexdigest()[:15], 16) / 16**15  # uniform in [0, 1)
    if x < test:
        return "test"
    if x < test + val:
        return "val"
    return "train"


@dataclass
class Dedup:
    """Seen exact and near keys, as 64-bit hashes."""

    exact: set = field(default_factory=set)
    near: set = field(default_factory=set)

    def check(self, norm: str) -> str | None:
        """``"exact"`` or ``"near"`` if the :func:`norm_text` form was seen before, else None (and remember it)."""
        e, n = _hash64(norm), _hash64(first_words(norm))
        if e in self.exact:
            return "exact"
        if n in self.near:
            return "near"
        self.exact.add(e)
        self.near.add(n)
        return None
