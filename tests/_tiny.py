"""Tiny real checkpoints of every default model, built once per test session (about a minute).

Imported by tests/test_app.py and tests/test_browser.py; the build is memoised here so
both files share one set even though each declares its own fixture.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_ROOT: Path | None = None


def tiny_root() -> Path:
    """A folder with all six default models at preset ``tiny`` (built on first call)."""
    global _ROOT
    reuse = os.environ.get("LYRICIST_TINY_ROOT")  # a folder built before, to iterate on the tests quickly
    if _ROOT is None and reuse and Path(reuse).is_dir():
        _ROOT = Path(reuse)
    if _ROOT is None:
        import torch

        from lyricist.app.defaults import build_tiny_checkpoints

        threads = torch.get_num_threads()
        torch.set_num_threads(min(2, threads))
        root = Path(tempfile.mkdtemp(prefix="lyricist-tiny-")) / "checkpoints"
        try:
            build_tiny_checkpoints(root)
        finally:
            torch.set_num_threads(threads)
        _ROOT = root
    return _ROOT


@contextlib.contextmanager
def checkpoints_env(root: os.PathLike | str):
    """Point ``$LYRICIST_CHECKPOINTS`` at ``root`` for the duration (the app reads it in-process)."""
    old = os.environ.get("LYRICIST_CHECKPOINTS")
    os.environ["LYRICIST_CHECKPOINTS"] = str(root)
    try:
        yield Path(root)
    finally:
        if old is None:
            os.environ.pop("LYRICIST_CHECKPOINTS", None)
        else:
            os.environ["LYRICIST_CHECKPOINTS"] = old
