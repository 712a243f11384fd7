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
milliseconds. This package imports neither torch nor spaCy.

Modules, each importing only the ones above it: ``words`` (tokens of a line),
``phones`` (CMU phone strings), ``spelling`` (letters to sounds), ``cmu`` (the
lexicon, commonness, pronunciations), ``syllable_count``, ``guess`` (rhyme
parts from spelling), ``rhyme`` (rhyme parts, perfect/near rhymes,
:func:`rhymes`), ``scheme`` (rhyme schemes).

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

from lyricist.lang.prosody.cmu import pronunciations
from lyricist.lang.prosody.phones import assonance_key
from lyricist.lang.prosody.rhyme import (is_rhyme, near_level, near_rhyme, rhyme_key, rhyme_part, rhyme_parts, rhymes,
                                         word_identity)
from lyricist.lang.prosody.scheme import SCHEME_LETTERS, normalize_scheme, rhyme_scheme, scheme_matches
from lyricist.lang.prosody.syllable_count import estimate_syllables, line_syllables, syllables
from lyricist.lang.prosody.words import last_word, words_of

__all__ = [
    "words_of", "last_word", "pronunciations", "syllables", "estimate_syllables",
    "line_syllables", "rhyme_part", "rhyme_key", "is_rhyme", "near_rhyme", "rhymes",
    "rhyme_scheme", "scheme_matches", "normalize_scheme", "SCHEME_LETTERS",
    "word_identity", "rhyme_parts", "assonance_key", "near_level",
]
