"""lyricist: an assistant for songwriters.

Draft lyrics from a theme, score a song's emotional tone and explore similar
words in a word2vec space trained on your own corpus.
"""

from lyricist.config import VERSION as __version__
from lyricist.errors import LyricistError

__all__ = ["__version__", "LyricistError"]
