"""Rhymes: rhyme parts and keys, perfect and near (slant) rhymes, and :func:`rhymes` for one word.

In order of strength: perfect (same rhyme part), near (same stressed vowel,
then consonants of one family, an added final s/z/t/d, or only the syllable
count after it), multi (perfect and the last two syllables match). A word
never rhymes with itself, nor ``lovin'`` with ``loving``.

Example:
    >>> rhyme_part("fire"), rhyme_key("into the light!"), is_rhyme("heart", "apart")
    ('AY ER', 'AY T', True)
    >>> near_level("AY M", "AY N"), near_rhyme("time", "like"), is_rhyme("time", "mine")
    (2, True, False)
"""

from __future__ import annotations

import functools
import heapq
from collections import defaultdict
from typing import Iterable

from lyricist.core.errors import LyricistError
from lyricist.lang.names import is_name
from lyricist.lang.prosody.cmu import cmu_lexicon, phones_of
from lyricist.lang.prosody.guess import guess_rhyme
from lyricist.lang.prosody.phones import (VOWEL_PHONES, assonance_key, n_vowels, rhyme_of_phones, stressed_prons,
                                          tail2_of_phones)
from lyricist.lang.prosody.syllable_count import syllables
from lyricist.lang.prosody.words import fold_word, last_word

@functools.lru_cache(maxsize=100_000)
def rhyme_parts(word: str) -> tuple[str, ...]:
    """Rhyme parts of every pronunciation (first one first); a spelling guess for unknown words."""
    ps = phones_of(word)
    if ps:
        out: list[str] = []
        for p in stressed_prons(ps):
            rp = rhyme_of_phones(p)
            if rp and rp not in out:
                out.append(rp)
        return tuple(out)
    guess = guess_rhyme(word, cmu_lexicon())
    return (guess,) if guess else ()


def rhyme_part(word: str) -> str | None:
    """Phones from the last stressed vowel to the end, stress removed.

    Taken from the first pronunciation that has a stressed vowel (``a`` ->
    ``EY``, not the reduced ``AH``).

    Unknown words get a guess from the CMU words that end with the same
    letters; None for a word with no vowel (``hmm``) or no such neighbours.

    Example:
        >>> rhyme_part("fire"), rhyme_part("apart"), rhyme_part("blorptastic")
        ('AY ER', 'AA R T', 'AE S T IH K')
    """
    rps = rhyme_parts(word)
    return rps[0] if rps else None


def rhyme_key(line: str) -> str:
    """Rhyme part of a line's last word, or "" when there is none.

    Example:
        >>> rhyme_key("you lift me up higher!"), rhyme_key("...")
        ('AY ER', '')
    """
    w = last_word(line)
    return (rhyme_part(w) or "") if w else ""


# Consonant families (Pattison): a slant rhyme may swap consonants within one.
_FAMILY = {
    **dict.fromkeys(["P", "B", "T", "D", "K", "G"], "stop"),
    **dict.fromkeys(["M", "N", "NG"], "nasal"),
    **dict.fromkeys(["F", "V", "TH", "DH", "S", "Z", "SH", "ZH", "CH", "JH"], "fricative"),
    **dict.fromkeys(["L", "R"], "liquid"),
    **dict.fromkeys(["W", "Y", "HH"], "glide"),
}


def _family_shape(phones: list[str]) -> tuple[str, ...]:
    out = []
    for p in phones:
        if p in VOWEL_PHONES:
            out.append("ER" if p == "ER" else "V")
        else:
            out.append(_FAMILY.get(p, p))
    return tuple(out)


@functools.lru_cache(maxsize=200_000)
def near_level(a: str, b: str) -> int:
    """How well two rhyme parts rhyme: 3 perfect, 2 family/additive, 1 assonance, 0 none."""
    if a == b:
        return 3
    if assonance_key(a) != assonance_key(b):
        return 0
    ta, tb = a.split()[1:], b.split()[1:]
    if _family_shape(ta) == _family_shape(tb):
        return 2                                  # time / mine, heart / dark
    short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if len(long_) == len(short) + 1 and long_[-1] in {"S", "Z", "T", "D"} and long_[:-1] == short:
        return 2                                  # mine / mind, time / times
    return 1                                      # same vowel, same syllables after: time / like


def word_identity(word: str) -> str:
    """A word's spelling for the 'same word' test: lovin' and loving are one word."""
    w = fold_word(word).strip("'")
    if fold_word(word).endswith("in'") or (w.endswith("in") and w + "g" in cmu_lexicon().prons and w not in cmu_lexicon().prons):
        w += "g"
    return w


def is_rhyme(a: str, b: str, near: bool = False) -> bool:
    """Whether two words rhyme: the same rhyme part for some pair of pronunciations.

    The same word never rhymes with itself. With ``near=True`` slant rhymes
    count too (see :func:`near_rhyme`).

    Example:
        >>> is_rhyme("heart", "apart"), is_rhyme("fire", "fire"), is_rhyme("time", "mine")
        (True, False, False)
        >>> is_rhyme("time", "mine", near=True)
        True
    """
    if not a or not b or word_identity(a) == word_identity(b):
        return False
    ra, rb = rhyme_parts(a), rhyme_parts(b)
    if set(ra) & set(rb):
        return True
    return near and bool(ra and rb) and near_level(ra[0], rb[0]) >= 1


