"""LoRA fine-tuning of a pretrained base: adapters on every linear layer, plus the added tokens' rows.

:func:`with_lora` wraps a causal LM with ``peft`` LoRA adapters of a given rank on each attention and
MLP projection, and makes trainable only the embedding rows of the tokens lyricist added (mood,
section, plan and keyword tokens), which the base has never seen. :func:`merged` gives a plain model
with the adapters folded into its weights, which is what a checkpoint saves, so a LoRA-trained
generator loads and drafts exactly like a fully fine-tuned one.

In one 240 s run on the bundled corpus, rank 16 at lr 2e-3 reached a validation perplexity of 11.7
against 14.5 for full fine-tuning (``bench/lora.py``): it trains 4.9M parameters instead of 134.5M,
so each step is cheaper and a higher learning rate is safe.

Example:
    >>> from lyricist.drafting.base import tiny_llama
    >>> m = with_lora(tiny_llama(300, 1, 2, 0), rank=4, token_ids=[297, 298, 299])
    >>> trainable = sum(p.numel() for p in m.parameters() if p.requires_grad)
    >>> 0 < trainable < sum(p.numel() for p in merged(m).parameters())
    True
"""

from __future__ import annotations

import copy
import warnings
from typing import Sequence

from lyricist.core.errors import LyricistError

#: The linear layers that get adapters (Llama, Qwen2, Mistral and their kin name them so).
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def with_lora(model, rank: int, token_ids: Sequence[int]):
    """``model`` wrapped with LoRA adapters of ``rank`` (alpha ``2 * rank``) and the rows ``token_ids`` of its
    input embeddings trainable; everything else frozen.

    Raises:
        LyricistError: peft is missing, or the model has none of the :data:`TARGETS` layers.
    """
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        raise LyricistError("LoRA fine-tuning needs peft: pip install peft, or pass --lora-rank 0") from None
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    targets = [t for t in TARGETS if t in names]
    if not targets:
        raise LyricistError(f"the base model ({getattr(model.config, 'model_type', '?')}) has none of the layers "
                            f"LoRA adapts ({', '.join(TARGETS)}): fine-tune it fully (--lora-rank 0)")
    cfg = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=targets,
                     trainable_token_indices={"embed_tokens": sorted(set(int(i) for i in token_ids))},
                     task_type="CAUSAL_LM")
    with warnings.catch_warnings():  # peft asks transformers for a renamed attribute (a FutureWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(model, cfg)


def is_lora(model) -> bool:
    """Whether ``model`` is wrapped by :func:`with_lora`."""
    return hasattr(model, "merge_and_unload") and hasattr(model, "peft_config")


def merged(model):
    """A plain copy of ``model`` with its adapters merged into the weights (``model`` itself is left as it is,
    so training can go on); a model without adapters is returned unchanged."""
    if not is_lora(model):
        return model
    return copy.deepcopy(model).merge_and_unload()
