"""Learning-rate sweep for fully fine-tuning the SmolLM2 base with planned lines, by validation perplexity.

Each rate trains ``train_generator(preset="default", base_model="smollm2", plan=True, lr=LR, lora_rank=0)`` for one
epoch within ``--budget`` seconds on the bundled corpus, in a fresh process, one after another (run
nothing else meanwhile: the budget makes the number of steps depend on the free cores). It reports
the validation perplexity (the choice) and the test perplexity (reported, never used to choose).

Writes the ``finetune-lr`` section of docs/BENCHMARKS.md.

Usage:
    python bench/finetune_lr.py [--lrs 1e-4,3e-4,6e-4,1.2e-3] [--budget 330] [--out /tmp/lyricist-lr]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_section  # noqa: E402

CHILD = r"""
import json, sys
from lyricist.drafting.train import train_generator
lr, budget, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
m = train_generator(preset="default", base_model="smollm2", plan=True, lr=lr, epochs=1, batch_size=8,
                    max_seconds=budget, dropout=0.0, weight_decay=0.0, out_dir=out, lora_rank=0)  # full fine-tuning
print(json.dumps({k: m.get(k) for k in ("val_ppl", "test_ppl", "train_seconds", "total_seconds", "tokens_per_s",
                                        "mixed_precision", "stopped")}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lrs", default="1e-4,3e-4,6e-4,1.2e-3")
    ap.add_argument("--budget", type=float, default=330.0, help="training seconds per rate")
    ap.add_argument("--out", default="/tmp/lyricist-lr", help="folder for the models (one per rate)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    rows = []
    for lr in args.lrs.split(","):
        out = Path(args.out) / f"lr{lr}"
        res = subprocess.run([sys.executable, "-c", CHILD, lr, str(args.budget), str(out)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        rows.append({"lr": lr, **json.loads(res.stdout.strip().splitlines()[-1])})
        print(rows[-1], flush=True)
    best = min(rows, key=lambda r: r["val_ppl"])
    table = ["| lr | val ppl | test ppl | training s | tokens/s | precision | stopped by |", "|---|---|---|---|---|---|---|"]
    table += [f"| {'**' + r['lr'] + '**' if r is best else r['lr']} | {r['val_ppl']} | {r['test_ppl']} | "
              f"{r['train_seconds']} | {r['tokens_per_s']} | {r['mixed_precision']} | {r['stopped']} |" for r in rows]
    body = "\n".join([
        "## Fine-tuning learning rate (`bench/finetune_lr.py`)", "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}: SmolLM2-135M-Instruct, planned lines, the bundled corpus, "
        f"one epoch within {args.budget:.0f} s per rate. Chosen by validation perplexity: {best['lr']}.", "",
        *table, ""])
    print(body)
    if not args.no_write:
        write_section("finetune-lr", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
