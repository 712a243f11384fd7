"""Corpus reading: formats, cleaning, sections, labels, dedup, splits, streaming, stats.

Every fixture is written into ``tmp_path``; nothing here reads shared data.
"""

import csv
import gzip
import json
import subprocess
import sys
import tracemalloc

import pytest

from lyricist.lang import corpus
from lyricist.lang.corpus import readers
from lyricist.lang.corpus import (Line, ReadReport, Record, Song, clean_text, corpus_stats, fingerprint, iter_files,
                             normalize_label, parse_song, read_songs, read_texts, split_of)
from lyricist.core.errors import LyricistError

SONG_A = """title: Paper Boats
artist: The Tests
mood: sad
theme: childhood

[Verse 1]
We folded paper boats
and sent them down the drain

[Chorus]
Sail away, sail away
Nothing stays the same

[Verse 2]
The river kept our secrets
like it keeps the rain

[Chorus]
Sail away, sail away
Nothing stays the same
"""

SONG_B = """title: Neon Run
artist: The Tests
mood: Joyful

Verse 1:
Running through the neon night
every window burning bright

Chorus:
We are alive tonight
(Verse 2)
Morning comes in gold and white
"""


def write(path, text, gz=False, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def write_csv(path, header, rows, delimiter=",", gz=False):
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return write(path, buf.getvalue(), gz=gz)


@pytest.fixture
def song_dir(tmp_path):
    d = tmp_path / "songs"
    d.mkdir()
    write(d / "paper_boats.txt", SONG_A)
    write(d / "neon_run.txt", SONG_B)
    write(d / "README.md", "# not a song")
    return d


# ----------------------------------------------------------------- txt songs, cleaning, sections
def test_txt_folder_headers_and_sections(song_dir):
    rep = ReadReport()
    songs = {s.title: s for s in read_songs([song_dir], report=rep)}
    assert set(songs) == {"Paper Boats", "Neon Run"} and rep.files == 2 and rep.kept == 2
    a = songs["Paper Boats"]
    assert (a.artist, a.mood, a.meta) == ("The Tests", "sad", {"theme": "childhood"})
    assert [name for name, _ in a.sections()] == ["verse", "chorus", "verse", "chorus"]
    assert a.lines[0] == Line("We folded paper boats", "verse", 0)
    assert a.lines[-1] == Line("Nothing stays the same", "chorus", 3)
    assert not any("[" in ln.text or "title" in ln.text for ln in a.lines)
    assert a.text.split("\n\n")[1] == "Sail away, sail away\nNothing stays the same"
    b = songs["Neon Run"]
    assert b.mood == "happy"
    assert [(n, len(ls)) for n, ls in b.sections()] == [("verse", 2), ("chorus", 1), ("verse", 1)]
    assert b.source.endswith("neon_run.txt")


def test_lrc_tags_and_metadata_are_stripped():
    s = parse_song("[ti: Night Drive]\n[ar: Someone]\n[00:01.00]\n[00:12.34]Headlights on the road\n"
                   "[00:15.20][01:30.00]<00:16.00>Engine hum\n[length: 03:20]")
    assert [ln.text for ln in s.lines] == ["Headlights on the road", "Engine hum"]
    assert (s.title, s.artist) == ("Night Drive", "Someone")


@pytest.mark.parametrize("marker, kind", [
    ("[Chorus]", "chorus"), ("[Verse 2]", "verse"), ("[Pre-Chorus]", "pre-chorus"), ("(Chorus)", "chorus"),
    ("Chorus:", "chorus"), ("Verse 1:", "verse"), ("[Bridge: Some Artist]", "bridge"), ("[Hook]", "hook"),
    ("(Verse 2)", "verse"), ("REPEAT CHORUS", "chorus"), ("(Chorus x2)", "chorus"), ("[Refrain]", "refrain"),
    ("Intro", "intro"), ("[Outro]", "outro"),
])
def test_section_markers_become_structure(marker, kind):
    s = parse_song(f"{marker}\nla la la")
    assert [(ln.text, ln.section) for ln in s.lines] == [("la la la", kind)]


def test_lyric_lines_that_look_like_markers_stay_text():
    s = parse_song("(oooh)\nHooked on a feeling\nChorus: of birds at dawn\n[Instrumental]\nBridge over water")
    assert [ln.text for ln in s.lines] == ["(oooh)", "Hooked on a feeling", "Chorus: of birds at dawn",
                                          "Bridge over water"]
    assert {ln.section for ln in s.lines} == {""}


def test_stanzas_without_markers_and_line_endings():
    for nl in ("\n", "\r\n", "\r"):
        s = parse_song(nl.join(["", "one", "two", "", "", "three", ""]))
        assert [(ln.text, ln.section, ln.section_index) for ln in s.lines] == [
            ("one", "", 0), ("two", "", 0), ("three", "", 1)]
        assert s.text == "one\ntwo\n\nthree"


def test_clean_text_known_answers():
    assert clean_text("[00:12.34]It\u2019s  a \u201cnew\u201d\tday \r\n[01:02] next ") == 'It\'s a "new" day\nnext'
    assert clean_text("\u200bCafe\u0301") == "Caf\u00e9"  # zero-width space gone, NFC
    assert clean_text("") == ""


def test_parse_song_headers_and_unknown_mood_is_lenient():
    s = parse_song("title: Rain\nmood: dreamy\n\nGrey sky")
    assert (s.title, s.mood, s.meta, [ln.text for ln in s.lines]) == ("Rain", None, {"mood": "dreamy"},
                                                                      ["Grey sky"])
    assert parse_song("Grey sky", mood="calm").mood == "relaxed"


def test_txt_unknown_mood_raises(tmp_path):
    write(tmp_path / "a.txt", "mood: dreamy\n\nGrey sky")
    with pytest.raises(LyricistError, match="a.txt: unknown mood label 'dreamy'.*happy/angry/sad/relaxed.*--label-map"):
        list(read_songs([tmp_path / "a.txt"]))
    assert next(read_songs([tmp_path], label_map={"dreamy": "calm"})).mood == "relaxed"


def test_big_txt_is_skipped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_SONG_BYTES", 100)  # read where _read_txt looks it up
    write(tmp_path / "big.txt", "la " * 100)
    write(tmp_path / "ok.txt", "la di da")
    rep = ReadReport()
    assert [s.title for s in read_songs([tmp_path], report=rep)] == ["ok"]
    assert any("big.txt" in w for w in rep.warnings)


# ----------------------------------------------------------------- tables, gz, columns
@pytest.mark.parametrize("gz", [False, True])
def test_csv_songs_auto_columns(tmp_path, gz):
    p = write_csv(tmp_path / "songs.csv", ["ID", "Title", "Artist", "Lyrics", "Mood", "Year"],
                  [[1, "Glass", "Ana", "[Verse]\nclear as glass\n\n[Chorus]\nbreak me", "anger", 2001],
                   [2, "Dust", "Bo", "one long line of dust without breaks", "", 1999]], gz=gz)
    songs = list(read_songs([p]))
    assert [(s.title, s.artist, s.mood) for s in songs] == [("Glass", "Ana", "angry"), ("Dust", "Bo", None)]
    assert songs[0].meta == {"ID": "1", "Year": "2001"}
    assert [ln.section for ln in songs[0].lines] == ["verse", "chorus"]
    assert len(songs[1].lines) == 1 and songs[1].source.endswith(":2")


@pytest.mark.parametrize("gz", [False, True])
def test_tsv_texts_with_sst5_labels(tmp_path, gz):
    rows = [[str(i % 5), f"sentence number {i} about films"] for i in range(10)]
    p = write_csv(tmp_path / "sst.tsv", ["label", "sentence"], rows, delimiter="\t", gz=gz)
    recs = list(read_texts([p]))
    assert [r.label for r in recs[:5]] == ["negative", "negative", "neutral", "positive", "positive"]
    assert recs[0].text == "sentence number 0 about films"


@pytest.mark.parametrize("gz", [False, True])
def test_jsonl_texts_and_bad_lines(tmp_path, gz):
    lines = [json.dumps({"comment": "love this chorus", "sentiment": "pos", "likes": 3}),
             "{not json", "[1, 2]",
             json.dumps({"comment": "too long, skipped", "sentiment": "NEG"}), ""]
    p = write(tmp_path / "c.jsonl", "\n".join(lines), gz=gz)
    rep = ReadReport()
    recs = list(read_texts([p], report=rep))
    assert [(r.text, r.label) for r in recs] == [("love this chorus", "positive"), ("too long, skipped", "negative")]
    assert recs[0].meta == {"likes": 3}
    assert len(rep.warnings) == 1 and "2 lines were not a JSON object" in rep.warnings[0]


def test_json_array_file_is_refused(tmp_path):
    p = write(tmp_path / "a.json", json.dumps([{"text": "x"}]))
    with pytest.raises(LyricistError, match="one object per line"):
        list(read_texts([p]))


def test_semicolon_csv_is_sniffed_and_bom_dropped(tmp_path):
    p = write(tmp_path / "c.csv", "\ufefftext;label\nnice one;positive\n")
    assert [(r.text, r.label) for r in read_texts([p])] == [("nice one", "positive")]


def test_text_col_override_and_missing_columns(tmp_path):
    p = write_csv(tmp_path / "x.csv", ["id", "body", "stars"], [[1, "so good", "positive"]])
    with pytest.raises(LyricistError, match="no text column in x.csv: columns are id, body, stars; pass --text-col"):
        list(read_texts([p]))
    assert [r.text for r in read_texts([p], text_col="BODY")] == ["so good"]
    assert [r.label for r in read_texts([p], text_col="body", label_col="stars")] == ["positive"]
    with pytest.raises(LyricistError, match="no column 'words'.*columns are id, body, stars"):
        list(read_texts([p], text_col="words"))
    with pytest.raises(LyricistError, match="no column 'grade'.*--label-col"):
        list(read_texts([p], text_col="body", label_col="grade"))


def test_folder_routes_files_by_text_column(tmp_path, song_dir):
    write_csv(song_dir / "more.csv", ["title", "lyrics"], [["Tide", "the tide comes in"]])
    write_csv(song_dir / "comments.csv", ["comment", "label"], [["great song", "positive"]])
    write_csv(song_dir / "other.csv", ["a", "b"], [["1", "2"]])
    (song_dir / "notes.docx").write_bytes(b"\x00\x01")
    rep = ReadReport()
    assert {s.title for s in read_songs([song_dir], report=rep)} == {"Paper Boats", "Neon Run", "Tide"}
    assert any("other.csv" in w for w in rep.warnings)
    assert [r.text for r in read_texts([song_dir])] == ["great song"]
    # a file named explicitly is read by either reader
    assert [s.title for s in read_songs([song_dir / "comments.csv"], label_map={"positive": "happy"})] == [""]
    assert len(iter_files([song_dir])) == 5  # 2 txt + 3 csv; README.md and .docx skipped


def test_txt_named_to_read_texts_gives_one_text_per_line(tmp_path):
    p = write(tmp_path / "tweets.txt", "first tweet\n\nsecond tweet\n")
    assert [r.text for r in read_texts([p])] == ["first tweet", "second tweet"]


# ----------------------------------------------------------------- errors
def test_unknown_format_missing_path_and_binary(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(LyricistError, match=r"unknown format x.docx: use .txt, .csv, .tsv, .jsonl \(optionally .gz\)"):
        list(read_songs([tmp_path / "x.docx"]))
    with pytest.raises(LyricistError, match="no such file or folder"):
        iter_files([tmp_path / "nope.csv"])
    with pytest.raises(LyricistError, match="no corpus given"):
        list(read_songs([]))
    write(tmp_path / "x.csv", b"text\n\x00\x01\x02binary")
    with pytest.raises(LyricistError, match="x.csv looks binary, not text"):
        list(read_texts([tmp_path / "x.csv"]))
    write(tmp_path / "u16.txt", "hello", encoding="utf-16")
    with pytest.raises(LyricistError, match="looks binary"):
        list(read_songs([tmp_path / "u16.txt"]))


def test_empty_inputs(tmp_path):
    write(tmp_path / "empty.csv", "")
    write(tmp_path / "header.csv", "text,label\n")
    write(tmp_path / "blank.txt", "title: nothing\n\n[Chorus]\n\n")
    rep = ReadReport()
    with pytest.raises(LyricistError, match="no songs or texts found in .*: add"):
        corpus_stats([tmp_path])
    with pytest.raises(LyricistError, match="no texts found"):
        list(read_texts([tmp_path / "empty.csv", tmp_path / "header.csv"], report=rep))
    assert rep.files == 2 and any("empty" in w for w in rep.warnings)


def test_non_utf8_bytes_are_counted(tmp_path):
    p = write(tmp_path / "c.csv", b"text,label\ncaf\xe9 au lait,positive\nfine,neutral\nbad \xff\xfe,negative\n"
              b"already \xef\xbf\xbd replaced,neutral\n")
    rep = ReadReport()
    recs = list(read_texts([p], report=rep))
    assert recs[0].text == "caf\ufffd au lait" and len(recs) == 4
    assert rep.decode_error_lines == 2  # the valid U+FFFD on the last line is not a decoding error
    assert rep.warnings == ["c.csv: 2 lines had non-UTF-8 bytes (replaced)"]
    write(tmp_path / "s.txt", b"caf\xe9\nok\n")
    rep = ReadReport()
    assert [ln.text for s in read_songs([tmp_path / "s.txt"], report=rep) for ln in s.lines] == ["caf\ufffd", "ok"]
    assert rep.decode_error_lines == 1


# ----------------------------------------------------------------- dedup and splits
def test_exact_and_near_duplicates(tmp_path):
    base = "one two three four five six seven eight nine ten eleven twelve"
    rows = [["A", f"{base}\nthirteen"],
            ["B", f"{base.upper()}!\nthirteen"],  # same normalised text: exact duplicate
            ["C", f"{base}\nsomething else"],  # same first 12 words: near duplicate
            ["D", "a different song entirely"], ["E", "   "]]
    p = write_csv(tmp_path / "s.csv", ["title", "lyrics"], rows)
    rep = ReadReport()
    assert [s.title for s in read_songs([p], report=rep)] == ["A", "D"]
    assert (rep.rows, rep.kept, rep.empty_dropped) == (5, 2, 1)
    assert (rep.duplicates_dropped, rep.near_duplicates_dropped) == (1, 1)
    assert len(list(read_songs([p], dedup=False))) == 4
    t = write_csv(tmp_path / "t.csv", ["text"], [["Great song!"], ["great song"], ["meh"]])
    rep = ReadReport()
    assert [r.text for r in read_texts([t], report=rep)] == ["Great song!", "meh"]
    assert rep.duplicates_dropped == 1


def test_split_is_deterministic_and_depends_only_on_identity():
    assert split_of("abc") == split_of("abc")
    splits = [split_of(str(i)) for i in range(2000)]
    assert 0.05 < splits.count("test") / 2000 < 0.15 and 0.05 < splits.count("val") / 2000 < 0.15
    assert {split_of(str(i), val=0, test=0) for i in range(100)} == {"train"}
    a = Song("Paper Boats", "The Tests", None, [Line("we folded boats")])
    b = Song("paper boats!", "THE TESTS", "sad", [Line("completely other lyrics")], source="elsewhere.csv:9")
    assert a.id == b.id and a.split == b.split == split_of(a.id)
    anon = Song("", "", None, [Line("no title here")])
    assert anon.id == Song("", "", None, [Line("No title, here!")]).id != a.id
    assert Record("Great song!", None).id == Record("great song", "positive").id
    with pytest.raises(LyricistError):
        split_of("x", val=0.7, test=0.7)


def test_fingerprint_is_stable_and_tracks_content(tmp_path, song_dir):
    fp = fingerprint([song_dir])
    assert len(fp) == 16 and fp == fingerprint(str(song_dir))
    other = tmp_path / "c.csv"
    write_csv(other, ["text"], [["x"]])
    assert fingerprint([song_dir, other]) == fingerprint([other, song_dir]) != fp
    write(song_dir / "neon_run.txt", SONG_B + "\nOne more line")
    assert fingerprint([song_dir]) != fp


# ----------------------------------------------------------------- labels
@pytest.mark.parametrize("raw, kind, expected", [
    ("negative", "sentiment", "negative"), ("NEG", "sentiment", "negative"), (" Neu ", "sentiment", "neutral"),
    ("pos", "sentiment", "positive"), ("", "sentiment", None), (None, "sentiment", None),
    ("Happy", "mood", "happy"), ("joy", "mood", "happy"), ("joyful", "mood", "happy"), ("anger", "mood", "angry"),
    ("sadness", "mood", "sad"), ("calm", "mood", "relaxed"), ("relaxed", "mood", "relaxed"),
    (0, "sentiment", "negative"), ("1", "sentiment", "positive"), ("-1", "sentiment", "negative"),
    ("Optimism", "raw", "Optimism"),
])
def test_normalize_label_words(raw, kind, expected):
    assert normalize_label(raw, kind) == expected


@pytest.mark.parametrize("scheme, values, expected", [
    ("binary", [0, 1], ["negative", "positive"]),
    ("ternary", [0, 1, 2], ["negative", "neutral", "positive"]),
    ("signed", [-1, 0, 1], ["negative", "neutral", "positive"]),
    ("sst5", [0, 1, 2, 3, 4], ["negative", "negative", "neutral", "positive", "positive"]),
])
def test_normalize_label_numeric_schemes(scheme, values, expected):
    assert [normalize_label(str(v), scheme=scheme) for v in values] == expected
    assert [normalize_label(f"{v}.0", scheme=scheme) for v in values] == expected


def test_normalize_label_mapping_and_errors():
    assert normalize_label("4", mapping={"4": "pos"}) == "positive"
    assert normalize_label("Meh", mapping={"meh": "neutral"}) == "neutral"
    assert normalize_label("1.0", mapping={"1": "negative"}) == "negative"
    assert normalize_label("stars5", kind="mood", mapping={"stars5": "joy"}) == "happy"
    with pytest.raises(LyricistError, match="negative/neutral/positive.*--label-map"):
        normalize_label("great")
    with pytest.raises(LyricistError, match="happy/angry/sad/relaxed"):
        normalize_label("positive", kind="mood")
    with pytest.raises(LyricistError, match="does not fit"):
        normalize_label("2", scheme="binary")
    with pytest.raises(LyricistError, match="unknown label kind"):
        normalize_label("x", kind="color")


@pytest.mark.parametrize("labels, expected", [
    (["0", "1", "1"], ["negative", "positive", "positive"]),
    (["0", "1", "2"], ["negative", "neutral", "positive"]),
    (["-1", "0", "1"], ["negative", "neutral", "positive"]),
    (["0", "1", "3"], ["negative", "negative", "positive"]),  # max 3 -> SST-5
])
def test_reader_picks_numeric_scheme_per_file(tmp_path, labels, expected):
    p = write_csv(tmp_path / "l.csv", ["text", "label"], [[f"text {i}", v] for i, v in enumerate(labels)])
    assert [r.label for r in read_texts([p])] == expected


def test_reader_label_errors_name_the_row(tmp_path):
    p = write_csv(tmp_path / "l.csv", ["text", "label"], [["a", "positive"], ["b", "great"]])
    with pytest.raises(LyricistError, match="l.csv row 2: unknown sentiment label 'great'"):
        list(read_texts([p]))
    assert [r.label for r in read_texts([p], label_map={"great": "positive"})] == ["positive", "positive"]
    assert [r.label for r in read_texts([p], kind="raw")] == ["positive", "great"]


# ----------------------------------------------------------------- streaming and stats
def test_big_csv_streams_with_bounded_memory(tmp_path):
    p = tmp_path / "big.csv"
    line = "midnightboulevard neonreflections " * 120  # long rows of long words: fewer objects, faster test
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["comment", "label"])
        for i in range(2_000):  # ~8 MB
            w.writerow([f"{i} {line}", "positive" if i % 2 else "negative"])
    assert p.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        n = sum(1 for _ in read_texts([p]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 2_000
    # ~5 MB in practice (the first 1000 rows are held to decide the label scheme); holding the
    # 8 MB file whole, or all its records, would break this bound.
    assert peak < 12_000_000, f"peak {peak / 1e6:.1f} MB"


def test_corpus_stats_one_pass_over_songs_and_texts(tmp_path, song_dir):
    write_csv(song_dir / "comments.csv", ["comment", "label"], [["great song", "positive"], ["dull", "0"],
                                                               ["Great song", "positive"]])
    s = corpus_stats([song_dir])
    for key in ("files", "rows", "songs", "lines", "words", "vocabulary", "moods", "sections", "texts", "labels",
                "duplicates_dropped", "near_duplicates_dropped", "empty_dropped", "decode_error_lines", "by_file",
                "warnings", "seconds"):
        assert key in s
    assert (s["files"], s["rows"], s["songs"], s["texts"], s["duplicates_dropped"]) == (3, 5, 2, 2, 1)
    assert s["moods"] == {"happy": 1, "sad": 1} and s["labels"] == {"negative": 1, "positive": 1}
    assert s["sections"] == {"chorus": 3, "verse": 4}
    assert s["lines"] == 12 and s["words"] > 40 and 0 < s["vocabulary"] < s["words"]
    assert [(f["kind"], f["records"]) for f in s["by_file"]] == [("texts", 2), ("songs", 1), ("songs", 1)]
    json.dumps(s)


def test_module_does_not_import_heavy_libraries():
    code = ("import sys, lyricist.lang.corpus; bad = [m for m in ('torch', 'gensim', 'streamlit', 'spacy') "
            "if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_docstring_examples_run():
    import doctest

    assert doctest.testmod(corpus).failed == 0


def test_cli_label_map_overrides_labels(tmp_path):
    from typer.testing import CliRunner

    from lyricist.app.cli import app

    path = tmp_path / "reviews.csv"
    path.write_text("text,stars\ngreat song,5\nawful,1\nmeh,3\n", encoding="utf-8")
    runner = CliRunner()
    args = ["corpus", "stats", str(path), "--label-col", "stars", "--json"]
    mapped = runner.invoke(app, args + ["--label-map", "5=positive", "--label-map", "1=negative",
                                        "--label-map", "3=neutral"])
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["labels"] == {"negative": 1, "neutral": 1, "positive": 1}
    bad = runner.invoke(app, args + ["--label-map", "five"])
    assert bad.exit_code == 2 and "RAW=LABEL" in bad.stderr and "Traceback" not in bad.output
