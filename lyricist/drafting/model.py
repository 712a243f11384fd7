"""The generator model: its config and presets, the GPT-2 it builds, and loading a checkpoint.

A generator checkpoint is a ``transformers`` causal LM folder (a small GPT-2 built by
:func:`build_model` from a :class:`GeneratorConfig`, or a fine-tuned ``--base-model``) plus the
lyricist files written at training time (:mod:`lyricist.drafting.train`): its tokenizer, the copy
guard (``copyguard.npy``), the corpus's word counts (``words.json``) and its word n-grams
(``ngrams.json``). :func:`load_generator` loads all of it once, as a :class:`Generator`.

Example:
    >>> generator_config("tiny").n_layer, generator_config("tiny", epochs=5).epochs
    (1, 5)
    >>> gen = load_generator("checkpoints/generator")  # doctest: +SKIP
    >>> logits, cache = lm_forward(gen.model, ids)      # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from lyricist.core.cache import ModelCache
from lyricist.core.checkpoint import read_config
from lyricist.core.config import checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.loop import bf16_supported, dataclass_from_dict
from lyricist.drafting.base import SMOLLM2, SMOLLM2_TINY, tiny_llama
from lyricist.drafting.format import SongEncoder, check_tokenizer, load_tokenizer
from lyricist.drafting.ngrams import ensure_ngrams

KIND = "generator"


# ----------------------------------------------------------------- config
@dataclass
class GeneratorConfig:
    """The generator's model shape, tokenizer, data format and training schedule."""

    preset: str = "default"
    """The named preset these values started from."""
    vocab_size: int = 4000
    """Byte-level BPE vocabulary, special tokens included (ignored with ``base_model``)."""
    n_layer: int = 4
    """Transformer blocks."""
    n_head: int = 4
    """Attention heads per block."""
    n_embd: int = 256
    """Hidden size."""
    block_size: int = 256
    """Longest training window and generation context, in tokens."""
    dropout: float = 0.1
    """Dropout on embeddings, attention and residuals."""
    reverse: bool = True
    """End-first lines: each line is written last word first, so generation starts from the rhyme word."""
    max_keywords: int = 4
    """At most this many theme keywords in a training example's control prefix."""
    pseudo_mood: bool = True
    """Give songs without a mood label the lexicon quadrant mood (VADER valence x arousal)."""
    epochs: int = 30
    """Maximum passes over the training songs (early stopping usually ends sooner)."""
    batch_size: int = 16
    """Windows per optimisation step."""
    lr: float = 2e-3
    """Peak learning rate."""
    weight_decay: float = 0.1
    """AdamW weight decay."""
    warmup_frac: float = 0.05
    """Share of steps spent warming the learning rate up."""
    patience: int = 3
    """Epochs without a better validation perplexity before stopping."""
    max_seconds: float = 540.0
    """Training time budget in seconds (0: none); the best epoch so far is kept."""
    mixed_precision: str = "auto"
    """``auto`` (bf16 where supported), ``bf16``, ``fp16`` or ``no``."""
    seed: int = 0
    """Seed for the initialisation, the batches and the keyword draws."""
    base_model: Optional[str] = None
    """Fine-tune this causal LM (``smollm2``: the bundled SmolLM2-135M-Instruct; or a folder or hub id)
    instead of training a GPT-2 from scratch."""
    plan: bool = False
    """Planned lines, left to right: each line follows its plan, ``<|end|> WORD N<|/end|>`` (its end word
    and syllables), so the decoder chooses the rhyme word first and the model writes towards it."""
    lora_rank: int = 0
    """Fine-tune a base through LoRA adapters of this rank on every linear layer, plus the embedding rows
    of the added tokens (:mod:`lyricist.drafting.lora`; merged into the saved model); 0: full fine-tuning."""

    def __post_init__(self):
        preset_check(self.preset)
        if self.base_model is not None and str(self.base_model).lower() == "none":
            self.base_model = None
        if self.plan and not self.base_model:
            raise LyricistError("planned lines need a pretrained base (--base-model smollm2 or a causal LM folder); "
                                "pass --base-model none alone for the from-scratch GPT-2")
        if not isinstance(self.lora_rank, int) or not 0 <= self.lora_rank <= 256:
            raise LyricistError(f"lora_rank must be 0 (full fine-tuning) to 256, got {self.lora_rank}")
        if self.lora_rank and not self.base_model:
            raise LyricistError("LoRA fine-tunes a pretrained base: pass --base-model, or --lora-rank 0")
        if self.vocab_size < 300:
            raise LyricistError(f"vocab_size must be at least 300, got {self.vocab_size}")
        if min(self.n_layer, self.n_head, self.n_embd) < 1 or self.n_embd % self.n_head:
            raise LyricistError(f"n_embd ({self.n_embd}) must be a positive multiple of n_head ({self.n_head})")
        if self.block_size < 64:
            raise LyricistError(f"block_size must be at least 64 tokens, got {self.block_size}")
        if not 0 <= self.dropout < 1:
            raise LyricistError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.epochs < 1 or self.batch_size < 1:
            raise LyricistError("epochs and batch_size must be at least 1")
        if self.lr <= 0 or self.max_seconds < 0 or self.max_keywords < 0:
            raise LyricistError("lr must be positive; max_seconds and max_keywords must be 0 or more")


