"""The cold CLI stays light: word commands load no torch, transformers or spaCy, and the
CMU lexicon comes from its prebuilt cache (bench/coldstart.py times the real thing)."""

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "spacy")

# Runs CLI commands in one process, then prints the heavy modules that got imported.
_RUN = """
import json, sys
from lyricist.app.cli import app
for argv in json.loads(sys.argv[1]):
    try:
        app(argv, standalone_mode=False)
    except SystemExit as e:
        assert not e.code, (argv, e.code)
print(json.dumps([m for m in {heavy!r} if m in sys.modules]))
""".format(heavy=HEAVY)


def _run(commands, env):
    p = subprocess.run([sys.executable, "-c", _RUN, json.dumps(commands)], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.fixture
def env(tmp_path, tiny_checkpoints):
    return {**os.environ, "LYRICIST_CHECKPOINTS": str(tiny_checkpoints), "LYRICIST_CACHE_DIR": str(tmp_path / "cache")}


def test_word_commands_import_no_heavy_library(env):
    assert _run([["rhymes", "fire", "--json"], ["rhymes", "light", "--near", "--json"],
                 ["similar", "love", "--json"], ["similar", "night", "--rhymes-with", "light", "--json"],
                 ["--help"]], env) == []


def test_lexicon_paths_import_no_transformers(env, tmp_path):
    comments = tmp_path / "comments.csv"
    comments.write_text("comment\nI love this song so much\nthe mix is awful and the voice is flat\n"
                        "it is fine, nothing special about it\n", encoding="utf-8")
    # classify only checks the language: no spaCy either
    assert _run([["classify", str(comments), "--scorer", "lexicon", "--out", str(tmp_path / "p.csv"),
                  "--json"]], env) == []
    song = tmp_path / "song.txt"
    song.write_text("I walk alone beneath the rain\nThe kettle sings, the morning's new\n", encoding="utf-8")
    assert "transformers" not in _run([["score", str(song), "--scorer", "lexicon", "--json"]], env)
    # once the tokenizer's rules are in the user cache, a lexicon score needs no spaCy either (torch stays: the
    # song's mood model)
    heavy = _run([["score", str(song), "--scorer", "lexicon", "--json"]], env)
    assert "spacy" not in heavy and "transformers" not in heavy


def test_model_score_runs_bert_without_transformers(env, tmp_path):
    """The default scorer's BERT and the mood model's MiniLM run on lyricist.core.bert (transformers' import
    took about 4 of a cold score's 7 s)."""
    song = tmp_path / "song.txt"
    song.write_text("I walk alone beneath the rain\nThe kettle sings, the morning's new\n", encoding="utf-8")
    _run([["score", str(song), "--json"]], env)  # builds the tokenizer rules in the user cache
    heavy = _run([["score", str(song), "--json"], ["score", str(song), "--scorer", "transformer", "--json"]], env)
    assert heavy == ["torch"]


def test_cli_import_is_light():
    code = ("import sys, lyricist.app.cli; bad = [m for m in {!r} if m in sys.modules]; "
            "assert not bad, bad").format(HEAVY)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_lexicon_cache_is_built_once_reused_and_rebuilt_when_damaged(tmp_path):
    env = {**os.environ, "LYRICIST_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "lyricist", "rhymes", "fire", "--json"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, timeout=120).stdout
    files = list(tmp_path.glob("cmu-lexicon-*.pickle"))
    assert len(files) == 1 and not list(tmp_path.glob(".*.tmp"))
    mtime = files[0].stat().st_mtime_ns
    assert subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout == first
    assert files[0].stat().st_mtime_ns == mtime  # reused, not rebuilt
    files[0].write_bytes(b"not a pickle")
    assert subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout == first
    assert files[0].stat().st_size > 1_000_000  # rebuilt
    off = {**os.environ, "LYRICIST_CACHE_DIR": "off"}
    assert subprocess.run(cmd, capture_output=True, text=True, env=off, check=True).stdout == first
    assert json.loads(first)["perfect"][:2] == ["higher", "entire"]
