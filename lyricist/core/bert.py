"""BERT inference in plain torch, for commands a user waits on: transformers' numbers without its import.

Importing transformers and its BERT code takes about 4 s on the 2-core CPUs here, against about 2 s
for torch, ``tokenizers`` and ``safetensors``; a cold ``lyricist score`` spent most of its time there.
Scoring and embedding only run a BERT encoder forward (MiniLM is one), so this module builds the
same network from ``config.json``, loads ``model.safetensors`` under transformers' own parameter
names (a missing or extra tensor means it is not the model this replays, and the caller falls back
to transformers), and tokenises with the folder's ``tokenizer.json`` through ``tokenizers``, as
transformers' fast tokenizer does. Training still uses transformers.

Only what this project runs is supported: ``model_type`` ``bert``, absolute positions, ``gelu``,
no decoder; :func:`load_classifier` and :func:`load_encoder` return None for anything else, and
``LYRICIST_LIGHT_BERT=0`` turns the replay off.

Example:
    >>> tok, model = load_encoder("/path/to/all-MiniLM-L6-v2")                  # doctest: +SKIP
    >>> enc = tok(["the night is young"], padding=True, return_tensors="pt")   # doctest: +SKIP
    >>> model(**enc).last_hidden_state.shape                                   # doctest: +SKIP
    torch.Size([1, 7, 384])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from lyricist.core.replay import named_module, read_tokenizer


def enabled() -> bool:
    """False when ``LYRICIST_LIGHT_BERT`` is ``0``, ``off`` or ``no``."""
    return os.environ.get("LYRICIST_LIGHT_BERT", "1").lower() not in ("0", "off", "no", "false")


def _config(folder: Path) -> Optional[dict]:
    """The folder's config.json when this module can replay the model, else None."""
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(cfg, dict) or cfg.get("model_type") != "bert" or cfg.get("hidden_act", "gelu") != "gelu"
            or cfg.get("position_embedding_type", "absolute") != "absolute" or cfg.get("is_decoder")
            or cfg.get("add_cross_attention") or not (folder / "model.safetensors").is_file()
            or not (folder / "tokenizer.json").is_file()):
        return None
    return cfg


class Tokenizer:
    """The folder's fast tokenizer (``tokenizer.json``), called as transformers' tokenizer is called here."""

    def __init__(self, folder: Path):
        self.tok, conf = read_tokenizer(folder)
        most = conf.get("model_max_length")
        self.model_max_length = int(most) if isinstance(most, (int, float)) and 0 < most < 10**9 else 512
        pad = conf.get("pad_token", "[PAD]")
        pad = pad.get("content", "[PAD]") if isinstance(pad, dict) else pad
        self.pad_token_id = self.tok.token_to_id(pad) or 0

    def __len__(self) -> int:
        return self.tok.get_vocab_size()

    def __call__(self, texts: Sequence[str], truncation: bool = False, max_length: Optional[int] = None,
                 padding: bool = False, return_tensors: Optional[str] = None, add_special_tokens: bool = True) -> dict:
        if truncation:
            self.tok.enable_truncation(max_length or self.model_max_length)
        else:
            self.tok.no_truncation()
        ids = [e.ids for e in self.tok.encode_batch(list(texts), add_special_tokens=add_special_tokens)]
        if not padding:
            return {"input_ids": ids, "attention_mask": [[1] * len(r) for r in ids]}
        width = max((len(r) for r in ids), default=0)
        mask = [[1] * len(r) + [0] * (width - len(r)) for r in ids]
        ids = [r + [self.pad_token_id] * (width - len(r)) for r in ids]
        if return_tensors == "pt":
            return {"input_ids": torch.tensor(ids, dtype=torch.long), "attention_mask": torch.tensor(mask)}
        return {"input_ids": ids, "attention_mask": mask}


