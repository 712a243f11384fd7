"""Decoding a planned model: plan each line's end word, then write towards it left to right.

A planned generator (a pretrained causal LM fine-tuned with ``plan=True``, see
:mod:`lyricist.drafting.train`) reads each line after its plan, ``<|end|> fire 8<|/end|>``: the
word the line ends on and its syllable count. Drafting a line:

1. **end words.** A line that must rhyme takes CMU perfect rhymes of its partners' end words
   (:func:`lyricist.drafting.rhymewords.rhyme_words`); an open line takes the words the model
   itself proposes as the plan's word (its next-word distribution after ``<|end|>``) plus the
   theme's keywords, each with enough rhymes left for the lines still to come. Either way the
   words are ranked by the model's probability of the word as the plan plus theme relevance
   (:func:`plan_scores`), and the best ``plan_words`` are drawn by that score;
2. **the line.** The ``plan_words`` end words drawn share one batch of ``n_candidates`` rows
   (:func:`plan_batch`): the context is encoded once per draft and extended line by line
   (:class:`PrefixCache`), each plan once. Rows sample the line token by token
   (:func:`sample_planned`) with: a syllable budget (once the end word would land within the
   tolerance its first token gets a bonus, and if sampled the word is completed; at the last
   count within the tolerance it is forced, then the line break), no line break before the end
   word, the repetition penalty and no-repeat n-grams across the draft, and the mood's logit bias;
3. **ranking and filters** are the shared ones (:class:`lyricist.drafting.decode.Session`):
   syllables, rhyme, copy guard, repeats; LM log-probability + mood + theme, plus how naturally
   the line arrives at its word (``w_arrival`` x the log-probability of the end word and the
   line break after it: a word forced into a sentence that wanted another scores low).

The free-vocabulary sampler never restricts words to the corpus: the pretrained base writes
English, and the copy guard still bars 6-grams of the training songs.

Example:
    >>> sess = PlannedSession(load_generator(), "rain", "sad", ["rain"], DecodeSettings(),
    ...                       ThemeModel("rain", ["rain"]))                          # doctest: +SKIP
    >>> [c.text for c in sess.candidates([None, None], "AA", 0, 8, seed=0)][:1]     # doctest: +SKIP
    ['The rain keeps falling on my door']
"""

from __future__ import annotations

import math
import os
import random
import re
import weakref
from dataclasses import dataclass, field
from typing import Optional, Sequence

from lyricist.core.errors import LyricistError
from lyricist.drafting.checks import Candidate
from lyricist.drafting.decode import Session
from lyricist.drafting.model import Generator, lm_forward
from lyricist.drafting.rhymewords import WORDLIKE, rhyme_words
from lyricist.drafting.sampling import draw
from lyricist.drafting.settings import DecodeSettings
from lyricist.drafting.tables import WEAK_ENDINGS
from lyricist.drafting.theme import MOOD_VALENCE
from lyricist.lang.lexicon import vader
from lyricist.lang.prosody import last_word, line_syllables, rhymes, syllables, word_identity, words_of
from lyricist.lang.text import is_stop

_BAD_PIECE = re.compile(r"[\n\r\t<>|\[\]{}#*_=~`\\/@$%^&+0-9]")
_TYPOGRAPHIC = set("\u2018\u2019\u201c\u201d\u2013\u2014\u2026")


def _foreign(piece: str) -> bool:
    """A token holding letters outside the Latin script (a drafted English line once held a Cyrillic ``ѕ``).

    Example:
        >>> _foreign(" ѕomebody"), _foreign(" café"), _foreign("\u2019s")
        (True, False, False)
    """
    return any(ord(ch) > 0x24F and ch not in _TYPOGRAPHIC for ch in piece)


