"""The explorer's library calls, over the default (or given) models, loaded once and cached.

:func:`load_space` opens the corpus embeddings and the general vectors as a
:class:`~lyricist.explore.space.WordSpace` (building the general vectors first if they
are missing: minutes, once) and caches it by folder and modification time. The other
calls are what ``lyricist similar``, ``analogy``, ``explore ...`` and ``eval embeddings``
print with ``--json``: plain dicts (or a plotly figure, or file paths).

Example:
    >>> similar_words("heart", rhymes_with="fire", topn=3)["neighbours"][0]["word"]  # doctest: +SKIP
    'inspire'
    >>> odd_one_out(["rain", "storm", "thunder", "guitar"])["odd"]                    # doctest: +SKIP
    'guitar'
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Optional, Sequence

from lyricist.core.cache import ModelCache
from lyricist.core.checkpoint import atomic_write_text, read_config
from lyricist.core.config import checkpoint_dir
from lyricist.core.errors import LyricistError
from lyricist.core.progress import ProgressFn, report, scaled
from lyricist.explore.blend import SPACES
from lyricist.explore.eval import analogy_accuracy, wordsim
from lyricist.explore.train_general import ensure_general_vectors
from lyricist.explore.space import WordSpace
from lyricist.explore.vectors import GENERAL_KIND, KIND, has_vectors, open_checkpoint
from lyricist.explore.words import normalize_word

__all__ = ["load_space", "similar_words", "analogy_words", "odd_one_out", "between_words", "axis_words",
           "map_figure", "word_map", "export_projector", "export_space", "general_ready", "evaluate_embeddings"]

_SPACES = ModelCache("word space", size=4)


def load_space(model_dir: str | os.PathLike | None = None, general_dir: str | os.PathLike | None = None, *,
               build_general: bool = True, require_corpus: bool = False,
               progress: Optional[ProgressFn] = None) -> WordSpace:
    """The explorer over the default (or given) models, loaded once and cached by folder and mtime.

    Args:
        model_dir: corpus embeddings folder (default ``checkpoints/embeddings``; if that
            is missing the explorer works on the general space alone).
        general_dir: general vectors folder (default ``checkpoints/general-vectors``).
        build_general: build the general vectors if they are missing (minutes, once).
        require_corpus: raise if there is no corpus model.
        progress: callback while building the general vectors.

    Example:
        >>> ws = load_space("checkpoints/embeddings")   # doctest: +SKIP
        >>> ws.has_corpus, ws.has_general               # doctest: +SKIP
        (True, True)
    """
    cdir = checkpoint_dir(KIND, model_dir)
    gdir = checkpoint_dir(GENERAL_KIND, general_dir)
    if model_dir is not None or require_corpus:
        read_config(cdir, KIND)  # a clear error for a folder given but missing or wrong
    use_c = (cdir / "config.json").is_file()
    given_g = general_dir is not None and gdir.exists()
    if given_g:  # a folder the user named must hold general vectors: never build over it (that replaces it)
        read_config(gdir, GENERAL_KIND)
    if not has_vectors(gdir) and build_general and not given_g:
        if use_c:
            open_checkpoint(cdir, KIND)  # a broken corpus model fails now, not after minutes of building
        ensure_general_vectors(gdir, progress=progress)
    use_g = (gdir / "config.json").is_file()
    if not use_c and not use_g:
        raise LyricistError(f"no word vectors at {cdir} or {gdir}: run `lyricist train embeddings`")
    def build() -> WordSpace:
        # the sound index (rhymes, syllables, lemmas) is saved beside the vectors: loading it
        # takes milliseconds where computing it takes seconds
        ckv, csnd = open_checkpoint(cdir, KIND) if use_c else (None, None)
        gkv, gsnd = open_checkpoint(gdir, GENERAL_KIND) if use_g else (None, None)
        return WordSpace(ckv, gkv, corpus_dir=str(cdir) if use_c else None,
                         general_dir=str(gdir) if use_g else None, corpus_sounds=csnd, general_sounds=gsnd)

    key = ("space", str(cdir.resolve()) if use_c else "", str(gdir.resolve()) if use_g else "")
    ws = _SPACES.get(key, [cdir if use_c else None, gdir if use_g else None], build)
    return ws

# ----------------------------------------------------------------- library calls behind the CLI
def similar_words(word: str, *, topn: int = 10, rhymes_with: str | None = None, near: bool = False,
                  syllables: int | None = None, space: str = "blend", model_dir=None, general_dir=None,
                  exclude_inflections: bool = True, families: bool = True, register: bool = True,
                  progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist similar`` as a JSON-able dict.

    Args:
        families: drop the query's own derivations (``rain`` -> rainy, rainstorm: listed under
            ``"query_family"``) and show neighbours that derive from each other once, the best
            of them with the others under its ``"family"`` (:mod:`lyricist.explore.families`).
        register: rank technical and rare words down unless your corpus uses them (``"register"``
            says which were).

    Returns:
        ``{"word", "space", "filters": {...}, "neighbours": [{"word", "score", "syllables",
        "in_corpus", "corpus_count", "family", "register"}...], "query_family", "models":
        {"corpus", "general"}, "ms"}``.

    Example:
        >>> similar_words("heart", rhymes_with="fire")["neighbours"][1]["word"]  # doctest: +SKIP
        'desire'
        >>> similar_words("dance")["neighbours"][0]                                # doctest: +SKIP
        {'word': 'ballet', 'score': 0.63, ..., 'family': ['ballets', 'ballerina'], 'register': ''}
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    space_used = _space_for(ws, space)
    t0 = time.perf_counter()
    heads, own = ws.neighbours(word, topn=topn, families=families, register=register, rhymes_with=rhymes_with,
                               near=near, syllables=syllables, space=space_used,
                               exclude_inflections=exclude_inflections)
    ms = (time.perf_counter() - t0) * 1000
    neighbours = []
    for h in heads:
        d = ws.describe(h.word)
        neighbours.append({"word": d["word"], "score": h.score, "syllables": d["syllables"],
                           "in_corpus": d["in_corpus"], "corpus_count": d["corpus_count"],
                           "family": list(h.family), "register": h.register})
    filters = {"rhymes_with": rhymes_with, "near": near, "syllables": syllables,
               "exclude_inflections": exclude_inflections, "families": families, "register": register}
    return {"word": normalize_word(word), "space": space_used, "filters": filters, "neighbours": neighbours,
            "query_family": own, "models": {"corpus": ws.corpus_dir, "general": ws.general_dir},
            "ms": round(ms, 3)}


def analogy_words(a: str, b: str, c: str, *, topn: int = 10, space: str = "blend", model_dir=None,
                  general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist analogy`` as a JSON-able dict: ``{"a", "b", "c", "space", "answers": [{"word", "score"}]}``.

    Example:
        >>> analogy_words("man", "king", "woman")["answers"][0]["word"]  # doctest: +SKIP
        'queen'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    space_used = _space_for(ws, space)
    res = ws.analogy(a, b, c, topn=topn, space=space_used)
    return {"a": normalize_word(a), "b": normalize_word(b), "c": normalize_word(c), "space": space_used,
            "method": "3CosMul", "answers": [{"word": w, "score": s} for w, s in res],
            "models": {"corpus": ws.corpus_dir, "general": ws.general_dir}}


def _space_for(ws: WordSpace, space: str) -> str:
    """``blend`` without a corpus model is the general space; say so in the result."""
    return "general" if space == "blend" and not ws.has_corpus else space


def general_ready(general_dir=None) -> bool:
    """Whether the general vectors exist (if not, the next explorer call builds them: minutes, once)."""
    return has_vectors(checkpoint_dir(GENERAL_KIND, general_dir))


def odd_one_out(words: Sequence[str], *, space: str = "blend", model_dir=None, general_dir=None,
                progress: Optional[ProgressFn] = None) -> dict:
    """The word that fits least: ``{"odd", "space", "words": [{"word", "score"}]}`` (score: mean similarity).

    Example:
        >>> odd_one_out(["rain", "storm", "thunder", "guitar"])["odd"]  # doctest: +SKIP
        'guitar'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    odd, scores = ws.odd_one_out(words, space=sp)
    return {"odd": odd, "space": sp, "words": [{"word": w, "score": s} for w, s in scores]}


