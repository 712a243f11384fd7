"""Syllables, rhymes and rhyme schemes, from the CMU Pronouncing Dictionary.

Every word is looked up in CMU (through ``pronouncing``), after trying the
lyric spellings that CMU lacks (``lovin'`` -> ``loving`` with the final NG
made N, ``sooo`` -> ``so``, ``tryna``, ``finna``...). Words CMU still does not
know fall back on their spelling:

- syllables: vowel groups, corrected by English rules (silent e, -le, -es,
  -ed, y as a vowel) and by a table of letter patterns (``ia``, ``-ism``,
  ``-ier``...) learned on a training split of CMU words only; ``bench/syllables.py``
  measures it on a held-out split (``docs/prosody.md``);
- rhyme part: the CMU words that share the longest ending with the word vote
  for its rhyme, so ``blorptastic`` rhymes with ``fantastic``.

Rhymes, in order of strength:

- perfect: same rhyme part, the phones from the last stressed vowel to the end
  (``fire`` F AY1 ER0 -> ``AY ER``, which ``desire`` and ``higher`` share);
- near (slant): same stressed vowel and either consonants of the same family
  (stops, nasals, fricatives...: ``time``/``mine``), an added final s/z/t/d
  (``mine``/``mind``), or only the same number of syllables after it
  (assonance: ``time``/``like``);
- multi: perfect rhymes that also match the last two syllables' phones
  (``believe``/``relieve``, ``flowing``/``glowing``).

A word never rhymes with itself (nor ``lovin'`` with ``loving``).

The CMU dictionary and the reverse indexes are built once, lazily, on first
use (one to two seconds on a 2-core CPU); then ``rhymes`` answers in
milliseconds. This module imports neither torch nor spaCy.

Example:
    >>> syllables("lovin'"), line_syllables("leaving a small town at dawn")
    (2, 7)
    >>> rhyme_part("fire"), is_rhyme("heart", "apart"), near_rhyme("time", "mine")
    ('AY ER', True, True)
    >>> rhyme_scheme(["my heart is on fire", "we danced through the night",
    ...               "you lift me up higher", "into the light"])
    'ABAB'
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from typing import Iterable

from lyricist.core.errors import LyricistError

__all__ = [
    "words_of", "last_word", "pronunciations", "syllables", "estimate_syllables",
    "line_syllables", "rhyme_part", "rhyme_key", "is_rhyme", "near_rhyme", "rhymes",
    "rhyme_scheme", "scheme_matches", "normalize_scheme", "SCHEME_LETTERS",
    "word_identity", "rhyme_parts", "assonance_key", "near_level",
]

#: Letters given to rhyme sounds, in order; "-" marks a line with no rhyme requirement.
SCHEME_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# ---------------------------------------------------------------------------
# Words of a line
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# The CMU dictionary and its indexes (built lazily, once)
# ---------------------------------------------------------------------------

_VOWEL_PHONES = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
_CLEAN_WORD = re.compile(r"^[a-z]+(?:'[a-z]+)?$")
_NO_DIGITS = str.maketrans("", "", "012")


def _parts(phones: str) -> tuple[str | None, str | None]:
    """(rhyme part, last two syllables) of one CMU phone string, stress removed."""
    ph = phones.split()
    marks = [p[-1] for p in ph]
    vowels = [i for i, m in enumerate(marks) if m in "012"]
    if not vowels:
        return None, None
    for stress in "12":
        if stress in marks:
            start = len(marks) - 1 - marks[::-1].index(stress)
            break
    else:
        start = vowels[-1]
    bare = phones.translate(_NO_DIGITS).split()
    tail2 = " ".join(bare[vowels[-2]:]) if len(vowels) > 1 else None
    return " ".join(bare[start:]), tail2


def _rhyme_of(phones: str) -> str | None:
    """Rhyme part of one CMU phone string: from the last primary-stressed vowel.

    Falls back to the last secondary-stressed vowel, then the last vowel
    (``'cause`` K AH0 Z -> ``AH Z``); None without a vowel (``hmm``).
    """
    return _parts(phones)[0]


def _tail2_of(phones: str) -> str | None:
    """Phones (stress removed) from the second-to-last vowel, or None with one vowel."""
    return _parts(phones)[1]


def _stressed_prons(prons: Iterable[str]) -> list[str]:
    """The pronunciations with a stressed vowel (the stressed forms of "the": DH AH1), else all."""
    prons = list(prons)
    stressed = [p for p in prons if "1" in p or "2" in p]
    return stressed or prons


def _n_vowels(rp: str) -> int:
    return sum(p in _VOWEL_PHONES for p in rp.split())


class _Lexicon:
    """Pronunciations plus the lazily built indexes over them.

    The default instance wraps all of CMU; ``bench/syllables.py`` builds one
    over a training split to measure the spelling fallbacks honestly.
    """

    def __init__(self, prons: dict[str, list[str]]):
        self.prons = prons
        self.syl = {w: max(1, sum(ch.isdigit() for ch in ps[0])) for w, ps in prons.items() if ps}
        self._lock = threading.Lock()
        self._suffix: tuple[list[str], list[str]] | None = None
        self._rhyme_index: dict | None = None
        self._vowels: dict[str, str] | None = None

    # -- spelling -> rhyme: words sorted by their reversed spelling
    def suffix_index(self) -> tuple[list[str], list[str]]:
        if self._suffix is None:
            with self._lock:
                if self._suffix is None:
                    pairs = sorted(
                        (w[::-1], _rhyme_of(_stressed_prons(ps)[0]))
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
                    self._vowels = _learn_vowels(self)
        return self._vowels

    # -- reverse indexes for rhymes()
    def rhyme_index(self) -> dict:
        if self._rhyme_index is None:
            with self._lock:
                if self._rhyme_index is None:
                    self._rhyme_index = self._build_rhyme_index()
        return self._rhyme_index

    def _build_rhyme_index(self) -> dict:
        freq = _frequencies()
        by_rhyme: dict[str, set[str]] = defaultdict(set)   # rhyme part -> words (any pronunciation)
        by_tail2: dict[str, set[str]] = defaultdict(set)   # last two syllables -> words
        by_vowel: dict[tuple[str, int], set[str]] = defaultdict(set)  # (stressed vowel, syllables after) -> rhyme parts
        by_first: dict[str, list[str]] = defaultdict(list)  # rhyme part of the first pronunciation -> words
        words = sorted((w for w in self.prons if _suggestible(w, freq)), key=lambda w: _commonness(w, freq))
        rank = {w: i for i, w in enumerate(words)}          # 0 = most common
        for w in words:                                     # most common first, so lists come sorted
            for i, ph in enumerate(_stressed_prons(self.prons[w])):
                rp, t2 = _parts(ph)
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


_LEX: _Lexicon | None = None
_LEX_LOCK = threading.Lock()


def _lexicon() -> _Lexicon:
    """The CMU lexicon, loaded on first use."""
    global _LEX
    if _LEX is None:
        with _LEX_LOCK:
            if _LEX is None:
                try:
                    import pronouncing
                except ImportError as e:  # pragma: no cover - a declared dependency
                    raise LyricistError("the 'pronouncing' package is missing: pip install pronouncing") from e
                pronouncing.init_cmu()
                _LEX = _Lexicon(pronouncing.lookup)
    return _LEX


@functools.lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """Word -> relative frequency, to rank rhyme suggestions by commonness.

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


def _fold(word: str) -> str:
    """Lowercase, straight apostrophes, accents removed (café -> cafe)."""
    w = _norm(word).strip().lower()
    if not w.isascii():
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    return w


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
        freq = _frequencies()
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
def _prons(word: str) -> tuple[str, ...]:
    w = _fold(word)
    if not w:
        return ()
    if w in _PHONES:
        return (_PHONES[w],)
    prons = _lexicon().prons
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
    return list(_prons(word))


# ---------------------------------------------------------------------------
# Syllables
# ---------------------------------------------------------------------------

# Letter patterns in "<word>" whose every match adds (+) or removes (-) one
# syllable from the rule-based count. Learned greedily (bench/syllables.py
# --relearn) on the training split of CMU words only (md5 folds 1-9); each
# pattern fixed at least 8 more training words than it broke.
_LEARNED = " ".join((
    "ia+ <mc+ io>+ ier>+ eo+ sm>+ iu+ cia- iol+ tua+",
    "iot+ ire>- iest>+ aue+ ios+ tial- ea>+ que>- ying>+ gue>-",
    "nte>+ ciat+ riou+ nua+ ior+ dua+ ayin- <eye- geon- <rea+",
    "sian>- sms>+ oing+ iom+ oa>+ iell+ iog+ iop+ tke>+ ioc+",
    "iod+ eue+ eing>+ <rein+ rion+ scien+ sler>+ creat+ uou+ lua+",
    "<gia- xua+ aye>- yre>- pion+ tian>- rua+ uie+ dl>+ <coe+",
    "<read- rya+ uing+ ienn+ illia- lye+ ryo+ ehou- fluen+ giu-",
    "sia>- riet+ eand+ <ion+ ntes>+ rient+ tui+ oue+ tia>- aic>+",
    "oer>+ eyin- eemp+ eout- aired- ekeep- mye+ eex+ niou+ dien+",
    "oye>- uis>+ diou+ <hya+ iliar- ione>+ zion+ oers>+ lione+ georg-",
    "tl>+ oua+ oey+ geou- hua>+ sual+ eye>- <dya+ ciano+ orean+",
    "tieth+ <reen+ <reun+ bya+ lyo+ cya+ oyin- ayes- vior- ryer+",
    "peop- oinc+ linea+ iale>+ tians- ques>- wled>- iore>+ gues>- ebrea-",
    "coord+ ebook- <reag-",
))
_VOWEL_LETTERS = "aeiou"
# Consonant-initial suffixes after which a stem's final e stays silent (lovely, homeless).
_E_SUFFIXES = ("ments", "ment", "fully", "ful", "lessness", "less", "ness", "ly", "some", "man", "men",
               "like", "ship", "wise", "hood", "wards", "ward", "ways", "way", "times", "time", "side",
               "line", "work")


def _parse_learned(table: str) -> list[tuple[str, int]]:
    return [(p[:-1], 1 if p[-1] == "+" else -1) for p in table.split()]


_LEARNED_RULES = _parse_learned(_LEARNED)


def _vowel_groups(s: str) -> int:
    """Runs of vowel letters; y is a consonant before a vowel at the start or after a vowel."""
    n, prev = 0, False
    for i, c in enumerate(s):
        if c == "y":
            nxt = s[i + 1] if i + 1 < len(s) else ""
            v = not (nxt and nxt in _VOWEL_LETTERS and (i == 0 or s[i - 1] in _VOWEL_LETTERS))
        else:
            v = c in _VOWEL_LETTERS
        n += v and not prev
        prev = v
    return n


def _cons(c: str) -> bool:
    return c not in "aeiouy"


def _rule_syllables(s: str) -> int:
    """Vowel groups corrected by hand-written English rules (letters a-z only)."""
    for suf in _E_SUFFIXES:  # silent e inside a compound: love|ly, home|less
        if s.endswith(suf) and len(s) - len(suf) >= 3:
            stem = s[: -len(suf)]
            if stem.endswith("e") and _cons(stem[-2]) and not stem.endswith("le") \
                    and any(c in "aeiouy" for c in stem[:-1]):
                return _rule_syllables(stem) + _rule_syllables(suf)
    n = _vowel_groups(s)
    if n <= 1:
        return max(1, n)
    if s.endswith("e") and _cons(s[-2]):
        if s[-2] == "l" and _cons(s[-3]) and s[-3] != "l":
            pass                                  # table, little: syllabic -le
        elif s[-2] == "r" and _cons(s[-3]) and s[-3] != "r":
            pass                                  # acre, theatre
        elif not s.endswith(("ire", "yre")):      # fire is F AY1 ER0 in CMU
            n -= 1                                # silent e: make, time
    elif s.endswith("es") and len(s) > 3 and _cons(s[-3]):
        st = s[:-2]
        if not (st.endswith(("s", "x", "z", "ch", "sh", "c", "g", "ir", "yr"))       # kisses, places, fires
                or (st[-1] in "lr" and _cons(st[-2]) and st[-2] != st[-1])):        # tables, acres
            n -= 1                                # makes, times
    elif s.endswith("ed") and len(s) > 3 and _cons(s[-3]):
        st = s[:-2]
        if not (st[-1] in "td" or st.endswith(("ir", "yr"))                         # wanted, tired
                or (st[-1] == "l" and _cons(st[-2]) and st[-2] != "l")):            # bottled
            n -= 1                                # loved, called
    elif s.endswith("yed") and len(s) > 3 and s[-4] in _VOWEL_LETTERS:
        n -= 1                                    # played, enjoyed
    return max(1, n)


@functools.lru_cache(maxsize=100_000)
def estimate_syllables(word: str) -> int:
    """Syllables from spelling alone (the fallback for words CMU lacks).

    Vowel groups, English rules (silent e, -le, -es, -ed, y as a vowel,
    compounds like ``lovely``) and the learned pattern table above. At least
    1 for any word with a letter, 0 otherwise.

    Example:
        >>> [estimate_syllables(w) for w in ["blorptastic", "yeet", "finna", "shawty", "vibed"]]
        [3, 1, 2, 2, 1]
    """
    w = _fold(word)
    if not any(c.isalpha() for c in w):
        return 0
    s = re.sub(r"[^a-z]", "", w)
    if not s:
        return 1  # letters outside a-z only
    n = _rule_syllables(s)
    t = "<" + s + ">"
    for pat, delta in _LEARNED_RULES:
        if pat in t:
            n += delta * t.count(pat)
    return max(1, n)


def _syllables_of(w: str, lex: _Lexicon) -> int:
    n = lex.syl.get(w)
    if n is not None:
        return n
    ps = _prons(w) if lex is _LEX else ()
    if ps:
        return max(1, sum(ch.isdigit() for ch in ps[0]))
    return estimate_syllables(w)


def syllables(word: str) -> int:
    """Syllables of one word: CMU's count (first pronunciation), else the spelling estimate.

    Example:
        >>> syllables("fire"), syllables("lovin'"), syllables("y'all"), syllables("blorptastic")
        (2, 2, 1, 3)
    """
    lex = _lexicon()
    n = lex.syl.get(word)  # the common case: one dict lookup
    if n is not None:
        return n
    return _syllables_cached(word)


@functools.lru_cache(maxsize=100_000)
def _syllables_cached(word: str) -> int:
    return _syllables_of(_fold(word), _lexicon())


def line_syllables(line: str) -> int:
    """Syllables of a lyric line: the sum over :func:`words_of` (ad-libs included).

    Example:
        >>> line_syllables("Leaving a small town at dawn")
        7
    """
    return sum(syllables(w) for w in words_of(line))


# ---------------------------------------------------------------------------
# Rhyme parts
# ---------------------------------------------------------------------------

_SPELL_VOWELS = "aeiouy"


def _letter_groups(s: str) -> list[tuple[int, int]]:
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


def _grapheme_key(s: str, span: tuple[int, int]) -> str:
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


def _consonant_phones(letters: str) -> list[str]:
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


def _learn_vowels(lex: "_Lexicon") -> dict[str, str]:
    """Grapheme key -> the stressed vowel it most often spells, from the lexicon's words.

    Words whose vowel groups and vowel phones pair up one to one teach the
    table; only stressed vowels are counted.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for w, ps in lex.prons.items():
        if not ps or not w.isalpha() or not w.isascii():
            continue
        spans = _letter_groups(w)
        vowels = [p for p in ps[0].split() if p[-1].isdigit()]
        if len(spans) != len(vowels):
            continue
        for span, v in zip(spans, vowels):
            if v[-1] in "12":
                key = _grapheme_key(w, span)
                counts[key][v[:-1]] += 1
                counts[w[span[0]:span[1]]][v[:-1]] += 1  # the bare group, as a back-off
    return {k: c.most_common(1)[0][0] for k, c in counts.items()}


def _tail(rp: str, k: int) -> str:
    """The phones of a rhyme part from its k-th last vowel (all of it if it has fewer)."""
    ph = rp.split()
    idx = [i for i, p in enumerate(ph) if p in _VOWEL_PHONES]
    return " ".join(ph[idx[-k]:]) if len(idx) >= k else rp


def _guess_rhyme(word: str, lex: _Lexicon, exclude: str | None = None,
                 min_support: int = 2, min_share: float = 0.5) -> str | None:
    """Rhyme part of an unknown word, from the CMU words that end like it.

    1. Find the CMU words that share the longest ending with ``word`` (at
       least its last vowel group; backing off until ``min_support`` words
       share it).
    2. If most of them agree on a rhyme part that starts inside the shared
       ending, that is the answer (blorptastic ~ fantastic: "AE S T IH K").
    3. Else they vote on the phones of the shared ending only; if they say
       the stress falls before it, the vowel group before the ending is
       spelled out with a vowel table learned from the lexicon and rough
       consonant rules (shawty: "AO" + "T" + "IY").

    None when the word has no vowel or no CMU word shares its last vowel group.
    """
    s = re.sub(r"[^a-z]", "", _fold(word))
    groups = _letter_groups(s)
    if not groups:
        m = re.search(r"r+([^r]*)$", s)            # brr, skrrt: a sung r is the vowel
        return " ".join(["ER", *_consonant_phones(m.group(1))]) if m else None
    keys, rps = lex.suffix_index()
    rev = s[::-1]
    pos = bisect.bisect_left(keys, rev)

    def common(a: str) -> int:
        n = 0
        for x, y in zip(a, rev):
            if x != y:
                break
            n += 1
        return n

    need = len(s) - groups[-1][0]  # the last vowel group and everything after it
    longest = max((common(keys[j]) for j in (pos - 1, pos, pos + 1)
                   if 0 <= j < len(keys) and keys[j] != exclude), default=0)
    if longest < need:
        need = len(s) - groups[-1][1] + 1  # at least the group's last letter
        if longest < need:                 # nothing ends like it: spell the last syllable out
            return _spell_syllable(s, groups[-1], lex)
    chosen: list[str] = []
    length = longest
    for length in range(longest, need - 1, -1):
        lo = bisect.bisect_left(keys, rev[:length])
        hi = bisect.bisect_left(keys, rev[:length] + "{")  # "{" sorts after "z"
        votes = [rps[j] for j in range(lo, hi) if keys[j] != exclude]
        if votes:
            chosen = votes
            if len(votes) >= min_support:
                break
    if not chosen:
        return None
    start = len(s) - length                        # where the shared ending starts
    k = sum(1 for a, b in groups if b > start)     # vowel groups it covers
    best, n_best = Counter(chosen).most_common(1)[0]
    if n_best / len(chosen) >= min_share and _n_vowels(best) <= k:
        return best
    inside = [rp for rp in chosen if _n_vowels(rp) <= k]
    if 2 * len(inside) >= len(chosen) or len(groups) <= k:
        pool = inside or chosen
        return Counter(_tail(rp, k) for rp in pool).most_common(1)[0][0]
    # the stress falls on the vowel group before the shared ending
    tail = Counter(_tail(rp, k) for rp in chosen if _n_vowels(rp) > k).most_common(1)[0][0]
    return " ".join([_spell_syllable(s, groups[-k - 1], lex, until=groups[-k][0]), tail])


def _spell_syllable(s: str, group: tuple[int, int], lex: _Lexicon, until: int | None = None) -> str:
    """Phones of one vowel group and the consonants after it (up to ``until``), from spelling."""
    a, b = group
    table = lex.vowel_table()
    vowel = table.get(_grapheme_key(s, group)) or table.get(s[a:b]) or "AH"
    coda = re.sub(r"[aeiouy]+$", "", s[b:until]) if until is None else s[b:until]
    if vowel == "ER" and coda.startswith("r"):
        coda = coda[1:]
    return " ".join([vowel, *_consonant_phones(coda)])


@functools.lru_cache(maxsize=100_000)
def rhyme_parts(word: str) -> tuple[str, ...]:
    """Rhyme parts of every pronunciation (first one first); a spelling guess for unknown words."""
    ps = _prons(word)
    if ps:
        out: list[str] = []
        for p in _stressed_prons(ps):
            rp = _rhyme_of(p)
            if rp and rp not in out:
                out.append(rp)
        return tuple(out)
    guess = _guess_rhyme(word, _lexicon())
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


# ---------------------------------------------------------------------------
# Perfect and near rhymes
# ---------------------------------------------------------------------------

# Consonant families (Pattison): a slant rhyme may swap consonants within one.
_FAMILY = {
    **dict.fromkeys(["P", "B", "T", "D", "K", "G"], "stop"),
    **dict.fromkeys(["M", "N", "NG"], "nasal"),
    **dict.fromkeys(["F", "V", "TH", "DH", "S", "Z", "SH", "ZH", "CH", "JH"], "fricative"),
    **dict.fromkeys(["L", "R"], "liquid"),
    **dict.fromkeys(["W", "Y", "HH"], "glide"),
}
# Vowels heard as one in most American singing (cot-caught merger).
_VOWEL_MERGE = {"AO": "AA"}


def assonance_key(rp: str) -> tuple[str, int]:
    ph = rp.split()
    head = ph[0]
    if len(ph) < 2 or ph[1] != "R":  # "for" and "far" stay apart even where cot and caught merge
        head = _VOWEL_MERGE.get(head, head)
    return head, _n_vowels(rp) - 1


def _family_shape(phones: list[str]) -> tuple[str, ...]:
    out = []
    for p in phones:
        if p in _VOWEL_PHONES:
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
    w = _fold(word).strip("'")
    if _fold(word).endswith("in'") or (w.endswith("in") and w + "g" in _lexicon().prons and w not in _lexicon().prons):
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


def rhymes(word: str, near: bool = False, limit: int = 200) -> dict:
    """Rhymes for a word, most common first.

    Args:
        word: the word (for a phrase, its last word).
        near: also list slant rhymes (strongest first), under ``"near"``.
        limit: at most this many words in each list.

    Returns:
        ``{"word", "syllables", "rhyme_part", "in_cmu", "perfect": [...],
        "near": [...], "multi": [...]}``; ``multi`` holds the perfect rhymes that
        also match the last two syllables (empty for one-syllable words),
        ``near`` is empty unless asked for.

    Raises:
        LyricistError: the word is unknown and nothing ends like it.

    Example:
        >>> r = rhymes("fire")
        >>> "desire" in r["perfect"] and "higher" in r["perfect"], r["syllables"]
        (True, 2)
    """
    w = _query_word(word)
    limit = max(0, int(limit))
    rps = rhyme_parts(w)
    ps = _prons(w)
    if not rps:
        raise LyricistError(
            f"unknown word {w!r}: not in the CMU dictionary, and no known word ends like it "
            "(check the spelling, or try a more common form)")
    res = _rhymes_cached(w, bool(near), limit)
    if not ps and not res[0]:
        raise LyricistError(
            f"unknown word {w!r}: not in the CMU dictionary, and no known word rhymes with its spelling "
            "(check the spelling, or try a more common form)")
    return {"word": w, "syllables": syllables(w), "rhyme_part": rps[0], "in_cmu": bool(ps),
            "perfect": list(res[0]), "near": list(res[1]), "multi": list(res[2])}


@functools.lru_cache(maxsize=2048)
def _rhymes_cached(w: str, near: bool, limit: int) -> tuple[tuple[str, ...], ...]:
    idx = _lexicon().rhyme_index()
    rank = idx["rank"]
    me = word_identity(w)
    rps = rhyme_parts(w)
    ps = _prons(w)

    def ranked(words: Iterable[str]) -> tuple[str, ...]:
        return tuple(heapq.nsmallest(limit, (x for x in words if word_identity(x) != me), key=rank.__getitem__))

    perfect_set: set[str] = set()
    for rp in rps:
        perfect_set |= idx["rhyme"].get(rp, set())
    perfect = ranked(perfect_set)

    # multi: perfect rhymes whose last two syllables' phones match too
    tails = {t for t in (_tail2_of(p) for p in ps) if t} if ps else \
        ({rps[0]} if _n_vowels(rps[0]) >= 2 else set())
    multi_set: set[str] = set()
    for t in tails:
        if ps:
            multi_set |= idx["tail2"].get(t, set()) & perfect_set
        else:  # spelling guess: the guessed part already spans two syllables
            multi_set |= {x for x in perfect_set if any(_tail2_of(p) == t for p in _prons(x))}
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
                if x not in perfect_set and word_identity(x) != me:
                    out.append(x)
        near_words = tuple(out)
    return perfect, near_words, multi


# ---------------------------------------------------------------------------
# Rhyme schemes
# ---------------------------------------------------------------------------

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
