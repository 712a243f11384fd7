"""Song mood (happy / angry / sad / relaxed): features, the classifier, its checkpoint, prediction.

A song's mood is one of Russell's quadrants: happy (positive, high energy),
angry (negative, high), sad (negative, low), relaxed (positive, low). The
model is a multinomial logistic regression over two feature blocks:

- ``lexicon``: VADER valence statistics over the lines, the NRC emotion
  profile (rate per word of the ten categories), arousal-word rates and a few
  style cues (exclamations, repetition, line length, pronouns);
- ``embedding``: the bundled MiniLM sentence encoder (frozen), mean-pooled
  over chunks of ``chunk_lines`` lines, then averaged over the song's chunks.

``features="both"`` concatenates them. Which set to use was picked by
5-fold cross-validation on the NJU-MusicMood train split (``bench/mood.py``).
Without a trained model, :func:`quadrant_mood` maps the valence and arousal
signs to a quadrant (the lexicon baseline). Training and cross-validation
live in :mod:`lyricist.tone.train_mood`, evaluation in :mod:`lyricist.tone.eval`.

The checkpoint holds no pickle: the coefficients, intercepts and the
standardisation statistics are safetensors arrays, and ``config.json``
names the features and labels, so loading rebuilds the classifier exactly.

Example:
    >>> quadrant_mood(0.6, 0.4)["mood"], quadrant_mood(-0.5, -0.3)["mood"]
    ('happy', 'sad')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from lyricist.core.cache import ModelCache
from lyricist.core.checkpoint import read_config, write_config
from lyricist.core.config import MOOD_LABELS, bundled_corpus, checkpoint_dir, preset_check
from lyricist.core.errors import LyricistError
from lyricist.core.hf import encodable, load_encoder, mean_pool, minilm_path
from lyricist.core.loop import dataclass_from_dict
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.lang.corpus import fingerprint, parse_song, read_songs
from lyricist.lang.lexicon import NRC_KEYS, arousal, arousal_counts, emotion_counts, vader_compound
from lyricist.lang.text import tokens_many

FEATURE_SETS = ("lexicon", "embedding", "both")


@dataclass
class MoodConfig:
    """How the song-mood classifier is built and trained."""

    features: str = "both"
    """Feature blocks: ``lexicon``, ``embedding`` or ``both``."""
    C: float = 0.5
    """Inverse L2 regularisation strength of the logistic regression."""
    chunk_lines: int = 4
    """Lines per chunk fed to the sentence encoder."""
    max_chunks: int = 32
    """At most this many chunks per song are encoded (evenly spread over the song)."""
    encoder: str = ""
    """Sentence encoder folder or hub id ('' = the bundled MiniLM)."""
    max_iter: int = 3000
    """Solver iterations."""
    seed: int = 0
    """Seed of the cross-validation folds."""

    def __post_init__(self):
        if self.features not in FEATURE_SETS:
            raise LyricistError(f"features must be one of {', '.join(FEATURE_SETS)}, got {self.features!r}")
        if self.C <= 0:
            raise LyricistError(f"C must be positive, got {self.C}")
        if self.chunk_lines < 1 or self.max_chunks < 1:
            raise LyricistError("chunk_lines and max_chunks must be positive")


#: Presets: ``tiny`` (lexicon features only, no encoder: tests), ``default`` and ``full``.
MOOD_PRESETS = {
    "tiny": MoodConfig(features="lexicon", C=1.0),
    # C chosen by 5-fold CV on the bundled songs (200, 2026-12-03): 0.1 -> 0.810, 0.5 -> 0.789, 2.0 -> 0.789
    "default": MoodConfig(C=0.1),
    "full": MoodConfig(),
}


def mood_config(preset: str = "default", **overrides) -> MoodConfig:
    """The mood preset ``preset`` with some fields overridden (``None`` values ignored)."""
    preset_check(preset)
    return replace(MOOD_PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


# ----------------------------------------------------------------- features
LEXICON_FEATURES = (
    ["val_mean", "val_std", "val_min", "val_max", "val_pos_share", "val_neg_share", "val_song"]
    + [f"nrc_{k}" for k in ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust",
                             "positive", "negative")]
    + ["arousal", "arousal_high_rate", "arousal_low_rate", "exclaim_rate", "question_rate", "words_per_line",
       "type_token_ratio", "repeated_line_share", "first_person_rate", "second_person_rate"]
)
_FIRST = {"i", "me", "my", "mine", "myself", "i'm", "i've", "i'll", "i'd"}
_SECOND = {"you", "your", "yours", "yourself", "you're", "you've", "you'll", "you'd", "ya", "y'all"}


def song_lines(song) -> list[str]:
    """Non-empty lyric lines of a ``corpus.Song``, a list of lines, or a text."""
    if isinstance(song, str):
        song = parse_song(song)
    if hasattr(song, "lines"):
        return [ln.text for ln in song.lines if ln.text.strip()]
    return [str(x) for x in song if str(x).strip()]


def lexicon_features(lines: Sequence[str]) -> np.ndarray:
    """The :data:`LEXICON_FEATURES` vector of one song's lines (float32).

    Example:
        >>> v = lexicon_features(["I love you so", "Dance all night!"])
        >>> v.shape == (len(LEXICON_FEATURES),), float(v[0]) > 0
        (True, True)
    """
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        return np.zeros(len(LEXICON_FEATURES), dtype=np.float32)
    vals = np.array([vader_compound(ln) for ln in lines], dtype=np.float64)
    toks = list(tokens_many(lines))
    flat = [t for ts in toks for t in ts]
    n = max(1, len(flat))
    counts = emotion_counts(flat)
    high, low, _ = arousal_counts(flat)
    lowered = [ln.strip().lower() for ln in lines]
    feats = [vals.mean(), vals.std(), vals.min(), vals.max(), float((vals >= 0.05).mean()),
             float((vals <= -0.05).mean()), vader_compound(" ".join(lines[:200]))]
    feats += [counts[k] / n for k in NRC_KEYS]
    feats += [float(np.tanh(4.0 * (high - low) / n)), high / n, low / n,
              sum(ln.count("!") for ln in lines) / len(lines), sum(ln.count("?") for ln in lines) / len(lines),
              len(flat) / len(lines), len(set(flat)) / n, 1.0 - len(set(lowered)) / len(lowered),
              sum(t in _FIRST for t in flat) / n, sum(t in _SECOND for t in flat) / n]
    return np.asarray(feats, dtype=np.float32)


def chunks_of(lines: Sequence[str], chunk_lines: int, max_chunks: int) -> list[str]:
    """Groups of ``chunk_lines`` lines joined by `` / ``, at most ``max_chunks`` spread evenly.

    Example:
        >>> chunks_of(["a", "b", "c", "d", "e"], 2, 10)
        ['a / b', 'c / d', 'e']
    """
    groups = [" / ".join(lines[i:i + chunk_lines]) for i in range(0, len(lines), chunk_lines)]
    if len(groups) > max_chunks:
        pick = np.linspace(0, len(groups) - 1, max_chunks).round().astype(int)
        groups = [groups[i] for i in pick]
    return groups


def embedding_features(songs_lines: Sequence[Sequence[str]], cfg: MoodConfig, batch_size: int = 32,
                       progress: Optional[ProgressFn] = None) -> np.ndarray:
    """``(N, d)`` song embeddings: mean-pooled chunk embeddings (MiniLM), averaged per song, L2-normalised."""
    import torch

    tok, model = load_encoder(minilm_path(cfg.encoder or None))
    per_song = [chunks_of(list(ls), cfg.chunk_lines, cfg.max_chunks) or [""] for ls in songs_lines]
    flat = [(s, c) for s, cs in enumerate(per_song) for c in cs]
    order = sorted(range(len(flat)), key=lambda i: len(flat[i][1]))
    dim = model.config.hidden_size
    sums = np.zeros((len(per_song), dim), dtype=np.float64)
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            enc = tok([encodable(flat[i][1]) for i in idx], truncation=True, max_length=128, padding=True, return_tensors="pt")
            h = model(**enc).last_hidden_state  # (B, T, d)
            e = mean_pool(h, enc["attention_mask"])  # (B, d): mean over real tokens
            e = torch.nn.functional.normalize(e, dim=-1)
            for i, row in zip(idx, e.numpy()):
                sums[flat[i][0]] += row
            report(progress, (b + len(idx)) / len(order), f"encoding chunks {b + len(idx)}/{len(order)}")
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-9)).astype(np.float32)


def song_features(songs_lines: Sequence[Sequence[str]], cfg: MoodConfig,
                  progress: Optional[ProgressFn] = None) -> tuple[np.ndarray, list[str]]:
    """Feature matrix ``(N, F)`` and feature names of ``cfg.features`` for many songs."""
    blocks, names = [], []
    if cfg.features in ("lexicon", "both"):
        blocks.append(np.stack([lexicon_features(ls) for ls in songs_lines]))
        names += LEXICON_FEATURES
        report(progress, 0.2, "lexicon features")
    if cfg.features in ("embedding", "both"):
        emb = embedding_features(songs_lines, cfg, progress=scaled(progress, 0.2, 1.0))
        blocks.append(emb)
        names += [f"emb_{i}" for i in range(emb.shape[1])]
    return np.concatenate(blocks, axis=1), names


# ----------------------------------------------------------------- the classifier (numpy at inference)
@dataclass
class MoodModel:
    """A fitted logistic regression over standardised features, as plain arrays."""

    coef: np.ndarray
    """``(n_labels, F)`` weights."""
    intercept: np.ndarray
    """``(n_labels,)`` biases."""
    mean: np.ndarray
    """``(F,)`` feature means used for standardisation."""
    scale: np.ndarray
    """``(F,)`` feature standard deviations (1 where constant)."""
    labels: list
    """Label of each row of ``coef``."""
    cfg: MoodConfig
    """Config the features were built with."""
    feature_names: list
    """Name of each feature column."""

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities ``(N, n_labels)`` for features ``(N, F)``."""
        z = ((X - self.mean) / self.scale) @ self.coef.T + self.intercept  # (N, L)
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)



