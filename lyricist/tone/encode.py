"""Model inputs and outputs shared by training and the scorers: word ids, padding, batched softmax.

Both sentiment networks take id lists: the LSTM word ids from
:func:`encode_tokens` (padded by :func:`pad_ids`), the transformer word-piece
ids from its tokenizer (padded by :func:`pad_pieces`). :func:`lstm_probs` and
:func:`transformer_probs` run a model over many id lists, batched by similar
length, and return softmax probabilities: the trainers use them to validate,
the scorers (:mod:`lyricist.tone.scorers`) to predict.

Example:
    >>> encode_tokens(["i", "love", "you", "so"], {"<pad>": 0, "<unk>": 1, "love": 2, "you": 3}, max_len=3)
    [1, 2, 3]
    >>> ids, lengths = pad_ids([[2, 3], [4]])
    >>> ids.tolist(), lengths.tolist()
    ([[2, 3], [4, 0]], [2, 1])
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lyricist.lang.text import expand


def encode_tokens(toks: Sequence[str], index: dict[str, int], max_len: int) -> list[int]:
    """Word ids of ``toks`` (unknown words -> 1), truncated to ``max_len``."""
    out = []
    for t in toks[:max_len]:
        i = index.get(t)
        if i is None:
            i = index.get(expand(t), 1)
        out.append(i)
    return out


def pad_ids(rows: Sequence[Sequence[int]]):
    """Right-pad id lists into a ``(B, T)`` long tensor plus lengths ``(B,)`` (empty rows get length 0)."""
    import torch

    width = max(1, max((len(r) for r in rows), default=1))
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        if r:
            ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)


def pad_pieces(rows: Sequence[Sequence[int]], pad_id: int):
    """Right-pad word-piece id lists: ``input_ids`` and ``attention_mask``, both ``(B, T)``."""
    import torch

    width = max(1, max((len(r) for r in rows), default=1))
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, :len(r)] = 1
    return ids, mask


def lstm_probs(model, rows: Sequence[list[int]], device=None, batch_size: int = 256) -> np.ndarray:
    """Softmax probabilities ``(N, C)`` of the LSTM for id lists, batched by similar length."""
    import torch

    out = np.zeros((len(rows), model.cfg.n_classes), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            ids, lengths = pad_ids([rows[i] for i in idx])
            if device is not None:
                ids = ids.to(device)
            logits = model(ids, lengths=lengths).logits.float()  # (B, C)
            out[idx] = torch.softmax(logits, -1).cpu().numpy()
    return out


def transformer_probs(model, rows: Sequence[Sequence[int]], pad_id: int, device=None,
                      batch_size: int = 64, bf16: bool = False) -> np.ndarray:
    """Softmax probabilities ``(N, num_labels)`` for word-piece id lists, batched by similar length.

    ``bf16`` runs the forward pass under bf16 autocast (worth it only where bf16 is in hardware).
    """
    import torch

    n_labels = model.config.num_labels
    out = np.zeros((len(rows), n_labels), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    dev = torch.device(device) if device is not None else next(model.parameters()).device
    with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            ids, mask = pad_pieces([rows[i] for i in idx], pad_id)
            if device is not None:
                ids, mask = ids.to(device), mask.to(device)
            logits = model(input_ids=ids, attention_mask=mask).logits.float()  # (B, L)
            out[idx] = torch.softmax(logits, -1).cpu().numpy()
    return out

