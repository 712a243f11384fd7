"""Bulk classification: a comments file streamed through a scorer into counts and a predictions CSV.

:func:`classify_file` reads any file :func:`lyricist.lang.corpus.read_texts`
reads (CSV/TSV/JSONL/TXT, ``.gz`` too) in batches, so memory stays flat on
big files, and writes the predictions CSV atomically.

Example:
    >>> classify_file("comments.csv", out="preds.csv", scorer="lexicon")["n"]  # doctest: +SKIP
    840
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path
from typing import Optional

from lyricist.core.config import SENTIMENT_LABELS
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report
from lyricist.lang.corpus import ReadReport, open_bytes, read_texts
from lyricist.tone.report import language_warning
from lyricist.tone.scorers import load_scorer

#: Most texts in one model call.
MAX_BATCH = 4096


def _count_rows(path: Path) -> int:
    """Rough number of records in a file (newline count), for the progress bar.

    Opens the file as the reader does (a ``.gz`` decompressed with a bound); a file it cannot
    read counts 0, and the reader then says what is wrong with it.
    """
    n = 0
    try:
        with open_bytes(path) as f:
            while block := f.read(1 << 20):
                n += block.count(b"\n")
    except (OSError, LyricistError):
        return 0
    return max(1, n)


def classify_file(path: str | os.PathLike, text_col: str | None = None, model: str | os.PathLike | None = None,
                  out: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
                  batch_size: int = 256, *, scorer: str = "auto", max_rows: int = 1000) -> dict:
    """Classify every text of a comments file in batches, streaming; optionally write a predictions CSV.

    Args:
        path: a CSV/TSV/JSONL/TXT file (``.gz`` too) with one comment per row.
        text_col: the column holding the text (default: detected).
        model: a sentiment checkpoint folder (default: ``scorer`` from ./checkpoints).
        out: write ``text,label,valence,p_negative,p_neutral,p_positive`` here (atomically).
        progress: ``(fraction, message)`` callback.
        batch_size: texts per model call (at most :data:`MAX_BATCH`; more is clamped).
        scorer: scorer kind when ``model`` is not given.
        max_rows: rows returned in the result (the CSV gets all of them).
    Returns:
        ``{"n", "counts": {label: n}, "shares", "mean_valence", "rows": [{"text","label","valence"}...],
        "rows_truncated", "out", "model", "seconds", "ms_per_item", "warnings"}``: ``warnings`` says when
        the texts do not look like English or a few rows had non-UTF-8 bytes (a file that is mostly
        not UTF-8 is an error).

    Example:
        >>> classify_file("comments.csv", out="preds.csv")["counts"]  # doctest: +SKIP
        {'negative': 120, 'neutral': 200, 'positive': 520}
    """
    path = Path(path)
    if not path.exists():
        raise LyricistError(f"no such file: {path} (check the path)")
    if path.is_dir():
        raise LyricistError(f"{path} is a folder: pass one comments file")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise LyricistError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
    batch_size = min(batch_size, MAX_BATCH)  # a bigger batch would hold the whole file and stall the progress bar
    sc = load_scorer("auto" if model else scorer, model)
    rep = ReadReport()
    sample: list[str] = []  # the first texts, for the language check
    sample_chars = 0
    total = _count_rows(path)
    counts = {lab: 0 for lab in SENTIMENT_LABELS}
    rows, n, bad, vsum, t0 = [], 0, 0, 0.0, time.perf_counter()
    writer = tmp = fh = None
    if out:
        out = Path(out)
        if out.resolve() == path.resolve():
            raise LyricistError(f"{out} is the input file: pass --out with another path so it is not overwritten")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        fh = open(tmp, "w", newline="", encoding="utf-8")
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "valence", "p_negative", "p_neutral", "p_positive"])
    try:
        batch: list[str] = []

        def flush():
            nonlocal n, vsum
            for text, r in zip(batch, sc.predict(batch)):
                n += 1
                vsum += r["valence"]
                counts[r["label"]] += 1
                if len(rows) < max_rows:
                    rows.append({"text": text, "label": r["label"], "valence": r["valence"]})
                if writer:
                    p = r["probs"]
                    writer.writerow([text, r["label"], r["valence"], p["negative"], p["neutral"], p["positive"]])
            batch.clear()
            # A file in another encoding (Latin-1, UTF-16...) shows undecodable bytes on many rows:
            # stop rather than classify mojibake. A stray bad byte in a big file is only a warning.
            # (the reader replaces undecodable bytes by U+FFFD and counts them only at the end of the file)
            if bad and bad >= max(1, n // 100):
                raise LyricistError(f"{path.name} is not UTF-8 text ({bad:,} of the first {n:,} rows had "
                                    f"invalid bytes): save it as UTF-8 and try again")
            report(progress, n / total if total else 0.0, f"{n:,} texts")

        # dedup=False: one prediction per input row, duplicates included
        for rec in read_texts([path], text_col=text_col, kind="sentiment", dedup=False, report=rep):
            if len(sample) < 500 and sample_chars < 20_000:  # enough to tell the language; spaCy on a
                sample.append(rec.text[:2_000])              # 100k-character review would take seconds
                sample_chars += len(sample[-1])
            bad += "\ufffd" in rec.text
            batch.append(rec.text)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    except BaseException:
        if fh:
            fh.close()
            tmp.unlink(missing_ok=True)
        raise
    if fh:
        fh.close()
        os.replace(tmp, out)
    if n == 0:
        raise LyricistError(f"no texts found in {path}: check the file and --text-col")
    secs = time.perf_counter() - t0
    report(progress, 1.0, f"{n:,} texts")
    warnings = [w for w in [language_warning(sample)] if w] + list(rep.warnings)
    return {"n": n, "counts": counts, "shares": {k: round(v / n, 4) for k, v in counts.items()},
            "mean_valence": round(vsum / n, 4), "rows": rows, "rows_truncated": n > len(rows),
            "out": str(out) if out else None, "model": f"{sc.name} ({sc.source})", "seconds": round(secs, 3),
            "ms_per_item": round(1000 * secs / n, 3), "warnings": warnings}
