"""The Streamlit app, page by page, through ``streamlit.testing.v1.AppTest`` on tiny real checkpoints.

The checkpoints are built once per session (``tiny_checkpoints`` in conftest.py); ``$LYRICIST_CHECKPOINTS`` points the
app at them (AppTest runs the script in this process, so it sees os.environ).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # first runs load MiniLM and the tiny models; later runs take well under a second


@pytest.fixture(scope="module")
def tiny(tiny_checkpoints, use_checkpoints):
    from lyricist.core.hf import torch_threads

    # tiny models decode fastest on one thread, and leave the other core free
    with torch_threads(1), use_checkpoints(tiny_checkpoints):
        yield tiny_checkpoints


def page(name: str) -> AppTest:
    """An AppTest running one page module of lyricist/ui."""
    return AppTest.from_string(f"from lyricist.app.ui import {name}\n{name}.render()\n", default_timeout=TIMEOUT)


def ok(at: AppTest) -> AppTest:
    """The run raised nothing and showed no error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at: AppTest, kind: str = "markdown") -> list[str]:
    return [e.value for e in getattr(at, kind)]


# ----------------------------------------------------------------- the whole app
def test_app_file_runs_and_opens_on_draft(tiny):
    at = ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run())
    assert [h.value for h in at.header] == ["Draft"]
    assert at.button  # the Draft form's submit button is there


# ----------------------------------------------------------------- draft
def test_draft_page_drafts_locks_regenerates_and_exports(tiny):
    at = ok(page("draft").run())
    at.text_input[0].set_value("rain on the window")
    at.selectbox[1].set_value("ABAB")
    at.number_input[1].set_value(4)  # lines
    at.button[0].click()
    ok(at.run())
    doc = at.session_state["draft"]
    assert len(doc["lines"]) == 4 and doc["theme"] == "rain on the window"
    assert "".join(ln["letter"] for ln in doc["lines"]) == "ABAB"
    md = texts(at)
    for ln in doc["lines"]:  # each line shows its syllable count and rhyme letter beside it
        i = md.index(next(m for m in md if m.startswith(f"**{ln['text']}**")))
        assert md[i + 1] == f"`{ln['syllables']}`" and md[i + 2] == f"`{ln['letter']}`"
    assert len(at.checkbox) == 4

    at.checkbox[0].check()
    ok(at.run())
    assert at.session_state["draft"]["lines"][0]["locked"] is True
    first = at.session_state["draft"]["lines"][0]["text"]

    at.button(key="regen_1").click()
    ok(at.run())
    after = at.session_state["draft"]["lines"]
    assert after[0]["text"] == first and after[1]["text"] != doc["lines"][1]["text"]
    assert len(at.session_state["draft_history"]) == 3  # draft, lock, rewrite

    at.button(key="alts_2").click()
    ok(at.run())
    options = at.selectbox(key="pick_2").options
    assert len(options) >= 2 and options[0] == "(keep the current line)"
    at.selectbox(key="pick_2").set_value(options[1])
    ok(at.run())
    assert at.session_state["draft"]["lines"][2]["text"] == options[1]

    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Export .txt", "Export .md"]


def test_draft_exports_are_text_and_markdown():
    from lyricist.app.ui.draft import as_markdown, as_text

    doc = {"theme": "rain", "scheme": "AABB", "syllables": 6, "mood": "sad",
           "lines": [{"text": "the rain | the pain", "syllables": 4, "letter": "A"},
                     {"text": "again", "syllables": 2, "letter": "A"}]}
    assert as_text(doc) == "the rain | the pain\nagain\n"
    md = as_markdown(doc)
    assert md.startswith("# rain\n") and "| 1 | the rain \\| the pain | 4 | A |" in md and "mood sad" in md


