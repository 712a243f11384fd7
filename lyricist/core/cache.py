"""One cache for loaded models: keyed by what was asked for, stale as soon as the folder changes.

Every loader (word space, scorers, mood model, generator) keeps its models here, so a model
loads once per process, a retrained or atomically swapped checkpoint is picked up on the next
call, and two app sessions asking at once share one load.

Example:
    >>> import tempfile
    >>> cache = ModelCache("demo", size=2)
    >>> d = tempfile.mkdtemp()
    >>> a = cache.get(("demo", d), [d], lambda: object())
    >>> cache.get(("demo", d), [d], lambda: object()) is a
    True
    >>> cache.get(("demo", d), [d], lambda: object(), reload=True) is a
    False
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Hashable, Iterable, TypeVar

T = TypeVar("T")

#: every cache made in this process, for :func:`loaded`
CACHES: list["ModelCache"] = []


def user_cache_dir() -> Path | None:
    """The folder for rebuildable files (``$LYRICIST_CACHE_DIR``, else ``$XDG_CACHE_HOME/lyricist``, else
    ``~/.cache/lyricist``); None when ``$LYRICIST_CACHE_DIR`` is ``off``, ``none`` or ``0``.

    Example:
        >>> import os; os.environ["LYRICIST_CACHE_DIR"] = "off"; user_cache_dir() is None
        True
        >>> del os.environ["LYRICIST_CACHE_DIR"]
    """
    base = os.environ.get("LYRICIST_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "lyricist")
    if base.lower() in ("off", "none", "0"):
        return None
    return Path(base)


def cached_file(name: str, dists: tuple[str, ...], sources: tuple[Path, ...], *extra) -> Path | None:
    """``name-KEY.pickle`` in :func:`user_cache_dir` (None: no cache), KEY naming everything the file is built
    from: the installed versions of ``dists``, the bytes of ``sources`` (the code that builds it) and ``extra``,
    so an upgrade or an edit builds a new one.

    Example:
        >>> import os; os.environ["LYRICIST_CACHE_DIR"] = "/tmp/lyricist-demo-cache"
        >>> a, b = cached_file("demo", ("no-such-dist",), (), 1), cached_file("demo", ("no-such-dist",), (), 2)
        >>> a.name[:5], a == b
        ('demo-', False)
        >>> del os.environ["LYRICIST_CACHE_DIR"]
    """
    import hashlib
    from importlib import metadata

    base = user_cache_dir()
    if base is None:
        return None
    parts = [str(x) for x in extra]
    for dist in dists:
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=-")
    parts += [hashlib.sha1(Path(src).read_bytes()).hexdigest() for src in sources]
    return base / f"{name}-{hashlib.sha1('|'.join(parts).encode()).hexdigest()[:16]}.pickle"


def read_cached(path: Path | None):
    """The object pickled at ``path`` by :func:`write_cached`, or None when it is missing or damaged.

    Only for files this package wrote into the user's own cache folder.
    """
    import pickle

    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: the caller rebuilds
        return None


def write_cached(path: Path | None, obj, stale: str = "") -> None:
    """Pickle ``obj`` to ``path`` atomically (a temporary file, then a rename) and remove the older builds
    beside it that match the glob ``stale``; an unwritable folder only means the next run rebuilds.

    Example:
        >>> import tempfile; d = Path(tempfile.mkdtemp())
        >>> write_cached(d / "x-2.pickle", {"a": 1}, stale="x-*.pickle"); read_cached(d / "x-2.pickle")
        {'a': 1}
    """
    import pickle

    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob(stale) if stale else ():
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)


def newest_mtime(folder: str | os.PathLike | None) -> float:
    """Newest modification time of ``folder`` and its direct entries (0.0 when missing).

    Atomic swaps and retraining change it, so it tells when a cached model is stale.

    Example:
        >>> newest_mtime("/no/such/folder")
        0.0
    """
    if not folder:
        return 0.0
    p = Path(folder)
    try:
        return max([p.stat().st_mtime] + [c.stat().st_mtime for c in p.iterdir()])
    except OSError:
        return 0.0


class ModelCache:
    """Loaded objects by key, each valid while its folders keep their modification times.

    Args:
        name: what it holds, as :func:`loaded` lists it.
        size: entries kept; the least recently used goes first.
    """

    def __init__(self, name: str, size: int = 4):
        self.name = name
        self.size = size
        self._items: OrderedDict[Hashable, tuple[tuple, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}
        CACHES.append(self)

    def get(self, key: Hashable, folders: Iterable[str | os.PathLike | None], build: Callable[[], T],
            reload: bool = False) -> T:
        """The cached value of ``key``, built with ``build()`` when missing, stale or ``reload``.

        Concurrent callers of one key wait for a single build instead of loading twice.
        """
        folders = list(folders)
        stamp = tuple(newest_mtime(f) for f in folders)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == stamp and not reload:
                self._items.move_to_end(key)
                return hit[1]  # type: ignore[return-value]
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:
            with self._lock:  # another caller may have built it while this one waited
                hit = self._items.get(key)
                if hit is not None and hit[0] == stamp and not reload:
                    return hit[1]  # type: ignore[return-value]
            value = build()
            with self._lock:
                self._items[key] = (stamp, value)
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def keys(self) -> list:
        """The keys held now, oldest use first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def loaded() -> list[str]:
    """What this process holds in memory now: ``"name: key part, key part"`` per cached model.

    Example:
        >>> c = ModelCache("example", size=1)
        >>> _ = c.get(("example", "folder"), [], lambda: 1)
        >>> [x for x in loaded() if x.startswith("example")]
        ['example: folder']
    """
    return [f"{c.name}: " + ", ".join(str(k) for k in (key[1:] if isinstance(key, tuple) else (key,)) if k)
            for c in CACHES for key in c.keys()]
