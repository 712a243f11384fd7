"""One small accelerate training loop shared by every neural model.

The loop knows nothing about the model kind: the caller supplies a model whose
forward returns an output with ``.loss`` (or a loss function), data loaders,
an ``evaluate`` callable returning metrics with a ``score`` to maximise (for
example validation macro-F1, or minus perplexity), and a ``save`` callable
that writes the model's files into a folder.

What the loop owns:
- ``Accelerator`` device placement (CPU by default; ``accelerate launch``
  scales the same code to several GPUs), bf16 autocast where supported;
- AdamW, linear warmup then cosine decay (:func:`get_lr`), gradient clipping;
- evaluation after each epoch under ``torch.inference_mode()``;
- early stopping on the score, keeping the best weights;
- atomic checkpoints: the best model is written to a temp folder and renamed
  into place, and the training state (weights, optimizer, scheduler position,
  epoch, the python/numpy/torch/CUDA RNG states) is saved each epoch, so
  ``resume=True`` continues an interrupted run exactly: each epoch's data order
  depends only on (seed, epoch) (:func:`set_data_epoch`), so a killed and
  resumed run ends with the same metrics as one left alone.

Example:
    >>> get_lr(0, warmup=10, total=100, base=1e-3) < get_lr(9, warmup=10, total=100, base=1e-3)
    True
    >>> round(get_lr(100, warmup=10, total=100, base=1e-3, floor=0.1), 6)
    0.0001
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from lyricist.core.checkpoint import atomic_dir, atomic_write_json, recover_dir
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, is_main_process, report


@dataclass
class LoopConfig:
    """Hyper-parameters of the shared training loop."""

    epochs: int = 3
    """Maximum number of passes over the training data."""
    lr: float = 1e-3
    """Peak learning rate (after warmup)."""
    weight_decay: float = 0.01
    """AdamW weight decay."""
    warmup_frac: float = 0.06
    """Share of all steps spent warming the learning rate up linearly."""
    min_lr_frac: float = 0.1
    """The cosine decays to this fraction of ``lr``."""
    grad_clip: float = 1.0
    """Clip the gradient norm to this value (0 disables)."""
    patience: int = 2
    """Stop after this many epochs without a better validation score."""
    mixed_precision: str = "auto"
    """``auto`` (bf16 where the hardware supports it), ``bf16``, ``fp16`` or ``no``."""
    grad_accum: int = 1
    """Gradient accumulation steps."""
    seed: int = 0
    """Seed for torch, numpy and random."""
    max_seconds: float = 0.0
    """Stop training after this many seconds (0: no limit); the best model so far is kept."""

    def __post_init__(self):
        if self.epochs < 1:
            raise LyricistError(f"epochs must be at least 1, got {self.epochs}")
        if self.lr <= 0:
            raise LyricistError(f"learning rate must be positive, got {self.lr}")
        if self.mixed_precision not in ("auto", "bf16", "fp16", "no"):
            raise LyricistError(f"mixed_precision must be auto, bf16, fp16 or no, got {self.mixed_precision!r}")


def get_lr(step: int, warmup: int, total: int, base: float, floor: float = 0.1) -> float:
    """Linear warmup for ``warmup`` steps, then cosine decay to ``floor * base`` at ``total``."""
    if warmup > 0 and step < warmup:
        return base * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def bf16_supported() -> bool:
    """True where bf16 runs in hardware, so autocast is faster, not emulated.

    CUDA devices with bf16, or a CPU with AVX512-BF16 or AMX (read from ``/proc/cpuinfo``; torch's
    capability string says only "AVX512" on such CPUs). ``LYRICIST_BF16=0`` or ``1`` overrides.

    Example:
        >>> isinstance(bf16_supported(), bool)
        True
    """
    forced = os.environ.get("LYRICIST_BF16")
    if forced in ("0", "1"):
        return forced == "1"
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    return _cpu_has_bf16()


@functools.lru_cache(maxsize=1)
def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    try:  # not Linux: trust torch's own capability report
        import torch

        return torch.backends.cpu.get_cpu_capability() in ("AVX512_BF16", "AMX")
    except Exception:
        return False


def make_accelerator(mixed_precision: str = "auto", grad_accum: int = 1):
    """An ``Accelerator``; ``auto`` takes the launcher's precision, else bf16 where :func:`bf16_supported`."""
    from accelerate import Accelerator

    mp = mixed_precision
    if mp == "auto":  # `accelerate launch --mixed_precision X` (or its config file) decides first
        mp = os.environ.get("ACCELERATE_MIXED_PRECISION") or ("bf16" if bf16_supported() else "no")
    _release_precision(mp)
    return Accelerator(mixed_precision=mp, gradient_accumulation_steps=grad_accum)


