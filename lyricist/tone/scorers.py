"""How a song feels: sentiment scorers, the tone report, bulk comment classification.

One :class:`Scorer` interface over four models, all returning probabilities
over ``negative, neutral, positive`` and a valence ``p(positive) - p(negative)``:

- ``lexicon``: VADER's compound score (+-0.05 thresholds), no training;
- ``lstm``: the (bi)LSTM over word2vec vectors (``checkpoints/sentiment-lstm``);
- ``transformer``: MiniLM fine-tuned (``checkpoints/sentiment-transformer``);
- ``ensemble``: the mean of the LSTM's and the transformer's probabilities.

:func:`load_scorer` loads a model once per process (cached by folder and
modification time). :func:`tone_report` scores a song line by line, section
by section and as a whole (with its mood and NRC emotions);
:func:`classify_file` streams a comments file through a scorer into a
predictions CSV; :func:`evaluate_sentiment` scores a labeled file (binary
data sets such as SST-2 on the two polar classes only).

Example:
    >>> s = load_scorer("lexicon")
    >>> [r["label"] for r in s.predict(["I love this", "I hate this"])]
    ['positive', 'negative']
    >>> rep = tone_report("[Chorus]\\nI love the summer rain\\nBut I hate to say goodbye", scorer=s)
    >>> len(rep["lines"]), rep["sections"][0]["kind"]
    (2, 'chorus')
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from lyricist.core.cache import ModelCache
from lyricist.core.config import MAX_SONG_CHARS, SENTIMENT_LABELS, checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.hf import quiet_transformers, torch_threads
from lyricist.lang.corpus import section_group
from lyricist.lang.lexicon import NRC_KEYS, emotion_counts, lexicon_probs, normalise_counts, vader_compound
from lyricist.core.progress import ProgressFn, report

SCORER_KINDS = ("auto", "lexicon", "lstm", "transformer", "ensemble")
POLAR = ("negative", "positive")
_KIND_DIRS = {"lstm": "sentiment-lstm", "transformer": "sentiment-transformer"}


# ----------------------------------------------------------------- scorers
class Scorer:
    """Base class: subclasses implement :meth:`predict_proba`; everything else builds on it."""

    name = "scorer"
    #: Where the model was loaded from ('' for the lexicon).
    source = ""

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(N, 3)`` over :data:`lyricist.core.config.SENTIMENT_LABELS`."""
        raise NotImplementedError

    def predict(self, texts: Sequence[str], polar: bool = False) -> list[dict]:
        """One ``{"label", "valence", "probs"}`` per text, in one batched pass.

        Args:
            texts: the texts.
            polar: choose the label between negative and positive only (for binary data sets).

        Example:
            >>> load_scorer("lexicon").predict(["what a lovely day"])[0]["label"]
            'positive'
        """
        texts = list(texts)
        if not texts:
            return []
        return [row_of(p, polar) for p in self.predict_proba(texts)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"


def row_of(p: np.ndarray, polar: bool = False) -> dict:
    """The result dict of one probability row ``(3,)``: label (arg-max), valence and probabilities."""
    probs = {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, p)}
    if polar:
        label = "positive" if p[2] >= p[0] else "negative"
    else:
        label = SENTIMENT_LABELS[int(np.argmax(p))]
    return {"label": label, "valence": round(float(p[2] - p[0]), 4), "probs": probs}


class LexiconScorer(Scorer):
    """VADER: valence is the compound score; labels use the +-0.05 thresholds."""

    name = "lexicon"
    source = "VADER"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            p = lexicon_probs(vader_compound(t))
            out[i] = [p[lab] for lab in SENTIMENT_LABELS]
        return out


