"""How good a word space is: WordSim-353 / SimLex-999 correlations and Google analogy accuracy.

The benchmark files are gensim's test data (``wordsim353.tsv``, ``simlex999.txt``,
``questions-words.txt``). :func:`wordsim` and :func:`analogy_accuracy` score any
:class:`~lyricist.explore.space.WordSpace` in any of its spaces; :func:`evaluate_keyed_vectors`
scores one plain ``KeyedVectors`` (what training writes into ``metrics.json``).
``lyricist eval embeddings`` is :func:`lyricist.explore.api.evaluate_embeddings`.

Example:
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2); kv.add_vectors(["love", "sex", "tiger"], np.array([[1, 0], [1, .2], [0, 1]], "f4"))
    >>> r = wordsim(WordSpace(None, kv), "general"); r["pairs"], r["total"]  # love/sex and tiger/tiger
    (2, 353)
    >>> evaluate_keyed_vectors(model.wv)["wordsim353"]["spearman"]  # doctest: +SKIP
    0.31
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lyricist.core.errors import LyricistError
from lyricist.explore.blend import cos_mul
from lyricist.explore.space import WordSpace

__all__ = ["wordsim", "analogy_accuracy", "evaluate_keyed_vectors"]


def _gensim_data(name: str) -> Path:
    from gensim.test.utils import datapath

    p = Path(datapath(name))
    if not p.is_file():
        raise LyricistError(f"gensim's test file {name} is missing: reinstall gensim")
    return p


def _read_pairs(path: Path) -> list[tuple[str, str, float]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, s = line.split("\t")[:3]
        out.append((a.lower(), b.lower(), float(s)))
    return out


def wordsim(ws: WordSpace, space: str = "blend", dataset: str = "wordsim353.tsv") -> dict:
    """Spearman (and Pearson) correlation with human similarity judgements, on the pairs the space knows.

    Args:
        dataset: a tab-separated ``word1 word2 score`` file from gensim's test data
            (``wordsim353.tsv``; ``simlex999.txt`` serves as a development set).
    Returns:
        ``{"spearman", "pearson", "pairs", "total", "oov_share"}``; ``oov_share`` is the share of
        pairs skipped because a word is unknown (gensim's convention, ``dummy4unknown=False``).

    Example:
        >>> wordsim(load_space(), "general")["spearman"] > 0.55  # doctest: +SKIP
        True
    """
    from scipy.stats import pearsonr, spearmanr

    pairs = _read_pairs(_gensim_data(dataset))
    valid = ws.valid(space)
    ia, ib, gold = [], [], []
    for a, b, s in pairs:
        i, j = ws.index.get(a), ws.index.get(b)
        if i is not None and j is not None and valid[i] and valid[j]:
            ia.append(i), ib.append(j), gold.append(s)
    pred = np.array([ws.sim_matrix(np.array([i]), np.array([j]), space)[0, 0] for i, j in zip(ia, ib)])
    keep = ~np.isnan(pred) if len(pred) else np.zeros(0, dtype=bool)
    n = int(keep.sum())
    res = {"pairs": n, "total": len(pairs), "oov_share": round(1 - n / max(1, len(pairs)), 4),
           "spearman": None, "pearson": None}
    if n >= 3:
        g, p = np.array(gold)[keep], pred[keep]
        res["spearman"] = round(float(spearmanr(g, p).statistic), 4)
        res["pearson"] = round(float(pearsonr(g, p).statistic), 4)
    return res


def _read_questions(path: Path) -> list[tuple[str, str, str, str, str]]:
    out, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()[:4]
            out.append((section, a, b, c, d))
    return out


def analogy_accuracy(ws: WordSpace, space: str = "blend", restrict_vocab: int = 30000,
                     dataset: str = "questions-words.txt", batch: int = 256) -> dict:
    """Google analogy accuracy (``a b c d``: ``a`` is to ``b`` as ``c`` is to ``d``), gensim-style.

    As ``KeyedVectors.evaluate_word_analogies``: only the first ``restrict_vocab`` words of
    the space (most frequent first) are candidates, a question with a word outside them is
    skipped (counted in ``oov_share``), and the three question words cannot be the answer.
    Scored with 3CosMul (what :meth:`WordSpace.analogy` uses) and 3CosAdd (gensim's
    ``most_similar``), batched over questions.

    Returns:
        ``{"accuracy" (3CosMul), "accuracy_3cosadd", "semantic", "syntactic", "questions",
        "total", "oov_share", "restrict_vocab"}``.
    """
    space = ws.check_space(space)
    if space == "corpus":
        vocab = ws.corpus_order[:restrict_vocab]
    elif space == "general":
        vocab = np.arange(min(ws.n_general, restrict_vocab))
    else:
        vocab = np.arange(min(len(ws.keys), restrict_vocab))
        vocab = vocab[ws.valid(space)[vocab]]
    pos = {int(r): k for k, r in enumerate(vocab)}
    qs = _read_questions(_gensim_data(dataset))
    kept = []
    for sec, *ws4 in qs:
        rows = [ws.index.get(w) for w in ws4]
        if all(r is not None and r in pos for r in rows):
            kept.append((sec, [pos[r] for r in rows]))
    res = {"questions": len(kept), "total": len(qs), "oov_share": round(1 - len(kept) / max(1, len(qs)), 4),
           "restrict_vocab": restrict_vocab, "accuracy": None, "accuracy_3cosadd": None,
           "semantic": None, "syntactic": None}
    if not kept:
        return res
    uniq = sorted({p for _, q in kept for p in q[:3]})
    col = {p: k for k, p in enumerate(uniq)}
    S = ws.sim_matrix(vocab, vocab[uniq], space)  # (V, U) similarities of every candidate to each question word
    S = np.nan_to_num(S, nan=-2.0)  # undefined pairs can never win
    correct_mul, correct_add, sem = np.zeros(len(kept), bool), np.zeros(len(kept), bool), np.zeros(len(kept), bool)
    for s in range(0, len(kept), batch):
        chunk = kept[s:s + batch]
        qa = np.array([col[q[0]] for _, q in chunk])
        qb = np.array([col[q[1]] for _, q in chunk])
        qc = np.array([col[q[2]] for _, q in chunk])
        sa, sb, sc = S[:, qa], S[:, qb], S[:, qc]  # (V, B)
        bad = (sa < -1.5) | (sb < -1.5) | (sc < -1.5)
        mul = np.where(bad, -np.inf, cos_mul(sa, sb, sc))
        add = np.where(bad, -np.inf, sb - sa + sc)
        cols = np.arange(len(chunk))
        for k in range(3):
            excl = np.array([q[k] for _, q in chunk])
            mul[excl, cols] = -np.inf
            add[excl, cols] = -np.inf
        gold = np.array([q[3] for _, q in chunk])
        correct_mul[s:s + len(chunk)] = mul.argmax(axis=0) == gold
        correct_add[s:s + len(chunk)] = add.argmax(axis=0) == gold
        sem[s:s + len(chunk)] = [not sec.startswith("gram") for sec, _ in chunk]
    res["accuracy"] = round(float(correct_mul.mean()), 4)
    res["accuracy_3cosadd"] = round(float(correct_add.mean()), 4)
    res["semantic"] = round(float(correct_mul[sem].mean()), 4) if sem.any() else None
    res["syntactic"] = round(float(correct_mul[~sem].mean()), 4) if (~sem).any() else None
    return res


def evaluate_keyed_vectors(kv, restrict_vocab: int = 30000) -> dict:
    """WordSim-353, SimLex-999 (development set) and Google analogies of one plain ``KeyedVectors``.

    Example:
        >>> evaluate_keyed_vectors(kv)["wordsim353"]["spearman"]  # doctest: +SKIP
        0.75
    """
    ws = WordSpace(None, kv)
    return {"wordsim353": wordsim(ws, "general"), "simlex999": wordsim(ws, "general", "simlex999.txt"),
            "analogy": analogy_accuracy(ws, "general", restrict_vocab)}
