"""Llama decoding in plain torch, for drafting: transformers' logits with less work per step.

Drafting runs a 135M Llama (SmolLM2) one token at a time over a batch of 20 candidate lines. On
the 2-core EPYC here, through transformers such a step took about 200 ms in bf16 on two threads
against 60 ms here: a quarter of its time went to ``torch.cat`` of the whole cache in every layer
and, in bf16, 80 ms to its CPU flash attention; the rest is the matrix products. Importing transformers and its tokenizer classes also
costs about 4 s of a cold ``lyricist generate``. This module builds the same network from
``config.json``, loads ``model.safetensors`` under transformers' own parameter names (a missing
or extra tensor means it is not the model this replays, and the caller falls back to
transformers), and keeps a key/value cache with the few methods the decoder calls on
transformers' ``DynamicCache`` (``layers[i].keys``/``values``, ``crop``, ``batch_repeat_interleave``).
:class:`Tokenizer` reads the folder's ``tokenizer.json`` through ``tokenizers``, as transformers'
fast tokenizer does, with the methods the decoder calls. Training still uses transformers.

Only what this project runs is supported: ``model_type`` ``llama``, default RoPE (no scaling),
``silu``, no biases; :func:`load_causal_lm` returns None for anything else, and
``LYRICIST_LIGHT_LLAMA=0`` turns the replay off.

Example:
    >>> tok, model = load_causal_lm("checkpoints/generator")                  # doctest: +SKIP
    >>> out = model(input_ids=torch.tensor([tok(" the night")["input_ids"]]))  # doctest: +SKIP
    >>> out.logits.shape, out.cache.get_seq_length()                           # doctest: +SKIP
    (torch.Size([1, 2, 49174]), 2)
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from lyricist.core.replay import named_module, read_tokenizer

#: tokenizer_config.json keys whose tokens transformers counts in ``all_special_ids``
_NAMED = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")


def enabled() -> bool:
    """False when ``LYRICIST_LIGHT_LLAMA`` is ``0``, ``off``, ``no`` or ``false``."""
    return os.environ.get("LYRICIST_LIGHT_LLAMA", "1").lower() not in ("0", "off", "no", "false")


def _rope_theta(cfg: dict) -> Optional[float]:
    """The RoPE base when the config asks for plain RoPE (transformers 5 or 4 spelling), else None."""
    rp = cfg.get("rope_parameters")
    if isinstance(rp, dict):
        if rp.get("rope_type", "default") != "default":
            return None
        theta = rp.get("rope_theta", cfg.get("rope_theta"))
    else:
        if cfg.get("rope_scaling"):
            return None
        theta = cfg.get("rope_theta", 10000.0)
    return float(theta) if isinstance(theta, (int, float)) and theta > 0 else None


def _config(folder: Path) -> Optional[dict]:
    """The folder's config.json when this module can replay the model, else None."""
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    need = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")
    if (not isinstance(cfg, dict) or cfg.get("model_type") != "llama" or cfg.get("hidden_act", "silu") != "silu"
            or cfg.get("attention_bias") or cfg.get("mlp_bias") or cfg.get("quantization_config")
            or not all(isinstance(cfg.get(k), int) and cfg[k] > 0 for k in need) or _rope_theta(cfg) is None
            or not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file()):
        return None
    heads = cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads") or heads
    if not isinstance(kv, int) or heads % kv or (not cfg.get("head_dim") and cfg["hidden_size"] % heads):
        return None
    return cfg


