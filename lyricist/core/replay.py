"""What the plain-torch replays of transformers models (:mod:`lyricist.core.bert`, :mod:`lyricist.core.llama`) share.

A folder's fast tokenizer opened through ``tokenizers`` with its ``tokenizer_config.json``, and
modules built under transformers' own parameter names, so that a ``model.safetensors`` written
by transformers loads with a strict key check.

Example:
    >>> import torch
    >>> m = named_module(self=torch.nn.Linear(2, 2))
    >>> sorted(k for k, _ in m.named_parameters())
    ['self.bias', 'self.weight']
"""

from __future__ import annotations

import json
from pathlib import Path

from torch import nn


def read_tokenizer(folder: Path):
    """``(tokenizers.Tokenizer, tokenizer_config dict)`` of a folder, without padding or truncation.

    Raises whatever ``tokenizers`` raises on a missing or damaged ``tokenizer.json`` (the callers then
    fall back to transformers, which gives the user's error); an unreadable config is ``{}``.
    """
    from tokenizers import Tokenizer as RustTokenizer

    tok = RustTokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    try:
        conf = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        conf = {}
    return tok, conf if isinstance(conf, dict) else {}


def named_module(**children) -> nn.Module:
    """An ``nn.Module`` holding ``children`` under these names (``add_module``: BERT names one of them "self")."""
    m = nn.Module()
    for name, child in children.items():
        m.add_module(name, child)
    return m
