"""Neighbours a songwriter can use: word families grouped, technical and rare register ranked down.

A neighbour list straight from the vectors spends half its places on one idea
(``rain`` -> rainy, rainfall, rainstorm, rainwater, raindrops) and on words a lyric rarely
uses (precipitation, oceanography). Three rules, on spelling and word frequency alone:

- **derivation** (:func:`is_derivation`): two words share a stem (``finances``,
  ``financial``, ``financially``; ``ballet``, ``ballerina``), one is the other plus a
  suffix (``rainy``, ``oceanography``), or one is a compound that contains the other
  (``rainstorm``, ``seawater``, ``heartache``);
- **families** (:func:`arrange`): the query's own derivations leave the list (they are
  returned apart, as the query's family); neighbours that are derivations of each other
  are shown once, under the best of them, with the others as its family. A word joins the
  family of the first head it derives from (never of another member, so families do not chain);
- **register** (:func:`register_penalty`): a word with a technical (Latinate or Greek)
  ending or prefix, or a rare one (Zipf frequency below 3, ``wordfreq``), ranks lower
  unless the user's own corpus uses it. Only the order of the suggestions changes: the
  similarity scores (and WordSim-353) are untouched.

Example:
    >>> ranked = [("rainy", .89), ("rainfall", .79), ("storms", .58), ("precipitation", .65),
    ...           ("downpour", .58), ("storm", .5), ("wet", .57)]
    >>> heads, own = arrange("rain", ranked, topn=3)
    >>> [(h.word, h.family) for h in heads], own
    ([('storms', ['storm']), ('downpour', []), ('wet', [])], ['rainy', 'rainfall'])
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from lyricist.lang.names import lowercase_words
from lyricist.lang.prosody.cmu import word_frequencies

__all__ = ["Neighbour", "is_derivation", "register_penalty", "arrange", "zipf_frequency"]

# Derivational and inflectional endings, longest first, stripped once to find a stem.
_SUFFIXES = tuple(sorted({
    "ographers", "ographer", "ography", "ographic", "ographed", "ologists", "ologist", "ology", "ological",
    "ically", "ational", "ations", "ation", "ially", "ities", "ity", "nesses", "ness", "ments", "ment", "fully",
    "ful", "less", "ously", "ous", "ious", "ial", "ally", "ical", "ics", "ic", "ively", "ive", "ists", "ist",
    "isms", "ism", "aries", "ary", "ery", "ory", "ina", "ine", "ette", "ers", "er", "ors", "or", "ings", "ing",
    "ed", "es", "s", "ies", "ily", "ly", "al", "e", "y", "ish", "en", "est",
}, key=len, reverse=True))
_SUFFIX_SET = frozenset(_SUFFIXES) | {"r", "rs", "d", "st", "ly", "ingly"}  # love+r(s), lovingly

# Endings and prefixes of technical register, for words of three syllables or more (roughly: letters >= 7).
_TECH_ENDINGS = ("ation", "ition", "ution", "ology", "ologist", "ological", "ography", "ographer", "ographers",
                 "ographed", "ographic", "ometry", "ometric", "ical", "ular", "atic", "iac", "itis", "osis",
                 "ary", "ial", "ity", "ism", "ics", "escence", "aceous")
_TECH_PREFIXES = ("cardio", "myo", "hydro", "aqua", "photo", "bio", "geo", "neuro", "psycho", "techno", "micro",
                  "electro", "meteor", "thermo", "astro", "socio", "physio", "patho", "gastro", "hemo", "haemo")
TECH_PENALTY = 0.2
"""How far down a technical word moves (similarity units; neighbours of one query differ by ~0.01-0.05)."""
RARE_ZIPF = 3.0
"""Words below this Zipf frequency (once per million words is 3) count as rare."""
RARE_SLOPE = 0.05
"""Penalty per Zipf unit below :data:`RARE_ZIPF`."""
HEAD_MARGIN = 0.05
"""A family is shown under its most common member among those this close to its most similar one."""


@dataclass
class Neighbour:
    """One suggestion: the head word, its similarity, and the other members of its family (best first)."""

    word: str
    """The family's best member (the one shown)."""
    score: float
    """Its similarity to the query (as the vectors give it; the register penalty only reorders)."""
    family: list[str] = field(default_factory=list)
    """The head's derivations that were also neighbours (``dancer`` -> ``dancers``)."""
    register: str = ""
    """``technical``, ``rare`` or empty: why it was ranked down (never for a word of the user's corpus)."""


