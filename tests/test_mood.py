"""Song mood: quadrant baseline, features, tiny training, checkpoint round trip, eval, CLI."""

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from lyricist.app.cli import app
from lyricist.core.errors import LyricistError
from lyricist.tone.eval import evaluate_mood
from lyricist.tone.mood import (LEXICON_FEATURES, MoodConfig, chunks_of, lexicon_features, load_mood, normalise_mood,
                                predict_mood, quadrant_mood)
from lyricist.tone.train_mood import cross_validate, train_mood

WORDS = {
    "happy": ["dance", "party", "smile", "sunshine", "celebrate", "laugh", "joy", "wonderful"],
    "angry": ["hate", "fight", "scream", "rage", "kill", "burn", "furious", "war"],
    "sad": ["tears", "cry", "lonely", "lost", "grave", "sorrow", "goodbye", "broken"],
    "relaxed": ["calm", "gentle", "breeze", "quiet", "slow", "peaceful", "rest", "soft"],
}
FILL = ["the", "night", "we", "are", "in", "my", "heart", "and", "you", "all", "again", "tonight"]


def _song(mood, i, rng):
    lines = []
    for _ in range(8):
        toks = rng.sample(FILL, 4) + rng.sample(WORDS[mood], 2)
        rng.shuffle(toks)
        lines.append(" ".join(toks).capitalize())
    return f"title: {mood} song {i}\nartist: test\nmood: {mood}\n\n[Verse]\n" + "\n".join(lines[:4]) + \
        "\n\n[Chorus]\n" + "\n".join(lines[4:]) + "\n"


@pytest.fixture(autouse=True)
def _no_user_checkpoints(tmp_path_factory, monkeypatch):
    """Tests never pick up models from ./checkpoints: the default lookup points at an empty folder."""
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path_factory.mktemp("no-checkpoints")))


@pytest.fixture(scope="module")
def song_dir(tmp_path_factory):
    rng = random.Random(0)
    d = tmp_path_factory.mktemp("songs")
    for mood in WORDS:
        for i in range(6):
            (d / f"{mood}_{i}.txt").write_text(_song(mood, i, rng), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def mood_dir(tmp_path_factory, song_dir):
    out = tmp_path_factory.mktemp("ck") / "mood"
    return out, train_mood([song_dir], preset="tiny", out_dir=out, folds=3)


def test_quadrant_rule_known_answers():
    assert quadrant_mood(0.5, 0.5)["mood"] == "happy"
    assert quadrant_mood(-0.5, 0.5)["mood"] == "angry"
    assert quadrant_mood(-0.5, -0.5)["mood"] == "sad"
    assert quadrant_mood(0.5, -0.5)["mood"] == "relaxed"
    assert quadrant_mood(0.9, 0.9)["confidence"] > quadrant_mood(0.1, 0.1)["confidence"]


def test_normalise_mood_and_chunks():
    assert [normalise_mood(x) for x in ("Happy", " SAD", "calm", "Q2", "disco", None)] == \
        ["happy", "sad", "relaxed", "angry", None, None]
    assert chunks_of([str(i) for i in range(10)], 4, 2) == ["0 / 1 / 2 / 3", "8 / 9"]


def test_lexicon_features_are_finite_and_named():
    v = lexicon_features(["I hate this war, I scream and fight!", "Burn it all down"])
    assert v.shape == (len(LEXICON_FEATURES),) and np.isfinite(v).all()
    f = dict(zip(LEXICON_FEATURES, v))
    assert f["val_mean"] < 0 and f["nrc_anger"] > 0 and f["arousal"] > 0 and f["exclaim_rate"] == 0.5
    assert np.all(lexicon_features([]) == 0)


def test_tiny_training_predicts_four_moods_and_round_trips(mood_dir, song_dir):
    out, metrics = mood_dir
    assert {"config.json", "metrics.json", "weights.safetensors"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.pkl")) and not list(out.glob("*.joblib"))
    assert metrics["n"] == 24 and metrics["cv"]["folds"] == 3
    assert metrics["train_accuracy"] > 0.5
    m = load_mood(out)
    assert sorted(m.labels) == ["angry", "happy", "relaxed", "sad"]
    rng = random.Random(42)
    for mood in WORDS:  # unseen songs drawn like the training ones
        body = _song(mood, 99, rng).split("\n\n", 1)[1]
        r = predict_mood(body, model_dir=out)
        assert set(r["probs"]) == {"happy", "angry", "sad", "relaxed"}
        assert sum(r["probs"].values()) == pytest.approx(1.0, abs=1e-3)
        assert r["mood"] == mood


def test_corrupt_mood_checkpoint(mood_dir, tmp_path):
    import shutil

    bad = tmp_path / "mood"
    shutil.copytree(mood_dir[0], bad)
    (bad / "weights.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(LyricistError, match="corrupt"):
        load_mood(bad)
    with pytest.raises(LyricistError, match="no mood checkpoint"):
        load_mood(tmp_path / "missing")


def test_cross_validate_separable_features():
    rng = np.random.default_rng(0)
    y = np.array(["happy", "sad"] * 20)
    X = np.where(y[:, None] == "happy", 1.0, -1.0) + rng.normal(0, 0.3, (40, 3))
    cv = cross_validate(X, y, MoodConfig(features="lexicon"), folds=5)
    assert cv["folds"] == 5 and cv["macro_f1"] > 0.9


def test_training_needs_two_moods(tmp_path):
    rng = random.Random(1)
    for i in range(3):
        (tmp_path / f"s{i}.txt").write_text(_song("happy", i, rng), encoding="utf-8")
    with pytest.raises(LyricistError, match="same mood"):
        train_mood([tmp_path], preset="tiny", out_dir=tmp_path / "m")


def test_embedding_features_are_unit_vectors():
    from lyricist.tone.mood import embedding_features

    X = embedding_features([["hello there", "how are you"], ["a b c"]], MoodConfig(chunk_lines=1))
    assert X.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-4)


def test_evaluate_mood_and_cli(mood_dir, song_dir, tmp_path, monkeypatch):
    r = evaluate_mood(song_dir, model=mood_dir[0])
    assert r["n"] == 24 and r["labels"] == ["happy", "angry", "sad", "relaxed"] and r["accuracy"] > 0.5
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path))  # no trained model: the quadrant rule
    base = evaluate_mood(song_dir)
    assert base["model"].startswith("quadrant rule") and sum(map(sum, base["confusion"])) == 24
    res = CliRunner().invoke(app, ["eval", "mood", "--data", str(song_dir), "--model", str(mood_dir[0]), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["n"] == 24 and set(doc["per_class"]) == {"happy", "angry", "sad", "relaxed"}


def test_cli_train_mood_json(song_dir, tmp_path):
    res = CliRunner().invoke(app, ["train", "mood", "--corpus", str(song_dir), "--preset", "tiny",
                                   "--out", str(tmp_path / "m"), "--folds", "2", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["features"] == "lexicon" and doc["cv"]["folds"] == 2


def test_tone_report_uses_trained_mood_model(mood_dir):
    from lyricist.tone.report import tone_report

    r = tone_report("Tears and sorrow\nI cry alone, so lonely and lost", scorer="lexicon", mood_model=mood_dir[0])
    assert r["overall"]["mood_source"] == "model" and r["overall"]["mood"] in ("happy", "angry", "sad", "relaxed")
