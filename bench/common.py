"""What every benchmark script shares: where results go and how the machine is described.

Each script in ``bench/`` owns one section of ``docs/BENCHMARKS.md`` between
``<!-- bench:NAME:start -->`` and ``<!-- bench:NAME:end -->`` and rewrites only that.

Example:
    >>> from common import machine
    >>> machine(torch_threads=False)  # doctest: +SKIP
    '2-core CPU (Intel(R) Xeon(R) Processor), Python 3.11.7, Linux 6.1.0'
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "BENCHMARKS.md"
DATA = ROOT.parent / "shared" / "datasets"
NJU_TRAIN = DATA / "nju_musicmood" / "nju_musicmood_train.csv"
"""The NJU-MusicMood train split (400 songs with lyrics): the mood benchmarks' out-of-domain set."""


def shared_file(path: Path) -> bool:
    """True when a benchmark data file is there; otherwise says the bench is skipped, and False."""
    if path.is_file():
        return True
    print(f"skipped: {path} not found (the benchmark data sets live in ../shared/datasets)")
    return False


def write_section(name: str, body: str, path: Path = BENCHMARKS) -> None:
    """Replace the text between this bench's markers in ``path`` (the file and markers are created if missing).

    Written atomically: a temporary file beside it, then a rename.
    """
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else \
        "# Benchmarks\n\nEach section is written by its script in `bench/`; rerun the script to refresh it.\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def machine(torch_threads: bool = True) -> str:
    """One line naming the CPU, core count, torch build and threads, Python and the OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    torch_part = ""
    if torch_threads:
        import torch

        torch_part = f", torch {torch.__version__} with {torch.get_num_threads()} threads"
    return (f"{os.cpu_count()}-core CPU ({cpu}){torch_part}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")