# ----------------------------------------------------------------- derivations
def _is_word(w: str) -> bool:
    return len(w) >= 3 and w in lowercase_words()


def _bases(w: str) -> set[str]:
    """``w`` and the spellings it may be an inflection of (``seas`` -> sea, ``cries`` -> cry, ``loved`` -> love)."""
    out = {w}
    for end, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                      ("ing", "e"), ("in'", ""), ("'s", "")):
        if w.endswith(end) and len(w) - len(end) >= 3:
            out.add(w[: len(w) - len(end)] + repl)
    return out


@functools.lru_cache(maxsize=65536)
def _stem(w: str) -> str:
    """``w`` without its longest ending (leaving at least 3 letters; -ly first), and without a final e/y/i."""
    if w.endswith("ly") and len(w) >= 7:  # lovingly -> loving, financially -> financial
        w = w[:-2]
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    return w[:-1] if len(w) > 3 and w[-1] in "eyi" else w


def _compound(short: str, long: str) -> bool:
    """Whether ``long`` is ``short`` (or a base of it) plus a suffix or a word, or a word plus ``short``."""
    for x in _bases(short):
        if len(x) >= 3 and long.startswith(x) and long != x:
            rest = long[len(x):]
            if rest in _SUFFIX_SET or (len(rest) >= (3 if len(x) >= 4 else 4)
                                       and any(_is_word(b) for b in _bases(rest))):
                return True
        for y in _bases(long):  # wildfires -> wildfire = wild + fire
            head = y[: -len(x)]  # four letters at least: mon+soon, con+sole are no compounds
            if len(x) >= 4 and y.endswith(x) and len(head) >= 4 and _is_word(head):
                return True
    return False


