"""What the explorer knows about a word on its own: its normal form, its inflections, its sounds.

- :func:`normalize_word` turns what a user typed into a vocabulary key (``"Broken heart"`` ->
  ``broken_heart``);
- :func:`inflections` and :func:`is_inflection` tell a word's own forms (``loved``, ``lovin'``)
  from other words (``lovely``), so neighbour lists can leave them out;
- :func:`dictionary_words` is the list of words worth suggesting from the general vocabulary;
- :func:`word_sounds` computes the sound index of a vocabulary (rhyme parts, syllables, lemma,
  dictionary flag), which :mod:`lyricist.explore.vectors` saves beside the vectors.

Nothing here needs vectors.

Example:
    >>> normalize_word("  Broken Heart! "), is_inflection("love", "lovin'")
    ('broken_heart', True)
"""

from __future__ import annotations

import functools
import json
import re
from typing import Optional, Sequence

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report
from lyricist.lang.prosody import pronunciations, rhyme_parts, syllables
from lyricist.lang.text import lemma, normalize

__all__ = ["normalize_word", "inflections", "is_inflection", "dictionary_words", "word_sounds"]


def normalize_word(word: str) -> str:
    """A typed word as a vocabulary key: normalised, lowercased, outer punctuation dropped, spaces as ``_``.

    Raises:
        LyricistError: nothing left that could be a word.

    Example:
        >>> normalize_word("Heart,"), normalize_word("broken  heart")
        ('heart', 'broken_heart')
    """
    if not isinstance(word, str) or not word.strip():
        raise LyricistError("no word given: pass one word, e.g. 'heart'")
    w = normalize(word).strip().lower()
    w = re.sub(r"^[^\w']+|[^\w']+$", "", w)
    if not w:
        raise LyricistError(f"not a word: {word.strip()!r} (use letters, e.g. 'heart')")
    return re.sub(r"\s+", "_", w)


# ----------------------------------------------------------------- inflections
def inflections(word: str) -> set[str]:
    """Regular inflected spellings of ``word`` (plural, possessive, -ed, -ing, lyric -in').

    Derivations stay out: ``lovely`` and ``lover`` are other words.

    Example:
        >>> {"love's", "loved", "loves", "lovin'", "loving"} <= inflections("love")
        True
        >>> {"stopped", "stoppin'", "cries", "cried"} <= inflections("stop") | inflections("cry")
        True
    """
    w = word.lower()
    out = {w + "s", w + "'s", w + "s'", w + "ed", w + "ing", w + "in'"}
    if w.endswith(("s", "x", "z", "ch", "sh", "o")):
        out.add(w + "es")
    if w.endswith("e"):
        out |= {w + "d", w[:-1] + "ing", w[:-1] + "in'"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "in'"}  # stop -> stopped
    return out


def is_inflection(query: str, candidate: str) -> bool:
    """Whether ``candidate`` is ``query`` itself or one of its inflected forms (either way round).

    Uses the lemmatizer of :mod:`lyricist.lang.text` (``cried`` -> ``cry``, ``sadder`` -> ``sad``,
    ``lovin'`` -> ``love``) and the spelling rules of :func:`inflections`.

    Example:
        >>> [is_inflection("love", w) for w in ("loved", "lovin'", "love's", "lovely", "lover")]
        [True, True, True, False, False]
    """
    q, c = query.lower(), candidate.lower()
    if q == c:
        return True
    lq, lc = lemma(q), lemma(c)
    if lq == lc:
        return True
    return c in inflections(q) or c in inflections(lq) or q in inflections(c) or q in inflections(lc)


