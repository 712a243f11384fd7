"""The generator's tokenizer and the text format it reads and writes.

A byte-level BPE tokenizer (``tokenizers``) trained on the training songs,
wrapped as a ``transformers.PreTrainedTokenizerFast`` so that it saves and
loads with ``save_pretrained``/``AutoTokenizer``. Special tokens mark the
song's structure and carry the control prefix:

- structure: ``<|bos|>`` and ``<|eos|>`` (start and end of a song),
  ``<|nl|>`` (line break), one marker per section kind (``<|verse|>``,
  ``<|chorus|>``, ... and ``<|section|>`` for a stanza with no name);
- control: ``<|mood:happy|>`` ... ``<|mood:none|>``, and the theme keywords
  between ``<|kw|>`` and ``<|/kw|>``.

A line is written as its words (:func:`lyricist.lang.prosody.words_of`: lowercase,
apostrophe forms kept, punctuation dropped). With ``reverse=True`` (end-first,
DeepRapper-style) the words of each line are written last word first, so the
model generates a line starting from its rhyme word.

Example:
    >>> line_text("Left my worries on the trail!", reverse=True)
    'trail the on worries my left'
    >>> unreverse("trail the on worries my left")
    'left my worries on the trail'
    >>> mood_token("sad"), section_token("pre-chorus"), section_token("")
    ('<|mood:sad|>', '<|pre-chorus|>', '<|section|>')
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

from lyricist.core.config import MOOD_LABELS
from lyricist.core.errors import LyricistError
from lyricist.core.hf import encodable
from lyricist.lang.prosody import line_syllables, words_of

PAD, BOS, EOS, NL, KW, KW_END = "<|pad|>", "<|bos|>", "<|eos|>", "<|nl|>", "<|kw|>", "<|/kw|>"
SECTION_NAMES = ("verse", "chorus", "pre-chorus", "bridge", "intro", "outro", "hook", "refrain", "section")
SECTION_TOKENS = tuple(f"<|{s}|>" for s in SECTION_NAMES)
MOOD_TOKENS = tuple(f"<|mood:{m}|>" for m in MOOD_LABELS) + ("<|mood:none|>",)
SPECIAL_TOKENS = (PAD, BOS, EOS, NL, KW, KW_END) + SECTION_TOKENS + MOOD_TOKENS
#: The line plan of a planned (left-to-right, pretrained-base) model: ``<|end|> fire 8<|/end|>`` before each
#: line says the word it ends on and its syllables. Only planned models have them.
PLAN, PLAN_END = "<|end|>", "<|/end|>"
PLAN_TOKENS = (PLAN, PLAN_END)


def mood_token(mood: str | None) -> str:
    """The control token of a mood (``None`` or unknown: ``<|mood:none|>``)."""
    return f"<|mood:{mood}|>" if mood in MOOD_LABELS else "<|mood:none|>"


def section_token(kind: str | None) -> str:
    """The marker token of a section kind (``""`` or unknown: ``<|section|>``)."""
    return f"<|{kind}|>" if kind in SECTION_NAMES else "<|section|>"


def line_words(line: str) -> list[str]:
    """The words of a line as the model sees them (see :func:`lyricist.lang.prosody.words_of`)."""
    return words_of(line)


def line_text(line: str, reverse: bool = False) -> str:
    """A line in model form: its words, space-separated, optionally last word first."""
    w = line_words(line)
    return " ".join(reversed(w) if reverse else w)


def unreverse(text: str) -> str:
    """Undo :func:`line_text`'s word reversal (it is its own inverse)."""
    return " ".join(reversed(text.split()))


def pretty(text: str) -> str:
    """A model-form line as a songwriter would write it: capital first letter, capital ``I``.

    Example:
        >>> pretty("i'm leaving town at dawn")
        "I'm leaving town at dawn"
    """
    words = ["I" + w[1:] if w == "i" or w.startswith("i'") else w for w in text.split()]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def train_tokenizer(lines: Iterable[str], vocab_size: int, min_frequency: int = 2):
    """Train a byte-level BPE tokenizer on model-form lines.

    Args:
        lines: lines already in model form (``line_text``), any order.
        vocab_size: the target vocabulary (bytes, merges and special tokens).
        min_frequency: a merge needs at least this many occurrences.

    Returns:
        A ``PreTrainedTokenizerFast`` with :data:`SPECIAL_TOKENS` as atomic special tokens.

    Example:
        >>> tok = train_tokenizer(["the night is young", "the light is on"] * 20, 300)
        >>> tok.decode(tok(" the night")["input_ids"])
        ' the night'
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    if vocab_size < 256 + len(SPECIAL_TOKENS) + 1:
        raise LyricistError(f"vocab_size {vocab_size} is too small: a byte-level BPE needs at least "
                            f"{256 + len(SPECIAL_TOKENS) + 1}")
    tok = Tokenizer(models.BPE())
    # Lines are written with a leading space before every word, so no prefix space is added.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator((" " + ln for ln in lines), trainer=trainer)
    return wrap(tok)


def wrap(tok):
    """Wrap a ``tokenizers.Tokenizer`` as a ``PreTrainedTokenizerFast`` with our special tokens."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD,
                                   additional_special_tokens=[t for t in SPECIAL_TOKENS if t not in (BOS, EOS, PAD)])