class LSTMScorer(Scorer):
    """The LSTM checkpoint in ``folder`` (``model.safetensors``, ``vocab.json``, ``config.json``)."""

    name = "lstm"

    def __init__(self, folder: str | os.PathLike):
        from safetensors.torch import load_file

        from lyricist.core.checkpoint import read_config
        from lyricist.tone.lstm import LSTMClassifier, LSTMConfig
        from lyricist.core.loop import dataclass_from_dict

        folder = Path(folder)
        doc = read_config(folder, "sentiment-lstm")
        self.source = str(folder)
        try:
            import json

            self.vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
            params = doc["params"]
            self.cfg = dataclass_from_dict(LSTMConfig, params["model"])
            self.max_len = int(params.get("max_len", 64))
            model = LSTMClassifier(self.cfg)
            state = load_file(str(folder / "model.safetensors"))
            model.load_state_dict(state)
        except LyricistError:
            raise
        except Exception as e:
            raise LyricistError(f"corrupt LSTM checkpoint at {folder} ({e.__class__.__name__}): retrain it with "
                                f"`lyricist train sentiment --arch lstm`") from None
        if len(self.vocab) != self.cfg.vocab_size:
            raise LyricistError(f"{folder}: vocab.json has {len(self.vocab)} words but the model expects "
                                f"{self.cfg.vocab_size}: retrain with `lyricist train sentiment --arch lstm`")
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.model = model.eval()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        from lyricist.tone.train import encode_tokens, lstm_probs
        from lyricist.lang.text import tokens_many

        rows = [encode_tokens(t, self.index, self.max_len) for t in tokens_many(texts)]
        with torch_threads(1):
            return lstm_probs(self.model, rows)


class TransformerScorer(Scorer):
    """Any sequence-classification checkpoint (``save_pretrained`` folder) with sentiment labels.

    Label names are read from ``id2label`` (``negative``/``neutral``/``positive``,
    ``NEGATIVE``/``POSITIVE``, ``LABEL_0``.. in that order); a 2-label model
    gives neutral probability 0.
    """

    name = "transformer"

    def __init__(self, folder: str | os.PathLike, max_len: int = 128, batch_size: int = 16):

        quiet_transformers()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(folder)
        if not (folder / "config.json").is_file():
            from lyricist.core.checkpoint import read_config

            read_config(folder, "sentiment-transformer")  # raises the right one-line error
        self.source = str(folder)
        try:
            self.tok = AutoTokenizer.from_pretrained(str(folder))
            self.model = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
        except Exception as e:
            raise LyricistError(f"corrupt transformer checkpoint at {folder} ({e.__class__.__name__}): retrain it "
                                f"with `lyricist train sentiment --arch transformer`") from None
        self.max_len = min(max_len, getattr(self.tok, "model_max_length", max_len) or max_len)
        self.batch_size = batch_size
        self.columns = _label_columns(self.model.config.id2label)
        from lyricist.core.loop import bf16_supported

        # bf16 autocast where the CPU has it in hardware (AMX / AVX512-BF16): 2.3x faster on 1,000
        # comments, SST-2 dev accuracy within 0.1 point of fp32 (docs/BENCHMARKS.md, sentiment)
        self.bf16 = bf16_supported()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        from lyricist.tone.train import transformer_probs

        ids = self.tok(list(texts), truncation=True, max_length=self.max_len)["input_ids"]
        with torch_threads(1):  # (see _one_thread: faster on a shared CPU)
            p = transformer_probs(self.model, ids, self.tok.pad_token_id or 0, batch_size=self.batch_size,
                                  bf16=self.bf16)
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for j, col in enumerate(self.columns):
            out[:, col] += p[:, j]
        return out


