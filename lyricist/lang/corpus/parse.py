"""Parsing one song: header lines, section markers, LRC tags and stanzas.

Section markers (``[Chorus]``, ``Verse 2:``, ``(Bridge)``) become structure,
never text: :func:`section_kind` recognises them, :func:`section_group` maps
any section name to the part it plays. :func:`parse_song` reads pasted lyrics
leniently; readers use :func:`parse_song_text` (strict about moods) and
:func:`song_from_lines` (a table cell's lyrics).

Example:
    >>> s = parse_song("title: Rain\\n\\n[Verse]\\nGrey sky\\n\\n[Chorus x2]\\nLet it pour")
    >>> s.title, [(ln.text, ln.section) for ln in s.lines]
    ('Rain', [('Grey sky', 'verse'), ('Let it pour', 'chorus')])
"""

from __future__ import annotations

import re
from typing import Iterable

from lyricist.core.errors import LyricistError
from lyricist.lang.corpus.clean import clean_text
from lyricist.lang.corpus.labels import normalize_label
from lyricist.lang.corpus.records import Line, Song

#: Section kinds a marker can normalise to.
SECTION_KINDS = ("verse", "chorus", "pre-chorus", "bridge", "intro", "outro", "hook", "refrain")

_KIND_RE = (r"(?P<kind>pre[\s-]?chorus|post[\s-]?chorus|pre[\s-]?hook|"
            r"verse|chorus|bridge|intro|outro|hook|refrain|interlude|coda)")
_NUM_RE = r"(?:\s*(?:\d+|one|two|three|four|five|six))?"
_TIMES_RE = r"(?:\s*\(?\s*(?:[x\u00d7]\s*\d+|\d+\s*[x\u00d7])\s*\)?)?"
_CORE_RE = rf"(?:(?:repeat|last|final)\s+(?:the\s+)?)?{_KIND_RE}{_NUM_RE}{_TIMES_RE}"
_MARKERS = (
    re.compile(rf"^\[\s*{_CORE_RE}\b[^\]]*\]$", re.I),  # [Chorus], [Verse 2: Drake], [Bridge - x2]
    re.compile(rf"^\(\s*{_CORE_RE}\s*:?\s*\)$", re.I),  # (Chorus), (Verse 2)
    re.compile(rf"^{_CORE_RE}\s*:?$", re.I),  # Chorus:, Verse 1, Repeat chorus x2
)
_KIND_ALIASES = {"prechorus": "pre-chorus", "postchorus": "chorus", "prehook": "pre-chorus",
                 "interlude": "bridge", "coda": "outro"}
_BRACKET_ONLY = re.compile(r"^\[[^\]]*\]$")  # [Instrumental], [Produced by X]: annotations
_LRC_META = re.compile(r"^\[(ar|ti|al|au|by|re|ve|id|length|offset|#)\s*:\s*([^\]]*)\]$", re.I)
_HEADER = re.compile(r"^([A-Za-z][A-Za-z_-]{0,19})\s*:\s*(.*)$")  # "title: X", "mood:" (left empty)


def section_kind(line: str) -> str | None:
    """The normalised section kind if ``line`` is a section marker, else None.

    Example:
        >>> section_kind("[Pre-Chorus: Rihanna]"), section_kind("Verse 2:"), section_kind("(oooh)")
        ('pre-chorus', 'verse', None)
    """
    if len(line) > 80:
        return None
    for pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            kind = re.sub(r"[\s-]", "", m.group("kind").lower())
            return _KIND_ALIASES.get(kind, kind)
    return None


#: section names grouped by the part they play in a song (the tone report's section kind)
SECTION_GROUPS = {"refrain": "chorus", "hook": "chorus", "pre": "pre-chorus", "break": "interlude",
                  "coda": "outro", "tag": "outro"}