# ----------------------------------------------------------------- dictionary words and sounds
@functools.lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Lowercase English dictionary words and their inflected forms (WordNet lemmas via ``spacy-lookups-data``).

    Used to keep proper names, abbreviations and function words (``mcguire``,
    ``usmc``, ``of``) out of the suggestions that come from the general
    vocabulary: WordNet lists nouns, verbs, adjectives and adverbs (function
    words are not in it). It also lists many names in lowercase, so a word is
    dropped when the Brill lexicon only knows it capitalised, or when spaCy's
    lexeme probabilities see it spelled ``France``/``LDL`` e times more often
    than ``france``/``ldl`` (which costs a few common words that are mostly
    names: ``christmas``, ``sunday``). The user's own corpus words are never filtered.

    Example:
        >>> d = dictionary_words(); ("desire" in d, "desires" in d, "mcguire" in d, "of" in d, "france" in d)
        (True, True, False, False, False)
    """
    import gzip
    from importlib import resources

    def table(name: str) -> dict:
        path = resources.files("spacy_lookups_data").joinpath("data", f"en_{name}.json.gz")
        with gzip.open(str(path), "rt", encoding="utf8") as f:
            return json.load(f)

    try:
        index: set[str] = set().union(*table("lemma_index").values())
        forms = {form for pos in table("lemma_exc").values() for form, lem in pos.items()
                 if any(x in index for x in lem)}
        forms |= {form for form, lem in table("lemma_lookup").items() if lem in index}
    except Exception:  # noqa: BLE001 - a declared dependency; without it nothing is filtered
        return frozenset()
    names = _proper_names()
    try:  # spelled with a capital e (2.7) times more often than without: a name or an acronym (france, ldl)
        logp = table("lexeme_prob")
    except Exception:  # noqa: BLE001
        logp = {}
    low = -1e9

    def capitalised(w: str) -> bool:
        # the margin keeps words that are also a band or a title (queen, king, god: 1.2-1.6x)
        return max(logp.get(w.capitalize(), low), logp.get(w.upper(), low)) > logp.get(w, low) + 1.0

    return frozenset(w for w in index | forms
                     if (w.isalpha() or "'" in w) and w not in names and not capitalised(w))


def _proper_names() -> set[str]:
    """Lowercased words that the Brill POS lexicon (shipped with TextBlob, which nrclex needs) only
    knows capitalised: ``france``, ``jerome``, ``viii``. WordNet lists many of them in lowercase."""
    try:
        from importlib import resources

        text = resources.files("textblob").joinpath("en", "en-lexicon.txt").read_text(encoding="utf-8")
    except Exception:  # noqa: BLE001 - optional: without it, WordNet alone decides
        return set()
    lower, capital = set(), set()
    for line in text.splitlines():
        w = line.split(" ", 1)[0]
        if not w or line.startswith(";;;"):
            continue
        (lower if w.islower() else capital).add(w)
    return {w.lower() for w in capital if w[0].isupper()} - lower


def word_sounds(keys: Sequence[str], progress: Optional[ProgressFn] = None) -> dict[str, np.ndarray]:
    """Per-word facts the filters need, computed once per vocabulary (and saved with the vectors).

    Returns:
        ``{"syllables": (N,) int16, "rhymes": (N,) str, "lemma": (N,) str, "dictionary": (N,) bool}``:
        syllables from CMU (else spelling rules); the rhyme parts of every
        pronunciation joined by ``|`` (``"AY ER|AY R"`` for fire), empty for a word
        whose pronunciation is unknown (never offered as a rhyme: a spelling guess
        is too often wrong); the lemma (``lovin'`` -> ``love``) for the inflection
        filter; whether it is a dictionary word (:func:`dictionary_words`).

    Example:
        >>> s = word_sounds(["fire", "desire", "mcguire"])
        >>> s["rhymes"][0], s["syllables"].tolist(), s["dictionary"].tolist()
        ('AY ER|AY R', [2, 3, 2], [True, True, False])
    """
    d = dictionary_words()
    n = len(keys)
    syl = np.zeros(n, dtype=np.int16)
    rh, lem, dic = [], [], np.zeros(n, dtype=bool)
    for i, w in enumerate(keys):
        parts = w.split("_")  # a phrase (broken_heart) scans as its words and rhymes on its last one
        syl[i] = sum(syllables(p) for p in parts if p)
        last = parts[-1]
        # rhyme_parts is what prosody.is_rhyme compares, so the index agrees with it exactly
        rh.append("|".join(rhyme_parts(last)) if last and pronunciations(last) else "")
        lm = lemma(w) if "_" not in w else w
        lem.append(lm)
        # eye's is a form, not a word to offer; two letters from the general list are abbreviations (uv, ai)
        dic[i] = (w in d or lm in d) and not w.endswith(("'s", "s'")) and len(w) > 2
        if i % 5000 == 0:
            report(progress, i / max(1, n), f"sounds of {i:,}/{n:,} words")
    return {"syllables": syl, "rhymes": np.array(rh, dtype=object), "lemma": np.array(lem, dtype=object),
            "dictionary": dic}