def _label_columns(id2label: dict) -> list[int]:
    """Column of SENTIMENT_LABELS for each output of a classifier, from its ``id2label``."""
    names = [str(id2label[i]).lower() for i in sorted(id2label, key=int)]
    aliases = {"neg": 0, "negative": 0, "label_0": 0, "0": 0, "neu": 1, "neutral": 1, "pos": 2, "positive": 2}
    if len(names) == 2 and all(n.startswith("label_") or n.isdigit() for n in names):
        return [0, 2]
    cols = []
    for n in names:
        if n in aliases:
            cols.append(aliases[n])
        elif len(names) == 3 and n in ("label_1", "1"):
            cols.append(1)
        elif len(names) == 3 and n in ("label_2", "2"):
            cols.append(2)
        else:
            raise LyricistError(f"the model's labels {names} are not sentiment labels: use a sentiment "
                                f"checkpoint (negative/neutral/positive)")
    return cols


class EnsembleScorer(Scorer):
    """Weighted mean of member scorers' probabilities."""

    name = "ensemble"

    def __init__(self, members: Sequence[Scorer], weights: Sequence[float] | None = None):
        if not members:
            raise LyricistError("an ensemble needs at least one model")
        self.members = list(members)
        w = np.array(weights if weights is not None else [1.0] * len(members), dtype=np.float32)
        self.weights = w / w.sum()
        self.source = " + ".join(m.source for m in members)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return sum(w * m.predict_proba(texts) for w, m in zip(self.weights, self.members))


_SCORERS = ModelCache("sentiment", size=6)
_NOTED: set = set()


def _note(msg: str) -> None:
    print(f"note: {msg}", file=sys.stderr)


def load_scorer(kind: str = "auto", model_dir: str | os.PathLike | None = None, reload: bool = False) -> Scorer:
    """A sentiment scorer, loaded once per process and cached by folder and modification time.

    Args:
        kind: ``auto`` (the best trained model available, else the lexicon, with a note on stderr),
            ``lexicon``, ``lstm``, ``transformer`` or ``ensemble``.
        model_dir: a checkpoint folder. With ``lstm``/``transformer`` that model's
            folder; with ``auto`` its kind is read from its config.json; with
            ``ensemble`` a folder holding ``sentiment-lstm/`` and ``sentiment-transformer/``.
        reload: ignore the cache.

    Example:
        >>> load_scorer("lexicon").name
        'lexicon'
    """
    if kind not in SCORER_KINDS:
        raise LyricistError(f"unknown scorer {kind!r}: use one of {', '.join(SCORER_KINDS)}")
    if kind == "lexicon":
        return _SCORERS.get(("lexicon",), [], LexiconScorer, reload)
    if kind in ("lstm", "transformer"):
        folder = checkpoint_dir(_KIND_DIRS[kind], model_dir)
        cls = LSTMScorer if kind == "lstm" else TransformerScorer
        if not folder.exists():
            from lyricist.core.checkpoint import read_config

            read_config(folder, f"sentiment-{kind}")  # one-line "train one" error
        return _SCORERS.get((kind, str(folder.resolve())), [folder], lambda: cls(folder), reload)
    if kind == "ensemble":
        lstm_dir, tr_dir = _ensemble_dirs(model_dir)
        return EnsembleScorer([load_scorer("lstm", lstm_dir, reload), load_scorer("transformer", tr_dir, reload)])
    # auto
    if model_dir:
        return load_scorer(_kind_of(Path(model_dir)), model_dir, reload)
    lstm_dir, tr_dir = checkpoint_dir("sentiment-lstm"), checkpoint_dir("sentiment-transformer")
    has_l, has_t = (lstm_dir / "config.json").is_file(), (tr_dir / "config.json").is_file()
    if has_l and has_t:
        from lyricist.core.checkpoint import read_metrics

        if read_metrics(tr_dir).get("ensemble", {}).get("better"):
            return load_scorer("ensemble", None, reload)
        best = max(("transformer", tr_dir), ("lstm", lstm_dir),
                   key=lambda kd: read_metrics(kd[1]).get("val_macro_f1", -1.0))
        return load_scorer(best[0], best[1], reload)
    if has_t:
        return load_scorer("transformer", tr_dir, reload)
    if has_l:
        return load_scorer("lstm", lstm_dir, reload)
    if "no-model" not in _NOTED:
        _note("no trained sentiment model found: using the VADER lexicon "
              "(train one with `lyricist train sentiment`)")
        _NOTED.add("no-model")
    return load_scorer("lexicon")


