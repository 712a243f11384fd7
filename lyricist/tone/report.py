"""The tone report: a song scored line by line, section by section and as a whole.

:func:`tone_report` runs one :class:`lyricist.tone.scorers.Scorer` over a
song's lyric lines and summarises the lines of each section and of each
section kind (verse, chorus...), with a smoothed valence curve, NRC emotions,
the song's mood (the trained mood model, else the valence/arousal quadrant)
and a warning when the lyrics do not look like English.
:func:`arc_figure` draws the report's emotional arc.

Example:
    >>> rep = tone_report("[Chorus]\\nI love the summer rain\\nBut I hate to say goodbye", scorer="lexicon")
    >>> len(rep["lines"]), rep["sections"][0]["kind"]
    (2, 'chorus')
"""

from __future__ import annotations

import os
import re
from typing import Sequence

import numpy as np

from lyricist.core.config import MAX_SONG_CHARS, checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.hf import torch_threads
from lyricist.lang.corpus import parse_song, section_group
from lyricist.lang.lexicon import NRC_KEYS, arousal, emotion_counts, english_share, normalise_counts
from lyricist.lang.text import normalize, tokens_many
from lyricist.tone.mood import predict_mood, quadrant_mood
from lyricist.tone.scorers import Scorer, load_scorer, row_of


