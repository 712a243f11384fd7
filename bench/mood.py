"""Song-mood benchmark: 5-fold cross-validation on the NJU-MusicMood train split.

Compares, on the same folds (stratified, seed 0), the lexicon baseline with
the learned models a user could pick:

- quadrant rule: VADER valence x arousal words -> Russell quadrant (no training);
- logistic regression over lexicon features (valence stats, NRC profile, arousal, style);
- logistic regression over frozen MiniLM embeddings of 4-line chunks, mean-pooled;
- both feature sets concatenated (what ``lyricist train mood`` uses by default).

Only the 400-song train split is used (the test split is withheld from this
project); every number is a 5-fold cross-validated macro-F1 (mean +- std over
folds). A small grid over the regularisation ``C`` is reported too, with the
caveat that picking the best of it on the same folds is mildly optimistic.
Results go to the ``mood`` section of ``docs/BENCHMARKS.md``.

Usage:
    python bench/mood.py [--folds 5] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    from common import NJU_TRAIN, machine, shared_file, write_section

    path = NJU_TRAIN
    if not shared_file(path):
        return 0
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)

    from lyricist.core.metrics import accuracy, macro_f1
    from lyricist.tone.mood import (LEXICON_FEATURES, MoodConfig, embedding_features, lexicon_features, load_mood_songs,
                                    quadrant_predict)
    from lyricist.tone.train_mood import cross_validate

    lines, moods, _, _ = load_mood_songs([path], text_col="lyrics", label_col="mood")
    y = np.array(moods)
    print(f"{len(y)} songs: " + ", ".join(f"{m} {int((y == m).sum())}" for m in sorted(set(moods))), flush=True)

    t0 = time.time()
    base = quadrant_predict(lines)
    rule = {"macro_f1": macro_f1(moods, base), "accuracy": accuracy(moods, base)}
    # The rule has no parameters, so its per-fold scores equal its score on the folds' union up to fold noise;
    # report it on the same folds for a fair side-by-side.
    from sklearn.model_selection import StratifiedKFold

    fold_f1 = []
    for _, te in StratifiedKFold(args.folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        fold_f1.append(macro_f1(list(y[te]), [base[i] for i in te]))
    rule.update(macro_f1=float(np.mean(fold_f1)), std=float(np.std(fold_f1)))

    t0 = time.time()
    X_lex = np.stack([lexicon_features(ls) for ls in lines])
    t_lex = time.time() - t0
    t0 = time.time()
    X_emb = embedding_features(lines, MoodConfig())
    t_emb = time.time() - t0
    print(f"features: lexicon {t_lex:.1f} s, embeddings {t_emb:.1f} s", flush=True)

    sets = {"lexicon": X_lex, "embedding": X_emb, "both": np.concatenate([X_lex, X_emb], axis=1)}
    results = {}
    for name, X in sets.items():
        for C in (0.1, 0.5, 2.0):
            cv = cross_validate(X, y, MoodConfig(features=name, C=C), folds=args.folds)
            results[(name, C)] = cv
            print(f"{name:<10} C={C:<4} macro-F1 {cv['macro_f1']:.4f} ± {cv['macro_f1_std']:.4f}  "
                  f"acc {cv['accuracy']:.4f}", flush=True)

    default_C = MoodConfig().C
    import os

    load = os.getloadavg()[0]
    out = ["## Song mood (`bench/mood.py`)", "", f"Run {dt.date.today().isoformat()} on {machine()}; load average {load:.1f} at the end (the CPU is "
           f"shared, so wall-clock times are inflated when it is above 2). Reproduce: `python bench/mood.py`.", "",
           f"**NJU-MusicMood v1.0, train split** ({len(y)} songs with lyrics: "
           + ", ".join(f"{m} {int((y == m).sum())}" for m in sorted(set(moods))) + f"), {args.folds}-fold stratified "
           f"cross-validation (seed 0), macro-F1 mean ± std over folds. Feature time for all {len(y)} songs: "
           f"lexicon {t_lex:.0f} s, MiniLM chunk embeddings {t_emb:.0f} s.", "",
           f"| model | macro-F1 (C={default_C}, the default) | accuracy | best of C in 0.1/0.5/2 |",
           "|---|---|---|---|",
           f"| quadrant rule (VADER valence x arousal words, no training) | {rule['macro_f1']:.4f} ± {rule['std']:.4f} "
           f"| {rule['accuracy']:.4f} | - |"]
    labels = {"lexicon": "logistic regression, lexicon features (" + str(len(LEXICON_FEATURES)) + ")",
              "embedding": "logistic regression, MiniLM chunk embeddings (384)",
              "both": "logistic regression, both (" + str(len(LEXICON_FEATURES) + 384) + ")"}
    for name in sets:
        cv = results[(name, default_C)]
        best = max((results[(name, C)]["macro_f1"], C) for C in (0.1, 0.5, 2.0))
        out.append(f"| {labels[name]} | {cv['macro_f1']:.4f} ± {cv['macro_f1_std']:.4f} | {cv['accuracy']:.4f} | "
                   f"{best[0]:.4f} (C={best[1]}) |")
    out += ["", "Chance is 0.25. NJU labels may reflect the music as well as the words (see the data set's "
                "SOURCE.md), so lyrics-only scores are bounded well below 1.",
            "The default `lyricist train mood` uses the `both` features with C=" + str(default_C) + ".",
            "No held-out number: the 377-song NJU test split is kept back from this project (only the train "
            "split is in ../shared/datasets), so cross-validation on the train split is the estimate."]
    text = "\n".join(out)
    print("\n" + text)
    if not args.no_write:
        write_section("mood", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
