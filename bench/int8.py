"""Would int8 weights make drafting faster, and what would they cost? fp32, bf16 and int8 side by side.

#15 asks for the fastest well-kept CPU runtime that keeps control of the logits. torch's own
candidate is dynamic int8 quantisation (``torch.ao.quantization.quantize_dynamic``): the linear
maps of the decoder blocks get int8 weights (one scale per output channel) and quantise their
inputs on the fly; the embeddings and the tied output layer stay fp32. This bench applies it
here, in the bench, to a generator checkpoint (the library does not ship it), and measures each
variant in a fresh process:

- the median seconds of an 8-line draft on three development themes (after a warm-up draft);
- the perplexity of the test-split bundled songs, the quality cost (:func:`heldout_perplexity`).

Writes the ``int8`` section of docs/BENCHMARKS.md.

Usage:
    python bench/int8.py --model checkpoints/generator [--variants fp32,bf16,int8] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_section  # noqa: E402
from draft_speed import THEMES  # noqa: E402

CHILD = r"""
import json, os, statistics as st, sys, time, warnings
warnings.filterwarnings("ignore")
variant, model, themes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
from lyricist.core.config import bundled_corpus
from lyricist.drafting.cowrite import draft, warm_up
from lyricist.drafting.model import load_generator
from lyricist.drafting.train import heldout_perplexity
from lyricist.lang.corpus import read_songs
gen = load_generator(model)
if variant == "int8":
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
    quantize_dynamic(gen.model.get_decoder().layers, {torch.nn.Linear: per_channel_dynamic_qconfig},
                     dtype=torch.qint8, inplace=True)
warm_up(model)
secs = []
for i, (theme, mood, scheme) in enumerate(themes):
    t0 = time.perf_counter()
    draft(theme, lines=8, scheme=scheme, syllables=8, mood=mood, seed=i, model_dir=model)
    secs.append(time.perf_counter() - t0)
test = [s for s in read_songs(bundled_corpus() / "songs") if s.split == "test"]
print(json.dumps({"variant": variant, "weights": gen.dtype, "draft_s": round(st.median(secs), 2),
                  "drafts_s": [round(x, 1) for x in secs], "test_ppl": round(heldout_perplexity(model, test), 3),
                  "test_songs": len(test)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "generator"))
    ap.add_argument("--variants", default="fp32,bf16,int8")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    rows = []
    for variant in args.variants.split(","):
        env = {**os.environ, "LYRICIST_DTYPE": "bf16" if variant == "bf16" else "fp32",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        p = subprocess.run([sys.executable, "-c", CHILD, variant, args.model, json.dumps(THEMES)], env=env,
                           capture_output=True, text=True)
        if p.returncode:
            print(p.stderr[-2000:], file=sys.stderr)
            return 1
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    ref = next((r for r in rows if r["variant"] == "fp32"), rows[0])
    table = ["| weights | 8-line draft s (median of 3) | x fp32 speed | test perplexity | x fp32 perplexity |",
             "|---|---|---|---|---|"]
    for r in rows:
        table.append(f"| {r['variant']} | {r['draft_s']} ({', '.join(map(str, r['drafts_s']))}) | "
                     f"{ref['draft_s'] / r['draft_s']:.2f} | {r['test_ppl']} | {r['test_ppl'] / ref['test_ppl']:.2f} |")
    body = "\n".join([
        "## int8 weights for drafting? (`bench/int8.py`, #15)", "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}, model `{args.model}`; each variant in a fresh process, "
        f"three development themes (8 lines, 8 syllables) after a warm-up draft; perplexity on the "
        f"{rows[0]['test_songs']} test-split bundled songs. int8: `quantize_dynamic` on the decoder blocks' linear "
        "maps, one scale per output channel; embeddings and the tied output layer in fp32.", "",
        *table, "",
        "The library does not ship int8: it is applied in this bench only. torch 2.13 also warns that its quantised "
        "tensor types are deprecated.", ""])
    print(body)
    if not args.no_write:
        write_section("int8", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
