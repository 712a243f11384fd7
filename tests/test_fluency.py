"""The SLOR judge: a proper trigram distribution, fluent lines above word salad, one-line errors."""

from __future__ import annotations

import gzip
import json
import math
import random
from pathlib import Path

import pytest

from lyricist.core.errors import LyricistError
from lyricist.drafting.fluency import UNK, NgramJudge, load_judge, mean_slor

SONGS = Path(__file__).resolve().parents[1] / "lyricist" / "corpora" / "songs"


def _split_lines(split: str) -> list[str]:
    from lyricist.lang.corpus import read_songs

    return [ln.text for s in read_songs(SONGS) if s.split == split for ln in s.lines]


@pytest.fixture(scope="module")
def judge_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("judge") / "train_lines.txt"
    p.write_text("\n".join(_split_lines("train")) + "\n", encoding="utf-8")
    return p


def test_each_order_is_a_distribution(judge_file):
    j = load_judge(judge_file)
    words = sorted(j.vocab) + [UNK]
    for u, v in (("<s>", "<s>"), ("<s>", "i"), ("in", "the"), ("zzz", "qqq")):
        assert math.isclose(sum(j._p3(u, v, w) for w in words), 1.0, rel_tol=1e-9), (u, v)


def test_held_out_lines_beat_their_own_words_shuffled(judge_file):
    j = load_judge(judge_file)
    lines = _split_lines("test")
    rng = random.Random(0)
    salad = []
    for t in lines:
        w = t.split()
        rng.shuffle(w)
        salad.append(" ".join(w))
    real, shuffled = mean_slor(j, lines), mean_slor(j, salad)
    assert real["lines"] == shuffled["lines"] > 100
    assert real["slor"] > shuffled["slor"] + 0.5, (real, shuffled)
    assert j.perplexity(lines) < j.perplexity(salad)


def test_bad_judge_corpora_are_one_line(tmp_path):
    small = tmp_path / "small.txt"
    small.write_text("la la la\n" * 10)
    binary = tmp_path / "b.csv.gz"
    binary.write_bytes(gzip.compress(b"\x00\x01" * 100)[:30])
    for path in (tmp_path / "missing.txt", small, binary):
        with pytest.raises(LyricistError) as e:
            load_judge(path)
        assert "\n" not in str(e.value)
    with pytest.raises(LyricistError):
        NgramJudge(discount=1.5)


def test_songs_in_a_csv_with_a_lyric_column(tmp_path, judge_file):
    import csv

    p = tmp_path / "songs.csv"
    text = judge_file.read_text().splitlines()
    with p.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Artist", "Title", "Lyric"])
        for i in range(0, len(text), 30):
            w.writerow(["someone", f"song {i}", " ".join(text[i:i + 30])])
    j = load_judge(p)
    assert j.words > 5000 and j.slor("i walk the empty street") is not None


def test_eval_generator_reports_slor_beside_human_lines(judge_file):
    from typer.testing import CliRunner

    from lyricist.app.cli import app
    from lyricist.core.loop import reset_accelerate_state
    from lyricist.drafting.train import train_generator

    reset_accelerate_state()
    out = judge_file.parent / "generator"
    train_generator(preset="tiny", out_dir=out, epochs=1, max_songs=8)
    reset_accelerate_state()
    res = CliRunner().invoke(app, ["eval", "generator", "--model", str(out), "--drafts", "1",
                                   "--judge", str(judge_file), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert isinstance(doc["constrained"]["slor"], float) and isinstance(doc["human_slor"], float)
    assert "Kneser-Ney" in doc["judge"]["model"] and doc["judge"]["human_lines"] > 0
    res = CliRunner().invoke(app, ["eval", "generator", "--model", str(out), "--drafts", "1",
                                   "--judge", str(judge_file.parent / "none.txt")])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