def _kind_of(folder: Path) -> str:
    from lyricist.core.checkpoint import read_config

    doc = read_config(folder)
    kind = doc.get("kind")
    if kind == "sentiment-lstm":
        return "lstm"
    if kind == "sentiment-transformer" or "id2label" in doc:
        return "transformer"
    raise LyricistError(f"{folder} holds a {kind or 'non-lyricist'} checkpoint, not a sentiment model: "
                        f"pass a sentiment-lstm or sentiment-transformer folder")


def _ensemble_dirs(model_dir) -> tuple[Path, Path]:
    if model_dir:
        root = Path(model_dir)
        return root / "sentiment-lstm", root / "sentiment-transformer"
    return checkpoint_dir("sentiment-lstm"), checkpoint_dir("sentiment-transformer")


# ----------------------------------------------------------------- emotions
def emotions(text: str) -> dict[str, float]:
    """NRC emotions of ``text``: the 8 Plutchik emotions plus positive and negative, normalised to sum to 1.

    Example:
        >>> e = emotions("my love is a fire")
        >>> e["joy"] > 0, e["fear"] > 0
        (True, True)
    """
    from lyricist.lang.lexicon import emotions as _emotions

    return _emotions(text)


# ----------------------------------------------------------------- tone report
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
    from lyricist.lang.corpus import parse_song
    from lyricist.lang.lexicon import arousal
    from lyricist.lang.text import tokens_many

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
    from lyricist.lang.lexicon import english_share

    letters = [c for t in texts for c in t if c.isalpha()]
    if len(letters) >= 8:
        # Latin script (with accents) ends at U+024F; anything above is another script.
        other = sum(1 for c in letters if ord(c) > 0x24F) / len(letters)
        if other > 0.3:
            return (f"this does not look like English ({other:.0%} of the letters are not Latin script): "
                    f"the scorers are English-only, so the scores are unreliable")
    if toks is None:
        from lyricist.lang.text import tokens_many

        toks = [t for ts in tokens_many(texts) for t in ts]
    share = english_share(toks)
    if len(toks) >= 8 and share < 0.3:
        return (f"this does not look like English (only {share:.0%} of the words are known English words): "
                f"the scorers are English-only, so the scores are unreliable")
    return None


def _song_mood(song, valence: float, arousal: float, mood_model) -> dict:
    """Mood from the trained mood model if there is one, else the valence/arousal quadrant."""
    folder = checkpoint_dir("mood", mood_model)
    if (folder / "config.json").is_file():
        from lyricist.tone.mood import predict_mood

        m = predict_mood(song, model_dir=folder)
        return {"mood": m["mood"], "mood_confidence": m["confidence"], "mood_source": "model",
                "mood_probs": m["probs"]}
    from lyricist.tone.mood import quadrant_mood

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


