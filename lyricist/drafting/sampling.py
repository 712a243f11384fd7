"""Constrained sampling of a batch of candidate lines, token by token.

:func:`sample_lines` samples one line per row of a batch from a shared context, with masks at
every step that keep each row to corpus words joined as corpus lines join them, to the
syllable target, and away from repeating the draft. Each row is a :class:`LineRow` (the line it
is writing and the word it is spelling); :class:`RowRules` holds what one call's masks need and
applies them to a row.

Example:
    >>> sess = Session(gen, "rain", None, ["rain"], DecodeSettings(), ThemeModel("rain", ["rain"]))  # doctest: +SKIP
    >>> ctx, body = sess.context(["the rain keeps falling"])                                       # doctest: +SKIP
    >>> rows = sample_lines(gen, sess.s, sess.mood_bias, ctx, body, [[]] * 4, 8, seed=0)            # doctest: +SKIP
    >>> [r is None or len(r[0]) > 0 for r in rows]                                                  # doctest: +SKIP
    [True, True, True, True]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

from lyricist.drafting.model import Generator, lm_forward
from lyricist.drafting.settings import DecodeSettings
from lyricist.drafting.tables import word_tables
from lyricist.lang.prosody import syllables


@dataclass
class LineRow:
    """One row of a sampling batch: the line it is writing, and where it stands in its current word."""

    forced: list[int]
    """Token ids the row must start with (a forced rhyme word), or none."""
    prev: Optional[str]
    """The word before the one being spelled, in generation order (at first: the line edge)."""
    prev2: Optional[str] = None
    """And the one before that."""
    tokens: list[int] = field(default_factory=list)
    """Token ids sampled so far (the line break excluded)."""
    logp: float = 0.0
    """Summed log-probability of those tokens (and of the line break) under the model."""
    done: bool = False
    failed: bool = False
    """Ended because nothing was allowed: not a line."""
    syllables: int = 0
    """Syllables of the completed words."""
    word: str = ""
    """The word being spelled."""
    grams: dict = field(default_factory=dict)
    """Token n-grams of this row (prefix -> next tokens), for the no-repeat ban."""

    def result(self) -> Optional[tuple[list[int], float]]:
        """``(token ids, mean log-prob)`` of a finished line, else None."""
        return (self.tokens, self.logp / (len(self.tokens) + 1)) if self.done and self.tokens and not self.failed \
            else None


class RowRules:
    """The masks of one :func:`sample_lines` call: which token each row may take next, and its bookkeeping."""

    def __init__(self, gen: Generator, settings: DecodeSettings, body: Sequence[int], target: int,
                 free_join: bool = False):
        self.gen, self.enc, self.body, self.target = gen, gen.enc, list(body), target
        self.vt = word_tables(gen)
        self.context = (lambda _a, _b: None) if free_join else self.vt.context
        self.n = settings.no_repeat_ngram
        self.tol = settings.syllable_tolerance
        n = self.n
        self.grams: dict[tuple, set] = {}  # token n-grams of the draft so far
        for i in range(len(body) - n + 1):
            self.grams.setdefault(tuple(body[i:i + n - 1]), set()).add(body[i + n - 1])

    def allow(self, allow, b: int, row: LineRow, step: int) -> None:
        """Set row ``b`` of the bool mask ``allow`` ``(B, V)`` to the tokens ``row`` may take at ``step``."""
        vt, context, enc, n, target = self.vt, self.context, self.enc, self.n, self.target
        if row.done or step < len(row.forced):
            allow[b] = True  # forced or finished: the token is chosen below, not sampled
            return
        partial = row.word
        count = row.syllables + (syllables(partial) if partial else 0)
        boundary = bool(row.forced) and step == len(row.forced)  # the forced word is complete
        nxt_key = None
        if not row.tokens:
            allow[b] = vt.start_mask(context(None, row.prev))  # a word that ends (starts) lines
            if self.gen.reverse:
                allow[b] &= ~vt.weak_end  # the line's last word: never "the", "to", "my"...
        elif boundary:
            nxt_key = context(row.prev, partial)
            allow[b] = vt.start_mask(nxt_key)
        else:
            key = context(row.prev2, row.prev)
            cont = vt.continuations(partial, key)
            if len(cont):
                allow[b, cont] = True
            if vt.complete(partial, key):
                boundary = True
                nxt_key = context(row.prev, partial)
                allow[b] |= vt.start_mask(nxt_key)
        if count >= target:
            allow[b] &= ~vt.start_ok  # long enough: no new word
        if row.tokens and boundary and count >= target - self.tol and vt.may_end(nxt_key):
            allow[b, enc.nl] = True
        seq = self.body + row.tokens
        if n > 1 and len(seq) >= n - 1:
            key = tuple(seq[-(n - 1):])
            ban = self.grams.get(key, set()) | row.grams.get(key, set())
            if ban:
                allow[b, list(ban)] = False

    def push(self, row: LineRow, t: int) -> None:
        """Append token ``t`` (not the line break) to ``row``: its n-grams, and the word it spells."""
        n = self.n
        seq = self.body + row.tokens
        if n > 1 and len(seq) >= n - 1:
            row.grams.setdefault(tuple(seq[-(n - 1):]), set()).add(t)
        row.tokens.append(t)
        piece = self.vt.pieces[t]
        if piece.startswith(" "):  # a new word begins: the previous one is complete
            row.syllables += syllables(row.word) if row.word else 0
            if row.word:
                row.prev2, row.prev = row.prev, row.word
            row.word = piece.strip()
        else:
            row.word += piece


def draw(probs, generator, top_k: int = 0):
    """One token id per row of ``probs`` ``(B, V)`` (rows of weights, each with some mass), as ``torch.multinomial``.

    When the rows were cut to their ``top_k`` most likely tokens, this draws among those ``top_k``
    columns only: ``torch.multinomial`` over a whole 49k vocabulary took 23 ms a step for 20 rows on
    the 2-core CPU, a sixth of a draft. The distribution is the same (a row with more than ``top_k``
    nonzero weights, from ties at the cut, keeps its ``top_k`` largest).

    Example:
        >>> import torch
        >>> p = torch.zeros(2, 10); p[0, 3] = 1.0; p[1, 7] = 0.5; p[1, 8] = 0.5
        >>> ids = draw(p, torch.Generator().manual_seed(0), top_k=4)
        >>> int(ids[0]), int(ids[1]) in (7, 8)
        (3, True)
    """
    import torch

    if 0 < top_k < probs.shape[-1]:
        vals, idx = torch.topk(probs, top_k, -1)
        return idx.gather(1, torch.multinomial(vals, 1, generator=generator)).squeeze(1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(1)


def sample_lines(gen: Generator, settings: DecodeSettings, mood_bias, ctx: list[int], body: list[int],
                 forced: list[list[int]], target: int, seed: int, free_join: bool = False):
    """Sample one line per row of ``forced`` (token ids each row must start with), in one batch.

    Masks applied at every step, per row:

    - words: a row only spells words of the corpus (a token may continue the current word only if the
      result is still the beginning of a corpus word; a new word or the line break only once the current
      word is complete), joined as corpus lines join them: each word follows the previous two as in some
      corpus trigram (else bigram), and the line starts and ends on words that start and end corpus lines
      (``free_join`` lifts this joining rule, as a last resort);
    - syllables: no line break before ``target - tol`` syllables, no new word from ``target`` on;
    - repetition: a CTRL-style penalty on tokens already in the draft, and no repeated token n-gram;
    - mood: ``mood_bias`` ``(V,)`` (or None) is added to the logits.

    ``ctx`` is the whole context (control prefix, earlier lines); ``body`` its lyric part alone.
    Returns a list of ``(token ids, mean log-prob)`` per row, or None for rows that did not finish.
    """
    import torch

    enc, model, s = gen.enc, gen.model, settings
    rules = RowRules(gen, settings, body, target, free_join)
    vt = rules.vt
    B = len(forced)
    V = model.get_output_embeddings().weight.shape[0]
    g = torch.Generator().manual_seed(seed % (1 << 63))  # any int seed (the fuzz passed 2**64)
    out_logits, cache = lm_forward(model, torch.tensor([ctx], dtype=torch.long))
    cache.batch_repeat_interleave(B)
    logits = out_logits[:, -1].float().expand(B, V).clone()  # (B, V)
    # Repetition penalty on every token of the draft's lines so far; the n-gram ban uses them too.
    seen = torch.zeros((B, V), dtype=torch.bool)
    if body:
        seen[:, torch.tensor(sorted(set(body)), dtype=torch.long)] = True
    seen[:, enc.nl] = False
    rows = [LineRow(forced=f, prev=vt.begin) for f in forced]
    max_steps = max(len(f) for f in forced) + 3 * target + 6
    for step in range(max_steps):
        raw = torch.log_softmax(logits, -1)  # (B, V) the model's own distribution, for the LM score
        adj = logits / s.temperature
        if mood_bias is not None:
            adj = adj + mood_bias[: adj.shape[-1]]
        pen = seen & vt.penal
        adj = torch.where(pen & (adj > 0), adj / s.repetition_penalty,
                          torch.where(pen, adj * s.repetition_penalty, adj))
        allow = torch.zeros((B, V), dtype=torch.bool)
        for b, row in enumerate(rows):
            rules.allow(allow, b, row, step)
        adj = adj.masked_fill(~allow, -math.inf)
        if s.top_k and s.top_k < V:
            kth = torch.topk(adj, s.top_k, -1).values[:, -1:]  # (B, 1)
            adj = adj.masked_fill(adj < kth, -math.inf)
        probs = torch.nan_to_num(torch.softmax(adj, -1), nan=0.0)
        dead = probs.sum(-1) <= 0
        if bool(dead.any()):
            probs[dead, enc.nl] = 1.0  # nothing allowed: the row ends here, as a failure
        nxt = draw(probs, g, s.top_k)  # (B,)
        for b, row in enumerate(rows):
            if row.done:
                nxt[b] = enc.nl
                continue
            if step < len(row.forced):
                nxt[b] = row.forced[step]
            elif bool(dead[b]):
                row.done = row.failed = True
                continue
            t = int(nxt[b])
            row.logp += float(raw[b, t])
            if t == enc.nl:
                row.done = True
                continue
            rules.push(row, t)
            seen[b, t] = True
        # Stop once most rows have finished: waiting for the slowest rows costs more than they add.
        if sum(row.done for row in rows) >= math.ceil(s.finish_frac * B):
            break
        out_logits, cache = lm_forward(model, nxt.unsqueeze(1), cache)
        logits = out_logits[:, -1].float()
    return [row.result() for row in rows]
