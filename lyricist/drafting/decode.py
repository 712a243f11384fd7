"""Lyric drafting: from a theme and a form (lines, rhyme scheme, syllables, mood) to a draft.

The model is a small GPT-2 (``transformers.GPT2LMHeadModel`` built from
:class:`GeneratorConfig`) trained on the writer's corpus with a control prefix
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
passes most is kept and its :class:`DraftLine` says which constraint it
misses (``ok=False``, ``issues``); the draft never claims a rhyme it lacks.

The co-writing operations are pure functions returning a new :class:`Draft`:
:func:`draft`, :func:`lock`, :func:`regenerate`, :func:`continue_draft`,
:func:`alternatives`.

Example:
    >>> d = draft("leaving a small town at dawn", lines=4, scheme="AABB", syllables=8,
    ...           mood="sad")  # doctest: +SKIP
    >>> [ln.text for ln in d.lines]  # doctest: +SKIP
    ['The road is long and the morning cold', ...]
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from lyricist.core.cache import ModelCache
from lyricist.core.config import MOOD_LABELS, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.hf import embed_texts, torch_threads
from lyricist.core.progress import ProgressFn, report

KIND = "generator"
SCHEMES = ("AABB", "ABAB", "ABCB", "AAAA", "free")
#: Sign of the valence each mood asks for (Russell quadrants).
MOOD_VALENCE = {"happy": 1.0, "relaxed": 1.0, "angry": -1.0, "sad": -1.0}
MAX_LINES = 64
#: Words a lyric line does not end on (articles, prepositions, conjunctions, possessives): a line ending in
#: "the" reads as cut off, and CMU would even rhyme it with "uh".
WEAK_ENDINGS = frozenset("""a an the to of and or but nor so if as at by for from in into of on onto with
than that than my your his her its our their i'm you're we're they're he's she's i'll you'll we'll i'd
you'd is are was were am be been being i'""".split())
MAX_THEME_CHARS = 300


# ----------------------------------------------------------------- config
@dataclass
class GeneratorConfig:
    """The generator's model shape, tokenizer, data format and training schedule."""

    preset: str = "default"
    """The named preset these values started from."""
    vocab_size: int = 4000
    """Byte-level BPE vocabulary, special tokens included (ignored with ``base_model``)."""
    n_layer: int = 4
    """Transformer blocks."""
    n_head: int = 4
    """Attention heads per block."""
    n_embd: int = 256
    """Hidden size."""
    block_size: int = 256
    """Longest training window and generation context, in tokens."""
    dropout: float = 0.1
    """Dropout on embeddings, attention and residuals."""
    reverse: bool = True
    """End-first lines: each line is written last word first, so generation starts from the rhyme word."""
    max_keywords: int = 4
    """At most this many theme keywords in a training example's control prefix."""
    pseudo_mood: bool = True
    """Give songs without a mood label the lexicon quadrant mood (VADER valence x arousal)."""
    epochs: int = 30
    """Maximum passes over the training songs (early stopping usually ends sooner)."""
    batch_size: int = 16
    """Windows per optimisation step."""
    lr: float = 2e-3
    """Peak learning rate."""
    weight_decay: float = 0.1
    """AdamW weight decay."""
    warmup_frac: float = 0.05
    """Share of steps spent warming the learning rate up."""
    patience: int = 3
    """Epochs without a better validation perplexity before stopping."""
    max_seconds: float = 540.0
    """Training time budget in seconds (0: none); the best epoch so far is kept."""
    mixed_precision: str = "auto"
    """``auto`` (bf16 where supported), ``bf16``, ``fp16`` or ``no``."""
    seed: int = 0
    """Seed for the initialisation, the batches and the keyword draws."""
    base_model: Optional[str] = None
    """Fine-tune this causal LM (folder or hub id) instead of training a GPT-2 from scratch."""

    def __post_init__(self):
        preset_check(self.preset)
        if self.vocab_size < 300:
            raise LyricistError(f"vocab_size must be at least 300, got {self.vocab_size}")
        if min(self.n_layer, self.n_head, self.n_embd) < 1 or self.n_embd % self.n_head:
            raise LyricistError(f"n_embd ({self.n_embd}) must be a positive multiple of n_head ({self.n_head})")
        if self.block_size < 64:
            raise LyricistError(f"block_size must be at least 64 tokens, got {self.block_size}")
        if not 0 <= self.dropout < 1:
            raise LyricistError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.epochs < 1 or self.batch_size < 1:
            raise LyricistError("epochs and batch_size must be at least 1")
        if self.lr <= 0 or self.max_seconds < 0 or self.max_keywords < 0:
            raise LyricistError("lr must be positive; max_seconds and max_keywords must be 0 or more")


#: Named presets: tiny (tests, seconds), default (bundled corpus, <= 10 min on 2 cores), full (big corpora).
GENERATOR_PRESETS = {
    "tiny": dict(vocab_size=400, n_layer=1, n_head=2, n_embd=32, block_size=128, dropout=0.0, epochs=2,
                 batch_size=8, lr=3e-3, patience=2, max_seconds=60.0, mixed_precision="no"),
    "default": dict(vocab_size=4000, n_layer=4, n_head=4, n_embd=192, block_size=256, epochs=30, batch_size=16,
                    lr=2e-3, patience=3, max_seconds=540.0),
    "full": dict(vocab_size=8000, n_layer=4, n_head=4, n_embd=256, block_size=256, dropout=0.1, epochs=3,
                 batch_size=32, lr=1.5e-3, patience=2, max_seconds=0.0),
}


def generator_config(preset: str = "default", **overrides) -> GeneratorConfig:
    """The config of a preset, with ``None`` overrides ignored.

    Example:
        >>> generator_config("tiny").n_layer, generator_config("default", epochs=3).epochs
        (1, 3)
    """
    preset_check(preset)
    fields = {f.name for f in dataclasses.fields(GeneratorConfig)}
    unknown = set(overrides) - fields
    if unknown:
        raise LyricistError(f"unknown generator setting(s): {', '.join(sorted(unknown))}")
    values = {**GENERATOR_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None}}
    return GeneratorConfig(preset=preset, **values)


def train_generator(paths: Sequence[str | os.PathLike] | None = None, preset: str = "default",
                    out_dir: str | os.PathLike | None = None, base_model: str | None = None,
                    epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None,
                    **kwargs) -> dict:
    """Train the lyric generator (see :func:`lyricist.drafting.train.train_generator`)."""
    from lyricist.drafting.train import train_generator as _train

    return _train(paths, preset, out_dir, base_model, epochs, resume, progress, **kwargs)


