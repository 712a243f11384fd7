"""A (bi)LSTM sentence classifier over word vectors, and its config.

The embedding layer starts from word2vec vectors (trainable), two stacked
LSTM layers read the sentence, and masked mean+max pooling over the real
(non-padding) time steps feeds a dropout + linear head with one logit per
class. Padding is id 0 and unknown words are id 1; during training a share
of word ids is replaced by the unknown id ("word dropout") so that the model
learns what to do with words it has never seen.

This module only defines the network. Data loading, vocabularies and the
training loop live in :mod:`lyricist.tone.data`, :mod:`lyricist.tone.vectors`,
:mod:`lyricist.tone.train_lstm` and :mod:`lyricist.core.loop`.

Example:
    >>> import torch
    >>> cfg = LSTMConfig.preset("tiny", vocab_size=50)
    >>> model = LSTMClassifier(cfg)
    >>> ids = torch.tensor([[5, 6, 7], [8, 9, 0]])
    >>> out = model(ids, labels=torch.tensor([0, 2]))
    >>> tuple(out.logits.shape), out.loss.ndim
    ((2, 3), 0)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lyricist.core.errors import LyricistError

PAD_ID = 0
UNK_ID = 1


@dataclass
class LSTMConfig:
    """Shape of an :class:`LSTMClassifier` (saved in the checkpoint and used to rebuild it)."""

    vocab_size: int = 2
    """Rows of the embedding table, padding (0) and unknown (1) included."""
    embed_dim: int = 100
    """Width of a word vector; must match the word2vec vectors used to initialise it."""
    hidden: int = 128
    """LSTM hidden size per direction."""
    layers: int = 2
    """Stacked LSTM layers."""
    bidirectional: bool = True
    """Read the sentence in both directions."""
    dropout: float = 0.3
    """Dropout between LSTM layers and before the output layer."""
    embed_dropout: float = 0.2
    """Dropout on the word vectors."""
    word_dropout: float = 0.05
    """Share of word ids replaced by the unknown id during training (teaches OOV handling)."""
    pooling: str = "meanmax"
    """How time steps become one vector: ``mean``, ``max`` or ``meanmax`` (both, concatenated)."""
    n_classes: int = 3
    """Number of output classes (negative, neutral, positive)."""

    def __post_init__(self):
        if self.vocab_size < 2:
            raise LyricistError(f"vocab_size must be at least 2 (padding and unknown), got {self.vocab_size}")
        if self.embed_dim < 1 or self.hidden < 1 or self.layers < 1 or self.n_classes < 2:
            raise LyricistError("embed_dim, hidden and layers must be positive and n_classes at least 2")
        for name in ("dropout", "embed_dropout", "word_dropout"):
            v = getattr(self, name)
            if not 0.0 <= v < 1.0:
                raise LyricistError(f"{name} must be in [0, 1), got {v}")
        if self.pooling not in ("mean", "max", "meanmax"):
            raise LyricistError(f"pooling must be mean, max or meanmax, got {self.pooling!r}")

    @classmethod
    def preset(cls, name: str, **overrides) -> "LSTMConfig":
        """A named preset (``tiny``, ``default``, ``full``) with fields overridden.

        Example:
            >>> LSTMConfig.preset("tiny", vocab_size=10).hidden
            16
        """
        if name not in LSTM_PRESETS:
            raise LyricistError(f"unknown preset {name!r}: use one of {', '.join(LSTM_PRESETS)}")
        return replace(LSTM_PRESETS[name], **overrides)


#: Named presets: ``tiny`` for tests, ``default`` for the bundled corpus, ``full`` for SST-scale data.
LSTM_PRESETS = {
    "tiny": LSTMConfig(embed_dim=16, hidden=16, layers=2, dropout=0.0, embed_dropout=0.0, word_dropout=0.0),
    "default": LSTMConfig(hidden=128, layers=2, dropout=0.3, embed_dropout=0.2, word_dropout=0.05),
    "full": LSTMConfig(hidden=256, layers=2, dropout=0.4, embed_dropout=0.25, word_dropout=0.05),
}


@dataclass
class ClassifierOutput:
    """What :meth:`LSTMClassifier.forward` returns (``loss`` only when labels are given)."""

    logits: torch.Tensor
    loss: Optional[torch.Tensor] = None


class LSTMClassifier(nn.Module):
    """Embedding -> stacked (bi)LSTM -> masked pooling -> dropout -> linear."""

    def __init__(self, cfg: LSTMConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim, padding_idx=PAD_ID)
        self.embed_drop = nn.Dropout(cfg.embed_dropout)
        self.lstm = nn.LSTM(cfg.embed_dim, cfg.hidden, num_layers=cfg.layers, batch_first=True,
                            bidirectional=cfg.bidirectional, dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        width = cfg.hidden * (2 if cfg.bidirectional else 1) * (2 if cfg.pooling == "meanmax" else 1)
        self.drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(width, cfg.n_classes)

    def init_embeddings(self, vectors: torch.Tensor) -> None:
        """Copy pretrained vectors, shape ``(vocab_size, embed_dim)``, into the (trainable) table."""
        if tuple(vectors.shape) != tuple(self.embed.weight.shape):
            raise LyricistError(f"vectors of shape {tuple(vectors.shape)} do not fit the embedding table "
                                f"{tuple(self.embed.weight.shape)}")
        with torch.no_grad():
            self.embed.weight.copy_(vectors)
            self.embed.weight[PAD_ID].zero_()

    def forward(self, input_ids: torch.Tensor, lengths: Optional[torch.Tensor] = None,
                labels: Optional[torch.Tensor] = None, class_weights: Optional[torch.Tensor] = None,
                **_) -> ClassifierOutput:
        """Logits ``(B, n_classes)`` for ids ``(B, T)``; cross-entropy loss when ``labels`` ``(B,)`` are given.

        ``lengths`` ``(B,)`` are the real lengths; by default they are counted
        from the non-padding ids. An empty row is treated as one unknown word.
        """
        mask = input_ids != PAD_ID  # (B, T)
        if lengths is None:
            lengths = mask.sum(1)
        empty = lengths == 0
        if empty.any():  # an empty text reads as a single unknown word
            input_ids = input_ids.clone()
            input_ids[empty, 0] = UNK_ID
            mask = input_ids != PAD_ID
            lengths = lengths.clamp(min=1)
        if self.training and self.cfg.word_dropout > 0:
            drop = (torch.rand(input_ids.shape, device=input_ids.device) < self.cfg.word_dropout) & mask
            input_ids = input_ids.masked_fill(drop, UNK_ID)
        x = self.embed_drop(self.embed(input_ids))  # (B, T, E)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=input_ids.shape[1])  # (B, T, H*dirs)
        m = mask.unsqueeze(-1).to(h.dtype)  # (B, T, 1)
        parts = []
        if self.cfg.pooling in ("mean", "meanmax"):
            parts.append((h * m).sum(1) / m.sum(1).clamp(min=1.0))  # (B, H*dirs)
        if self.cfg.pooling in ("max", "meanmax"):
            parts.append(h.masked_fill(m == 0, float("-inf")).max(1).values)  # (B, H*dirs)
        logits = self.head(self.drop(torch.cat(parts, dim=-1)))  # (B, C)
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.float(), labels, weight=class_weights)
        return ClassifierOutput(logits=logits, loss=loss)
