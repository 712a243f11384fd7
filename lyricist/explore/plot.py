"""The 2-D word map: projection to the plane, label placement, and the plotly figure.

:meth:`lyricist.explore.space.WordSpace.map_figure` picks the words and their vectors;
this module places them (:func:`project_2d`: PCA or t-SNE), keeps their labels out of
each other's way (:func:`label_positions`) and draws them (:func:`draw_map`). plotly and
scikit-learn are imported only when a map is drawn.

Example:
    >>> xy = project_2d(np.eye(4), "pca", seed=0); xy.shape
    (4, 2)
    >>> fig = draw_map(xy, ["a", "b", "c", "d"], {"a": "query", "b": "neighbour", "c": "word", "d": "word"},
    ...                {"b": 0.5}, {"a": 3}, "a map")  # doctest: +SKIP
    >>> [t.name for t in fig.data]                      # doctest: +SKIP
    ['query', 'neighbours', 'words']
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lyricist.core.errors import LyricistError

MAP_METHODS = ("pca", "tsne")

__all__ = ["MAP_METHODS", "label_positions", "project_2d", "draw_map"]

#: Where a map label may sit around its point, and the offset of its box centre in (label height) units.
_LABEL_SLOTS = {"top center": (0.0, 1.0), "bottom center": (0.0, -1.0), "middle right": (1.0, 0.0),
                "middle left": (-1.0, 0.0), "top right": (0.8, 0.8), "bottom left": (-0.8, -0.8),
                "top left": (-0.8, 0.8), "bottom right": (0.8, -0.8)}


def label_positions(xy: np.ndarray, names: Sequence[str], width: float = 420.0, height: float = 320.0,
                    font_px: float = 12.0) -> list[str]:
    """A plotly ``textposition`` for each point, chosen greedily so labels overlap as little as possible.

    Labels are boxes of about ``0.6 * font_px`` pixels per character by ``font_px`` on a plot of
    ``width`` x ``height`` pixels; each label, in order, takes the slot (above, below, right, left,
    then the corners) whose box overlaps least with the labels and points already placed.

    Example:
        >>> label_positions(np.array([[0.0, 0.0], [0.0, 0.001], [5.0, 5.0]]), ["rain", "rainy", "sun"])
        ['bottom center', 'top center', 'top center']
    """
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        return []
    span = np.maximum(xy.max(0) - xy.min(0), 1e-9)
    px = (xy - xy.min(0)) / span * np.array([width, height])  # (n, 2) in pixels
    boxes = [(x - 4, y - 4, x + 4, y + 4) for x, y in px]  # x0, y0, x1, y1: every point, then placed labels
    air = 4.0  # keep a little space between labels, not just no overlap

    def box(x: float, y: float, w: float, h: float, slot: str, pad: float = 0.0) -> tuple:
        dx, dy = _LABEL_SLOTS[slot]
        cx, cy = x + dx * (w / 2 + 5), y + dy * (h / 2 + 5)
        return cx - w / 2 - pad, cy - h / 2 - pad, cx + w / 2 + pad, cy + h / 2 + pad

    def overlap(a: tuple) -> float:
        return sum(max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
                   for b in boxes)

    out = []
    for (x, y), name in zip(px, names):
        w, h = 0.6 * font_px * max(1, len(name)), font_px
        best = min(_LABEL_SLOTS, key=lambda slot: overlap(box(x, y, w, h, slot, air)))  # ties: first slot
        boxes.append(box(x, y, w, h, best))
        out.append(best)
    return out


def project_2d(X: np.ndarray, method: str, seed: int) -> np.ndarray:
    """``(n, d) -> (n, 2)`` by PCA or t-SNE (perplexity scaled to the number of points)."""
    if method == "tsne":
        if len(X) < 5:
            raise LyricistError("a t-SNE map needs at least 5 words: use pca or add words")
        from sklearn.manifold import TSNE

        perplexity = float(max(2.0, min(30.0, (len(X) - 1) / 3.0)))
        # exact gradients for the few dozen words of a usual map: no OpenMP Barnes-Hut threads, which
        # spin for a minute on a busy CPU even for 10 points
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, metric="cosine",
                    method="exact" if len(X) <= 120 else "barnes_hut").fit_transform(X.astype(np.float64))
    from sklearn.decomposition import PCA

    return PCA(n_components=2, random_state=seed).fit_transform(X.astype(np.float64))


def draw_map(xy: np.ndarray, names: Sequence[str], groups: dict[str, str], scores: dict[str, float],
             corpus_counts: dict[str, int], title: str):
    """A plotly ``Figure`` of the words ``names`` at ``xy`` ``(n, 2)``: one trace per group, labels placed apart.

    Args:
        groups: each word's group, ``query``, ``neighbour`` or ``word`` (its colour, size and legend).
        scores: the similarity shown on hover, for the words that have one.
        corpus_counts: the corpus count shown on hover, for the words in the corpus.
    """
    import plotly.graph_objects as go

    where = label_positions(xy, names)
    fig = go.Figure()
    style = {"query": ("#d62728", 16, "query"), "neighbour": ("#1f77b4", 10, "neighbours"),
             "word": ("#7f7f7f", 9, "words")}
    for g, (colour, size, label) in style.items():
        idx = [i for i, w in enumerate(names) if groups[w] == g]
        if not idx:
            continue
        hover = [f"{names[i]}" + (f"<br>similarity {scores[names[i]]:.3f}" if names[i] in scores else "")
                 + (f"<br>corpus count {corpus_counts[names[i]]}" if names[i] in corpus_counts else "")
                 for i in idx]
        fig.add_trace(go.Scatter(x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", name=label,
                                 text=[names[i] for i in idx], textposition=[where[i] for i in idx],
                                 hovertext=hover, hoverinfo="text",
                                 marker={"size": size, "color": colour}))
    fig.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False}, template="plotly_white",
                      legend={"orientation": "h"})
    return fig