class PlanTables:
    """Per-generator token tables of a planned model: what a line may hold, and the word tokens.

    Built once per loaded generator (:func:`plan_tables`).
    """

    def __init__(self, gen: Generator):
        import torch

        tok = gen.tok
        V = gen.model.get_output_embeddings().weight.shape[0]
        n = len(tok)
        self.pieces = tok.batch_decode([[i] for i in range(n)], skip_special_tokens=False,
                                       clean_up_tokenization_spaces=False) + [""] * (V - n)
        special = set(tok.all_special_ids)
        self.nl = gen.enc.nl
        banned, starts = [], []  # indices, set in one go (item assignment on a tensor costs ~4 us each)
        self.word_ids: dict[str, list[int]] = {}  # lowercase whole word -> word-start token ids spelling it alone
        for i, p in enumerate(self.pieces):
            if i in special or i >= n or not p or _BAD_PIECE.search(p) or not p.isprintable() or _foreign(p):
                banned.append(i)
                continue
            if p.startswith(" "):
                starts.append(i)
                w = p[1:]
                if w.isalpha():
                    self.word_ids.setdefault(w.lower(), []).append(i)
        self.banned = torch.zeros(V, dtype=torch.bool)
        self.banned[banned] = True
        self.starts = torch.zeros(V, dtype=torch.bool)
        self.starts[starts] = True
        self.banned[self.nl] = False  # allowed only when the line may end (masked per row)
        self.penal = torch.zeros(V, dtype=torch.bool)  # content words: the repetition penalty's targets
        self.penal[[i for w, ids in self.word_ids.items() if not is_stop(w) for i in ids]] = True


_TABLES: "weakref.WeakKeyDictionary[Generator, PlanTables]" = weakref.WeakKeyDictionary()


def plan_tables(gen: Generator) -> PlanTables:
    """The :class:`PlanTables` of a generator, built once and kept with it."""
    t = _TABLES.get(gen)
    if t is None:
        t = _TABLES[gen] = PlanTables(gen)
    return t


@dataclass
class PlannedRow:
    """One row of a batch: the line it is writing towards its end word."""

    end: str
    forced: list[int] = field(default_factory=list)
    """Tokens still to force (the end word once the syllable budget is reached)."""
    tokens: list[int] = field(default_factory=list)
    logp: float = 0.0
    done: bool = False
    placed: bool = False
    """The line holds its end word as its last word, at a count within the tolerance."""
    was_forced: bool = False
    grams: dict = field(default_factory=dict)
    """Token n-grams of this row (prefix -> next tokens), for the no-repeat ban."""
    arrival: float = 0.0
    """Log-probability of the end word's tokens and of the line break after it: how naturally the
    line arrives at its word (low where the word was forced into a sentence that wanted another)."""
    in_end: bool = False

    def result(self):
        """``(token ids, mean log-prob, arrival log-prob, forced)``, or None for an unfinished row."""
        return (self.tokens, self.logp / (len(self.tokens) + 1), self.arrival, self.was_forced) \
            if self.done and self.placed and self.tokens else None


class PrefixCache:
    """The KV cache of the last context encoded: a context that shares its beginning pays only for the rest.

    The contexts of a draft's lines grow by one line at a time, and the plans tried for a line
    share everything up to ``<|end|>``, so most of each context is already encoded. Each call
    returns the last position's logits and a copy of the cache that the caller may extend; below,
    the second call runs only the tokens of ``more``.

    Example:
        >>> pc = PrefixCache(model)                          # doctest: +SKIP
        >>> logits, cache = pc.encode(ids)                   # doctest: +SKIP
        >>> logits, cache = pc.encode(ids + more)            # doctest: +SKIP
    """

    def __init__(self, model):
        self.model = model
        self.ids: list[int] = []
        self.cache = None
        self.logits = None
        self.new_tokens = 0
        """Tokens run through the model so far (for tests and profiling)."""

    def encode(self, ids: Sequence[int], copy_cache: bool = True):
        """``(last logits, a copy of the cache)`` of ``ids``; the copy is None when ``copy_cache`` is False."""
        import copy

        import torch

        ids = list(ids)
        n = 0
        for a, b in zip(self.ids, ids):
            if a != b:
                break
            n += 1
        if not (n == len(ids) == len(self.ids) and self.logits is not None):
            n = min(n, len(ids) - 1)  # at least one token runs, for its logits
            if self.cache is None or n <= 0:
                logits, cache = lm_forward(self.model, torch.tensor([ids], dtype=torch.long))
                n = 0
            else:
                self.cache.crop(-(len(self.ids) - n))  # a negative count removes that many tokens
                logits, cache = lm_forward(self.model, torch.tensor([ids[n:]], dtype=torch.long), self.cache)
            self.new_tokens += len(ids) - n
            self.ids, self.cache, self.logits = ids, cache, logits[:, -1].float()
        return self.logits, copy.deepcopy(self.cache) if copy_cache else None


