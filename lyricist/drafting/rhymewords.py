"""End-first rhyme forcing: the rhyme words a line may start with, ranked, and drawn per row.

An end-first model writes a line last word first, so a line that must rhyme with earlier ones
can be made to: :func:`rhyme_words` lists the CMU perfect rhymes of the partners' end words that
the corpus knows, :func:`rank_rhyme_words` scores them by the LM's probability as the line's
first word plus theme relevance, and :func:`forced_rows` draws one per candidate row, as the
tokens that row must start with.

Example:
    >>> rhyme_words(load_generator(), ["night"], used=set())[:3]  # doctest: +SKIP
    ['light', 'tonight', 'right']
"""

from __future__ import annotations

import math
import random
import re
from typing import Optional, Sequence

from lyricist.core.errors import LyricistError
from lyricist.drafting.model import Generator, lm_forward
from lyricist.drafting.tables import WEAK_ENDINGS, vocab_tables
from lyricist.drafting.theme import ThemeModel
from lyricist.lang.prosody import is_rhyme, rhymes, word_identity

WORDLIKE = re.compile(r"^[a-z]+(?:'[a-z]+)?$")
"""A plain lowercase word, with at most one apostrophe inside: the rhyme words a line may be forced to."""


def rhyme_words(gen: Generator, partners: Sequence[str], used: set) -> list[str]:
    """Words that rhyme with every partner end word, known to the corpus first, never a used end word."""
    try:
        cands = rhymes(partners[0], limit=400, names=True)["perfect"]
    except LyricistError:
        return []
    cands = [w for w in cands if WORDLIKE.match(w) and w not in WEAK_ENDINGS and word_identity(w) not in used
             and all(is_rhyme(p, w) for p in partners[1:])]
    known = [w for w in cands if gen.words.get(w, 0) >= 2]
    if len(known) < 3:
        known += [w for w in cands if w not in known and gen.words.get(w, 0) >= 1]
    if len(known) < 3:  # the corpus is small: fall back on common CMU words
        known += [w for w in cands if w not in known][: 10 - len(known)]
    return known[:40]


def rank_rhyme_words(gen: Generator, ctx: list[int], words: list[str], theme_model: ThemeModel, mood_bias,
                     w_theme: float) -> list[tuple[str, float]]:
    """Score rhyme words by LM log-probability as the line's first word + theme relevance, best first.

    ``mood_bias`` (the sampling bias of :class:`lyricist.drafting.decode.Session`, or None) adds to
    one-token words: the rhyme word carries the line, so its colour counts too.
    """
    import torch

    enc = gen.enc
    ids = [enc.words_ids(w) for w in words]
    K, W = len(ids), max(len(x) for x in ids)
    x = torch.tensor([ctx], dtype=torch.long)
    model = gen.model
    out_logits, past = lm_forward(model, x)
    past.batch_repeat_interleave(K)
    first = torch.log_softmax(out_logits[0, -1].float(), -1)  # (V,)
    pad = torch.full((K, W), enc.pad, dtype=torch.long)
    mask = torch.zeros((K, W), dtype=torch.long)
    for k, t in enumerate(ids):
        pad[k, :len(t)] = torch.tensor(t)
        mask[k, :len(t)] = 1
    full_mask = torch.cat([torch.ones((K, len(ctx)), dtype=torch.long), mask], 1)
    logits, _ = lm_forward(model, pad, past, attention_mask=full_mask)
    lp = torch.log_softmax(logits.float(), -1)  # (K, W, V)
    # the token after the word must start a new word or end the line: add log P(boundary)
    bound = vocab_tables(gen)[1].clone()
    bound[enc.nl] = True
    scores = []
    for k, t in enumerate(ids):
        s = float(first[t[0]]) + sum(float(lp[k, j - 1, t[j]]) for j in range(1, len(t)))
        s += float(torch.logsumexp(lp[k, len(t) - 1][bound[: lp.shape[-1]]], 0))
        scores.append(s)
    rel = theme_model.words(words)
    if mood_bias is not None:  # the rhyme word carries the line: its colour counts too
        first_ids = [t[0] for t in ids]
        scores = [sc + float(mood_bias[i]) if len(t) == 1 else sc for sc, i, t in zip(scores, first_ids, ids)]
    return sorted(((w, sc + w_theme * float(r)) for w, sc, r in zip(words, scores, rel)),
                  key=lambda x: -x[1])


def forced_rows(gen: Generator, rhyme_pool: Optional[list[tuple[str, float]]], n: int, seed: int) -> list[list[int]]:
    """The first tokens of each of ``n`` rows: a rhyme word drawn by its score, or nothing (free lines).

    Example:
        >>> forced_rows(None, [], 3, seed=0)
        [[], [], []]
    """
    if not rhyme_pool:
        return [[] for _ in range(n)]
    rng = random.Random(seed)
    top = max(sc for _, sc in rhyme_pool)
    weights = [math.exp(sc - top) + 0.05 for _, sc in rhyme_pool]  # a floor keeps every word in play
    words = rng.choices([w for w, _ in rhyme_pool], weights=weights, k=n)
    return [gen.enc.words_ids(w) for w in words]
