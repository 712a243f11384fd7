"""Reading corpora: songs and labeled texts from txt folders, CSV/TSV and JSONL (optionally .gz).

Everything downstream (embeddings, sentiment, mood, the generator) reads data
through this package, so it owns the messy parts once:

* formats: a folder of ``.txt`` songs (optional ``title:``/``artist:``/``mood:``
  header lines), CSV/TSV with auto-detected columns, JSON Lines; any of them
  ``.gz``-compressed (decompressed with a bound: a gzip bomb is refused). Tables are streamed row by row (memory stays flat on a
  50 MB CSV); only a ``.txt`` song (at most 2 MB) is read whole.
* cleaning: :func:`clean_text` (NFC, LRC time tags, curly quotes, spaces);
  section markers (``[Chorus]``, ``Verse 2:``, ``(Bridge)``) become structure,
  never text; blank lines split stanzas.
* labels: :func:`normalize_label` maps words and numeric schemes (0/1, 0/1/2,
  -1/0/1, SST-5 0..4) to ``negative/neutral/positive`` or the four moods.
* dedup: exact and near duplicates (same first 12 words) are dropped and
  counted, using a set of 64-bit hashes, never the texts.
* splits: :func:`split_of` is a pure function of a song's identity, so a song
  is in the same split on every machine and in every run.

Modules, each importing only the ones above it: ``clean`` (text normal forms),
``identity`` (hashes, splits, dedup), ``records`` (Line, Song, Record,
ReadReport), ``labels``, ``parse`` (one song), ``files`` (finding, opening and
streaming files), ``readers`` (read_songs, read_texts, corpus_stats). This
package imports neither torch nor spaCy.

Example:
    >>> song = parse_song("title: Rain\\n\\n[Verse]\\nGrey sky\\n\\n[Chorus]\\nLet it pour")
    >>> [(name, [ln.text for ln in lines]) for name, lines in song.sections()]
    [('verse', ['Grey sky']), ('chorus', ['Let it pour'])]
    >>> normalize_label("pos"), normalize_label("joyful", kind="mood")
    ('positive', 'happy')
"""


from lyricist.lang.corpus.clean import clean_text
from lyricist.lang.corpus.files import (FORMATS, GZIP_MAX_RATIO, GZIP_MIN_LIMIT, PathLike, fingerprint, iter_files,
                                        open_bytes)
from lyricist.lang.corpus.identity import NEAR_WORDS, split_of
from lyricist.lang.corpus.labels import KINDS, NUMERIC_SCHEMES, normalize_label, numeric_scheme, parse_label_map
from lyricist.lang.corpus.parse import SECTION_GROUPS, SECTION_KINDS, parse_song, section_group, section_kind
from lyricist.lang.corpus.readers import (ARTIST_COLUMNS, LABEL_COLUMNS, MAX_SONG_BYTES, PEEK_LABELS,
                                          SONG_LABEL_COLUMNS, SONG_TEXT_COLUMNS, TEXT_COLUMNS, TITLE_COLUMNS,
                                          corpus_stats, read_songs, read_texts)
from lyricist.lang.corpus.records import Line, ReadReport, Record, Song

__all__ = [
    # records
    "Line", "Song", "Record", "ReadReport",
    # cleaning, ids and splits
    "clean_text", "split_of", "NEAR_WORDS",
    # labels
    "normalize_label", "numeric_scheme", "parse_label_map", "NUMERIC_SCHEMES", "KINDS",
    # one song
    "parse_song", "section_kind", "section_group", "SECTION_KINDS", "SECTION_GROUPS",
    # files
    "iter_files", "fingerprint", "open_bytes", "FORMATS", "PathLike", "GZIP_MAX_RATIO", "GZIP_MIN_LIMIT",
    # reading
    "read_songs", "read_texts", "corpus_stats", "TEXT_COLUMNS", "SONG_TEXT_COLUMNS", "LABEL_COLUMNS",
    "SONG_LABEL_COLUMNS", "TITLE_COLUMNS", "ARTIST_COLUMNS", "MAX_SONG_BYTES", "PEEK_LABELS",
]