def add_special_tokens(tok, plan: bool = False) -> int:
    """Add :data:`SPECIAL_TOKENS` (and :data:`PLAN_TOKENS` when ``plan``) to a pretrained tokenizer
    (``--base-model``); returns how many were new."""
    have = set(tok.get_vocab())
    wanted = SPECIAL_TOKENS + (PLAN_TOKENS if plan else ())
    new = [t for t in wanted if t not in have]
    extra = {"additional_special_tokens": [t for t in wanted if t != PAD], "pad_token": PAD}
    tok.add_special_tokens(extra, replace_extra_special_tokens=False) if _accepts_replace(tok) \
        else tok.add_special_tokens(extra)
    return len(new)


def _accepts_replace(tok) -> bool:
    import inspect

    try:
        return "replace_extra_special_tokens" in inspect.signature(tok.add_special_tokens).parameters
    except (TypeError, ValueError):
        return False


def load_tokenizer(folder: str | os.PathLike, plan: bool = False):
    """Load a saved tokenizer and check that it has every special token (and the plan tokens when ``plan``).

    Raises:
        LyricistError: the folder has no readable tokenizer or lacks the special tokens.
    """
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(folder))
    except Exception as e:  # corrupt json, missing files: one line for the user
        raise LyricistError(f"cannot read the tokenizer in {folder} ({e.__class__.__name__}): "
                            f"retrain with `lyricist train generator`") from None
    return check_tokenizer(tok, folder, plan)


def check_tokenizer(tok, folder: str | os.PathLike, plan: bool = False):
    """``tok`` when it has every special token (and the plan tokens when ``plan``).

    Raises:
        LyricistError: it lacks one, so it does not belong to a lyricist generator.
    """
    vocab = tok.get_vocab()
    missing = [t for t in SPECIAL_TOKENS + (PLAN_TOKENS if plan else ()) if t not in vocab]
    if missing:
        raise LyricistError(f"the tokenizer in {folder} lacks {', '.join(missing[:3])}: it does not belong to a "
                            f"lyricist generator; retrain with `lyricist train generator`")
    return tok


class SongEncoder:
    """Turns songs into token ids in the generator's format, and ids back into lines.

    One example is ``<|bos|> <|mood:M|> <|kw|> k1 k2 <|/kw|> <|verse|> line <|nl|> line <|nl|>
    <|chorus|> ... <|eos|>``; lines are in model form (reversed when ``reverse``).

    Example:
        >>> tok = train_tokenizer(["the night is young", "the light is on"] * 20, 300)
        >>> enc = SongEncoder(tok, reverse=True)
        >>> ids = enc.prefix("sad", ["night"]) + enc.line_ids("The night is young") + [enc.nl]
        >>> tok.decode(ids)
        '<|bos|><|mood:sad|><|kw|> night<|/kw|> young is night the<|nl|>'
    """

    def __init__(self, tok, reverse: bool = True, plan: bool = False):
        self.tok = tok
        self.plan = bool(plan)
        self.reverse = reverse and not self.plan  # a planned model writes left to right
        names = SPECIAL_TOKENS + (PLAN_TOKENS if self.plan else ())
        ids = tok.convert_tokens_to_ids(list(names))
        self.special = dict(zip(names, ids))
        self.bos, self.eos, self.nl = self.special[BOS], self.special[EOS], self.special[NL]
        self.kw, self.kw_end, self.pad = self.special[KW], self.special[KW_END], self.special[PAD]

    def words_ids(self, text: str) -> list[int]:
        """Ids of model-form text (words separated by spaces), with the leading space BPE expects."""
        return self.tok(" " + encodable(text), add_special_tokens=False)["input_ids"] if text else []

    def line_ids(self, line: str) -> list[int]:
        """Ids of one lyric line in model form (reversed when the model is end-first; with its plan and in
        its own case and punctuation when the model is planned)."""
        if self.plan:
            plan = line_plan(line)
            return (self.plan_ids(*plan) if plan else []) + self.body_ids(line)
        return self.words_ids(line_text(line, self.reverse))

    def body_ids(self, line: str) -> list[int]:
        """Ids of a line's text as a planned model writes it: as written, whitespace normalised."""
        text = " ".join(str(line).split())
        return self.tok(" " + encodable(text), add_special_tokens=False)["input_ids"] if text else []

    def plan_ids(self, end: str, n_syllables: int) -> list[int]:
        """Ids of a line plan: ``<|end|> WORD N<|/end|>`` (planned models only)."""
        return [self.special[PLAN]] + self.words_ids(f"{end} {int(n_syllables)}") + [self.special[PLAN_END]]

    def prefix(self, mood: str | None, keywords: Sequence[str]) -> list[int]:
        """The control prefix: ``<|bos|> <|mood:M|> <|kw|> keywords <|/kw|>``."""
        kw = self.words_ids(" ".join(keywords)) if keywords else []
        return [self.bos, self.special[mood_token(mood)], self.kw] + kw + [self.kw_end]

    def section(self, kind: str | None) -> int:
        """Id of a section marker."""
        return self.special[section_token(kind)]

    def decode_line(self, ids: Sequence[int]) -> str:
        """Model-form ids of one line back to natural word order (specials dropped)."""
        text = " ".join(self.tok.decode(list(ids), skip_special_tokens=True).split())
        return unreverse(text) if self.reverse else text


def line_plan(line: str) -> tuple[str, int] | None:
    """A line's plan: its last word and its syllable count (None for a line without words).

    Example:
        >>> line_plan("Left my worries on the trail!")
        ('trail', 7)
    """
    words = words_of(line)
    return (words[-1], line_syllables(line)) if words else None
