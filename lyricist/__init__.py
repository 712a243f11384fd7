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

from lyricist.core.config import VERSION as __version__
from lyricist.core.errors import LyricistError

#: public name -> module that defines it
_API = {
    # corpus
    "read_songs": "lang.corpus", "read_texts": "lang.corpus", "corpus_stats": "lang.corpus", "parse_song": "lang.corpus",
    # prosody
    "syllables": "lang.prosody", "line_syllables": "lang.prosody", "rhymes": "lang.prosody", "is_rhyme": "lang.prosody",
    "rhyme_key": "lang.prosody", "rhyme_scheme": "lang.prosody",
    # word space
    "train_embeddings": "explore.train", "load_space": "explore.api", "similar_words": "explore.api",
    "analogy_words": "explore.api", "odd_one_out": "explore.api", "between_words": "explore.api",
    "axis_words": "explore.api", "map_figure": "explore.api", "export_projector": "explore.api",
    "evaluate_embeddings": "explore.api",
    # tone
    "load_scorer": "tone.scorers", "tone_report": "tone.report", "arc_figure": "tone.report",
    "classify_file": "tone.bulk", "evaluate_sentiment": "tone.eval", "train_sentiment": "tone.train",
    "train_mood": "tone.train_mood", "predict_mood": "tone.mood", "evaluate_mood": "tone.eval",
    # drafting
    "train_generator": "drafting.train", "load_generator": "drafting.model", "warm_up": "drafting.cowrite",
    "draft": "drafting.cowrite", "lock": "drafting.cowrite", "regenerate": "drafting.cowrite",
    "alternatives": "drafting.cowrite", "continue_draft": "drafting.cowrite",
    "evaluate_generator": "drafting.eval",
    # all default models
    "train_defaults": "app.defaults",
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
