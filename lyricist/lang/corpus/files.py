"""Corpus files: finding them, fingerprinting them, and opening them as streamed text lines or table rows.

:func:`expand_paths` turns files and folders into the readable files they
name; :func:`open_bytes` opens one (``.gz`` too) and refuses binary files;
:class:`TextLines` streams its decoded lines, counting those that held bytes
that are not UTF-8; :class:`Table` streams the rows of a CSV/TSV/JSONL file.
Nothing here knows about songs or labels.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("Text,label\\nhi,pos\\n")
    >>> table = Table(p, format_of(p))
    >>> table.columns, find_column(table.columns, None, ("text",)), list(table)
    (['Text', 'label'], 'Text', [{'Text': 'hi', 'label': 'pos'}])
    >>> table.close()
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import sys
import zlib
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence

from lyricist.core.checkpoint import file_sha1
from lyricist.core.errors import LyricistError

PathLike = str | os.PathLike

FORMATS = {".txt": "txt", ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl"}

_UNKNOWN_FORMAT = "use .txt, .csv, .tsv, .jsonl (optionally .gz)"


def format_of(path: Path) -> str | None:
    """``"txt"``, ``"csv"``, ``"tsv"`` or ``"jsonl"`` from the file name (``.gz`` looked through), else None."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(os.path.splitext(name)[1])


def expand_paths(paths: PathLike | Iterable[PathLike]) -> list[tuple[Path, bool]]:
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
            found = sorted(f for f in p.rglob("*") if f.is_file() and format_of(f)
                           and not any(part.startswith((".", "~$", "__")) for part in f.relative_to(p).parts))
            files = [(f, False) for f in found]
        else:
            if not format_of(p):
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
    return [f for f, _ in expand_paths(paths)]


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
        for f, _ in expand_paths([p]):
            rel = f.relative_to(p).as_posix() if p.is_dir() else f.name
            entries.append(f"{rel}\t{f.stat().st_size}\t{file_sha1(f)}")
    return hashlib.sha1("\n".join(sorted(entries)).encode("utf-8")).hexdigest()[:16]


#: A .gz may expand to at most this many times its size on disk (text compresses 3-10 times;
#: only a crafted "gzip bomb" goes near gzip's ~1000x), and always to at least GZIP_MIN_LIMIT.
GZIP_MAX_RATIO = 100
GZIP_MIN_LIMIT = 4_000_000  # twice the biggest .txt song the readers take (MAX_SONG_BYTES)
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


class _BoundedGzip(io.RawIOBase):
    """A ``.gz`` decompressed with a bound, its errors turned into one-line :class:`LyricistError`.

    Opening it first decompresses the whole stream once without keeping it (fast, flat memory),
    so a damaged file or one that expands to more than ``max(GZIP_MIN_LIMIT, GZIP_MAX_RATIO *
    size on disk)`` bytes (a gzip bomb) is refused before any row is read, in bounded time.
    """

    def __init__(self, path: Path):
        self.path = path
        self.limit = max(GZIP_MIN_LIMIT, GZIP_MAX_RATIO * path.stat().st_size)
        self.out = 0
        self._gz = gzip.open(path, "rb")
        try:
            buf = bytearray(1 << 20)
            while self.readinto(buf):
                pass
            self.seek(0)
        except BaseException:
            self._gz.close()
            raise

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("only a rewind to the start")
        self._gz.seek(0)
        self.out = 0
        return 0

    def readinto(self, b) -> int:
        try:
            n = self._gz.readinto(b)
        except _DECOMPRESS_ERRORS as e:
            if not self.out:
                raise LyricistError(f"cannot read {self.path.name} ({e.__class__.__name__}: {e}): "
                                    f"check that it is a valid .gz or plain text file") from None
            raise LyricistError(f"{self.path.name} is damaged ({e.__class__.__name__}: {e}) after "
                                f"{self.out:,} bytes: re-download or re-compress it") from None
        self.out += n
        if self.out > self.limit:
            raise LyricistError(f"{self.path.name} expands to more than {self.limit:,} bytes from "
                                f"{self.path.stat().st_size:,} on disk, so it looks like a gzip bomb: "
                                f"decompress it yourself and pass the plain file")
        return n

    def close(self) -> None:
        if not self.closed:
            self._gz.close()
        super().close()


def open_bytes(path: Path) -> IO[bytes]:
    """Open (and decompress, with a bound) ``path``; refuse binary files (NUL in the first 8 KB).

    Reading a ``.gz`` that is damaged or expands far beyond its size raises :class:`LyricistError`.
    """
    f: IO[bytes] = io.BufferedReader(_BoundedGzip(path)) if path.name.lower().endswith(".gz") else open(path, "rb")
    try:
        head = f.read(8192)
        f.seek(0)
    except _DECOMPRESS_ERRORS as e:
        f.close()
        raise LyricistError(f"cannot read {path.name} ({e.__class__.__name__}: {e}): "
                            f"check that it is a valid .gz or plain text file") from None
    except BaseException:
        f.close()
        raise
    if b"\x00" in head:
        f.close()
        raise LyricistError(f"{path.name} looks binary, not text: save it as UTF-8 text "
                            f"({_UNKNOWN_FORMAT.removeprefix('use ')})")
    return f


# Bytes that are not UTF-8 decode to U+FFFF first (a noncharacter, absent from real text),
# so a line that had them can be told from one that already held a U+FFFD; then U+FFFD.
_BAD = "\uffff"
codecs.register_error("lyricist.mark", lambda e: (_BAD, e.end))


def decode_bytes(data: bytes) -> tuple[str, int]:
    """Decode a small file: ``(text, lines that had non-UTF-8 bytes)``."""
    text = data.decode("utf-8-sig", errors="lyricist.mark")
    if _BAD not in text:
        return text, 0
    return text.replace(_BAD, "\ufffd"), sum(_BAD in ln for ln in text.splitlines())


class TextLines:
    """Decoded lines of one file, streamed, counting the lines that had non-UTF-8 bytes.

    ``newline=""`` keeps line endings as they are (the csv module needs them) while still
    splitting on ``\\r``, ``\\n`` and ``\\r\\n``; ``utf-8-sig`` drops a leading BOM.
    """

    def __init__(self, path: Path):
        self.path = path
        self.bad = 0
        self.number = 0
        self._raw = open_bytes(path)
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", errors="lyricist.mark", newline="")

    def __iter__(self) -> Iterator[str]:
        try:
            for line in self._text:
                self.number += 1
                if _BAD in line:
                    self.bad += 1
                    line = line.replace(_BAD, "\ufffd")
                yield line
        except _DECOMPRESS_ERRORS as e:
            raise LyricistError(f"{self.path.name} is damaged ({e.__class__.__name__}: {e}) after line "
                                f"{self.number}: re-download or re-compress it") from None

    def close(self) -> None:
        self._text.close()


class Table:
    """Rows of a CSV/TSV/JSONL file with their column names, streamed."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = path, fmt
        self.lines = TextLines(path)
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
        except (ValueError, RecursionError):  # RecursionError: nested too deep ("[[[[..." x 100k)
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


def find_column(columns: Sequence[str], wanted: str | None, candidates: Sequence[str]) -> str | None:
    """The column named ``wanted`` (case-insensitive), else the first candidate present."""
    by_lower = {c.lower(): c for c in columns}
    if wanted:
        return by_lower.get(wanted.strip().lower())
    for c in candidates:
        if c in by_lower:
            return by_lower[c]
    return None