class Encoder(nn.Module):
    """BERT's embeddings and encoder layers (and pooler), with transformers' parameter names."""

    def __init__(self, cfg: dict, pooler: bool):
        super().__init__()
        h, inter, eps = cfg["hidden_size"], cfg["intermediate_size"], cfg.get("layer_norm_eps", 1e-12)
        self.heads = cfg["num_attention_heads"]
        self.embeddings = named_module(word_embeddings=nn.Embedding(cfg["vocab_size"], h),
                                  position_embeddings=nn.Embedding(cfg["max_position_embeddings"], h),
                                  token_type_embeddings=nn.Embedding(cfg.get("type_vocab_size", 2), h),
                                  LayerNorm=nn.LayerNorm(h, eps=eps))
        def norm() -> nn.LayerNorm:
            return nn.LayerNorm(h, eps=eps)

        layers = [named_module(attention=named_module(self=named_module(query=nn.Linear(h, h), key=nn.Linear(h, h),
                                                                        value=nn.Linear(h, h)),
                                                      output=named_module(dense=nn.Linear(h, h), LayerNorm=norm())),
                               intermediate=named_module(dense=nn.Linear(h, inter)),
                               output=named_module(dense=nn.Linear(inter, h), LayerNorm=norm()))
                  for _ in range(cfg["num_hidden_layers"])]
        self.encoder = named_module(layer=nn.ModuleList(layers))
        if pooler:
            self.pooler = named_module(dense=nn.Linear(h, h))

    def hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Last hidden states ``(B, T, H)``."""
        e = self.embeddings
        b, t = input_ids.shape
        pos = torch.arange(t, device=input_ids.device)
        x = e.word_embeddings(input_ids) + e.position_embeddings(pos)[None] + e.token_type_embeddings.weight[0]
        x = e.LayerNorm(x)
        keep = attention_mask[:, None, None, :].bool()  # (B, 1, 1, T): attend to real tokens only
        for layer in self.encoder.layer:
            att = layer.attention
            sa = getattr(att, "self")

            def heads(z):
                return z.view(b, t, self.heads, -1).transpose(1, 2)  # (B, heads, T, d)

            a = F.scaled_dot_product_attention(heads(sa.query(x)), heads(sa.key(x)), heads(sa.value(x)),
                                               attn_mask=keep)
            x = att.output.LayerNorm(x + att.output.dense(a.transpose(1, 2).reshape(b, t, -1)))
            x = layer.output.LayerNorm(x + layer.output.dense(F.gelu(layer.intermediate.dense(x))))
        return x


class EncoderModel(nn.Module):
    """``BertModel``: ``model(input_ids=..., attention_mask=...).last_hidden_state``."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.config = SimpleNamespace(**cfg)
        self.bert = Encoder(cfg, pooler=False)

    def forward(self, input_ids, attention_mask, **_):
        return SimpleNamespace(last_hidden_state=self.bert.hidden(input_ids, attention_mask))


class Classifier(nn.Module):
    """``BertForSequenceClassification``: ``model(input_ids=..., attention_mask=...).logits``."""

    def __init__(self, cfg: dict):
        super().__init__()
        labels = {int(k): v for k, v in (cfg.get("id2label") or {}).items()}
        self.config = SimpleNamespace(**{**cfg, "id2label": labels, "num_labels": len(labels)})
        self.bert = Encoder(cfg, pooler=True)
        self.classifier = nn.Linear(cfg["hidden_size"], len(labels))

    def forward(self, input_ids, attention_mask, **_):
        x = self.bert.hidden(input_ids, attention_mask)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return SimpleNamespace(logits=self.classifier(pooled))


def _load(model: nn.Module, folder: Path) -> bool:
    """Copy the safetensors weights in; False unless every parameter is there and nothing else is.

    A ``BertModel`` folder names its tensors without the ``bert.`` prefix; its pooler is dropped when
    the model here has none (the encoder only mean-pools).
    """
    from safetensors.torch import load_file

    try:
        state = load_file(str(folder / "model.safetensors"))
    except Exception:  # noqa: BLE001 - a damaged file: transformers gives the error the user sees
        return False
    state = {(k if k.startswith(("bert.", "classifier.")) else "bert." + k): v for k, v in state.items()
             if not k.endswith("position_ids")}
    if not hasattr(model.bert, "pooler"):
        state = {k: v for k, v in state.items() if not k.startswith("bert.pooler.")}
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError:  # a shape that does not fit the config
        return False
    return not missing and not unexpected


def _tokenizer(folder: Path) -> Optional[Tokenizer]:
    try:
        return Tokenizer(folder)
    except Exception:  # noqa: BLE001 - a damaged tokenizer.json: transformers gives the error the user sees
        return None


def load_classifier(folder: str | os.PathLike) -> Optional[tuple[Tokenizer, Classifier]]:
    """``(tokenizer, model)`` of a BERT sequence classifier folder in eval mode, or None (use transformers)."""
    folder = Path(folder)
    cfg = _config(folder) if enabled() else None
    if (cfg is None or not cfg.get("id2label") or "BertForSequenceClassification" not in (cfg.get("architectures") or [])
            or cfg.get("problem_type") not in (None, "single_label_classification")):
        return None
    model = Classifier(cfg)
    if not _load(model, folder):
        return None
    tok = _tokenizer(folder)
    return (tok, model.eval()) if tok is not None else None


def load_encoder(folder: str | os.PathLike) -> Optional[tuple[Tokenizer, EncoderModel]]:
    """``(tokenizer, model)`` of a BERT encoder folder (MiniLM) in eval mode, or None (use transformers)."""
    folder = Path(folder)
    cfg = _config(folder) if enabled() else None
    if cfg is None:
        return None
    model = EncoderModel(cfg)
    if not _load(model, folder):
        return None
    tok = _tokenizer(folder)
    return (tok, model.eval()) if tok is not None else None
