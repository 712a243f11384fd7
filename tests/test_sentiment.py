"""Sentiment: lexicon known answers, tiny LSTM/transformer training, tone report, classify, eval, CLI."""

import csv
import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from lyricist.app.cli import app
from lyricist.core.errors import LyricistError
from lyricist.lang.lexicon import emotions, english_share, label_of, lexicon_probs, vader_compound
from lyricist.tone.bulk import classify_file
from lyricist.tone.eval import evaluate_sentiment
from lyricist.tone.report import tone_report
from lyricist.tone.scorers import EnsembleScorer, LexiconScorer, load_scorer
from lyricist.core.loop import reset_accelerate_state

SONG = """[Verse 1]
I walk alone down an empty street
The rain keeps falling on my tired feet

[Chorus]
But I will rise and I will shine again
Dancing in the sun with all my friends
Love is a fire burning bright

[Verse 2]
Cold and broken, I hate this town
Every door I knock on lets me down

[Chorus]
But I will rise and I will shine again
Dancing in the sun with all my friends
"""

POS = ["good", "great", "lovely", "wonderful", "happy", "amazing", "beautiful", "brilliant"]
NEG = ["bad", "awful", "terrible", "horrible", "sad", "ugly", "boring", "painful"]
NEU = ["blue", "wooden", "tuesday", "square", "metal", "paper", "seven", "kitchen"]
FILL = ["the", "song", "was", "really", "this", "chorus", "felt", "so", "and", "very"]


