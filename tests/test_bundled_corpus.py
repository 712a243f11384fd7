"""The bundled corpus keeps the promises of corpora/README.md (issue 3).

These numbers are floors, not snapshots: adding songs or comments keeps the
test green, while deleting or unbalancing the corpus turns it red.
"""
from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from lyricist.lang import corpus; from lyricist.lang import prosody
from lyricist.app.cli import app
from lyricist.core.config import MOOD_LABELS, SENTIMENT_LABELS, bundled_corpus

ROOT = bundled_corpus()


@pytest.fixture(scope="module")
def songs():
    report = corpus.ReadReport()
    found = list(corpus.read_songs([ROOT / "songs"], report=report))
    return found, report


def test_songs_counts_moods_and_structure(songs):
    found, report = songs
    assert len(found) >= 80
    assert sum(len(s.lines) for s in found) >= 2000
    moods = Counter(s.mood for s in found)
    assert set(moods) == set(MOOD_LABELS)
    assert min(moods.values()) >= 15
    for song in found:
        assert song.title, song.source
        names = [name for name, _ in song.sections()]
        # every song has verses and a chorus that comes back, as real songs do
        assert any(n.startswith("verse") for n in map(str.lower, names)), song.title
        assert sum(n.lower().startswith("chorus") for n in names) >= 2, song.title
        assert not any(line.text.startswith("[") for line in song.lines), song.title
    assert report.decode_error_lines == 0


def test_songs_cover_many_themes(songs):
    found, _ = songs
    themes = {t.strip() for s in found for t in (s.meta.get("theme") or "").split(",") if t.strip()}
    assert len(themes) >= 40
    for wanted in ("love", "the city", "the road", "home", "summer", "rain", "friendship",
                   "rebellion", "work", "night", "the ocean", "growing up"):
        assert wanted in themes, wanted


def test_songs_vary_rhyme_schemes(songs):
    found, _ = songs
    schemes = Counter()
    for song in found:
        for _, lines in song.sections():
            for i in range(0, len(lines) - 3, 4):
                schemes[prosody.rhyme_scheme([ln.text for ln in lines[i:i + 4]])] += 1
    for scheme in ("AABB", "ABAB", "ABCB", "ABCD"):
        assert schemes[scheme] >= 20, (scheme, schemes)


@pytest.mark.parametrize("name,column,minimum", [("comments.csv", "comment", 800), ("lines.csv", "text", 400)])
def test_labeled_files_are_balanced(name, column, minimum):
    path = ROOT / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {column, "label"}
    assert len(rows) >= minimum
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == set(SENTIMENT_LABELS)
    for label, n in labels.items():
        assert 0.25 <= n / len(rows) <= 0.45, (label, n)
    # every row parses through the reader, nothing is lost except exact repeats
    records = list(corpus.read_texts([path]))
    assert len(records) >= len(rows) - 5
    assert all(r.label in SENTIMENT_LABELS and r.text.strip() for r in records)


def test_lines_test_split_is_usable():
    records = list(corpus.read_texts([ROOT / "lines.csv"]))
    test = [r for r in records if r.split == "test"]
    assert len(test) >= 30
    assert set(r.label for r in test) == set(SENTIMENT_LABELS)
    # the split is a pure function of the text: the same line always lands in the same split
    assert all(corpus.split_of(r.id) == r.split for r in test)


def test_cli_stats_reports_the_counts():
    result = CliRunner().invoke(app, ["corpus", "stats", str(ROOT), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["songs"] >= 80 and stats["lines"] >= 2000
    assert min(stats["moods"].values()) >= 15
    assert stats["decode_error_lines"] == 0
    by_file = {b["path"].rsplit("/", 1)[-1]: b for b in stats["by_file"]}
    assert by_file["comments.csv"]["rows"] >= 800
    assert by_file["lines.csv"]["rows"] >= 400
