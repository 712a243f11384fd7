"""Drafting speed of a generator, fp32 against bf16 weights, each in a fresh process.

For each dtype (``LYRICIST_DTYPE``), a fresh process loads the generator (timed), drafts once
to warm up, then drafts 8 lines on each of three development themes and regenerates one line
of each draft. It reports medians: the whole draft, the first line (when ``on_line`` streams it,
which is when the CLI and the app show it) and one regenerated line. Then, for the default dtype,
three cold ``lyricist generate`` processes: the time until the first line shows on stderr, and the
time until the process exits with the finished draft. bf16 is only
faster where the CPU runs it in hardware (AMX, AVX512-BF16); on AVX2 alone it is emulated.

``--backends light,transformers`` runs each dtype on both decoders in the same run, in turns:
``light`` is the plain-torch Llama of :mod:`lyricist.core.llama` (the default for a Llama
generator), ``transformers`` the same weights through transformers (``LYRICIST_LIGHT_LLAMA=0``).

Writes the ``draft-speed`` section of docs/BENCHMARKS.md.

Usage:
    python bench/draft_speed.py --model checkpoints/generator [--dtypes bf16,fp32] [--backends light,transformers]
        [--rounds 2] [--no-write]
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

THEMES = (("first summer job at the beach", "happy", "AABB"), ("a lighthouse keeper's last night", "sad", "ABAB"),
          ("the factory that closed our town", "angry", "AABB"))

CHILD = r"""
import json, statistics as st, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.time()
from lyricist.drafting.cowrite import draft, regenerate, warm_up
m, themes = sys.argv[1], json.loads(sys.argv[2])
gen = warm_up(m)
load = time.time() - t0
tot, first, regen = [], [], []
for i, (th, mood, sch) in enumerate(themes):
    marks = []
    t = time.time()
    d = draft(th, lines=8, scheme=sch, syllables=8, mood=mood, seed=i, model_dir=m,
              on_line=lambda j, ln: marks.append(time.time() - t))
    tot.append(time.time() - t)
    first.append(marks[0])
    t = time.time()
    regenerate(d, index=3, seed=50 + i, model_dir=m)
    regen.append(time.time() - t)
print(json.dumps({"dtype": gen.dtype, "backend": type(gen.model).__module__.split(".")[0], "load_s": round(load, 1), "draft_s": round(st.median(tot), 2),
                  "first_line_s": round(st.median(first), 2), "regenerate_s": round(st.median(regen), 2)}))
"""


def cpu_bf16() -> str:
    """Which bf16 instructions the CPU has, as /proc/cpuinfo names them."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return "CPU flags unknown"
    have = sorted(flags & {"avx512_bf16", "amx_bf16"})
    return "bf16 in hardware: " + ", ".join(have) if have else "no bf16 instructions (AVX2 only)"


BACKENDS = {"light": "1", "transformers": "0"}  # -> LYRICIST_LIGHT_LLAMA


def cold_cli(model: str, runs: int = 3, env: dict | None = None) -> dict:
    """Median seconds, over fresh ``lyricist generate`` processes, to the first streamed line and to exit."""
    import statistics

    first, total = [], []
    for i, (th, mood, sch) in enumerate(THEMES[:runs]):
        t0 = time.time()
        p = subprocess.Popen([sys.executable, "-m", "lyricist", "generate", "--theme", th, "--mood", mood,
                              "--scheme", sch, "--lines", "8", "--seed", str(i), "--model", model],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        seen = None
        for line in p.stderr:  # streamed rows look like " 1 A  text  (8)"
            if seen is None and line[:2] == " 1" and line[2:3] == " ":
                seen = time.time() - t0
        p.wait()
        if p.returncode != 0 or seen is None:
            raise SystemExit(f"lyricist generate failed (exit {p.returncode}): {p.stdout.read()[-300:]}")
        first.append(seen)
        total.append(time.time() - t0)
    return {"first_line_s": round(statistics.median(first), 1), "total_s": round(statistics.median(total), 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "generator"))
    ap.add_argument("--dtypes", default="bf16,fp32")
    ap.add_argument("--backends", default="light", help="light, transformers or both (comma-separated)")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each row, in turns; the table shows medians")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    import statistics

    combos = [(b, dt) for b in args.backends.split(",") for dt in args.dtypes.split(",")]
    runs: dict = {c: [] for c in combos}
    for _ in range(max(1, args.rounds)):
        for b, dt in combos:
            env = {**os.environ, "LYRICIST_DTYPE": dt, "LYRICIST_LIGHT_LLAMA": BACKENDS[b]}
            out = subprocess.run([sys.executable, "-c", CHILD, args.model, json.dumps(THEMES)], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            runs[(b, dt)].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(b, runs[(b, dt)][-1], flush=True)
    table = ["| decoder | weights | load s (warm-up draft included) | 8-line draft s | first line s | "
             "one line regenerated s |", "|---|---|---|---|---|---|"]
    for (b, dt), rs in runs.items():
        med = {k: round(statistics.median(r[k] for r in rs), 2) for k in ("load_s", "draft_s", "first_line_s",
                                                                            "regenerate_s")}
        table.append(f"| {b} | {rs[0]['dtype']} | {med['load_s']} | {med['draft_s']} | {med['first_line_s']} | "
                     f"{med['regenerate_s']} |")
    colds = {b: cold_cli(args.model, env={**os.environ, "LYRICIST_LIGHT_LLAMA": BACKENDS[b]})
             for b in args.backends.split(",")}
    print(colds, flush=True)
    cold = colds[args.backends.split(",")[0]]
    others = "; ".join(f"{b}: first line {c['first_line_s']} s, done {c['total_s']} s" for b, c in colds.items())
    body = "\n".join([
        "## Drafting speed (`bench/draft_speed.py`)", "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()} ({cpu_bf16()}), model `{args.model}`; medians of 3 drafts (8 lines, "
        f"8 syllables, AABB/ABAB) on development themes, each row in a fresh process, {max(1, args.rounds)} "
        "round(s) of all rows in turns (medians over rounds). Targets (#15): an 8-line "
        "draft in 8 s in fp32 on 2 AVX2 cores and 4 s with bf16 hardware; the first line in 2 s; a line "
        "regenerated in 2 s. Decoder `light` is lyricist.core.llama (the default for a Llama generator), "
        "`transformers` the same weights through transformers (`LYRICIST_LIGHT_LLAMA=0`); both draw tokens among "
        "the top-k columns (lyricist.drafting.sampling.draw).", "", *table, "",
        f"Cold `lyricist generate` (a fresh process, the default dtype, loading included), median of 3 themes: the first "
        f"line shows on stderr after **{cold['first_line_s']} s** and the finished draft is printed after "
        f"**{cold['total_s']} s** (target: 15 s). By decoder: {others}.", ""])
    print(body)
    if not args.no_write:
        write_section("draft-speed", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