class Tokenizer:
    """The folder's fast tokenizer (``tokenizer.json``), called as the decoder calls transformers' tokenizer.

    ``tok(text, add_special_tokens=False)["input_ids"]`` (a list of ids for one string, a list of
    lists for several), ``decode``, ``batch_decode``, ``convert_tokens_to_ids``, ``get_vocab``,
    ``all_special_ids`` and ``len``.
    """

    def __init__(self, folder: Path):
        self.tok, conf = read_tokenizer(folder)
        names = []
        for key in _NAMED:
            t = conf.get(key)
            names.append(t.get("content") if isinstance(t, dict) else t)
        for key in ("extra_special_tokens", "additional_special_tokens"):
            extra = conf.get(key) or []
            names += list(extra.values()) if isinstance(extra, dict) else list(extra)
        ids = [self.tok.token_to_id(n) for n in names if isinstance(n, str)]
        self.all_special_ids = list(dict.fromkeys(i for i in ids if i is not None))

    def __len__(self) -> int:
        return self.tok.get_vocab_size(with_added_tokens=True)

    def __call__(self, texts: str | Sequence[str], add_special_tokens: bool = True) -> dict:
        if isinstance(texts, str):
            return {"input_ids": self.tok.encode(texts, add_special_tokens=add_special_tokens).ids}
        return {"input_ids": [e.ids for e in self.tok.encode_batch(list(texts), add_special_tokens=add_special_tokens)]}

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False, **_) -> str:
        return self.tok.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)

    def batch_decode(self, seqs: Sequence[Sequence[int]], skip_special_tokens: bool = False, **_) -> list[str]:
        return self.tok.decode_batch([[int(i) for i in s] for s in seqs], skip_special_tokens=skip_special_tokens)

    def convert_tokens_to_ids(self, tokens: Sequence[str]) -> list[Optional[int]]:
        return [self.tok.token_to_id(t) for t in tokens]

    def get_vocab(self) -> dict[str, int]:
        return self.tok.get_vocab(with_added_tokens=True)


