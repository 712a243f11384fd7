"""Fluency as SLOR on judge LMs the generators never saw: drafted lines against human-written lines.

For the first stanza of every test-split song of the bundled corpus (its theme, mood, rhyme
scheme and syllable count), the ``--new`` and the ``--old`` generator each draft a stanza, same
seeds. Every line is scored by SLOR (:mod:`lyricist.drafting.fluency`: trigram log-probability
minus unigram log-probability, per word) under each judge, a Kneser-Ney word trigram LM trained on
a public lyrics set that neither generator trained on:

- ``lyrics_21artists``: 6,027 songs by 21 artists (Genius), running text without line breaks;
- ``billboard_lyrics``: Billboard top-100 songs 1950-2015, line by line.

Beside them, on the same judges: the human lines of the same stanzas, every line of the test
songs, and those lines with their words shuffled (word salad, the floor). The target of #15 is
drafted SLOR >= 0.9 x that of human lines. A trigram judge rewards local word order only: a decoder
that joins words only along corpus n-grams (today's generator does) scores high without making
sense, which is why the blind reader (``bench/blind.py``) decides quality.

Writes the ``slor`` section of docs/BENCHMARKS.md.

Usage:
    python bench/slor.py --new checkpoints/generator-smollm2 --old checkpoints/generator [--no-write]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from blind import heldout_stanzas  # noqa: E402
from common import machine, write_section  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
JUDGES = {"lyrics_21artists": DATA / "lyrics_21artists" / "song_lyrics_21_artists.csv.gz",
          "billboard_lyrics": DATA / "billboard_lyrics" / "billboard_top100_1950_2015.jsonl.gz"}


def drafted(model: str, forms: list[dict], seed: int) -> tuple[list[str], float]:
    """Every line the generator drafts for ``forms``, and the median seconds per stanza."""
    from lyricist.drafting.cowrite import draft, warm_up

    warm_up(model)
    lines, secs = [], []
    for i, f in enumerate(forms):
        t0 = time.perf_counter()
        d = draft(f["theme"], lines=len(f["human"]), scheme=f["scheme"], syllables=f["syllables"], mood=f["mood"],
                  seed=seed + i, model_dir=model)
        secs.append(time.perf_counter() - t0)
        lines += d.texts
        print(f"[{Path(model).name}] {f['theme']}", *d.texts, sep="\n  ", file=sys.stderr, flush=True)
    return lines, statistics.median(secs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", required=True, help="the generator under test")
    ap.add_argument("--old", help="the generator it replaces")
    ap.add_argument("--forms", type=int, default=40, help="test songs to take stanza forms from (all there are)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    judges = {k: v for k, v in JUDGES.items() if v.exists()}
    if not judges:
        print(f"skipped: no judge corpus under {DATA} (the benchmark needs ../shared/datasets)")
        return 0
    from lyricist.drafting.fluency import load_judge, mean_slor
    from lyricist.lang.corpus import read_songs

    forms = heldout_stanzas(args.forms)
    test_lines = [ln.text for s in read_songs(ROOT / "lyricist" / "corpora" / "songs") if s.split == "test"
                  for ln in s.lines]
    rng = random.Random(args.seed)
    salad = []
    for t in test_lines:
        w = t.split()
        rng.shuffle(w)
        salad.append(" ".join(w))
    systems = {"human stanzas (same forms)": [x for f in forms for x in f["human"]],
               "human, every test-song line": test_lines}
    speed = {}
    for name, model in (("new", args.new), ("old", args.old)):
        if model:
            label = f"{name}: `{model}`"
            systems[label], speed[label] = drafted(model, forms, args.seed)
    systems["word salad (test lines shuffled)"] = salad
    scores: dict[str, dict[str, dict]] = {}
    about = {}
    for jname, path in judges.items():
        t0 = time.perf_counter()
        judge = load_judge(path)
        about[jname] = f"{judge.describe()}, trained in {time.perf_counter() - t0:.0f} s"
        scores[jname] = {name: mean_slor(judge, lines) for name, lines in systems.items()}
        print(jname, {k: v["slor"] for k, v in scores[jname].items()}, flush=True)
    ref = "human stanzas (same forms)"
    head = "| lines | n | " + " | ".join(f"SLOR on {j} (mean / median) | x human" for j in judges) + " |"
    table = [head, "|---|---|" + "---|---|" * len(judges)]
    for name in systems:
        cells = []
        for j in judges:
            s, h = scores[j][name], scores[j][ref]["slor"]
            cells += [f"{s['slor']:.3f} / {s['slor_median']:.3f}", f"{s['slor'] / h:.2f}" if h else "-"]
        table.append(f"| {name} | {scores[next(iter(judges))][name]['lines']} | " + " | ".join(cells) + " |")
    body = "\n".join([
        "## Fluency as SLOR (`bench/slor.py`, #15)", "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. Stanzas drafted on the forms of the first stanza of "
        f"{len(forms)} test-split bundled songs (theme, mood, scheme, syllables), seed {args.seed}; the human "
        "stanzas are those first stanzas. Judges (never seen by either generator):", "",
        *[f"- `{j}`: {about[j]}" for j in judges], "",
        *table, "",
        "SLOR = (ln p_trigram - ln p_unigram) per word (Kann et al. 2018). Target (#15): drafted lines >= 0.9 x the "
        "human lines on the same judge. A trigram judge sees only local word order, so the word salad floor "
        "shows what it can tell apart; ranking fluent drafts is left to the blind reader (`bench/blind.py`).",
        "", "Seconds per stanza: " + ", ".join(f"{k} {v:.1f} s" for k, v in speed.items()) + ".", ""])
    print(body)
    if not args.no_write:
        write_section("slor", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
