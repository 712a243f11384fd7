"""Word embeddings: tiny training, distillation, the blend, filters, analogies, maps, export, eval, CLI."""

import dataclasses
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors
from typer.testing import CliRunner

from lyricist.core.checkpoint import read_config
from lyricist.app.cli import app
from lyricist.core.config import bundled_corpus
from lyricist.explore.train_general import DISTIL_PRESETS, build_general_vectors, general_vocabulary
from lyricist.explore.api import evaluate_embeddings, load_space
from lyricist.explore.space import WordSpace
from lyricist.explore.train import EmbeddingConfig, auto_epochs, auto_min_count, train_embeddings
from lyricist.explore.vectors import SOUNDS_FILE, load_vectors, open_checkpoint
from lyricist.explore.words import dictionary_words, inflections, is_inflection, word_sounds
from lyricist.core.errors import LyricistError
from lyricist.lang.prosody import is_rhyme, syllables

# Words the tests query; the tiny general vocabulary (300 most frequent words) gets them on top.
EXTRA = ["heart", "fire", "desire", "higher", "wire", "liar", "choir", "admire", "love", "loved", "loves",
         "loving", "lovely", "happy", "glad", "joyful", "table", "chair", "sad", "rain", "storm", "thunder",
         "guitar", "night", "light", "bright", "man", "woman", "king", "queen",
         # more rhymes of "fire", names among them, so that "rhymes that fit a meaning" has to rank and filter
         "tire", "retire", "empire", "spire", "squire", "buyer", "dryer", "entire", "hire", "require", "acquire",
         "mcguire", "dwyer", "maguire", "friar", "umpire", "flier"]
NAMES = {"mcguire", "dwyer", "maguire"}


@pytest.fixture(autouse=True)
def _no_user_checkpoints(tmp_path_factory, monkeypatch):
    """Tests never pick up models from ./checkpoints: the default lookup points at an empty folder."""
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path_factory.mktemp("no-checkpoints")))


@pytest.fixture(scope="module")
def general_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gv") / "general-vectors"
    build_general_vectors(out, preset="tiny", extra_words=EXTRA)
    return out


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("emb") / "embeddings"
    cfg = EmbeddingConfig(vector_size=32, epochs=5, min_count=1, workers=1)
    info = train_embeddings([bundled_corpus()], cfg=cfg, out_dir=out, general=False)
    return out, info


@pytest.fixture(scope="module")
def space(corpus_dir, general_dir):
    return load_space(corpus_dir[0], general_dir)


def _kv(words, vecs, counts=None):
    kv = KeyedVectors(len(vecs[0]))
    kv.add_vectors(list(words), np.array(vecs, dtype=np.float32))
    if counts is not None:
        kv.expandos["count"] = np.array(counts, dtype=np.int64)
    return kv


# ----------------------------------------------------------------- config and training
def test_config_validates_and_scales_with_corpus_size():
    with pytest.raises(LyricistError):
        EmbeddingConfig(sg=2)
    with pytest.raises(LyricistError):
        EmbeddingConfig(vector_size=1)
    assert auto_min_count(20_000) == 1 and auto_min_count(10_000_000) == 5
    assert auto_epochs(20_000) == 50 and auto_epochs(50_000_000) == 5
    assert auto_epochs(200_000) > auto_epochs(2_000_000)


def test_train_round_trip(corpus_dir):
    out, info = corpus_dir
    conf = read_config(out, "embeddings")
    kv = KeyedVectors.load(str(out / "vectors.kv"))  # the plain gensim API reads the checkpoint
    assert len(kv) == info["vocab_size"] == conf["vocab_size"] > 1000
    assert conf["params"]["vector_size"] == kv.vector_size == 32
    assert len(conf["fingerprint"]) == 16 and conf["tokens"] == info["tokens"] > 10_000
    assert conf["train_seconds"] >= 0 and (out / "metrics.json").is_file()
    # apostrophe forms are kept whole, counts are stored for the blend
    assert "don't" in kv.key_to_index and kv.get_vecattr("the", "count") > 100
    assert not (out.parent / f".{out.name}.train_state").exists()


