"""Blind pairwise drafting benchmark: one generator against another, and against the corpus's own stanzas.

Stage ``packet`` drafts, for the first ``--pairs`` test-split songs of the bundled corpus, a
stanza on that song's theme, mood, rhyme scheme and syllable count (read off its first
stanza, CMU rhymes), with the ``--new`` and the ``--old`` generator, same seed. It writes:

- ``packet.md``: pairs labelled A/B in a seeded random order, new-vs-old and new-vs-human
  mixed, with nothing that says which system wrote which stanza;
- ``key.json``: which side is which (the reader never sees it), plus form, theme relevance
  and speed measured on the drafts.

A reader (a person, or a subagent given only ``packet.md``) writes ``verdicts.json``:
``{"1": {"better": "A"|"B"|"tie", "A": {"fluency": 1-5, "coherence": 1-5, "theme": 1-5,
"keep": lines}, "B": {...}}, ...}``. Stage ``score`` joins verdicts and key and prints the
markdown table (and writes the ``blind`` section of docs/BENCHMARKS.md unless ``--no-write``).

Theme relevance is the MiniLM cosine between a stanza and its theme; the shuffled baseline
pairs each stanza with another pair's theme.

Usage:
    python bench/blind.py packet --new checkpoints/generator-smollm2 --old checkpoints/generator --out /tmp/blind
    python bench/blind.py score --out /tmp/blind
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_section  # noqa: E402


def heldout_stanzas(n: int) -> list[dict]:
    """The first stanza (up to 4 lines) of the first ``n`` test-split bundled songs, with its form."""
    from lyricist.lang.corpus import read_songs
    from lyricist.lang.prosody import line_syllables
    from lyricist.lang.prosody.scheme import rhyme_scheme

    songs = sorted((s for s in read_songs(ROOT / "lyricist" / "corpora" / "songs") if s.split == "test"),
                   key=lambda s: s.id)
    out = []
    for s in songs[:n]:
        first = s.sections()[0][1][:4]
        lines = [ln.text for ln in first]
        if len(lines) < 4:
            continue
        scheme = rhyme_scheme(lines)
        syl = round(statistics.median(line_syllables(t) for t in lines))
        out.append({"theme": s.meta.get("theme") or s.title, "mood": s.mood, "scheme": scheme, "syllables": syl,
                    "human": lines, "title": s.title})
    return out


def relevance(stanzas: list[list[str]], themes: list[str]) -> tuple[float, float]:
    """Mean MiniLM cosine of stanza to its theme, and to the next pair's theme (the shuffled baseline)."""
    from lyricist.core.hf import embed_texts

    s = embed_texts([" / ".join(x) for x in stanzas])
    t = embed_texts(themes)
    own = float((s * t).sum(1).mean())
    shuffled = float((s * t[[(i + 1) % len(themes) for i in range(len(themes))]]).sum(1).mean())
    return round(own, 3), round(shuffled, 3)


def packet(args) -> int:
    from lyricist.drafting.cowrite import draft, regenerate, warm_up
    from lyricist.drafting.metrics import rhyme_accuracy, syllable_accuracy

    forms = heldout_stanzas(args.pairs)
    drafts: dict[str, list] = {}
    stats: dict[str, dict] = {}
    for name, model in (("new", args.new), ("old", args.old)):
        t0 = time.perf_counter()
        warm_up(model)
        load_s = time.perf_counter() - t0
        ms, regen_ms, out, ok = [], [], [], 0
        for i, f in enumerate(forms):
            t0 = time.perf_counter()
            d = draft(f["theme"], lines=len(f["human"]), scheme=f["scheme"], syllables=f["syllables"],
                      mood=f["mood"], seed=args.seed + i, model_dir=model)
            ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            regenerate(d, index=len(d.lines) - 1, seed=args.seed + 100 + i, model_dir=model)
            regen_ms.append((time.perf_counter() - t0) * 1000)
            out.append(d.texts)
            ok += sum(ln.ok for ln in d.lines)
            print(f"[{name}] {f['theme']} ({f['mood']}, {f['scheme']}, {f['syllables']})", *d.texts, sep="\n  ",
                  file=sys.stderr, flush=True)
        own, shuffled = relevance(out, [f["theme"] for f in forms])
        stats[name] = {"load_s": round(load_s, 1), "ms_per_stanza": round(statistics.median(ms)),
                       "ms_regenerate": round(statistics.median(regen_ms)),
                       "rhyme": round(rhyme_accuracy(out, [f["scheme"] for f in forms]), 3),
                       "syllables": round(statistics.mean(syllable_accuracy(d, f["syllables"])
                                                          for d, f in zip(out, forms)), 3),
                       "ok_lines": round(ok / max(1, sum(len(d) for d in out)), 3),
                       "theme": own, "theme_shuffled": shuffled}
        drafts[name] = out
    own, shuffled = relevance([f["human"] for f in forms], [f["theme"] for f in forms])
    stats["human"] = {"theme": own, "theme_shuffled": shuffled,
                      "rhyme": round(rhyme_accuracy([f["human"] for f in forms], [f["scheme"] for f in forms]), 3)}
    rng = random.Random(args.seed)
    pairs = [(i, "old") for i in range(len(forms))] + [(i, "human") for i in range(len(forms))]
    rng.shuffle(pairs)
    key, text = {}, ["# Blind pairs", "", "Each pair gives a theme, a mood and a form, then two stanzas, A and B. "
                     "Read them as a songwriter would.", ""]
    for k, (i, other) in enumerate(pairs, 1):
        f = forms[i]
        sides = [("new", drafts["new"][i]), (other, drafts["old"][i] if other == "old" else f["human"])]
        rng.shuffle(sides)
        key[str(k)] = {"A": sides[0][0], "B": sides[1][0], "form": i}
        text += [f"## Pair {k}", f"theme: {f['theme']}; mood: {f['mood']}; {len(f['human'])} lines, rhyme scheme "
                 f"{f['scheme']}, about {f['syllables']} syllables a line", ""]
        for label, (_, lines) in zip("AB", sides):
            text += [f"**{label}**", "", *[f"    {ln}" for ln in lines], ""]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "packet.md").write_text("\n".join(text), encoding="utf-8")
    (out / "key.json").write_text(json.dumps({"pairs": key, "forms": forms, "drafts": drafts, "stats": stats,
                                              "new": args.new, "old": args.old, "machine": machine(),
                                              "date": time.strftime("%Y-%m-%d")}, indent=1), encoding="utf-8")
    print(json.dumps(stats, indent=1))
    return 0


