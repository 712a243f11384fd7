"""``lyricist eval generator``: the constrained decoder against the same model sampled freely.

Both columns draft the same forms (8 lines; the schemes AABB, ABAB, ABCB,
AAAA in turn; 6, 8 or 10 syllables; the four moods in turn) on the same
themes with the same seeds. The unconstrained column is the model with its
control prefix (mood and theme keywords) and the same temperature and top-k,
but no rhyme forcing, no syllable control, no filters and no reranking: what
a plain fine-tuned GPT-2 would give.

Measured per column:

- ``rhyme_accuracy``: share of required rhymes met (every line after the
  first of its letter rhymes with that first line, CMU perfect rhyme, never
  the same end word); ``scheme_match``: share of drafts with every rhyme met;
- ``syllable_accuracy``: share of lines within +-1 syllable of the target;
- ``distinct_1``/``distinct_2``: unique word uni/bigrams over all lines;
- ``copy_rate``: share of lines holding a word 6-gram of the training corpus;
- ``mood_hit_rate``: share of drafts whose valence, from the sentiment
  scorer (``load_scorer("auto")``) on the whole draft, has the sign of the
  target mood (happy/relaxed positive, angry/sad negative);
  ``mood_line_hit_rate``: the same per line;
- ``theme_relevance``: mean cosine between the MiniLM embeddings of each line
  and of the theme;
- ``ms_per_draft``: median wall-clock milliseconds per 8-line draft;
- ``perplexity``: held-out perplexity (the model's, so the same in both
  columns) on the ``test`` split songs of its training data, or on ``--data``;
- ``slor`` (with ``--judge``): mean SLOR of the lines under a judge trigram LM trained on
  text the generator never saw (:mod:`lyricist.drafting.fluency`), beside the same figure
  for the held-out human lines (``human_slor``).

The themes below were never used to choose the decoder's settings.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.core.hf import embed_texts, torch_threads
from lyricist.core.progress import ProgressFn, report
from lyricist.drafting.cowrite import draft
from lyricist.drafting.fluency import load_judge, mean_slor
from lyricist.drafting.format import pretty
from lyricist.drafting.metrics import copy_rate, distinct_n, rhyme_accuracy, rhyme_pairs, syllable_accuracy
from lyricist.drafting.model import lm_forward, load_generator
from lyricist.drafting.tables import vocab_tables
from lyricist.drafting.theme import MOOD_VALENCE, mood_scorer, theme_keywords, theme_space
from lyricist.drafting.train import heldout_perplexity
from lyricist.lang.corpus import read_songs

EVAL_THEMES = (
    "leaving a small town at dawn", "a letter never sent", "dancing in the kitchen after midnight",
    "the last summer before college", "a broken phone screen and a broken heart", "driving through the rain alone",
    "my grandmother's garden", "winning the big game", "a city that never sleeps", "falling for your best friend",
    "waiting for the train home", "an old guitar in the attic",
)
EVAL_SCHEMES = ("AABB", "ABAB", "ABCB", "AAAA")
EVAL_SYLLABLES = (6, 8, 10)
EVAL_MOODS = ("happy", "sad", "angry", "relaxed")


def eval_forms(n: int, themes: Sequence[str] = EVAL_THEMES) -> list[dict]:
    """The ``n`` forms of the evaluation, cycling themes, schemes, syllable targets and moods.

    Example:
        >>> eval_forms(2)[1]
        {'theme': 'a letter never sent', 'scheme': 'ABAB', 'syllables': 8, 'mood': 'sad', 'seed': 1}
    """
    return [{"theme": themes[i % len(themes)], "scheme": EVAL_SCHEMES[i % len(EVAL_SCHEMES)],
             "syllables": EVAL_SYLLABLES[i % len(EVAL_SYLLABLES)], "mood": EVAL_MOODS[i % len(EVAL_MOODS)],
             "seed": i} for i in range(n)]


def sample_free(gen, mood: Optional[str], keywords: Sequence[str], n_lines: int, seed: int,
                temperature: float = 0.9, top_k: int = 40) -> list[str]:
    """``n_lines`` lines from the model with its control prefix and nothing else (the baseline).

    Only special tokens other than the line break are masked, so that the output is lyric lines.
    """
    import torch

    enc, model = gen.enc, gen.model
    _, _, banned = vocab_tables(gen)
    ids = enc.prefix(mood, list(keywords)[: max(1, gen.cfg.max_keywords)] if keywords else []) + \
        [enc.section("verse")]
    g = torch.Generator().manual_seed(seed)
    lines: list[list[int]] = [[]]
    length = len(ids)
    with torch.inference_mode():
        logits_all, cache = lm_forward(model, torch.tensor([ids]))
        for _ in range(n_lines * 40):
            if length >= gen.block_size - 1:  # the window is full: restart from the prefix and the recent lines
                recent: list[int] = []
                for x in reversed(lines[:-1]):
                    if len(recent) + len(x) + 1 > gen.block_size // 2:
                        break
                    recent = x + [enc.nl] + recent
                ctx = (ids + recent + lines[-1])[-(gen.block_size - 1):]
                logits_all, cache = lm_forward(model, torch.tensor([ctx]))
                length = len(ctx)
            logits = logits_all[0, -1].float() / temperature
            logits[banned] = -float("inf")
            if not lines[-1]:
                logits[enc.nl] = -float("inf")  # no empty lines
            kth = torch.topk(logits, top_k).values[-1]
            logits[logits < kth] = -float("inf")
            t = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=g))
            if len(lines[-1]) >= 40:
                t = enc.nl  # no lyric line is that long: end it
            if t == enc.nl:
                if len(lines) == n_lines:
                    break
                lines.append([])
            else:
                lines[-1].append(t)
            logits_all, cache = lm_forward(model, torch.tensor([[t]]), cache)
            length += 1
    return [pretty(enc.decode_line(x)) for x in lines if x][:n_lines]


def column_metrics(drafts: list[dict], guard, copy_n: int, scorer, ms: list[float]) -> dict:
    """The metrics of one column; each draft is ``{"lines", "scheme", "syllables", "mood", "theme"}``."""
    lines = [ln for d in drafts for ln in d["lines"]]
    targets = [d["syllables"] for d in drafts for _ in d["lines"]]
    vals = scorer.predict(["\n".join(d["lines"]) for d in drafts])
    line_vals = scorer.predict(lines)
    signs = [MOOD_VALENCE[d["mood"]] for d in drafts]
    line_signs = [MOOD_VALENCE[d["mood"]] for d in drafts for _ in d["lines"]]
    rel = []
    for d in drafts:
        e = embed_texts([d["theme"]] + d["lines"])
        rel += list(e[1:] @ e[0])
    full = [rhyme_pairs(d["lines"], d["scheme"]) for d in drafts]
    return {
        "drafts": len(drafts), "lines": len(lines),
        "rhyme_accuracy": round(rhyme_accuracy([d["lines"] for d in drafts], [d["scheme"] for d in drafts]), 4),
        "scheme_match": round(sum(m == r for m, r in full) / max(1, len(full)), 4),
        "syllable_accuracy": round(syllable_accuracy(lines, targets), 4),
        "distinct_1": round(distinct_n(lines, 1), 4), "distinct_2": round(distinct_n(lines, 2), 4),
        "copy_rate": round(copy_rate(lines, guard, copy_n), 4),
        "mood_hit_rate": round(sum(v["valence"] * s > 0 for v, s in zip(vals, signs)) / max(1, len(drafts)), 4),
        "mood_line_hit_rate": round(sum(v["valence"] * s > 0 for v, s in zip(line_vals, line_signs))
                                    / max(1, len(lines)), 4),
        "theme_relevance": round(float(np.mean(rel)) if rel else 0.0, 4),
        "ms_per_draft": round(statistics.median(ms), 1) if ms else None,
        "lines_per_draft": round(len(lines) / max(1, len(drafts)), 2),
    }


def heldout_songs(gen, data: str | os.PathLike | None) -> tuple[list, str]:
    """Songs for held-out perplexity: every song of ``data``, else the test split of the training data."""
    if data:
        if not Path(data).exists():
            raise LyricistError(f"no such file or folder: {data} (check the --data path)")
        return [s for s in read_songs([str(data)]) if len(s.lines) >= 2], f"all songs of {data}"
    paths = [p for p in (gen.meta.get("data") or []) if Path(p).exists()]
    if not paths:
        return [], "training data not found: pass --data to measure perplexity"
    return [s for s in read_songs(paths) if s.split == "test" and len(s.lines) >= 2], \
        f"test split of {', '.join(paths)}"


MAX_EVAL_DRAFTS = 10_000  # drafts per column; more would take hours (and 2**63 never ends)


def evaluate_generator(model_dir: str | os.PathLike | None = None, data: str | os.PathLike | None = None,
                       n_drafts: int = 24, themes: Sequence[str] | None = None, seed: int = 0,
                       progress: Optional[ProgressFn] = None, lines: int = 8, samples: int = 3,
                       settings=None, judge: str | os.PathLike | None = None) -> dict:
    """Evaluate a generator side by side: constrained decoding vs the same model unconstrained.

    Args:
        model_dir: the generator checkpoint (default ``checkpoints/generator``).
        data: songs for held-out perplexity (default: the test split of the training data).
        n_drafts: drafts per column.
        themes: themes to cycle through (default :data:`EVAL_THEMES`).
        seed: added to each draft's seed.
        progress: ``(fraction, message)`` callback.
        lines: lines per draft.
        samples: drafts of each column to include as they came out.
        settings: decoding knobs for the constrained column (:class:`lyricist.drafting.settings.DecodeSettings`).
        judge: a text corpus the generator never saw, for the SLOR judge (:func:`lyricist.drafting.fluency.load_judge`).

    Returns:
        ``{"constrained": {...}, "unconstrained": {...}, "perplexity", "perplexity_data", "samples", ...}``.
    """
    if not isinstance(n_drafts, int) or not 1 <= n_drafts <= MAX_EVAL_DRAFTS:
        raise LyricistError(f"n_drafts must be between 1 and {MAX_EVAL_DRAFTS:,}, got {n_drafts}")
    if judge is not None and not Path(judge).exists():  # before any progress is shown
        raise LyricistError(f"no such file or folder: {judge} (check the --judge path)")
    gen = load_generator(model_dir)
    judge_lm = None
    if judge is not None:
        report(progress, 0.0, "training the SLOR judge")
        judge_lm = load_judge(judge)
    scorer = mood_scorer()
    forms = eval_forms(n_drafts, tuple(themes) if themes else EVAL_THEMES)
    cols: dict[str, list[dict]] = {"constrained": [], "unconstrained": []}
    ms: dict[str, list[float]] = {"constrained": [], "unconstrained": []}
    flagged = 0
    draft(forms[0]["theme"], lines=2, scheme="AABB", syllables=8, model_dir=gen.folder)  # warm-up: caches load
    space = theme_space(gen)
    for i, f in enumerate(forms):
        report(progress, 0.8 * i / len(forms), f"draft {i + 1} of {len(forms)}")
        t0 = time.perf_counter()
        d = draft(f["theme"], lines=lines, scheme=f["scheme"], syllables=f["syllables"], mood=f["mood"],
                  seed=seed + f["seed"], model_dir=gen.folder, settings=settings)
        ms["constrained"].append((time.perf_counter() - t0) * 1000)
        flagged += sum(not ln.ok for ln in d.lines)
        cols["constrained"].append({**f, "lines": d.texts, "keywords": d.keywords})
        t0 = time.perf_counter()
        with gen.lock, torch_threads(1):
            free = sample_free(gen, f["mood"], theme_keywords(f["theme"], space, gen.words), lines,
                               seed + f["seed"])
        ms["unconstrained"].append((time.perf_counter() - t0) * 1000)
        cols["unconstrained"].append({**f, "lines": free})
    report(progress, 0.85, "scoring")
    result = {name: column_metrics(cols[name], gen.copy_guard, gen.copy_n, scorer, ms[name]) for name in cols}
    result["constrained"]["flagged_lines"] = round(flagged / max(1, n_drafts * lines), 4)
    report(progress, 0.9, "held-out perplexity")
    songs, where = heldout_songs(gen, data)
    ppl = round(heldout_perplexity(gen.folder, songs), 3) if songs else None
    for name in cols:
        result[name]["perplexity"] = ppl
    if judge_lm is not None:
        human = mean_slor(judge_lm, [ln.text for song in songs for ln in song.lines])
        for name in cols:
            result[name]["slor"] = mean_slor(judge_lm, [ln for d in cols[name] for ln in d["lines"]])["slor"]
        result["human_slor"] = human["slor"]
        result["judge"] = {"data": str(judge), "model": judge_lm.describe(), "human_lines": human["lines"]}
    result.update({"perplexity": ppl, "perplexity_data": where, "heldout_songs": len(songs),
                   "model": str(gen.folder), "end_first": gen.reverse, "sentiment_scorer": repr(scorer),
                   "theme_backend": "vectors" if space is not None else "minilm",
                   "forms": {"lines": lines, "schemes": list(EVAL_SCHEMES), "syllables": list(EVAL_SYLLABLES),
                             "moods": list(EVAL_MOODS), "themes": sorted({f["theme"] for f in forms})},
                   "samples": {name: cols[name][:samples] for name in cols}})
    report(progress, 1.0, "done")
    return result