def quadrant_mood(valence: float, arousal: float, arousal_threshold: float = 0.0) -> dict:
    """The lexicon baseline: the Russell quadrant of (valence, arousal).

    Confidence grows with the distance from the axes (0.25 at the origin).

    Example:
        >>> quadrant_mood(0.2, -0.5)
        {'mood': 'relaxed', 'confidence': 0.425}
    """
    a = arousal - arousal_threshold
    if valence >= 0:
        mood = "happy" if a >= 0 else "relaxed"
    else:
        mood = "angry" if a >= 0 else "sad"
    conf = 0.25 + 0.5 * min(1.0, (abs(valence) + abs(a)) / 2)
    return {"mood": mood, "confidence": round(conf, 4)}


def quadrant_predict(songs_lines: Sequence[Sequence[str]], arousal_threshold: float = 0.0) -> list[str]:
    """:func:`quadrant_mood` of many songs from VADER valence and the arousal score."""
    out = []
    for ls in songs_lines:
        v = float(np.mean([vader_compound(x) for x in ls])) if ls else 0.0
        a = arousal([t for ts in tokens_many(ls) for t in ts])
        out.append(quadrant_mood(v, a, arousal_threshold)["mood"])
    return out


# ----------------------------------------------------------------- data
def normalise_mood(value) -> str | None:
    """A mood label in :data:`lyricist.core.config.MOOD_LABELS`, or ``None``.

    Example:
        >>> normalise_mood(" Relaxed "), normalise_mood("calm"), normalise_mood("jazz")
        ('relaxed', 'relaxed', None)
    """
    if value is None:
        return None
    v = str(value).strip().lower()
    aliases = {"calm": "relaxed", "peaceful": "relaxed", "chill": "relaxed", "joyful": "happy",
               "upbeat": "happy", "angry": "angry", "aggressive": "angry", "anger": "angry", "sadness": "sad",
               "melancholy": "sad", "happiness": "happy", "q1": "happy", "q2": "angry", "q3": "sad",
               "q4": "relaxed"}
    v = aliases.get(v, v)
    return v if v in MOOD_LABELS else None


