"""Reading corpora: songs and labeled texts from txt folders, CSV/TSV and JSONL (optionally .gz).

Everything downstream (embeddings, sentiment, mood, the generator) reads data
through this module, so it owns the messy parts once:

* formats: a folder of ``.txt`` songs (optional ``title:``/``artist:``/``mood:``
  header lines), CSV/TSV with auto-detected columns, JSON Lines; any of them
  ``.gz``-compressed. Tables are streamed row by row (memory stays flat on a
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

Example:
    >>> song = parse_song("title: Rain\\n\\n[Verse]\\nGrey sky\\n\\n[Chorus]\\nLet it pour")
    >>> [(name, [ln.text for ln in lines]) for name, lines in song.sections()]
    [('verse', ['Grey sky']), ('chorus', ['Let it pour'])]
    >>> normalize_label("pos"), normalize_label("joyful", kind="mood")
    ('positive', 'happy')
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import time
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from lyricist.core.checkpoint import file_sha1
from lyricist.core.config import MOOD_LABELS, SENTIMENT_LABELS
from lyricist.core.errors import LyricistError

PathLike = str | os.PathLike

#: Section kinds a marker can normalise to.
SECTION_KINDS = ("verse", "chorus", "pre-chorus", "bridge", "intro", "outro", "hook", "refrain")

#: Column names tried, in order, when no column is given (matched case-insensitively).
TEXT_COLUMNS = ("lyrics", "lyric", "text", "comment", "sentence")
SONG_TEXT_COLUMNS = ("lyrics", "lyric")
LABEL_COLUMNS = ("label", "sentiment", "mood", "emotion", "class")
SONG_LABEL_COLUMNS = ("mood", "label", "emotion", "class")  # a song's label is its mood
TITLE_COLUMNS = ("title", "song")
ARTIST_COLUMNS = ("artist",)

FORMATS = {".txt": "txt", ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl"}
MAX_SONG_BYTES = 2_000_000  # a bigger .txt is not one song
NEAR_WORDS = 12  # songs/texts sharing their first 12 normalised words are near-duplicates
PEEK_LABELS = 1000  # labels looked at to decide a file's numeric scheme

_UNKNOWN_FORMAT = "use .txt, .csv, .tsv, .jsonl (optionally .gz)"


# ----------------------------------------------------------------- records
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
        artist, title = _norm_text(self.artist), _norm_text(self.title)
        if artist or title:
            return _sha1_16(f"{artist}\x1f{title}")
        return _sha1_16(_first_words(_norm_text("\n".join(ln.text for ln in self.lines[:NEAR_WORDS]))))

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
        return _sha1_16(_norm_text(self.text))

    @property
    def split(self) -> str:
        """``train``, ``val`` or ``test``, decided by :attr:`id` alone."""
        return split_of(self.id)


@dataclass
class ReadReport:
    """What happened while reading; pass one to a reader and look at it afterwards.

    Example:
        >>> import pathlib, tempfile
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


# ----------------------------------------------------------------- cleaning
_LRC_TIME = re.compile(r"\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]|<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'", "\u00b4": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
           "\u200b": "", "\u2060": "", "\ufeff": ""}
