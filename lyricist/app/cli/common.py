"""What every command shares: the typer apps, one-line errors, ``--json`` output, option types.

Example:
    >>> from typer.testing import CliRunner
    >>> CliRunner().invoke(app, ["--version"]).output.strip() == __import__("lyricist").__version__
    True
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable

import typer

from lyricist.core.errors import LyricistError
from lyricist.core.progress import is_main_process

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


def log_line(message: str) -> None:
    """One log line on stderr (only from the main process of a distributed run)."""
    if is_main_process():
        typer.echo(message, err=True)


def emit(result: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    """Print ``result`` as one JSON document, or as human-readable text (main process only)."""
    if not is_main_process():
        return
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif human is not None:
        typer.echo(human(result))
    else:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


# Shared option types.
JSON = typer.Option(False, "--json", help="Print one JSON document on stdout.")
PathsArg = typer.Argument(..., help="Files or folders (.txt songs, .csv/.tsv, .jsonl, optionally .gz).")
LabelMap = typer.Option(None, "--label-map", help="Map a raw label to ours: RAW=LABEL (repeatable), e.g. 4=positive.")


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")) -> None:
    if version:
        from lyricist.core.config import VERSION

        typer.echo(VERSION)
        raise typer.Exit(0)
