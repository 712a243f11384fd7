"""Sentiment benchmark: VADER vs the LSTM vs the transformer vs their ensemble, in one run.

Data (read from ``../shared/datasets``, never copied into the repo):
- SST-2 dev (872 sentences, binary): the standard benchmark. 3-class models are
  scored on the two polar classes (arg-max of p(negative), p(positive)).
- ``corpora/lines.csv``, the rows whose deterministic split is ``test``: the
  in-domain 3-class lyric-line test set.

Peers, side by side: VADER (the lexicon a user would pick first), the LSTM,
the fine-tuned MiniLM, their ensemble, and a plain
``transformers.pipeline("text-classification", model=DIR)`` on our own
transformer checkpoint (no hub model is reachable offline; this row shows
that the checkpoint is pipeline-compatible and what the pipeline costs).

For each: accuracy, macro-F1, milliseconds per item (median of ``--runs``
passes over the whole set, batched) and the training time and budget read
from the checkpoint's ``metrics.json``. Also the latency of scoring a
40-line song and of classifying 1,000 comments.

The SST-2 models are trained by ``--train`` (or beforehand with the commands
in the printed recipe) into ``checkpoints/bench/``. Results go to the
``sentiment`` section of ``docs/BENCHMARKS.md``.

Usage:
    python bench/sentiment.py            # evaluate what is in checkpoints/bench (and checkpoints/)
    python bench/sentiment.py --train    # train missing benchmark models first (about 30 min on 2 cores)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
sys.path.insert(0, str(ROOT))

RECIPE = {
    # The benchmark models: what was trained, on what, with which budget.
    "transformer": ["train", "sentiment", "--arch", "transformer", "--corpus", "{data}/sst2/train.tsv",
                    "--preset", "full", "--max-examples", "20000", "--epochs", "2", "--max-seconds", "900",
                    "--out", "{ck}/sst2-transformer"],
    "lstm": ["train", "sentiment", "--arch", "lstm", "--corpus", "{data}/sst2/train.tsv", "--preset", "full",
             "--max-seconds", "1200", "--out", "{ck}/sst2-lstm"],
}


def write_section(name: str, body: str, path: Path = ROOT / "docs" / "BENCHMARKS.md") -> None:
    """Replace the text between this bench's markers in docs/BENCHMARKS.md (create file/markers if missing)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\nEach section is written by its script in `bench/`; rerun the script to refresh it.\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return (f"{os.cpu_count()}-core CPU ({cpu}), torch {torch.__version__} with {torch.get_num_threads()} "
            f"threads, Python {platform.python_version()}, {platform.system()} {platform.release()}")


def read_tsv(path: Path, text_col: str = "sentence", label_col: str = "label") -> tuple[list[str], list[str]]:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    names = {"0": "negative", "1": "positive"}
    return [r[text_col].strip() for r in rows], [names[r[label_col].strip()] for r in rows]


def lines_test() -> tuple[list[str], list[str]]:
    """The test split of the bundled labeled lyric lines (3 classes)."""
    from lyricist.corpus import read_texts

    texts, gold = [], []
    for rec in read_texts([ROOT / "corpora" / "lines.csv"], kind="sentiment", dedup=False):
        if rec.split == "test" and rec.label:
            texts.append(rec.text)
            gold.append(rec.label)
    return texts, gold


def score(predict_proba, texts, gold, runs: int) -> dict:
    """Accuracy / macro-F1 (polar when gold is binary) and median ms per item over ``runs`` passes."""
    import numpy as np

    from lyricist.config import SENTIMENT_LABELS
    from lyricist.evaluate import accuracy, bootstrap_ci, macro_f1

    times, probs = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        probs = predict_proba(texts)
        times.append(time.perf_counter() - t0)
    polar = set(gold) <= {"negative", "positive"}
    if polar:
        pred = ["positive" if p[2] >= p[0] else "negative" for p in probs]
    else:
        pred = [SENTIMENT_LABELS[int(np.argmax(p))] for p in probs]
    lo, hi = bootstrap_ci(gold, pred, n=500)
    return {"accuracy": accuracy(gold, pred), "macro_f1": macro_f1(gold, pred), "ci": (lo, hi),
            "ms": 1000 * statistics.median(times) / len(texts)}


def pipeline_proba(folder: Path):
    """A plain transformers pipeline on our checkpoint, its scores mapped to (neg, neu, pos) columns."""
    import numpy as np
    from transformers import pipeline

    clf = pipeline("text-classification", model=str(folder), top_k=None, device=-1)

    def proba(texts):
        out = np.zeros((len(texts), 3), dtype=np.float32)
        col = {"negative": 0, "neutral": 1, "positive": 2}
        for i, res in enumerate(clf(list(texts), batch_size=32, truncation=True)):
            for d in res:
                out[i, col[d["label"]]] = d["score"]
        return out

    return proba