def near_rhyme(a: str, b: str) -> bool:
    """Whether two words rhyme at least approximately (perfect rhymes included).

    Their main pronunciations share the stressed vowel (AA and AO count as one)
    and have the same number of syllables after it; the strongest such slant
    rhymes also keep the consonants in one family (``time``/``mine``: nasals)
    or add a final s/z/t/d (``mine``/``mind``), the weakest share only the
    vowel (``time``/``like``). The same word is not a rhyme.

    Example:
        >>> near_rhyme("time", "mine"), near_rhyme("fire", "night"), near_rhyme("love", "love")
        (True, False, False)
    """
    return is_rhyme(a, b, near=True)


def _query_word(word: str) -> str:
    if not isinstance(word, str) or not word.strip():
        raise LyricistError("no word given: pass one word, e.g. 'fire'")
    w = last_word(word)
    if not w:
        raise LyricistError(f"not a word: {word.strip()!r} (use letters, e.g. 'fire')")
    return w


def rhymes(word: str, near: bool = False, limit: int = 200, names: bool = False) -> dict:
    """Rhymes for a word, most common first.

    Args:
        word: the word (for a phrase, its last word).
        near: also list slant rhymes (strongest first), under ``"near"``.
        limit: at most this many words in each list.
        names: keep proper names, surnames, brands and abbreviations (``meyer``, ``mcguire``,
            ``nba``: :func:`lyricist.lang.names.is_name`); by default they are left out.

    Returns:
        ``{"word", "syllables", "rhyme_part", "in_cmu", "perfect": [...],
        "near": [...], "multi": [...]}``; ``multi`` holds the perfect rhymes that
        also match the last two syllables (empty for one-syllable words),
        ``near`` is empty unless asked for.

    Raises:
        LyricistError: the word is unknown and nothing ends like it.

    Example:
        >>> r = rhymes("fire")
        >>> "desire" in r["perfect"] and "higher" in r["perfect"], r["syllables"], "mcguire" in r["perfect"]
        (True, 2, False)
        >>> "mcguire" in rhymes("fire", names=True)["perfect"]
        True
    """
    w = _query_word(word)
    limit = max(0, int(limit))
    rps = rhyme_parts(w)
    ps = phones_of(w)
    if not rps:
        raise LyricistError(
            f"unknown word {w!r}: not in the CMU dictionary, and no known word ends like it "
            "(check the spelling, or try a more common form)")
    res = _rhymes_cached(w, bool(near), limit, bool(names))
    if not ps and not res[0]:
        raise LyricistError(
            f"unknown word {w!r}: not in the CMU dictionary, and no known word rhymes with its spelling "
            "(check the spelling, or try a more common form)")
    return {"word": w, "syllables": syllables(w), "rhyme_part": rps[0], "in_cmu": bool(ps),
            "perfect": list(res[0]), "near": list(res[1]), "multi": list(res[2]), "names": bool(names)}


def clear_rhymes_cache() -> None:
    """Forget the answers :func:`rhymes` has cached (the lexicon's indexes stay built): for timing it honestly."""
    _rhymes_cached.cache_clear()


@functools.lru_cache(maxsize=2048)
def _rhymes_cached(w: str, near: bool, limit: int, names: bool = True) -> tuple[tuple[str, ...], ...]:
    idx = cmu_lexicon().rhyme_index()
    rank = idx["rank"]
    me = word_identity(w)

    def offered(x: str) -> bool:
        return word_identity(x) != me and (names or not is_name(x))
    rps = rhyme_parts(w)
    ps = phones_of(w)

    def ranked(words: Iterable[str]) -> tuple[str, ...]:
        return tuple(heapq.nsmallest(limit, (x for x in words if offered(x)), key=rank.__getitem__))

    perfect_set: set[str] = set()
    for rp in rps:
        perfect_set |= idx["rhyme"].get(rp, set())
    perfect = ranked(perfect_set)

    # multi: perfect rhymes whose last two syllables' phones match too
    tails = {t for t in (tail2_of_phones(p) for p in ps) if t} if ps else \
        ({rps[0]} if n_vowels(rps[0]) >= 2 else set())
    multi_set: set[str] = set()
    for t in tails:
        if ps:
            multi_set |= idx["tail2"].get(t, set()) & perfect_set
        else:  # spelling guess: the guessed part already spans two syllables
            multi_set |= {x for x in perfect_set if any(tail2_of_phones(p) == t for p in phones_of(x))}
    multi = ranked(multi_set)

    near_words: tuple[str, ...] = ()
    if near:
        main = rps[0]
        by_level: dict[int, list[list[str]]] = defaultdict(list)
        for rp in idx["vowel"].get(assonance_key(main), ()):
            level = near_level(main, rp)
            if 1 <= level < 3:
                by_level[level].append(idx["first"].get(rp, []))
        out: list[str] = []
        for level in (2, 1):  # family / additive rhymes first, then assonance; common words first in each
            merged = heapq.merge(*by_level[level], key=rank.__getitem__)
            for x in merged:
                if len(out) >= limit:
                    break
                if x not in perfect_set and offered(x):
                    out.append(x)
        near_words = tuple(out)
    return perfect, near_words, multi
