"""OOV fallback benchmark: how well does spelling alone predict CMU syllables and rhymes?

``lyricist.lang.prosody`` looks words up in the CMU dictionary and falls back on
their spelling for words CMU lacks (slang, names, made-up words). This script
measures that fallback on CMU words it never saw:

- Population: CMU entries spelled with a-z only (117,493 words).
- Split: ``md5(word) % 10 == 0`` is the held-out fold (about 11,700 words);
  folds 1-9 are the training fold. The split does not depend on the seed, so
  the held-out words stay held out whatever sample is drawn from them. Every
  rule, the learned pattern table and the rhyme-guess settings were tuned on
  the training fold only (``--relearn`` re-derives the table from it).
- Sample: ``--n`` words drawn from the held-out fold with ``--seed``
  (``--n 0``: the whole fold).

Reported, against the first CMU pronunciation (what ``syllables`` returns for
a known word):

- syllables: share exact, share within +-1, share matching any listed
  pronunciation; also for the rules alone (no learned table) and for the
  common words of the sample (wordfreq Zipf >= 3, when wordfreq is installed);
- rhyme part: the spelling guess, made with a lexicon of training-fold words
  only, equal to the held-out word's rhyme part (first / any pronunciation);
- timings: ``syllables`` on CMU words, the estimator on unknown words,
  ``rhymes("fire")`` cold and warm, ``rhyme_scheme`` on 16 lines.

Usage:
    python bench/syllables.py [--n 5000] [--seed 0] [--json] [--relearn]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lyricist.lang import prosody as P  # noqa: E402
from lyricist.lang.prosody.cmu import Lexicon, cmu_lexicon  # noqa: E402
from lyricist.lang.prosody.guess import guess_rhyme  # noqa: E402
from lyricist.lang.prosody.phones import rhyme_of_phones, stressed_prons  # noqa: E402
from lyricist.lang.prosody.rhyme import clear_rhymes_cache  # noqa: E402
from lyricist.lang.prosody.syllable_count import LEARNED_PATTERNS, rule_syllables  # noqa: E402

HELD_OUT_FOLD = 0


def fold(word: str) -> int:
    """Deterministic fold 0-9 of a word (md5 of its spelling)."""
    return int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % 10


def cmu_words() -> dict[str, list[str]]:
    lex = cmu_lexicon()
    return {w: ps for w, ps in lex.prons.items() if re.fullmatch(r"[a-z]+", w) and ps}


def n_syl(phones: str) -> int:
    return max(1, sum(ch.isdigit() for ch in phones))


def split(prons: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    train = sorted(w for w in prons if fold(w) != HELD_OUT_FOLD)
    held = sorted(w for w in prons if fold(w) == HELD_OUT_FOLD)
    return train, held


def score_syllables(words: list[str], prons: dict[str, list[str]], estimate) -> dict:
    exact = within = anyp = 0
    for w in words:
        gold = n_syl(prons[w][0])
        est = estimate(w)
        exact += est == gold
        within += abs(est - gold) <= 1
        anyp += est in {n_syl(p) for p in prons[w]}
    n = max(1, len(words))
    return {"n": len(words), "exact": exact / n, "within_1": within / n, "exact_any_pron": anyp / n}


def score_rhymes(words: list[str], prons: dict[str, list[str]], train_lex) -> dict:
    first = anyp = none = vowel = 0
    for w in words:
        guess = guess_rhyme(w, train_lex)
        # what rhyme_part() returns for a known word first, then the other pronunciations
        gold = [rhyme_of_phones(p) for p in stressed_prons(prons[w]) + prons[w]]
        first += guess == gold[0]
        anyp += guess in gold
        none += guess is None
        vowel += bool(guess and gold[0] and guess.split()[0] == gold[0].split()[0])
    n = max(1, len(words))
    return {"n": len(words), "exact": first / n, "exact_any_pron": anyp / n,
            "same_stressed_vowel": vowel / n, "no_guess": none / n}


def timings() -> dict:
    def per_call(fn, items, repeat=3):
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            for x in items:
                fn(x)
            best = min(best, time.perf_counter() - t)
        return best / len(items)

    clear_rhymes_cache()
    t = time.perf_counter()
    P.rhymes("fire")
    first = time.perf_counter() - t  # includes building the indexes if not built yet
    t = time.perf_counter()
    P.rhymes("fire")
    warm = time.perf_counter() - t
    uncached = []
    for w in ["fire", "night", "heart", "love", "time", "away", "together", "believe"]:
        clear_rhymes_cache()
        t = time.perf_counter()
        P.rhymes(w, near=True)
        uncached.append(time.perf_counter() - t)
    words = ["love", "fire", "night", "together", "beautiful", "heart", "away", "remember"] * 500
    made_up = [f"zor{x}blat{y}" for x in "aeiou" for y in ("ic", "ing", "ed", "y", "es")]
    lines = ["my heart is on fire", "we danced through the night",
             "you lift me up higher", "into the light"] * 4
    return {
        "rhymes_fire_first_ms": first * 1e3,
        "rhymes_fire_cached_ms": warm * 1e3,
        "rhymes_uncached_near_ms_median": statistics.median(uncached) * 1e3,
        "rhymes_uncached_near_ms_max": max(uncached) * 1e3,
        "syllables_cmu_us": per_call(P.syllables, words) * 1e6,
        "estimate_syllables_uncached_us": per_call(P.estimate_syllables.__wrapped__, made_up) * 1e6,
        "rhyme_scheme_16_lines_ms": per_call(P.rhyme_scheme, [lines]) * 1e3,
    }


def relearn(train: list[str], prons: dict[str, list[str]], min_gain: int = 8) -> list[tuple[str, int, int]]:
    """Re-derive the learned syllable pattern table from the training fold (greedy, additive).

    Candidates are letter patterns of "<word>" (2-5 characters) holding two
    adjacent vowel letters, or a word end, or (up to 4 characters) a word
    start. Each round adds the pattern and sign (+1/-1 syllable per match)
    that fixes the most training words net of those it breaks.
    """
    vowels = set("aeiouy")

    def cands(s: str) -> Counter:
        t = "<" + s + ">"
        out: Counter = Counter()
        for size in range(2, 6):
            for i in range(len(t) - size + 1):
                sub = t[i:i + size]
                if any(sub[j] in vowels and sub[j + 1] in vowels for j in range(size - 1)) \
                        or (sub[-1] == ">" and size >= 3) or (sub[0] == "<" and 3 <= size <= 4):
                    out[sub] += 1
        return out

    err = {w: rule_syllables(w) - n_syl(prons[w][0]) for w in train}
    wc = {w: cands(w) for w in train}
    inv: dict[str, list[str]] = defaultdict(list)
    for w, c in wc.items():
        for pt in c:
            inv[pt].append(w)
    gain: Counter = Counter()

    def contrib(w: str, sign: int) -> None:
        e = err[w]
        for pt, c in wc[w].items():
            for d in (1, -1):
                gain[(pt, d)] += sign * (((e + d * c) == 0) - (e == 0))

    for w in train:
        contrib(w, 1)
    rules = []
    while True:
        (pt, d), g = max(gain.items(), key=lambda kv: (kv[1], -len(kv[0][0])))
        if g < min_gain:
            return rules
        rules.append((pt, d, g))
        for w in inv[pt]:
            contrib(w, -1)
            err[w] += d * wc[w][pt]
            contrib(w, 1)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="held-out words to sample (0: the whole fold)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--relearn", action="store_true", help="re-derive the learned pattern table and compare")
    args = ap.parse_args(argv)

    prons = cmu_words()
    train, held = split(prons)
    sample = held if args.n <= 0 or args.n >= len(held) else random.Random(args.seed).sample(held, args.n)
    estimate = P.estimate_syllables.__wrapped__  # no cache: every word is new to it

    def rules_only(w: str) -> int:
        return rule_syllables(re.sub(r"[^a-z]", "", w))

    result: dict = {
        "population": len(prons), "train_fold": len(train), "held_out_fold": len(held),
        "sample": len(sample), "seed": args.seed,
        "syllables": score_syllables(sample, prons, estimate),
        "syllables_rules_only": score_syllables(sample, prons, rules_only),
    }
    try:
        import wordfreq

        common = [w for w in sample if wordfreq.zipf_frequency(w, "en") >= 3]
        result["syllables_common_words"] = score_syllables(common, prons, estimate)
    except ImportError:
        pass
    all_prons = cmu_lexicon().prons
    train_lex = Lexicon({w: ps for w, ps in all_prons.items() if fold(w) != HELD_OUT_FOLD})
    result["rhyme_part"] = score_rhymes(sample, prons, train_lex)
    result["timings"] = timings()
    if args.relearn:
        learned = relearn(train, prons)
        table = " ".join(f"{pt}{'+' if d > 0 else '-'}" for pt, d, _ in learned)
        result["relearned_table_matches_shipped"] = table == " ".join(LEARNED_PATTERNS.split())
        result["relearned_table"] = table

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        s, r, t = result["syllables"], result["rhyme_part"], result["timings"]
        print(f"held-out sample: {result['sample']} of {result['held_out_fold']} held-out CMU words "
              f"(seed {args.seed}); rules tuned on {result['train_fold']} training words")
        print(f"syllables, full fallback : within +-1 {s['within_1']:.1%}  exact {s['exact']:.1%}  "
              f"exact (any pronunciation) {s['exact_any_pron']:.1%}")
        ro = result["syllables_rules_only"]
        print(f"syllables, rules only    : within +-1 {ro['within_1']:.1%}  exact {ro['exact']:.1%}")
        if "syllables_common_words" in result:
            c = result["syllables_common_words"]
            print(f"syllables, common words  : within +-1 {c['within_1']:.1%}  exact {c['exact']:.1%}  "
                  f"(n={c['n']}, Zipf >= 3)")
        print(f"rhyme part, spelling guess: exact {r['exact']:.1%}  any pronunciation {r['exact_any_pron']:.1%}  "
              f"same stressed vowel {r['same_stressed_vowel']:.1%}  no guess {r['no_guess']:.1%}")
        print("timings: " + ", ".join(f"{k} {v:.3g}" for k, v in t.items()))
        if args.relearn:
            print(f"relearned table matches the shipped one: {result['relearned_table_matches_shipped']}")
    return result


if __name__ == "__main__":
    main()