class KVLayer:
    """One layer's cached keys and values, ``(B, kv heads, T, head dim)`` each.

    They live at the front of buffers with room to grow, so a decoding step writes its one new
    position in place instead of copying the whole cache (``torch.cat`` of a 20-row cache in every
    layer took a quarter of a step). Assigning ``keys``/``values`` replaces the buffers.
    """

    def __init__(self):
        self._k: Optional[torch.Tensor] = None
        self._v: Optional[torch.Tensor] = None
        self.n = 0

    @property
    def keys(self) -> Optional[torch.Tensor]:
        return None if self._k is None else self._k[:, :, :self.n]

    @keys.setter
    def keys(self, k: torch.Tensor) -> None:
        self._k, self.n = k, int(k.shape[2])

    @property
    def values(self) -> Optional[torch.Tensor]:
        return None if self._v is None else self._v[:, :, :self.n]

    @values.setter
    def values(self, v: torch.Tensor) -> None:
        self._v = v

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add ``k``/``v`` ``(B, kv heads, t, d)`` after the cached positions; the whole keys and values."""
        if self._k is None:
            self._k, self._v, self.n = k, v, int(k.shape[2])
            return k, v
        n, t = self.n, int(k.shape[2])
        if self._k.shape[0] != k.shape[0]:
            raise ValueError("the cache's batch does not match the input's")
        if n + t > min(self._k.shape[2], self._v.shape[2]):  # no room (or keys and values assigned unequal)
            room = n + t + max(64, (n + t) // 2)
            grow = (self._k.shape[0], self._k.shape[1], room, self._k.shape[3])
            nk, nv = self._k.new_empty(grow), self._v.new_empty(grow)
            nk[:, :, :n], nv[:, :, :n] = self._k[:, :, :n], self._v[:, :, :n]
            self._k, self._v = nk, nv
        self._k[:, :, n:n + t], self._v[:, :, n:n + t] = k, v
        self.n = n + t
        return self.keys, self.values

    def __deepcopy__(self, memo):
        c = KVLayer()
        if self._k is not None:
            c._k, c._v, c.n = self.keys.clone(), self.values.clone(), self.n
        return c


class KVCache:
    """The keys and values of every layer, with the methods the decoder calls on transformers' ``DynamicCache``.

    Example:
        >>> c = KVCache(2); c.layers[0].keys = c.layers[0].values = torch.zeros(1, 1, 5, 4)
        >>> c.crop(-2); c.get_seq_length()
        3
    """

    def __init__(self, n_layers: int):
        self.layers = [KVLayer() for _ in range(n_layers)]

    def get_seq_length(self) -> int:
        k = self.layers[0].keys if self.layers else None
        return 0 if k is None else int(k.shape[2])

    def crop(self, count: int) -> None:
        """Remove ``-count`` tokens from the end when ``count`` is negative (0 removes none), as transformers 5
        does; a positive ``count`` keeps that many tokens (transformers 4)."""
        n = self.get_seq_length()
        keep = n + count if count <= 0 else min(count, n)
        for layer in self.layers:
            layer.n = max(0, min(layer.n, keep))  # the buffers stay: later tokens overwrite the dropped ones

    def batch_repeat_interleave(self, repeats: int) -> None:
        """Repeat each row ``repeats`` times along the batch."""
        for layer in self.layers:
            if layer.keys is not None:
                layer.keys = layer.keys.repeat_interleave(repeats, 0)
                layer.values = layer.values.repeat_interleave(repeats, 0)


class Output:
    """What :meth:`CausalLM.forward` returns: ``logits`` and ``cache`` (also through ``get``, as transformers'
    outputs allow)."""

    def __init__(self, logits: torch.Tensor, cache: KVCache):
        self.logits, self.cache = logits, cache

    def get(self, name: str, default=None):
        return getattr(self, name, default)


class RMSNorm(nn.Module):
    """transformers' ``LlamaRMSNorm``: normalise in fp32, scale in the model's dtype."""

    def __init__(self, size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, keep: Optional[torch.Tensor], scale: float):
    """Grouped-query attention ``(B, T, heads x d)`` of ``q`` ``(B, heads, T, d)`` over ``k``/``v`` ``(B, kv, S, d)``.

    Plain matrix products with the query heads of each key/value head stacked: for one new token
    against a short cache this is several times faster on a CPU than ``scaled_dot_product_attention``
    (its flash kernel took 1.1 ms a layer in fp32 and 2.7 ms in bf16 for a 20-row step). It runs in
    fp32 whatever the weights (bf16 scores of about 30 would be rounded to 1/8). ``keep``
    ``(B, 1, T, S)`` is True where a query may attend.
    """
    b, h, t, d = q.shape
    kvh, s = k.shape[1], k.shape[2]
    g = h // kvh
    scores = (q.reshape(b, kvh, g * t, d).float() @ k.float().transpose(-1, -2)) * scale  # (B, kv, g*T, S)
    if keep is not None:
        scores = scores.view(b, kvh, g, t, s).masked_fill(~keep[:, :, None], -math.inf).view(b, kvh, g * t, s)
    w = torch.softmax(scores, -1)
    return (w @ v.float()).to(v.dtype).view(b, kvh, g, t, d).permute(0, 3, 1, 2, 4).reshape(b, t, h * d)


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), -1) * sin


class CausalLM(nn.Module):
    """``LlamaForCausalLM`` for inference: ``model(input_ids=..., cache=..., attention_mask=..., position_ids=...)``.

    Returns an object with ``logits`` ``(B, T, V)`` and ``cache`` (a :class:`KVCache`, extended in
    place). ``attention_mask`` ``(B, past + T)`` marks real tokens with 1 (padding anywhere is
    masked out); ``position_ids`` default to the cache length onwards, as in transformers.
    """

    def __init__(self, cfg: dict):
        super().__init__()
        self.config = SimpleNamespace(**cfg)
        h, inter = cfg["hidden_size"], cfg["intermediate_size"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        self.head_dim = cfg.get("head_dim") or h // self.heads
        eps = float(cfg.get("rms_norm_eps", 1e-6))
        d, kvd = self.heads * self.head_dim, self.kv_heads * self.head_dim
        def lin(i: int, o: int) -> nn.Linear:
            return nn.Linear(i, o, bias=False)

        layers = [named_module(self_attn=named_module(q_proj=lin(h, d), k_proj=lin(h, kvd), v_proj=lin(h, kvd),
                                                      o_proj=lin(d, h)),
                               mlp=named_module(gate_proj=lin(h, inter), up_proj=lin(h, inter),
                                                down_proj=lin(inter, h)),
                               input_layernorm=RMSNorm(h, eps), post_attention_layernorm=RMSNorm(h, eps))
                  for _ in range(cfg["num_hidden_layers"])]
        self.model = named_module(embed_tokens=nn.Embedding(cfg["vocab_size"], h), layers=nn.ModuleList(layers),
                             norm=RMSNorm(h, eps))
        self.tied = bool(cfg.get("tie_word_embeddings", False))
        self.lm_head = nn.Linear(h, cfg["vocab_size"], bias=False)
        if self.tied:
            self.lm_head.weight = self.model.embed_tokens.weight
        theta = _rope_theta(cfg)
        inv = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float) / self.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)  # cast with the model, as transformers' is

    def get_input_embeddings(self) -> nn.Embedding:
        return self.model.embed_tokens

    def get_output_embeddings(self) -> nn.Linear:
        return self.lm_head

    def get_decoder(self) -> nn.Module:
        """The embeddings, layers and final norm (``.layers``), as transformers' ``get_decoder``."""
        return self.model

    @torch.inference_mode()
    def forward(self, input_ids: torch.Tensor, cache: Optional[KVCache] = None,
                attention_mask: Optional[torch.Tensor] = None, position_ids: Optional[torch.Tensor] = None,
                use_cache: bool = True, **_) -> Output:
        b, t = input_ids.shape
        if cache is None:
            cache = KVCache(len(self.model.layers))
        past = cache.get_seq_length()
        if position_ids is None:
            position_ids = torch.arange(past, past + t, device=input_ids.device).expand(b, t)
        x = self.model.embed_tokens(input_ids)
        freqs = position_ids[..., None].float() * self.inv_freq.float()  # (B, T, d/2)
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos().to(x.dtype)[:, None], emb.sin().to(x.dtype)[:, None]  # (B, 1, T, d)
        s = past + t
        mask = None
        if attention_mask is not None or t > 1:
            at = torch.arange(s, device=input_ids.device)
            keep = at[None, :] <= at[past:, None]  # (T, S) causal
            keep = keep[None, None]
            if attention_mask is not None:
                keep = keep & attention_mask[:, None, None, :s].bool()
            mask = keep
        scale = 1.0 / math.sqrt(self.head_dim)
        for layer, kv in zip(self.model.layers, cache.layers):
            a = layer.self_attn
            hx = layer.input_layernorm(x)
            q = _rotate(a.q_proj(hx).view(b, t, self.heads, -1).transpose(1, 2), cos, sin)
            k = _rotate(a.k_proj(hx).view(b, t, self.kv_heads, -1).transpose(1, 2), cos, sin)
            v = a.v_proj(hx).view(b, t, self.kv_heads, -1).transpose(1, 2)
            k, v = kv.append(k, v)
            o = _attend(q, k, v, mask, scale)
            x = x + a.o_proj(o)
            m = layer.mlp
            hx = layer.post_attention_layernorm(x)
            x = x + m.down_proj(F.silu(m.gate_proj(hx)) * m.up_proj(hx))
        logits = self.lm_head(self.model.norm(x))
        return Output(logits, cache)


def _load(model: CausalLM, folder: Path) -> bool:
    """Copy the safetensors weights in; False unless every parameter is there and nothing else is."""
    from safetensors.torch import load_file

    try:
        state = load_file(str(folder / "model.safetensors"))
    except Exception:  # noqa: BLE001 - a damaged file: transformers gives the error the user sees
        return False
    if model.tied:
        state.pop("lm_head.weight", None)
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError:  # a shape that does not fit the config
        return False
    missing = [k for k in missing if not (model.tied and k == "lm_head.weight")]
    return not missing and not unexpected


def load_causal_lm(folder: str | os.PathLike) -> Optional[tuple[Tokenizer, CausalLM]]:
    """``(tokenizer, model)`` of a Llama causal-LM folder in eval mode, or None (use transformers)."""
    folder = Path(folder)
    cfg = _config(folder) if enabled() else None
    if cfg is None:
        return None
    model = CausalLM(cfg)
    if not _load(model, folder):
        return None
    try:
        tok = Tokenizer(folder)
    except Exception:  # noqa: BLE001 - a damaged tokenizer.json: transformers gives the error the user sees
        return None
    return tok, model.eval()