_ODD_CHARS = re.compile("[" + "".join(_QUOTES) + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of horizontal whitespace other than one plain space (matching every single space is slow).
_SPACES = re.compile(r" ?[^\S\n ][^\S\n]*| {2,}[^\S\n]*")
_ODD_SPACE = re.compile(r"[^\S\n ]")
_EDGE_SPACES = re.compile(r" \n ?|\n ")


def clean_text(s: str) -> str:
    """Normalise one text: NFC, no LRC time tags, straight quotes, single spaces; keeps newlines.

    ``\\r\\n`` and ``\\r`` become ``\\n``; each line is stripped; the result is stripped.

    Example:
        >>> clean_text("[00:12.34]It\u2019s   a \u201cnew\u201d day\\r\\n[01:02] next ")
        'It\\'s a "new" day\\nnext'
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    if "[" in s or "<" in s:
        s = _LRC_TIME.sub("", s)
    s = _ODD_CHARS.sub(lambda m: _QUOTES.get(m.group(), ""), s)  # curly quotes; zero-width and control chars
    if "  " in s or _ODD_SPACE.search(s):  # (the checks save most of the time on clean text)
        s = _SPACES.sub(" ", s)
    if " \n" in s or "\n " in s:
        s = _EDGE_SPACES.sub("\n", s)
    return s.strip()


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, with inner apostrophes (don't, rock'n'roll)
# Everything that is not part of a _WORD: other chars, underscores, apostrophes at word edges.
_NOT_WORD = re.compile(r"(?:[^\w']|_|'(?![^\W_])|(?<![^\W_])')+")


_ASCII_NOT_WORD = str.maketrans(dict.fromkeys(
    [c for c in map(chr, range(128)) if not c.isalnum() and c != "'"], " "))
# An apostrophe with no letter or digit after it, or none before it ('cause, singin').
_EDGE_APOSTROPHE = re.compile(r"'(?:(?![a-z0-9])|(?<![a-z0-9]'))")


def _norm_text(s: str) -> str:
    """Lower-cased words of letters, digits and inner apostrophes, one space apart: the dedup and id form.

    ASCII text takes a fast path (translate and split); the regex handles the rest.

    Example:
        >>> _norm_text("  'Cause I DON'T -- know_why!")
        "cause i don't know why"
    """
    t = s.lower()
    if t.isascii():
        t = " ".join(t.translate(_ASCII_NOT_WORD).split())
        if "'" in t:
            t = " ".join(_EDGE_APOSTROPHE.sub(" ", t).split())
        return t
    return _NOT_WORD.sub(" ", t).strip()


def _first_words(norm: str, n: int = NEAR_WORDS) -> str:
    """The first ``n`` words of a :func:`_norm_text` string."""
    return " ".join(norm.split(" ", n)[:n])


def _sha1_16(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:16]


def _hash64(s: str) -> int:
    """64-bit hash for the dedup sets (8 bytes a key, however long the text)."""
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


# ----------------------------------------------------------------- splits
def split_of(identity: str, val: float = 0.1, test: float = 0.1) -> str:
    """Deterministic split of one item from the SHA-1 of its identity.

    The same identity always lands in the same split, whatever else is in the corpus.

    Args:
        identity: a song or text id (see :attr:`Song.id`).
        val, test: shares of the validation and test splits.
    Returns:
        ``"train"``, ``"val"`` or ``"test"``.

    Example:
        >>> split_of("abc") == split_of("abc")
        True
        >>> split_of("abc", val=0.0, test=0.0)
        'train'
    """
    if not (0.0 <= val <= 1.0 and 0.0 <= test <= 1.0 and val + test <= 1.0):
        raise LyricistError(f"bad split shares val={val} test={test}: each must be in [0, 1], summing to at most 1")
    x = int(hashlib.sha1(identity.encode("utf-8")).hexdigest()[:15], 16) / 16**15  # uniform in [0, 1)
    if x < test:
        return "test"
    if x < test + val:
        return "val"
    return "train"


# ----------------------------------------------------------------- labels
_SENTIMENT_WORDS = {
    "negative": "negative", "neg": "negative", "very negative": "negative",
    "neutral": "neutral", "neu": "neutral",
    "positive": "positive", "pos": "positive", "very positive": "positive",
}
_MOOD_WORDS = {
    "happy": "happy", "happiness": "happy", "joy": "happy", "joyful": "happy",
    "angry": "angry", "anger": "angry",
    "sad": "sad", "sadness": "sad",
    "relaxed": "relaxed", "relax": "relaxed", "relaxing": "relaxed", "calm": "relaxed",
}
#: Numeric schemes: name -> {value: label}.
NUMERIC_SCHEMES = {
    "binary": {0: "negative", 1: "positive"},
    "ternary": {0: "negative", 1: "neutral", 2: "positive"},
    "signed": {-1: "negative", 0: "neutral", 1: "positive"},
    "sst5": {0: "negative", 1: "negative", 2: "neutral", 3: "positive", 4: "positive"},
}
_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
KINDS = ("sentiment", "mood", "raw")


def numeric_scheme(lo: int, hi: int) -> str | None:
    """The numeric label scheme that fits labels ranging from ``lo`` to ``hi``.

    Example:
        >>> numeric_scheme(0, 1), numeric_scheme(-1, 1), numeric_scheme(0, 2), numeric_scheme(0, 4)
        ('binary', 'signed', 'ternary', 'sst5')
    """
    if lo == -1 and hi <= 1:
        return "signed"
    if lo >= 0 and hi <= 1:
        return "binary"
    if lo >= 0 and hi == 2:
        return "ternary"
    if lo >= 0 and hi in (3, 4):
        return "sst5"
    return None


def _as_int(s: str) -> int | None:
    return int(float(s)) if _INT.match(s) else None


def _accepted(kind: str) -> str:
    if kind == "mood":
        return (f"use {'/'.join(MOOD_LABELS)} (or joy, anger, sadness, calm)")
    return (f"use {'/'.join(SENTIMENT_LABELS)} (or neg/neu/pos), or numbers 0/1, 0/1/2, -1/0/1 or 0..4")


def normalize_label(value: Any, kind: str = "sentiment", mapping: dict | None = None,
                    scheme: str | None = None) -> str | None:
    """Map a raw label to the project's label set.

    Args:
        value: the raw label (word or number). None or empty gives None.
        kind: ``"sentiment"`` (negative/neutral/positive), ``"mood"`` (happy/angry/sad/relaxed)
            or ``"raw"`` (kept as given, stripped).
        mapping: ``{raw: label}`` chosen by the user; it wins over everything else.
        scheme: numeric scheme (a key of :data:`NUMERIC_SCHEMES`); when None, one number alone
            decides it with the same rule readers use per file (-1 signed, 0/1 binary,
            2 ternary, 3/4 SST-5), so pass it for 0/1/2 or SST-5 data.
    Returns:
        The label, or None for a missing one.
    Raises:
        LyricistError: for a label it does not know, listing the accepted ones.

    Example:
        >>> normalize_label("POS"), normalize_label(0), normalize_label("4", scheme="sst5")
        ('positive', 'negative', 'positive')
        >>> normalize_label("meh", mapping={"meh": "neutral"})
        'neutral'
    """
    if kind not in KINDS:
        raise LyricistError(f"unknown label kind {kind!r}: use one of {', '.join(KINDS)}")
    if value is None or isinstance(value, (dict, list)):
        return None
    raw = str(value).strip()
    if not raw:
        return None
    if mapping:
        num = _as_int(raw)
        for key in (raw, raw.lower()) if num is None else (raw, raw.lower(), str(num)):
            if key in mapping:
                return normalize_label(mapping[key], kind)  # the target itself must be a known label
    if kind == "raw":
        return raw
    low = " ".join(raw.lower().replace("_", " ").split())
    words = _MOOD_WORDS if kind == "mood" else _SENTIMENT_WORDS
    if low in words:
        return words[low]
    if kind == "sentiment" and isinstance(value, bool):
        return "positive" if value else "negative"
    num = _as_int(raw) if kind == "sentiment" else None
    if num is not None:
        table = NUMERIC_SCHEMES.get(scheme or numeric_scheme(min(num, 0), num) or "")
        if table and num in table:
            return table[num]
        raise LyricistError(f"label {raw} does not fit the {scheme or 'numeric'} labels: "
                            f"{_accepted(kind)}, or pass --label-map RAW=LABEL")
    raise LyricistError(f"unknown {kind} label {raw!r}: {_accepted(kind)}, or pass --label-map RAW=LABEL")


class _LabelReader:
    """Normalises the labels of one file, deciding its numeric scheme from a peek at them."""

    def __init__(self, kind: str, mapping: dict | None, peek: Sequence[Any], where: str):
        self.kind, self.mapping, self.where = kind, mapping, where
        nums = [n for v in peek if v is not None and (n := _as_int(str(v).strip())) is not None]
        numeric = kind in ("sentiment", "auto")
        self.scheme = numeric_scheme(min(nums), max(nums)) if nums and numeric else None
        if nums and kind == "sentiment" and self.scheme is None and not mapping:
            raise LyricistError(f"numeric labels {min(nums)}..{max(nums)} in {where} fit no known scheme: "
                                f"{_accepted(kind)}, or pass --label-map RAW=LABEL")

    def __call__(self, value: Any, row: str) -> str | None:
        if self.kind == "auto":  # corpus_stats: sentiment, else mood, else the label as written
            for kind in ("sentiment", "mood", "raw"):
                try:
                    return normalize_label(value, kind, self.mapping, self.scheme)
                except LyricistError:
                    continue
        try:
            return normalize_label(value, self.kind, self.mapping, self.scheme)
        except LyricistError as e:
            raise LyricistError(f"{row}: {e}") from None


# ----------------------------------------------------------------- parsing one song
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
    song = _parse(text, source=source, strict=False)
    song.title, song.artist = title or song.title, artist or song.artist
    if mood is not None:
        song.mood = normalize_label(mood, "mood")
        song.meta.pop("mood", None)
    return song


def _parse(text: str, *, source: str, strict: bool, mapping: dict | None = None) -> Song:
    """Headers, then the body. ``strict``: an unknown mood raises instead of staying in meta."""
    body, headers = _split_headers(clean_text(text).split("\n"))
    song = _song_from_lines(body, source=source)
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


def _song_from_lines(lines: Iterable[str], *, source: str = "<text>") -> Song:
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


# ----------------------------------------------------------------- files
def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(os.path.splitext(name)[1])


def _expand(paths: PathLike | Iterable[PathLike]) -> list[tuple[Path, bool]]:
    """``(file, named explicitly)`` for each path; folders expand to their readable files, sorted."""
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not paths:
        raise LyricistError("no corpus given: pass one or more files or folders")
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        if not p.exists():
            raise LyricistError(f"no such file or folder: {p} (check the path)")
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and _format_of(f)
                           and not any(part.startswith((".", "~$", "__")) for part in f.relative_to(p).parts))
            files = [(f, False) for f in found]
        else:
            if not _format_of(p):
                raise LyricistError(f"unknown format {p.name}: {_UNKNOWN_FORMAT}")
            files = [(p, True)]
        for f, explicit in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append((f, explicit))
    return out


def iter_files(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    """The files that ``paths`` name: files as given, folders expanded recursively (sorted).

    Inside folders only readable formats count (``.txt .csv .tsv .jsonl .json``, optionally
    ``.gz``); hidden files are skipped. A missing path raises :class:`LyricistError`.

    Example:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("b.csv", "a.txt", "README.md"):
        ...     _ = (d / name).write_text("x")
        >>> [f.name for f in iter_files([d])]
        ['a.txt', 'b.csv']
    """
    return [f for f, _ in _expand(paths)]


def fingerprint(paths: PathLike | Iterable[PathLike]) -> str:
    """Short SHA-1 of the data: relative names, sizes and bytes of every file :func:`iter_files` finds.

    Names are relative to the folder given (a file given directly counts by its name), so
    the fingerprint survives moving the corpus; the order of ``paths`` does not matter.

    Example:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("la la la")
        >>> fp = fingerprint([d]); len(fp)
        16
        >>> _ = (d / "a.txt").write_text("la la la!")
        >>> fingerprint([d]) == fp
        False
    """
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    entries = []
    for p in map(Path, paths):
        for f, _ in _expand([p]):
            rel = f.relative_to(p).as_posix() if p.is_dir() else f.name
            entries.append(f"{rel}\t{f.stat().st_size}\t{file_sha1(f)}")
    return hashlib.sha1("\n".join(sorted(entries)).encode("utf-8")).hexdigest()[:16]


def _open_bytes(path: Path) -> IO[bytes]:
    """Open (and decompress) ``path``; refuse binary files (NUL in the first 8 KB)."""
    f: IO[bytes] = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    try:
        head = f.read(8192)
        f.seek(0)
    except (OSError, EOFError, zlib.error) as e:
        f.close()
        raise LyricistError(f"cannot read {path.name} ({e.__class__.__name__}: {e}): "
                            f"check that it is a valid .gz or plain text file") from None
    if b"\x00" in head:
        f.close()
        raise LyricistError(f"{path.name} looks binary, not text: save it as UTF-8 text "
                            f"({_UNKNOWN_FORMAT.removeprefix('use ')})")
    return f


# Bytes that are not UTF-8 decode to U+FFFF first (a noncharacter, absent from real text),
# so a line that had them can be told from one that already held a U+FFFD; then U+FFFD.
_BAD = "\uffff"
codecs.register_error("lyricist.mark", lambda e: (_BAD, e.end))


def _decode(data: bytes) -> tuple[str, int]:
    """Decode a small file: ``(text, lines that had non-UTF-8 bytes)``."""
    text = data.decode("utf-8-sig", errors="lyricist.mark")
    if _BAD not in text:
        return text, 0
    return text.replace(_BAD, "\ufffd"), sum(_BAD in ln for ln in text.splitlines())


class _Lines:
    """Decoded lines of one file, streamed, counting the lines that had non-UTF-8 bytes.

    ``newline=""`` keeps line endings as they are (the csv module needs them) while still
    splitting on ``\\r``, ``\\n`` and ``\\r\\n``; ``utf-8-sig`` drops a leading BOM.
    """

    def __init__(self, path: Path):
        self.path = path
        self.bad = 0
        self.number = 0
        self._raw = _open_bytes(path)
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", errors="lyricist.mark", newline="")

    def __iter__(self) -> Iterator[str]:
        try:
            for line in self._text:
                self.number += 1
                if _BAD in line:
                    self.bad += 1
                    line = line.replace(_BAD, "\ufffd")
                yield line
        except (OSError, EOFError, zlib.error) as e:
            raise LyricistError(f"{self.path.name} is damaged ({e.__class__.__name__}: {e}) after line "
                                f"{self.number}: re-download or re-compress it") from None

    def close(self) -> None:
        self._text.close()


class _Table:
    """Rows of a CSV/TSV/JSONL file with their column names, streamed."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = path, fmt
        self.lines = _Lines(path)
        self.columns: list[str] = []
        self.nested: set[str] = set()  # JSONL keys holding objects or lists: never a label
        self.bad_json = 0
        self.first_bad = 0
        self._rows: Iterator[dict] = iter(())
        self.empty = False
        try:
            self._open_jsonl() if fmt == "jsonl" else self._open_csv(fmt)
        except BaseException:
            self.close()
            raise

    def _open_csv(self, fmt: str) -> None:
        _raise_csv_limit()
        it = iter(self.lines)
        first = next(it, None)
        if first is None or not first.strip():
            self.empty = True
            return
        if fmt == "tsv":
            delim = "\t"
        else:  # sniff only from the header line, and only if it holds no comma
            counts = {d: first.count(d) for d in ",;\t|"}
            delim = "," if counts[","] else max(counts, key=counts.get) if max(counts.values()) else ","

        def chain() -> Iterator[str]:
            yield first
            yield from it

        reader = csv.reader(chain(), delimiter=delim)
        self.columns = [c.strip() for c in next(reader)]
        cols = self.columns

        def rows() -> Iterator[dict]:
            for r in reader:
                if r:
                    yield dict(zip(cols, r))

        self._rows = rows()

    def _open_jsonl(self) -> None:
        it = iter(self.lines)
        first_obj = None
        for line in it:
            if not line.strip():
                continue
            if self.lines.number == 1 and line.lstrip().startswith("["):
                raise LyricistError(f"{self.path.name} holds one JSON array: write one object per line "
                                    f"(JSON Lines, .jsonl)")
            obj = self._parse(line)
            if obj is not None:
                first_obj = obj
                break
        if first_obj is None:
            self.empty = True
            return
        self.columns = list(first_obj)
        self.nested = {k for k, v in first_obj.items() if isinstance(v, (dict, list))}

        def rows() -> Iterator[dict]:
            yield first_obj
            for line in it:
                if line.strip() and (obj := self._parse(line)) is not None:
                    yield obj

        self._rows = rows()

    def _parse(self, line: str) -> dict | None:
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            self.bad_json += 1
            self.first_bad = self.first_bad or self.lines.number
            return None
        return obj

    def __iter__(self) -> Iterator[dict]:
        return self._rows

    def close(self) -> None:
        self.lines.close()


def _raise_csv_limit() -> None:
    limit = sys.maxsize
    while True:  # lyrics can be longer than csv's 128 KB default; C long may be 32-bit
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _find_column(columns: Sequence[str], wanted: str | None, candidates: Sequence[str]) -> str | None:
    """The column named ``wanted`` (case-insensitive), else the first candidate present."""
    by_lower = {c.lower(): c for c in columns}
    if wanted:
        return by_lower.get(wanted.strip().lower())
    for c in candidates:
        if c in by_lower:
            return by_lower[c]
    return None


# ----------------------------------------------------------------- reading
@dataclass
class _Dedup:
    """Seen exact and near keys, as 64-bit hashes."""

    exact: set = field(default_factory=set)
    near: set = field(default_factory=set)

    def check(self, norm: str) -> str | None:
        """``"exact"`` or ``"near"`` if the :func:`_norm_text` form was seen before, else None (and remember it)."""
        e, n = _hash64(norm), _hash64(_first_words(norm))
        if e in self.exact:
            return "exact"
        if n in self.near:
            return "near"
        self.exact.add(e)
        self.near.add(n)
        return None


@dataclass
class _Options:
    want: str  # "songs", "texts" or "both"
    text_col: str | None
    label_col: str | None
    label_map: dict | None
    kind: str
    report: ReadReport
    dedup: bool


def _read(paths: PathLike | Iterable[PathLike], opt: _Options) -> Iterator[Song | Record]:
    """The one reading loop behind :func:`read_songs`, :func:`read_texts` and :func:`corpus_stats`."""
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files = _expand(paths)
    kept = 0
    seen = {"songs": _Dedup(), "texts": _Dedup()}
    rep = opt.report
    for path, explicit in files:
        fmt = _format_of(path)
        if fmt == "txt":
            if opt.want == "texts" and not explicit:
                continue
            role = "texts" if opt.want == "texts" else "songs"
            items = _read_txt(path, role, rep, opt.label_map)
        else:
            items = _read_table(path, fmt, explicit, opt)
        stats = None
        for role, item in items:
            if stats is None:
                stats = {"path": str(path), "kind": role, "rows": 0, "records": 0, "labels": Counter()}
                rep.by_file.append(stats)
            stats["rows"] += 1
            rep.rows += 1
            if not (item.lines if isinstance(item, Song) else item.text):
                rep.empty_dropped += 1
                continue
            if opt.dedup:
                norm = _norm_text(item.text if isinstance(item, Record) else "\n".join(ln.text for ln in item.lines))
                dup = seen[role].check(norm)
                if dup == "exact":
                    rep.duplicates_dropped += 1
                    continue
                if dup == "near":
                    rep.near_duplicates_dropped += 1
                    continue
            rep.kept += 1
            kept += 1
            stats["records"] += 1
            label = item.mood if isinstance(item, Song) else item.label
            if label:
                stats["labels"][label] += 1
            yield item
        if stats is not None:
            stats["labels"] = dict(sorted(stats["labels"].items()))
    if kept == 0:
        where = ", ".join(str(p) for p in paths)
        what, fix = {
            "songs": ("songs", ".txt songs or a CSV/TSV/JSONL with a lyrics column"),
            "texts": ("texts", "a CSV/TSV/JSONL with a text, comment or sentence column"),
            "both": ("songs or texts", ".txt songs or a CSV/TSV/JSONL with a lyrics, text, comment or sentence column"),
        }[opt.want]
        raise LyricistError(f"no {what} found in {where}: add {fix} (or pass --text-col)")


def _note_decoding(rep: ReadReport, path: Path, bad: int) -> None:
    if bad:
        rep.decode_error_lines += bad
        rep.warnings.append(f"{path.name}: {bad} line{'s' if bad != 1 else ''} had non-UTF-8 bytes (replaced)")


def _read_txt(path: Path, role: str, rep: ReadReport, mapping: dict | None) -> Iterator[tuple[str, Song | Record]]:
    """One song per ``.txt`` file (small, so read whole); or one text per line for read_texts."""
    rep.files += 1
    if role == "texts":  # a named .txt given to read_texts: one text per line
        lines = _Lines(path)
        try:
            for line in lines:
                text = clean_text(line)
                if text:  # blank lines separate nothing here
                    yield "texts", Record(text, None, f"{path}:{lines.number}")
        finally:
            lines.close()
        _note_decoding(rep, path, lines.bad)
        return
    with _open_bytes(path) as f:
        data = f.read(MAX_SONG_BYTES + 1)
    if len(data) > MAX_SONG_BYTES:
        rep.warnings.append(f"{path.name}: bigger than {MAX_SONG_BYTES // 1_000_000} MB, so not one song (skipped)")
        return
    text, bad = _decode(data)
    _note_decoding(rep, path, bad)
    song = _parse(text, source=str(path), strict=True, mapping=mapping)
    song.title = song.title or path.name.split(".")[0].replace("_", " ")  # untitled: the file name
    yield "songs", song


def _read_table(path: Path, fmt: str, explicit: bool, opt: _Options) -> Iterator[tuple[str, Song | Record]]:
    """Songs or records from one CSV/TSV/JSONL file, streamed row by row."""
    rep = opt.report
    table = _Table(path, fmt)
    try:
        if table.empty:
            rep.files += 1
            rep.warnings.append(f"{path.name}: empty")
            return
        cols = table.columns
        text_col = _find_column(cols, opt.text_col, TEXT_COLUMNS)
        if text_col is None:
            if explicit:
                hint = f"no column {opt.text_col!r}" if opt.text_col else "no text column"
                raise LyricistError(f"{hint} in {path.name}: columns are {', '.join(cols) or '(none)'}; "
                                    f"pass --text-col")
            if not opt.text_col:
                rep.warnings.append(f"{path.name}: skipped, no text column (columns are {', '.join(cols)})")
            return
        role = "songs" if text_col.lower() in SONG_TEXT_COLUMNS else "texts"
        if opt.want != "both":
            if not explicit and role != opt.want:
                return  # inside a folder: lyrics files are songs, the others texts
            role = opt.want
        rep.files += 1
        label_col = _find_column([c for c in cols if opt.label_col or c not in table.nested], opt.label_col,
                                 SONG_LABEL_COLUMNS if role == "songs" else LABEL_COLUMNS)
        if opt.label_col and label_col is None:
            raise LyricistError(f"no column {opt.label_col!r} in {path.name}: columns are {', '.join(cols)}; "
                                f"pass --label-col")
        if label_col == text_col:
            label_col = None
        title_col = _find_column(cols, None, TITLE_COLUMNS) if role == "songs" else None
        artist_col = _find_column(cols, None, ARTIST_COLUMNS) if role == "songs" else None
        used = {text_col, label_col, title_col, artist_col}

        rows = iter(table)
        peek = []
        if label_col:  # buffer a few rows so the file's numeric label scheme is known up front
            for row in rows:
                peek.append(row)
                if len(peek) >= PEEK_LABELS:
                    break
        labels = _LabelReader(opt.kind, opt.label_map,
                              [r.get(label_col) for r in peek] if label_col else [], path.name)

        def all_rows() -> Iterator[dict]:
            yield from peek
            yield from rows

        n = 0
        for n, row in enumerate(all_rows(), start=1):
            where = f"{path}:{n}"
            raw = row.get(text_col)
            text = raw if isinstance(raw, str) else "" if raw is None else str(raw)
            label = labels(row.get(label_col), f"{path.name} row {n}") if label_col else None
            meta = {k: v for k, v in row.items() if k not in used}
            if role == "songs":
                song = _song_from_lines(clean_text(text).split("\n"), source=where)
                song.title = _cell(row.get(title_col)) or song.title
                song.artist = _cell(row.get(artist_col)) or song.artist
                song.mood, song.meta = label, {**song.meta, **meta}
                yield role, song
            else:
                yield role, Record(" ".join(clean_text(text).split("\n")).strip(), label, where, meta)
        if n == 0:
            rep.warnings.append(f"{path.name}: a header but no rows")
    finally:
        table.close()
        _note_decoding(rep, path, table.lines.bad)
        if table.bad_json:
            rep.warnings.append(f"{path.name}: {table.bad_json} line{'s' if table.bad_json != 1 else ''} "
                                f"{'were' if table.bad_json != 1 else 'was'} not a JSON object (skipped; "
                                f"first at line {table.first_bad})")


def _cell(v: Any) -> str:
    return "" if v is None else " ".join(str(v).split())


def read_songs(paths: PathLike | Iterable[PathLike], *, text_col: str | None = None, label_col: str | None = None,
               label_map: dict | None = None, report: ReadReport | None = None,
               dedup: bool = True) -> Iterator[Song]:
    """Stream the songs in ``paths``: cleaned, sectioned, deduplicated.

    Folders give their ``.txt`` songs and the CSV/TSV/JSONL files whose text column is
    ``lyrics``/``lyric``; files named directly are always read. The label column of a
    song file is its mood.

    Args:
        paths: files and folders.
        text_col, label_col: column names (default: detected, see :data:`TEXT_COLUMNS`).
        label_map: ``{raw: mood}`` overriding the normalisation.
        report: filled in while reading.
        dedup: drop exact and near duplicates (first 12 words).
    Raises:
        LyricistError: a missing path, unknown format, binary file, missing column, unknown
            label, or no songs at all.

    Example:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "rain.txt").write_text("mood: sad\\n\\n[Chorus]\\nlet it pour")
        >>> [(s.title, s.mood, s.lines[0].section, s.lines[0].text) for s in read_songs([d])]
        [('rain', 'sad', 'chorus', 'let it pour')]
    """
    opt = _Options("songs", text_col, label_col, label_map, "mood", report or ReadReport(), dedup)
    for item in _read(paths, opt):
        yield item  # type: ignore[misc]


def read_texts(paths: PathLike | Iterable[PathLike], *, text_col: str | None = None, label_col: str | None = None,
               label_map: dict | None = None, kind: str = "sentiment", report: ReadReport | None = None,
               dedup: bool = True) -> Iterator[Record]:
    """Stream labeled (or unlabeled) texts: comments, sentences, lyric lines.

    Folders give the CSV/TSV/JSONL files whose text column is ``text``, ``comment`` or
    ``sentence``; files named directly are always read (a ``.txt`` gives one text per line).
    Numeric labels are read with the scheme that fits the file's first 1000 labels.

    Args:
        paths: files and folders.
        text_col, label_col: column names (default: detected).
        label_map: ``{raw: label}`` overriding the normalisation.
        kind: ``"sentiment"``, ``"mood"`` or ``"raw"`` (labels kept as written).
        report: filled in while reading.
        dedup: drop exact and near duplicates (first 12 words).

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "sst.tsv"
        >>> _ = p.write_text("label\\tsentence\\n4\\tA gem .\\n2\\tIt exists .\\n0\\tDreadful .\\n")
        >>> [(r.text, r.label) for r in read_texts([p])]
        [('A gem .', 'positive'), ('It exists .', 'neutral'), ('Dreadful .', 'negative')]
    """
    if kind not in KINDS:
        raise LyricistError(f"unknown label kind {kind!r}: use one of {', '.join(KINDS)}")
    opt = _Options("texts", text_col, label_col, label_map, kind, report or ReadReport(), dedup)
    for item in _read(paths, opt):
        yield item  # type: ignore[misc]


# ----------------------------------------------------------------- stats
def parse_label_map(pairs: Iterable[str] | None) -> dict | None:
    """Parse ``RAW=LABEL`` pairs given on the command line into a label mapping.

    Example:
        >>> parse_label_map(["4=positive", "meh=neutral"])
        {'4': 'positive', 'meh': 'neutral'}
        >>> parse_label_map([]) is None
        True
    """
    out: dict[str, str] = {}
    for pair in pairs or ():
        raw, sep, label = pair.partition("=")
        if not sep or not raw.strip() or not label.strip():
            raise LyricistError(f"--label-map takes RAW=LABEL (for example 4=positive), not {pair!r}")
        out[raw.strip()] = label.strip()
    return out or None


def corpus_stats(paths: PathLike | Iterable[PathLike], *, text_col: str | None = None,
                 label_col: str | None = None, label_map: dict | None = None) -> dict:
    """Counts that describe a corpus, reading each file once (JSON-able; ``lyricist corpus stats``).

    Returns:
        ``{"files", "rows", "songs", "lines", "words", "vocabulary", "moods", "sections", "texts",
        "labels", "splits", "duplicates_dropped", "near_duplicates_dropped", "empty_dropped",
        "decode_error_lines", "by_file": [{"path", "kind", "rows", "records", "labels"}],
        "warnings", "seconds"}``. ``rows`` counts songs and texts before dropping any.

    Example:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "rain.txt").write_text("mood: sad\\n\\n[Verse]\\nGrey sky\\n\\n[Chorus]\\nLet it pour")
        >>> _ = (d / "comments.csv").write_text("comment,label\\nlove it,positive\\n")
        >>> s = corpus_stats([d])
        >>> s["songs"], s["lines"], s["moods"], s["sections"], s["texts"], s["labels"]
        (1, 2, {'sad': 1}, {'chorus': 1, 'verse': 1}, 1, {'positive': 1})
    """
    t0 = time.perf_counter()
    rep = ReadReport()
    opt = _Options("both", text_col, label_col, label_map, "auto", rep, True)
    songs = texts = lines = words = 0
    vocab: set[str] = set()
    moods, sections, labels = Counter(), Counter(), Counter()
    splits = {"songs": Counter(), "texts": Counter()}
    for item in _read(paths, opt):
        if isinstance(item, Song):
            songs += 1
            lines += len(item.lines)
            if item.mood:
                moods[item.mood] += 1
            for name, _ in item.sections():
                sections[name or "unmarked"] += 1
            toks = [w for ln in item.lines for w in _WORD.findall(ln.text.lower())]
            splits["songs"][item.split] += 1
        else:
            texts += 1
            if item.label:
                labels[item.label] += 1
            toks = _WORD.findall(item.text.lower())
            splits["texts"][item.split] += 1
        words += len(toks)
        vocab.update(toks)
    return {
        "files": rep.files, "rows": rep.rows, "songs": songs, "lines": lines, "words": words,
        "vocabulary": len(vocab), "moods": dict(sorted(moods.items())), "sections": dict(sorted(sections.items())),
        "texts": texts, "labels": dict(sorted(labels.items())),
        "splits": {k: {s: v[s] for s in ("train", "val", "test")} for k, v in splits.items()},
        "duplicates_dropped": rep.duplicates_dropped, "near_duplicates_dropped": rep.near_duplicates_dropped,
        "empty_dropped": rep.empty_dropped, "decode_error_lines": rep.decode_error_lines,
        "by_file": rep.by_file, "warnings": rep.warnings, "seconds": round(time.perf_counter() - t0, 3),
    }
