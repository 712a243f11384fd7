"""What a newcomer's default models score on data no one here wrote, beside VADER, in one run.

The default models are what ``lyricist demo`` / ``lyricist train all`` train on the bundled corpus
alone. This bench evaluates one or more such checkpoint folders (e.g. the defaults trained before
and after the corpus grew) with the same commands a user runs (``lyricist eval sentiment|mood
--json``, one fresh process each, ``$LYRICIST_CHECKPOINTS`` pointing at the folder):

- SST-2 dev (872 movie-review sentences, binary: 3-class models on the two polar classes);
- the YouTube comments data set, its deterministic ``test`` split (1,792 comments, 3 classes);
- the bundled ``lines.csv`` test split (in domain, for reference);
- song mood on the NJU-MusicMood train split, as an out-of-domain test (the mood model never sees it).

No model is chosen on these sets: the trainers stop and choose on the bundled ``val`` split only.

    python bench/defaults.py --root before=/path/old-defaults --root after=checkpoints \
        --folders "\`before\` = the defaults on the old corpus; \`after\` = ..."
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from common import DATA, NJU_TRAIN, machine, write_section  # noqa: E402

SETS = {  # name -> (file, split)
    "SST-2 dev": (DATA / "sst2" / "dev.tsv", "all"),
    "YouTube test": (DATA / "youtube_comments" / "YoutubeCommentsDataSet.csv", "test"),
    "bundled lines test": (ROOT / "lyricist" / "corpora" / "lines.csv", "test"),
}
SCORERS = ("lexicon", "lstm", "transformer", "ensemble")


def _eval(args: list[str], root: Path) -> dict:
    env = dict(os.environ, LYRICIST_CHECKPOINTS=str(root), TOKENIZERS_PARALLELISM="false")
    r = subprocess.run([sys.executable, "-m", "lyricist", "eval", *args, "--json"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=1800)
    if r.returncode:
        raise SystemExit(f"eval {' '.join(args)} failed on {root}: {r.stderr.strip().splitlines()[-1:]}")
    return json.loads(r.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", action="append", default=[], metavar="NAME=FOLDER",
                    help="a folder of default models (repeatable); default: now=./checkpoints")
    ap.add_argument("--folders", default="", help="what the folders are, for the report (default: their names)")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    roots = [(r.split("=", 1) if "=" in r else (Path(r).name, r)) for r in a.root] or [("now", str(ROOT / "checkpoints"))]
    rows, mood = [], []
    for name, folder in roots:
        folder = Path(folder).resolve()
        for scorer in SCORERS:
            if scorer == "lexicon" and name != roots[0][0]:
                continue  # VADER does not depend on the models: once
            cells = []
            for label, (path, split) in SETS.items():
                r = _eval(["sentiment", "--data", str(path), "--scorer", scorer, "--split", split], folder)
                cells.append((r["accuracy"], r["macro_f1"], r["n"]))
                print(f"{name:8s} {scorer:11s} {label:20s} acc {r['accuracy']:.3f} macro-F1 {r['macro_f1']:.3f} n {r['n']}",
                      flush=True)
            rows.append(("VADER (lexicon)" if scorer == "lexicon" else f"{name}: {scorer}", cells))
        m = _eval(["mood", "--data", str(NJU_TRAIN)], folder)
        mood.append((name, m["accuracy"], m["macro_f1"], m["n"]))
        print(f"{name:8s} mood NJU train acc {m['accuracy']:.3f} macro-F1 {m['macro_f1']:.3f} n {m['n']}", flush=True)
    lines = ["## Default models on data no one here wrote (`bench/defaults.py`)", "",
             f"{dt.date.today().isoformat()} · {machine(torch_threads=False)} · each row: `lyricist eval ... --json` "
             "in a fresh process on a folder of default models trained by `lyricist train all` on the bundled "
             "corpus only; chosen by the bundled val split, never by these sets.", "",
             "Folders: " + (a.folders or "; ".join(f"`{n}` = {Path(f).name}" for n, f in roots)) + ".", "",
             "| scorer | " + " | ".join(f"{k} acc | {k} macro-F1" for k in SETS) + " |",
             "|---|" + "---:|---:|" * len(SETS)]
    for label, cells in rows:
        lines.append(f"| {label} | " + " | ".join(f"{acc:.3f} | {f1:.3f}" for acc, f1, _ in cells) + " |")
    lines += ["", f"Rows per set: " + ", ".join(f"{k} {n}" for k, (_, _, n) in zip(SETS, rows[0][1])) + ".", "",
              "| mood model | NJU-MusicMood train accuracy | macro-F1 | songs |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {acc:.3f} | {f1:.3f} | {k} |" for n, acc, f1, k in mood]
    last = rows[-1][1]  # the last folder's ensemble: what `auto` (the app, `score`, `classify`) uses
    lines += ["", f"Targets (issue 14), for `{roots[-1][0]}` with the default `auto` scorer (the ensemble): "
              f"SST-2 dev accuracy {last[0][0]:.3f} (target 0.84: {'met' if last[0][0] >= 0.84 else 'not met'}); "
              f"YouTube test macro-F1 {last[1][1]:.3f} (target 0.70: {'met' if last[1][1] >= 0.70 else 'not met'}); "
              f"NJU mood macro-F1 {mood[-1][2]:.3f} against {mood[0][2]:.3f} for `{mood[0][0]}` "
              f"({'above' if mood[-1][2] > mood[0][2] else 'not above'})."]
    if not a.no_write:
        write_section("defaults", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