@functools.lru_cache(maxsize=65536)
def is_derivation(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one word family: same stem, a suffix apart, or a compound containing the other.

    Spelling rules only (no vectors, no spaCy); a phrase (``broken_heart``) is a derivation of
    a word when one of its words is. Symmetric.

    Example:
        >>> [is_derivation("rain", w) for w in ("rainy", "rainstorm", "raindrops", "storms", "brain")]
        [True, True, True, False, False]
        >>> [is_derivation(x, y) for x, y in (("finances", "financially"), ("ballet", "ballerina"),
        ...                                   ("sea", "seawater"), ("ocean", "oceanography"), ("dance", "waltz"))]
        [True, True, True, True, False]
    """
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if "_" in a or "_" in b:
        return any(is_derivation(x, y) for x in a.split("_") if x for y in b.split("_") if y)
    if _bases(a) & _bases(b):
        return True
    short, long = sorted((a, b), key=lambda w: (len(w), w))
    if _compound(short, long):
        return True
    sa, sb = _stem(a), _stem(b)
    if sa == sb:
        return True
    p = len(_common_prefix(sa, sb))
    m = min(len(sa), len(sb))
    return p >= 4 and (p == m or (p >= 5 and p >= m - 1))


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


# ----------------------------------------------------------------- register
@functools.lru_cache(maxsize=65536)
def register_penalty(word: str, zipf: float | None = None) -> tuple[float, str]:
    """``(penalty, reason)``: how far down a word moves for technical or rare register, and why.

    Technical: a Latinate or Greek ending or prefix (``precipitation``, ``oceanography``,
    ``aquatic``, ``cardiovascular``) on a word of 7 letters or more that is not very common
    (Zipf below 4.5). Rare: below Zipf 3 (:data:`RARE_ZIPF`). ``zipf`` is the word's Zipf
    frequency if the caller knows it (the general vectors carry it), else ``wordfreq``'s.

    Example:
        >>> [register_penalty(w)[1] for w in ("precipitation", "choreography", "downpour", "rain")]
        ['technical', 'technical', 'rare', '']
    """
    w = word.lower()
    if zipf is None:
        zipf = _zipf(w.replace("_", " "))
    if "_" not in w and len(w) >= 7 and zipf < 4.5 and (w.endswith(_TECH_ENDINGS) or w.startswith(_TECH_PREFIXES)):
        return TECH_PENALTY + RARE_SLOPE * max(0.0, RARE_ZIPF - zipf), "technical"
    if "_" not in w and zipf < RARE_ZIPF:
        return RARE_SLOPE * (RARE_ZIPF - zipf), "rare"
    return 0.0, ""


# ----------------------------------------------------------------- the suggestion list
def arrange(query: str, ranked: Sequence[tuple[str, float]], topn: int = 10, *, families: bool = True,
            register: bool = True, group: bool = True, in_corpus: Callable[[str], bool] = lambda w: False,
            zipf: Callable[[str], float] | None = None) -> tuple[list[Neighbour], list[str]]:
    """The ``topn`` suggestions from neighbours ranked by similarity: families grouped, register ranked down.

    Args:
        query: the query word.
        ranked: ``[(word, similarity), ...]``, most similar first (a pool a few times ``topn``).
        families: drop the query's derivations and show each family of neighbours once.
        register: rank technical and rare words down (see :func:`register_penalty`).
        group: with ``families``, also group neighbours that derive from each other (off, only the
            query's own derivations go: a rhyme list keeps ``noon`` and ``afternoon``, which scan differently).
        in_corpus: words of the user's corpus, never ranked down.
        zipf: a word's Zipf frequency (default ``wordfreq``'s, loaded on first use: 0.25 s).
    Returns:
        ``(neighbours, query_family)``: :class:`Neighbour` heads, best first, and the query's
        own derivations that were among the neighbours (empty without ``families``).

    Example:
        >>> heads, own = arrange("dance", [("dancer", .69), ("dancers", .66), ("ballet", .63), ("ballets", .56),
        ...                                ("choreography", .53), ("waltz", .51)], topn=3)
        >>> [(h.word, h.family, h.register) for h in heads], own
        ([('ballet', ['ballets'], ''), ('waltz', [], ''), ('choreography', [], 'technical')], ['dancer', 'dancers'])
    """
    zipf = zipf or _zipf
    items = []
    for k, (w, s) in enumerate(ranked):
        pen, why = register_penalty(w, zipf(w)) if register and not in_corpus(w) else (0.0, "")
        items.append((s - pen, k, w, s, why))
    items.sort(key=lambda t: (-t[0], t[1]))
    heads: list[Neighbour] = []
    own: list[str] = []
    for _, _, w, s, why in items:
        if families and is_derivation(query, w):
            own.append(w)
            continue
        home = next((h for h in heads if is_derivation(h.word, w)), None) if families and group else None
        if home is not None:
            home.family.append(w)
        elif len(heads) < topn:
            heads.append(Neighbour(w, s, [], why))
    scores = {w: (s, why) for _, _, w, s, why in items}
    return [_best_head(h, scores, zipf) for h in heads], own


def zipf_frequency(w: str) -> float:
    """Zipf frequency of ``w`` (log10 of uses per billion words) from ``wordfreq``; 0 if unknown.

    Example:
        >>> 4 < zipf_frequency("rain") < 5
        True
    """
    f = word_frequencies().get(w, 0.0)
    return math.log10(f) + 9 if f > 0 else 0.0


_zipf = zipf_frequency


def _best_head(h: Neighbour, scores: dict, zipf: Callable[[str], float]) -> Neighbour:
    """The family shown under its most common member (``sea`` over ``seas``, ``tonight`` over ``tonight's``)
    among those within :data:`HEAD_MARGIN` of the most similar one."""
    if not h.family:
        return h
    top = scores[h.word][0]
    members = [h.word] + h.family
    close = [w for w in members if scores[w][0] >= top - HEAD_MARGIN]  # never a much less similar word
    best = max(close, key=lambda w: (not w.endswith("'s"), zipf(w), -members.index(w)))
    s, why = scores[best]
    return Neighbour(best, s, [w for w in members if w != best], why)