# ----------------------------------------------------------------- loading
class Generator:
    """A loaded generator checkpoint: model, tokenizer, copy guard and the corpus's words.

    Build with :func:`load_generator` (cached), not directly.
    """

    def __init__(self, folder: str | os.PathLike):
        import numpy as np
        import torch
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        from lyricist.core.checkpoint import read_config
        from lyricist.drafting.format import SongEncoder, load_tokenizer
        from lyricist.core.loop import dataclass_from_dict

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.folder = Path(folder)
        self.warm = False  # set by warm_up() once a first draft has loaded everything else
        doc = read_config(self.folder, KIND)
        try:
            self.cfg = dataclass_from_dict(GeneratorConfig, doc.get("params") or {})
        except (TypeError, LyricistError) as e:
            raise LyricistError(f"{self.folder}/config.json has unusable generator settings ({e}): retrain with "
                                "`lyricist train generator`") from None
        self.meta = doc
        self.tok = load_tokenizer(self.folder)
        try:
            self.model = AutoModelForCausalLM.from_pretrained(str(self.folder))
        except Exception as e:  # missing/corrupt weights, shape mismatch
            raise LyricistError(f"cannot load the generator weights in {self.folder} ({e.__class__.__name__}): "
                                "retrain with `lyricist train generator`") from None
        emb = self.model.get_input_embeddings().weight.shape[0]
        if emb != len(self.tok) or len(self.tok) != int(doc.get("vocab_size") or len(self.tok)):
            raise LyricistError(f"the tokenizer in {self.folder} ({len(self.tok)} tokens) does not match its model "
                                f"({emb} embeddings): retrain with `lyricist train generator`")
        self.model.eval()
        self.block_size = int(doc.get("block_size") or self.cfg.block_size)
        self.enc = SongEncoder(self.tok, reverse=bool(doc.get("reverse", self.cfg.reverse)))
        self.reverse = self.enc.reverse
        self.copy_n = int(doc.get("copy_n", 6))
        try:
            self.copy_guard = np.load(self.folder / "copyguard.npy", allow_pickle=False)
            import json

            self.words: dict[str, int] = json.loads((self.folder / "words.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise LyricistError(f"the generator in {self.folder} lacks a readable copy guard or word list "
                                f"({e.__class__.__name__}): retrain with `lyricist train generator`") from None
        # Forward word bi/trigrams of the training lines (older checkpoints may lack them: words then join freely).
        self.ngrams: Optional[dict] = None
        if (self.folder / "ngrams.json").is_file():
            try:
                self.ngrams = json.loads((self.folder / "ngrams.json").read_text(encoding="utf-8"))
                self.ngrams["bigrams"], self.ngrams["trigrams"]
            except (OSError, ValueError, KeyError, TypeError):
                raise LyricistError(f"{self.folder}/ngrams.json is unreadable: delete it to rebuild it, or retrain "
                                    "with `lyricist train generator`") from None
        self.lock = threading.Lock()
        self._torch = torch

    def __repr__(self) -> str:
        return f"Generator({str(self.folder)!r})"


_GENERATORS = ModelCache("generator", size=2)


#: model class -> the keyword its forward() takes for the KV cache
_CACHE_KW: dict = {}


def lm_forward(model, input_ids, cache=None, **kwargs):
    """One forward pass of a causal LM with its key/value cache: ``(logits, cache)``.

    transformers 5.x renamed ``past_key_values`` to ``cache`` (and warns on the old name);
    older releases only know ``past_key_values``. This asks the model which one it takes.

    Example:
        >>> logits, cache = lm_forward(model, ids)              # doctest: +SKIP
        >>> logits, cache = lm_forward(model, next_ids, cache)  # doctest: +SKIP
    """
    import inspect

    kind = type(model)
    name = _CACHE_KW.get(kind)
    if name is None:
        params = inspect.signature(model.forward).parameters
        name = _CACHE_KW[kind] = "cache" if "cache" in params else "past_key_values"
    if cache is not None:
        kwargs[name] = cache
    out = model(input_ids=input_ids, use_cache=True, **kwargs)
    got = out.get("cache")
    return out.logits, (got if got is not None else out.get("past_key_values"))



def load_generator(model_dir: str | os.PathLike | None = None) -> Generator:
    """The generator in ``model_dir`` (default ``checkpoints/generator``), loaded once and cached.

    The cache key is the folder and its newest modification time, so a retrained model is reloaded.

    Raises:
        LyricistError: no checkpoint, or a corrupt or mismatched one.
    """
    folder = checkpoint_dir(KIND, model_dir)
    if not folder.exists():
        from lyricist.core.checkpoint import read_config

        read_config(folder, KIND)  # the one-line "train one" message
    if (folder / "config.json").is_file() and not (folder / "ngrams.json").exists():
        try:  # a checkpoint from before n-grams were saved: add them once from its recorded training data
            from lyricist.drafting.ngrams import ensure_ngrams

            ensure_ngrams(folder)
        except (OSError, LyricistError):
            pass  # read-only folder or data gone: words then join freely
    return _GENERATORS.get(("generator", str(folder.resolve())), [folder], lambda: Generator(folder))


# ----------------------------------------------------------------- drafts
@dataclass
class DraftLine:
    """One line of a draft and what the decoder knows about it."""

    text: str
    """The line as a songwriter reads it."""
    syllables: int
    """Syllables (CMU dictionary, spelling fallback)."""
    rhyme_key: str
    """Rhyme part of the last word (phones from the last stressed vowel), ``""`` if none."""
    letter: str = "-"
    """Its letter in the rhyme scheme (``-``: no rhyme asked)."""
    locked: bool = False
    """Kept as is by :func:`regenerate`."""
    ok: bool = True
    """False when the decoder could not meet every constraint; ``issues`` says which."""
    issues: list[str] = field(default_factory=list)
    """Unmet constraints: ``rhyme``, ``syllables``, ``copy``, ``repeat``, ``ending`` (a weak last word)."""

    def to_dict(self) -> dict:
        return {"text": self.text, "syllables": self.syllables, "rhyme_key": self.rhyme_key, "letter": self.letter,
                "locked": self.locked, "ok": self.ok, "issues": list(self.issues)}


def make_line(text: str, letter: str = "-", locked: bool = False, issues: Sequence[str] = ()) -> DraftLine:
    """A :class:`DraftLine` with its syllables and rhyme key measured.

    Example:
        >>> ln = make_line("We danced through the night", "A")
        >>> ln.syllables, ln.rhyme_key
        (5, 'AY T')
    """
    from lyricist.lang.prosody import line_syllables, rhyme_key

    return DraftLine(text=text, syllables=line_syllables(text), rhyme_key=rhyme_key(text), letter=letter,
                     locked=locked, ok=not issues, issues=list(issues))


@dataclass
class Draft:
    """A draft: its lines and the form they were written to. Operations return new drafts."""

    lines: list[DraftLine]
    scheme: str
    """The rhyme scheme asked for (``AABB``, ``ABAB``, ``ABCB``, ``AAAA``, ``free`` or any letter pattern)."""
    theme: str
    mood: Optional[str]
    syllables: int
    """Target syllables per line (each line may be off by one)."""
    keywords: list[str] = field(default_factory=list)
    """Theme keywords given to the model (content lemmas of the theme, then embedding neighbours)."""
    seed: int = 0
    model_dir: Optional[str] = None
    ms: float = 0.0
    """Milliseconds the last operation took."""

    @property
    def texts(self) -> list[str]:
        return [ln.text for ln in self.lines]

    @property
    def pattern(self) -> str:
        """The letters of the lines, e.g. ``AABBCCDD``."""
        return "".join(ln.letter for ln in self.lines)

    @property
    def ok(self) -> bool:
        return all(ln.ok for ln in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def to_dict(self) -> dict:
        """The JSON contract: ``{"lines": [{"text", "syllables", "rhyme_key", ...}], "scheme", "theme", "mood", ...}``."""
        return {"lines": [ln.to_dict() for ln in self.lines], "scheme": self.scheme, "theme": self.theme,
                "mood": self.mood, "syllables": self.syllables, "pattern": self.pattern, "keywords": self.keywords,
                "ok": self.ok, "seed": self.seed, "ms": round(self.ms, 1)}

    @classmethod
    def from_dict(cls, d: dict) -> "Draft":
        """Rebuild a draft from :meth:`to_dict` output (the app keeps drafts as dicts)."""
        lines = [DraftLine(text=x["text"], syllables=int(x["syllables"]), rhyme_key=x.get("rhyme_key", ""),
                           letter=x.get("letter", "-"), locked=bool(x.get("locked")), ok=bool(x.get("ok", True)),
                           issues=list(x.get("issues", []))) for x in d["lines"]]
        return cls(lines=lines, scheme=d["scheme"], theme=d.get("theme", ""), mood=d.get("mood"),
                   syllables=int(d.get("syllables", 8)), keywords=list(d.get("keywords", [])),
                   seed=int(d.get("seed", 0)), model_dir=d.get("model_dir"), ms=float(d.get("ms", 0.0)))


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


# ----------------------------------------------------------------- theme and mood signals
class ThemeModel:
    """Theme relevance of lines and words: word vectors when trained, else the MiniLM sentence encoder.

    With word vectors (``lyricist.explore.space.load_space``), a line's relevance is
    the mean, over its content words, of the best similarity to a keyword.
    Without them, it is the cosine between the MiniLM embeddings of the line
    and of the theme.
    """

    def __init__(self, theme: str, keywords: Sequence[str], space=None):
        self.theme, self.keywords, self.space = theme, list(keywords), space
        self.backend = "vectors" if space is not None else "minilm"
        self._theme_vec = None
        self._sim: dict[tuple[str, str], float] = {}

    def _word_sim(self, w: str) -> float:
        best = 0.0
        if w not in self.space:  # unknown word: no evidence either way
            return best
        for k in self.keywords:
            key = (w, k)
            if key not in self._sim:
                try:
                    v = float(self.space.similarity(w, k)) if k in self.space else 0.0
                except (LyricistError, KeyError, ValueError):
                    v = 0.0
                self._sim[key] = v if v == v else 0.0  # NaN: the words share no space
            best = max(best, self._sim[key])
        return best

    def _theme(self):
        if self._theme_vec is None:
            self._theme_vec = embed_texts([self.theme or " ".join(self.keywords)])[0]
        return self._theme_vec

    def lines(self, texts: Sequence[str]):
        """Relevance of each line, roughly in [0, 1]."""
        import numpy as np

        if not texts:
            return np.zeros(0)
        if self.backend == "vectors":
            from lyricist.lang.text import content_lemmas

            out = []
            for t in texts:
                ws = content_lemmas(t)
                out.append(float(np.mean([self._word_sim(w) for w in ws])) if ws else 0.0)
            return np.array(out)
        return embed_texts(texts) @ self._theme()

    def words(self, words: Sequence[str]):
        """Relevance of single words (used to rank rhyme words)."""
        import numpy as np

        if not words:
            return np.zeros(0)
        if self.backend == "vectors":
            from lyricist.lang.text import lemma

            return np.array([self._word_sim(lemma(w)) for w in words])
        return embed_texts(words) @ self._theme()


def theme_space(gen: Generator):
    """The word-vector space, or None (with a note) when no embeddings are trained."""
    global _SPACE_NOTED
    try:
        from lyricist.explore.api import load_space

        return load_space(build_general=False)  # never build the general vectors (minutes) as a side effect
    except (ImportError, LyricistError, OSError) as e:
        if not _SPACE_NOTED:
            import sys

            print(f"note: no word embeddings ({str(e).split(':')[0]}): theme keywords are the theme's own words, "
                  "relevance uses the MiniLM sentence encoder (train embeddings with `lyricist train embeddings`)",
                  file=sys.stderr)
            _SPACE_NOTED = True
        return None


_SPACE_NOTED = False


def theme_keywords(theme: str, space=None, known: Optional[dict] = None, limit: int = 6) -> list[str]:
    """Keywords of a theme: its content lemmas, then their nearest neighbours in the word space.

    Args:
        theme: the songwriter's words.
        space: a word space with ``similar(word, topn)`` (optional).
        known: words the generator knows; neighbours outside it are skipped.
        limit: at most this many keywords.

    Example:
        >>> theme_keywords("Leaving a small town at dawn")
        ['leave', 'small', 'town', 'dawn']
    """
    from lyricist.lang.text import content_lemmas

    kws = [w for w in content_lemmas(theme) if any(c.isalpha() for c in w)][:limit]
    if space is not None and len(kws) < limit:
        for w in list(kws):
            try:
                near = space.similar(w, topn=5)
            except Exception:  # a theme word the space lacks
                continue
            for item in near:
                n = item[0] if isinstance(item, (tuple, list)) else getattr(item, "word", str(item))
                if len(kws) >= limit:
                    break
                if n not in kws and n.isalpha() and (known is None or n in known):
                    kws.append(n)
    return kws


def mood_scorer():
    """The sentiment scorer used for mood reranking and the mood hit rate (best trained model, else VADER)."""
    from lyricist.tone.scorers import load_scorer

    return load_scorer("auto")


# ----------------------------------------------------------------- constrained decoding
@dataclass
class _Cand:
    """A candidate line with its measurements."""

    text: str
    words: list[str]
    syllables: int
    lm: float
    issues: list[str]
    valence: float = 0.0
    theme: float = 0.0
    score: float = 0.0
    target: int = 0
    loose: bool = False
    """Sampled without the corpus n-gram joining rule (the last resort when nothing else passed)."""


def vocab_tables(gen: Generator):
    """Per-token tables, computed once per generator.

    Returns ``(pieces, starts_word, banned)``: the text of each token id, a bool
    tensor ``(V,)`` for tokens that begin a new word, and a bool tensor ``(V,)``
    for tokens a lyric line may not contain (special tokens other than
    ``<|nl|>``, digits, punctuation, broken bytes).
    """
    tables = getattr(gen, "_tables", None)
    if tables is not None:
        return tables
    import re

    import torch

    V = gen.model.get_output_embeddings().weight.shape[0]
    n = len(gen.tok)
    pieces = gen.tok.batch_decode([[i] for i in range(n)], skip_special_tokens=False,
                                  clean_up_tokenization_spaces=False)
    pieces += [""] * (V - n)
    ok = re.compile(r"^ ?[a-z']+$")  # training text is lowercase words: capitals, digits, punctuation never
    special = set(gen.tok.all_special_ids)
    starts = torch.zeros(V, dtype=torch.bool)
    banned = torch.ones(V, dtype=torch.bool)
    for i, p in enumerate(pieces[:n]):
        if i in special:
            continue
        if ok.match(p):
            banned[i] = False
            starts[i] = p.startswith(" ")
    banned[gen.enc.nl] = False
    gen._tables = (pieces, starts, banned)
    return gen._tables


class _WordTables:
    """Which tokens may start or continue a word so that a line only holds words of the corpus."""

    def __init__(self, gen: Generator):
        import torch

        pieces, starts, banned = vocab_tables(gen)
        self.pieces = [p.lower() for p in pieces]
        self.known = {w for w in gen.words if len(w) > 1 or w in ("a", "i", "o")}
        self.prefixes = {w[:i] for w in self.known for i in range(1, len(w) + 1)}
        V = len(pieces)
        self.start_ok = torch.zeros(V, dtype=torch.bool)
        cont = []
        for i, p in enumerate(self.pieces):
            if banned[i] or i == gen.enc.nl:
                continue
            if starts[i]:
                self.start_ok[i] = p.strip() in self.prefixes
            else:
                cont.append(i)
        self.cont_ids = cont
        self.start_ids = [i for i in range(V) if bool(self.start_ok[i])]
        self.weak_end = torch.zeros(V, dtype=torch.bool)  # tokens that are a whole weak line ending
        for i in self.start_ids:
            if self.pieces[i][1:] in WEAK_ENDINGS:
                self.weak_end[i] = True
        # Token ids by their text (word-start tokens without the space): lookups by allowed prefix, not by scan.
        self.start_by_text: dict[str, list[int]] = {}
        for i in self.start_ids:
            self.start_by_text.setdefault(self.pieces[i][1:], []).append(i)
        self.cont_by_text: dict[str, list[int]] = {}
        for i in cont:
            self.cont_by_text.setdefault(self.pieces[i], []).append(i)
        # Repetition penalty only on content words: penalising "the" or "I" once used wrecks grammar.
        from lyricist.lang.text import is_stop

        self.penal = torch.zeros(V, dtype=torch.bool)
        for i in self.start_ids:
            self.penal[i] = not is_stop(self.pieces[i].strip())
        # Word successors in generation order (end-first: the words before, in reading order), keyed by the
        # previous word ("w") or the previous two ("w2 w1", generation order); a trigram context wins when seen.
        from lyricist.drafting.ngrams import LINE_END, LINE_START

        # The line edge the decoder starts from and the one it must reach, in generation order.
        self.begin, self.end = (LINE_END, LINE_START) if gen.reverse else (LINE_START, LINE_END)
        self.after: dict[str, set] = {}
        ng = gen.ngrams or {}
        ok = self.known | {LINE_START, LINE_END}
        for a, bs in ng.get("bigrams", {}).items():
            for b in bs:
                x, y = (b, a) if gen.reverse else (a, b)
                if x in ok and y in ok:
                    self.after.setdefault(x, set()).add(y)
        for ab, cs in ng.get("trigrams", {}).items():
            a, _, b = ab.partition(" ")
            for c in cs:
                x, y, z = (c, b, a) if gen.reverse else (a, b, c)
                if x in ok and y in ok and z in ok:
                    self.after.setdefault(f"{x} {y}", set()).add(z)
        self._cache: dict[tuple, object] = {}
        self._after_pre: dict[str, set] = {}
        self._start: dict[str, object] = {}

    def context(self, prev2: Optional[str], prev: Optional[str]) -> Optional[str]:
        """The successor-table key for the words before the next one: trigram, else bigram, else None (free)."""
        if prev is None:
            return None
        if prev2 is not None and f"{prev2} {prev}" in self.after:
            return f"{prev2} {prev}"
        return prev if prev in self.after else None

    def _prefixes_after(self, key: Optional[str]) -> Optional[set]:
        """Beginnings of the words that may come after the context ``key`` (None: any corpus word)."""
        if key is None:
            return None
        got = self._after_pre.get(key)
        if got is None:
            got = self._after_pre[key] = {w[:i] for w in self.after[key] for i in range(1, len(w) + 1)}
        return got

    def start_mask(self, key: Optional[str]):
        """Bool ``(V,)``: tokens that may begin the word after the context ``key`` (attested n-gram), cached."""
        pre = self._prefixes_after(key)
        if pre is None:
            return self.start_ok
        got = self._start.get(key)
        if got is None:
            import torch

            got = torch.zeros_like(self.start_ok)
            ids = [i for p in pre for i in self.start_by_text.get(p, ())]
            if ids:
                got[ids] = True
            else:  # no successor is spellable: back off to any corpus word
                got = self.start_ok
            self._start[key] = got
        return got

    def may_end(self, key: Optional[str]) -> bool:
        """Whether a line may end after the context ``key`` (its edge word is attested at a line's edge)."""
        return key is None or self.end in self.after[key]

    def complete(self, partial: str, key: Optional[str]) -> bool:
        """Whether ``partial`` is a whole word allowed after the context ``key``."""
        return partial in (self.after[key] if key is not None else self.known)

    def continuations(self, partial: str, key: Optional[str] = None):
        """Ids of tokens that extend ``partial`` into a longer beginning of a word allowed after ``key`` (cached)."""
        got = self._cache.get((partial, key))
        if got is None:
            import torch

            if key is None:
                pre = self.prefixes
                ids = [i for i in self.cont_ids if partial + self.pieces[i] in pre]
            else:  # few allowed words: the tokens that spell the next part of one of them
                n = len(partial)
                found: set = set()
                for w in self.after[key]:
                    if len(w) > n and w.startswith(partial):
                        for j in range(n + 1, len(w) + 1):
                            found.update(self.cont_by_text.get(w[n:j], ()))
                ids = sorted(found)
            got = torch.tensor(ids, dtype=torch.long)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[(partial, key)] = got
        return got


def _word_tables(gen: Generator) -> _WordTables:
    wt = getattr(gen, "_word_tables", None)
    if wt is None:
        wt = gen._word_tables = _WordTables(gen)
    return wt


class _Session:
    """Everything one drafting operation shares: model, keywords, scorers, settings."""

    def __init__(self, gen: Generator, theme: str, mood: Optional[str], keywords: Sequence[str],
                 settings: DecodeSettings, theme_model: ThemeModel):
        self.gen, self.theme, self.mood, self.keywords = gen, theme, mood, list(keywords)
        self.s = settings
        self.theme_model = theme_model
        self.scorer = mood_scorer() if mood else None
        self.pieces, self.starts, self.banned = vocab_tables(gen)
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

        from lyricist.lang.lexicon import vader

        lex = vader().lexicon
        vt = _word_tables(self.gen)
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

    # -- rhyme words --------------------------------------------------------------
    def rhyme_words(self, partners: Sequence[str], used: set) -> list[str]:
        """Words that rhyme with every partner end word, known to the corpus first, never a used end word."""
        from lyricist.lang.prosody import word_identity, is_rhyme, rhymes

        try:
            cands = rhymes(partners[0], limit=400)["perfect"]
        except LyricistError:
            return []
        cands = [w for w in cands if _WORDLIKE.match(w) and w not in WEAK_ENDINGS and word_identity(w) not in used
                 and all(is_rhyme(p, w) for p in partners[1:])]
        known = [w for w in cands if self.gen.words.get(w, 0) >= 2]
        if len(known) < 3:
            known += [w for w in cands if w not in known and self.gen.words.get(w, 0) >= 1]
        if len(known) < 3:  # the corpus is small: fall back on common CMU words
            known += [w for w in cands if w not in known][: 10 - len(known)]
        return known[:40]

    def rank_rhyme_words(self, ctx: list[int], words: list[str]) -> list[tuple[str, float]]:
        """Score rhyme words by LM log-probability as the line's first word + theme relevance."""
        import torch

        enc = self.gen.enc
        ids = [enc.words_ids(w) for w in words]
        K, W = len(ids), max(len(x) for x in ids)
        x = torch.tensor([ctx], dtype=torch.long)
        model = self.gen.model
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
        bound = self.starts.clone()
        bound[enc.nl] = True
        scores = []
        for k, t in enumerate(ids):
            s = float(first[t[0]]) + sum(float(lp[k, j - 1, t[j]]) for j in range(1, len(t)))
            s += float(torch.logsumexp(lp[k, len(t) - 1][bound[: lp.shape[-1]]], 0))
            scores.append(s)
        rel = self.theme_model.words(words)
        if self.mood_bias is not None:  # the rhyme word carries the line: its colour counts too
            first_ids = [t[0] for t in ids]
            scores = [sc + float(self.mood_bias[i]) if len(t) == 1 else sc for sc, i, t in zip(scores, first_ids, ids)]
        return sorted(((w, sc + self.s.w_theme * float(r)) for w, sc, r in zip(words, scores, rel)),
                      key=lambda x: -x[1])

    # -- sampling -----------------------------------------------------------------
    def sample(self, ctx: list[int], body: list[int], forced: list[list[int]], target: int, seed: int,
               free_join: bool = False):
        """Sample one line per row of ``forced`` (token ids each row must start with), in one batch.

        Masks applied at every step, per row:

        - words: a row only spells words of the corpus (a token may continue the current word only if the
          result is still the beginning of a corpus word; a new word or the line break only once the current
          word is complete), joined as corpus lines join them: each word follows the previous two as in some
          corpus trigram (else bigram), and the line starts and ends on words that start and end corpus lines
          (``free_join`` lifts this joining rule, as a last resort);
        - syllables: no line break before ``target - tol`` syllables, no new word from ``target`` on;
        - repetition: a CTRL-style penalty on tokens already in the draft, and no repeated token n-gram.

        Returns a list of ``(token ids, mean log-prob)`` per row, or None for rows that did not finish.
        """
        import torch

        enc, model, s = self.gen.enc, self.gen.model, self.s
        vt = _word_tables(self.gen)
        context = (lambda _a, _b: None) if free_join else vt.context
        B = len(forced)
        V = model.get_output_embeddings().weight.shape[0]
        g = torch.Generator().manual_seed(seed)
        out_logits, cache = lm_forward(model, torch.tensor([ctx], dtype=torch.long))
        cache.batch_repeat_interleave(B)
        logits = out_logits[:, -1].float().expand(B, V).clone()  # (B, V)
        # Repetition penalty on every token of the draft's lines so far; the n-gram ban uses them too.
        seen = torch.zeros((B, V), dtype=torch.bool)
        if body:
            seen[:, torch.tensor(sorted(set(body)), dtype=torch.long)] = True
        seen[:, enc.nl] = False
        n = s.no_repeat_ngram
        grams: dict[tuple, set] = {}
        for i in range(len(body) - n + 1):
            grams.setdefault(tuple(body[i:i + n - 1]), set()).add(body[i + n - 1])
        row_grams: list[dict] = [dict() for _ in range(B)]
        rows: list[list[int]] = [[] for _ in range(B)]
        logp = [0.0] * B
        done = [False] * B
        failed = [False] * B
        done_syl = [0] * B  # syllables of each row's completed words
        word = [""] * B  # the word each row is spelling
        prev: list[Optional[str]] = [vt.begin] * B  # the word before it, in generation order (at first: the edge)
        prev2: list[Optional[str]] = [None] * B  # and the one before that
        tol = s.syllable_tolerance
        max_steps = max(len(f) for f in forced) + 3 * target + 6
        from lyricist.lang.prosody import syllables as syl

        for step in range(max_steps):
            raw = torch.log_softmax(logits, -1)  # (B, V) the model's own distribution, for the LM score
            adj = logits / s.temperature
            if self.mood_bias is not None:
                adj = adj + self.mood_bias[: adj.shape[-1]]
            pen = seen & vt.penal
            adj = torch.where(pen & (adj > 0), adj / s.repetition_penalty,
                              torch.where(pen, adj * s.repetition_penalty, adj))
            allow = torch.zeros((B, V), dtype=torch.bool)
            for b in range(B):
                if done[b] or step < len(forced[b]):
                    allow[b] = True  # forced or finished: the token is chosen below, not sampled
                    continue
                partial = word[b]
                count = done_syl[b] + (syl(partial) if partial else 0)
                boundary = bool(forced[b]) and step == len(forced[b])  # the forced word is complete
                nxt_key = None
                if not rows[b]:
                    allow[b] = vt.start_mask(context(None, prev[b]))  # a word that ends (starts) lines
                    if self.gen.reverse:
                        allow[b] &= ~vt.weak_end  # the line's last word: never "the", "to", "my"...
                elif boundary:
                    nxt_key = context(prev[b], partial)
                    allow[b] = vt.start_mask(nxt_key)
                else:
                    key = context(prev2[b], prev[b])
                    cont = vt.continuations(partial, key)
                    if len(cont):
                        allow[b, cont] = True
                    if vt.complete(partial, key):
                        boundary = True
                        nxt_key = context(prev[b], partial)
                        allow[b] |= vt.start_mask(nxt_key)
                if count >= target:
                    allow[b] &= ~vt.start_ok  # long enough: no new word
                if rows[b] and boundary and count >= target - tol and vt.may_end(nxt_key):
                    allow[b, enc.nl] = True
                seq = body + rows[b]
                if n > 1 and len(seq) >= n - 1:
                    key = tuple(seq[-(n - 1):])
                    ban = grams.get(key, set()) | row_grams[b].get(key, set())
                    if ban:
                        allow[b, list(ban)] = False
            adj = adj.masked_fill(~allow, -math.inf)
            if s.top_k and s.top_k < V:
                kth = torch.topk(adj, s.top_k, -1).values[:, -1:]  # (B, 1)
                adj = adj.masked_fill(adj < kth, -math.inf)
            probs = torch.nan_to_num(torch.softmax(adj, -1), nan=0.0)
            dead = probs.sum(-1) <= 0
            if bool(dead.any()):
                probs[dead, enc.nl] = 1.0  # nothing allowed: the row ends here, as a failure
            nxt = torch.multinomial(probs, 1, generator=g).squeeze(1)  # (B,)
            for b in range(B):
                if done[b]:
                    nxt[b] = enc.nl
                    continue
                if step < len(forced[b]):
                    nxt[b] = forced[b][step]
                elif bool(dead[b]):
                    done[b] = failed[b] = True
                    continue
                t = int(nxt[b])
                logp[b] += float(raw[b, t])
                if t == enc.nl:
                    done[b] = True
                    continue
                seq = body + rows[b]
                if n > 1 and len(seq) >= n - 1:
                    row_grams[b].setdefault(tuple(seq[-(n - 1):]), set()).add(t)
                rows[b].append(t)
                seen[b, t] = True
                piece = vt.pieces[t]
                if piece.startswith(" "):  # a new word begins: the previous one is complete
                    done_syl[b] += syl(word[b]) if word[b] else 0
                    if word[b]:
                        prev2[b], prev[b] = prev[b], word[b]
                    word[b] = piece.strip()
                else:
                    word[b] += piece
            # Stop once most rows have finished: waiting for the slowest rows costs more than they add.
            if sum(done) >= math.ceil(s.finish_frac * B):
                break
            out_logits, cache = lm_forward(model, nxt.unsqueeze(1), cache)
            logits = out_logits[:, -1].float()
        return [(rows[b], logp[b] / (len(rows[b]) + 1)) if done[b] and rows[b] and not failed[b] else None
                for b in range(B)]

    # -- one line -------------------------------------------------------------------
    def candidates(self, lines: Sequence[Optional[str]], letters: str, index: int, target: int, seed: int,
                   exclude: Sequence[str] = (), want: int = 1) -> list[_Cand]:
        """Candidates for line ``index`` given the other lines (None: not written yet), best first."""
        from lyricist.lang.prosody import word_identity, last_word

        letter = letters[index]
        others = [(j, t) for j, t in enumerate(lines) if j != index and t is not None]
        partners = [last_word(t) for j, t in others if letter != "-" and letters[j] == letter]
        partners = [p for p in partners if p]
        future = sum(1 for j, t in enumerate(lines) if t is None and j != index and letter != "-"
                     and letters[j] == letter)
        used = {word_identity(w) for w in (last_word(t) for _, t in others) if w}
        ctx, body = self.context([t for j, t in others if j < index])
        pool: list[_Cand] = []
        rhyme_pool: list[tuple[str, float]] = []
        if partners and self.end_first:
            words = self.rhyme_words(partners, used)
            if words:
                with self.gen._torch.inference_mode():
                    rhyme_pool = self.rank_rhyme_words(ctx, words)[: self.s.rhyme_words]
        exclude_set = {" ".join(_norm_words(t)) for t in exclude}
        for attempt in range(self.s.retries + 2):
            loose = attempt > self.s.retries  # the last resort: words join freely (no corpus n-gram needed)
            if loose and any(not c.issues for c in pool):
                break
            forced = self._forced(rhyme_pool, seed + attempt)
            with self.gen._torch.inference_mode():
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
                c = self._measure(text, words, r[1], partners, used, future, lines, index, target)
                c.loose = loose
                new.append(c)
            pool += new
            if sum(1 for c in pool if not c.issues) >= want:
                break
        self._rank(pool, [t for _, t in others])
        return pool

    def _forced(self, rhyme_pool: list[tuple[str, float]], seed: int) -> list[list[int]]:
        """The first tokens of each row: a rhyme word drawn by its score, or nothing (free lines)."""
        B = self.s.n_candidates
        if not rhyme_pool:
            return [[] for _ in range(B)]
        import random

        rng = random.Random(seed)
        top = max(sc for _, sc in rhyme_pool)
        weights = [math.exp(sc - top) + 0.05 for _, sc in rhyme_pool]  # a floor keeps every word in play
        words = rng.choices([w for w, _ in rhyme_pool], weights=weights, k=B)
        return [self.gen.enc.words_ids(w) for w in words]

    def _measure(self, text, words, lm, partners, used, future, lines, index, target) -> _Cand:
        from lyricist.lang.prosody import word_identity, is_rhyme, line_syllables, rhymes

        natural = pretty_line(text)
        issues = []
        n_syl = line_syllables(text)
        if abs(n_syl - target) > self.s.syllable_tolerance:
            issues.append("syllables")
        end = words[-1]
        if end in WEAK_ENDINGS:
            issues.append("ending")
        if partners:
            if not all(is_rhyme(p, end) for p in partners) or word_identity(end) in used:
                issues.append("rhyme")
        elif future:
            try:
                r = rhymes(end, limit=200)["perfect"]
            except LyricistError:
                r = []
            if sum(1 for w in r if self.gen.words.get(w, 0) >= 1 and word_identity(w) not in used) < max(2, future + 1):
                issues.append("rhyme")  # too few rhymes for the lines still to come
            elif word_identity(end) in used:
                issues.append("repeat")
        if self.copies(words):
            issues.append("copy")
        if any(a == b and _is_stop(a) for a, b in zip(words, words[1:])):
            issues.append("repeat")  # "in in": a stutter, not a refrain ("denied denied" is fine)
        if self._repeats(words, lines, index):
            issues.append("repeat")
        return _Cand(text=natural, words=words, syllables=n_syl, lm=lm, issues=issues, target=target)

    def copies(self, words: Sequence[str]) -> bool:
        """True when a word n-gram of the line (n = 6) occurs in the training corpus."""
        from lyricist.drafting.ngrams import has_copy

        return has_copy(words, self.gen.copy_guard, self.gen.copy_n)

    @staticmethod
    def _repeats(words, lines, index) -> bool:
        """A word trigram already in another line of the draft (or the same line twice)."""
        grams = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
        if len(grams) < len(words) - 2:
            return True
        for j, t in enumerate(lines):
            if j == index or t is None:
                continue
            ow = _norm_words(t)
            if ow == list(words):
                return True
            if grams & {tuple(ow[i:i + 3]) for i in range(len(ow) - 2)}:
                return True
        return False

    def _rank(self, pool: list[_Cand], others: Sequence[str] = ()) -> None:
        """Score and sort candidates; ``others`` are the draft's other lines (the mood is the whole draft's)."""
        if not pool:
            return
        texts = [c.text for c in pool]
        if self.scorer is not None:
            sign = MOOD_VALENCE.get(self.mood, 0.0)
            for c, r in zip(pool, self.scorer.predict(texts)):
                c.valence = float(r["valence"])
                c.score += self.s.w_mood * sign * c.valence  # the whole draft's mood: see _mood_pass
        for c, r in zip(pool, self.theme_model.lines(texts)):
            c.theme = float(r)
            c.score += self.s.w_theme * c.theme + c.lm - self.s.w_syllables * abs(c.syllables - c.target)
        # every constraint met first; then fewer unmet constraints (a copy is the worst); then the score
        pool.sort(key=lambda c: (len(c.issues) + 2 * ("copy" in c.issues), c.loose, -c.score))


_WORDLIKE = __import__("re").compile(r"^[a-z]+(?:'[a-z]+)?$")


def _is_stop(word: str) -> bool:
    from lyricist.lang.text import is_stop

    return is_stop(word)


def _norm_words(text: str) -> list[str]:
    from lyricist.lang.prosody import words_of

    return words_of(text)


def pretty_line(text: str) -> str:
    """A model-form line as printed (capitalised, ``I``)."""
    from lyricist.drafting.format import pretty

    return pretty(text)


# ----------------------------------------------------------------- the co-writing API
def _check_form(theme: str, lines: int, syllables: int, mood: Optional[str]) -> tuple[str, Optional[str]]:
    """Validate the form; returns the cleaned theme and the normalised mood."""
    if not isinstance(theme, str) or not theme.strip():
        raise LyricistError("no theme given: describe the song in a few words, e.g. --theme 'leaving town at dawn'")
    if "\x00" in theme or len(theme) > MAX_THEME_CHARS:
        raise LyricistError(f"the theme must be plain text of at most {MAX_THEME_CHARS} characters: shorten it")
    theme = " ".join(theme.split())
    if not isinstance(lines, int) or not 1 <= lines <= MAX_LINES:
        raise LyricistError(f"lines must be between 1 and {MAX_LINES}, got {lines}")
    if not isinstance(syllables, int) or not 2 <= syllables <= 24:
        raise LyricistError(f"syllables per line must be between 2 and 24, got {syllables}")
    return theme, _check_mood(mood)


def _check_mood(mood: Optional[str]) -> Optional[str]:
    """The normalised mood (None for none); an unknown one is a one-line error."""
    if mood is None or not str(mood).strip():
        return None
    from lyricist.lang.corpus import normalize_label

    try:
        return normalize_label(str(mood).strip(), "mood")
    except LyricistError:
        raise LyricistError(f"unknown mood {mood!r}: use one of {', '.join(MOOD_LABELS)}") from None


def _session(gen: Generator, theme: str, mood: Optional[str], settings: Optional[DecodeSettings],
             keywords: Optional[Sequence[str]] = None) -> _Session:
    space = theme_space(gen)
    if keywords is None:
        from lyricist.lang.text import tokens

        toks = tokens(theme)
        if toks and not any(t.isascii() for t in toks):
            raise LyricistError("the theme has no English words: lyricist drafts English lyrics, so describe "
                                "the theme in English")
        keywords = [w for w in theme_keywords(theme, space, gen.words) if w.isascii()]
        if not keywords:  # only function words ("all of it"): keep them rather than nothing
            keywords = [t for t in toks if t.isascii()][:4]
    return _Session(gen, theme, mood, keywords, settings or DecodeSettings(), ThemeModel(theme, keywords, space))


def _pick(cands: list[_Cand], letter: str, locked: bool = False, temperature: float = 0.0,
          seed: int = 0) -> DraftLine:
    """The line to keep: among the candidates that meet the most constraints, the best by score, or one
    drawn with weights ``exp(score / temperature)`` (so that a draft does not always take the corpus's
    most common turn of phrase)."""
    if not cands:
        return DraftLine(text="", syllables=0, rhyme_key="", letter=letter, ok=False, issues=["empty"])
    best = cands[0]
    if temperature > 0:
        import random

        top = [c for c in cands if len(c.issues) == len(best.issues) and c.loose == best.loose]
        hi = max(c.score for c in top)
        best = random.Random(seed).choices(top, weights=[math.exp((c.score - hi) / temperature) for c in top])[0]
    return make_line(best.text, letter, locked=locked, issues=best.issues)


def _fill(sess: _Session, lines: list[Optional[DraftLine]], letters: str, todo: Sequence[int], target: int,
          seed: int, progress: Optional[ProgressFn] = None, exclude: Optional[dict] = None) -> list[DraftLine]:
    """Write the lines at ``todo`` (in order), each conditioned on every other line present."""
    out = list(lines)
    pools: dict[int, list[_Cand]] = {}
    with sess.gen.lock, torch_threads(1):
        for k, i in enumerate(todo):
            texts = [ln.text if ln is not None else None for ln in out]
            texts[i] = None
            cands = sess.candidates(texts, letters, i, target, seed=seed * 7919 + 101 * i + 1,
                                    exclude=(exclude or {}).get(i, ()))
            out[i] = _pick(cands, letters[i], temperature=sess.s.pick_temperature, seed=seed * 31 + i)
            pools[i] = cands
            report(progress, (k + 1) / len(todo), f"line {k + 1} of {len(todo)}")
    _mood_pass(sess, out, pools, exclude or {})  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _mood_pass(sess: _Session, out: list[DraftLine], pools: dict[int, list[_Cand]], exclude: dict) -> None:
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
    from lyricist.lang.prosody import word_identity, is_rhyme, last_word

    def fits(i: int, c: _Cand) -> bool:
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
        return not _Session._repeats(c.words, texts, i)

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


def draft(theme: str, lines: int = 8, scheme: str = "AABB", syllables: int = 8, mood: Optional[str] = None,
          seed: int = 0, model_dir: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
          settings: Optional[DecodeSettings] = None) -> Draft:
    """Draft lyrics on a theme, in a form.

    Args:
        theme: what the song is about, in a few words.
        lines: number of lines (1 to 64).
        scheme: ``AABB``, ``ABAB``, ``ABCB``, ``AAAA``, ``free``, or any letter pattern (repeated with fresh
            letters, so ``AABB`` over 8 lines is ``AABBCCDD``).
        syllables: target syllables per line; each line lands within +-1.
        mood: ``happy``, ``angry``, ``sad`` or ``relaxed`` (steers the control prefix and the ranking).
        seed: the same seed, model and form give the same draft.
        model_dir: a generator checkpoint (default ``checkpoints/generator``).
        progress: ``(fraction, message)`` callback.
        settings: decoding knobs (:class:`DecodeSettings`).

    Returns:
        A :class:`Draft`; a line that misses a constraint has ``ok=False`` and says which in ``issues``.

    Example:
        >>> d = draft("leaving a small town at dawn", lines=4, scheme="ABAB", mood="sad")  # doctest: +SKIP
        >>> d.pattern, all(abs(ln.syllables - 8) <= 1 for ln in d.lines)  # doctest: +SKIP
        ('ABAB', True)
    """
    from lyricist.lang.prosody import normalize_scheme

    theme, mood = _check_form(theme, lines, syllables, mood)
    letters = normalize_scheme(scheme, lines)
    t0 = time.perf_counter()
    gen = load_generator(model_dir)
    sess = _session(gen, theme, mood, settings)
    out = _fill(sess, [None] * lines, letters, range(lines), syllables, seed, progress)
    return Draft(lines=out, scheme=scheme, theme=theme, mood=mood, syllables=syllables, keywords=sess.keywords,
                 seed=seed, model_dir=str(gen.folder), ms=(time.perf_counter() - t0) * 1000)


def _check_index(d: Draft, index: int, allow_end: bool = False) -> int:
    n = len(d.lines)
    if not isinstance(index, int) or not (0 <= index < n or (allow_end and index == n)):
        raise LyricistError(f"no line {index} in this draft: lines are numbered 0 to {n - 1}")
    return index


def lock(d: Draft, index: int, locked: bool = True) -> Draft:
    """A copy of the draft with line ``index`` locked (kept by :func:`regenerate`) or unlocked.

    Example:
        >>> d = Draft([make_line("We danced through the night", "A")], "AABB", "dance", None, 6)
        >>> lock(d, 0).lines[0].locked, d.lines[0].locked
        (True, False)
    """
    _check_index(d, index)
    lines = list(d.lines)
    lines[index] = dataclasses.replace(lines[index], locked=bool(locked))
    return dataclasses.replace(d, lines=lines)


def _resume(d: Draft, model_dir, settings) -> _Session:
    gen = load_generator(model_dir or d.model_dir)
    return _session(gen, d.theme, d.mood, settings, keywords=d.keywords or None)


def regenerate(d: Draft, index: Optional[int] = None, seed: Optional[int] = None,
               model_dir: str | os.PathLike | None = None, settings: Optional[DecodeSettings] = None) -> Draft:
    """A copy of the draft with line ``index`` rewritten (``None``: every unlocked line).

    The new line differs from the old one and keeps the scheme with the other lines (it rhymes with the
    lines of its letter, before and after it). Locked lines are never changed.

    Raises:
        LyricistError: the line is locked, or does not exist.

    Example:
        >>> d2 = regenerate(d, 3)  # doctest: +SKIP
        >>> d2.lines[3].text != d.lines[3].text and d2.lines[:3] == d.lines[:3]  # doctest: +SKIP
        True
    """
    if index is None:
        todo = [i for i, ln in enumerate(d.lines) if not ln.locked]
    else:
        _check_index(d, index)
        if d.lines[index].locked:
            raise LyricistError(f"line {index} is locked: unlock it first to rewrite it")
        todo = [index]
    t0 = time.perf_counter()
    sess = _resume(d, model_dir, settings)
    seed = seed if seed is not None else d.seed + 1 + sum(len(ln.text) for ln in d.lines)
    lines: list[Optional[DraftLine]] = list(d.lines)
    for i in todo:
        lines[i] = None
    exclude = {i: [d.lines[i].text] for i in todo}
    out = _fill(sess, lines, d.pattern, todo, d.syllables, seed, exclude=exclude)
    for i in todo:  # keep the user's lock flags as they were
        out[i] = dataclasses.replace(out[i], locked=d.lines[i].locked)
    return dataclasses.replace(d, lines=out, seed=seed, ms=(time.perf_counter() - t0) * 1000)


def _extend_letters(letters: str, scheme: str, n_new: int) -> str:
    """Letters for ``n_new`` more lines that continue ``scheme`` after the existing ``letters``.

    The scheme is laid over all lines; its letters for the existing lines are mapped onto the
    letters those lines really have, and letters new to the continuation get fresh names.

    Example:
        >>> _extend_letters("AAB", "AABB", 3)
        'BCC'
        >>> _extend_letters("ABCB", "ABCB", 4)
        'DEFE'
    """
    from lyricist.lang.prosody import SCHEME_LETTERS, normalize_scheme

    full = normalize_scheme(scheme, len(letters) + n_new)
    mapping: dict[str, str] = {}
    for want, have in zip(full, letters):
        if want != "-" and have != "-":
            mapping.setdefault(want, have)
    taken = set(letters) | set(mapping.values())
    fresh = (c for c in SCHEME_LETTERS if c not in taken)
    out = []
    for c in full[len(letters):]:
        if c == "-":
            out.append("-")
            continue
        if c not in mapping:
            mapping[c] = next(fresh, "-")
        out.append(mapping[c])
    return "".join(out)


def alternatives(d: Draft, index: Optional[int] = None, n: int = 5, seed: Optional[int] = None,
                 model_dir: str | os.PathLike | None = None, settings: Optional[DecodeSettings] = None) -> list[str]:
    """``n`` options for line ``index``, or for the next line (``index`` None or ``len(d.lines)``), best first.

    Options that meet every constraint come first; each is different from the line it would replace.

    Example:
        >>> alternatives(d, n=3)  # doctest: +SKIP
        ['Where the river bends I wait for you', ...]
    """
    if not isinstance(n, int) or not 1 <= n <= 50:
        raise LyricistError(f"ask for between 1 and 50 alternatives, got {n}")
    nxt = index is None or index == len(d.lines)
    if not nxt:
        _check_index(d, index)
    sess = _resume(d, model_dir, settings)
    sess.s = dataclasses.replace(sess.s, n_candidates=max(sess.s.n_candidates, 2 * n))
    if nxt:
        index = len(d.lines)
        letters = d.pattern + _extend_letters(d.pattern, d.scheme, 1)
        texts: list[Optional[str]] = d.texts + [None]
        exclude: list[str] = []
    else:
        letters = d.pattern
        texts = d.texts
        exclude = [d.lines[index].text]
        texts = list(texts)
        texts[index] = None
    seed = seed if seed is not None else d.seed + 17 + len(d.lines)
    with sess.gen.lock, torch_threads(1):
        cands = sess.candidates(texts, letters, index, d.syllables, seed=seed, exclude=exclude, want=n)
    return [c.text for c in cands[:n]]


def continue_draft(lines_or_draft, n: int = 4, scheme: Optional[str] = None, syllables: Optional[int] = None,
                   mood: Optional[str] = None, theme: Optional[str] = None, seed: int = 0,
                   model_dir: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
                   settings: Optional[DecodeSettings] = None) -> Draft:
    """Continue from the songwriter's own lines (or a draft) with ``n`` new lines.

    The user's lines are kept and locked; their rhyme scheme is read with
    :func:`lyricist.lang.prosody.rhyme_scheme`. Without ``scheme``, the first of
    AABB, ABAB, ABCB, AAAA that fits their lines is continued (else ``free``).
    Without ``syllables``, the median of their lines. Without ``theme``, their
    content words.

    Example:
        >>> d = continue_draft(["I left the porch light on for you", "and waited by the door"], n=2)  # doctest: +SKIP
        >>> len(d.lines), d.lines[0].locked  # doctest: +SKIP
        (4, True)
    """
    import statistics

    from lyricist.lang.prosody import line_syllables, normalize_scheme, rhyme_scheme

    if isinstance(lines_or_draft, Draft):
        base = lines_or_draft
        user = base.lines
        scheme = scheme or base.scheme
        syllables = syllables or base.syllables
        mood = mood if mood is not None else base.mood
        theme = theme or base.theme
        letters = base.pattern
    else:
        if isinstance(lines_or_draft, str):
            lines_or_draft = lines_or_draft.splitlines()
        texts = [" ".join(str(t).split()) for t in lines_or_draft if str(t).strip()]
        if not texts:
            raise LyricistError("no lines to continue from: give at least one line of your own")
        if len(texts) > MAX_LINES:
            raise LyricistError(f"at most {MAX_LINES} lines to continue from, got {len(texts)}")
        detected = rhyme_scheme(texts)
        if scheme is None:
            scheme = next((s for s in ("AABB", "ABAB", "ABCB", "AAAA")
                           if _fits(detected, normalize_scheme(s, len(texts)))), "free")
        letters = detected if scheme != "free" else "-" * len(texts)
        user = [make_line(t, c, locked=True) for t, c in zip(texts, letters)]
        syllables = syllables or int(round(statistics.median(line_syllables(t) for t in texts)))
        syllables = max(2, min(24, syllables))
        if not theme:
            from lyricist.lang.text import content_lemmas

            theme = " ".join(content_lemmas(" ".join(texts))[:6]) or "a song"
    if not isinstance(n, int) or not 1 <= n <= MAX_LINES:
        raise LyricistError(f"n must be between 1 and {MAX_LINES}, got {n}")
    theme, mood = _check_form(theme, len(user) + n, syllables, mood)
    new_letters = _extend_letters(letters, scheme, n)
    t0 = time.perf_counter()
    gen = load_generator(model_dir)
    sess = _session(gen, theme, mood, settings)
    all_letters = letters + new_letters
    out = _fill(sess, list(user) + [None] * n, all_letters, range(len(user), len(user) + n), syllables, seed,
                progress)
    return Draft(lines=out, scheme=scheme, theme=theme, mood=mood, syllables=syllables, keywords=sess.keywords,
                 seed=seed, model_dir=str(gen.folder), ms=(time.perf_counter() - t0) * 1000)


def _fits(detected: str, wanted: str) -> bool:
    """Whether detected letters satisfy a scheme's required rhymes (lines sharing a letter in ``wanted``)."""
    first: dict[str, str] = {}
    for d, w in zip(detected, wanted):
        if w == "-":
            continue
        if w in first and first[w] != d:
            return False
        first.setdefault(w, d)
    return True


def evaluate_generator(model_dir: str | os.PathLike | None = None, data: str | os.PathLike | None = None,
                       n_drafts: int = 24, themes: Optional[Sequence[str]] = None, seed: int = 0,
                       progress: Optional[ProgressFn] = None, **kwargs) -> dict:
    """Constrained drafts vs the same model sampled freely, side by side
    (see :func:`lyricist.drafting.eval.evaluate_generator`)."""
    from lyricist.drafting.eval import evaluate_generator as _eval

    return _eval(model_dir, data, n_drafts=n_drafts, themes=themes, seed=seed, progress=progress, **kwargs)


def read_lines_file(path: str | os.PathLike) -> list[str]:
    """The non-empty lines of a UTF-8 text file (the songwriter's own lines), checked for size and binary."""
    from lyricist.core.config import MAX_SONG_CHARS

    p = Path(path)
    if not p.exists():
        raise LyricistError(f"no such file: {p} (check the path)")
    if p.is_dir():
        raise LyricistError(f"{p} is a folder: pass one text file with your lines")
    if p.stat().st_size > MAX_SONG_CHARS * 4:
        raise LyricistError(f"{p} is too big ({p.stat().st_size:,} bytes): give at most {MAX_LINES} lines")
    data = p.read_bytes()
    if b"\x00" in data:
        raise LyricistError(f"{p} looks binary (it contains NUL bytes): pass a plain-text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LyricistError(f"{p} is not UTF-8 text: save it as UTF-8 and try again") from None
    from lyricist.lang.corpus import section_kind

    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and section_kind(ln.strip()) is None]
    if not lines:
        raise LyricistError(f"{p} has no lines to continue from")
    return lines


def warm_up(model_dir: str | os.PathLike | None = None) -> "Generator":
    """Load, once per process, everything a draft needs: the generator, the CMU lexicon and its
    rhyme index, spaCy, the theme encoder and the mood scorer.

    A first draft otherwise pays for all of that (about 8 s on a 2-core CPU, against about 1 s
    for the drafting itself). It runs a real two-line draft, so every lazy path is taken.

    Example:
        >>> gen = warm_up()                                              # doctest: +SKIP
        >>> draft("rain on the roof", lines=8).ms < 3000                 # doctest: +SKIP
        True
    """
    gen = load_generator(model_dir)  # cached: the same object until the checkpoint changes
    if not gen.warm:
        draft("morning light on the river", lines=2, scheme="AA", syllables=6, mood="happy", model_dir=gen.folder)
        gen.warm = True
    return gen


def generate(theme: Optional[str] = None, lines: int = 8, scheme: Optional[str] = "AABB", syllables: Optional[int] = 8,
             mood: Optional[str] = None, seed: int = 0, model_dir: str | os.PathLike | None = None,
             alternatives_n: int = 0, continue_from: str | os.PathLike | None = None,
             progress: Optional[ProgressFn] = None) -> dict:
    """What ``lyricist generate`` prints: a draft (or a continuation of a file's lines), as a dict.

    Args:
        theme, lines, scheme, syllables, mood, seed, model_dir: see :func:`draft`.
        alternatives_n: also give this many options for the next line (``"alternatives"``).
        continue_from: a text file with the songwriter's own lines: continue them with ``lines`` new lines
            (``scheme``/``syllables`` None: read from those lines).
        progress: ``(fraction, message)`` callback.

    Example:
        >>> r = generate("rain on the roof", lines=4, scheme="ABAB", alternatives_n=2)  # doctest: +SKIP
        >>> sorted(r)[:4], len(r["alternatives"])  # doctest: +SKIP
        (['alternatives', 'keywords', 'lines', 'mood'], 2)
    """
    from lyricist.lang.prosody import normalize_scheme

    # bad input fails before any model loads
    own = read_lines_file(continue_from) if continue_from is not None else None
    if own is None:
        if theme is None:
            raise LyricistError("no theme given: pass --theme 'what the song is about' (or --continue-from FILE)")
        _check_form(theme, lines, syllables or 8, mood)
        normalize_scheme(scheme or "AABB", lines)
    else:
        _check_mood(mood)
    t_load = time.perf_counter()
    warm_up(model_dir)  # so that "ms" is the drafting time alone; "load_ms" is the one-off loading
    load_ms = (time.perf_counter() - t_load) * 1000
    if own is not None:
        d = continue_draft(own, n=lines, scheme=scheme, syllables=syllables, mood=mood, theme=theme, seed=seed,
                           model_dir=model_dir, progress=progress)
    else:
        d = draft(theme, lines=lines, scheme=scheme or "AABB", syllables=syllables or 8, mood=mood, seed=seed,
                  model_dir=model_dir, progress=progress)
    out = d.to_dict()
    out["load_ms"] = round(load_ms, 1)
    if alternatives_n:
        t0 = time.perf_counter()
        out["alternatives"] = alternatives(d, None, n=alternatives_n, model_dir=model_dir)
        out["alternatives_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out