def train_missing(ck: Path) -> None:
    for arch, args in RECIPE.items():
        folder = ck / f"sst2-{arch}"
        if (folder / "metrics.json").is_file():
            continue
        cmd = [sys.executable, "-m", "lyricist"] + [a.format(data=DATA, ck=ck) for a in args]
        print("training:", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT)


def song_40_lines() -> str:
    rng = random.Random(0)
    words = ("love fire night rain heart broken dance light cold alone dream sky home road tears smile "
             "burning falling shining gone").split()
    out = []
    for s in range(5):
        out.append(f"[{'Chorus' if s % 2 else 'Verse ' + str(s // 2 + 1)}]")
        for _ in range(8):
            out.append(f"I {rng.choice(['feel', 'see', 'hold', 'lose'])} the {rng.choice(words)} "
                       f"and the {rng.choice(words)} {rng.choice(['tonight', 'again', 'forever', 'inside'])}")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints" / "bench",
                    help="folder of the SST-2 benchmark models (sst2-lstm, sst2-transformer)")
    ap.add_argument("--default-models", type=Path, default=ROOT / "checkpoints",
                    help="folder of the default (bundled-corpus) models, scored on the lyric lines")
    ap.add_argument("--train", action="store_true", help="train missing benchmark models first")
    ap.add_argument("--runs", type=int, default=3, help="timed passes per model (the median is kept)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()

    if not (DATA / "sst2" / "dev.tsv").is_file():
        print(f"skipped: {DATA / 'sst2' / 'dev.tsv'} not found (the benchmark data sets live in ../shared/datasets)")
        return 0
    import torch

    torch.set_num_threads(args.threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from lyricist.checkpoint import read_metrics
    from lyricist.evaluate import median_ms
    from lyricist.sentiment import EnsembleScorer, LexiconScorer, load_scorer, tone_report

    if args.train:
        train_missing(args.checkpoints)
    dev_texts, dev_gold = read_tsv(DATA / "sst2" / "dev.tsv")
    line_texts, line_gold = lines_test()

    models = {"VADER (lexicon)": (LexiconScorer(), None)}
    lstm_dir, tr_dir = args.checkpoints / "sst2-lstm", args.checkpoints / "sst2-transformer"
    if (lstm_dir / "config.json").is_file():
        models["LSTM (word2vec init)"] = (load_scorer("lstm", lstm_dir), lstm_dir)
    if (tr_dir / "config.json").is_file():
        models["MiniLM fine-tuned"] = (load_scorer("transformer", tr_dir), tr_dir)
    if lstm_dir.is_dir() and tr_dir.is_dir() and len(models) == 3:
        models["Ensemble (LSTM + MiniLM)"] = (EnsembleScorer([models["LSTM (word2vec init)"][0],
                                                              models["MiniLM fine-tuned"][0]]), None)
    missing = [n for n, d in (("LSTM", lstm_dir), ("transformer", tr_dir)) if not (d / "config.json").is_file()]

    rows = []
    for name, (sc, folder) in models.items():
        r = score(sc.predict_proba, dev_texts, dev_gold, args.runs)
        m = read_metrics(folder) if folder else {}
        if name.startswith("Ensemble"):
            m = {"train_seconds": sum(read_metrics(d).get("train_seconds", 0) for d in (lstm_dir, tr_dir))}
        rows.append((name, r, m))
        print(f"{name:<28} acc {r['accuracy']:.4f} F1 {r['macro_f1']:.4f} {r['ms']:.3f} ms/item", flush=True)
    if (tr_dir / "config.json").is_file():
        r = score(pipeline_proba(tr_dir), dev_texts, dev_gold, args.runs)
        rows.append(("HF pipeline (our MiniLM dir)", r, read_metrics(tr_dir)))
        print(f"{'HF pipeline':<28} acc {r['accuracy']:.4f} F1 {r['macro_f1']:.4f} {r['ms']:.3f} ms/item")

    # In-domain lyric lines (3 classes): lexicon, SST-2 models (binary-trained: they never say neutral)
    # and the default models trained on the bundled corpus (train split of lines.csv + comments).
    line_rows = []
    defaults = {"LSTM, bundled corpus": ("lstm", args.default_models / "sentiment-lstm"),
                "MiniLM, bundled corpus": ("transformer", args.default_models / "sentiment-transformer")}
    line_models = [(n, sc) for n, (sc, _) in models.items()]
    loaded = {}
    for n, (kind, d) in defaults.items():
        if (d / "config.json").is_file():
            loaded[n] = load_scorer(kind, d)
            line_models.append((n, loaded[n]))
    if len(loaded) == 2:
        line_models.append(("Ensemble, bundled corpus", EnsembleScorer(list(loaded.values()))))
    for n, sc in line_models:
        line_rows.append((n, score(sc.predict_proba, line_texts, line_gold, args.runs)))
        print(f"lines: {n:<28} acc {line_rows[-1][1]['accuracy']:.4f} F1 {line_rows[-1][1]['macro_f1']:.4f}")

    # Latency where users wait: a 40-line song (tone report), 1,000 comments.
    song = song_40_lines()
    comments = (dev_texts * 2)[:1000]
    lat = []
    for name in ("MiniLM fine-tuned", "Ensemble (LSTM + MiniLM)", "VADER (lexicon)"):
        if name in models:
            sc = models[name][0]
            song_ms = median_ms(lambda: tone_report(song, scorer=sc, mood_model=args.default_models / "mood"),
                                runs=10, warmup=2)
            comm_s = median_ms(lambda: sc.predict(comments), runs=3, warmup=1) / 1000
            lat.append((name, song_ms, comm_s))
            print(f"latency {name}: 40-line song {song_ms:.0f} ms, 1000 comments {comm_s:.2f} s")

    mood_used = (args.default_models / "mood" / "config.json").is_file()
    today = dt.date.today().isoformat()
    out = [f"Run {today} on {machine()}.", "",
           f"**SST-2 dev** ({len(dev_texts)} sentences, binary; 3-class models scored on the two polar classes). "
           f"Milliseconds per item: median of {args.runs} batched passes over the set. 95% bootstrap intervals "
           f"for accuracy. Training times come from each checkpoint's metrics.json.", "",
           "| model | accuracy (95% CI) | macro-F1 | ms / item | training (data, budget) |",
           "|---|---|---|---|---|"]
    for name, r, m in rows:
        if m.get("n_train"):
            train = (f"{m['train_seconds'] / 60:.1f} min, {m['n_train']:,} rows, {m.get('epochs_run')} epochs "
                     f"({m.get('stopped')})")
        elif m.get("train_seconds"):
            train = f"{m['train_seconds'] / 60:.1f} min (both members)"
        else:
            train = "none"
        lo, hi = r["ci"]
        out.append(f"| {name} | {r['accuracy']:.4f} ({lo:.3f}-{hi:.3f}) | {r['macro_f1']:.4f} | {r['ms']:.3f} | {train} |")
    if missing:
        out += ["", f"Not measured in this run (no checkpoint in {args.checkpoints}): {', '.join(missing)}."]
    out += ["", "Targets: transformer >= 0.90, LSTM >= 0.84 (anchors: distilbert-sst2 0.913, MiniLM-L6-H384 0.915, "
                "2-layer LSTM + GloVe 0.863).", "",
            f"**Lyric lines** (`corpora/lines.csv`, the {len(line_texts)} rows of the `test` split, 3 classes). "
            f"The SST-2 models were trained on binary data and never predict neutral.", "",
            "| model | accuracy | macro-F1 | ms / item |", "|---|---|---|---|"]
    for n, r in line_rows:
        out.append(f"| {n} | {r['accuracy']:.4f} | {r['macro_f1']:.4f} | {r['ms']:.3f} |")
    if lat:
        out += ["", f"**Latency** (median of 10 runs after warm-up; the tone report includes NRC emotions and the "
                    f"song mood, {'the trained mood model' if mood_used else 'the quadrant rule'}). Targets: "
                    f"< 300 ms per 40-line song, < 10 s per 1,000 comments.", "",
                "| scorer | 40-line song tone report | 1,000 comments |", "|---|---|---|"]
        for name, song_ms, comm_s in lat:
            out.append(f"| {name} | {song_ms:.0f} ms | {comm_s:.2f} s |")
    out += ["", "Recipe of the benchmark models (rerun with `python bench/sentiment.py --train`):", ""]
    out += ["    lyricist " + " ".join(a.format(data="../shared/datasets", ck="checkpoints/bench") for a in args_)
            for args_ in RECIPE.values()]
    text = "\n".join(out)
    print("\n" + text)
    if not args.no_write:
        write_section("sentiment", text)
        print(f"\nwrote the sentiment section of {ROOT / 'docs' / 'BENCHMARKS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