@pytest.fixture(autouse=True)
def _no_user_checkpoints(tmp_path_factory, monkeypatch):
    """Tests never pick up models from ./checkpoints: the default lookup points at an empty folder."""
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path_factory.mktemp("no-checkpoints")))


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny models run fastest on one thread (and do not stall when other jobs share the CPU)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _toy_rows(n=300, seed=0):
    """A separable toy set: each text has two words from its class's list among fillers."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label, words = [("positive", POS), ("negative", NEG), ("neutral", NEU)][i % 3]
        toks = rng.sample(FILL, 4) + rng.sample(words, 2)
        rng.shuffle(toks)
        rows.append((" ".join(toks) + f" {i}", label))
    return rows


def _write_csv(path, rows, header=("text", "label")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def toy_csv(tmp_path_factory):
    return _write_csv(tmp_path_factory.mktemp("data") / "toy.csv", _toy_rows())


@pytest.fixture(scope="module")
def lstm_dir(tmp_path_factory, toy_csv):
    from lyricist.tone.train_lstm import train_lstm

    reset_accelerate_state()
    out = tmp_path_factory.mktemp("ck") / "sentiment-lstm"
    metrics = train_lstm([toy_csv], preset="tiny", out_dir=out, epochs=8, lr=1e-2, patience=4)
    reset_accelerate_state()
    return out, metrics


@pytest.fixture(scope="module")
def transformer_dir(tmp_path_factory, toy_csv):
    from lyricist.tone.train_transformer import train_transformer

    reset_accelerate_state()
    out = tmp_path_factory.mktemp("ck") / "sentiment-transformer"
    metrics = train_transformer([toy_csv], preset="tiny", out_dir=out, epochs=3)
    reset_accelerate_state()
    return out, metrics


# ----------------------------------------------------------------- lexicon
def test_lexicon_known_answers():
    s = LexiconScorer()
    rows = s.predict(["I love this", "I hate this", "not bad at all", "The table is made of wood"])
    assert [r["label"] for r in rows] == ["positive", "negative", "positive", "neutral"]
    assert rows[0]["valence"] == pytest.approx(vader_compound("I love this"), abs=1e-4)
    for r in rows:
        assert sum(r["probs"].values()) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("c", [-1.0, -0.5, -0.05, -0.01, 0.0, 0.04, 0.05, 0.3, 0.9])
def test_lexicon_probs_match_thresholds_and_valence(c):
    p = lexicon_probs(c)
    assert p["positive"] - p["negative"] == pytest.approx(c, abs=1e-9)
    assert all(v >= 0 for v in p.values()) and sum(p.values()) == pytest.approx(1.0)
    if abs(c) != 0.05:
        assert max(p, key=p.get) == label_of(c)


def test_nrc_emotions_of_fire_and_love():
    e = emotions("love is a fire")
    assert set(e) == {"anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust",
                      "positive", "negative"}
    assert e["joy"] > 0 and e["fear"] > 0 and e["positive"] > 0
    assert sum(e.values()) == pytest.approx(1.0, abs=1e-3)
    # lemmas and lyric spellings reach the lexicon: "burning" -> burn, "lovin'" -> love
    assert emotions("lovin'")["joy"] > 0
    assert emotions("the of and") == {k: 0.0 for k in e}


def test_english_share_flags_other_languages():
    from lyricist.lang.text import tokens

    assert english_share(tokens("I walk alone down the empty street tonight")) > 0.5
    assert english_share(tokens("Yo te quiero con todo mi corazón, la noche es larga")) < 0.3


# ----------------------------------------------------------------- LSTM
def test_lstm_learns_toy_set_and_round_trips(lstm_dir, toy_csv):
    out, metrics = lstm_dir
    assert {"config.json", "metrics.json", "model.safetensors", "vocab.json"} <= {p.name for p in out.iterdir()}
    assert metrics["val_accuracy"] > 0.6  # chance is 1/3
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["kind"] == "sentiment-lstm" and cfg["params"]["model"]["layers"] == 2
    s1 = load_scorer("lstm", out)
    s2 = load_scorer("lstm", out, reload=True)
    assert s1 is not s2
    texts = ["the song was great and lovely", "awful and painful chorus", "kitchen paper seven"]
    p1, p2 = s1.predict_proba(texts), s2.predict_proba(texts)
    np.testing.assert_allclose(p1, p2, atol=1e-6)
    assert [r["label"] for r in s1.predict(texts)][:2] == ["positive", "negative"]
    assert load_scorer("lstm", out) is s2  # cached by folder + mtime


def test_lstm_handles_oov_and_empty(lstm_dir):
    s = load_scorer("lstm", lstm_dir[0])
    rows = s.predict(["zzzqqq xxyyzz", "", "!!!"])
    assert len(rows) == 3 and all(r["label"] in ("negative", "neutral", "positive") for r in rows)


def test_corrupt_or_mismatched_checkpoint_is_a_one_line_error(lstm_dir, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(lstm_dir[0], bad)
    (bad / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(LyricistError, match="corrupt"):
        load_scorer("lstm", bad)
    (bad / "config.json").write_text("{oops")
    with pytest.raises(LyricistError, match="corrupt"):
        load_scorer("lstm", bad)
    with pytest.raises(LyricistError, match="no .*checkpoint"):
        load_scorer("lstm", tmp_path / "missing")
    with pytest.raises(LyricistError, match="not sentiment-lstm|not a sentiment|holds a"):
        wrong = tmp_path / "wrong"
        wrong.mkdir()
        (wrong / "config.json").write_text(json.dumps({"kind": "mood", "format_version": 1}))
        load_scorer("lstm", wrong)


def test_lstm_resume_continues_from_state(toy_csv, tmp_path):
    from lyricist.tone.train_lstm import train_lstm

    out = tmp_path / "sentiment-lstm"
    m = train_lstm([toy_csv], preset="tiny", out_dir=out, epochs=1)
    assert m["epochs_run"] == 1
    reset_accelerate_state()
    m2 = train_lstm([toy_csv], preset="tiny", out_dir=out, epochs=1, resume=True)  # nothing left to do
    assert m2["epochs_run"] == 1 and (out / "metrics.json").is_file()


# ----------------------------------------------------------------- transformer
def test_transformer_tiny_trains_and_loads_in_a_plain_pipeline(transformer_dir):
    from transformers import pipeline

    out, metrics = transformer_dir
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["id2label"] == {"0": "negative", "1": "neutral", "2": "positive"}
    assert cfg["kind"] == "sentiment-transformer" and "fingerprint" in cfg
    assert (out / "model.safetensors").is_file() and (out / "metrics.json").is_file()
    clf = pipeline("text-classification", model=str(out))
    got = clf(["the song was great", "awful chorus"])
    assert all(g["label"] in ("negative", "neutral", "positive") for g in got)
    s = load_scorer("transformer", out)
    rows = s.predict(["the song was great", "awful chorus"])
    assert [r["label"] for r in rows] == [g["label"] for g in got]
    assert 0.0 <= metrics["val_accuracy"] <= 1.0 and metrics["n_train"] > 0


def test_transformer_scores_a_lone_surrogate_as_the_replacement_character(transformer_dir):
    """Found by the long fuzz profile: the Rust tokenizer raised TypeError on '\\ud800'."""
    s = load_scorer("transformer", transformer_dir[0])
    got = s.predict_proba([chr(0xD800) + " lone surrogate", "\ufffd lone surrogate"])
    np.testing.assert_allclose(got[0], got[1], atol=1e-6)


def test_auto_scorer_reads_model_kind_and_ensemble_averages(lstm_dir, transformer_dir):
    assert load_scorer("auto", lstm_dir[0]).name == "lstm"
    assert load_scorer("auto", transformer_dir[0]).name == "transformer"
    a, b = load_scorer("lstm", lstm_dir[0]), load_scorer("transformer", transformer_dir[0])
    ens = EnsembleScorer([a, b])
    texts = ["lovely great song", "boring ugly"]
    np.testing.assert_allclose(ens.predict_proba(texts), (a.predict_proba(texts) + b.predict_proba(texts)) / 2,
                               atol=1e-6)


def test_auto_without_models_falls_back_to_lexicon(tmp_path, monkeypatch):
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path / "none"))
    assert load_scorer("auto").name == "lexicon"
    with pytest.raises(LyricistError, match="unknown scorer"):
        load_scorer("bogus")


def test_bad_base_model_is_a_clear_error(toy_csv, tmp_path):
    from lyricist.tone.train_transformer import train_transformer

    with pytest.raises(LyricistError, match="cannot load base model"):
        train_transformer([toy_csv], preset="tiny", out_dir=tmp_path / "t", base_model=str(tmp_path / "nope"))


# ----------------------------------------------------------------- tone report
def test_tone_report_lines_sections_and_keys():
    r = tone_report(SONG, scorer="lexicon")
    assert len(r["lines"]) == 9
    assert [s["kind"] for s in r["sections"]] == ["verse", "chorus", "verse", "chorus"]
    assert [(s["start"], s["end"]) for s in r["sections"]] == [(0, 1), (2, 4), (5, 6), (7, 8)]
    assert set(r["summary_by_kind"]) == {"verse", "chorus"}
    assert r["summary_by_kind"]["chorus"]["valence"] > r["summary_by_kind"]["verse"]["valence"]
    line = r["lines"][0]
    assert {"text", "valence", "label", "emotions", "smoothed", "section", "index", "probs"} <= set(line)
    ov = r["overall"]
    assert {"valence", "label", "mood", "mood_confidence", "confidence", "emotions"} <= set(ov)
    assert ov["mood"] in ("happy", "angry", "sad", "relaxed")
    assert r["most_negative"][0]["text"] == "Cold and broken, I hate this town"
    assert all(x["valence"] > 0 for x in r["most_positive"])
    assert r["model"].startswith("lexicon") and r["warnings"] == []
    # smoothing is a centred moving average
    v = [ln["valence"] for ln in r["lines"]]
    assert r["lines"][1]["smoothed"] == pytest.approx(np.mean(v[0:3]), abs=1e-3)


def test_tone_report_rejects_bad_input():
    from lyricist.core.config import MAX_SONG_CHARS

    with pytest.raises(LyricistError, match="empty"):
        tone_report("   \n ", scorer="lexicon")
    with pytest.raises(LyricistError, match="limit"):
        tone_report("la " * MAX_SONG_CHARS, scorer="lexicon")
    with pytest.raises(LyricistError, match="binary"):
        tone_report("abc\x00def", scorer="lexicon")
    with pytest.raises(LyricistError, match="UTF-8"):
        tone_report(b"\xff\xfe\xfa caf\xe9", scorer="lexicon")


def test_tone_report_warns_on_other_languages():
    r = tone_report("Yo te quiero con todo mi corazón\nLa noche es larga y la luna brilla sobre el mar",
                    scorer="lexicon")
    assert r["warnings"] and "English" in r["warnings"][0]


def test_arc_figure_has_points_and_sections():
    from lyricist.tone.report import arc_figure

    fig = arc_figure(tone_report(SONG, scorer="lexicon"))
    assert len(fig.data) == 2 and len(fig.data[0].x) == 9
    assert len(fig.layout.shapes) >= 4


def test_section_kind_names():
    from lyricist.lang.corpus import section_group

    assert [section_group(n) for n in ["Verse 2", "CHORUS", "Pre-Chorus", "Hook", "Bridge", ""]] == \
        ["verse", "chorus", "pre-chorus", "chorus", "bridge", "verse"]


# ----------------------------------------------------------------- classify and eval
def test_classify_file_writes_all_predictions(tmp_path):
    rows = [(f"I love this song so much {i}",) for i in range(7)] + [("This is awful and boring",)] * 3
    src = _write_csv(tmp_path / "c.csv", rows, header=("comment",))
    out = tmp_path / "preds.csv"
    r = classify_file(src, out=out, scorer="lexicon", batch_size=4, max_rows=5)
    assert r["n"] == 10 and sum(r["counts"].values()) == 10
    assert r["counts"]["positive"] == 7 and r["counts"]["negative"] == 3
    assert len(r["rows"]) == 5 and r["rows_truncated"] is True
    with open(out, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert len(got) == 10 and set(got[0]) == {"text", "label", "valence", "p_negative", "p_neutral", "p_positive"}


def test_classify_wrong_column_lists_columns(tmp_path):
    src = _write_csv(tmp_path / "c.csv", [("hello", "x")], header=("body", "other"))
    with pytest.raises(LyricistError) as e:
        classify_file(src, text_col="comment", scorer="lexicon")
    assert "body" in str(e.value) and "\n" not in str(e.value)


def test_eval_on_binary_file_uses_polar_classes(tmp_path):
    rows = [("I love it", 1), ("a table", 1), ("I hate it", 0), ("a chair", 0), ("wonderful", 1)]
    src = _write_csv(tmp_path / "b.tsv", [], header=("sentence", "label"))
    with open(src, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows))
    r = evaluate_sentiment(src, scorer="lexicon")
    assert r["polar"] is True and r["labels"] == ["negative", "positive"]
    assert sum(map(sum, r["confusion"])) == 5  # no prediction fell outside the two polar classes
    assert r["n"] == 5 and 0 <= r["accuracy"] <= 1


def test_eval_three_class_file(tmp_path):
    src = _write_csv(tmp_path / "l.csv", [("I love it", "positive"), ("a table", "neutral"),
                                          ("I hate it", "negative")])
    r = evaluate_sentiment(src, scorer="lexicon")
    assert r["polar"] is False and r["accuracy"] == 1.0 and r["labels"] == ["negative", "neutral", "positive"]


# ----------------------------------------------------------------- CLI
runner = CliRunner()


def _one_json(result):
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_cli_score_json_file_and_stdin(tmp_path):
    f = tmp_path / "song.txt"
    f.write_text(SONG, encoding="utf-8")
    doc = _one_json(runner.invoke(app, ["score", str(f), "--scorer", "lexicon", "--json"]))
    assert len(doc["lines"]) == 9 and doc["overall"]["label"] in ("negative", "neutral", "positive")
    doc2 = _one_json(runner.invoke(app, ["score", "-", "--scorer", "lexicon", "--json"], input=SONG))
    assert doc2["lines"] == doc["lines"]
    human = runner.invoke(app, ["score", str(f), "--scorer", "lexicon", "--plot", str(tmp_path / "arc.html")])
    assert human.exit_code == 0 and "overall" in human.stdout and (tmp_path / "arc.html").is_file()


def test_cli_score_errors_exit_2(tmp_path):
    r = runner.invoke(app, ["score", str(tmp_path / "missing.txt"), "--scorer", "lexicon"])
    assert r.exit_code == 2 and "no such file" in r.stderr
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01binary")
    r = runner.invoke(app, ["score", str(bad), "--scorer", "lexicon"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1


def test_cli_classify_and_eval_json(tmp_path, lstm_dir):
    src = _write_csv(tmp_path / "c.csv", [(t, y) for t, y in _toy_rows(30, seed=1)])
    out = tmp_path / "p.csv"
    doc = _one_json(runner.invoke(app, ["classify", str(src), "--model", str(lstm_dir[0]), "--out", str(out),
                                        "--json"]))
    assert doc["n"] == 30 and out.is_file() and doc["model"].startswith("lstm")
    doc = _one_json(runner.invoke(app, ["eval", "sentiment", "--data", str(src), "--scorer", "lexicon", "--json"]))
    assert {"n", "accuracy", "macro_f1", "per_class", "confusion", "labels", "ms_per_item"} <= set(doc)
    r = runner.invoke(app, ["classify", str(src), "--text-col", "nope", "--scorer", "lexicon", "--json"])
    assert r.exit_code == 2 and r.stdout == ""


def test_cli_train_sentiment_tiny_json(tmp_path, toy_csv):
    doc = _one_json(runner.invoke(app, ["train", "sentiment", "--corpus", str(toy_csv), "--preset", "tiny",
                                        "--arch", "both", "--out", str(tmp_path), "--epochs", "1", "--json"]))
    assert {"lstm", "transformer", "ensemble"} <= set(doc)
    assert (tmp_path / "sentiment-lstm" / "metrics.json").is_file()
    assert "ensemble" in json.loads((tmp_path / "sentiment-transformer" / "metrics.json").read_text())


# ----------------------------------------------------------------- bad inputs: one line each
JAPANESE = "[Verse]\n夜の街を一人で歩く\n雨が静かに降り続ける\n君の声がまだ聞こえる\n[Chorus]\nさよならは言わないで\n"
FRENCH = ("Je marche seul dans la nuit froide\nLa pluie tombe sur mes épaules\n"
          "Mon cœur est lourd de ton absence\nMais demain le soleil reviendra\n")


@pytest.mark.parametrize("song", [JAPANESE, FRENCH], ids=["japanese", "french"])
def test_other_languages_are_flagged_not_silently_scored(song):
    r = tone_report(song, scorer="lexicon")
    assert len(r["warnings"]) == 1 and "English-only" in r["warnings"][0]
    assert tone_report(SONG, scorer="lexicon")["warnings"] == []


def _one_line_error(result):
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


@pytest.mark.parametrize("content, expect", [
    (b"", "no texts"),
    (b"comment\n", "no texts"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00binary" * 50, "binary"),
    ("comment\ncafé très bien\nà bientôt\n".encode("latin-1"), "not UTF-8"),
], ids=["empty", "header-only", "binary", "latin-1"])
def test_cli_classify_bad_files_are_one_line_errors(tmp_path, content, expect):
    src = tmp_path / "c.csv"
    src.write_bytes(content)
    err = _one_line_error(runner.invoke(app, ["classify", str(src), "--scorer", "lexicon", "--out",
                                              str(tmp_path / "p.csv"), "--json"]))
    assert expect in err and not (tmp_path / "p.csv").exists()


def test_classify_warns_on_other_languages(tmp_path):
    src = _write_csv(tmp_path / "fr.csv", [("Je suis très content de cette chanson",),
                                           ("C'est magnifique, vraiment une belle mélodie",)], header=("comment",))
    r = classify_file(src, scorer="lexicon")
    assert r["n"] == 2 and any("English-only" in w for w in r["warnings"])


@pytest.mark.parametrize("content, expect", [
    (b"", "empty"),
    (b"\n  \n[Chorus]\n", "no lyric lines"),
    ("caf\xe9 au lait\n".encode("latin-1"), "not UTF-8"),
    (b"la la\x00\x01\x02", "binary"),
], ids=["empty", "markers-only", "latin-1", "binary"])
def test_cli_score_bad_files_are_one_line_errors(tmp_path, content, expect):
    f = tmp_path / "song.txt"
    f.write_bytes(content)
    assert expect in _one_line_error(runner.invoke(app, ["score", str(f), "--scorer", "lexicon", "--json"]))


def test_cli_score_huge_song_is_one_line_error(tmp_path):
    from lyricist.core.config import MAX_SONG_CHARS

    f = tmp_path / "huge.txt"
    f.write_text("la la la love\n" * (MAX_SONG_CHARS // 14 + 10), encoding="utf-8")
    assert "limit" in _one_line_error(runner.invoke(app, ["score", str(f), "--scorer", "lexicon"]))
    f.write_text("x" * (MAX_SONG_CHARS * 5), encoding="utf-8")  # refused before reading it all
    assert "at most" in _one_line_error(runner.invoke(app, ["score", str(f), "--scorer", "lexicon"]))


def test_cli_score_corrupt_or_mismatched_checkpoint(tmp_path, transformer_dir):
    import shutil

    f = tmp_path / "song.txt"
    f.write_text(SONG, encoding="utf-8")
    bad = tmp_path / "bad-transformer"
    shutil.copytree(transformer_dir[0], bad)
    (bad / "model.safetensors").write_bytes(b"\x00" * 64)
    assert "corrupt" in _one_line_error(runner.invoke(app, ["score", str(f), "--model", str(bad)]))
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "config.json").write_text(json.dumps({"kind": "generator", "format_version": 1}))
    assert "not a sentiment model" in _one_line_error(runner.invoke(app, ["score", str(f), "--model", str(wrong)]))
    assert "corrupt" in _one_line_error(runner.invoke(app, ["classify", str(f), "--model", str(bad)]))


def test_cli_train_lr_reaches_the_saved_config(tmp_path, toy_csv):
    doc = _one_json(runner.invoke(app, ["train", "sentiment", "--corpus", str(toy_csv), "--preset", "tiny",
                                        "--arch", "lstm", "--out", str(tmp_path / "l"), "--epochs", "1",
                                        "--lr", "0.0042", "--json"]))
    assert doc["lstm"]["epochs_run"] == 1
    cfg = json.loads((tmp_path / "l" / "config.json").read_text())
    assert cfg["params"]["train"]["lr"] == pytest.approx(0.0042)


def test_lstm_vectors_come_from_folders_or_word2vec_files_never_pickles(tmp_path, lstm_dir):
    from gensim.models import KeyedVectors

    from lyricist.tone.vectors import find_vectors

    kv = KeyedVectors(4)
    kv.add_vectors(["love", "rain"], np.eye(2, 4, dtype=np.float32))
    text = tmp_path / "vectors.txt"
    kv.save_word2vec_format(str(text))
    got, source = find_vectors(text)
    assert source == str(text) and got.index_to_key == ["love", "rain"]
    kv.save(str(tmp_path / "vectors.kv"))
    with pytest.raises(LyricistError, match="gensim pickle.*save_word2vec_format"):
        find_vectors(tmp_path / "vectors.kv")
    with pytest.raises(LyricistError, match="not word vectors"):
        find_vectors(lstm_dir[0])  # a sentiment checkpoint is no vector folder
    with pytest.raises(LyricistError, match="no word vectors"):
        find_vectors(tmp_path / "missing")


def test_cli_classify_default_output_lands_beside_the_input_never_over_it(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    src = _write_csv(data / "fans.csv", [("I love this song",), ("this is awful",)], header=("text",))
    doc = _one_json(runner.invoke(app, ["classify", str(src), "--scorer", "lexicon", "--json"]))
    assert doc["out"] == str(data / "fans.predictions.csv") and (data / "fans.predictions.csv").exists()
    assert not list(cwd.iterdir())
    # an input already named like a predictions file is read, and the predictions go next to it
    again = data / "fans.predictions.csv"
    before = again.read_bytes()
    doc = _one_json(runner.invoke(app, ["classify", str(again), "--scorer", "lexicon", "--json"]))
    assert again.read_bytes() == before and doc["out"] == str(data / "fans.predictions.csv.predictions.csv")
    # --out naming the input itself is refused in one line, and the input is intact
    err = _one_line_error(runner.invoke(app, ["classify", str(src), "--scorer", "lexicon", "--out", str(src)]))
    assert "is the input file" in err and "--out" in err and "I love this song" in src.read_text()


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True])
def test_classify_file_refuses_a_bad_batch_size_and_clamps_a_huge_one(tmp_path, monkeypatch, batch_size):
    from lyricist.tone import bulk

    src = _write_csv(tmp_path / "c.csv", [("I love this song",), ("this is awful",)], header=("text",))
    with pytest.raises(LyricistError, match="batch_size must be a whole number"):
        classify_file(src, scorer="lexicon", batch_size=batch_size)
    monkeypatch.setattr(bulk, "MAX_BATCH", 1)  # a 2**63 batch is clamped: one progress step per text
    steps = []
    assert classify_file(src, scorer="lexicon", batch_size=2 ** 63, progress=lambda f, m: steps.append(m))["n"] == 2
    assert steps[:2] == ["1 texts", "2 texts"]
