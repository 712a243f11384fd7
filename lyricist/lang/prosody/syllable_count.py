"""Syllables: CMU's count, else an estimate from spelling (vowel groups, English rules, learned patterns).

:func:`rule_syllables` is the hand-written part of the estimate;
:data:`LEARNED_PATTERNS` corrects it, and :func:`estimate_syllables` applies
both. ``bench/syllables.py`` measures the estimate on held-out CMU words and
can re-derive the table (``docs/prosody.md``).

Example:
    >>> syllables("fire"), syllables("lovin'"), estimate_syllables("blorptastic"), rule_syllables("table")
    (2, 2, 3, 2)
    >>> line_syllables("Leaving a small town at dawn")
    7
"""

from __future__ import annotations

import functools
import re

from lyricist.lang.prosody.cmu import Lexicon, cmu_lexicon, phones_of
from lyricist.lang.prosody.words import fold_word, words_of

# Letter patterns in "<word>" whose every match adds (+) or removes (-) one
# syllable from the rule-based count. Learned greedily (bench/syllables.py
# --relearn) on the training split of CMU words only (md5 folds 1-9); each
# pattern fixed at least 8 more training words than it broke.
LEARNED_PATTERNS = " ".join((
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


_LEARNED_RULES = _parse_learned(LEARNED_PATTERNS)


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


def rule_syllables(s: str) -> int:
    """Vowel groups corrected by hand-written English rules (letters a-z only)."""
    for suf in _E_SUFFIXES:  # silent e inside a compound: love|ly, home|less
        if s.endswith(suf) and len(s) - len(suf) >= 3:
            stem = s[: -len(suf)]
            if stem.endswith("e") and _cons(stem[-2]) and not stem.endswith("le") \
                    and any(c in "aeiouy" for c in stem[:-1]):
                return rule_syllables(stem) + rule_syllables(suf)
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
    w = fold_word(word)
    if not any(c.isalpha() for c in w):
        return 0
    s = re.sub(r"[^a-z]", "", w)
    if not s:
        return 1  # letters outside a-z only
    n = rule_syllables(s)
    t = "<" + s + ">"
    for pat, delta in _LEARNED_RULES:
        if pat in t:
            n += delta * t.count(pat)
    return max(1, n)


def _syllables_of(w: str, lex: Lexicon) -> int:
    n = lex.syl.get(w)
    if n is not None:
        return n
    ps = phones_of(w) if lex is cmu_lexicon() else ()
    if ps:
        return max(1, sum(ch.isdigit() for ch in ps[0]))
    return estimate_syllables(w)


def syllables(word: str) -> int:
    """Syllables of one word: CMU's count (first pronunciation), else the spelling estimate.

    Example:
        >>> syllables("fire"), syllables("lovin'"), syllables("y'all"), syllables("blorptastic")
        (2, 2, 1, 3)
    """
    lex = cmu_lexicon()
    n = lex.syl.get(word)  # the common case: one dict lookup
    if n is not None:
        return n
    return _syllables_cached(word)


@functools.lru_cache(maxsize=100_000)
def _syllables_cached(word: str) -> int:
    return _syllables_of(fold_word(word), cmu_lexicon())


def line_syllables(line: str) -> int:
    """Syllables of a lyric line: the sum over :func:`words_of` (ad-libs included).

    Example:
        >>> line_syllables("Leaving a small town at dawn")
        7
    """
    return sum(syllables(w) for w in words_of(line))