#: Named presets: tiny (tests, seconds), default (bundled corpus, <= 6 min on 2 cores), full (big corpora).
#: Without ``base_model``, default and full fine-tune the bundled SmolLM2 on planned lines (:data:`PRETRAINED`,
#: :data:`FINETUNE`); the shapes below are the from-scratch GPT-2 that ``tiny`` trains (tests, seconds) and that
#: ``base_model="none"`` asks for at any preset (:data:`SCRATCH`). ``base_model="smollm2-tiny", plan=True`` is a
#: random tiny Llama with SmolLM2's tokenizer: the default model's code path, for tests.
GENERATOR_PRESETS = {
    "tiny": dict(vocab_size=400, n_layer=1, n_head=2, n_embd=32, block_size=128, dropout=0.0, epochs=2,
                 batch_size=8, lr=3e-3, patience=2, max_seconds=60.0, mixed_precision="no"),
    "default": dict(vocab_size=4000, n_layer=4, n_head=4, n_embd=192, block_size=256, epochs=30, batch_size=16,
                    lr=2e-3, patience=3, max_seconds=540.0),
    "full": dict(vocab_size=8000, n_layer=4, n_head=4, n_embd=256, block_size=256, dropout=0.1, epochs=3,
                 batch_size=32, lr=1.5e-3, patience=2, max_seconds=0.0),
}


#: ``--base-model none``: the small end-first GPT-2 trained from scratch (the generator before the pretrained base).
SCRATCH = dict(base_model=None, plan=False, reverse=True, vocab_size=4000, n_layer=4, n_head=4, n_embd=192,
               block_size=256, dropout=0.1, epochs=30, batch_size=16, lr=2e-3, weight_decay=0.1, warmup_frac=0.05,
               patience=3, max_seconds=540.0)
SCRATCH_TINY = dict(SCRATCH, vocab_size=400, n_layer=1, n_head=2, n_embd=32, block_size=128, dropout=0.0, epochs=2,
                    batch_size=8, lr=3e-3, patience=2, max_seconds=60.0, mixed_precision="no")


#: The default generator at the default and full presets when no ``base_model`` is given: the bundled
#: SmolLM2-135M-Instruct, fine-tuned on planned lines (each line after its end word and syllable count, left to
#: right). Chosen by blind readers over the from-scratch GPT-2 in 8 of 8 pairs (docs/BENCHMARKS.md).
PRETRAINED = dict(base_model=SMOLLM2, plan=True, reverse=False)


#: The default fine-tune's training budget in seconds: with loading, the one-off GGUF conversion, saving and
#: the test perplexity, ``lyricist train generator`` takes about 5 minutes, and ``train all`` stays in 12.
BUDGET_S = 240.0


#: Fine-tuning a pretrained base (``--base-model smollm2``, a folder or a hub id) at the default and full
#: presets, in place of their from-scratch optimiser settings; chosen by validation perplexity on the bundled
#: corpus (docs/BENCHMARKS.md). Full fine-tuning: lr 1e-4 gave 110.7, 3e-4 28.7, 6e-4 12.5, 1.2e-3 13.5 (330 s);
#: in the same 240 s run, LoRA rank 16 at lr 2e-3 gave 11.7 against 14.5 for full fine-tuning at 6e-4.
#: One epoch is scheduled; the budget ends it early on 2 cores.
FINETUNE = {"default": dict(epochs=1, batch_size=8, lr=2e-3, dropout=0.0, weight_decay=0.0, patience=1,
                            max_seconds=BUDGET_S, lora_rank=16),
            "full": dict(epochs=2, batch_size=8, lr=2e-3, dropout=0.0, weight_decay=0.0, patience=1,
                         max_seconds=3600.0, lora_rank=16)}


