"""``lyricist corpus stats`` and ``lyricist rhymes``: the corpus and the pronouncing dictionary."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lyricist.app.cli.common import app, corpus_app, emit, handled, JSON, LabelMap, PathsArg


@corpus_app.command("stats")
@handled
def corpus_stats_cmd(paths: List[Path] = PathsArg,
                     text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                     label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the label."),
                     label_map: Optional[List[str]] = LabelMap,
                     as_json: bool = JSON) -> None:
    """Songs, lines, words, vocabulary, labels and duplicates dropped."""
    from lyricist.lang.corpus import corpus_stats, parse_label_map

    emit(corpus_stats([str(p) for p in paths], text_col=text_col, label_col=label_col,
                      label_map=parse_label_map(label_map)), as_json, _stats_text)


def _stats_text(s: dict) -> str:
    out = [f"files {s['files']}  songs {s['songs']}  lines {s['lines']}  words {s['words']}  "
           f"vocabulary {s['vocabulary']}  texts {s['texts']}"]
    if s.get("moods"):
        out.append("moods: " + ", ".join(f"{k} {v}" for k, v in sorted(s["moods"].items())))
    if s.get("labels"):
        out.append("labels: " + ", ".join(f"{k} {v}" for k, v in sorted(s["labels"].items())))
    out.append(f"dropped: {s['duplicates_dropped']} duplicates, {s['near_duplicates_dropped']} near-duplicates, "
               f"{s['empty_dropped']} empty")
    out += [f"warning: {w}" for w in s.get("warnings", [])]
    return "\n".join(out)


@app.command("rhymes")
@handled
def rhymes_cmd(word: str = typer.Argument(..., help="The word to rhyme."),
               near: bool = typer.Option(False, "--near", help="Also list near (slant) rhymes."),
               names: bool = typer.Option(False, "--names/--no-names",
                                          help="Keep names, surnames and brands (meyer, mcguire)."),
               as_json: bool = JSON) -> None:
    """Perfect, near and multi-syllable rhymes from the CMU dictionary (names left out unless --names)."""
    from lyricist.lang.prosody import rhymes

    r = rhymes(word, near=near, names=names)
    emit(r, as_json, lambda r: "\n".join(
        f"{k}: {', '.join(r[k][:40])}" for k in ("perfect", "near", "multi") if r.get(k)) or "no rhymes found")