def test_training_is_deterministic_with_one_worker(tmp_path, corpus_dir):
    cfg = EmbeddingConfig(vector_size=32, epochs=5, min_count=1, workers=1)
    train_embeddings([bundled_corpus()], cfg=cfg, out_dir=tmp_path / "again", general=False)
    a = load_vectors(corpus_dir[0])
    b = load_vectors(tmp_path / "again")
    assert a.index_to_key == b.index_to_key
    np.testing.assert_allclose(a.vectors, b.vectors)


def test_too_small_corpus_and_missing_path(tmp_path):
    (tmp_path / "s.txt").write_text("title: x\n\nla la la\n", encoding="utf-8")
    with pytest.raises(LyricistError, match="at least"):
        train_embeddings([tmp_path], preset="tiny", out_dir=tmp_path / "m", general=False)
    with pytest.raises(LyricistError):
        train_embeddings([tmp_path / "nope"], preset="tiny", out_dir=tmp_path / "m", general=False)
    assert not (tmp_path / "m").exists()


def _songs(folder, n=12):
    """Distinct small songs (different opening words, so none is dropped as a near-duplicate)."""
    folder.mkdir()
    openers = ["amber", "silver", "golden", "crimson", "velvet", "hollow", "restless", "quiet", "wild", "lonely",
               "neon", "dusty"]
    for i in range(n):
        w = openers[i % len(openers)]
        lines = [f"{w} morning and my broken heart", f"{w} river takes the broken heart away",
                 "a broken heart sings the blues tonight", f"rain and thunder over {w} town"]
        (folder / f"s{i}.txt").write_text(f"title: {w} song\n\n[Verse]\n" + "\n".join(lines), encoding="utf-8")
    return folder


def test_phrases_join_frequent_pairs(tmp_path):
    songs = _songs(tmp_path / "songs")
    cfg = EmbeddingConfig(vector_size=16, epochs=2, min_count=1, workers=1, phrases=True, phrase_min_count=3,
                          phrase_threshold=1.0)
    info = train_embeddings([songs], cfg=cfg, out_dir=tmp_path / "m", general=False)
    assert info["phrases"] >= 1
    assert "broken_heart" in load_vectors(tmp_path / "m").key_to_index


def test_resume_continues_an_interrupted_run(tmp_path):
    songs = _songs(tmp_path / "songs")
    cfg = EmbeddingConfig(vector_size=16, epochs=6, min_count=1, workers=1)
    out = tmp_path / "m"

    def crash(fraction, message):
        if message == "epoch 3/6":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_embeddings([songs], cfg=cfg, out_dir=out, general=False, state_every_s=0, progress=crash)
    state = tmp_path / ".m.train_state"
    assert json.loads((state / "state.json").read_text())["epochs_done"] == 2 and not out.exists()
    with pytest.raises(LyricistError, match="another corpus or other settings"):
        train_embeddings([songs], cfg=EmbeddingConfig(vector_size=16, epochs=7, min_count=1, workers=1),
                         out_dir=out, general=False, resume=True)
    seen = []
    info = train_embeddings([songs], cfg=cfg, out_dir=out, general=False, resume=True,
                            progress=lambda f, m: seen.append(m), log=seen.append)
    assert "resuming after epoch 2/6" in seen and "epoch 6/6" in seen and "epoch 1/6" not in seen
    assert info["epochs"] == 6 and not state.exists() and len(load_vectors(out)) == info["vocab_size"]