def plan_batch(gen: Generator, prefix: PrefixCache, ctx: list[int], plans: Sequence[tuple[str, int]], target: int):
    """One batch for several plans after the same context: ``(logits, cache, mask, positions)``.

    Each plan ``(word, rows)`` is run once on a copy of the context's cache, its rows repeated;
    shorter plans are padded at their end, and the padding is masked out and skipped in the
    positions, so each row sees exactly its own ``ctx + plan``. On a CPU a 135M model's step is
    bound by reading its weights, so one batch of 2 x 10 rows costs little more than one of 10.
    """
    import torch
    import torch.nn.functional as F

    enc = gen.enc
    parts = []
    for w, k in plans:
        p = enc.plan_ids(w, target)
        _, c = prefix.encode(ctx)
        lg, c = lm_forward(gen.model, torch.tensor([p], dtype=torch.long), c)
        parts.append((len(p), k, lg[0, -1].float(), c))
    P = max(n for n, *_ in parts)
    L = len(ctx)
    cache = parts[0][3]
    for li, layer in enumerate(cache.layers):
        keys, values = [], []
        for n, k, _, c in parts:
            kv = c.layers[li]
            keys.append(F.pad(kv.keys, (0, 0, 0, P - n)).repeat_interleave(k, 0))
            values.append(F.pad(kv.values, (0, 0, 0, P - n)).repeat_interleave(k, 0))
        layer.keys, layer.values = torch.cat(keys), torch.cat(values)
    mask = torch.cat([torch.cat([torch.ones((k, L + n), dtype=torch.long),
                                 torch.zeros((k, P - n), dtype=torch.long)], 1) for n, k, _, _ in parts])
    logits = torch.cat([lg.expand(k, -1) for _, k, lg, _ in parts]).clone()
    pos = torch.cat([torch.full((k,), L + n, dtype=torch.long) for n, k, _, _ in parts])
    return logits, cache, mask, pos