def section_group(name: str) -> str:
    """The kind of a section from its name: spellings as :func:`section_kind` reads them, then
    :data:`SECTION_GROUPS` (``Chorus 2`` -> ``chorus``, ``Hook`` -> ``chorus``; no name -> ``verse``).

    Example:
        >>> section_group("Verse 2"), section_group("Hook"), section_group("Pre Chorus"), section_group("")
        ('verse', 'chorus', 'pre-chorus', 'verse')
    """
    words = (name or "").lower().replace("_", "-").split()
    if not words:
        return "verse"
    head = words[0].rstrip(":0123456789")
    if head in ("pre", "post") and len(words) > 1:
        head = f"{head}-{words[1]}"
    head = _KIND_ALIASES.get(head.replace("-", ""), head)
    return SECTION_GROUPS.get(head, head or "verse")


def parse_song(text: str, *, title: str = "", artist: str = "", mood: str | None = None,
               source: str = "<text>") -> Song:
    """Parse pasted lyrics: header lines, section markers, LRC tags and stanzas.

    Header lines (``title: X``, ``artist: X``, ``mood: X``, any ``key: value``) are read at
    the top until the first blank or non-header line; the arguments win over them. An
    unknown mood in a header is kept in ``meta["mood"]`` (use :func:`read_songs` for strict
    reading).

    Example:
        >>> s = parse_song("artist: Me\\nmood: calm\\n\\n[Verse 1]\\nSoft light\\n\\n(Chorus)\\nStay")
        >>> s.artist, s.mood, [(ln.text, ln.section, ln.section_index) for ln in s.lines]
        ('Me', 'relaxed', [('Soft light', 'verse', 0), ('Stay', 'chorus', 1)])
    """
    song = parse_song_text(text, source=source, strict=False)
    song.title, song.artist = title or song.title, artist or song.artist
    if mood is not None:
        song.mood = normalize_label(mood, "mood")
        song.meta.pop("mood", None)
    return song


def parse_song_text(text: str, *, source: str, strict: bool, mapping: dict | None = None) -> Song:
    """Headers, then the body. ``strict``: an unknown mood raises instead of staying in meta."""
    body, headers = _split_headers(clean_text(text).split("\n"))
    song = song_from_lines(body, source=source)
    song.title = headers.pop("title", "") or song.title
    song.artist = headers.pop("artist", "") or song.artist
    raw_mood = headers.pop("mood", None)
    try:
        song.mood = normalize_label(raw_mood, "mood", mapping)
    except LyricistError as e:
        if strict:
            raise LyricistError(f"{source}: {e}") from None
        headers["mood"] = raw_mood  # keep what the writer said
    song.meta.update(headers)
    return song


def _split_headers(lines: list[str]) -> tuple[list[str], dict]:
    """Header ``key: value`` lines at the top (ended by a blank or other line), and the rest."""
    headers: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i])
        if not m or re.fullmatch(_KIND_RE, m.group(1), re.I):  # "Chorus: la la" is lyrics
            break
        headers[m.group(1).lower()] = m.group(2).strip()
        i += 1
    if headers and i < len(lines) and not lines[i]:
        i += 1  # the blank line that closes the header block
    return lines[i:], headers


def song_from_lines(lines: Iterable[str], *, source: str = "<text>") -> Song:
    """Build a song from cleaned lines: markers and blank lines make sections, never text.

    LRC ``[ti: ...]`` and ``[ar: ...]`` give the title and artist.
    """
    out: list[Line] = []
    meta: dict = {}
    kind, index, new_section = "", -1, True
    for raw in lines:
        s = raw.strip()
        if not s:
            new_section = True  # stanza break
            continue
        if s[0] in "[(" or s[-1] == ":" or len(s) < 40:  # cheap test first: markers are short
            k = section_kind(s)
            if k is not None:
                kind, new_section = k, True
                continue
            if s[0] == "[" and _BRACKET_ONLY.match(s):
                m = _LRC_META.match(s)
                if m and m.group(1).lower() in ("ti", "ar") and m.group(2).strip():
                    meta.setdefault({"ti": "title", "ar": "artist"}[m.group(1).lower()], m.group(2).strip())
                continue  # LRC metadata or an annotation such as [Instrumental]
        if new_section:
            index += 1
            new_section = False
        out.append(Line(s, kind, index))
    return Song(title=meta.pop("title", ""), artist=meta.pop("artist", ""), mood=None, lines=out,
                source=source, meta=meta)