def test_draft_continues_from_the_users_lines(tiny):
    at = ok(page("draft").run())
    at.text_area[0].set_value("I left the porch light on for you\nand waited by the door all night")
    at.number_input(key="cont_seed")  # the continue form is there
    at.button[1].click()  # Continue
    ok(at.run())
    lines = at.session_state["draft"]["lines"]
    assert [ln["text"] for ln in lines[:2]] == ["I left the porch light on for you",
                                                 "and waited by the door all night"]
    assert len(lines) == 6 and lines[0]["locked"] and not lines[2]["locked"]

    next(b for b in at.button if b.label == "Add 2 lines").click()
    ok(at.run())
    assert len(at.session_state["draft"]["lines"]) == 8
    history = at.session_state["draft_history"]
    assert [h["note"] for h in history] == ["continued from your lines", "added 2 lines"]
    at.selectbox[-1].set_value(0)  # history: go back to the first draft
    next(b for b in at.button if b.label == "Restore this draft").click()
    ok(at.run())
    assert len(at.session_state["draft"]["lines"]) == 6


def test_empty_state_offers_to_train(tmp_path, use_checkpoints):
    with use_checkpoints(tmp_path / "none"):
        at = ok(page("draft").run())
        assert any("No generator model yet" in i.value for i in at.info)
        assert "Train the default models" in [b.label for b in at.button]
        at = ok(page("explore").run())
        assert any("No embeddings" in i.value for i in at.info)


# ----------------------------------------------------------------- tone
def test_tone_page_scores_a_known_song(tiny):
    from lyricist.lang.corpus import parse_song
    from lyricist.app.ui.common import example_song

    song = example_song()
    n_lines = sum(1 for ln in parse_song(song).lines if ln.text.strip())
    n_sections = sum(1 for ln in song.splitlines() if ln.strip().startswith("["))
    at = ok(page("tone").run())
    assert not at.get("plotly_chart")  # nothing to show before there are lyrics
    at.button(key="tone_example").click()
    ok(at.run())
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the arc and the emotion bars
    arc = json.loads(charts[0].proto.spec)
    assert arc["layout"]["title"]["text"].startswith("Emotional arc")
    assert len(arc["data"][0]["y"]) == n_lines  # one point per line
    sections, lines = at.dataframe[0].value, at.dataframe[1].value
    assert len(lines) == n_lines and list(lines["line"])[0] == song.splitlines()[1]
    assert len(sections) == n_sections
    assert lines["valence"].between(-1, 1).all()
    assert [m.label for m in at.metric] == ["Mood", "Overall", "Valence", "Arousal"]