def _release_precision(mp: str) -> None:
    """Let one process train models of different precisions in turn (``train all``, the demo).

    Accelerate keeps its state in a process-wide singleton and refuses a second ``Accelerator``
    with another ``mixed_precision``. Only the precision part is dropped here; the process
    group (``PartialState``) stays, so this is safe under ``accelerate launch``.
    """
    from accelerate.state import AcceleratorState

    state = AcceleratorState._shared_state
    if state and state.get("_mixed_precision", mp) != mp:
        AcceleratorState._reset_state(reset_partial_state=False)


def fit(model, train_loader, *, cfg: LoopConfig, evaluate: Callable[[Any, Any], dict],
        save: Callable[[Any, Path], None], out_dir: str | Path, loss_fn: Optional[Callable] = None,
        resume: bool = False, progress: Optional[ProgressFn] = None, log: Optional[Callable[[str], None]] = None
        ) -> dict:
    """Train ``model`` and keep the best checkpoint in ``out_dir``.

    Args:
        model: a ``torch.nn.Module``.
        train_loader: a ``DataLoader`` yielding dict batches.
        cfg: loop hyper-parameters.
        evaluate: ``evaluate(model, accelerator) -> {"score": float, ...}``; called after every epoch
            (the model is in eval mode under ``torch.inference_mode()``).
        save: ``save(unwrapped_model, folder)`` writes the model files into ``folder``.
        out_dir: the checkpoint folder; it is replaced atomically whenever the score improves.
        loss_fn: ``loss_fn(model, batch) -> loss``; default ``model(**batch).loss``.
        resume: continue from ``out_dir/train_state`` if it exists.
        progress: optional ``(fraction, message)`` callback.
        log: optional callable for one-line messages (the CLI prints them on stderr).

    Returns:
        ``{"best_score", "best_epoch", "epochs_run", "history": [...], "train_seconds", "stopped"}``
    """
    import torch

    out_dir = Path(out_dir)
    seed_everything(cfg.seed)
    acc = make_accelerator(cfg.mixed_precision, cfg.grad_accum)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or "norm" in n.lower() or n.endswith("bias") else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)
    model, opt, train_loader = acc.prepare(model, opt, train_loader)
    steps_per_epoch = max(1, math.ceil(len(train_loader) / cfg.grad_accum))
    total = steps_per_epoch * cfg.epochs
    warmup = int(cfg.warmup_frac * total)

    state = {"epoch": 0, "step": 0, "best_score": -math.inf, "best_epoch": -1, "history": [], "bad_epochs": 0,
             "train_seconds": 0.0}
    state_dir = out_dir.parent / f".{out_dir.name}.train_state"
    rng = None
    if acc.is_main_process:  # a run killed while swapping a folder in leaves it aside: put it back
        recover_dir(out_dir)
        recover_dir(state_dir)
    acc.wait_for_everyone()
    if resume and (state_dir / "state.json").is_file():
        try:
            state = json.loads((state_dir / "state.json").read_text())
            opt.load_state_dict(torch.load(state_dir / "optimizer.pt", weights_only=True))
            from safetensors.torch import load_file

            acc.unwrap_model(model).load_state_dict(load_file(str(state_dir / "model.safetensors")))
            if acc.scaler is not None and (state_dir / "scaler.json").is_file():
                acc.scaler.load_state_dict(json.loads((state_dir / "scaler.json").read_text()))
            if (state_dir / "rng.safetensors").is_file():  # older states have none: resume is then inexact
                rng = (json.loads((state_dir / "rng.json").read_text()), load_file(str(state_dir / "rng.safetensors")))
            if log:
                log(f"resuming after epoch {state['epoch']} (best score {state['best_score']:.4f})")
        except Exception as e:  # a corrupt state must not kill the run
            raise LyricistError(f"cannot resume from {state_dir} ({e.__class__.__name__}): "
                                f"delete that folder to start over") from None
    elif resume and log:
        log("nothing to resume: starting from scratch")

    loss_fn = loss_fn or (lambda m, b: m(**b).loss)
    t0 = time.time() - state["train_seconds"]
    stopped = "epochs"
    if state.get("stopped") == "early stopping" or (state["epoch"] >= cfg.epochs and state.get("stopped")):
        stopped = state["stopped"]  # the killed run had finished training: do not train on
    if rng is not None:
        _set_rng_state(*rng)
    for epoch in range(state["epoch"], cfg.epochs):
        if stopped != "epochs":
            break
        if cfg.max_seconds and time.time() - t0 > cfg.max_seconds:
            stopped = "time budget"
            break
        set_data_epoch(train_loader, epoch, cfg.seed)
        model.train()
        running, seen = 0.0, 0
        for i, batch in enumerate(train_loader):
            with acc.accumulate(model):
                lr = get_lr(state["step"], warmup, total, cfg.lr, cfg.min_lr_frac)
                for g in opt.param_groups:
                    g["lr"] = lr
                with acc.autocast():
                    loss = loss_fn(model, batch)
                acc.backward(loss)
                if acc.sync_gradients:
                    if cfg.grad_clip:
                        acc.clip_grad_norm_(model.parameters(), cfg.grad_clip)
                    state["step"] += 1
                opt.step()
                opt.zero_grad(set_to_none=True)
            running += float(loss.detach())
            seen += 1
            if acc.is_main_process and (i % 5 == 0 or i == len(train_loader) - 1):
                frac = (epoch + (i + 1) / len(train_loader)) / cfg.epochs
                report(progress, frac, f"epoch {epoch + 1}/{cfg.epochs} loss {running / seen:.3f}")
            if cfg.max_seconds and time.time() - t0 > cfg.max_seconds:
                stopped = "time budget"
                break
        model.eval()
        with torch.inference_mode():
            # Unwrapped: DDP's wrapper hides the model's attributes. Every process scores the
            # whole validation set, so all of them take the same early-stopping decision.
            metrics = dict(evaluate(acc.unwrap_model(model), acc))
        model.train()
        metrics.update(epoch=epoch + 1, train_loss=running / max(1, seen), lr=lr)
        state["history"].append(metrics)
        state["epoch"] = epoch + 1
        state["train_seconds"] = time.time() - t0
        improved = metrics["score"] > state["best_score"]
        if improved:
            state["best_score"], state["best_epoch"], state["bad_epochs"] = metrics["score"], epoch + 1, 0
            if acc.is_main_process:
                with atomic_dir(out_dir) as tmp:
                    save(acc.unwrap_model(model), tmp)
        else:
            state["bad_epochs"] += 1
        if stopped == "epochs" and state["bad_epochs"] >= cfg.patience:
            stopped = "early stopping"
        state["stopped"] = stopped
        if acc.is_main_process:
            _save_state(state_dir, acc.unwrap_model(model), opt, state, acc.scaler)
        if log:  # only once the epoch is saved: a logged epoch is never redone by --resume
            log(f"epoch {epoch + 1}: " + ", ".join(f"{k} {v:.2e}" if k == "lr" else f"{k} {v:.4f}"
                                                     for k, v in metrics.items() if isinstance(v, float))
                + (" *" if improved else ""))
        if stopped != "epochs":
            break
    acc.wait_for_everyone()
    report(progress, 1.0, f"done ({stopped})")
    return {"best_score": state["best_score"], "best_epoch": state["best_epoch"], "epochs_run": state["epoch"],
            "history": state["history"], "train_seconds": round(state["train_seconds"], 2), "stopped": stopped,
            "mixed_precision": acc.mixed_precision, "device": str(acc.device), "processes": acc.num_processes}