def between_words(a: str, b: str, *, topn: int = 10, space: str = "blend", model_dir=None, general_dir=None,
                  progress: Optional[ProgressFn] = None) -> dict:
    """Words close to both: ``{"a", "b", "space", "words": [{"word", "score"}]}`` (score: the smaller similarity).

    Example:
        >>> between_words("love", "war")["words"][0]["word"]  # doctest: +SKIP
        'battle'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    res = ws.between(a, b, topn=topn, space=sp)
    return {"a": normalize_word(a), "b": normalize_word(b), "space": sp,
            "words": [{"word": w, "score": s} for w, s in res]}


def axis_words(words: Sequence[str] | None = None, *, negative: str = "sad", positive: str = "happy",
               topn: int = 10, space: str = "blend", model_dir=None, general_dir=None,
               progress: Optional[ProgressFn] = None) -> dict:
    """Words on a semantic axis: ``{"negative", "positive", "space", "words": [{"word", "score"}]}``.

    Unknown words among ``words`` are skipped and listed under ``"unknown"``.

    Example:
        >>> axis_words(["funeral", "party"])["words"][0]["word"]  # doctest: +SKIP
        'party'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    res = ws.axis(words, negative=negative, positive=positive, topn=topn, space=sp, skip_unknown=True)
    known = {w for w, _ in res}
    unknown = [w for w in (words or ()) if _safe_norm(w) not in known]
    return {"negative": normalize_word(negative), "positive": normalize_word(positive), "space": sp,
            "words": [{"word": w, "score": s} for w, s in res], "unknown": unknown}


