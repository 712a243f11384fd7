"""Tokens and lemmas of lyric text (lyricist.lang.text)."""

import time

from lyricist.lang.text import MAX_SPAN, bounded, lemma, tokens, tokens_many


def test_lyric_tokens_and_lemmas_known_answers():
    assert tokens("I'm lovin' you 'cause y'all gonna dance!") == ["i'm", "lovin'", "you", "'cause", "y'all",
                                                                    "gonna", "dance"]
    assert [lemma(w) for w in ["lovin'", "gonna", "hearts", "don't", "cried"]] == ["love", "go", "heart", "do",
                                                                                  "cry"]


def test_one_huge_unbroken_run_tokenises_in_linear_time():
    """Found by the long fuzz profile: a .txt.gz line of 200,000 emoji sat 40+ minutes in spaCy's affix
    loop (8,000 emoji took 7.8 s, 32,000 took 129 s: quadratic). Cut into runs of MAX_SPAN it is linear."""
    text = "love " + "\U0001F525" * 40_000 + " fire!!!" + "!" * 40_000 + " tonight"
    t = time.perf_counter()
    assert tokens(text) == ["love", "fire", "tonight"]
    assert list(tokens_many([text, "hold on"])) == [["love", "fire", "tonight"], ["hold", "on"]]
    assert lemma("x" * 100_000) == "x" * MAX_SPAN
    assert time.perf_counter() - t < 5.0


def test_bounded_leaves_ordinary_text_alone_and_cuts_long_runs():
    line = "Don't stop, runnin' down 5th street"
    assert bounded(line) == line
    cut = bounded("a" * (3 * MAX_SPAN + 1) + " b")
    assert [len(w) for w in cut.split()] == [MAX_SPAN, MAX_SPAN, MAX_SPAN, 1, 1]
