"""Word-embedding benchmark: training speed, WordSim/analogies per space, and rhymes that fit a meaning.

What it measures, in one run on this machine:

1. training: ``train_embeddings`` (default preset) on the shared lyric corpora
   ``billboard_lyrics`` + ``lyrics_21artists``: seconds, tokens, words per second
   (tokens x epochs / training seconds), vocabulary; and on the bundled corpus;
2. quality: WordSim-353 Spearman (+ OOV share), SimLex-999 (the development set)
   and Google analogies (3CosMul and 3CosAdd, restrict_vocab=30000, as gensim's
   ``evaluate_word_analogies``) for the corpus, general and blend spaces of both
   models; plus plain gensim Word2Vec on gensim's Lee corpus, the issue's reference;
3. "rhymes that fit a meaning" (top 5 for 30 fixed probes), side by side with the
   peers a songwriter would use offline: a plain rhyme list ranked by word frequency
   (RhymeZone without meaning: ``pronouncing.rhymes`` + ``wordfreq``), and gensim's
   ``KeyedVectors.most_similar(meaning, topn=100)`` filtered to CMU rhymes, against
   ``WordSpace.similar(meaning, rhymes_with=...)`` on the default models; judged by
   CMU rhyme precision and by relatedness in the shared-corpus word2vec space (data
   the default models never saw);
4. latency: median (and p90) milliseconds of ``similar`` with filters, after load.

Results go to the ``embeddings`` section of ``docs/BENCHMARKS.md``. Skips (exit 0)
with a message when ``../shared/datasets`` is absent.

5. neighbour lists (``--neighbours-only`` runs just this, on the default models): the top 10
   neighbours of 40 everyday lyric words before and after word families and register ranking
   (:mod:`lyricist.explore.families`), judged by an independent stemmer; the rhyme probes before and
   after; WordSim-353. Written to the ``embeddings-neighbours`` section.

Usage:
    nice -n 10 python bench/embeddings.py [--threads 2] [--no-write] [--retrain] [--neighbours-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_section  # noqa: E402

CORPORA = ["billboard_lyrics", "lyrics_21artists"]
# (meaning, rhyme) probes for the benchmark, fixed before any result; the explorer was developed on other
# ones (heart/fire, tears/eyes, night/light, love/above, rain/pain, sea/free, money/honey, road/home,
# kiss/miss, dance/chance, soul/whole, sky/fly).
PROBES = [("fear", "night"), ("angry", "rage"), ("party", "dance"), ("cold", "snow"), ("death", "grave"),
          ("kiss", "lips"), ("summer", "june"), ("church", "pray"), ("time", "clock"), ("sea", "shore"),
          ("lonely", "road"), ("truth", "lie"), ("war", "fight"), ("money", "cash"), ("sun", "day"),
          ("home", "door"), ("tears", "rain"), ("star", "light"), ("wine", "drink"), ("dream", "sleep"),
          ("flame", "burn"), ("heaven", "soul"), ("city", "street"), ("baby", "girl"), ("storm", "wind"),
          ("gold", "ring"), ("winter", "cold"), ("music", "song"), ("river", "flow"), ("prison", "wall")]
TOPN = 5
# Everyday lyric words for the neighbour-list check (issue 14.3), fixed before any result; rain, dance,
# money, ocean, heart, night and love were looked at while writing lyricist.explore.families.
NEIGHBOUR_PROBES = ["love", "heart", "night", "rain", "dance", "money", "ocean", "fire", "road", "home", "dream",
                    "tears", "sun", "moon", "star", "summer", "winter", "river", "city", "car", "baby", "kiss",
                    "smile", "lonely", "cry", "party", "music", "song", "friend", "mother", "gold", "train", "sky",
                    "storm", "window", "whiskey", "angel", "shadow", "morning", "highway"]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def lee_reference() -> dict:
    """Plain gensim Word2Vec (defaults, skip-gram) on gensim's Lee corpus: the issue's reference point."""
    from gensim.models import Word2Vec
    from gensim.test.utils import datapath
    from gensim.utils import simple_preprocess

    from lyricist.explore.eval import wordsim
    from lyricist.explore.space import WordSpace

    sents = [simple_preprocess(line) for line in open(datapath("lee_background.cor"), encoding="utf-8")]
    out = {}
    for sg in (0, 1):
        m = Word2Vec(sents, sg=sg, workers=2, seed=1)
        out["skip-gram" if sg else "CBOW"] = wordsim(WordSpace(m.wv, None), "corpus")
    out["tokens"] = sum(map(len, sents))
    return out


def rhyme_probe_table(ws_default, ws_shared, kv_shared, kv_general) -> tuple[list[dict], dict]:
    """Top-5 "rhymes that fit a meaning", side by side with the peers a user would pick offline.

    Peers: a plain rhyme list ranked by word frequency (RhymeZone without meaning:
    ``pronouncing.rhymes`` sorted by ``wordfreq``), and gensim's ``most_similar(topn=100)``
    filtered to CMU rhymes. Judges: rhyme precision by CMU (``pronouncing``, not
    lyricist.lang.prosody); mean cosine to the meaning word in the shared-corpus word2vec
    space (trained on other data than the default models: an independent judge for
    every row but the shared blend and the gensim corpus row, which use it) and in the
    general space (the default blend's own component: favours our rows).
    """
    import pronouncing
    import wordfreq

    pronouncing.init_cmu()

    def by_frequency(meaning, target):
        rh = sorted(set(pronouncing.rhymes(target)), key=lambda w: (-wordfreq.zipf_frequency(w, "en"), w))
        return [w for w in rh if w != target][:TOPN]

    def gensim_filtered(kv, meaning, target):
        rh = set(pronouncing.rhymes(target))
        if meaning not in kv.key_to_index:
            return []
        return [w for w, _ in kv.most_similar(meaning, topn=100) if w in rh][:TOPN]

    methods = {
        "rhyme list by word frequency (pronouncing + wordfreq: RhymeZone without meaning)": by_frequency,
        "gensim most_similar(topn=100) + CMU filter, shared-corpus vectors": lambda m, t: gensim_filtered(kv_shared, m, t),
        "gensim most_similar(topn=100) + CMU filter, general vectors": lambda m, t: gensim_filtered(kv_general, m, t),
        "lyricist similar --rhymes-with, default models (bundled corpus + general)": lambda m, t: _ours(ws_default, m, t),
        "lyricist similar --rhymes-with, shared-corpus blend": lambda m, t: _ours(ws_shared, m, t),
    }
    rows, examples, per_probe = [], {}, {}
    for name, fn in methods.items():
        n_ret, prec, gsim, csim, lat, probe_rel = [], [], [], [], [], []
        for meaning, target in PROBES:
            fn(meaning, target)  # warm (the first rhyme lookup of a target builds caches)
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                words = fn(meaning, target)
                times.append((time.perf_counter() - t0) * 1000)
            lat.append(statistics.median(times))
            rh = set(pronouncing.rhymes(target))
            n_ret.append(len(words))
            if words:
                prec.append(sum(w in rh for w in words) / len(words))
                gsim += [ws_shared.similarity(meaning, w, "general") for w in words
                         if ws_shared.in_space(w, "general") and ws_shared.in_space(meaning, "general")]
                cs = [ws_shared.similarity(meaning, w, "corpus") for w in words
                      if ws_shared.in_space(w, "corpus") and ws_shared.in_space(meaning, "corpus")]
                csim += cs
                probe_rel.append(statistics.mean(cs) if cs else float("nan"))
            else:
                probe_rel.append(float("nan"))
            examples.setdefault(name, {})[f"{meaning}/{target}"] = words
        per_probe[name] = probe_rel
        rows.append({"method": name, "returned": statistics.mean(n_ret),
                     "precision": statistics.mean(prec) if prec else float("nan"),
                     "general_sim": statistics.mean(gsim) if gsim else float("nan"),
                     "corpus_sim": statistics.mean(csim) if csim else float("nan"),
                     "ms": statistics.median(lat)})
    # paired: on how many probes are the method's words more related (shared-corpus cosine) than the
    # frequency list's? a probe where either returned nothing judgeable counts as a loss
    base = per_probe[next(iter(methods))]
    for r in rows:
        mine = per_probe[r["method"]]
        r["wins"] = sum(1 for a, b in zip(mine, base) if a == a and (b != b or a > b))
    return rows, examples


def _ours(ws, meaning, target, space="blend"):
    try:
        return [w for w, _ in ws.similar(meaning, topn=TOPN, rhymes_with=target, space=space)]
    except Exception:  # noqa: BLE001 - an unknown word counts as no answer
        return []


def _judge_derived(query: str, word: str) -> bool:
    """An independent judge of "a derivation of": Snowball stems equal, one word starting or ending with
    the other, or a shared first five letters (NLTK's stemmer; none of lyricist.explore.families)."""
    from nltk.stem.snowball import SnowballStemmer

    st = SnowballStemmer("english")
    q, w = query.lower(), word.lower()
    return (st.stem(q) == st.stem(w) or w.startswith(q) or w.endswith(q) or q.startswith(w) or q.endswith(w)
            or (len(q) >= 5 and len(w) >= 5 and q[:5] == w[:5]))


def neighbour_probe_table(ws, topn: int = 10) -> tuple[dict, dict]:
    """Top-``topn`` neighbours of :data:`NEIGHBOUR_PROBES` before (``similar``) and after (``neighbours``:
    families + register): the share that derives from the query, the share that derives from a word
    above it in the same list, the share of rare words (Zipf < 3), the mean similarity, by the judge above."""
    import wordfreq

    rows, examples = {}, {}
    for name, fam in (("before (similar, no families, no register)", False),
                      ("after (families + register, the default)", True)):
        n = der = dup = rare = 0
        sims = []
        for q in NEIGHBOUR_PROBES:
            heads, _ = ws.neighbours(q, topn=topn, families=fam, register=fam)
            words = [h.word for h in heads]
            examples.setdefault(name, {})[q] = words
            for k, w in enumerate(words):
                n += 1
                der += _judge_derived(q, w)
                dup += any(_judge_derived(x, w) for x in words[:k])
                rare += wordfreq.zipf_frequency(w.replace("_", " "), "en") < 3
                sims.append(heads[k].score)
        rows[name] = {"n": n, "derived": der / n, "repeats": dup / n, "rare": rare / n,
                      "similarity": statistics.mean(sims)}
    return rows, examples


def rhyme_probes_families(ws, variants=(("before", False, False), ("families only", True, False),
                                         ("after (families + register)", True, True))) -> dict:
    """The 30 rhyme probes (top 5) on the default models before and after families + register:
    CMU rhyme precision and mean general-space similarity to the meaning word."""
    import pronouncing

    out = {}
    for name, fam, reg in variants:
        prec, rel, ret = [], [], []
        for meaning, target in PROBES:
            try:
                heads, _ = ws.neighbours(meaning, topn=TOPN, rhymes_with=target, families=fam, register=reg)
            except Exception:  # noqa: BLE001 - an unknown word counts as no answer
                heads = []
            words = [h.word for h in heads]
            ret.append(len(words))
            rh = set(pronouncing.rhymes(target))
            if words:
                prec.append(sum(w in rh for w in words) / len(words))
                rel += [ws.similarity(meaning, w, "general") for w in words
                        if ws.in_space(w, "general") and ws.in_space(meaning, "general")]
        out[name] = {"returned": statistics.mean(ret), "precision": statistics.mean(prec),
                     "general_sim": statistics.mean(rel)}
    return out


def neighbours_main(write: bool) -> int:
    """``--neighbours-only``: the neighbour-list check on the default models (``$LYRICIST_CHECKPOINTS``)."""
    from lyricist.explore.api import load_space
    from lyricist.explore.eval import wordsim

    t0 = time.perf_counter()
    ws = load_space(build_general=False)
    rows, examples = neighbour_probe_table(ws)
    rh = rhyme_probes_families(ws)
    sims = {sp: wordsim(ws, sp)["spearman"] for sp in ("general", "blend", "corpus") if ws.has_corpus or sp == "general"}
    text = render_neighbours(rows, examples, rh, sims, time.perf_counter() - t0)
    print(text)
    if write:
        write_section("embeddings-neighbours", text)
        print(f"\nwrote the embeddings-neighbours section of {ROOT / 'docs' / 'BENCHMARKS.md'}")
    return 0


def render_neighbours(rows, examples, rh, sims, seconds) -> str:
    out = ["## Neighbours a songwriter can use (`bench/embeddings.py --neighbours-only`)", "",
           f"Run {dt.date.today().isoformat()} on {machine(torch_threads=False)}, on the default models "
           f"(`lyricist train all` on the bundled corpus, plus the general vectors), in {seconds:.0f} s. "
           f"Top 10 neighbours of {len(NEIGHBOUR_PROBES)} everyday lyric words fixed in the bench "
           f"({', '.join(NEIGHBOUR_PROBES)}), before and after `lyricist.explore.families` in the same run. "
           "*derived from the query*: judged by NLTK's Snowball stemmer (same stem), one word starting or "
           "ending with the other, or the same first five letters: a judge that shares no code with the "
           "families rules (it is stricter on `midnight`, looser on `heartbreak`); *repeats a word above*: the "
           "same judge against the words above it in the list; *rare*: Zipf below 3 (`wordfreq`); "
           "*similarity*: the mean similarity of the words shown.", "",
           "| list | words | derived from the query | repeats a word above | rare | similarity |",
           "|---|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        out.append(f"| {name} | {r['n']} | {r['derived']:.1%} | {r['repeats']:.1%} | {r['rare']:.1%} | "
                   f"{r['similarity']:.3f} |")
    out += ["", "Examples:", ""]
    for name, ex in examples.items():
        out.append(f"- {name}: " + "; ".join(f"{q}: {', '.join(ex[q])}" for q in ("rain", "dance", "money",
                                                                                    "ocean", "fire", "kiss")))
    out += ["", f"The {len(PROBES)} rhyme probes of the table above (top {TOPN}, `--rhymes-with`), same models:", "",
            "| list | returned | rhyme precision (CMU) | related (general) |", "|---|---:|---:|---:|"]
    for name, r in rh.items():
        out.append(f"| {name} | {r['returned']:.2f} | {r['precision']:.0%} | {r['general_sim']:.3f} |")
    out += ["", "WordSim-353 of the same models (families only reorder the suggestion list; the similarity "
                "scores are untouched, so these are the same before and after): "
                + ", ".join(f"{sp} {v:.3f}" for sp, v in sims.items()) + "."]
    return "\n".join(out) + "\n"


def latency(ws) -> dict:
    """Median and p90 ms of similar() with filters (warm), and of the first call for a new rhyme target."""
    out = {}
    cases = {
        "rhymes_with": lambda m, t: ws.similar(m, rhymes_with=t),
        "rhymes_with + syllables=2": lambda m, t: ws.similar(m, rhymes_with=t, syllables=2),
        "near rhymes": lambda m, t: ws.similar(m, rhymes_with=t, near=True),
        "syllables=2 only": lambda m, t: ws.similar(m, syllables=2),
        "no filter": lambda m, t: ws.similar(m),
    }
    cold = []
    for m, t in PROBES:
        t0 = time.perf_counter()
        ws.rhyme_rows(t, True)
        cold.append((time.perf_counter() - t0) * 1000)
    for name, fn in cases.items():
        times = []
        for m, t in PROBES:
            fn(m, t)
            for _ in range(20):
                t0 = time.perf_counter()
                fn(m, t)
                times.append((time.perf_counter() - t0) * 1000)
        out[name] = (statistics.median(times), pct(times, 0.9))
    out["first near-rhyme lookup of a target (cold)"] = (statistics.median(cold), pct(cold, 0.9))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2, help="torch threads while distilling")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    ap.add_argument("--retrain", action="store_true", help="retrain the shared-corpus model even if it exists")
    ap.add_argument("--neighbours-only", action="store_true",
                    help="only the neighbour-list check (families, register) on the default models")
    args = ap.parse_args()
    if args.neighbours_only:
        return neighbours_main(not args.no_write)
    paths = [DATA / c for c in CORPORA]
    if not all(p.is_dir() for p in paths):
        print(f"skipping: the shared lyric corpora are not at {DATA} (this bench needs ../shared/datasets/"
              f"{{{','.join(CORPORA)}}})")
        return 0
    import torch

    torch.set_num_threads(args.threads)
    from lyricist.core.checkpoint import read_config
    from lyricist.core.config import bundled_corpus, checkpoint_dir
    from lyricist.explore.api import evaluate_embeddings, load_space
    from lyricist.explore.train_general import ensure_general_vectors
    from lyricist.explore.train import train_embeddings
    from lyricist.explore.vectors import load_vectors

    ck = ROOT / "checkpoints" / "bench"
    t0 = time.perf_counter()
    gdir = checkpoint_dir("general-vectors")
    built_now = not (gdir / "vectors.kv").is_file()
    ensure_general_vectors(gdir, progress=lambda f, m: None)
    gconf = read_config(gdir, "general-vectors")
    print(f"general vectors: {gconf['vocab_size']:,} words, {gconf['dim']} dims, distilled in "
          f"{gconf['train_seconds']:.0f} s{' (now)' if built_now else ''}", flush=True)

    shared_dir = ck / "embeddings-shared"
    if args.retrain or not (shared_dir / "config.json").is_file():
        print("training on the shared corpora...", flush=True)
        train_embeddings([str(p) for p in paths], preset="default", out_dir=shared_dir, general=False)
    sconf = read_config(shared_dir, "embeddings")
    print(f"shared: {sconf['vocab_size']:,} words from {sconf['tokens']:,} tokens, {sconf['train_seconds']:.1f} s, "
          f"{sconf['words_per_second']:,.0f} words/s", flush=True)
    bundled_dir = ck / "embeddings-bundled"
    train_embeddings([str(bundled_corpus())], preset="default", out_dir=bundled_dir, general=False)
    bconf = read_config(bundled_dir, "embeddings")

    evals = {}
    for name, d in (("shared", shared_dir), ("bundled", bundled_dir)):
        evals[name] = evaluate_embeddings(d, gdir)
        print(name, {sp: evals[name]["wordsim353"][sp]["spearman"] for sp in evals[name]["spaces"]}, flush=True)
    lee = lee_reference()
    print("lee", lee, flush=True)

    ws = load_space(shared_dir, gdir)
    wsb = load_space(bundled_dir, gdir)
    rows, examples = rhyme_probe_table(wsb, ws, load_vectors(shared_dir), load_vectors(gdir, "general-vectors"))
    for r in rows:
        print(r, flush=True)
    lat = latency(ws)
    lat_b = latency(wsb)
    print("latency shared", lat, "bundled", lat_b, flush=True)
    heart = wsb.similar("heart", rhymes_with="fire", topn=8)
    total = time.perf_counter() - t0

    text = render(gconf, sconf, bconf, evals, lee, rows, examples, lat, lat_b, heart, total)
    print(text)
    t1 = time.perf_counter()
    nrows, nex = neighbour_probe_table(wsb)
    ntext = render_neighbours(nrows, nex, rhyme_probes_families(wsb),
                              {sp: evals["bundled"]["wordsim353"][sp]["spearman"] for sp in evals["bundled"]["spaces"]},
                              time.perf_counter() - t1)
    print(ntext)
    if not args.no_write:
        write_section("embeddings-neighbours", ntext)
        write_section("embeddings", text)
        print(f"\nwrote the embeddings section of {ROOT / 'docs' / 'BENCHMARKS.md'}")
    return 0


def _f(x, fmt="{:.3f}") -> str:
    return "n/a" if x is None or (isinstance(x, float) and x != x) else fmt.format(x)


def render(gconf, sconf, bconf, evals, lee, rows, examples, lat, lat_b, heart, total) -> str:
    out = ["## Word embeddings (`bench/embeddings.py`)", "",
           f"Run {dt.date.today().isoformat()} on {machine(torch_threads=False)}, shared with other jobs (timings are noisy). "
           f"Data: `billboard_lyrics` + `lyrics_21artists` from `../shared/datasets` (deduplicated by "
           f"`lyricist.lang.corpus`), the bundled `corpora/`, and gensim's test files (WordSim-353, SimLex-999, "
           f"Google analogies, Lee corpus). Whole run {total / 60:.1f} min.", "",
           "### Training", "",
           "| model | songs | tokens | vocabulary | epochs | min_count | seconds | words/s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, c in (("shared lyric corpora (default preset)", sconf), ("bundled corpus (default preset)", bconf)):
        out.append(f"| {name} | {c['songs']:,} | {c['tokens']:,} | {c['vocab_size']:,} | {c['params']['epochs']} | "
                   f"{c['params']['min_count']} | {c['train_seconds']:.1f} | {c['words_per_second']:,.0f} |")
    out += ["", f"General vectors (`lyricist.explore.train_general`, built once): {gconf['vocab_size']:,} words, {gconf['dim']} "
                f"dims, pooling `{gconf['params']['pooling']}`, distilled from all-MiniLM-L6-v2 in "
                f"{gconf['train_seconds']:.0f} s ({gconf['words_per_second']:,.0f} words/s) on this shared CPU. "
                "words/s for word2vec = tokens x epochs / training seconds.", "",
            "### Quality per space", "",
            "WordSim-353 (test) Spearman on the pairs the space knows, with the share of pairs skipped (OOV); "
            "SimLex-999 is the development set; Google analogies with restrict_vocab=30000 (a question with a "
            "word outside the 30,000 most frequent is skipped: OOV), 3CosMul (what `lyricist analogy` uses) and "
            "3CosAdd (gensim's `most_similar`; on the same vectors it matched gensim's own "
            "`evaluate_word_analogies` to 4 decimals).", "",
            "| model | space | WordSim-353 | OOV | SimLex-999 | analogy 3CosMul | 3CosAdd | analogy OOV |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, label in (("shared", "shared corpora"), ("bundled", "bundled corpus")):
        e = evals[name]
        for sp in e["spaces"]:
            w, s, a = e["wordsim353"][sp], e["simlex999"][sp], e["analogy"][sp]
            out.append(f"| {label} | {sp} | {_f(w['spearman'])} | {_f(w['oov_share'], '{:.0%}')} | "
                       f"{_f(s['spearman'])} | {_f(a['accuracy'])} | {_f(a['accuracy_3cosadd'])} | "
                       f"{_f(a['oov_share'], '{:.0%}')} |")
    out += ["", f"Reference (the issue's point): plain gensim Word2Vec with default settings on the "
                f"{lee['tokens']:,}-token Lee corpus scores WordSim-353 {_f(lee['CBOW']['spearman'])} (CBOW) and "
                f"{_f(lee['skip-gram']['spearman'])} (skip-gram), OOV {_f(lee['CBOW']['oov_share'], '{:.0%}')}.",
            "", "Blend rule (documented in `lyricist/explore/space.py`): for two words both in both spaces, "
                "`w * cos_corpus + (1 - w) * cos_general` with `w = 0.5 * m / (m + 20)`, m the rarer word's corpus "
                "count; the general cosine when the corpus lacks a word; `m / (m + 20) * cos_corpus` when only "
                "the corpus has them. The constants are priors, not tuned on WordSim-353.", "",
            "### Rhymes that fit a meaning, against the peers", "",
            f"For {len(PROBES)} (meaning, rhyme) probes fixed before any result and not used while developing "
            f"({', '.join(f'{m}/{r}' for m, r in PROBES)}), the top {TOPN} words of each method. *returned*: mean "
            f"number of words (of {TOPN}); *rhyme precision*: share in `pronouncing.rhymes(rhyme)` (CMU, "
            "independent of lyricist.lang.prosody); *related (shared corpus)*: mean cosine of the returned words to the "
            "meaning word in the word2vec space trained on the shared lyric corpora, a judge independent of the "
            "default models and of the frequency list (not of the two rows that rank with it, marked *); "
            f"*more related than the frequency list*: on how many of the {len(PROBES)} probes the method's "
            "words have a higher mean shared-corpus cosine than the frequency list's (paired; no judgeable "
            "words counts as a loss); "
            "*related (general)*: the same in the general space, which the blend ranks with (favours our rows, "
            "shown for completeness); *ms*: median latency per query, warm.", "",
            "| method | returned | rhyme precision | related (shared corpus) | more related than the frequency "
            "list | related (general) | ms |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        star = " *" if "shared-corpus" in r["method"] else ""
        out.append(f"| {r['method']}{star} | {r['returned']:.1f} | {_f(r['precision'], '{:.0%}')} | "
                   f"{_f(r['corpus_sim'])} | {r['wins']}/{len(PROBES)} | {_f(r['general_sim'])} | {r['ms']:.2f} |")
    out += ["", "Examples:", ""]
    for name, ex in examples.items():
        shown = "; ".join(f"{k}: {', '.join(v) or '-'}" for k, v in list(ex.items())[:5])
        out.append(f"- {name}: {shown}")
    out += ["", "### Latency of `similar` (after load)", "",
            "Median and p90 over the probes x 20 repetitions, on the shared-corpus blend and on the bundled "
            "default model.", "", "| query | shared: median ms | p90 | bundled: median ms | p90 |",
            "|---|---:|---:|---:|---:|"]
    for k in lat:
        out.append(f"| {k} | {lat[k][0]:.2f} | {lat[k][1]:.2f} | {lat_b[k][0]:.2f} | {lat_b[k][1]:.2f} |")
    out += ["", "`lyricist similar heart --rhymes-with fire` on the default models (bundled corpus + general "
                "vectors): " + ", ".join(f"{w} ({s:.2f})" for w, s in heart) + "."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