def sample_planned(gen: Generator, settings: DecodeSettings, mood_bias, ctx: list[int], body: list[int],
                   plans: Sequence[tuple[str, int]], target: int, seed: int, prefix: Optional[PrefixCache] = None):
    """Sample lines towards their end words at about ``target`` syllables, as one batch over a shared KV cache.

    ``plans`` are ``(end word, rows)``; each row reads ``ctx`` then its plan (:func:`plan_batch`).
    ``body`` is the draft's lyric ids so far (for the repetition penalty and the no-repeat
    n-grams). Once the end word would land within the syllable tolerance, its first token gets
    ``settings.plan_bias`` and, if sampled, the word is completed; at the last count within the
    tolerance it is forced. Returns ``(token ids, mean log-prob, arrival log-prob, forced)`` per
    row (:meth:`PlannedRow.result`), or None for a row that did not finish, in the order of ``plans``.
    """
    import torch

    tb = plan_tables(gen)
    s = settings
    model = gen.model
    V = model.get_output_embeddings().weight.shape[0]
    ends = [w for w, k in plans for _ in range(k)]
    n = len(ends)
    end_ids = {w: gen.enc.body_ids(w) for w, _ in plans}
    end_syl = {w: max(1, syllables(w)) for w, _ in plans}
    first_ids = torch.tensor([end_ids[w][0] for w in ends], dtype=torch.long)
    g = torch.Generator().manual_seed(seed % (1 << 63))  # any int seed (the fuzz passed 2**64)
    if prefix is None:
        prefix = PrefixCache(model)
    logits, cache, mask, pos = plan_batch(gen, prefix, ctx, plans, target)
    logits = logits[:, :V]
    window = torch.zeros(n, dtype=torch.bool)  # rows where the end word may come now
    seen = torch.zeros((n, V), dtype=torch.bool)
    if body:
        seen[:, torch.tensor(sorted(set(body)), dtype=torch.long)] = True
    ng = s.no_repeat_ngram
    grams: dict[tuple, set] = {}
    for i in range(len(body) - ng + 1):
        grams.setdefault(tuple(body[i:i + ng - 1]), set()).add(body[i + ng - 1])
    rows = [PlannedRow(end=w) for w in ends]
    tol = s.syllable_tolerance
    for step in range(3 * target + max(len(x) for x in end_ids.values()) + 8):
        raw = torch.log_softmax(logits, -1)
        adj = logits / s.temperature
        if mood_bias is not None:
            adj = adj + mood_bias[: adj.shape[-1]]
        pen = seen & tb.penal[:V]
        adj = torch.where(pen & (adj > 0), adj / s.repetition_penalty,
                          torch.where(pen, adj * s.repetition_penalty, adj))
        adj = adj.masked_fill(tb.banned[:V], -math.inf)
        adj[:, tb.nl] = -math.inf  # a line ends only on its end word (set below)
        if s.plan_bias and bool(window.any()):
            rows_in = window.nonzero().squeeze(1)
            adj[rows_in, first_ids[rows_in]] += s.plan_bias
        for b, row in enumerate(rows):
            seq = body + row.tokens
            if ng > 1 and len(seq) >= ng - 1:
                key = tuple(seq[-(ng - 1):])
                ban = grams.get(key, set()) | row.grams.get(key, set())
                if ban:
                    adj[b, list(ban)] = -math.inf
        if s.top_k and s.top_k < V:
            kth = torch.topk(adj, s.top_k, -1).values[:, -1:]
            adj = adj.masked_fill(adj < kth, -math.inf)
        probs = torch.nan_to_num(torch.softmax(adj, -1), nan=0.0)
        probs[probs.sum(-1) <= 0, tb.nl] = 1.0
        nxt = draw(probs, g, s.top_k)
        for b, row in enumerate(rows):
            if row.done:
                nxt[b] = tb.nl
                continue
            if row.placed:
                t = tb.nl
            elif row.forced:
                t = row.forced.pop(0)
            else:
                t = int(nxt[b])
                end, eids, esyl = row.end, end_ids[row.end], end_syl[row.end]
                if not row.tokens or tb.starts[t] or t == tb.nl:  # a word boundary: the words so far are complete
                    text = gen.tok.decode(row.tokens) if row.tokens else ""
                    have = line_syllables(text) if text.strip() else 0
                    if row.tokens and words_of(text)[-1:] == [end] and have >= target - tol:
                        row.placed = True
                        t = tb.nl
                    elif have + esyl >= target + tol or t == tb.nl or step >= 3 * target:
                        row.forced = list(eids)  # the budget is spent: the end word now
                        row.was_forced = True
                        row.in_end = True
                        t = row.forced.pop(0)
                    elif t == eids[0] and have + esyl >= target - tol:
                        row.forced = list(eids[1:])  # the model chose the end word: complete it
                        row.in_end = True
                    window[b] = have + esyl >= target - tol and not row.in_end
            nxt[b] = t
            row.logp += float(raw[b, t])
            if row.in_end:
                row.arrival += float(raw[b, t])
            if t == tb.nl:
                row.done = True
                continue
            seq = body + row.tokens
            if ng > 1 and len(seq) >= ng - 1:
                row.grams.setdefault(tuple(seq[-(ng - 1):]), set()).add(t)
            row.tokens.append(t)
            seen[b, t] = True
            if row.in_end and not row.forced:
                row.placed = True  # the end word is complete: the line break comes next
                window[b] = False
        # Stop once most rows have finished: waiting for the slowest rows costs more than they add.
        if sum(r.done for r in rows) >= math.ceil(s.finish_frac * n):
            break
        mask = torch.cat([mask, torch.ones((n, 1), dtype=torch.long)], 1)
        out_logits, cache = lm_forward(model, nxt.unsqueeze(1), cache, attention_mask=mask,
                                       position_ids=pos.unsqueeze(1))
        pos = pos + 1
        logits = out_logits[:, -1, :V].float()
    return [r.result() for r in rows]


