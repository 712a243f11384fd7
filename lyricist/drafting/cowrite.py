"""The co-writing API: draft, lock, regenerate, continue and get alternatives, each returning a new draft.

:func:`draft` writes a draft on a theme in a form (lines, rhyme scheme, syllables, mood);
:func:`lock` keeps a line, :func:`regenerate` rewrites the unlocked ones (or one),
:func:`continue_draft` continues the songwriter's own lines, and :func:`alternatives` gives
options for a line. They check the form, load the generator (cached) and hand the lines to the
constrained decoder (:mod:`lyricist.drafting.decode`). :func:`generate` is what
``lyricist generate`` prints.

Example:
    >>> d = draft("leaving a small town at dawn", lines=4, scheme="AABB", syllables=8,
    ...           mood="sad")  # doctest: +SKIP
    >>> [ln.text for ln in d.lines]  # doctest: +SKIP
    ['The road is long and the morning cold', ...]
    >>> extend_letters("AAB", "AABB", 3)
    'BCC'
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from lyricist.core.config import MAX_SONG_CHARS, MOOD_LABELS
from lyricist.core.errors import LyricistError
from lyricist.core.hf import torch_threads
from lyricist.core.progress import ProgressFn
from lyricist.drafting.decode import Session, fill_lines
from lyricist.drafting.drafts import Draft, DraftLine, LineFn, make_line
from lyricist.drafting.model import Generator, load_generator
from lyricist.drafting.planned import PlannedSession
from lyricist.drafting.settings import DecodeSettings, planned_settings
from lyricist.drafting.theme import ThemeModel, theme_keywords, theme_space
from lyricist.lang.corpus import normalize_label, section_kind
from lyricist.lang.prosody import SCHEME_LETTERS, line_syllables, normalize_scheme, rhyme_scheme
from lyricist.lang.text import content_lemmas, tokens

#: The rhyme schemes offered by name (any letter pattern works too).
SCHEMES = ("AABB", "ABAB", "ABCB", "AAAA", "free")
#: Most lines in a draft, and in the songwriter's own lines to continue.
MAX_LINES = 64
#: Longest theme, in characters.
MAX_THEME_CHARS = 300
#: Longest line of the songwriter's own to continue from (a sung line is well under 100 characters).
MAX_LINE_CHARS = 300


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
    try:
        return normalize_label(str(mood).strip(), "mood")
    except LyricistError:
        raise LyricistError(f"unknown mood {mood!r}: use one of {', '.join(MOOD_LABELS)}") from None


def _session(gen: Generator, theme: str, mood: Optional[str], settings: Optional[DecodeSettings],
             keywords: Optional[Sequence[str]] = None) -> Session:
    space = theme_space(gen)
    if keywords is None:
        toks = tokens(theme)
        if toks and not any(t.isascii() for t in toks):
            raise LyricistError("the theme has no English words: lyricist drafts English lyrics, so describe "
                                "the theme in English")
        keywords = [w for w in theme_keywords(theme, space, gen.words) if w.isascii()]
        if not keywords:  # only function words ("all of it"): keep them rather than nothing
            keywords = [t for t in toks if t.isascii()][:4]
    cls = PlannedSession if gen.enc.plan else Session
    return cls(gen, theme, mood, keywords, settings or default_settings(gen), ThemeModel(theme, keywords, space))


def default_settings(gen: Generator) -> DecodeSettings:
    """The decoder's defaults for this generator: a planned model has its own (:func:`planned_settings`)."""
    return planned_settings() if gen.enc.plan else DecodeSettings()


