"""A draft and its lines: the record every co-writing operation takes and returns, and its JSON form.

A :class:`Draft` is its lines (:class:`DraftLine`, each with its measured syllables and rhyme
key, its scheme letter, its lock and the constraints it misses) and the form they were written
to. Drafts are values: operations (:mod:`lyricist.drafting.cowrite`) return new ones.

Example:
    >>> d = Draft([make_line("We danced through the night", "A"), make_line("and held on tight", "A")],
    ...           "AA", "dancing", None, 6)
    >>> d.pattern, d.ok, Draft.from_dict(d.to_dict()).texts == d.texts
    ('AA', True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from lyricist.lang.prosody import line_syllables, rhyme_key


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
    return DraftLine(text=text, syllables=line_syllables(text), rhyme_key=rhyme_key(text), letter=letter,
                     locked=locked, ok=not issues, issues=list(issues))


#: Called with ``(index, line)`` as each line is written, before the draft is finished (for streaming).
#: The mood pass may still swap a streamed line for another candidate: the returned draft is final.
LineFn = Callable[[int, DraftLine], None]


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
