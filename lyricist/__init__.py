"""lyricist: an assistant for songwriters.

Draft lyrics from a theme, score a song's emotional tone and explore similar
words in a word2vec space trained on your own corpus. The public API is
re-exported here and imported lazily, so ``import lyricist`` loads neither
torch nor spaCy until a function needs them.

Example:
    >>> import lyricist
    >>> lyricist.rhyme_scheme(["set the world on fire", "burning through the night",
    ...                        "take me ever higher", "into the light"])
    'ABAB'
    >>> lyricist.syllables("lovin'")
    2
"""

from __future__ import annotations

import importlib

from lyricist.config import VERSION as __version__
from lyricist.errors import LyricistError

#: public name -> module that defines it
_API = {
    # corpus
    "read_songs": "corpus", "read_texts": "corpus", "corpus_stats": "corpus", "parse_song": "corpus",
    # prosody
    "syllables": "prosody", "line_syllables": "prosody", "rhymes": "prosody", "is_rhyme": "prosody",
    "rhyme_key": "prosody", "rhyme_scheme": "prosody",
    # word space
    "train_embeddings": "embeddings", "load_space": "embeddings", "similar_words": "embeddings",
    "analogy_words": "embeddings", "odd_one_out": "embeddings", "between_words": "embeddings",
    "axis_words": "embeddings", "map_figure": "embeddings", "export_projector": "embeddings",
    "evaluate_embeddings": "embeddings",
    # tone
    "load_scorer": "sentiment", "tone_report": "sentiment", "arc_figure": "sentiment",
    "classify_file": "sentiment", "evaluate_sentiment": "sentiment", "train_sentiment": "sentiment",
    "train_mood": "mood", "predict_mood": "mood", "evaluate_mood": "mood",
    # drafting
    "train_generator": "generate", "load_generator": "generate", "warm_up": "generate", "draft": "generate",
    "lock": "generate",
    "regenerate": "generate", "alternatives": "generate", "continue_draft": "generate",
    "evaluate_generator": "generate",
    # all default models
    "train_defaults": "defaults",
}

__all__ = ["__version__", "LyricistError", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'lyricist' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"lyricist.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
