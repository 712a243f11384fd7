"""Does ranking down repeated line openings give drafts a songwriter prefers, and what does it cost?

A pretrained base writes the commonest opening again and again ("I'm ... / I'm ... / I'm ...").
``DecodeSettings.w_opening`` lowers the score of a candidate by ``w_opening`` for each other line
of the draft that opens with the same word. This bench drafts the same 8 development themes (from
#15's examples and the app load test; never the eval themes or test songs) twice with one
generator, same seeds: the model's decoding settings with ``w_opening=0`` and with
``w_opening=--weight``.

Stage ``packet`` measures, for each side:

- repeated openings: lines whose first word already opened an earlier line, per draft, and the most
  common opening over all drafts;
- what the constraint may cost: rhyme accuracy (CMU), syllables within ±1, lines that meet their
  form (``ok``), theme relevance (MiniLM cosine to the theme, and to another theme as the
  shuffled baseline), fluency as SLOR under a trigram judge trained on
  ``../shared/datasets/lyrics_21artists`` (:mod:`lyricist.drafting.fluency`), seconds per draft;

and writes ``packet.md`` (the two drafts of each theme as A/B in a seeded random order, nothing that
says which is which) and ``key.json``. A reader given only ``packet.md`` writes ``verdicts.json``:
``{"1": {"better": "A"|"B"|"tie", "A": {"fluency": 1-5, "coherence": 1-5, "theme": 1-5, "keep": lines},
"B": {...}}, ...}``. Stage ``score`` joins them and writes the ``openings`` section of
docs/BENCHMARKS.md (unless ``--no-write``).

Usage:
    python bench/openings.py packet --model checkpoints/generator --out /tmp/openings --weight 1.0
    python bench/openings.py score --out /tmp/openings --reader "a subagent"
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from blind import relevance  # noqa: E402
from common import machine, write_section  # noqa: E402

JUDGE = ROOT.parent / "shared" / "datasets" / "lyrics_21artists" / "song_lyrics_21_artists.csv.gz"
THEMES = (("first summer job at the beach", "happy", "AABB"), ("a lighthouse keeper's last night", "sad", "ABAB"),
          ("the factory that closed our town", "angry", "AABB"), ("fishing with my father at dawn", "relaxed", "ABAB"),
          ("a dog waiting at the window", "sad", "AABB"), ("a wedding in the snow", "happy", "ABAB"),
          ("the night bus across the city", "relaxed", "AABB"), ("a voicemail from my brother", "sad", "ABCB"))
LINES, SYLLABLES = 8, 8


def repeated_openings(lines: list[str]) -> int:
    """Lines whose first word already opened an earlier line of the same draft."""
    from lyricist.drafting.decode import opening_counts

    return sum(n - 1 for n in opening_counts(lines).values())


def packet(args) -> int:
    from lyricist.drafting.cowrite import draft, warm_up
    from lyricist.drafting.decode import opening_counts
    from lyricist.drafting.metrics import rhyme_accuracy, syllable_accuracy

    from lyricist.drafting.cowrite import default_settings

    gen = warm_up(args.model)
    base = default_settings(gen)  # what draft() uses when given none
    sides = {"off": replace(base, w_opening=0.0), "on": replace(base, w_opening=args.weight)}
    judge = None
    if JUDGE.exists():
        from lyricist.drafting.fluency import load_judge

        judge = load_judge(JUDGE)
    drafts: dict[str, list[list[str]]] = {}
    stats: dict[str, dict] = {}
    for name, settings in sides.items():
        out, secs, ok = [], [], 0
        for i, (theme, mood, scheme) in enumerate(THEMES):
            t0 = time.perf_counter()
            d = draft(theme, lines=LINES, scheme=scheme, syllables=SYLLABLES, mood=mood, seed=args.seed + i,
                      model_dir=args.model, settings=settings)
            secs.append(time.perf_counter() - t0)
            out.append(d.texts)
            ok += sum(ln.ok for ln in d.lines)
            print(f"[{name}] {theme} ({mood}, {scheme})", *d.texts, sep="\n  ", file=sys.stderr, flush=True)
        top, n_top = sum((opening_counts(d) for d in out), Counter()).most_common(1)[0]
        own, shuffled = relevance(out, [t for t, _, _ in THEMES])
        stats[name] = {"w_opening": settings.w_opening,
                       "repeated_openings": round(statistics.mean(repeated_openings(d) for d in out), 2),
                       "top_opening": f"{top} ({n_top} of {LINES * len(THEMES)})",
                       "rhyme": round(rhyme_accuracy(out, [s for _, _, s in THEMES]), 3),
                       "syllables": round(statistics.mean(syllable_accuracy(d, SYLLABLES) for d in out), 3),
                       "ok_lines": round(ok / (LINES * len(THEMES)), 3), "theme": own, "theme_shuffled": shuffled,
                       "s_per_draft": round(statistics.median(secs), 1)}
        if judge is not None:
            from lyricist.drafting.fluency import mean_slor

            stats[name]["slor"] = round(mean_slor(judge, [t for d in out for t in d])["slor"], 3)
        drafts[name] = out
    rng = random.Random(args.seed)
    key, text = {}, ["# Blind pairs", "", "Each pair gives a theme, a mood and a form, then two drafts, A and B. "
                     "Read them as a songwriter would.", ""]
    for k, (theme, mood, scheme) in enumerate(THEMES, 1):
        order = ["off", "on"]
        rng.shuffle(order)
        key[str(k)] = {"A": order[0], "B": order[1]}
        text += [f"## Pair {k}", f"theme: {theme}; mood: {mood}; {LINES} lines, rhyme scheme {scheme}, about "
                 f"{SYLLABLES} syllables a line", ""]
        for label, side in zip("AB", order):
            text += [f"**{label}**", "", *[f"    {ln}" for ln in drafts[side][k - 1]], ""]
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "packet.md").write_text("\n".join(text), encoding="utf-8")
    (folder / "key.json").write_text(json.dumps({"pairs": key, "drafts": drafts, "stats": stats, "model": args.model,
                                                 "weight": args.weight, "judge": judge.describe() if judge else None,
                                                 "machine": machine(), "date": time.strftime("%Y-%m-%d")},
                                                indent=1), encoding="utf-8")
    print(json.dumps(stats, indent=1))
    return 0


def score(args) -> int:
    folder = Path(args.out)
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    verdicts = json.loads((folder / "verdicts.json").read_text(encoding="utf-8"))
    tally = Counter()
    ratings: dict[str, dict[str, list]] = {"off": {}, "on": {}}
    for k, pair in key["pairs"].items():
        v = verdicts[k]
        tally["tie" if v["better"] == "tie" else pair[v["better"]]] += 1
        for side in "AB":
            for m in ("fluency", "coherence", "theme", "keep"):
                ratings[pair[side]].setdefault(m, []).append(float(v[side][m]))
    st, w = key["stats"], key["weight"]
    names = {"off": "w_opening 0", "on": f"w_opening {w}"}
    n = len(key["pairs"])
    pref = ["| pairs | w_opening %s preferred | tie | w_opening 0 preferred |" % w, "|---|---|---|---|",
            f"| {n} | {tally['on']} | {tally['tie']} | {tally['off']} |"]
    rows = [f"| | fluency (1-5) | coherence (1-5) | theme (1-5) | lines kept (of {LINES}) |", "|---|---|---|---|---|"]
    for side in ("off", "on"):
        r = ratings[side]
        rows.append(f"| {names[side]} | " + " | ".join(f"{statistics.mean(r[m]):.2f}" for m in
                                                       ("fluency", "coherence", "theme", "keep")) + " |")
    cols = ("repeated_openings", "top_opening", "rhyme", "syllables", "ok_lines", "theme", "theme_shuffled", "slor",
            "s_per_draft")
    form = ["| | repeated openings per draft | commonest opening | rhyme (CMU) | syllables ±1 | lines ok | "
            "theme relevance | shuffled theme | SLOR | s per draft |", "|---" * (len(cols) + 1) + "|"]
    for side in ("off", "on"):
        form.append(f"| {names[side]} | " + " | ".join(str(st[side].get(c, "")) for c in cols) + " |")
    body = "\n".join([
        "## Varied line openings (`bench/openings.py`, #15)", "",
        f"Run {key['date']} on {key['machine']}: `python bench/openings.py packet --model {key['model']} "
        f"--weight {w}`, then {args.reader} given only packet.md, then `python bench/openings.py score`. "
        f"{n} development themes (not the eval themes or the test songs), {LINES} lines of about {SYLLABLES} "
        "syllables, each drafted twice with the same seed: the model's decoding settings with `w_opening=0` and with "
        f"`w_opening={w}`. SLOR judge: {key['judge'] or 'none (../shared/datasets missing)'}.", "",
        "What it changes and what it may cost:", "", *form, "", "Blind preference:", "", *pref, "",
        "Blind ratings (mean):", "", *rows, "",
        "A pair's two drafts share their first lines (the penalty has nothing to count until other lines exist), "
        "so the reader judged mostly how each goes on; identical drafts are a tie. Theme relevance is MiniLM's "
        "cosine; SLOR the judge's fluency score (higher reads more like lyrics to a trigram model).", ""])
    print(body)
    if not args.no_write:
        write_section("openings", body)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=("packet", "score"))
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "generator"), help="the generator")
    ap.add_argument("--weight", type=float, default=1.0, help="w_opening of the side it is tried on")
    ap.add_argument("--out", default="/tmp/lyricist-openings", help="folder for packet.md, key.json, verdicts.json")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reader", default="a reader", help="who judged, for the record (score stage)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    return packet(args) if args.stage == "packet" else score(args)


if __name__ == "__main__":
    raise SystemExit(main())
