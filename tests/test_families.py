"""Neighbours a songwriter can use: word families, register ranking, the name filter, the flags, the JSON shape."""

import json

import numpy as np
import pytest
from gensim.models import KeyedVectors
from typer.testing import CliRunner

from lyricist.app.cli import app
from lyricist.explore import api
from lyricist.explore.families import arrange, is_derivation, register_penalty
from lyricist.explore.space import WordSpace
from lyricist.lang.names import is_name
from lyricist.lang.prosody import rhymes

runner = CliRunner()

# Neighbours of "rain", most similar first, as a space of 8-dim vectors: the query on axis 0, each
# word at angle so that its cosine to the query is the number given.
RAIN = [("rainy", .9), ("rainstorm", .85), ("storms", .8), ("precipitation", .78), ("storm", .75),
        ("downpour", .7), ("wet", .65), ("drench", .6), ("thunder", .55), ("cloud", .5), ("table", .05)]


def _space(corpus_words=()) -> WordSpace:
    rng = np.random.default_rng(0)
    words = ["rain"] + [w for w, _ in RAIN]
    vecs = [np.eye(8)[0]]
    for k, (_, c) in enumerate(RAIN):
        other = np.eye(8)[1 + k % 7] + 0.01 * rng.standard_normal(8)
        other[0] = 0
        other /= np.linalg.norm(other)
        vecs.append(c * np.eye(8)[0] + np.sqrt(1 - c * c) * other)
    gkv = KeyedVectors(8)
    gkv.add_vectors(words, np.array(vecs, dtype=np.float32))
    ckv = None
    if corpus_words:
        ckv = KeyedVectors(8)
        rows = [words.index(w) for w in corpus_words]
        ckv.add_vectors(list(corpus_words), np.array([vecs[i] for i in rows], dtype=np.float32))
        ckv.expandos["count"] = np.full(len(rows), 50, dtype=np.int64)
    return WordSpace(ckv, gkv, corpus_weight=0.0)


# ----------------------------------------------------------------- the rules
@pytest.mark.parametrize("a,b", [("rain", "rainy"), ("rain", "rainstorm"), ("rain", "raindrops"),
                                 ("dance", "dancer"), ("ocean", "oceanography"), ("ballet", "ballerina"),
                                 ("ballets", "ballet"), ("sea", "seawater"), ("seas", "seashore"),
                                 ("finances", "financially"), ("love", "lovers"), ("storm", "thunderstorm")])
def test_derivations(a, b):
    assert is_derivation(a, b) and is_derivation(b, a)


@pytest.mark.parametrize("a,b", [("rain", "brain"), ("rain", "storms"), ("dance", "waltz"), ("sea", "season"),
                                 ("dream", "dreary"), ("ocean", "beach"), ("heart", "earth")])
def test_not_derivations(a, b):
    assert not is_derivation(a, b)


def test_register_penalty_ranks_technical_below_rare_below_common():
    tech, rare, common = (register_penalty(w) for w in ("precipitation", "downpour", "storm"))
    assert tech[1] == "technical" and rare[1] == "rare" and common == (0.0, "")
    assert tech[0] > rare[0] > 0


def test_arrange_groups_families_and_drops_the_querys_own():
    heads, own = arrange("rain", RAIN, topn=5)
    assert own == ["rainy", "rainstorm"]
    assert [h.word for h in heads][:2] == ["storm", "downpour"]  # storms' family shown under its commoner member
    assert heads[0].family == ["storms"] and heads[0].score == .75
    words = [h.word for h in heads]
    assert words.index("precipitation") > words.index("wet")     # technical (.78 - .2) below wet (.65)
    assert heads[words.index("precipitation")].register == "technical"
    off, none = arrange("rain", RAIN, topn=5, families=False, register=False)
    assert [h.word for h in off] == [w for w, _ in RAIN[:5]] and none == []


def test_corpus_words_are_never_ranked_down():
    heads, _ = arrange("rain", RAIN, topn=4, families=False, in_corpus=lambda w: w == "precipitation")
    assert heads[3].word == "precipitation" and heads[3].register == ""
    heads, _ = arrange("rain", RAIN, topn=4, families=False)
    assert "precipitation" not in [h.word for h in heads]


# ----------------------------------------------------------------- the space, the library call, the CLI
def test_space_neighbours_and_register_exemption():
    heads, own = _space().neighbours("rain", topn=4)
    assert [h.word for h in heads] == ["storm", "downpour", "wet", "precipitation"] and own == ["rainy", "rainstorm"]
    heads, _ = _space(corpus_words=("rain", "precipitation")).neighbours("rain", topn=4)
    assert [h.word for h in heads][:2] == ["storm", "precipitation"]  # the corpus uses it: not ranked down
    assert [w for w, _ in _space().similar("rain", topn=3)] == ["rainy", "rainstorm", "storms"]  # unchanged


@pytest.fixture()
def hand_space(monkeypatch):
    ws = _space()
    monkeypatch.setattr(api, "load_space", lambda *a, **k: ws)
    return ws


def test_similar_words_json_shape(hand_space):
    r = api.similar_words("rain", topn=3)
    assert {"word", "space", "filters", "neighbours", "query_family", "models", "ms"} <= set(r)
    n = r["neighbours"][0]
    assert set(n) == {"word", "score", "syllables", "in_corpus", "corpus_count", "family", "register"}
    assert n["word"] == "storm" and n["family"] == ["storms"] and r["query_family"] == ["rainy", "rainstorm"]
    assert r["filters"]["families"] and r["filters"]["register"]
    off = api.similar_words("rain", topn=3, families=False, register=False)
    assert [x["word"] for x in off["neighbours"]] == ["rainy", "rainstorm", "storms"] and off["query_family"] == []


def test_cli_similar_flags(hand_space):
    r = runner.invoke(app, ["similar", "rain", "--topn", "3"])
    assert r.exit_code == 0, r.output
    assert "storm" in r.output and "[storms]" in r.output and "own family, left out: rainy, rainstorm" in r.output
    r = runner.invoke(app, ["similar", "rain", "--topn", "3", "--no-families", "--no-register", "--json"])
    assert r.exit_code == 0, r.output
    assert [n["word"] for n in json.loads(r.stdout)["neighbours"]] == ["rainy", "rainstorm", "storms"]


# ----------------------------------------------------------------- names in rhymes
def test_name_signal():
    assert all(is_name(w) for w in ("meyer", "mcguire", "maguire", "dwyer", "pryor"))
    assert not any(is_name(w) for w in ("fire", "desire", "liar", "choir", "queen", "the", "lovin'"))


def test_rhymes_leave_names_out_unless_asked():
    assert not {"meyer", "mcguire", "dwyer"} & set(rhymes("fire")["perfect"])
    assert {"meyer", "mcguire"} <= set(rhymes("fire", names=True)["perfect"])
    r = runner.invoke(app, ["rhymes", "fire", "--json"])
    assert r.exit_code == 0 and "mcguire" not in json.loads(r.stdout)["perfect"]
    r = runner.invoke(app, ["rhymes", "fire", "--names", "--json"])
    assert r.exit_code == 0 and "mcguire" in json.loads(r.stdout)["perfect"]
