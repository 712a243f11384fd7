"""Lexicon signals: VADER valence, NRC emotions, arousal words, an English check.

Everything here is a table look-up, fast and deterministic, with no trained
model: the lexicon sentiment baseline, the emotion profile of each line and
the hand-made features of the song-mood model all come from this module.

- VADER (Hutto & Gilbert 2014): the compound score in [-1, 1]; the 3-class
  label uses the usual +-0.05 thresholds.
- NRC Emotion Lexicon (Mohammad & Turney 2013), as shipped in ``nrclex``:
  Plutchik's eight emotions plus ``positive`` and ``negative``. The JSON is
  loaded once and looked up with :func:`lyricist.lang.text.tokens` and, for words
  not in it, their lemma (``burning`` -> ``burn``), so lyric spellings
  (``lovin'``) count too. (``nrclex.NRCLex(text)`` needs TextBlob corpora
  that are not available offline.)
- Arousal: NRC's high-arousal emotions plus two small hand-written lists of
  high- and low-energy lyric words.

Example:
    >>> label_of(vader_compound("I love this"))
    'positive'
    >>> emotions("my heart is on fire")["fear"] > 0
    True
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from typing import Iterable, Sequence

from lyricist.core.config import EMOTIONS, SENTIMENT_LABELS
from lyricist.lang.text import expand, lemma, stop_words, tokens

#: The ten NRC affect categories, in the order used everywhere in lyricist.
NRC_KEYS = EMOTIONS + ("positive", "negative")

#: VADER's neutral band: |compound| below this is neutral.
VADER_THRESHOLD = 0.05

#: Emotions that go with high arousal (energy) in Russell's circumplex.
HIGH_AROUSAL_EMOTIONS = ("anger", "fear", "surprise", "anticipation")

#: Hand-written lists of high- and low-energy words common in lyrics (lemmas).
HIGH_AROUSAL_WORDS = frozenset("""
alive adrenaline attack bang beat blast blaze blood boom break burn chase crash crazy dance danger
electric explode fight fire flash fly furious fury gun hammer hate hit hurry hunt jump kick kill
loud mad madness party pound pump race rage rebel riot rock roar run rush scream shake shoot shout
smash speed storm strike thrill thunder wild war wreck yell energy fast faster explosion fever
burning racing screaming shouting jumping dancing wake
""".split())
LOW_AROUSAL_WORDS = frozenset("""
breeze calm drift doze dream easy float gentle hush lazy lullaby mellow nap peace peaceful quiet
relax rest serene sigh silence silent sleep slow slowly soft softly still sunday tender tired
tranquil unwind warm whisper weary yawn cozy linger hazy sway lay breathe soothe meadow shore
""".split())


@functools.lru_cache(maxsize=1)
def vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_compound(text: str) -> float:
    """VADER's compound score of ``text`` in [-1, 1] (0.0 for empty text).

    Example:
        >>> vader_compound("I hate this") < -0.05 < 0.05 < vader_compound("not bad at all")
        True
    """
    if not text or not text.strip():
        return 0.0
    return float(vader().polarity_scores(text)["compound"])


def label_of(compound: float, threshold: float = VADER_THRESHOLD) -> str:
    """3-class label of a compound score: >= threshold positive, <= -threshold negative, else neutral."""
    if compound >= threshold:
        return "positive"
    if compound <= -threshold:
        return "negative"
    return "neutral"


def lexicon_probs(compound: float, threshold: float = VADER_THRESHOLD) -> dict[str, float]:
    """Pseudo-probabilities over the 3 labels for a compound score ``c``.

    Built so that ``p(positive) - p(negative) == c`` (the valence is VADER's
    compound score itself) and so that the arg-max is the thresholded label
    of :func:`label_of`. Weak scores give nearly flat probabilities, which is
    honest: VADER is unsure there.

    Example:
        >>> p = lexicon_probs(0.6)
        >>> round(p["positive"] - p["negative"], 6), max(p, key=p.get)
        (0.6, 'positive')
        >>> max(lexicon_probs(0.01), key=lexicon_probs(0.01).get)
        'neutral'
    """
    c = max(-1.0, min(1.0, float(compound)))
    s = abs(c)
    # q = mass of the weaker polar class; it crosses (1 - 2s) / 3, where the polar side
    # and neutral tie, exactly at s == threshold, so the arg-max follows the threshold.
    slope = 0.2
    q = max(0.0, (1 - 2 * s) / 3 + slope * (s - threshold))
    side, neutral = q + s, max(0.0, 1 - 2 * q - s)
    total = side + q + neutral
    side, q, neutral = side / total, q / total, neutral / total
    pos, neg = (side, q) if c >= 0 else (q, side)
    return {"negative": neg, "neutral": neutral, "positive": pos}


@functools.lru_cache(maxsize=1)
def nrc_lexicon() -> dict[str, tuple[str, ...]]:
    """The NRC emotion lexicon shipped with ``nrclex``: word -> affect categories (loaded once)."""
    from importlib import resources

    with resources.files("nrclex.data").joinpath("nrc_en.json").open("r", encoding="utf-8") as f:
        raw = json.load(f)
    return {w.lower(): tuple(a for a in affects if a in NRC_KEYS) for w, affects in raw.items()}


@functools.lru_cache(maxsize=65536)
def word_affects(word: str) -> tuple[str, ...]:
    """NRC categories of one lowercased token, trying the word, its full spelling, then its lemma.

    Example:
        >>> word_affects("fire")
        ('fear',)
        >>> "joy" in word_affects("lovin'")
        True
    """
    lex = nrc_lexicon()
    if word in lex:
        return lex[word]
    for form in (expand(word), lemma(word)):
        if form in lex:
            return lex[form]
    return ()


def emotion_counts(toks: Sequence[str]) -> dict[str, int]:
    """Raw counts of each NRC category over ``toks`` (lowercased word tokens).

    Example:
        >>> emotion_counts(["love", "and", "fire"])["joy"]
        1
    """
    counts = Counter()
    for t in toks:
        counts.update(word_affects(t))
    return {k: counts.get(k, 0) for k in NRC_KEYS}


def normalise_counts(counts: dict[str, int | float]) -> dict[str, float]:
    """Divide counts by their sum, so the ten shares add up to 1 (all zeros if nothing matched)."""
    total = sum(counts.values())
    return {k: (round(counts.get(k, 0) / total, 4) if total else 0.0) for k in NRC_KEYS}


def emotions(text: str | Sequence[str]) -> dict[str, float]:
    """NRC emotion profile of a text (or of its tokens): the ten counts, normalised to sum to 1.

    The eight Plutchik emotions plus ``positive`` and ``negative``; all zero
    when no word of the text is in the lexicon.

    Example:
        >>> e = emotions("love is a burning fire")
        >>> e["joy"] > 0 and e["fear"] > 0, round(sum(e.values()), 3)
        (True, 1.0)
    """
    toks = tokens(text) if isinstance(text, str) else list(text)
    return normalise_counts(emotion_counts(toks))


def arousal_counts(toks: Iterable[str]) -> tuple[int, int, int]:
    """``(high, low, n_tokens)``: tokens that signal high or low energy, and all tokens."""
    high = low = n = 0
    for t in toks:
        n += 1
        lem = lemma(t)
        affects = word_affects(t)
        if t in HIGH_AROUSAL_WORDS or lem in HIGH_AROUSAL_WORDS or any(a in HIGH_AROUSAL_EMOTIONS for a in affects):
            high += 1
        elif t in LOW_AROUSAL_WORDS or lem in LOW_AROUSAL_WORDS:
            low += 1
    return high, low, n


def arousal(text: str | Sequence[str]) -> float:
    """A rough energy score in [-1, 1]: (high - low) arousal words, squashed by the text length.

    Example:
        >>> arousal("scream and fight and run") > 0 > arousal("slow and quiet and calm")
        True
    """
    toks = tokens(text) if isinstance(text, str) else list(text)
    high, low, n = arousal_counts(toks)
    if not n:
        return 0.0
    return math.tanh(4.0 * (high - low) / n)


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset:
    # Function words plus the two affect lexicons: common English text hits these
    # often (about 70% of lyric tokens); Spanish, German or French text rarely does
    # (under 15%). The CMU dictionary is no use here: it lists many foreign names.
    words = set(stop_words())
    words.update(nrc_lexicon())
    words.update(k.lower() for k in vader().lexicon)
    return frozenset(words)


def english_share(toks: Sequence[str], use_lemmas: bool = True) -> float:
    """Share of tokens that look English (a function word, or in the NRC or VADER lexicon, or their lemma).

    Used to warn that a text is probably not English (below about 0.3). 1.0 for no tokens.
    ``use_lemmas=False`` skips the lemma (and so spaCy): a lower bound of the full share, for a quick check.

    Example:
        >>> english_share(["the", "night", "is", "so", "young"])
        0.8
        >>> english_share(["yo", "te", "quiero", "con", "todo", "mi", "corazón"]) < 0.3
        True
    """
    if not toks:
        return 1.0
    known = _english_words()
    hits = sum(1 for t in toks if t in known or expand(t) in known or (use_lemmas and lemma(t) in known))
    return hits / len(toks)


def label_index(label: str) -> int:
    """Position of a sentiment label in :data:`lyricist.core.config.SENTIMENT_LABELS`."""
    return SENTIMENT_LABELS.index(label)
