"""Is a word a proper name? A signal derived offline from the lexicons that ship with installed packages.

The CMU dictionary (and so a rhyme list) holds thousands of surnames, first names, places
and brands in lowercase (``meyer``, ``mcguire``, ``dwyer``, ``nba``). A word counts as a
name when no lowercase lexicon lists it, or when WordNet lists it only as a noun and
running text only shows it capitalised (``holmes``, ``rome``, ``june``). The lexicons:

- WordNet's lemmas and their inflected forms (``spacy-lookups-data``): the nouns, verbs,
  adjectives and adverbs of English, and famous names in lowercase;
- the Brill part-of-speech lexicon shipped with TextBlob (a dependency of nrclex), which
  lists words as they were seen in running text, so it knows function words, interjections
  and slang in lowercase (``the``, ``gonna``) and names only capitalised (``Meyer``).

Both files are read directly (about 0.1 s, once), without importing spaCy, TextBlob or NLTK.
Without either file nothing counts as a name.

Example:
    >>> [is_name(w) for w in ("meyer", "mcguire", "dwyer", "fire", "desire", "the", "gonna")]
    [True, True, True, False, False, False, False]
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
from pathlib import Path

__all__ = ["is_name", "lowercase_words"]


def _package_dir(name: str) -> Path | None:
    """A package's folder without importing it (importing textblob pulls in NLTK: a second)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=1)
def _wordnet_forms() -> tuple[set[str], set[str]]:
    """``(WordNet lemmas and their inflected forms, lemmas WordNet lists only as nouns)``."""
    root = _package_dir("spacy_lookups_data")
    if root is None:
        return set(), set()

    def table(name: str) -> dict:
        with gzip.open(root / "data" / f"en_{name}.json.gz", "rt", encoding="utf8") as f:
            return json.load(f)

    by_pos = table("lemma_index")
    index: set[str] = set().union(*by_pos.values())
    forms = {form for pos in table("lemma_exc").values() for form, lem in pos.items() if any(x in index for x in lem)}
    forms |= {form for form, lem in table("lemma_lookup").items() if lem in index}
    nouns_only = set(by_pos.get("noun", ())) - set().union(*(v for k, v in by_pos.items() if k != "noun"))
    return index | forms, nouns_only


@functools.lru_cache(maxsize=1)
def _brill() -> tuple[set[str], set[str]]:
    """``(words the Brill lexicon lists in lowercase, words it lists only capitalised, lowercased)``."""
    root = _package_dir("textblob")
    path = root / "en" / "en-lexicon.txt" if root is not None else None
    if path is None or not path.is_file():
        return set(), set()
    lower, capital = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        w = line.split(" ", 1)[0]
        if w and not line.startswith(";;;"):
            (lower if w.islower() else capital).add(w)
    return lower, {w.lower() for w in capital if w[0].isupper()} - lower


@functools.lru_cache(maxsize=1)
def _capitalised_nouns() -> frozenset[str]:
    """WordNet nouns that running text only shows capitalised: the names WordNet lists (``holmes``, ``malone``)."""
    try:
        _, nouns_only = _wordnet_forms()
        return frozenset(nouns_only & _brill()[1])
    except Exception:  # noqa: BLE001
        return frozenset()


@functools.lru_cache(maxsize=1)
def lowercase_words() -> frozenset[str]:
    """Every word some lowercase lexicon lists (WordNet forms, the Brill lexicon's lowercase entries).

    Empty when neither file is installed (then :func:`is_name` says False for everything).

    Example:
        >>> w = lowercase_words(); ("fire" in w, "gonna" in w, "mcguire" in w)
        (True, True, False)
    """
    try:  # each file is read once (about 0.1 s together)
        return frozenset(_wordnet_forms()[0] | _brill()[0])
    except Exception:  # noqa: BLE001 - declared dependencies; without them no word is a name
        return frozenset()


def is_name(word: str) -> bool:
    """Whether ``word`` looks like a proper name, surname, brand or abbreviation (no lowercase lexicon has it).

    Lyric spellings count through their standard form (``lovin'`` -> ``loving``).

    Example:
        >>> is_name("pryor"), is_name("Maguire"), is_name("liar"), is_name("lovin'")
        (True, True, False, False)
    """
    known = lowercase_words()
    if not known:
        return False
    w = word.lower().strip()
    if w in known:
        return w in _capitalised_nouns()
    if w.endswith("in'") and w[:-1] + "g" in known:
        return False
    return w.isalpha() or "'" not in w