def test_tone_page_warns_over_the_limit_and_on_empty_input(tiny):
    from lyricist.core.config import MAX_SONG_CHARS

    at = ok(page("tone").run())
    at.button(key="tone_score").click()
    at.run()
    assert any("Paste some lyrics" in w.value for w in at.warning)
    at.text_area(key="tone_text").set_value("la la la\n" * (MAX_SONG_CHARS // 9 + 1))
    at.run()
    assert any("the limit is 20,000" in w.value for w in at.warning)
    assert not at.get("plotly_chart") and not at.exception


def test_tone_page_shows_library_errors_as_one_line(tiny):
    at = page("tone").run()
    at.text_area(key="tone_text").set_value("[Verse]\n\n[Chorus]\n")
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "no lyric lines" in at.error[0].value


def test_comments_are_classified_into_a_table_and_a_csv(tiny):
    from lyricist.app.ui import common, tone

    data = b"comment,label\nI love this song so much,positive\nthis is awful,negative\nok I guess,neutral\n"
    r, csv_bytes = tone.classify(data, "c.csv", "", common.scorer_key())
    assert r["n"] == 3 and sum(r["counts"].values()) == 3 and len(r["rows"]) == 3
    head, *rows = csv_bytes.decode().splitlines()
    assert head.startswith("text,label,valence") and len(rows) == 3


# ----------------------------------------------------------------- explore
def test_explore_page_lists_neighbours_and_maps_them(tiny):
    at = ok(page("explore").run())
    table = at.dataframe[0].value
    assert 0 < len(table) <= 15 and "heart" not in set(table["word"])
    assert "family" in table.columns  # one word per family; technical words ranked down, so not sorted by similarity
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {tr["name"]: tr for tr in fig["data"]}
    assert names["query"]["text"] == ["heart"] and len(names["neighbours"]["text"]) == len(table)
    assert at.radio(key="ex_space").options == ["blend", "corpus", "general"]
    assert any(m.startswith("odd one out: **") for m in texts(at))


def test_explore_filters_and_errors(tiny):
    at = ok(page("explore").run())
    at.number_input(key="ex_syl").set_value(1)
    ok(at.run())
    assert set(at.dataframe[0].value["syl."]) <= {1}
    at.text_input(key="ex_word").set_value("qwzxv")
    at.run()
    assert not at.exception and at.error and "qwzxv" in at.error[0].value


def test_explore_exports_projector_tsvs(tiny):
    import io
    import zipfile

    at = ok(page("explore").run())
    at.number_input(key="proj_limit").set_value(50)
    at.button(key="proj_go").click()
    ok(at.run())
    z = zipfile.ZipFile(io.BytesIO(at.session_state["proj_zip"]))
    assert sorted(z.namelist()) == ["metadata.tsv", "vectors.tsv"]
    assert len(z.read("vectors.tsv").decode().splitlines()) == 50
    assert z.read("metadata.tsv").decode().startswith("word\tin_corpus")


# ----------------------------------------------------------------- models
def test_models_page_lists_every_model_with_metrics(tiny):
    from lyricist.app.defaults import DEFAULT_KINDS

    at = ok(page("models").run())
    table = at.dataframe[0].value
    assert list(table["model"]) == list(DEFAULT_KINDS)
    assert (table["state"] == "trained").all()
    assert table["data fingerprint"].str.len().gt(0).all()
    assert table.set_index("model").loc["generator", "metric"].startswith("val perplexity")
    assert "Train" in [b.label for b in at.button]


def test_models_page_reports_a_corrupt_checkpoint(tmp_path, use_checkpoints):
    bad = tmp_path / "ck" / "mood"
    bad.mkdir(parents=True)
    (bad / "config.json").write_text("{not json", encoding="utf-8")
    with use_checkpoints(tmp_path / "ck"):
        at = page("models").run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("mood: corrupt")
    assert at.dataframe[0].value.set_index("model").loc["mood", "state"] == "unusable"


def test_models_page_trains_with_progress_and_a_clear_end_state(tmp_path, use_checkpoints):
    with use_checkpoints(tmp_path / "ck"):
        at = ok(page("models").run())
        assert (at.dataframe[0].value["state"] == "missing").all()
        at.multiselect[0].set_value(["mood"])
        at.selectbox[0].set_value("tiny")
        at.button[0].click()  # the form's Train button
        ok(at.run())
        assert len(at.success) == 1 and at.success[0].value.startswith("Trained mood in ")
        assert at.session_state["last_training"]["trained"]["mood"]["cv_macro_f1"] is not None
        assert (tmp_path / "ck" / "mood" / "config.json").is_file()
        at = ok(page("models").run())  # a fresh visit lists it as trained
        assert at.dataframe[0].value.set_index("model").loc["mood", "state"] == "trained"


# ----------------------------------------------------------------- uploads
def test_uploaders_advertise_what_their_page_accepts(tiny):
    from lyricist.app.defaults import MAX_UPLOAD_MB, SONG_UPLOAD_MB

    at = ok(page("tone").run())
    song, comments = at.file_uploader(key="tone_upload"), at.file_uploader(key="comments_upload")
    assert song.proto.max_upload_size_mb == SONG_UPLOAD_MB == 1  # the hint reads "1MB per file", not 200MB
    assert comments.proto.max_upload_size_mb == MAX_UPLOAD_MB
    assert song.allowed_type == [".txt"]


def test_song_upload_refuses_binary_and_oversized_files(tiny):
    from lyricist.core.config import MAX_SONG_CHARS

    at = ok(page("tone").run())
    at.file_uploader(key="tone_upload").upload("cover.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain")
    at.run()
    assert not at.exception and len(at.error) == 1 and "looks binary" in at.error[0].value
    assert at.session_state["tone_text"] == ""
    for name, data, said in [("long.txt", b"la la la\n" * (MAX_SONG_CHARS // 2), "the limit is 80,000 bytes"),
                             ("wide.txt", b"la " * (MAX_SONG_CHARS // 3 + 10), "the limit is 20,000")]:
        at = page("tone").run()
        at.file_uploader(key="tone_upload").upload(name, data, "text/plain")
        at.run()
        assert not at.exception and len(at.error) == 1 and said in at.error[0].value, [e.value for e in at.error]
        assert "\n" not in at.error[0].value and at.session_state["tone_text"] == ""


def test_a_good_song_upload_fills_the_lyrics(tiny):
    at = ok(page("tone").run())
    at.file_uploader(key="tone_upload").upload("song.txt", "[Verse]\nI walk alone in the rain\n".encode(), "text/plain")
    ok(at.run())
    assert at.session_state["tone_text"].startswith("[Verse]\nI walk alone")


def test_comments_upload_refuses_a_binary_file(tiny):
    at = ok(page("tone").run())
    at.file_uploader(key="comments_upload").upload("comments.csv", b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)))
    at.run()
    assert not at.exception and len(at.error) == 1 and "looks binary" in at.error[0].value


def test_corpus_upload_refuses_a_binary_file_before_training(tmp_path, use_checkpoints):
    with use_checkpoints(tmp_path / "ck"):
        at = ok(page("models").run())
        at.radio[0].set_value("upload my own")
        for name, data, said in [("songs.csv.gz", b"not gzip at all", "not a gzip file"),
                                 ("song.txt", b"\x00\x01\x02" * 100, "looks binary")]:
            at.file_uploader[0].set_value([("ok.txt", b"Title: ok\n[Verse]\nla la\n", "text/plain"),
                                           (name, data, "application/octet-stream")])
            at.button[0].click()
            at.run()
            assert not at.exception and len(at.error) == 1 and said in at.error[0].value, [e.value for e in at.error]
            assert not at.success and "last_training" not in at.session_state
    assert at.file_uploader[0].proto.max_upload_size_mb == 50


def test_upload_checks_and_safe_names(tmp_path):
    from lyricist.app.ui.common import (COMMENT_TYPES, CORPUS_TYPES, save_upload, shown_name, upload_problem,
                                        upload_suffix)

    assert upload_problem("c.csv", b"text,label\nok,positive\n", COMMENT_TYPES, 1000) is None
    assert "the limit is 10 bytes" in upload_problem("c.csv", b"x" * 11, COMMENT_TYPES, 10)
    assert "the limit is 50 MB" in upload_problem("c.csv", b"x" * (50 * 2**20 + 1), COMMENT_TYPES, 50 * 2**20)
    assert "looks binary" in upload_problem("c.csv", b"\x7fELF\x02\x01\x01", COMMENT_TYPES, 1000)
    assert "looks binary" in upload_problem("c.txt", bytes(range(1, 32)) * 4, COMMENT_TYPES, 1000)
    assert upload_problem("c.csv", "café, naïve; 日本語\n".encode(), COMMENT_TYPES, 1000) is None
    assert upload_suffix("a.JSON", CORPUS_TYPES) == ".json" and upload_suffix("a.exe", CORPUS_TYPES) is None
    assert upload_suffix("a.csv.gz", COMMENT_TYPES) is None  # the comments uploader takes no .gz
    assert shown_name("C:\\Users\\me\\[x](javascript:alert(1)).csv") == "x(javascript:alert(1)).csv"

    class Up:
        def __init__(self, name, data):
            self.name, self.data = name, data

        def getvalue(self):
            return self.data

    (tmp_path / "corpus").mkdir()
    for name in ("../../escape.csv", "/etc/passwd.txt", "songs.csv.gz", "con.txt\x00.sh.txt"):
        p = save_upload(Up(name, b"x"), tmp_path / "corpus", CORPUS_TYPES)
        assert p.parent == tmp_path / "corpus" and p.name.startswith("upload-") and p.read_bytes() == b"x"
        assert p.name.endswith(upload_suffix(name, CORPUS_TYPES))
    assert sorted(q.name for q in tmp_path.iterdir()) == ["corpus"]  # nothing written outside the folder