def load_mood_songs(paths: Sequence[str | os.PathLike] | None = None, *, text_col: str | None = None,
                    label_col: str | None = None, dedup: bool = True
                    ) -> tuple[list[list[str]], list[str], str, list[str]]:
    """Lines and moods of every labeled song; also the data fingerprint and sources.

    Default paths: the bundled ``corpora/songs``. ``dedup=False`` keeps duplicate songs
    (evaluation scores every row of a file).
    """
    paths = [Path(p) for p in (paths or [bundled_corpus() / "songs"])]
    lines, moods = [], []
    for song in read_songs(paths, text_col=text_col, label_col=label_col, dedup=dedup):
        mood = normalise_mood(song.mood)
        ls = [ln.text for ln in song.lines if ln.text.strip()]
        if mood and ls:
            lines.append(ls)
            moods.append(mood)
    if not moods:
        raise LyricistError("no songs with a mood label in " + ", ".join(map(str, paths)) +
                            f": each song needs a mood ({', '.join(MOOD_LABELS)}); see --label-col")
    if len(set(moods)) < 2:
        raise LyricistError(f"all labeled songs have the same mood ({moods[0]}): a classifier needs at least two")
    return lines, moods, fingerprint(paths), [str(p) for p in paths]




# ----------------------------------------------------------------- checkpoint, prediction
def save_mood(model: MoodModel, folder: str | os.PathLike, fingerprint: str = "", **extra) -> None:
    """Write ``weights.safetensors`` (coef, intercept, mean, scale) and ``config.json`` into ``folder``."""
    from safetensors.numpy import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({"coef": np.ascontiguousarray(model.coef), "intercept": model.intercept, "mean": model.mean,
               "scale": model.scale}, str(folder / "weights.safetensors"))
    write_config(folder, "mood", model.cfg, fingerprint=fingerprint, labels=model.labels,
                 feature_names=model.feature_names, encoder=model.cfg.encoder or "bundled MiniLM", **extra)


