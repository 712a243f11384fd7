"""The README stays true: its library example runs, and the files its architecture table names exist."""

from __future__ import annotations

import os
import re
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_architecture_table_names_real_files():
    table = README[README.index("## Architecture"):]
    named = re.findall(r"^\| `([^`]+)`", table, flags=re.M)
    assert len(named) > 20
    for cell in re.findall(r"^\| (`[^|]+)\|", table, flags=re.M):
        for path in re.findall(r"`([^`]+)`", cell):
            if "/" not in path and "." not in path:
                continue
            base = "lyricist/app/ui/" if path == "common.py" else ""
            assert (REPO / base / path).exists(), f"README names {path}, which does not exist"


def test_architecture_table_covers_every_module():
    table = README[README.index("## Architecture"):README.index("## Tests")]
    named = set(re.findall(r"`(lyricist/[^`]+)`", table))
    missing = []
    for p in sorted((REPO / "lyricist").rglob("*.py")):
        rel = p.relative_to(REPO).as_posix()
        if p.name == "__init__.py" and rel != "lyricist/__init__.py" or p.name == "__main__.py":
            continue
        folder = rel.rsplit("/", 1)[0] + "/"
        if rel not in named and folder not in named:
            missing.append(rel)
    assert missing == [], f"README's architecture table does not name {missing}"


def test_library_example_runs_on_tiny_models(tiny_checkpoints, use_checkpoints):
    block = re.search(r"```python\n(.*?)```", README[README.index("## The library"):], flags=re.S).group(1)
    cwd = os.getcwd()
    with use_checkpoints(tiny_checkpoints):
        os.chdir(REPO)
        try:
            scope: dict = {}
            exec(compile(block, "README.md", "exec"), scope)
        finally:
            os.chdir(cwd)
    d = scope["d"]
    assert len(d.lines) == 8 and d.lines[0].locked
    assert len(scope["options"]) >= 1
    assert scope["report"]["overall"]["mood"] in ("happy", "angry", "sad", "relaxed")