def finished_run(out_dir: str | Path, kind: str, params: dict, fingerprint: str) -> Optional[dict]:
    """The metrics of a run that already finished into ``out_dir`` with these params and data, else None.

    ``--resume`` on such a folder (say, the run was killed after its last checkpoint was written and
    its train state removed) has nothing to continue: the trainer returns these metrics instead of
    training again from scratch.

    Example:
        >>> finished_run("/nonexistent", "sentiment-lstm", {}, "") is None
        True
    """
    out_dir = Path(out_dir)
    if (out_dir.parent / f".{out_dir.name}.train_state").exists():
        return None
    try:
        cfg = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
        metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = (isinstance(cfg, dict) and cfg.get("kind") == kind and cfg.get("fingerprint") == fingerprint
            and cfg.get("params") == json.loads(json.dumps(params)))
    return metrics if same and isinstance(metrics, dict) else None


def already_finished(out_dir: str | Path, kind: str, params: dict, fingerprint: str, resume: bool,
                     progress: Optional[ProgressFn] = None,
                     log: Optional[Callable[[str], None]] = None) -> Optional[dict]:
    """With ``resume``: :func:`finished_run`'s metrics, after saying so in ``log`` and ``progress``; else None."""
    done = finished_run(out_dir, kind, params, fingerprint) if resume else None
    if done is not None:
        if log:
            log(f"resuming after epoch {done.get('epochs_run', '?')} (this run already finished in {out_dir}: "
                "nothing is left to train; leave out --resume to train it again)")
        report(progress, 1.0, "done (already finished)")
    return done


