"""The replayed tokenizer (lyricist.lang.fasttok) gives spaCy's tokens, and its cache is sound."""

import json
import os
import pickle
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lyricist.lang import text as T
from lyricist.lang.corpus import read_songs, read_texts
from lyricist.core.config import bundled_corpus


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The replayed rules, built into a fresh cache, and spaCy's own tokenizer."""
    from lyricist.lang import fasttok

    rules = fasttok.cached_rules(tmp_path_factory.mktemp("cache") / "spacy-rules-test.pickle", T.build_rules)
    return rules, T.get_nlp()


def _spacy(nlp, text):
    doc = nlp.tokenizer(text)
    return [t.text for t in doc], [bool(t.whitespace_) for t in doc]


def test_the_bundled_corpus_tokenises_as_spacy_does(both):
    rules, nlp = both
    lines = [ln.text for s in read_songs(bundled_corpus() / "songs") for ln in s.lines]
    lines += [t.text for name in ("comments.csv", "lines.csv") for t in read_texts(bundled_corpus() / name)]
    assert len(lines) > 5000
    bad = [t for t in lines if rules.doc(T.normalize(t)) != _spacy(nlp, T.normalize(t))]
    assert not bad, bad[:5]


_PIECES = ["a", "Z", "'", "’", "-", ".", ",", "!", "?", ":", ";", "(", ")", "\"", "/", "@", "#", "&", "*", "_",
           " ", "  ", "\t", "\n", "0", "9", "\u200b", "\u202e", "\U0001F525", "é", "中", "ا", "д", "\x00", "...",
           "n't", "'s", "a.m.", ":)", ":-(", "http://", "www.x.com", "e.g.", "Mr.", "10", "pm", "'cause", "gonna",
           "y'all", "lovin'", "o'", "(*_*)", "w/o", "U.S."]


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_hostile_text_tokenises_as_spacy_does(both, text):
    rules, nlp = both
    assert rules.doc(text) == _spacy(nlp, text)


def test_the_last_pass_rebuilds_special_cases_split_by_affixes(both):
    """'(*_*)' is a special case that an infix split leaves in pieces; spaCy's last pass joins it again."""
    rules, nlp = both
    for text in ("x-(*_*)", "x-(*_*)'s", "((*_*)-x"):
        assert rules.doc(text) == _spacy(nlp, text)
        assert rules.doc(text)[0] != rules.doc(text, final=False)[0]
    assert "(*_*)" in rules.texts("x-(*_*)")


def test_lookup_lemmas_match_spacy(both):
    rules, nlp = both
    for w in ["hearts", "cried", "running", "better", "mice", "was", "Went", "lovin", "dreams", "xyzzy"]:
        assert rules.lemma(w) == nlp(w)[0].lemma_


_CHILD = """
import json, sys
from lyricist.lang.text import lemma, tokens
print(json.dumps([tokens("Don't stop, runnin' down (5th) street!"), lemma("hearts"), "spacy" in sys.modules]))
"""


def _child(env):
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=120,
                         check=True).stdout
    return json.loads(out)


def test_rules_cache_is_built_once_reused_rebuilt_when_damaged_and_can_be_off(tmp_path):
    env = {**os.environ, "LYRICIST_CACHE_DIR": str(tmp_path)}
    want = [["don't", "stop", "runnin'", "down", "street"], "heart"]
    assert _child(env) == want + [True]  # the first run builds the rules with spaCy
    files = list(tmp_path.glob("spacy-rules-*.pickle"))
    assert len(files) == 1 and not list(tmp_path.glob(".*.tmp"))
    mtime = files[0].stat().st_mtime_ns
    assert _child(env) == want + [False]  # later runs never import spaCy
    assert files[0].stat().st_mtime_ns == mtime
    files[0].write_bytes(b"\x80not a pickle")
    assert _child(env) == want + [True]  # damaged: rebuilt
    assert _child(env) == want + [False]
    files[0].write_bytes(pickle.dumps(["a list, not rules"]))
    assert _child(env) == want + [True]
    (tmp_path / "spacy-rules-0000000000000000.pickle").write_bytes(b"stale")
    files[0].unlink()
    assert _child(env) == want + [True]
    assert [p.name for p in tmp_path.glob("spacy-rules-*.pickle")] == [files[0].name]  # the stale build is gone
    assert _child({**os.environ, "LYRICIST_CACHE_DIR": "off"}) == want + [True]  # no cache: spaCy every time
