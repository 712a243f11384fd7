"""A killed build of the general vectors loses nothing (issue 13, part 2, the slow one-off builds).

The build is SIGKILLed in a subprocess while the encoder is part-way through the vocabulary, then
run again: the visible folder never holds a partial build, the second run reads the finished
batches back instead of encoding them again, and its vectors equal those of an uninterrupted build.
A kill during a rebuild leaves the previous vectors in place and loadable.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
from lyricist.explore.train_general import DistilConfig, build_general_vectors
words = [w.strip() for w in open(sys.argv[2], encoding="utf-8") if w.strip()]
cfg = DistilConfig(vocab_size=10, cmu_min_zipf=0.0, dim=16, batch_size=8)
build_general_vectors(sys.argv[1], cfg=cfg, words=words, evaluate=False,
                      progress=lambda f, m: print(m, flush=True))
print("built", flush=True)
"""


@pytest.fixture(scope="module")
def words(tmp_path_factory) -> Path:
    """400 real English words (from the CMU dictionary that ships with lyricist), one per line."""
    from lyricist.lang.prosody.cmu import word_frequencies

    freq = word_frequencies()
    ws = sorted((w for w in freq if w.isalpha()), key=lambda w: (-freq[w], w))[:400]
    path = tmp_path_factory.mktemp("words") / "words.txt"
    path.write_text("\n".join(ws) + "\n", encoding="utf-8")
    return path


def _env(tmp_path: Path) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                LYRICIST_CHECKPOINTS=str(tmp_path / "no-checkpoints"), PYTHONUNBUFFERED="1")


def _build(out: Path, words: Path, env: dict, kill_after_batches: int = 0) -> str:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out), str(words)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    if kill_after_batches:
        part = out.parent / f".{out.name}.partial"
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            if part.is_dir() and len(list(part.glob("batch-*.npy"))) >= kill_after_batches:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    out_text, _ = proc.communicate(timeout=300)
    return out_text


def _vectors(folder: Path):
    from gensim.models import KeyedVectors

    return KeyedVectors.load(str(folder / "vectors.kv"))


@pytest.mark.timeout(600)
def test_killed_general_build_resumes_to_the_same_vectors(words, tmp_path):
    env = _env(tmp_path)
    ref = tmp_path / "ref" / "general-vectors"
    assert "built" in _build(ref, words, env)

    out = tmp_path / "kill" / "general-vectors"
    log = _build(out, words, env, kill_after_batches=20)
    assert "built" not in log, "the build finished before the kill: make it longer"
    assert not out.exists()  # nothing half-built is ever visible under the model's name
    kept = len(list((out.parent / ".general-vectors.partial").glob("batch-*.npy")))
    assert 20 <= kept < 50

    log = _build(out, words, env)
    assert "built" in log
    assert sum("(resumed)" in line for line in log.splitlines()) >= 20  # finished batches were not redone
    assert not (out.parent / ".general-vectors.partial").exists()  # cleaned up once swapped in
    a, b = _vectors(ref), _vectors(out)
    assert a.index_to_key == b.index_to_key
    np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-5)

    before = (out / "vectors.kv").read_bytes()  # a rebuild that is killed leaves the old vectors
    log = _build(out, words, env, kill_after_batches=10)
    assert "built" not in log and (out / "vectors.kv").read_bytes() == before
    assert _vectors(out).vector_size == 16


def test_a_changed_vocabulary_does_not_reuse_batches(words, tmp_path):
    from lyricist.explore.train_general import DistilConfig, build_general_vectors

    out = tmp_path / "gv"
    part = tmp_path / ".gv.partial"
    part.mkdir()
    (part / "fingerprint.txt").write_text("someone else's build", encoding="utf-8")
    np.save(part / "batch-00000.npy", np.ones((8, 384), dtype=np.float32))  # would poison the result
    ws = words.read_text(encoding="utf-8").split()[:40]
    build_general_vectors(out, cfg=DistilConfig(vocab_size=10, dim=8, batch_size=8), words=ws, evaluate=False)
    v = _vectors(out).vectors
    assert len({tuple(np.round(r, 5)) for r in v}) == len(v)  # no batch of identical (reused) rows
    assert not part.exists()