def plan_scores(gen: Generator, ctx: list[int], words: Sequence[str], target: int,
                prefix: Optional[PrefixCache] = None) -> list[float]:
    """Log-probability of each word as the plan's end word after ``ctx`` (one batched pass over a shared cache)."""
    import torch

    enc = gen.enc
    start = ctx + [enc.special["<|end|>"]]
    ids = [enc.words_ids(w) for w in words]
    K, W = len(ids), max(len(x) for x in ids) + 1
    last, past = (prefix or PrefixCache(gen.model)).encode(start)
    past.batch_repeat_interleave(K)
    first = torch.log_softmax(last[0], -1)
    x = torch.full((K, W), enc.pad, dtype=torch.long)
    mask = torch.zeros((K, W), dtype=torch.long)
    for k, t in enumerate(ids):
        x[k, :len(t)] = torch.tensor(t)
        mask[k, :len(t)] = 1
    logits, _ = lm_forward(gen.model, x, past, attention_mask=torch.cat([torch.ones((K, len(start)), dtype=torch.long),
                                                                          mask], 1))
    lp = torch.log_softmax(logits.float(), -1)
    out = []
    for k, t in enumerate(ids):
        out.append(float(first[t[0]]) + sum(float(lp[k, j - 1, t[j]]) for j in range(1, len(t))))
    return out


def enough_rhymes(gen: Generator, word: str, future: int, used: set) -> bool:
    """Whether ``word`` leaves perfect rhymes (known to the corpus) for the ``future`` lines of its letter."""
    if not future:
        return True
    try:
        r = rhymes(word, limit=200, names=True)["perfect"]  # memoised in lyricist.lang.prosody
    except LyricistError:
        return False
    return sum(1 for w in r if gen.words.get(w, 0) >= 1 and word_identity(w) not in used) >= max(2, future + 1)


