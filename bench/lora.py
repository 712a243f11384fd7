"""Full fine-tuning against LoRA for the default generator, in the same run and budget.

Both are ``lyricist train generator`` on the bundled corpus (the default recipe: the converted
SmolLM2-135M base, planned lines, one epoch scheduled, ``--budget`` seconds of training, the same
seed and batches), differing only in ``lora_rank`` and learning rate: full fine-tuning at its chosen
6e-4, LoRA (rank ``--rank`` on every linear layer, plus the rows of the added tokens;
:mod:`lyricist.drafting.lora`) at ``--lora-lr``, since LoRA needs a larger one. Reported: validation
perplexity (which chose), test perplexity of the saved checkpoint, trained parameters, training
seconds, wall time and checkpoint size.

Writes the ``lora`` section of docs/BENCHMARKS.md.

Usage:
    python bench/lora.py [--budget 240] [--rank 16] [--lora-lr 2e-3] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_section  # noqa: E402


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=240.0)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--lora-lr", type=float, default=2e-3)
    ap.add_argument("--full-lr", type=float, default=6e-4)
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    from lyricist.core.loop import reset_accelerate_state
    from lyricist.drafting.train import train_generator

    rows = []
    for name, rank, lr in (("full", 0, args.full_lr), (f"LoRA rank {args.rank}", args.rank, args.lora_lr)):
        out = Path(tempfile.mkdtemp(prefix="lora-bench-")) / "generator"
        reset_accelerate_state()
        t0 = time.time()
        m = train_generator(out_dir=out, max_seconds=args.budget, lora_rank=rank, lr=lr)
        rows.append({"name": name, "lr": lr, "wall_s": round(time.time() - t0), "size_mb": folder_mb(out), **m})
        print({k: rows[-1].get(k) for k in ("name", "val_ppl", "test_ppl", "train_seconds", "n_trained")}, flush=True)
    table = ["| fine-tuning | lr | trained params | val ppl | test ppl | training s | wall s | checkpoint |",
             "|---|---|---|---|---|---|---|---|"]
    table += [f"| {r['name']} | {r['lr']:g} | {r['n_trained'] / 1e6:.2f}M | {r['val_ppl']} | {r.get('test_ppl')} | "
              f"{r['train_seconds']:.0f} | {r['wall_s']} | {r['size_mb']} MB |" for r in rows]
    body = "\n".join([
        "## Full fine-tuning against LoRA (`bench/lora.py`, #15)", "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}: `train_generator` twice on the bundled corpus, the "
        f"default recipe (SmolLM2-135M base, planned lines, one epoch scheduled, {args.budget:.0f} s of training, "
        f"{rows[0]['mixed_precision']} autocast), differing only in LoRA and learning rate. Validation perplexity "
        "chooses; test perplexity is the saved checkpoint's (LoRA merged into the weights).", "",
        *table, "",
        "LoRA trains about 4% of the parameters, so each step is cheaper and a larger learning rate is safe. Both "
        "checkpoints are the same size, because the adapters are merged into a full model that loads without peft; "
        "saving the adapter alone would need the base at every load.", ""])
    print(body)
    if not args.no_write:
        write_section("lora", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