def draft(theme: str, lines: int = 8, scheme: str = "AABB", syllables: int = 8, mood: Optional[str] = None,
          seed: int = 0, model_dir: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
          settings: Optional[DecodeSettings] = None, on_line: Optional[LineFn] = None) -> Draft:
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
        on_line: ``(index, line)`` callback as each line is written, to stream them (see :data:`LineFn`).

    Returns:
        A :class:`Draft`; a line that misses a constraint has ``ok=False`` and says which in ``issues``.

    Example:
        >>> d = draft("leaving a small town at dawn", lines=4, scheme="ABAB", mood="sad")  # doctest: +SKIP
        >>> d.pattern, all(abs(ln.syllables - 8) <= 1 for ln in d.lines)  # doctest: +SKIP
        ('ABAB', True)
    """
    theme, mood = _check_form(theme, lines, syllables, mood)
    letters = normalize_scheme(scheme, lines)
    t0 = time.perf_counter()
    gen = load_generator(model_dir)
    sess = _session(gen, theme, mood, settings)
    out = fill_lines(sess, [None] * lines, letters, range(lines), syllables, seed, progress, on_line=on_line)
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


def _resume(d: Draft, model_dir, settings) -> Session:
    gen = load_generator(model_dir or d.model_dir)
    return _session(gen, d.theme, d.mood, settings, keywords=d.keywords or None)


def regenerate(d: Draft, index: Optional[int] = None, seed: Optional[int] = None,
               model_dir: str | os.PathLike | None = None, settings: Optional[DecodeSettings] = None,
               on_line: Optional[LineFn] = None) -> Draft:
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
    out = fill_lines(sess, lines, d.pattern, todo, d.syllables, seed, exclude=exclude, on_line=on_line)
    for i in todo:  # keep the user's lock flags as they were
        out[i] = dataclasses.replace(out[i], locked=d.lines[i].locked)
    return dataclasses.replace(d, lines=out, seed=seed, ms=(time.perf_counter() - t0) * 1000)


def extend_letters(letters: str, scheme: str, n_new: int) -> str:
    """Letters for ``n_new`` more lines that continue ``scheme`` after the existing ``letters``.

    The scheme is laid over all lines; its letters for the existing lines are mapped onto the
    letters those lines really have, and letters new to the continuation get fresh names.

    Example:
        >>> extend_letters("AAB", "AABB", 3)
        'BCC'
        >>> extend_letters("ABCB", "ABCB", 4)
        'DEFE'
    """
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
        letters = d.pattern + extend_letters(d.pattern, d.scheme, 1)
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
                   settings: Optional[DecodeSettings] = None, on_line: Optional[LineFn] = None) -> Draft:
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
        long = next((i for i, t in enumerate(texts) if len(t) > MAX_LINE_CHARS), None)
        if long is not None:
            raise LyricistError(f"line {long + 1} has {len(texts[long]):,} characters: a line to continue from has "
                                f"at most {MAX_LINE_CHARS}; break it into lines")
        detected = rhyme_scheme(texts)
        if scheme is None:
            scheme = next((s for s in ("AABB", "ABAB", "ABCB", "AAAA")
                           if _fits(detected, normalize_scheme(s, len(texts)))), "free")
        letters = detected if scheme != "free" else "-" * len(texts)
        user = [make_line(t, c, locked=True) for t, c in zip(texts, letters)]
        syllables = syllables or int(round(statistics.median(line_syllables(t) for t in texts)))
        syllables = max(2, min(24, syllables))
        if not theme:
            theme = " ".join(content_lemmas(" ".join(texts))[:6]) or "a song"
    if not isinstance(n, int) or not 1 <= n <= MAX_LINES:
        raise LyricistError(f"n must be between 1 and {MAX_LINES}, got {n}")
    theme, mood = _check_form(theme, len(user) + n, syllables, mood)
    new_letters = extend_letters(letters, scheme, n)
    t0 = time.perf_counter()
    gen = load_generator(model_dir)
    sess = _session(gen, theme, mood, settings)
    all_letters = letters + new_letters
    out = fill_lines(sess, list(user) + [None] * n, all_letters, range(len(user), len(user) + n), syllables,
                     seed, progress, on_line=on_line)
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


def read_lines_file(path: str | os.PathLike) -> list[str]:
    """The non-empty lines of a UTF-8 text file (the songwriter's own lines), checked for size and binary."""
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
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and section_kind(ln.strip()) is None]
    if not lines:
        raise LyricistError(f"{p} has no lines to continue from: write at least one line of lyrics in it")
    return lines


def warm_up(model_dir: str | os.PathLike | None = None) -> Generator:
    """Load, once per process, everything a draft needs: the generator, the CMU lexicon and its
    rhyme index, spaCy, the theme encoder and the mood scorer.

    A first draft otherwise pays for all of that (about 8 s on a 2-core CPU, against about 1 s
    for the drafting itself). It runs a real two-line draft, so every lazy path is taken, but with
    two candidates a line and no retries: its lines are thrown away, and on a 135M model a full
    warm-up draft costs seconds that a one-shot ``lyricist generate`` would wait for.

    Example:
        >>> gen = warm_up()                                              # doctest: +SKIP
        >>> draft("rain on the roof", lines=8).ms < 3000                 # doctest: +SKIP
        True
    """
    gen = load_generator(model_dir)  # cached: the same object until the checkpoint changes
    if not gen.warm:
        draft("morning light on the river", lines=2, scheme="AA", syllables=6, mood="happy", model_dir=gen.folder,
              settings=dataclasses.replace(default_settings(gen), n_candidates=2, retries=0, mood_swaps=1))
        gen.warm = True
    return gen


def generate(theme: Optional[str] = None, lines: int = 8, scheme: Optional[str] = "AABB", syllables: Optional[int] = 8,
             mood: Optional[str] = None, seed: int = 0, model_dir: str | os.PathLike | None = None,
             alternatives_n: int = 0, continue_from: str | os.PathLike | None = None,
             progress: Optional[ProgressFn] = None, on_line: Optional[LineFn] = None,
             on_loaded: Optional[Callable[[float], None]] = None) -> dict:
    """What ``lyricist generate`` prints: a draft (or a continuation of a file's lines), as a dict.

    Args:
        theme, lines, scheme, syllables, mood, seed, model_dir: see :func:`draft`.
        alternatives_n: also give this many options for the next line (``"alternatives"``).
        continue_from: a text file with the songwriter's own lines: continue them with ``lines`` new lines
            (``scheme``/``syllables`` None: read from those lines).
        progress: ``(fraction, message)`` callback.
        on_line: ``(index, line)`` as each new line is written (streaming); see :data:`LineFn`.
        on_loaded: called with the loading time in ms once the models are loaded, before drafting starts.

    Example:
        >>> r = generate("rain on the roof", lines=4, scheme="ABAB", alternatives_n=2)  # doctest: +SKIP
        >>> sorted(r)[:4], len(r["alternatives"])  # doctest: +SKIP
        (['alternatives', 'keywords', 'lines', 'mood'], 2)
    """
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
    if on_loaded is not None:
        on_loaded(load_ms)
    if own is not None:
        d = continue_draft(own, n=lines, scheme=scheme, syllables=syllables, mood=mood, theme=theme, seed=seed,
                           model_dir=model_dir, progress=progress, on_line=on_line)
    else:
        d = draft(theme, lines=lines, scheme=scheme or "AABB", syllables=syllables or 8, mood=mood, seed=seed,
                  model_dir=model_dir, progress=progress, on_line=on_line)
    out = d.to_dict()
    out["load_ms"] = round(load_ms, 1)
    if alternatives_n:
        t0 = time.perf_counter()
        out["alternatives"] = alternatives(d, None, n=alternatives_n, model_dir=model_dir)
        out["alternatives_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out