def _safe_norm(w: str) -> str:
    try:
        return normalize_word(w)
    except LyricistError:
        return ""


def map_figure(words: Sequence[str] | None = None, query: str | None = None, *, topn: int = 15,
               method: str = "pca", space: str = "blend", model_dir=None, general_dir=None,
               progress: Optional[ProgressFn] = None, **similar_kw):
    """:meth:`WordSpace.map_figure` on the default (or given) models: a plotly ``Figure``.

    Example:
        >>> map_figure(query="rain").data[0].name  # doctest: +SKIP
        'query'
    """
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    return ws.map_figure(words, query=query, topn=topn, method=method, space=_space_for(ws, space), **similar_kw)


def word_map(words: Sequence[str] | None = None, query: str | None = None, *, topn: int = 15,
             method: str = "pca", space: str = "blend", out: str | os.PathLike = "word_map.html",
             model_dir=None, general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """Write :func:`map_figure` as a standalone HTML file: ``{"out", "points", "method", "space"}``."""
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    sp = _space_for(ws, space)
    fig = ws.map_figure(words, query=query, topn=topn, method=method, space=sp)
    path = atomic_write_text(out, fig.to_html(include_plotlyjs="cdn", full_html=True))
    return {"out": str(path), "points": sum(len(t.x) for t in fig.data), "method": method, "space": sp}


def export_projector(folder: str | os.PathLike, space: str = "blend", *, words: Sequence[str] | None = None,
                     limit: int = 10000, model_dir=None, general_dir=None,
                     progress: Optional[ProgressFn] = None) -> tuple[Path, Path]:
    """:meth:`WordSpace.export_projector` on the default (or given) models: ``(vectors.tsv, metadata.tsv)``."""
    ws = load_space(model_dir, general_dir, progress=progress, require_corpus=space == "corpus")
    return ws.export_projector(folder, space=_space_for(ws, space), words=words, limit=limit)


def export_space(folder: str | os.PathLike, *, space: str = "blend", limit: int = 10000, model_dir=None,
                 general_dir=None, progress: Optional[ProgressFn] = None) -> dict:
    """:func:`export_projector` as a dict: ``{"vectors", "metadata", "words", "dim"}``."""
    v, m = export_projector(folder, space, limit=limit, model_dir=model_dir, general_dir=general_dir,
                            progress=progress)
    with open(v, encoding="utf-8") as f:
        dim = len(f.readline().split("\t"))
    with open(m, encoding="utf-8") as f:
        n = sum(1 for _ in f) - 1
    return {"vectors": str(v), "metadata": str(m), "words": n, "dim": dim}


# ----------------------------------------------------------------- evaluation
def evaluate_embeddings(model_dir=None, general_dir=None, restrict_vocab: int = 30000,
                        spaces: Sequence[str] = SPACES, progress: Optional[ProgressFn] = None) -> dict:
    """``lyricist eval embeddings``: WordSim-353 (+ OOV share), SimLex-999 and Google analogies per space.

    Returns:
        ``{"models": {"corpus", "general"}, "restrict_vocab", "spaces": [...],
        "wordsim353": {space: {...}}, "simlex999": {space: {...}}, "analogy": {space: {...}}, "seconds"}``.

    Example:
        >>> r = evaluate_embeddings()                     # doctest: +SKIP
        >>> r["wordsim353"]["blend"]["spearman"] >= 0.5   # doctest: +SKIP
        True
    """
    t0 = time.perf_counter()
    ws = load_space(model_dir, general_dir, progress=scaled(progress, 0.0, 0.5), require_corpus=True)
    spaces = [s for s in spaces if s in SPACES and (s != "general" or ws.has_general)
              and (s != "blend" or ws.has_general)]
    out = {"models": {"corpus": ws.corpus_dir, "general": ws.general_dir}, "restrict_vocab": restrict_vocab,
           "spaces": spaces, "wordsim353": {}, "simlex999": {}, "analogy": {}}
    for k, sp in enumerate(spaces):
        report(progress, 0.5 + 0.5 * k / len(spaces), f"evaluating the {sp} space")
        out["wordsim353"][sp] = wordsim(ws, sp)
        out["simlex999"][sp] = wordsim(ws, sp, "simlex999.txt")
        out["analogy"][sp] = analogy_accuracy(ws, sp, restrict_vocab)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    report(progress, 1.0, "done")
    return out
