"""``python -m lyricist.app.serve [streamlit flags]``: serve the app with its models warming from the start.

What ``lyricist demo`` runs. It queues the default models (:func:`lyricist.app.warm.start`) on a
background thread, then hands over to ``streamlit run`` in the same process, so the models load while
the server starts and before the first visitor arrives: the first Draft or Score click finds them
ready. Flags after the module name go to ``streamlit run`` unchanged.

Example:
    >>> serve_argv(["--server.port", "8502"])[:2]
    ['streamlit', 'run']
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from lyricist.app import warm
from lyricist.app.defaults import app_path

__all__ = ["serve_argv", "main"]


def serve_argv(flags: Sequence[str]) -> list[str]:
    """The ``streamlit run`` command line for the packaged app with ``flags``."""
    return ["streamlit", "run", str(app_path()), *flags]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Start warming the models, then run the Streamlit server in this process (never returns normally)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warm.start()
    from streamlit.web import cli

    sys.argv = serve_argv(list(sys.argv[1:] if argv is None else argv))
    cli.main()


if __name__ == "__main__":
    main()
