"""Reading corpora: :func:`read_songs`, :func:`read_texts` and :func:`corpus_stats`, over one reading loop.

The loop expands the paths, reads each file (a ``.txt`` song whole, tables row
by row), drops empty rows and exact and near duplicates, counts everything in
a :class:`~lyricist.lang.corpus.records.ReadReport`, and raises when nothing
was found. Columns are detected from the names below unless given.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "comments.csv"
    >>> _ = p.write_text("comment,label\\nlove it,pos\\nLove it!,pos\\nmeh,neutral\\n")
    >>> rep = ReadReport()
    >>> [(r.text, r.label) for r in read_texts([p], report=rep)], rep.duplicates_dropped
    ([('love it', 'positive'), ('meh', 'neutral')], 1)
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from lyricist.core.errors import LyricistError
from lyricist.lang.corpus.clean import clean_text, norm_text, word_tokens
from lyricist.lang.corpus.files import (PathLike, Table, TextLines, decode_bytes, expand_paths, find_column,
                                        format_of, open_bytes)
from lyricist.lang.corpus.identity import Dedup
from lyricist.lang.corpus.labels import KINDS, LabelReader
from lyricist.lang.corpus.parse import parse_song_text, song_from_lines
from lyricist.lang.corpus.records import ReadReport, Record, Song

#: Column names tried, in order, when no column is given (matched case-insensitively).
TEXT_COLUMNS = ("lyrics", "lyric", "text", "comment", "sentence")
SONG_TEXT_COLUMNS = ("lyrics", "lyric")
LABEL_COLUMNS = ("label", "sentiment", "mood", "emotion", "class")
SONG_LABEL_COLUMNS = ("mood", "label", "emotion", "class")  # a song's label is its mood
TITLE_COLUMNS = ("title", "song")
ARTIST_COLUMNS = ("artist",)
MAX_SONG_BYTES = 2_000_000  # a bigger .txt is not one song
PEEK_LABELS = 1000  # labels looked at to decide a file's numeric scheme


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
    files = expand_paths(paths)
    kept = 0
    seen = {"songs": Dedup(), "texts": Dedup()}
    rep = opt.report
    for path, explicit in files:
        fmt = format_of(path)
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
                norm = norm_text(item.text if isinstance(item, Record) else "\n".join(ln.text for ln in item.lines))
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


def _listed(cols: list[str], most: int = 12, width: int = 40) -> str:
    """Column names for a message: at most ``most`` of them, each cut to ``width`` characters."""
    names = [c if len(c) <= width else c[:width - 3] + "..." for c in cols[:most]]
    more = f" and {len(cols) - most:,} more" if len(cols) > most else ""
    return (", ".join(names) or "(none)") + more


def _note_decoding(rep: ReadReport, path: Path, bad: int) -> None:
    if bad:
        rep.decode_error_lines += bad
        rep.warnings.append(f"{path.name}: {bad} line{'s' if bad != 1 else ''} had non-UTF-8 bytes (replaced)")


def _read_txt(path: Path, role: str, rep: ReadReport, mapping: dict | None) -> Iterator[tuple[str, Song | Record]]:
    """One song per ``.txt`` file (small, so read whole); or one text per line for read_texts."""
    rep.files += 1
    if role == "texts":  # a named .txt given to read_texts: one text per line
        lines = TextLines(path)
        try:
            for line in lines:
                text = clean_text(line)
                if text:  # blank lines separate nothing here
                    yield "texts", Record(text, None, f"{path}:{lines.number}")
        finally:
            lines.close()
        _note_decoding(rep, path, lines.bad)
        return
    with open_bytes(path) as f:
        data = f.read(MAX_SONG_BYTES + 1)
    if len(data) > MAX_SONG_BYTES:
        rep.warnings.append(f"{path.name}: bigger than {MAX_SONG_BYTES // 1_000_000} MB, so not one song (skipped)")
        return
    text, bad = decode_bytes(data)
    _note_decoding(rep, path, bad)
    song = parse_song_text(text, source=str(path), strict=True, mapping=mapping)
    song.title = song.title or path.name.split(".")[0].replace("_", " ")  # untitled: the file name
    yield "songs", song


def _read_table(path: Path, fmt: str, explicit: bool, opt: _Options) -> Iterator[tuple[str, Song | Record]]:
    """Songs or records from one CSV/TSV/JSONL file, streamed row by row."""
    rep = opt.report
    table = Table(path, fmt)
    try:
        if table.empty:
            rep.files += 1
            rep.warnings.append(f"{path.name}: empty")
            return
        cols = table.columns
        text_col = find_column(cols, opt.text_col, TEXT_COLUMNS)
        if text_col is None:
            if explicit:
                hint = f"no column {opt.text_col!r}" if opt.text_col else "no text column"
                raise LyricistError(f"{hint} in {path.name}: columns are {_listed(cols)}; "
                                    f"pass --text-col")
            if not opt.text_col:
                rep.warnings.append(f"{path.name}: skipped, no text column (columns are {_listed(cols)})")
            return
        role = "songs" if text_col.lower() in SONG_TEXT_COLUMNS else "texts"
        if opt.want != "both":
            if not explicit and role != opt.want:
                return  # inside a folder: lyrics files are songs, the others texts
            role = opt.want
        rep.files += 1
        label_col = find_column([c for c in cols if opt.label_col or c not in table.nested], opt.label_col,
                                 SONG_LABEL_COLUMNS if role == "songs" else LABEL_COLUMNS)
        if opt.label_col and label_col is None:
            raise LyricistError(f"no column {opt.label_col!r} in {path.name}: columns are {_listed(cols)}; "
                                f"pass --label-col")
        if label_col == text_col:
            label_col = None
        title_col = find_column(cols, None, TITLE_COLUMNS) if role == "songs" else None
        artist_col = find_column(cols, None, ARTIST_COLUMNS) if role == "songs" else None
        used = {text_col, label_col, title_col, artist_col}

        rows = iter(table)
        peek = []
        if label_col:  # buffer a few rows so the file's numeric label scheme is known up front
            for row in rows:
                peek.append(row)
                if len(peek) >= PEEK_LABELS:
                    break
        labels = LabelReader(opt.kind, opt.label_map,
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
                song = song_from_lines(clean_text(text).split("\n"), source=where)
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
            toks = [w for ln in item.lines for w in word_tokens(ln.text)]
            splits["songs"][item.split] += 1
        else:
            texts += 1
            if item.label:
                labels[item.label] += 1
            toks = word_tokens(item.text)
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