# ----------------------------------------------------------------- bulk classification
def _count_rows(path: Path) -> int:
    """Rough number of records in a file (newline count), for the progress bar."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    n = 0
    try:
        with opener(path, "rb") as f:
            while block := f.read(1 << 20):
                n += block.count(b"\n")
    except OSError:
        return 0
    return max(1, n)


def classify_file(path: str | os.PathLike, text_col: str | None = None, model: str | os.PathLike | None = None,
                  out: str | os.PathLike | None = None, progress: Optional[ProgressFn] = None,
                  batch_size: int = 256, *, scorer: str = "auto", max_rows: int = 1000) -> dict:
    """Classify every text of a comments file in batches, streaming; optionally write a predictions CSV.

    Args:
        path: a CSV/TSV/JSONL/TXT file (``.gz`` too) with one comment per row.
        text_col: the column holding the text (default: detected).
        model: a sentiment checkpoint folder (default: ``scorer`` from ./checkpoints).
        out: write ``text,label,valence,p_negative,p_neutral,p_positive`` here (atomically).
        progress: ``(fraction, message)`` callback.
        batch_size: texts per model call.
        scorer: scorer kind when ``model`` is not given.
        max_rows: rows returned in the result (the CSV gets all of them).
    Returns:
        ``{"n", "counts": {label: n}, "shares", "mean_valence", "rows": [{"text","label","valence"}...],
        "rows_truncated", "out", "model", "seconds", "ms_per_item", "warnings"}``: ``warnings`` says when
        the texts do not look like English or a few rows had non-UTF-8 bytes (a file that is mostly
        not UTF-8 is an error).

    Example:
        >>> classify_file("comments.csv", out="preds.csv")["counts"]  # doctest: +SKIP
        {'negative': 120, 'neutral': 200, 'positive': 520}
    """
    from lyricist.lang.corpus import ReadReport, read_texts

    path = Path(path)
    if not path.exists():
        raise LyricistError(f"no such file: {path} (check the path)")
    if path.is_dir():
        raise LyricistError(f"{path} is a folder: pass one comments file")
    sc = load_scorer("auto" if model else scorer, model)
    rep = ReadReport()
    sample: list[str] = []  # the first texts, for the language check
    total = _count_rows(path)
    counts = {lab: 0 for lab in SENTIMENT_LABELS}
    rows, n, bad, vsum, t0 = [], 0, 0, 0.0, time.perf_counter()
    writer = tmp = fh = None
    if out:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        fh = open(tmp, "w", newline="", encoding="utf-8")
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "valence", "p_negative", "p_neutral", "p_positive"])
    try:
        batch: list[str] = []

        def flush():
            nonlocal n, vsum
            for text, r in zip(batch, sc.predict(batch)):
                n += 1
                vsum += r["valence"]
                counts[r["label"]] += 1
                if len(rows) < max_rows:
                    rows.append({"text": text, "label": r["label"], "valence": r["valence"]})
                if writer:
                    p = r["probs"]
                    writer.writerow([text, r["label"], r["valence"], p["negative"], p["neutral"], p["positive"]])
            batch.clear()
            # A file in another encoding (Latin-1, UTF-16...) shows undecodable bytes on many rows:
            # stop rather than classify mojibake. A stray bad byte in a big file is only a warning.
            # (the reader replaces undecodable bytes by U+FFFD and counts them only at the end of the file)
            if bad and bad >= max(1, n // 100):
                raise LyricistError(f"{path.name} is not UTF-8 text ({bad:,} of the first {n:,} rows had "
                                    f"invalid bytes): save it as UTF-8 and try again")
            report(progress, n / total if total else 0.0, f"{n:,} texts")

        # dedup=False: one prediction per input row, duplicates included
        for rec in read_texts([path], text_col=text_col, kind="sentiment", dedup=False, report=rep):
            if len(sample) < 500:
                sample.append(rec.text)
            bad += "\ufffd" in rec.text
            batch.append(rec.text)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    except BaseException:
        if fh:
            fh.close()
            tmp.unlink(missing_ok=True)
        raise
    if fh:
        fh.close()
        os.replace(tmp, out)
    if n == 0:
        raise LyricistError(f"no texts found in {path}: check the file and --text-col")
    secs = time.perf_counter() - t0
    report(progress, 1.0, f"{n:,} texts")
    warnings = [w for w in [language_warning(sample)] if w] + list(rep.warnings)
    return {"n": n, "counts": counts, "shares": {k: round(v / n, 4) for k, v in counts.items()},
            "mean_valence": round(vsum / n, 4), "rows": rows, "rows_truncated": n > len(rows),
            "out": str(out) if out else None, "model": f"{sc.name} ({sc.source})", "seconds": round(secs, 3),
            "ms_per_item": round(1000 * secs / n, 3), "warnings": warnings}


# ----------------------------------------------------------------- evaluation
def evaluate_sentiment(data: str | os.PathLike, text_col: str | None = None, label_col: str | None = None,
                       model: str | os.PathLike | None = None, scorer: str = "auto", *, split: str = "all",
                       label_map: dict | None = None, progress: Optional[ProgressFn] = None) -> dict:
    """Accuracy, macro-F1, per-class scores and confusion of a scorer on a labeled file.

    When the gold labels are only ``negative``/``positive`` (SST-2, for
    instance) the prediction is the arg-max of p(negative), p(positive): a
    3-class model is scored on the two polar classes.

    Args:
        data: labeled CSV/TSV/JSONL (numeric labels are normalised, see ``corpus.normalize_label``).
        text_col, label_col, label_map: how to read it.
        model: a sentiment checkpoint folder; else ``scorer`` from ./checkpoints.
        scorer: ``auto``, ``lexicon``, ``lstm``, ``transformer`` or ``ensemble``.
        split: ``all``, or only the rows of the deterministic ``train``/``val``/``test`` split.
    Returns:
        ``{"n","accuracy","macro_f1","per_class","confusion","labels","ms_per_item","polar","model","data","split"}``

    Example:
        >>> evaluate_sentiment("sst2/dev.tsv", scorer="lexicon")["polar"]  # doctest: +SKIP
        True
    """
    from lyricist.lang.corpus import read_texts
    from lyricist.core.metrics import classification_report

    if split not in ("all", "train", "val", "test"):
        raise LyricistError(f"unknown split {split!r}: use all, train, val or test")
    path = Path(data)
    if not path.exists():
        raise LyricistError(f"no such file: {path} (check --data)")
    texts, gold = [], []
    for rec in read_texts([path], text_col=text_col, label_col=label_col, label_map=label_map, kind="sentiment",
                          dedup=False):  # score every row of a benchmark file
        if rec.label in SENTIMENT_LABELS and (split == "all" or rec.split == split):
            texts.append(rec.text)
            gold.append(rec.label)
    if not texts:
        raise LyricistError(f"no labeled texts in {path}" + (f" (split {split})" if split != "all" else "") +
                            ": each row needs a text and a sentiment label (see --text-col/--label-col)")
    sc = load_scorer("auto" if model else scorer, model)
    polar = set(gold) <= set(POLAR)
    report(progress, 0.05, f"scoring {len(texts):,} texts")
    t0 = time.perf_counter()
    preds = []
    for s in range(0, len(texts), 512):
        preds += [r["label"] for r in sc.predict(texts[s:s + 512], polar=polar)]
        report(progress, 0.05 + 0.95 * len(preds) / len(texts), f"{len(preds):,}/{len(texts):,}")
    ms = 1000 * (time.perf_counter() - t0) / len(texts)
    res = classification_report(gold, preds, list(POLAR) if polar else list(SENTIMENT_LABELS), ms_per_item=ms)
    res.update(polar=polar, model=f"{sc.name} ({sc.source})", data=str(path), split=split)
    return res


# ----------------------------------------------------------------- training (thin re-exports)
def train_lstm(*args, **kwargs) -> dict:
    """Train the LSTM classifier: see :func:`lyricist.tone.train.train_lstm`."""
    from lyricist.tone.train import train_lstm as _train

    return _train(*args, **kwargs)


def train_transformer(*args, **kwargs) -> dict:
    """Fine-tune the transformer classifier: see :func:`lyricist.tone.train.train_transformer`."""
    from lyricist.tone.train import train_transformer as _train

    return _train(*args, **kwargs)


def train_sentiment(*args, **kwargs) -> dict:
    """Train the LSTM, the transformer or both: see :func:`lyricist.tone.train.train_sentiment`."""
    from lyricist.tone.train import train_sentiment as _train

    return _train(*args, **kwargs)
