"""Tokens and lemmas of lyric text, through one spaCy pipeline loaded once.

Uses ``en_core_web_sm`` when it is installed, otherwise blank English with the
lookup lemmatizer from ``spacy-lookups-data``, whose rules are replayed without
importing spaCy (:mod:`lyricist.lang.fasttok`) once they are in the user cache.
The tokenizer is tuned for lyrics: apostrophe forms stay whole (``don't``, ``lovin'``, ``'cause``,
``y'all``, ``gonna``), and clippings lemmatise to their full word.

Example:
    >>> tokens("I'm lovin' you 'cause y'all gonna dance!")
    ["i'm", "lovin'", 'you', "'cause", "y'all", 'gonna', 'dance']
    >>> lemma("lovin'")
    'love'
    >>> content_lemmas("Leaving a small town at dawn")
    ['leave', 'small', 'town', 'dawn']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

from lyricist.lang import fasttok

# Clippings and lyric spellings whose full form a lemmatizer knows.
CLIPPINGS = {
    "gonna": "going", "wanna": "want", "gotta": "got", "gimme": "give", "lemme": "let",
    "kinda": "kind", "sorta": "sort", "outta": "out", "lotta": "lot", "tryna": "trying",
    "'cause": "because", "cause": "because", "'cos": "because", "cuz": "because", "'til": "until",
    "til": "until", "'em": "them", "'bout": "about", "'round": "around", "'fore": "before",
    "y'all": "you", "ya": "you", "ain't": "be", "o'": "of", "ol'": "old", "n'": "and",
    "'n'": "and", "tho": "though", "thru": "through", "nothin'": "nothing",
    "somethin'": "something", "ev'ry": "every", "ev'rything": "everything",
}
# Lemmas of contractions: the head word carries the meaning.
_NEG = {"can't": "can", "won't": "will", "don't": "do", "doesn't": "do", "didn't": "do",
        "isn't": "be", "aren't": "be", "wasn't": "be", "weren't": "be", "shan't": "shall"}

_WORD = re.compile(r"^(?:'?[^\W\d_]+(?:'[^\W\d_]+)*'?)$")
_TOKEN_MATCH = re.compile(
    r"^(?:[A-Za-z]+(?:['’][A-Za-z]+)+|[A-Za-z]+in['’]|['’](?:cause|cos|til|em|bout|round|fore|n['’]?)"
    r"|[Oo]l['’]|[Oo]['’])$"
)


@functools.lru_cache(maxsize=1)
def get_nlp():
    """The shared spaCy pipeline (loaded on first use, then cached).

    Only the tokenizer and the lemmatizer run; the parser and NER are
    excluded so that tokenising a large corpus stays fast.
    """
    import spacy

    try:
        nlp = spacy.load("en_core_web_sm", exclude=["parser", "ner", "senter"])
    except OSError:
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    tok = nlp.tokenizer
    # Keep apostrophe forms whole: drop the built-in splits of "don't" -> do n't.
    tok.rules = {k: v for k, v in tok.rules.items() if "'" not in k and "’" not in k
                 and k.lower() not in {"gonna", "wanna", "gotta", "cannot", "gimme", "lemme"}}
    tok.token_match = _TOKEN_MATCH.match
    return nlp


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(text: str) -> str:
    """NFC and straight apostrophes, so ``lovin’`` and ``lovin'`` are one word; a lone surrogate
    (a broken string no UTF-8 text holds, which spaCy cannot encode) becomes U+FFFD.

    Example:
        >>> normalize("lovin’ " + chr(0xD800) + " you")
        "lovin' \ufffd you"
    """
    text = _SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")


#: the longest unbroken run (no whitespace) handed to the tokenizer in one piece
MAX_SPAN = 50
_LONG_RUN = re.compile(r"\S{%d}(?=\S)" % MAX_SPAN)


def bounded(text: str) -> str:
    """``text`` with a space after every ``MAX_SPAN`` characters of an unbroken run.

    spaCy peels prefixes and suffixes off a whitespace-free span one at a time, re-matching the
    rest each time, so a long run of punctuation or emoji costs quadratic time: one 800 KB line
    of 200,000 emoji did not finish in 40 minutes. Cutting the run makes that work linear; it
    changes nothing in text whose runs are shorter (no word is 50 letters long), and in a longer
    run (a URL, words joined by commas without spaces) it may split the one word it cuts.

    Example:
        >>> [len(w) for w in bounded("x" * 120).split()]
        [50, 50, 20]
    """
    return _LONG_RUN.sub(lambda m: m.group(0) + " ", text) if len(text) > MAX_SPAN else text


def _is_word(t: str) -> bool:
    return bool(_WORD.match(t)) and t != "'"


@functools.lru_cache(maxsize=1)
def replayed_rules():
    """The pipeline's tokenizer rules and lookup lemmas replayed without spaCy
    (:class:`lyricist.lang.fasttok.Rules`), from the user cache once built; None where
    ``en_core_web_sm`` is installed, whose lemmatizer needs the pipeline itself.

    The first call after an install or upgrade builds them from :func:`get_nlp` (importing
    spaCy, about a second); later processes load them in a few hundredths of a second.
    """
    import importlib.util

    if importlib.util.find_spec("en_core_web_sm") is not None:
        return None
    path = fasttok.cache_path("spacy-rules", (Path(__file__),))
    return fasttok.cached_rules(path, build_rules)


def build_rules() -> dict:
    """:func:`lyricist.lang.fasttok.rules_of` the blank English pipeline and its lookup lemma table."""
    import gzip
    import importlib.util
    import json

    nlp = get_nlp()
    spec = importlib.util.find_spec("spacy_lookups_data")
    table = Path(next(iter(spec.submodule_search_locations))) / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(table, "rt", encoding="utf-8") as f:
        lemmas = json.load(f)
    return fasttok.rules_of(nlp, lemmas)


def tokens(text: str) -> list[str]:
    """Lowercased word tokens of ``text``; punctuation, numbers and symbols dropped.

    Example:
        >>> tokens("Don't stop, runnin' down 5th street")
        ["don't", 'stop', "runnin'", 'down', 'street']
    """
    rules = replayed_rules()
    if rules is not None:
        return [t.lower() for t in rules.texts(bounded(normalize(text))) if _is_word(t)]
    return [t.lower_ for t in get_nlp().tokenizer(bounded(normalize(text))) if _is_word(t.text)]


def tokens_many(texts: Iterable[str], batch_size: int = 1000) -> Iterator[list[str]]:
    """:func:`tokens` for many texts, streamed (through ``tokenizer.pipe`` where spaCy runs)."""
    rules = replayed_rules()
    if rules is not None:
        for t in texts:
            yield [w.lower() for w in rules.texts(bounded(normalize(t))) if _is_word(w)]
        return
    tok = get_nlp().tokenizer
    for doc in tok.pipe((bounded(normalize(t)) for t in texts), batch_size=batch_size):
        yield [t.lower_ for t in doc if _is_word(t.text)]


def expand(word: str) -> str:
    """Full spelling of a lyric clipping (``lovin'`` -> ``loving``), else the word."""
    w = normalize(word).lower()
    if w in CLIPPINGS:
        return CLIPPINGS[w]
    if w.endswith("in'") and len(w) > 4:
        return w[:-1] + "g"
    return w


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """Dictionary form of one word, clippings and contractions included.

    Example:
        >>> [lemma(w) for w in ["lovin'", "gonna", "hearts", "don't", "cried"]]
        ['love', 'go', 'heart', 'do', 'cry']
    """
    w = expand(word)
    if w in _NEG:
        return _NEG[w]
    if "'" in w.strip("'"):
        w = w.strip("'").split("'")[0]  # heart's -> heart, i'm -> i, we'll -> we
    w = w.strip("'")
    if not w:
        return word.lower()
    rules = replayed_rules()
    if rules is not None:
        lem = rules.lemma(bounded(w)).lower()
    else:
        doc = get_nlp()(bounded(w))
        lem = doc[0].lemma_.lower() if len(doc) else w
    return lem or w


def lemmas(text: str) -> list[str]:
    """Lemma of every word token of ``text`` (see :func:`tokens`)."""
    return [lemma(t) for t in tokens(text)]


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """spaCy's English stop list, read without importing spaCy (which takes about a second).

    ``spacy.lang.en.stop_words`` is a plain Python file, but importing it runs ``spacy/__init__``; so
    unless spaCy is loaded already, the file is found and run on its own.

    Example:
        >>> "the" in stop_words() and "night" not in stop_words()
        True
    """
    import importlib.util
    import sys

    if "spacy" not in sys.modules:
        try:
            spec = importlib.util.find_spec("spacy")
            path = Path(next(iter(spec.submodule_search_locations))) / "lang" / "en" / "stop_words.py"
            namespace: dict = {}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
            return frozenset(namespace["STOP_WORDS"])
        except Exception:  # noqa: BLE001 - an unusual install: import it the ordinary way
            pass
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_stop(word: str) -> bool:
    """True for function words (spaCy's English stop list, plus lyric fillers)."""
    w = expand(word)
    return w in stop_words() or w in _FILLERS or word.lower() in _FILLERS or "'" in w


_FILLERS = {"oh", "ooh", "ah", "yeah", "hey", "la", "na", "uh", "whoa", "baby", "ya", "yo", "mm", "got",
            "let", "go", "get", "like", "know", "come", "way", "make", "want", "be", "do"}


def content_lemmas(text: str) -> list[str]:
    """Lemmas of the content words of ``text``, in order, without repeats.

    Example:
        >>> content_lemmas("The city lights are burning, burning bright")
        ['city', 'light', 'burn', 'bright']
    """
    out: list[str] = []
    for t in tokens(text):
        if is_stop(t) or len(t) < 2:
            continue
        lem = lemma(t)
        if lem not in out and not is_stop(lem) and len(lem) > 1:
            out.append(lem)
    return out