class PlannedSession(Session):
    """A drafting session for a planned generator: end words first, then lines towards them."""

    threads = min(4, os.cpu_count() or 1)
    """A 135M model gains from every core; the small GPT-2's many tiny matmuls do not."""

    def __init__(self, gen: Generator, theme: str, mood: Optional[str], keywords: Sequence[str],
                 settings: DecodeSettings, theme_model):
        super().__init__(gen, theme, mood, keywords, settings, theme_model)
        self.end_first = False
        self.kv = PrefixCache(gen.model)

    def _mood_bias(self):
        sign = MOOD_VALENCE.get(self.mood or "", 0.0)
        if not sign or self.s.w_mood_logit <= 0:
            return None
        import torch

        tb = plan_tables(self.gen)
        bias = torch.zeros(len(tb.pieces))
        for w, v in vader().lexicon.items():
            ids = tb.word_ids.get(w)
            if ids:
                bias[ids] = self.s.w_mood_logit * sign * max(-1.0, min(1.0, v / 3.0))
        return bias

    def end_words(self, ctx: list[int], partners: Sequence[str], used: set, future: int,
                  target: int) -> list[tuple[str, float]]:
        """Candidate end words for a line, scored (model probability as the plan + theme relevance), best first."""
        import torch

        if partners:
            words = rhyme_words(self.gen, partners, used)
        else:
            tb = plan_tables(self.gen)
            with torch.inference_mode():
                last, _ = self.kv.encode(ctx + [self.gen.enc.special["<|end|>"]], copy_cache=False)
            lp = torch.log_softmax(last[0], -1)
            order = torch.argsort(lp, descending=True)[:400].tolist()
            words = []
            for i in order:
                w = tb.pieces[i][1:].lower() if tb.starts[i] else ""
                if w and WORDLIKE.match(w) and w not in words:
                    words.append(w)
            words = words[:40] + [k for k in self.keywords if k not in words]
            words = [w for w in words if w not in WEAK_ENDINGS and not is_stop(w) and len(w) > 2
                     and word_identity(w) not in used and syllables(w) < target
                     and enough_rhymes(self.gen, w, future, used)][:30]
        if not words:
            return []
        with torch.inference_mode():
            lm = plan_scores(self.gen, ctx, words, target, self.kv)
        rel = self.theme_model.words(words)
        scored = [(w, a + self.s.w_theme * float(r)) for w, a, r in zip(words, lm, rel)]
        return sorted(scored, key=lambda x: -x[1])[: max(self.s.rhyme_words, 1)]

    def candidates(self, lines: Sequence[Optional[str]], letters: str, index: int, target: int, seed: int,
                   exclude: Sequence[str] = (), want: int = 1) -> list[Candidate]:
        """Candidates for line ``index`` given the other lines (None: not written yet), best first."""
        import torch

        letter = letters[index]
        others = [(j, t) for j, t in enumerate(lines) if j != index and t is not None]
        partners = [p for p in (last_word(t) for j, t in others if letter != "-" and letters[j] == letter) if p]
        future = sum(1 for j, t in enumerate(lines) if t is None and j != index and letter != "-"
                     and letters[j] == letter)
        used = {word_identity(w) for w in (last_word(t) for _, t in others) if w}
        ctx, body = self.context([t for j, t in others if j < index])
        pool_words = self.end_words(ctx, partners, used, future, target)
        exclude_set = {" ".join(words_of(t)) for t in exclude}
        rng = random.Random(seed)
        pool: list[Candidate] = []
        per = max(2, self.s.n_candidates // max(1, self.s.plan_words))
        tried: set = set()
        for attempt in range(self.s.retries + 1):
            left = [(w, sc) for w, sc in pool_words if w not in tried]
            if not left:
                break
            top = max(sc for _, sc in left)
            k = min(self.s.plan_words, len(left))
            picks: list[str] = []
            while len(picks) < k:  # drawn by score, without replacement
                cand = [(w, sc) for w, sc in left if w not in picks]
                picks.append(rng.choices([w for w, _ in cand], [math.exp(sc - top) for _, sc in cand])[0])
            tried.update(picks)
            with torch.inference_mode():
                rows = sample_planned(self.gen, self.s, self.mood_bias, ctx, body, [(w, per) for w in picks], target,
                                      seed * 1000 + 17 * attempt + len(tried), self.kv)
            for r in rows:
                if r is None:
                    continue
                text = self.gen.enc.decode_line(r[0])
                words = words_of(text)
                if len(words) < 2 or " ".join(words) in exclude_set:
                    continue
                if any(words == c.words for c in pool):
                    continue
                lm = r[1] + self.s.w_arrival * r[2]  # fluent, and arriving at its word naturally
                pool.append(self.measure(text, words, lm, partners, used, future, lines, index, target))
            if sum(1 for c in pool if not c.issues) >= want:
                break
        self.rank(pool, [t for _, t in others])
        return pool

    def measure(self, text: str, words: list[str], lm: float, partners: Sequence[str], used: set, future: int,
                lines: Sequence[Optional[str]], index: int, target: int) -> Candidate:
        c = super().measure(text, words, lm, partners, used, future, lines, index, target)
        c.text = text[:1].upper() + text[1:]  # the model's own case and punctuation
        return c