def generator_config(preset: str = "default", **overrides) -> GeneratorConfig:
    """The config of a preset, with ``None`` overrides ignored.

    Example:
        >>> generator_config("tiny").n_layer, generator_config("default", epochs=3).epochs
        (1, 3)
        >>> c = generator_config("default")   # the bundled SmolLM2, fine-tuned on planned lines
        >>> c.base_model, c.plan, c.lr, c.lora_rank
        ('smollm2', True, 0.002, 16)
        >>> generator_config("default", base_model="none").n_layer   # the small GPT-2 from scratch
        4
    """
    preset_check(preset)
    fields = {f.name for f in dataclasses.fields(GeneratorConfig)}
    unknown = set(overrides) - fields
    if unknown:
        raise LyricistError(f"unknown generator setting(s): {', '.join(sorted(unknown))}")
    given = {k: v for k, v in overrides.items() if v is not None}
    if preset in FINETUNE and not given.get("base_model"):
        given = {**PRETRAINED, **given}
    base = GENERATOR_PRESETS[preset]
    if str(given.get("base_model", "")).lower() == "none":  # the from-scratch recipe, at this preset's scale
        base = SCRATCH_TINY if preset == "tiny" else SCRATCH
        given.pop("base_model")
    elif given.get("base_model") and preset in FINETUNE and given["base_model"] != SMOLLM2_TINY:
        base = {**base, **FINETUNE[preset]}
    values = {**base, **given}
    return GeneratorConfig(preset=preset, **values)


# ----------------------------------------------------------------- the model
def build_model(cfg, tok, log=None, base: Optional[str] = None):
    """A fresh GPT-2 from the config, or the base model (``base``: its resolved folder or hub id, see
    :func:`lyricist.drafting.base.resolve_base`) with the special tokens added."""
    from transformers import GPT2Config, GPT2LMHeadModel

    if cfg.base_model == SMOLLM2_TINY:
        return tiny_llama(len(tok), tok.bos_token_id, tok.eos_token_id, tok.pad_token_id, seed=cfg.seed)
    if cfg.base_model:
        from transformers import AutoModelForCausalLM

        try:
            model = AutoModelForCausalLM.from_pretrained(base or cfg.base_model)
        except Exception as e:
            raise LyricistError(f"cannot load base model {cfg.base_model!r} ({e.__class__.__name__}): pass a "
                                "causal LM folder or a hub id reachable from here") from None
        arch = getattr(model.config, "model_type", "?")
        if not getattr(model, "can_generate", lambda: True)():
            raise LyricistError(f"base model {cfg.base_model!r} ({arch}) is not a causal LM: pass one, e.g. "
                                "SmolLM2 or Qwen2.5")
        model.resize_token_embeddings(len(tok))  # new rows start at the mean embedding
        return model
    gcfg = GPT2Config(vocab_size=len(tok), n_positions=cfg.block_size, n_embd=cfg.n_embd, n_layer=cfg.n_layer,
                      n_head=cfg.n_head, resid_pdrop=cfg.dropout, embd_pdrop=cfg.dropout, attn_pdrop=cfg.dropout,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      tie_word_embeddings=True)
    return GPT2LMHeadModel(gcfg)


def max_positions(model) -> int:
    """The longest context the model takes, in tokens (GPT-2 ``n_positions``, else ``max_position_embeddings``)."""
    c = model.config
    return int(getattr(c, "n_positions", None) or getattr(c, "max_position_embeddings", None) or 1024)


# ----------------------------------------------------------------- loading
def inference_dtype(planned: bool) -> str:
    """``bf16`` or ``fp32``: the weights a loaded generator drafts with.

    A planned model (a pretrained 135M base) drafts in bf16 where the hardware runs it
    (:func:`lyricist.core.loop.bf16_supported`: AMX or AVX512-BF16 CPUs, bf16 GPUs), since its
    decoding is bound by reading the weights; elsewhere, and for the small from-scratch GPT-2,
    fp32. ``LYRICIST_DTYPE=fp32`` or ``bf16`` overrides the choice.

    Example:
        >>> inference_dtype(False)
        'fp32'
    """
    want = os.environ.get("LYRICIST_DTYPE", "auto").strip().lower() or "auto"
    if want not in ("auto", "fp32", "bf16"):
        raise LyricistError(f"LYRICIST_DTYPE must be auto, fp32 or bf16, got {want!r}: unset it to let lyricist "
                            "choose")
    if want != "auto":
        return want
    if not planned:
        return "fp32"
    return "bf16" if bf16_supported() else "fp32"


