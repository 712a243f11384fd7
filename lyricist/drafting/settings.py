"""The decoder's knobs: how candidate lines are sampled, filtered and ranked.

Every drafting call takes an optional :class:`DecodeSettings`; the defaults were chosen on
development themes, never on the eval themes (:mod:`lyricist.drafting.eval`).

Example:
    >>> DecodeSettings().n_candidates, DecodeSettings(top_k=20).top_k
    (20, 20)
    >>> planned_settings().w_mood
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass
class DecodeSettings:
    """How candidates are sampled, filtered and ranked (defaults chosen on development themes, never on eval)."""

    n_candidates: int = 20
    """Candidate lines sampled as one batch."""
    retries: int = 3
    """Extra batches when no candidate passes every filter."""
    temperature: float = 0.8
    """Softmax temperature when sampling."""
    top_k: int = 40
    """Sample among the k most likely tokens."""
    repetition_penalty: float = 1.3
    """Divide the logits of content words already in the draft (CTRL-style; function words are exempt)."""
    no_repeat_ngram: int = 3
    """Never repeat a token n-gram of the draft."""
    plan_words: int = 2
    """End words tried per batch by a planned model (the candidates are split between them)."""
    plan_bias: float = 2.0
    """Planned models: logit bonus for the end word's first token once it would land within the syllable
    tolerance (the word is then completed; it is forced only at the last count within the tolerance)."""
    w_arrival: float = 0.3
    """Planned models: ranking weight of the log-probability of the end word and the line break after it."""
    rhyme_words: int = 6
    """Rhyme words tried per line (the best by LM probability and theme relevance)."""
    syllable_tolerance: int = 1
    """A line may miss the target by this many syllables."""
    w_mood: float = 3.0
    """Weight of the mood valence (toward the target sign) in the ranking."""
    w_theme: float = 2.0
    """Weight of theme relevance in the ranking."""
    w_syllables: float = 1.0
    """Ranking penalty per syllable off the target (within the tolerance), so lines land on it when they can."""
    w_opening: float = 0.0
    """Ranking penalty per other line of the draft that starts with the same word as the candidate, so a draft
    does not open every line with "I'm" (0: off)."""
    w_mood_logit: float = 3.0
    """Logit bias while sampling toward words whose lexicon valence has the mood's sign (0: off)."""
    mood_swaps: int = 4
    """Rounds of whole-draft mood repair: swap in the candidate that moves the draft's valence most."""
    mood_margin: float = 0.2
    """Stop swapping once the draft's valence has the mood's sign with at least this size."""
    pick_temperature: float = 1.0
    """Keep a line drawn among the best candidates with weights ``exp(score / t)`` (0: always the best)."""
    finish_frac: float = 0.75
    """Stop sampling a batch once this share of its rows has ended its line (the rest are dropped)."""
    end_first: bool = True
    """Force the rhyme word first (only for end-first models); False samples freely and filters."""


#: A planned model's own defaults, where they differ (chosen by a blind reader on six development themes,
#: never the eval themes or the test songs; docs/BENCHMARKS.md): a pretrained base writes sentences, and
#: strong mood weights stuff them with sentiment words ("I'll kill it, crime I'll murder Crime"), while
#: a stronger pull towards arriving at the end word naturally raised fluency from 1.8 to 2.8 of 5; on the
#: better-trained model, sampling cooler and keeping nearer the best candidate won 4 of 6 pairs, fluency 2.0
#: to 2.8. Ranking down a line that opens like another (w_opening 1) cut repeated openings from 5 to 2.75 per
#: 8-line draft; the reader preferred it in 4 of 8 pairs against 3 (1 tie) and kept 2.0 lines against 1.6, for
#: a theme relevance of 0.336 against 0.363 (bench/openings.py).
PLANNED = dict(w_mood=1.0, w_mood_logit=1.0, w_arrival=1.2, plan_bias=3.0, temperature=0.7, pick_temperature=0.3,
               w_opening=1.0)


def planned_settings(**overrides) -> DecodeSettings:
    """:class:`DecodeSettings` with a planned model's defaults (:data:`PLANNED`), then ``overrides``."""
    return replace(DecodeSettings(), **{**PLANNED, **overrides})
