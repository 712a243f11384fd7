"""The ``lyricist`` command line: a thin typer layer over the library.

Each command parses its arguments and calls one library function. Commands
that produce results take ``--json`` and then print exactly one JSON document
on stdout; progress and logs go to stderr. Bad input exits with code 2 and one
line on stderr (see :class:`lyricist.errors.LyricistError`).

Example:
    $ lyricist rhymes fire --json
    {"word": "fire", "syllables": 2, "perfect": ["desire", "higher", ...], ...}
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from lyricist.errors import LyricistError

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="lyricist: draft lyrics, score emotional tone, explore similar words.")
train_app = typer.Typer(no_args_is_help=True, help="Train models (embeddings, sentiment, mood, generator, all).")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate models on labeled data or standard test sets.")
corpus_app = typer.Typer(no_args_is_help=True, help="Inspect corpora.")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(corpus_app, name="corpus")


def fail(message: str) -> None:
    """Print one line on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def handled(fn: Callable) -> Callable:
    """Turn user-facing errors into one stderr line and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LyricistError as e:
            fail(str(e))
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        except MemoryError:
            fail("out of memory: use a smaller input or a smaller --preset")

    return wrapper


def emit(result: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    """Print ``result`` as one JSON document, or as human-readable text."""
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif human is not None:
        typer.echo(human(result))
    else:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


# Shared option types.
JSON = typer.Option(False, "--json", help="Print one JSON document on stdout.")
PathsArg = typer.Argument(..., help="Files or folders (.txt songs, .csv/.tsv, .jsonl, optionally .gz).")


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")) -> None:
    if version:
        from lyricist.config import VERSION

        typer.echo(VERSION)
        raise typer.Exit(0)


# ----------------------------------------------------------------- corpus & prosody
@corpus_app.command("stats")
@handled
def corpus_stats_cmd(paths: List[Path] = PathsArg,
                     text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                     label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the label."),
                     as_json: bool = JSON) -> None:
    """Songs, lines, words, vocabulary, labels and duplicates dropped."""
    from lyricist.corpus import corpus_stats

    emit(corpus_stats([str(p) for p in paths], text_col=text_col, label_col=label_col), as_json, _stats_text)


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
               as_json: bool = JSON) -> None:
    """Perfect, near and multi-syllable rhymes from the CMU dictionary."""
    from lyricist.prosody import rhymes

    r = rhymes(word, near=near)
    emit(r, as_json, lambda r: "\n".join(
        f"{k}: {', '.join(r[k][:40])}" for k in ("perfect", "near", "multi") if r.get(k)) or "no rhymes found")


# ----------------------------------------------------------------- embeddings (similar, analogy, eval embeddings)
# (end embeddings)


# ----------------------------------------------------------------- sentiment (score, classify, eval sentiment|mood)
# (end sentiment)


# ----------------------------------------------------------------- generator (generate, eval generator)
# (end generator)


# ----------------------------------------------------------------- train all, demo
# (end demo)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