class Generator:
    """A loaded generator checkpoint: model, tokenizer, copy guard and the corpus's words.

    Build with :func:`load_generator` (cached), not directly.
    """

    def __init__(self, folder: str | os.PathLike):
        from lyricist.core import llama

        self.folder = Path(folder)
        self.warm = False  # set by warm_up() once a first draft has loaded everything else
        doc = read_config(self.folder, KIND)
        try:
            self.cfg = dataclass_from_dict(GeneratorConfig, doc.get("params") or {})
        except (TypeError, LyricistError) as e:
            raise LyricistError(f"{self.folder}/config.json has unusable generator settings ({e}): retrain with "
                                "`lyricist train generator`") from None
        self.meta = doc
        self.plan = bool(doc.get("plan", self.cfg.plan))
        light = llama.load_causal_lm(self.folder)  # a Llama (SmolLM2): leaner steps, no transformers import
        if light is not None:
            self.tok, self.model = check_tokenizer(light[0], self.folder, plan=self.plan), light[1]
        else:
            self.tok, self.model = load_tokenizer(self.folder, plan=self.plan), _hf_model(self.folder)
        emb = self.model.get_input_embeddings().weight.shape[0]
        if emb != len(self.tok) or len(self.tok) != int(doc.get("vocab_size") or len(self.tok)):
            raise LyricistError(f"the tokenizer in {self.folder} ({len(self.tok)} tokens) does not match its model "
                                f"({emb} embeddings): retrain with `lyricist train generator`")
        self.model.eval()
        self.dtype = inference_dtype(self.plan)
        if self.dtype == "bf16":
            import torch

            self.model.to(torch.bfloat16)
        self.block_size = int(doc.get("block_size") or self.cfg.block_size)
        self.enc = SongEncoder(self.tok, reverse=bool(doc.get("reverse", self.cfg.reverse)), plan=self.plan)
        self.reverse = self.enc.reverse
        self.copy_n = int(doc.get("copy_n", 6))
        try:
            self.copy_guard = np.load(self.folder / "copyguard.npy", allow_pickle=False)
            self.words: dict[str, int] = json.loads((self.folder / "words.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise LyricistError(f"the generator in {self.folder} lacks a readable copy guard or word list "
                                f"({e.__class__.__name__}): retrain with `lyricist train generator`") from None
        # Forward word bi/trigrams of the training lines (older checkpoints may lack them: words then join freely).
        self.ngrams: Optional[dict] = None
        if (self.folder / "ngrams.json").is_file():
            try:
                self.ngrams = json.loads((self.folder / "ngrams.json").read_text(encoding="utf-8"))
                self.ngrams["bigrams"], self.ngrams["trigrams"]
            except (OSError, ValueError, KeyError, TypeError):
                raise LyricistError(f"{self.folder}/ngrams.json is unreadable: delete it to rebuild it, or retrain "
                                    "with `lyricist train generator`") from None
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Generator({str(self.folder)!r})"


def _hf_model(folder: Path):
    """The folder's causal LM through transformers (any architecture), its loading bars silenced."""
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        return AutoModelForCausalLM.from_pretrained(str(folder))
    except Exception as e:  # missing/corrupt weights, shape mismatch
        raise LyricistError(f"cannot load the generator weights in {folder} ({e.__class__.__name__}): "
                            "retrain with `lyricist train generator`") from None


_GENERATORS = ModelCache("generator", size=2)


#: model class -> the keyword its forward() takes for the KV cache
_CACHE_KW: dict = {}


def lm_forward(model, input_ids, cache=None, **kwargs):
    """One forward pass of a causal LM with its key/value cache: ``(logits, cache)``.

    transformers 5.x renamed ``past_key_values`` to ``cache`` (and warns on the old name);
    older releases only know ``past_key_values``. This asks the model which one it takes.

    Example:
        >>> logits, cache = lm_forward(model, ids)              # doctest: +SKIP
        >>> logits, cache = lm_forward(model, next_ids, cache)  # doctest: +SKIP
    """
    kind = type(model)
    name = _CACHE_KW.get(kind)
    if name is None:
        params = inspect.signature(model.forward).parameters
        name = _CACHE_KW[kind] = "cache" if "cache" in params else "past_key_values"
    if cache is not None:
        kwargs[name] = cache
    out = model(input_ids=input_ids, use_cache=True, **kwargs)
    got = out.get("cache")
    return out.logits, (got if got is not None else out.get("past_key_values"))


def load_generator(model_dir: str | os.PathLike | None = None) -> Generator:
    """The generator in ``model_dir`` (default ``checkpoints/generator``), loaded once and cached.

    The cache key is the folder and its newest modification time, so a retrained model is reloaded.

    Raises:
        LyricistError: no checkpoint, or a corrupt or mismatched one.
    """
    folder = checkpoint_dir(KIND, model_dir)
    if not folder.exists():
        read_config(folder, KIND)  # the one-line "train one" message
    if (folder / "config.json").is_file() and not (folder / "ngrams.json").exists():
        try:  # a checkpoint from before n-grams were saved: add them once from its recorded training data
            ensure_ngrams(folder)
        except (OSError, LyricistError):
            pass  # read-only folder or data gone: words then join freely
    return _GENERATORS.get(("generator", str(folder.resolve())), [folder], lambda: Generator(folder))


