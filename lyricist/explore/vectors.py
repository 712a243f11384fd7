"""The word-vector store: how a checkpoint folder holds vectors, their words and the sound index.

A checkpoint (``checkpoints/embeddings/`` for the corpus, ``checkpoints/general-vectors/``
for the general space) holds ``vectors.kv`` (gensim ``KeyedVectors.load`` reads it; each
word's corpus ``count`` is kept; the vectors themselves in ``vectors.kv.vectors.npy``),
``vectors.keys.json`` (the words and counts: lyricist reads these and the ``.npy``, never
the pickle), ``sounds.npz`` (the sound index of :func:`lyricist.explore.words.word_sounds`:
rhyme parts, syllables, lemma and dictionary flag of every word, plus keys and counts, so
the explorer opens a checkpoint without importing gensim and filters without loading CMU
or spaCy), ``config.json`` (corpus fingerprint, parameters, vocabulary size, training
time) and ``metrics.json``. This module never imports torch.

Example:
    >>> has_vectors("/no/such/folder")
    False
    >>> kv, sounds = open_checkpoint("checkpoints/embeddings")  # doctest: +SKIP
    >>> sounds["rhymes"][kv.index_to_key.index("fire")]         # doctest: +SKIP
    'AY ER|AY R'
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from lyricist.core.config import checkpoint_dir
from lyricist.core.checkpoint import atomic_write_bytes, atomic_write_json, read_config
from lyricist.core.errors import LyricistError
from lyricist.explore.words import word_sounds

KIND = "embeddings"
GENERAL_KIND = "general-vectors"
VECTORS_FILE = "vectors.kv"
#: Words in row order and their counts: with the ``.npy`` of vectors, all lyricist reads (no pickle).
KEYS_FILE = "vectors.keys.json"
SOUNDS_FILE = "sounds.npz"
SOUNDS_VERSION = 3

__all__ = ["KIND", "GENERAL_KIND", "SOUNDS_FILE", "has_vectors", "save_vectors", "load_vectors", "vector_counts",
           "save_sounds", "load_sounds", "open_checkpoint"]


# ----------------------------------------------------------------- vectors and their words
def has_vectors(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds vectors in the form :func:`load_vectors` reads."""
    folder = Path(folder)
    return (folder / KEYS_FILE).is_file() and (folder / f"{VECTORS_FILE}.vectors.npy").is_file()


def save_vectors(kv, folder: str | os.PathLike) -> None:
    """Write ``KeyedVectors`` into a checkpoint folder, in two forms.

    ``vectors.kv`` (+ ``vectors.kv.vectors.npy``) is gensim's own format, so
    ``KeyedVectors.load`` opens the checkpoint; it is a pickle, so lyricist never reads it.
    lyricist reads the ``.npy`` (``allow_pickle=False``) and ``vectors.keys.json``.

    Example:
        >>> save_vectors(model.wv, "/tmp/m")        # doctest: +SKIP
        >>> load_vectors("/tmp/m").most_similar("love", topn=1)  # doctest: +SKIP
    """
    folder = Path(folder)
    kv.save(str(folder / VECTORS_FILE), sep_limit=0)  # vectors in their own .npy: the explorer maps it
    counts = kv.expandos.get("count") if hasattr(kv, "expandos") else None
    atomic_write_json(folder / KEYS_FILE, {"keys": list(kv.index_to_key),
                                           "counts": None if counts is None else [int(c) for c in counts]})