_MOODS = ModelCache("mood", size=2)


def load_mood(model_dir: str | os.PathLike | None = None) -> MoodModel:
    """Load a mood checkpoint (cached by folder and modification time); raise LyricistError if unusable."""
    folder = checkpoint_dir("mood", model_dir)
    doc = read_config(folder, "mood")
    weights = folder / "weights.safetensors"
    return _MOODS.get(("mood", str(folder.resolve())), [folder], lambda: _read_mood(folder, doc, weights))


def _read_mood(folder: Path, doc: dict, weights: Path) -> MoodModel:
    """Rebuild a :class:`MoodModel` from its arrays and config, checking that their shapes agree."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        arr = load_file(str(weights))
        cfg = dataclass_from_dict(MoodConfig, doc["params"])
        model = MoodModel(coef=arr["coef"], intercept=arr["intercept"], mean=arr["mean"], scale=arr["scale"],
                          labels=list(doc["labels"]), cfg=cfg, feature_names=list(doc["feature_names"]))
    except (OSError, KeyError, TypeError, ValueError, SafetensorError) as e:
        raise LyricistError(f"corrupt mood checkpoint at {folder} ({e.__class__.__name__}): retrain it with "
                            f"`lyricist train mood`") from None
    n_f = model.coef.shape[1] if model.coef.ndim == 2 else -1
    if not (model.coef.shape[0] == len(model.labels) == model.intercept.shape[0]
            and n_f == model.mean.shape[0] == model.scale.shape[0] == len(model.feature_names)):
        raise LyricistError(f"mood checkpoint at {folder} has mismatched arrays: retrain it with "
                            f"`lyricist train mood`")
    return model


def predict_mood(song, model_dir: str | os.PathLike | None = None) -> dict:
    """The mood of one song: ``{"mood", "confidence", "probs": {mood: p}}``.

    Args:
        song: a ``corpus.Song``, lyrics text, or a list of lines.
        model_dir: a mood checkpoint folder (default ``checkpoints/mood``).

    Example:
        >>> predict_mood("We dance all night, the party never ends")["mood"]  # doctest: +SKIP
        'happy'
    """
    model = load_mood(model_dir)
    lines = song_lines(song)
    if not lines:
        raise LyricistError("the song has no lyric lines: add some lyrics")
    X, _ = song_features([lines], model.cfg)
    p = model.proba(X)[0]
    probs = {lab: round(float(v), 4) for lab, v in zip(model.labels, p)}
    best = max(probs, key=probs.get)
    return {"mood": best, "confidence": probs[best], "probs": probs}

