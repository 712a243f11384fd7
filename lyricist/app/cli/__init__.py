"""The ``lyricist`` command line: a thin typer layer over the library, one module per job.

Each command parses its arguments and calls one library function. Commands that produce
results take ``--json`` and then print exactly one JSON document on stdout; progress and logs
go to stderr. Bad input exits with code 2 and one line on stderr (see
:class:`lyricist.core.errors.LyricistError`).

| module | commands |
|---|---|
| ``common`` | the typer apps, ``--version``, one-line errors, ``--json`` output |
| ``corpus`` | ``corpus stats``, ``rhymes`` |
| ``explore`` | ``train embeddings``, ``similar``, ``analogy``, ``eval embeddings``, ``explore ...`` |
| ``tone`` | ``score``, ``classify``, ``eval sentiment``, ``eval mood``, ``train sentiment``, ``train mood`` |
| ``draft`` | ``generate``, ``train generator``, ``eval generator`` |
| ``models`` | ``train all``, ``demo`` |

Every command module imports only typer and light lyricist modules at the top; each command
imports the library it calls, so ``lyricist rhymes`` never loads torch.

Example:
    $ lyricist rhymes fire --json
    {"word": "fire", "syllables": 2, "perfect": ["desire", "higher", ...], ...}
"""

from __future__ import annotations

# importing a command module registers its commands: this order is the order of --help
from lyricist.app.cli import corpus  # noqa: F401, I001
from lyricist.app.cli import explore  # noqa: F401
from lyricist.app.cli import tone  # noqa: F401
from lyricist.app.cli import draft  # noqa: F401
from lyricist.app.cli import models  # noqa: F401
from lyricist.app.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()