def load_vectors(folder: str | os.PathLike, kind: str = KIND, mmap: bool = False):
    """The ``KeyedVectors`` of a checkpoint folder, checked against its ``config.json``.

    With ``mmap``, a separately stored vector array (``vectors.kv.vectors.npy``, as gensim
    writes big ones) is memory-mapped read-only instead of read.

    Raises:
        LyricistError: missing folder, missing/corrupt ``config.json`` or vectors, wrong kind,
            or vectors that do not match the config.
    """
    from gensim.models import KeyedVectors

    folder = Path(folder)
    conf = read_config(folder, kind)
    what = "embeddings" if kind == KIND else "general vectors"
    fix = ("retrain with `lyricist train embeddings`" if kind == KIND
           else f"delete {folder} (it is rebuilt when needed)")
    keys_path, npy = folder / KEYS_FILE, folder / f"{VECTORS_FILE}.vectors.npy"
    if not npy.is_file():
        raise LyricistError(f"{folder} has no {npy.name}: {fix}")
    if not keys_path.is_file():  # older checkpoints hold the words only in the pickle, which we never load
        raise LyricistError(f"{folder} has no {KEYS_FILE} (written by an older lyricist): {fix}")
    try:
        doc = json.loads(keys_path.read_text(encoding="utf-8"))
        keys, counts = list(doc["keys"]), doc.get("counts")
        vecs = np.load(npy, mmap_mode="r" if mmap else None, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - JSON, numpy and OS errors all mean "unusable file"
        raise LyricistError(f"cannot load the {what} in {folder} ({e.__class__.__name__}): they are corrupt; "
                            f"{fix}") from None
    want = conf.get("vocab_size")
    if vecs.ndim != 2 or vecs.shape[0] != len(keys) or (want is not None and want != len(keys)) or \
            (counts is not None and len(counts) != len(keys)):
        raise LyricistError(f"the vectors in {folder} do not match its {KEYS_FILE} or config.json "
                            f"({len(keys)} words, {vecs.shape[0] if vecs.ndim else 0} rows, config says {want}): "
                            f"{fix}")
    kv = KeyedVectors(int(vecs.shape[1]), count=0, dtype=vecs.dtype)
    kv.index_to_key = keys
    kv.key_to_index = {k: i for i, k in enumerate(keys)}
    kv.vectors = vecs
    if counts is not None:
        kv.expandos["count"] = np.asarray(counts, dtype=np.int64)
    return kv


def vector_counts(kv) -> np.ndarray | None:
    """``(N,)`` float32 counts of the words of ``kv`` (gensim's or :func:`open_checkpoint`'s), None if not stored."""
    if isinstance(kv, _PlainVectors):
        return kv.counts
    try:
        return np.array([kv.get_vecattr(w, "count") for w in kv.index_to_key], dtype=np.float32)
    except (KeyError, AttributeError, ValueError):
        return None


# ----------------------------------------------------------------- the sound index
def _keys_digest(keys: Sequence[str]) -> str:
    h = hashlib.sha1()
    h.update("\n".join(keys).encode("utf-8"))
    return h.hexdigest()[:16]


def _kv_size(folder: Path) -> int:
    try:
        return (folder / VECTORS_FILE).stat().st_size
    except OSError:
        return -1


def save_sounds(folder: str | os.PathLike, kv, sounds: dict[str, np.ndarray] | None = None) -> Path:
    """Write ``sounds.npz`` for the ``KeyedVectors`` ``kv`` saved in ``folder``, atomically.

    It holds the sound index (:func:`word_sounds`) and, so that the explorer can
    open the checkpoint without importing gensim (seconds), the keys and counts
    of ``kv`` and the size of ``vectors.kv`` it was made for.
    """
    keys = list(kv.index_to_key)
    sounds = sounds if sounds is not None else word_sounds(keys)
    counts = vector_counts(kv)
    # string columns are stored as newline-joined UTF-8 (a fixed-width numpy string array
    # would be 20x bigger) and load without pickle
    text = {k: np.frombuffer("\n".join(map(str, col)).encode("utf-8"), dtype=np.uint8)
            for k, col in (("keys", keys), ("rhymes", sounds["rhymes"]), ("lemma", sounds["lemma"]))}
    buf = io.BytesIO()
    np.savez(buf, version=np.array(SOUNDS_VERSION), digest=np.array(_keys_digest(keys)),
             kv_size=np.array(_kv_size(Path(folder))), count=counts if counts is not None else np.ones(len(keys)),
             syllables=sounds["syllables"], dictionary=sounds["dictionary"], **text)
    return atomic_write_bytes(Path(folder) / SOUNDS_FILE, buf.getvalue())


def _read_index(folder: Path) -> dict | None:
    """``sounds.npz`` as arrays (keys, count, syllables, rhymes, lemma, dictionary, kv_size), or None if unusable."""
    path = folder / SOUNDS_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["version"]) != SOUNDS_VERSION:
                return None
            out = {k: z[k] for k in ("count", "syllables", "dictionary")}
            for k in ("keys", "rhymes", "lemma"):
                out[k] = np.array(z[k].tobytes().decode("utf-8").split("\n"), dtype=object)
            out["digest"], out["kv_size"] = str(z["digest"]), int(z["kv_size"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError, EOFError, zipfile.BadZipFile):
        return None  # corrupt (a truncated .npz is a bad zip), or old: rebuilt by the caller
    n = len(out["keys"])
    return out if all(len(out[k]) == n for k in ("count", "syllables", "dictionary", "rhymes", "lemma")) else None


_SOUND_COLUMNS = ("syllables", "rhymes", "lemma", "dictionary")


def load_sounds(folder: str | os.PathLike | None, kv) -> dict[str, np.ndarray]:
    """The saved sound index of ``folder`` if it matches ``kv``, else computed now and saved (best effort).

    Folders written before the index existed get it on first use, so the
    next process loads it in milliseconds.
    """
    keys = list(kv.index_to_key)
    if folder is not None:
        idx = _read_index(Path(folder))
        if idx is not None and idx["digest"] == _keys_digest(keys):
            return {k: idx[k] for k in _SOUND_COLUMNS}
    sounds = word_sounds(keys)
    if folder is not None:
        try:
            save_sounds(folder, kv, sounds)
        except OSError:
            pass  # a read-only checkpoint still works, only slower to open
    return sounds


# ----------------------------------------------------------------- opening a checkpoint
class _PlainVectors:
    """The part of ``KeyedVectors`` the explorer reads, opened from ``sounds.npz`` + the ``.npy`` gensim wrote."""

    def __init__(self, keys: list[str], vectors: np.ndarray, counts: np.ndarray):
        self.index_to_key, self.vectors, self.counts = keys, vectors, counts
        self.vector_size = int(vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)


def _open_fast(folder: Path, conf: dict) -> tuple[_PlainVectors, dict] | None:
    """Vectors and sound index without gensim, when the folder has both files and they agree; else None."""
    npy = folder / f"{VECTORS_FILE}.vectors.npy"
    if not npy.is_file():
        return None
    idx = _read_index(folder)
    if idx is None or idx["kv_size"] != _kv_size(folder) or len(idx["keys"]) != conf.get("vocab_size", -1):
        return None
    try:
        vecs = np.load(npy, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vecs.ndim != 2 or vecs.shape[0] != len(idx["keys"]):
        return None
    kv = _PlainVectors(list(idx["keys"]), vecs, idx["count"].astype(np.float32))
    return kv, {k: idx[k] for k in _SOUND_COLUMNS}


def open_checkpoint(folder: str | os.PathLike, kind: str = KIND):
    """``(vectors, sound index)`` of a checkpoint folder: fast without gensim when possible.

    Raises:
        LyricistError: as :func:`load_vectors`.
    """
    folder = Path(folder)
    conf = read_config(folder, kind)
    fast = _open_fast(folder, conf)
    if fast is not None:
        return fast
    kv = load_vectors(folder, kind, mmap=True)
    return kv, load_sounds(folder, kv)


def load_general_vectors(folder: str | os.PathLike | None = None):
    """The general-English ``KeyedVectors`` in ``folder`` (default ``checkpoints/general-vectors``)."""
    return load_vectors(checkpoint_dir(GENERAL_KIND, folder), GENERAL_KIND)