def score(args) -> int:
    out = Path(args.out)
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    verdicts = json.loads((out / "verdicts.json").read_text(encoding="utf-8"))
    tally = {"old": {"win": 0, "tie": 0, "loss": 0}, "human": {"win": 0, "tie": 0, "loss": 0}}
    ratings: dict[str, dict[str, list]] = {}
    for k, pair in key["pairs"].items():
        v = verdicts[k]
        other = pair["A"] if pair["B"] == "new" else pair["B"]
        best = v["better"]
        tally[other]["tie" if best == "tie" else "win" if pair[best] == "new" else "loss"] += 1
        for side in "AB":
            r = ratings.setdefault(pair[side] if pair[side] != "new" else f"new (vs {other})", {})
            for m in ("fluency", "coherence", "theme", "keep"):
                r.setdefault(m, []).append(float(v[side][m]))
    st = key["stats"]
    n_lines = len(key["forms"][0]["human"])
    rows = ["| | fluency (1-5) | coherence (1-5) | theme (1-5) | lines kept (of %d) |" % n_lines, "|---|---|---|---|---|"]
    for name, r in ratings.items():
        rows.append(f"| {name} | " + " | ".join(f"{statistics.mean(r[m]):.2f}" for m in
                                                 ("fluency", "coherence", "theme", "keep")) + " |")
    pref = ["| new against | pairs | new preferred | tie | other preferred | new preferred or tied |", "|---|---|---|---|---|---|"]
    for other, t in tally.items():
        n = sum(t.values())
        pref.append(f"| {other} | {n} | {t['win']} | {t['tie']} | {t['loss']} | {(t['win'] + t['tie']) / max(1, n):.0%} |")
    form = ["| | rhyme (CMU) | syllables ±1 | lines ok | theme relevance | shuffled theme | ms per stanza | ms to regenerate a line | load s |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name in ("new", "old", "human"):
        s = st[name]
        form.append(f"| {name} | {s.get('rhyme', '')} | {s.get('syllables', '')} | {s.get('ok_lines', '')} | {s['theme']} | "
                    f"{s['theme_shuffled']} | {s.get('ms_per_stanza', '')} | {s.get('ms_regenerate', '')} | {s.get('load_s', '')} |")
    body = "\n".join([
        f"Run {key['date']} on {key['machine']}: `python bench/blind.py packet --new {key['new']} --old {key['old']}`, "
        f"then {args.reader} given only packet.md, then `python bench/blind.py score`. {len(key['forms'])} forms, each the "
        f"theme, mood, rhyme scheme and syllable count of the first stanza of a test-split bundled song; "
        f"each form drafted once per generator (same seed).", "",
        "Blind preference:", "", *pref, "", "Blind ratings (mean):", "", *rows, "",
        "Form, theme relevance (MiniLM cosine to the theme; shuffled: to another pair's theme) and warm speed:", "",
        *form, ""])
    print(body)
    if not args.no_write:
        write_section("blind", "## Drafting on a pretrained base, blind pairwise (`bench/blind.py`, #15)\n\n" + body)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=("packet", "score"))
    ap.add_argument("--new", default=str(ROOT / "checkpoints" / "generator"), help="the generator under test")
    ap.add_argument("--old", default=str(ROOT / "checkpoints" / "generator-scratch"), help="the one it is compared to")
    ap.add_argument("--out", default="/tmp/lyricist-blind", help="folder for packet.md, key.json, verdicts.json")
    ap.add_argument("--pairs", type=int, default=8, help="forms (each gives one pair against old, one against human)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reader", default="a reader", help="who judged, for the record (score stage)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    return packet(args) if args.stage == "packet" else score(args)


if __name__ == "__main__":
    raise SystemExit(main())