def check_song_text(text) -> str:
    """Validate a song's text: a str, not empty, not binary, at most MAX_SONG_CHARS characters."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise LyricistError("the song is not UTF-8 text: save it as UTF-8 and try again") from None
    if not isinstance(text, str):
        raise LyricistError(f"expected song text, got {type(text).__name__}")
    if "\x00" in text:
        raise LyricistError("the input looks binary (it contains NUL bytes): pass a plain-text song")
    if len(text) > MAX_SONG_CHARS:
        raise LyricistError(f"the song is {len(text):,} characters long; the limit is {MAX_SONG_CHARS:,}: "
                            f"score it in parts")
    if not text.strip():
        raise LyricistError("the song is empty: pass some lyrics (a file, or text on stdin)")
    return text


def _smooth(values: Sequence[float], window: int) -> list[float]:
    """Centred moving average over ``window`` lines (shrinking at the edges).

    Example:
        >>> _smooth([0.0, 1.0, 0.0, 1.0], 3)
        [0.5, 0.3333, 0.6667, 0.5]
    """
    v = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(v) == 0:
        return [round(float(x), 4) for x in v]
    half = window // 2
    out = []
    for i in range(len(v)):
        seg = v[max(0, i - half): i + half + 1]
        out.append(round(float(seg.mean()), 4))
    return out


def _summary(idx: Sequence[int], probs: np.ndarray, counts: Sequence[dict]) -> dict:
    """Valence, label, confidence and emotions of a group of lines (by index)."""
    p = probs[list(idx)].mean(0)
    total = {k: sum(counts[i][k] for i in idx) for k in NRC_KEYS}
    row = row_of(p)
    return {"valence": row["valence"], "label": row["label"], "confidence": round(float(p.max()), 4),
            "emotions": normalise_counts(total)}


def tone_report(song, scorer: Scorer | str | None = None, window: int = 3, *, mood_model: str | os.PathLike | None = None,
                top: int = 3) -> dict:
    """Score a song line by line, section by section and as a whole.

    Args:
        song: lyrics text (with ``[Verse]``/``[Chorus]`` markers or not) or a ``corpus.Song``.
        scorer: a :class:`Scorer`, a scorer kind, or ``None`` for ``auto``.
        window: lines in the centred moving average (``smoothed``).
        mood_model: a song-mood checkpoint folder (default ``checkpoints/mood``; the
            valence/arousal quadrant rule when there is none).
        top: how many most positive / most negative lines to list.
    Returns:
        ``{"lines": [{"index","text","section","valence","smoothed","label","probs","emotions"}...],
        "sections": [{"name","kind","start","end","valence","label","confidence","emotions"}...],
        "summary_by_kind": {"verse": {...}, "chorus": {...}},
        "overall": {"valence","label","confidence","mood","mood_confidence","mood_source","arousal","emotions"},
        "most_positive": [...], "most_negative": [...], "model": ..., "warnings": [...]}``.
        ``start``/``end`` are line indices (end inclusive).

    Example:
        >>> r = tone_report("I am so happy today\\nEverything is wonderful", scorer="lexicon")
        >>> r["overall"]["label"], r["lines"][0]["label"]
        ('positive', 'positive')
    """
    if isinstance(song, (str, bytes)):
        song = parse_song(check_song_text(song))
    lines = [ln for ln in song.lines if ln.text.strip()]
    if not lines:
        raise LyricistError("the song has no lyric lines (only section markers or blank lines): add some lyrics")
    if window < 1:
        raise LyricistError(f"window must be at least 1, got {window}")
    if not isinstance(scorer, Scorer):
        scorer = load_scorer(scorer or "auto")
    texts = [ln.text for ln in lines]
    probs = scorer.predict_proba(texts)  # (L, 3)
    toks = list(tokens_many(texts))
    counts = [emotion_counts(t) for t in toks]
    rows = [row_of(p) for p in probs]
    smoothed = _smooth([r["valence"] for r in rows], window)
    out_lines = []
    for i, (ln, r) in enumerate(zip(lines, rows)):
        out_lines.append({"index": i, "text": ln.text, "section": ln.section or "", "valence": r["valence"],
                          "smoothed": smoothed[i], "label": r["label"], "probs": r["probs"],
                          "emotions": normalise_counts(counts[i])})

    # Sections: consecutive lines that share a section index; named "Verse 1", "Chorus 2"...
    # (a song without markers has stanzas, which count as verses).
    sections, start, seen_kinds = [], 0, {}
    for i in range(1, len(lines) + 1):
        if i == len(lines) or (lines[i].section, lines[i].section_index) != (lines[start].section,
                                                                              lines[start].section_index):
            raw = lines[start].section or ""
            kind = section_group(raw)
            seen_kinds[raw] = seen_kinds.get(raw, 0) + 1
            name = f"{(raw or 'stanza').replace('-', ' ').title().replace(' ', '-')} {seen_kinds[raw]}"
            sec = {"name": name, "kind": kind, "start": start, "end": i - 1, "n_lines": i - start}
            sec.update(_summary(range(start, i), probs, counts))
            sections.append(sec)
            for j in range(start, i):
                out_lines[j]["section"] = name
            start = i
    by_kind: dict = {}
    for sec in sections:
        by_kind.setdefault(sec["kind"], []).extend(range(sec["start"], sec["end"] + 1))
    summary_by_kind = {k: {**_summary(idx, probs, counts), "n_lines": len(idx),
                           "n_sections": sum(s["kind"] == k for s in sections)} for k, idx in by_kind.items()}

    all_tokens = [t for ts in toks for t in ts]
    overall = _summary(range(len(lines)), probs, counts)
    overall["valence"] = round(float(np.mean([r["valence"] for r in rows])), 4)
    overall["arousal"] = round(arousal(all_tokens), 4)
    with torch_threads(1):
        overall.update(_song_mood(song, overall["valence"], overall["arousal"], mood_model))

    order = sorted(range(len(rows)), key=lambda i: rows[i]["valence"])
    def pick(ids):
        seen, out = set(), []
        for i in ids:
            if texts[i].lower() not in seen:
                seen.add(texts[i].lower())
                out.append({"index": i, "text": texts[i], "valence": rows[i]["valence"]})
            if len(out) == top:
                break
        return out
    most_pos = pick([i for i in reversed(order) if rows[i]["valence"] > 0])
    most_neg = pick([i for i in order if rows[i]["valence"] < 0])

    warnings = [w for w in [language_warning(texts, all_tokens)] if w]
    return {"lines": out_lines, "sections": sections, "summary_by_kind": summary_by_kind, "overall": overall,
            "most_positive": most_pos, "most_negative": most_neg, "model": f"{scorer.name} ({scorer.source})",
            "window": window, "warnings": warnings}


def language_warning(texts: Sequence[str], toks: Sequence[str] | None = None) -> str | None:
    """A one-line warning when ``texts`` do not look like English (the scorers are English-only), else None.

    Two signals: most letters outside the Latin script (Japanese, Russian, Arabic... which spaCy's
    English tokenizer cannot split into words), or few tokens that are known English words
    (French, Spanish...). Texts with fewer than 8 words are given the benefit of the doubt.

    Example:
        >>> language_warning(["夜の街を一人で歩く", "雨が静かに降り続ける"]) is not None
        True
        >>> language_warning(["I walk alone tonight", "the rain keeps falling down"]) is None
        True
    """
    letters = [c for t in texts for c in t if c.isalpha()]
    if len(letters) >= 8:
        # Latin script (with accents) ends at U+024F; anything above is another script.
        other = sum(1 for c in letters if ord(c) > 0x24F) / len(letters)
        if other > 0.3:
            return (f"this does not look like English ({other:.0%} of the letters are not Latin script): "
                    f"the scorers are English-only, so the scores are unreliable")
    if toks is None:
        if _clearly_english(texts):  # the common case, settled without loading spaCy
            return None
        toks = [t for ts in tokens_many(texts) for t in ts]
    share = english_share(toks)
    if len(toks) >= 8 and share < 0.3:
        return (f"this does not look like English (only {share:.0%} of the words are known English words): "
                f"the scorers are English-only, so the scores are unreliable")
    return None


# Words as spaCy's lyric tokenizer keeps them, near enough for a margin: letters with inner apostrophes.
_ROUGH_WORD = re.compile(r"'?[^\W\d_]+(?:'[^\W\d_]+)*'?")


def _clearly_english(texts: Sequence[str]) -> bool:
    """True when a spaCy-free pass finds at least half the words English, far above the 0.3 warning line.

    Splitting on a regex and leaving out lemmas can only move a few tokens, so such texts never get the
    warning; the rest go through the full check. Saves loading spaCy in ``classify``.
    """
    toks = [m.group().lower() for t in texts for m in _ROUGH_WORD.finditer(normalize(t))]
    toks = [t for t in toks if t != "'"]
    return len(toks) >= 8 and english_share(toks, use_lemmas=False) >= 0.5


def _song_mood(song, valence: float, arousal: float, mood_model) -> dict:
    """Mood from the trained mood model if there is one, else the valence/arousal quadrant."""
    folder = checkpoint_dir("mood", mood_model)
    if mood_model is not None or (folder / "config.json").is_file():  # a folder given must load, or say why
        m = predict_mood(song, model_dir=folder)
        return {"mood": m["mood"], "mood_confidence": m["confidence"], "mood_source": "model",
                "mood_probs": m["probs"]}
    m = quadrant_mood(valence, arousal)
    return {"mood": m["mood"], "mood_confidence": m["confidence"], "mood_source": "rule"}


def arc_figure(report: dict, title: str | None = None):
    """A plotly figure of the emotional arc: valence per line, the smoothed curve, sections shaded.

    Example:
        >>> fig = arc_figure(tone_report("so happy\\nso sad\\nso happy again", scorer="lexicon"))
        >>> len(fig.data)
        2
    """
    import plotly.graph_objects as go

    lines = report["lines"]
    x = [ln["index"] + 1 for ln in lines]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=[ln["valence"] for ln in lines], mode="markers", name="line valence",
                             text=[ln["text"] for ln in lines], hovertemplate="%{x}: %{text}<br>valence %{y:.2f}",
                             marker=dict(color=[ln["valence"] for ln in lines], colorscale="RdYlGn",
                                         cmin=-1, cmax=1, size=9)))
    fig.add_trace(go.Scatter(x=x, y=[ln["smoothed"] for ln in lines], mode="lines", name="smoothed",
                             line=dict(width=3, color="#444")))
    colours = {"chorus": "rgba(255,190,60,0.18)", "verse": "rgba(90,140,255,0.10)",
               "bridge": "rgba(180,90,255,0.15)"}
    for sec in report["sections"]:
        fig.add_vrect(x0=sec["start"] + 0.5, x1=sec["end"] + 1.5, line_width=0,
                      fillcolor=colours.get(sec["kind"], "rgba(150,150,150,0.10)"),
                      annotation_text=sec["name"], annotation_position="top left")
    fig.add_hline(y=0, line_dash="dot", line_color="grey")
    ov = report["overall"]
    fig.update_layout(title=title or f"Emotional arc: {ov['label']}, mood {ov['mood']} "
                                     f"(valence {ov['valence']:+.2f})",
                      xaxis_title="line", yaxis_title="valence", yaxis_range=[-1.05, 1.05],
                      template="plotly_white", height=420, margin=dict(l=40, r=20, t=60, b=40))
    return fig
