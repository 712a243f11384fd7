"""Shared test setup: offline, quiet, seeded, and accelerate reset between tests."""

import os
import tempfile

import pytest

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Like CI's clean clone: no default models exist unless a test builds them. A test that
# needs models builds tiny ones and points LYRICIST_CHECKPOINTS (or --model) at them.
os.environ["LYRICIST_CHECKPOINTS"] = tempfile.mkdtemp(prefix="lyricist-tests-")


@pytest.fixture(autouse=True)
def _reset_accelerate():
    """Accelerate keeps a process-wide singleton; each test starts clean."""
    from lyricist.core.loop import reset_accelerate_state

    reset_accelerate_state()
    yield
    reset_accelerate_state()
