"""Progress reporting that works the same in the CLI, the app and tests.

Library functions that take long accept ``progress: ProgressFn | None``, a
callable ``(fraction, message)`` with ``fraction`` in [0, 1]. The CLI passes
:func:`rich_progress` (a rich bar on stderr), the app passes a wrapper around
``st.progress``, and tests pass nothing.

Example:
    >>> seen = []
    >>> report(lambda f, m: seen.append((f, m)), 0.5, "half way")
    >>> seen
    [(0.5, 'half way')]
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional

ProgressFn = Callable[[float, str], None]


def is_main_process() -> bool:
    """False in the extra processes of a distributed run (``accelerate launch``, ``torchrun``).

    Only the main process shows progress, logs and results, and writes final files.
    Read from the launcher's environment, so it works before any ``Accelerator`` exists.
    """
    import os

    return int(os.environ.get("RANK") or os.environ.get("LOCAL_RANK") or 0) == 0


def report(progress: Optional[ProgressFn], fraction: float, message: str = "") -> None:
    """Call ``progress`` if there is one, clamping the fraction to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), message)


def scaled(progress: Optional[ProgressFn], start: float, end: float) -> Optional[ProgressFn]:
    """A progress callback for a sub-task that fills ``[start, end]`` of the parent bar."""
    if progress is None:
        return None
    return lambda f, m="": progress(start + (end - start) * min(1.0, max(0.0, f)), m)


@contextlib.contextmanager
def rich_progress(description: str, enabled: bool = True) -> Iterator[Optional[ProgressFn]]:
    """A rich progress bar on stderr, yielded as a :data:`ProgressFn`.

    Yields ``None`` when disabled, so callers need no special case.
    """
    if not enabled or not is_main_process():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    console = Console(file=sys.stderr)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[msg]}"),
                  console=console, transient=False) as bar:
        task = bar.add_task(description, total=1.0, msg="")

        def update(fraction: float, message: str = "") -> None:
            bar.update(task, completed=fraction, msg=message)

        try:
            yield update
        except BaseException:
            bar.live.transient = True  # a failed command shows its one-line error, not a half-full bar
            raise
        bar.update(task, completed=1.0)


class Stream:
    """What :func:`rich_stream` yields: ``progress`` (a :data:`ProgressFn`, or None when disabled) and
    ``row(text)``, which shows one finished result row (a drafted line) as soon as it exists."""

    def __init__(self, progress: Optional[ProgressFn], row: Callable[[str], None]):
        self.progress = progress
        self.row = row


@contextlib.contextmanager
def rich_stream(description: str, enabled: bool = True) -> Iterator[Stream]:
    """A rich progress bar on stderr with the rows written so far above it, yielded as a :class:`Stream`.

    On a terminal the rows and the bar are redrawn in place and vanish at the end, when the command
    prints its finished result on stdout (so nothing is shown twice), or its one-line error. When
    stderr is not a terminal (a pipe, a log file, a test runner) each row is written to it as one plain
    line when it arrives, and no bar.

    Example:
        >>> with rich_stream("Drafting", enabled=False) as s:
        ...     s.row("ignored when disabled")
        >>> s.progress is None
        True
    """
    if not enabled or not is_main_process():
        yield Stream(None, lambda text: None)
        return
    from rich.console import Console, Group
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    console = Console(file=sys.stderr)
    live_rows: list[str] = []  # drawn above the bar on a terminal only; elsewhere written once as they come

    class _Progress(Progress):
        def get_renderables(self):
            yield Group(*(Text(r) for r in live_rows[-40:]), self.make_tasks_table(self.tasks))

    with _Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeElapsedColumn(), TextColumn("{task.fields[msg]}"), console=console,
                   transient=True) as bar:
        task = bar.add_task(description, total=1.0, msg="")

        def update(fraction: float, message: str = "") -> None:
            bar.update(task, completed=fraction, msg=message)

        def row(text: str) -> None:
            if console.is_terminal:
                live_rows.append(text)
                bar.refresh()
            else:
                sys.stderr.write(text + "\n")
                sys.stderr.flush()

        yield Stream(update, row)
