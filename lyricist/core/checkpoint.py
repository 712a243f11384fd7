"""Checkpoint folders: atomic writes and self-describing ``config.json``.

A checkpoint folder holds ``config.json`` (lyricist version, kind, format
version, training-data fingerprint, hyper-parameters), ``metrics.json``, the
weights (safetensors or ``save_pretrained``) and a vocabulary or tokenizer.

Writes never leave a half-written file: each file is written to a temporary
name in the same folder and then renamed over the target, and a whole folder
is built beside the target and swapped in with :func:`atomic_dir`.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_config(d, "mood", {"C": 1.0}, fingerprint="abc")["kind"]
    'mood'
    >>> read_config(d, "mood")["params"]
    {'C': 1.0}
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from lyricist.core.config import VERSION
from lyricist.core.errors import LyricistError
from lyricist.core.kinds import train_command

FORMAT_VERSION = 1


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write JSON (indented, UTF-8) atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=_jsonable) + "\n")


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Build a folder in a temporary sibling, then swap it in for ``target``.

    If the body raises, ``target`` is untouched and the temp folder is removed.

    Example:
        >>> import tempfile, pathlib
        >>> t = pathlib.Path(tempfile.mkdtemp()) / "model"
        >>> with atomic_dir(t) as tmp:
        ...     _ = (tmp / "a.txt").write_text("x")
        >>> (t / "a.txt").read_text()
        'x'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: str | os.PathLike) -> bool:
    """Finish or undo an :func:`atomic_dir` swap that a killed process left half done.

    A kill between the two renames leaves ``target`` absent and its previous, complete version
    aside as ``.NAME.old-PID``: that is put back. Leftover temp folders and old versions beside a
    present ``target`` are removed. Returns True if ``target`` was restored.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> (d / ".model.old-1").mkdir()
        >>> recover_dir(d / "model"), (d / "model").is_dir()
        (True, True)
    """
    target = Path(target)
    if not target.parent.is_dir():
        return False
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    restored = False
    if olds and not target.exists():
        os.replace(olds.pop(), target)
        restored = True
    for p in olds + list(target.parent.glob(f".{target.name}.*.tmp")):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    if target.is_dir():  # a file write (atomic_write_bytes) killed before its rename
        for p in target.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                p.unlink()
    return restored


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_config(folder: str | os.PathLike, kind: str, params: Any, fingerprint: str = "",
                 **extra: Any) -> dict:
    """Write ``config.json`` for a checkpoint of ``kind``.

    Args:
        folder: the checkpoint folder (created if needed).
        kind: e.g. ``"embeddings"``, ``"sentiment-lstm"``.
        params: the typed config (a dataclass) or a dict of hyper-parameters.
        fingerprint: the training data's fingerprint (see ``corpus.fingerprint``).
        **extra: anything else worth keeping (vocab size, training time...).
    Returns:
        The dict written.
    """
    if dataclasses.is_dataclass(params):
        params = dataclasses.asdict(params)
    doc = {"lyricist_version": VERSION, "format_version": FORMAT_VERSION, "kind": kind,
           "fingerprint": fingerprint, "params": params, **extra}
    atomic_write_json(Path(folder) / "config.json", doc)
    return doc


def read_config(folder: str | os.PathLike, kind: str | None = None) -> dict:
    """Read and check ``config.json``; raise :class:`LyricistError` if it is unusable.

    Args:
        folder: the checkpoint folder.
        kind: if given, the kind the folder must hold.
    """
    folder = Path(folder)
    what = kind or "model"
    if not folder.exists():
        raise LyricistError(f"no {what} checkpoint at {folder}: train one with "
                            f"`lyricist train {train_command(kind)}` or pass --model DIR")
    path = folder / "config.json"
    if not path.is_file():
        raise LyricistError(f"{folder} is not a lyricist {what} checkpoint (no config.json): pass the right "
                            f"--model folder, or retrain it with `lyricist train {train_command(kind)}`")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LyricistError(f"corrupt {path} ({e.__class__.__name__}): retrain with "
                            f"`lyricist train {train_command(kind)}`") from None
    if not isinstance(doc, dict):
        raise LyricistError(f"corrupt {path}: expected a JSON object; retrain it with "
                            f"`lyricist train {train_command(kind)}`")
    if kind and doc.get("kind") != kind:
        held = f"a {doc['kind']} checkpoint" if doc.get("kind") else "no lyricist checkpoint (config.json has no kind)"
        raise LyricistError(f"{folder} holds {held}, not {kind}: pass the right --model folder")
    if doc.get("format_version", 0) > FORMAT_VERSION:
        raise LyricistError(f"{folder} was written by a newer lyricist "
                            f"({doc.get('lyricist_version')}): upgrade lyricist")
    return doc


def read_metrics(folder: str | os.PathLike) -> dict:
    """``metrics.json`` of a checkpoint, or ``{}`` if it has none or it is unreadable."""
    try:
        return json.loads((Path(folder) / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def file_sha1(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-1 of a file's bytes, streamed."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