def test_interrupted_retrain_leaves_the_old_model_whole(tmp_path, monkeypatch):
    import lyricist.explore.train as emb

    songs = _songs(tmp_path / "songs")
    out = tmp_path / "m"
    cfg = EmbeddingConfig(vector_size=16, epochs=2, min_count=1, workers=1)
    train_embeddings([songs], cfg=cfg, out_dir=out, general=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(*args, **kwargs):  # dies halfway through writing: the new vectors are already saved
        raise KeyboardInterrupt

    monkeypatch.setattr(emb, "write_config", crash)
    with pytest.raises(KeyboardInterrupt):
        train_embeddings([songs], cfg=dataclasses.replace(cfg, vector_size=8), out_dir=out, general=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "songs"]  # no half-written folder left
    assert load_vectors(out).vector_size == 16


def test_corrupt_and_wrong_kind_checkpoints(tmp_path, corpus_dir, general_dir):
    with pytest.raises(LyricistError, match="no embeddings checkpoint"):
        load_vectors(tmp_path / "missing")
    with pytest.raises(LyricistError, match="not embeddings"):
        load_vectors(general_dir)  # a general-vectors folder where corpus embeddings are expected
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("config.json", "vectors.keys.json"):
        (bad / name).write_text((corpus_dir[0] / name).read_text())
    (bad / "vectors.kv.vectors.npy").write_bytes(b"not an array")
    with pytest.raises(LyricistError, match="corrupt"):
        load_vectors(bad)
    old = tmp_path / "old"  # written before the pickle-free word list: refused, with the fix
    shutil.copytree(corpus_dir[0], old)
    (old / "vectors.keys.json").unlink()
    with pytest.raises(LyricistError, match="older lyricist.*lyricist train embeddings"):
        load_vectors(old)


class _Bomb:
    """Unpickling this writes a file: proof that a loader ran a pickle."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "unpickled"))


def test_lyricist_never_unpickles_a_checkpoint(tmp_path, corpus_dir):
    import pickle

    ref = KeyedVectors.load(str(corpus_dir[0] / "vectors.kv"))
    kv = load_vectors(corpus_dir[0])
    assert kv.index_to_key == ref.index_to_key and np.allclose(kv.vectors, ref.vectors)
    assert kv.get_vecattr("the", "count") == ref.get_vecattr("the", "count")
    assert kv.most_similar("love", topn=3) == ref.most_similar("love", topn=3)
    evil = tmp_path / "evil"
    shutil.copytree(corpus_dir[0], evil)
    marker = tmp_path / "pwned"
    (evil / "vectors.kv").write_bytes(pickle.dumps(_Bomb(str(marker))))
    assert len(load_vectors(evil)) == len(ref)
    assert not marker.exists()


# ----------------------------------------------------------------- distillation
def test_general_vocabulary_is_frequency_ordered_plain_words():
    v = general_vocabulary(300, 0.0, extra=["Desire"])
    assert v[:3] == ["the", "to", "and"] and v[-1] == "desire"
    assert all(w.replace("'", "").isalpha() and w == w.lower() for w in v)


def test_distilled_vectors_make_sense(general_dir):
    conf = read_config(general_dir, "general-vectors")
    kv = KeyedVectors.load(str(general_dir / "vectors.kv"))
    assert conf["params"]["pooling"] == "mean" and conf["dim"] == kv.vector_size == 32
    assert {"happy", "glad", "table", "desire"} <= set(kv.key_to_index)
    assert kv.similarity("happy", "glad") > kv.similarity("happy", "table")
    assert kv.similarity("rain", "storm") > kv.similarity("rain", "guitar")
    assert kv.get_vecattr("the", "count") > kv.get_vecattr("desire", "count")  # frequency per billion


def test_distil_presets_cover_the_brief():
    d = DISTIL_PRESETS["default"]
    assert d.vocab_size >= 20000 and d.cmu_min_zipf > 0 and d.dim == 256


# ----------------------------------------------------------------- the blend rule, on hand-made spaces
def test_blend_rule_known_answers():
    general = _kv(["a", "b", "c"], [[1, 0], [0.6, 0.8], [0, 1]])
    corpus = _kv(["a", "b", "x"], [[1, 0], [1, 0], [0, 1]], counts=[20, 1000, 20])
    ws = WordSpace(corpus, general, corpus_weight=0.5, half_count=20)
    # both words in both spaces: w = 0.5 * 20 / (20 + 20) = 0.25 (the rarer word has count 20)
    assert ws.similarity("a", "b") == pytest.approx(0.25 * 1.0 + 0.75 * 0.6, abs=1e-6)
    assert ws.similarity("a", "b", "corpus") == pytest.approx(1.0, abs=1e-6)
    assert ws.similarity("a", "b", "general") == pytest.approx(0.6, abs=1e-6)
    # the corpus lacks c: general cosine; only the corpus has x: shrunk corpus cosine
    assert ws.similarity("b", "c") == pytest.approx(0.8, abs=1e-6)
    assert ws.similarity("a", "x") == pytest.approx(0.0, abs=1e-6)
    assert ws.similarity("b", "x") == pytest.approx(0.0, abs=1e-6)
    assert math.isnan(ws.similarity("c", "x"))  # no shared space
    assert ws.keys == ["a", "b", "c", "x"]


def test_analogy_3cosmul_known_answer():
    words = ["man", "woman", "king", "queen", "apple", "prince"]
    vecs = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0.2]]
    ws = WordSpace(None, _kv(words, vecs))
    ans = ws.analogy("man", "woman", "king", topn=2, space="general")
    assert ans[0][0] == "queen" and all(w not in ("man", "woman", "king") for w, _ in ans)
    with pytest.raises(LyricistError, match="topn"):
        ws.analogy("man", "woman", "king", topn=0)


def test_odd_one_out_between_and_axis():
    words = ["rain", "storm", "thunder", "guitar", "happy", "sad", "party", "funeral", "cloud"]
    vecs = [[1, 0, 0], [0.9, 0.1, 0], [0.95, 0, 0.05], [0, 1, 0], [0, 0.2, 1], [0.2, 0, -1], [0, 0.5, 0.8],
            [0.3, 0, -0.9], [0.7, 0.7, 0]]
    ws = WordSpace(None, _kv(words, vecs))
    odd, scores = ws.odd_one_out(["rain", "storm", "thunder", "guitar"])
    assert odd == "guitar" and [w for w, _ in scores] == ["rain", "storm", "thunder", "guitar"]
    assert ws.between("rain", "guitar", topn=1)[0][0] == "cloud"
    placed = [w for w, _ in ws.axis(["funeral", "party", "rain"], negative="sad", positive="happy")]
    assert placed == ["party", "rain", "funeral"]
    with pytest.raises(LyricistError, match="at least 3"):
        ws.odd_one_out(["rain", "storm"])


# ----------------------------------------------------------------- inflections
def test_inflections_exclude_forms_not_derivations():
    assert {"loved", "loves", "lovin'", "loving", "love's"} <= inflections("love")
    assert "lovely" not in inflections("love") and "lover" not in inflections("love")
    assert is_inflection("love", "lovin'") and is_inflection("cry", "cried") and is_inflection("loved", "love")
    assert not is_inflection("love", "lovely") and not is_inflection("heart", "hearth")


def test_rhyme_rows_treat_lovin_and_loving_as_one_word():
    """lovin' is loving as it is sung: the rhymes of either never offer the other.

    A copy of the 'same word' test once turned lovin' into "loviing", so loving came back
    as a near rhyme of lovin'; the rhyme rows now use lyricist.lang.prosody.word_identity.
    """
    words = ["lovin'", "loving", "shovin'", "shoving", "heart"]
    ws = WordSpace(None, _kv(words, np.eye(len(words)).tolist()))

    def rhymes(target, near):
        return {ws.keys[i] for i in ws.rhyme_rows(target, near=near)}

    assert rhymes("lovin'", False) == {"shovin'"} and rhymes("loving", False) == {"shoving"}
    assert rhymes("lovin'", True) == rhymes("loving", True) == {"shovin'", "shoving"}  # near: -in' ~ -ing
    for target, other in (("lovin'", "loving"), ("loving", "lovin'")):
        found = [w for w, _ in ws.similar("heart", rhymes_with=target, near=True, topn=10, dictionary_only=False)]
        assert found and other not in found and target not in found


# ----------------------------------------------------------------- the sound index
def test_sound_index_known_answers():
    s = word_sounds(["fire", "desire", "mcguire", "lovin'", "france", "eye's", "broken_heart"])
    assert list(s["rhymes"][:2]) == ["AY ER|AY R", "AY ER"] and s["rhymes"][3] == "AH V IH N"
    assert list(s["syllables"]) == [2, 3, 2, 2, 1, 1, 3] and s["lemma"][3] == "love"
    # dictionary words only: no surname, no place name (WordNet lists it, Brill only capitalised), no possessive
    assert list(s["dictionary"]) == [True, True, False, True, False, False, False]
    d = dictionary_words()
    assert {"desire", "desires", "inspire", "choir"} <= d and not {"of", "mcguire", "dwyer"} & d


def test_checkpoints_carry_the_index_and_open_without_gensim(corpus_dir, general_dir, tmp_path):
    import shutil

    for folder, kind in ((corpus_dir[0], "embeddings"), (general_dir, "general-vectors")):
        assert (folder / SOUNDS_FILE).is_file() and (folder / "vectors.kv.vectors.npy").is_file()
        kv, snd = open_checkpoint(folder, kind)
        assert type(kv).__name__ == "_PlainVectors"  # the fast path: keys and counts from sounds.npz
        ref = load_vectors(folder, kind)
        assert kv.index_to_key == ref.index_to_key and np.allclose(kv.vectors, ref.vectors)
        assert len(snd["rhymes"]) == len(ref)
    # a corrupt index is ignored (gensim opens the vectors) and rewritten
    copy = tmp_path / "emb"
    shutil.copytree(corpus_dir[0], copy)
    (copy / SOUNDS_FILE).write_bytes(b"garbage")
    kv, snd = open_checkpoint(copy)
    assert type(kv).__name__ == "KeyedVectors" and len(snd["lemma"]) == len(kv)
    assert type(open_checkpoint(copy)[0]).__name__ == "_PlainVectors"


# ----------------------------------------------------------------- filters on the tiny real spaces
def test_rhymes_that_fit_a_meaning(space):
    """heart + rhymes with fire: only rhymes, no surnames, and "desire" near the top.

    The tiny spaces know 21 rhymes of "fire", three of them surnames; a random order of
    the 18 others would put desire in the top 3 one time in six.
    """
    res = [w for w, _ in space.similar("heart", rhymes_with="fire", topn=10)]
    assert len(res) == 10 and all(is_rhyme("fire", w) for w in res)
    assert not NAMES & set(res)
    assert "desire" in res[:3], res
    loose = [w for w, _ in space.similar("heart", rhymes_with="fire", topn=40, dictionary_only=False)]
    assert NAMES & set(loose)  # the names are there to be filtered


def test_rhyme_filter_returns_only_rhymes(space):
    res = space.similar("heart", rhymes_with="fire", topn=10)
    assert res and all(is_rhyme("fire", w) for w, _ in res)
    assert [s for _, s in res] == sorted((s for _, s in res), reverse=True)
    near = space.similar("heart", rhymes_with="fire", near=True, topn=30)
    assert len(near) >= len(res) and all(is_rhyme("fire", w, near=True) for w, _ in near)


def test_syllable_filter_and_combined(space):
    res = space.similar("night", syllables=2, topn=10)
    assert len(res) == 10 and all(syllables(w) == 2 for w, _ in res)
    both = space.similar("heart", rhymes_with="fire", syllables=2, topn=10)
    assert all(syllables(w) == 2 and is_rhyme("fire", w) for w, _ in both)
    with pytest.raises(LyricistError, match="syllables"):
        space.similar("night", syllables=0)


def test_no_inflections_of_the_query(space):
    for sp in ("blend", "corpus", "general"):
        res = [w for w, _ in space.similar("love", topn=40, space=sp)]
        assert not {"love", "loved", "loves", "loving", "lovin'", "love's"} & set(res), sp
    kept = [w for w, _ in space.similar("love", topn=300, space="general", exclude_inflections=False)]
    assert {"loved", "loves", "loving"} <= set(kept)


def test_unknown_word_suggests_spellings(space):
    with pytest.raises(LyricistError) as e:
        space.similar("hart")
    msg = str(e.value)
    assert "unknown word 'hart'" in msg and "did you mean" in msg and "heart" in msg and "\n" not in msg
    with pytest.raises(LyricistError, match="no word given"):
        space.similar("  ")
    with pytest.raises(LyricistError, match="unknown space"):
        space.similar("heart", space="nowhere")


def test_spaces_and_vocabulary(space, corpus_dir):
    assert space.has_corpus and space.has_general
    assert space.in_space("don't", "corpus") and space.in_space("desire", "general")
    # corpus words the general list lacks still have a blend vector (corpus first)
    only_corpus = [w for w in load_vectors(corpus_dir[0]).index_to_key if not space.in_space(w, "general")]
    assert only_corpus and space.in_space(only_corpus[0], "blend")
    assert load_space(corpus_dir[0], space.general_dir) is space  # cached by folder and mtime


# ----------------------------------------------------------------- maps and export
def test_map_figure_has_the_points(space):
    fig = space.map_figure(["rain", "storm", "guitar", "zzzzqx"], query="heart", topn=5)
    names = {t.name: list(t.text) for t in fig.data}
    assert names["query"] == ["heart"] and len(names["neighbours"]) == 5
    assert {"rain", "storm", "guitar"} <= set(names["words"])  # unknown words are skipped
    tsne = space.map_figure(query="night", topn=8, method="tsne")
    assert sum(len(t.x) for t in tsne.data) == 9
    with pytest.raises(LyricistError, match="pca or tsne"):
        space.map_figure(query="night", method="umap")
    with pytest.raises(LyricistError, match="smaller topn"):  # the fuzz's topn=2**63 once took 79 s
        space.map_figure(query="night", topn=2 ** 63)
    with pytest.raises(LyricistError, match="fewer words"):
        space.map_figure(["rain"] * 501)


def test_projector_export(space, tmp_path):
    vp, mp = space.export_projector(tmp_path / "proj", limit=200)
    rows = vp.read_text().splitlines()
    meta = mp.read_text().splitlines()
    assert len(rows) == 200 and len(meta) == 201 and meta[0] == "word\tin_corpus\tcorpus_count\tsyllables"
    assert len(rows[0].split("\t")) == 32 + 32 and meta[1].split("\t")[1] == "yes"
    vg, _ = space.export_projector(tmp_path / "g", space="general", words=["heart", "fire"])
    assert [len(r.split("\t")) for r in vg.read_text().splitlines()] == [32, 32]


# ----------------------------------------------------------------- eval
def test_evaluate_embeddings_keys(corpus_dir, general_dir):
    r = evaluate_embeddings(corpus_dir[0], general_dir, restrict_vocab=30000)
    assert r["spaces"] == ["corpus", "general", "blend"]
    for key in ("wordsim353", "simlex999", "analogy"):
        assert set(r[key]) == {"corpus", "general", "blend"}
    w = r["wordsim353"]["corpus"]
    assert w["total"] == 353 and 0 < w["oov_share"] < 1 and -1 <= w["spearman"] <= 1
    a = r["analogy"]["blend"]
    assert a["total"] == 19544 and 0 <= a["oov_share"] <= 1


# ----------------------------------------------------------------- CLI
runner = CliRunner()


def _json(result):
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stdout  # exactly one JSON document
    return json.loads(lines[0])


def test_cli_similar_json(corpus_dir, general_dir):
    args = ["--model", str(corpus_dir[0]), "--general-vectors", str(general_dir), "--json"]
    r = runner.invoke(app, ["similar", "heart", "--rhymes-with", "fire", "--topn", "5", *args])
    assert r.exit_code == 0, r.output
    doc = _json(r)
    assert doc["word"] == "heart" and doc["space"] == "blend" and doc["neighbours"]
    assert all(is_rhyme("fire", n["word"]) and {"word", "score", "syllables"} <= set(n) for n in doc["neighbours"])
    r = runner.invoke(app, ["analogy", "man", "king", "woman", *args])
    assert r.exit_code == 0, r.output
    assert {"a", "b", "c", "answers"} <= set(_json(r))


def test_cli_unknown_word_and_bad_checkpoint_exit_2(corpus_dir, general_dir, tmp_path):
    r = runner.invoke(app, ["similar", "hart", "--model", str(corpus_dir[0]), "--general-vectors", str(general_dir),
                            "--json"])
    assert r.exit_code == 2 and r.stdout == ""
    assert "did you mean" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("config.json", "vectors.keys.json"):
        (bad / name).write_text((corpus_dir[0] / name).read_text())
    (bad / "vectors.kv.vectors.npy").write_bytes(b"\x00\x01 not vectors")
    r = runner.invoke(app, ["similar", "heart", "--model", str(bad), "--general-vectors", str(general_dir), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "corrupt" in r.stderr and "lyricist train embeddings" in r.stderr
    r = runner.invoke(app, ["similar", "heart", "--rhymes-with", "xzqjw", "--model", str(corpus_dir[0]),
                            "--general-vectors", str(general_dir), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and "cannot rhyme 'xzqjw'" in r.stderr


def test_cli_train_eval_and_explore(tmp_path, general_dir):
    out = tmp_path / "emb"
    r = runner.invoke(app, ["train", "embeddings", "--corpus", str(bundled_corpus()), "--preset", "tiny",
                            "--out", str(out), "--no-general", "--json"])
    assert r.exit_code == 0, r.output
    assert _json(r)["vocab_size"] > 1000
    g = ["--model", str(out), "--general-vectors", str(general_dir)]
    r = runner.invoke(app, ["eval", "embeddings", *g, "--json"])
    assert r.exit_code == 0, r.output
    assert {"wordsim353", "analogy"} <= set(_json(r))
    r = runner.invoke(app, ["explore", "odd-one-out", "rain", "storm", "thunder", "guitar", *g, "--json"])
    assert r.exit_code == 0 and _json(r)["odd"] in {"rain", "storm", "thunder", "guitar"}
    r = runner.invoke(app, ["explore", "export", "--out", str(tmp_path / "p"), "--limit", "50", *g, "--json"])
    assert r.exit_code == 0 and _json(r)["words"] == 50
    r = runner.invoke(app, ["explore", "map", "rain", "storm", "night", "--out", str(tmp_path / "m.html"), *g])
    assert r.exit_code == 0 and (tmp_path / "m.html").stat().st_size > 1000
    r = runner.invoke(app, ["similar", "heart", "--space", "corpus", "--model", str(tmp_path / "none"), "--json"])
    assert r.exit_code == 2 and "no embeddings checkpoint" in r.stderr


def test_map_labels_step_aside_for_each_other():
    from lyricist.explore.plot import label_positions

    # two words on the same spot, and a far one: the second label must not sit on the first
    where = label_positions(np.array([[0.0, 0.0], [0.0, 1e-4], [0.001, 0.0], [9.0, 9.0]]),
                            ["rain", "rainy", "drizzle", "sun"])
    assert len(set(where[:3])) == 3 and where[3] == "top center"
    assert label_positions(np.zeros((0, 2)), []) == []
