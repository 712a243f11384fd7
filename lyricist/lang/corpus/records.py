"""The records readers give: :class:`Line`, :class:`Song`, :class:`Record`, and the :class:`ReadReport`.

A song's and a record's ``id`` and ``split`` come from their text alone (see
:mod:`lyricist.lang.corpus.identity`).

Example:
    >>> song = Song("Rain", "Me", "sad", [Line("grey sky", "verse", 0), Line("let it pour", "chorus", 1)])
    >>> song.text, song.id == Song("rain", "ME", None, []).id
    ('grey sky\\n\\nlet it pour', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lyricist.lang.corpus.clean import norm_text
from lyricist.lang.corpus.identity import NEAR_WORDS, first_words, short_sha1, split_of


@dataclass(frozen=True)
class Line:
    """One lyric line and where it sits in the song."""

    text: str
    """Cleaned text of the line."""
    section: str = ""
    """Normalised section kind (``"verse"``, ``"chorus"``...), or ``""`` when the song has no markers."""
    section_index: int = 0
    """0-based index of the section within the song (new at each marker or stanza break)."""


@dataclass
class Song:
    """A song: cleaned lines with their sections, plus what is known about it."""

    title: str
    artist: str
    mood: str | None
    """``happy``, ``angry``, ``sad``, ``relaxed``, or None."""
    lines: list[Line]
    source: str = "<text>"
    """Where it came from: ``path`` or ``path:row``."""
    meta: dict = field(default_factory=dict)
    """Other header fields or columns (theme, year, album...)."""

    @property
    def id(self) -> str:
        """Stable hash of the normalised (artist, title); of the first 12 words when both are empty."""
        artist, title = norm_text(self.artist), norm_text(self.title)
        if artist or title:
            return short_sha1(f"{artist}\x1f{title}")
        return short_sha1(first_words(norm_text("\n".join(ln.text for ln in self.lines[:NEAR_WORDS]))))

    @property
    def split(self) -> str:
        """``train``, ``val`` or ``test``, decided by :attr:`id` alone."""
        return split_of(self.id)

    @property
    def text(self) -> str:
        """The lyrics: lines joined by newlines, a blank line between sections."""
        return "\n\n".join("\n".join(ln.text for ln in lines) for _, lines in self.sections())

    def sections(self) -> list[tuple[str, list[Line]]]:
        """Consecutive ``(section kind, lines)`` groups, in order.

        Example:
            >>> from lyricist.lang.corpus import parse_song
            >>> [name for name, _ in parse_song("[Verse]\\na\\n[Chorus]\\nb\\n\\nc").sections()]
            ['verse', 'chorus', 'chorus']
        """
        out: list[tuple[str, list[Line]]] = []
        for ln in self.lines:
            if not out or ln.section_index != out[-1][1][-1].section_index:
                out.append((ln.section, []))
            out[-1][1].append(ln)
        return out


@dataclass
class Record:
    """A listener comment or a labeled sentence / lyric line."""

    text: str
    label: str | None
    """Normalised label (``negative/neutral/positive``, a mood, or raw when ``kind="raw"``), or None."""
    source: str = "<text>"
    meta: dict = field(default_factory=dict)
    """Other columns of the row."""

    @property
    def id(self) -> str:
        """Stable hash of the normalised text."""
        return short_sha1(norm_text(self.text))

    @property
    def split(self) -> str:
        """``train``, ``val`` or ``test``, decided by :attr:`id` alone."""
        return split_of(self.id)


@dataclass
class ReadReport:
    """What happened while reading; pass one to a reader and look at it afterwards.

    Example:
        >>> import pathlib, tempfile
        >>> from lyricist.lang.corpus import read_songs
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("la la la"), (d / "b.txt").write_text("La, la, la!")
        >>> rep = ReadReport()
        >>> len(list(read_songs([d], report=rep))), rep.rows, rep.duplicates_dropped
        (1, 2, 1)
    """

    files: int = 0
    """Files opened."""
    rows: int = 0
    """Songs or texts seen, before dropping anything."""
    kept: int = 0
    empty_dropped: int = 0
    duplicates_dropped: int = 0
    near_duplicates_dropped: int = 0
    decode_error_lines: int = 0
    """Lines that held bytes that are not UTF-8 (decoded with U+FFFD)."""
    warnings: list[str] = field(default_factory=list)
    by_file: list[dict] = field(default_factory=list)
    """One ``{"path", "kind", "rows", "records", "labels"}`` per file read."""
