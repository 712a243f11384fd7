"""A plain ``pip install`` (not only a source checkout) carries the bundled corpus and the app."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    # build from a copy: setuptools leaves build/ in the source folder and reuses it, so a build in the
    # repo would both litter it and pack stale modules from an earlier tree
    src = tmp_path_factory.mktemp("src") / "lyricist-src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", "build", "checkpoints", "*.egg-info", ".pytest_cache", ".ruff_cache", "__pycache__", "docs"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    if r.returncode:
        pytest.skip(f"cannot build a wheel here: {r.stderr.strip().splitlines()[-1:]}")
    (whl,) = out.glob("lyricist-*.whl")
    return set(zipfile.ZipFile(whl).namelist())


def test_wheel_ships_every_bundled_corpus_file_and_the_app(wheel_names):
    corpus = ROOT / "lyricist" / "corpora"
    want = {f"lyricist/corpora/{p.relative_to(corpus).as_posix()}" for p in corpus.rglob("*") if p.is_file()}
    assert len(want) > 90
    assert want <= wheel_names, sorted(want - wheel_names)[:5]
    assert "lyricist/app/streamlit_app.py" in wheel_names


def test_the_repo_corpus_link_and_the_package_corpus_agree():
    from lyricist.app.defaults import app_path
    from lyricist.core.config import bundled_corpus

    assert bundled_corpus() == (ROOT / "lyricist" / "corpora").resolve()
    assert (ROOT / "corpora").resolve() == bundled_corpus()
    assert app_path().is_file() and app_path().parent == ROOT / "lyricist" / "app"