def finish(out_dir: str | Path) -> None:
    """Remove the resumable training state once the run is complete (main process only)."""
    import shutil

    if not is_main_process():
        return
    out_dir = Path(out_dir)
    recover_dir(out_dir)  # leftovers of a killed earlier attempt
    state_dir = out_dir.parent / f".{out_dir.name}.train_state"
    shutil.rmtree(state_dir, ignore_errors=True)
    recover_dir(state_dir)  # (its leftovers go too, once there is no state to restore)
    shutil.rmtree(state_dir, ignore_errors=True)


def set_data_epoch(loader, epoch: int, seed: int) -> None:
    """Make epoch ``epoch``'s data order a function of ``(seed, epoch)`` alone, not of the epochs before.

    Calls ``set_epoch`` on the loader (accelerate's passes it on), its batch sampler, sampler and
    dataset (for example :class:`lyricist.tone.data.LengthGroupedBatches`, or a dataset that draws
    augmentations), and reseeds every ``torch.Generator`` they shuffle with. A resumed run then
    sees the same batches as an uninterrupted one.
    """
    import torch

    seen: set[int] = set()
    todo = [loader]
    while todo:
        obj = todo.pop()
        if obj is None or id(obj) in seen or isinstance(obj, (int, float, str, list, tuple, dict)):
            continue
        seen.add(id(obj))
        if callable(getattr(obj, "set_epoch", None)):
            obj.set_epoch(epoch)
        for name in ("generator", "synchronized_generator"):
            g = getattr(obj, name, None)
            if isinstance(g, torch.Generator) and id(g) not in seen:
                seen.add(id(g))
                g.manual_seed(_epoch_seed(seed, epoch))
        todo += [getattr(obj, n, None) for n in ("base_dataloader", "batch_sampler", "sampler", "dataset")]


def _epoch_seed(seed: int, epoch: int) -> int:
    return (seed * 1_000_003 + epoch * 7_919 + 17) % (2**63)


def _rng_state():
    """Every global RNG the training step draws from (dropout, augmentation): JSON part and tensors."""
    import numpy as np
    import torch

    version, mt, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    doc = {"python": [version, list(mt), gauss], "numpy": [name, int(pos), int(has_gauss), float(cached)]}
    tensors = {"torch": torch.get_rng_state(), "numpy_keys": torch.from_numpy(np.asarray(keys, dtype=np.int64))}
    if torch.cuda.is_available():
        for i, t in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"cuda_{i}"] = t
    return doc, tensors


def _set_rng_state(doc: dict, tensors: dict) -> None:
    import numpy as np
    import torch

    version, mt, gauss = doc["python"]
    random.setstate((version, tuple(mt), gauss))
    name, pos, has_gauss, cached = doc["numpy"]
    np.random.set_state((name, tensors["numpy_keys"].numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(tensors["torch"])
    cuda = [tensors[k] for k in sorted((k for k in tensors if k.startswith("cuda_")), key=lambda k: int(k[5:]))]
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def _save_state(state_dir: Path, model, opt, state: dict, scaler=None) -> None:
    """Weights, optimizer, RNG and loop state of the epoch just finished, swapped in as one folder."""
    import torch
    from safetensors.torch import save_file

    doc, tensors = _rng_state()
    with atomic_dir(state_dir) as tmp:
        sd = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
        save_file(_dedupe_shared(sd), str(tmp / "model.safetensors"))
        torch.save(opt.state_dict(), tmp / "optimizer.pt")  # read back with weights_only=True
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp / "rng.safetensors"))
        atomic_write_json(tmp / "rng.json", doc)
        if scaler is not None:
            atomic_write_json(tmp / "scaler.json", scaler.state_dict())
        atomic_write_json(tmp / "state.json", state)


def _dedupe_shared(sd: dict) -> dict:
    """Clone tensors that share storage (tied weights) so safetensors accepts them."""
    seen = set()
    out = {}
    for k, v in sd.items():
        ptr = v.untyped_storage().data_ptr()
        out[k] = v.clone() if ptr in seen else v
        seen.add(ptr)
    return out


def reset_accelerate_state() -> None:
    """Reset accelerate's singleton state (tests train several models in one process)."""
    try:
        from accelerate.state import AcceleratorState, GradientState, PartialState

        AcceleratorState._reset_state(True)
        GradientState._reset_state()
        PartialState._reset_state()
    except Exception:
        pass


def dataclass_from_dict(cls, d: dict):
    """Rebuild a config dataclass from a dict, ignoring unknown keys (older/newer checkpoints)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names})
