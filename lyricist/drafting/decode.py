"""Lyric drafting: from a theme and a form (lines, rhyme scheme, syllables, mood) to a draft.

The model is a small GPT-2 (``transformers.GPT2LMHeadModel`` built from
:class:`lyricist.drafting.model.GeneratorConfig`) trained on the writer's corpus with a control prefix
(mood and theme keywords; see :mod:`lyricist.drafting.train`), or any causal
LM fine-tuned the same way (``--base-model``).

Drafting is constrained decoding, one line at a time, every line sampled as a
batch of candidates:

1. end-first: the model is trained on lines written last word first, so a
   line starts with its rhyme word. For a line that must rhyme with an earlier
   one, the rhyme word is chosen first among the CMU perfect rhymes the corpus
   knows, ranked by the LM's probability and theme relevance, and forced as
   the line's first tokens; the rest of the line is sampled after it;
2. words: a line spells only words of the training corpus, joined only the
   way some training line joins them (the previous two words and the next
   form a corpus trigram, else a bigram; lines start and end on words that
   start and end corpus lines). A model trained on a few thousand lines
   cannot write fluent English on its own; this keeps every junction
   grammatical in the corpus's voice, while the copy guard keeps whole
   phrases out;
3. syllables: while sampling, a candidate may not end before ``target - 1``
   syllables and may not start a new word once it has ``target``;
4. mood while sampling: a logit bias toward words whose VADER valence has
   the sign of the target mood; a repetition penalty on content words;
5. filters: the syllable count (``target`` +-1), the rhyme (checked with
   :func:`lyricist.lang.prosody.is_rhyme`, never the same end word), no repeated
   word trigram and no repeated end word in the draft, and the copy guard: no
   word 6-gram of the training corpus;
6. reranking: LM log-probability per token + mood valence (the sentiment
   scorer, toward the sign of the target mood) + theme relevance - distance
   to the syllable target; the line kept is drawn among the best (so drafts
   vary); once every line is written, up to ``mood_swaps`` swaps of a line for
   one of its other candidates bring the whole draft's valence to the mood.

If no candidate passes every filter after the retries, the best one that
passes most is kept and its :class:`lyricist.drafting.drafts.DraftLine` says
which constraint it misses (``ok=False``, ``issues``); the draft never claims a
rhyme it lacks.

The parts live in their own modules: the token tables (:mod:`~lyricist.drafting.tables`),
rhyme forcing (:mod:`~lyricist.drafting.rhymewords`), the batch sampler
(:mod:`~lyricist.drafting.sampling`), the filters (:mod:`~lyricist.drafting.checks`) and the
theme and mood signals (:mod:`~lyricist.drafting.theme`). This module ties them together: a
:class:`Session` writes candidates for one line, :func:`fill_lines` writes the lines of a draft
and :func:`mood_pass` repairs the whole draft's mood. The co-writing operations built on them
(:func:`lyricist.drafting.cowrite.draft`, ``lock``, ``regenerate``, ``continue_draft``,
``alternatives``) are in :mod:`lyricist.drafting.cowrite`.

Example:
    >>> sess = Session(load_generator(), "rain", None, ["rain"], DecodeSettings(),
    ...                ThemeModel("rain", ["rain"]))                                  # doctest: +SKIP
    >>> [c.text for c in sess.candidates([None, None], "AA", 0, 8, seed=0)][:2]       # doctest: +SKIP
    ['The rain keeps falling on my door', ...]
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Optional, Sequence

from lyricist.core.hf import torch_threads
from lyricist.core.progress import ProgressFn, report
from lyricist.drafting.checks import Candidate, copies, line_issues, repeats
from lyricist.drafting.drafts import DraftLine, LineFn, make_line
from lyricist.drafting.format import pretty
from lyricist.drafting.model import Generator
from lyricist.drafting.rhymewords import forced_rows, rank_rhyme_words, rhyme_words
from lyricist.drafting.sampling import sample_lines
from lyricist.drafting.settings import DecodeSettings
from lyricist.drafting.tables import word_tables
from lyricist.drafting.theme import MOOD_VALENCE, ThemeModel, mood_scorer
from lyricist.lang.lexicon import vader
from lyricist.lang.prosody import is_rhyme, last_word, word_identity, words_of


class Session:
    """Everything one drafting operation shares: model, keywords, scorers, settings.

    :meth:`candidates` writes the candidates for one line of a draft; the sampling, the rhyme
    words and the filters it uses are in their own modules.
    """

    threads = 1
    """Torch threads while drafting (see :func:`lyricist.core.hf.torch_threads`)."""

    def __init__(self, gen: Generator, theme: str, mood: Optional[str], keywords: Sequence[str],
                 settings: DecodeSettings, theme_model: ThemeModel):
        self.gen, self.theme, self.mood, self.keywords = gen, theme, mood, list(keywords)
        self.s = settings
        self.theme_model = theme_model
        self.scorer = mood_scorer() if mood else None
        self.end_first = gen.reverse and settings.end_first
        self.mood_bias = self._mood_bias()
        self.prefix = gen.enc.prefix(mood, self.keywords[: max(1, gen.cfg.max_keywords)] if self.keywords else [])

    def _mood_bias(self):
        """Logit bias ``(V,)`` toward words whose VADER valence has the mood's sign (None without a mood).

        Reranking can only choose among the lines sampled; nudging word choice while sampling gives it
        lines of the right colour to choose from, at no cost.
        """
        sign = MOOD_VALENCE.get(self.mood or "", 0.0)
        if not sign or self.s.w_mood_logit <= 0:
            return None
        import torch

        lex = vader().lexicon
        vt = word_tables(self.gen)
        bias = torch.zeros(len(vt.pieces))
        for text, ids in vt.start_by_text.items():
            v = lex.get(text)
            if v and text in vt.known:
                bias[ids] = self.s.w_mood_logit * sign * max(-1.0, min(1.0, v / 3.0))
        return bias

    # -- context ----------------------------------------------------------------
    def context(self, before: Sequence[str]) -> tuple[list[int], list[int]]:
        """Ids of prefix + verse marker + the earlier lines; and the body part alone (for repetition checks)."""
        enc = self.gen.enc
        body: list[int] = [enc.section("verse")]
        for t in before:
            body += enc.line_ids(t) + [enc.nl]
        room = self.gen.block_size - len(self.prefix) - 48  # room for the line being written
        if len(body) > room:  # keep the most recent lines, cut at a line break
            cut = body[len(body) - room:]
            if enc.nl in cut:
                cut = cut[cut.index(enc.nl) + 1:]
            body = [enc.section("verse")] + cut
        return self.prefix + body, body

    # -- one line -------------------------------------------------------------------
    def sample(self, ctx: list[int], body: list[int], forced: list[list[int]], target: int, seed: int,
               free_join: bool = False):
        """Sample one line per row of ``forced`` in one batch (see :func:`lyricist.drafting.sampling.sample_lines`)."""
        return sample_lines(self.gen, self.s, self.mood_bias, ctx, body, forced, target, seed, free_join)

    def candidates(self, lines: Sequence[Optional[str]], letters: str, index: int, target: int, seed: int,
                   exclude: Sequence[str] = (), want: int = 1) -> list[Candidate]:
        """Candidates for line ``index`` given the other lines (None: not written yet), best first."""
        import torch

        letter = letters[index]
        others = [(j, t) for j, t in enumerate(lines) if j != index and t is not None]
        partners = [last_word(t) for j, t in others if letter != "-" and letters[j] == letter]
        partners = [p for p in partners if p]
        future = sum(1 for j, t in enumerate(lines) if t is None and j != index and letter != "-"
                     and letters[j] == letter)
        used = {word_identity(w) for w in (last_word(t) for _, t in others) if w}
        ctx, body = self.context([t for j, t in others if j < index])
        pool: list[Candidate] = []
        rhyme_pool: list[tuple[str, float]] = []
        if partners and self.end_first:
            words = rhyme_words(self.gen, partners, used)
            if words:
                with torch.inference_mode():
                    rhyme_pool = rank_rhyme_words(self.gen, ctx, words, self.theme_model, self.mood_bias,
                                                  self.s.w_theme)[: self.s.rhyme_words]
        exclude_set = {" ".join(words_of(t)) for t in exclude}
        for attempt in range(self.s.retries + 2):
            loose = attempt > self.s.retries  # the last resort: words join freely (no corpus n-gram needed)
            if loose and any(not c.issues for c in pool):
                break
            forced = forced_rows(self.gen, rhyme_pool, self.s.n_candidates, seed + attempt)
            with torch.inference_mode():
                rows = self.sample(ctx, body, forced, target, seed * 1000 + attempt, free_join=loose)
            new = []
            for r in rows:
                if r is None:
                    continue
                text = self.gen.enc.decode_line(r[0])
                words = text.split()
                if len(words) < 2 or " ".join(words) in exclude_set:
                    continue
                if any(" ".join(words) == " ".join(c.words) for c in pool + new):
                    continue
                c = self.measure(text, words, r[1], partners, used, future, lines, index, target)
                c.loose = loose
                new.append(c)
            pool += new
            if sum(1 for c in pool if not c.issues) >= want:
                break
        self.rank(pool, [t for _, t in others])
        return pool

    def measure(self, text: str, words: list[str], lm: float, partners: Sequence[str], used: set, future: int,
                lines: Sequence[Optional[str]], index: int, target: int) -> Candidate:
        """A sampled line (model form) as a :class:`Candidate` for slot ``index``, with the constraints it misses
        (see :func:`lyricist.drafting.checks.line_issues`)."""
        n_syl, issues = line_issues(self.gen, text, words, partners, used, future, lines, index, target,
                                    self.s.syllable_tolerance)
        return Candidate(text=pretty(text), words=words, syllables=n_syl, lm=lm, issues=issues, target=target)

    def copies(self, words: Sequence[str]) -> bool:
        """True when a word n-gram of the line (n = 6) occurs in the training corpus."""
        return copies(self.gen, words)

    def rank(self, pool: list[Candidate], others: Sequence[str] = ()) -> None:
        """Score and sort candidates; ``others`` are the draft's other lines (the mood is the whole draft's)."""
        if not pool:
            return
        texts = [c.text for c in pool]
        if self.scorer is not None:
            sign = MOOD_VALENCE.get(self.mood, 0.0)
            for c, r in zip(pool, self.scorer.predict(texts)):
                c.valence = float(r["valence"])
                c.score += self.s.w_mood * sign * c.valence  # the whole draft's mood: see mood_pass
        openings = opening_counts(others) if self.s.w_opening else Counter()
        for c, r in zip(pool, self.theme_model.lines(texts)):
            c.theme = float(r)
            c.score += self.s.w_theme * c.theme + c.lm - self.s.w_syllables * abs(c.syllables - c.target)
            c.score -= self.s.w_opening * openings[first_word(c.text)]
        # every constraint met first; then fewer unmet constraints (a copy is the worst); then the score
        pool.sort(key=lambda c: (len(c.issues) + 2 * ("copy" in c.issues), c.loose, -c.score))


def first_word(line: str) -> str:
    """The lowercased first word of a line (``""`` for none).

    Example:
        >>> first_word("I'm on the road again"), first_word("...")
        ("i'm", '')
    """
    words = words_of(line)
    return words[0] if words else ""


def opening_counts(lines: Sequence[Optional[str]]) -> Counter:
    """How many of ``lines`` (None: not written yet) open with each first word.

    Example:
        >>> opening_counts(["I'm on my way", "i'm not alone", "Down the road", None])["i'm"]
        2
    """
    return Counter(w for w in (first_word(t) for t in lines if t) if w)


# ----------------------------------------------------------------- from candidates to a draft
def pick_line(cands: list[Candidate], letter: str, locked: bool = False, temperature: float = 0.0,
              seed: int = 0) -> DraftLine:
    """The line to keep: among the candidates that meet the most constraints, the best by score, or one
    drawn with weights ``exp(score / temperature)`` (so that a draft does not always take the corpus's
    most common turn of phrase)."""
    if not cands:
        return DraftLine(text="", syllables=0, rhyme_key="", letter=letter, ok=False, issues=["empty"])
    best = cands[0]
    if temperature > 0:
        top = [c for c in cands if len(c.issues) == len(best.issues) and c.loose == best.loose]
        hi = max(c.score for c in top)
        best = random.Random(seed).choices(top, weights=[math.exp((c.score - hi) / temperature) for c in top])[0]
    return make_line(best.text, letter, locked=locked, issues=best.issues)


def fill_lines(sess: Session, lines: list[Optional[DraftLine]], letters: str, todo: Sequence[int], target: int,
               seed: int, progress: Optional[ProgressFn] = None, exclude: Optional[dict] = None,
               on_line: Optional[LineFn] = None) -> list[DraftLine]:
    """Write the lines at ``todo`` (in order), each conditioned on every other line present.

    ``on_line(i, line)`` sees each line as soon as it is picked (the CLI and the app stream them); the
    mood pass at the end may still swap some, so the returned list is the final word.
    """
    out = list(lines)
    pools: dict[int, list[Candidate]] = {}
    with sess.gen.lock, torch_threads(sess.threads):
        for k, i in enumerate(todo):
            texts = [ln.text if ln is not None else None for ln in out]
            texts[i] = None
            cands = sess.candidates(texts, letters, i, target, seed=seed * 7919 + 101 * i + 1,
                                    exclude=(exclude or {}).get(i, ()))
            out[i] = pick_line(cands, letters[i], temperature=sess.s.pick_temperature, seed=seed * 31 + i)
            pools[i] = cands
            if on_line is not None:
                on_line(i, out[i])  # type: ignore[arg-type]
            report(progress, (k + 1) / len(todo), f"line {k + 1} of {len(todo)}")
    mood_pass(sess, out, pools, exclude or {})  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def mood_pass(sess: Session, out: list[DraftLine], pools: dict[int, list[Candidate]], exclude: dict) -> None:
    """Swap lines for other candidates of theirs until the whole draft's valence has the mood's sign.

    Line-by-line ranking cannot see the song: a few neutral lines can read positive together. Each
    round scores every single swap that keeps the form (a candidate meeting as many constraints,
    rhyming with the lines of its letter, no repeated end word or trigram) as a whole draft, and
    applies the best one; at most ``settings.mood_swaps`` rounds, and only while the sign is wrong or
    the valence is below ``settings.mood_margin``.
    """
    sign = MOOD_VALENCE.get(sess.mood or "", 0.0)
    if sess.scorer is None or not sign or sess.s.mood_swaps <= 0 or not pools:
        return

    def fits(i: int, c: Candidate) -> bool:
        texts = [ln.text for ln in out]
        if c.text == texts[i] or c.text in exclude.get(i, ()):
            return False
        end = last_word(c.text)
        for j, ln in enumerate(out):
            if j == i:
                continue
            other = last_word(ln.text)
            if word_identity(other) == word_identity(end):
                return False
            if ln.letter != "-" and ln.letter == out[i].letter and not is_rhyme(other, end):
                return False
        texts[i] = None
        return not repeats(c.words, texts, i)

    cur = float(sess.scorer.predict(["\n".join(ln.text for ln in out)])[0]["valence"])
    for _ in range(sess.s.mood_swaps):
        if sign * cur >= sess.s.mood_margin:
            return
        options = [(i, c) for i, cands in pools.items() for c in cands[:10]
                   if len(c.issues) <= len(out[i].issues) and not c.loose and fits(i, c)]
        if not options:
            return
        texts = []
        for i, c in options:
            lines = [ln.text for ln in out]
            lines[i] = c.text
            texts.append("\n".join(lines))
        vals = [float(r["valence"]) for r in sess.scorer.predict(texts)]
        k = max(range(len(options)), key=lambda j: sign * vals[j])
        if sign * vals[k] <= sign * cur:
            return
        i, c = options[k]
        out[i] = make_line(c.text, out[i].letter, locked=out[i].locked, issues=c.issues)
        cur = vals[k]
