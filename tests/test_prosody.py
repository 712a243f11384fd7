"""Known answers for syllables, rhymes and rhyme schemes (lyricist.lang.prosody)."""

import subprocess
import sys
import time

import pytest

from lyricist import LyricistError
from lyricist.lang import prosody as P
from lyricist.lang.prosody.rhyme import clear_rhymes_cache

FIRE_NIGHT = ["my heart is on fire", "we danced through the night", "you lift me up higher", "into the light"]


# -- words of a line -------------------------------------------------------

def test_words_of_keeps_lyric_apostrophes_and_drops_digits():
    assert P.words_of("I'm lovin’ you 'cause y'all DON'T stop - 5th street!") == [
        "i'm", "lovin'", "you", "'cause", "y'all", "don't", "stop", "street"]
    assert P.words_of("she said 'hello' to the rock-n-roll") == [
        "she", "said", "hello", "to", "the", "rock", "n", "roll"]
    assert P.words_of("") == [] and P.words_of("24/7 !!") == []


def test_last_word_skips_punctuation_and_ad_libs():
    assert P.last_word("Into the light... (oh, oh)") == "light"
    assert P.last_word("we ride [x2]") == "ride"
    assert P.last_word("(yeah yeah)") == "yeah"  # a line that is only an ad-lib
    assert P.last_word("...") is None and P.last_word("") is None


# -- pronunciations and syllables --------------------------------------------

def test_pronunciations_of_lyric_spellings():
    assert P.pronunciations("fire") == ["F AY1 ER0", "F AY1 R"]
    assert P.pronunciations("lovin'") == ["L AH1 V IH0 N"]  # loving, sung with N
    assert P.pronunciations("'cause") == ["K AH0 Z"]
    assert P.pronunciations("sooo") == ["S OW1"]            # elongation
    assert P.pronunciations("xyzzq") == []


@pytest.mark.parametrize("word, n", [
    ("lovin'", 2), ("y'all", 1), ("fire", 2), ("heart", 1), ("beautiful", 3), ("together", 3),
    ("Higher", 2), ("tryna", 2), ("café", 2),
])
def test_syllables_known_words(word, n):
    assert P.syllables(word) == n


@pytest.mark.parametrize("word, n", [
    ("blorptastic", 3), ("yeet", 1), ("glimbering", 3), ("skadoodle", 3), ("zorbed", 1),
    ("blickets", 2), ("florping", 2), ("snazzle", 2), ("frimbles", 2), ("quomping", 2),
])
def test_syllables_made_up_words_use_the_spelling_fallback(word, n):
    assert P.pronunciations(word) == []
    assert P.syllables(word) == n == P.estimate_syllables(word)


def test_syllables_floor():
    assert P.syllables("hmm") == 1 and P.syllables("skrrt") == 1  # a word with a letter has one
    assert P.syllables("'") == 0 and P.syllables("") == 0


def test_line_syllables():
    assert P.line_syllables("leaving a small town at dawn") == 7
    assert P.line_syllables("I'm lovin' you") == 4
    assert P.line_syllables("") == 0


# -- rhyme parts -------------------------------------------------------------

def test_rhyme_part_from_cmu():
    assert P.rhyme_part("fire") == "AY ER"      # F AY1 ER0
    assert P.rhyme_part("apart") == "AA R T"
    assert P.rhyme_part("flowing") == "OW IH NG"
    assert P.rhyme_part("hmm") is None          # no vowel


def test_rhyme_part_guessed_from_spelling():
    assert P.rhyme_part("blorptastic") == "AE S T IH K"  # ends like fantastic
    assert P.rhyme_part("yeet") == "IY T"
    assert P.is_rhyme("blorptastic", "fantastic")


def test_rhyme_key():
    assert P.rhyme_key("You lift me up HIGHER!") == "AY ER"
    assert P.rhyme_key("...") == ""


# -- perfect and near rhymes --------------------------------------------------

def test_is_rhyme_perfect():
    assert P.is_rhyme("heart", "apart")
    assert P.is_rhyme("fire", "desire") and P.is_rhyme("fire", "higher")
    assert not P.is_rhyme("fire", "fire")
    assert not P.is_rhyme("Fire", "fire")
    assert not P.is_rhyme("lovin'", "loving")   # one word, two spellings
    assert not P.is_rhyme("time", "mine")       # only a slant rhyme
    assert not P.is_rhyme("fire", "")


def test_near_rhyme():
    assert P.near_rhyme("time", "mine")         # nasals
    assert P.near_rhyme("mine", "mind")         # added d
    assert P.near_rhyme("heart", "dark")        # stops
    assert P.near_rhyme("heart", "apart")       # perfect counts as near too
    assert not P.near_rhyme("fire", "fire")
    assert not P.near_rhyme("time", "love")
    assert not P.near_rhyme("heart", "for")     # AA R vs AO R
    assert P.is_rhyme("time", "mine", near=True)


def test_rhymes_fire():
    r = P.rhymes("fire")
    assert r["word"] == "fire" and r["syllables"] == 2 and r["rhyme_part"] == "AY ER" and r["in_cmu"]
    assert {"desire", "higher"} <= set(r["perfect"])
    assert "fire" not in r["perfect"] and r["near"] == []
    assert set(r["multi"]) <= set(r["perfect"])


def test_rhymes_common_words_first_and_limit():
    r = P.rhymes("night", limit=10)
    assert len(r["perfect"]) == 10
    assert {"light", "right"} & set(r["perfect"][:5])


def test_rhymes_near_lists_slant_rhymes_strongest_first():
    r = P.rhymes("time", near=True)
    assert "mine" in r["near"] and "crime" in r["perfect"]
    assert not set(r["near"]) & set(r["perfect"])
    assert r["near"].index("mine") < r["near"].index("like")  # nasal family before bare assonance


def test_rhymes_multi_syllable():
    assert {"glowing", "knowing", "going"} <= set(P.rhymes("flowing")["multi"])
    assert "relieve" in P.rhymes("believe")["multi"]
    assert P.rhymes("time")["multi"] == []  # one syllable


def test_rhymes_for_slang_uses_the_spelling_guess():
    r = P.rhymes("blorptastic")
    assert not r["in_cmu"] and "fantastic" in r["perfect"]


def test_rhymes_unknown_word_raises():
    with pytest.raises(LyricistError, match="unknown word 'xyzzq'"):
        P.rhymes("xyzzq")
    with pytest.raises(LyricistError):
        P.rhymes("  ")
    with pytest.raises(LyricistError):
        P.rhymes("123")


def test_rhymes_is_fast_after_the_first_call():
    P.rhymes("fire")                       # builds the indexes
    clear_rhymes_cache()
    t = time.perf_counter()
    P.rhymes("fire")
    assert time.perf_counter() - t < 0.05  # uncached; cached calls take microseconds


# -- rhyme schemes -------------------------------------------------------------

@pytest.mark.parametrize("lines, scheme", [
    (FIRE_NIGHT, "ABAB"),
    (["the night", "the light", "my heart", "apart"], "AABB"),
    (["walking down the road", "under the sun", "nothing to say", "having fun"], "ABCB"),
    (["the night", "the light", "so bright", "tonight"], "AAAA"),
    (["the night", "", "the light"], "A-A"),
    (["tonight", "tonight"], "AB"),         # the same word twice is no rhyme
])
def test_rhyme_scheme(lines, scheme):
    assert P.rhyme_scheme(lines) == scheme


def test_rhyme_scheme_near():
    lines = ["it is time", "under the sun", "you are mine", "we are young"]
    assert P.rhyme_scheme(lines) == "ABCD"
    assert P.rhyme_scheme(lines, near=True) == "ABAB"  # time ~ mine, sun ~ young (nasals)


def test_scheme_matches():
    assert P.scheme_matches(FIRE_NIGHT, "ABAB")
    assert not P.scheme_matches(FIRE_NIGHT, "AABB")
    abcb = ["walking down the road", "under the sun", "nothing to say", "having fun"]
    assert P.scheme_matches(abcb, "ABCB") and P.scheme_matches(abcb, "abcb")
    assert P.scheme_matches(FIRE_NIGHT, "ABCB")       # lines 1 and 3 may rhyme anyway
    assert P.scheme_matches(["x", "y"], "free")
    assert not P.scheme_matches(["the night", "the night"], "AA")  # same word
    assert P.scheme_matches(FIRE_NIGHT * 2, "ABAB")  # ABAB CDCD


def test_normalize_scheme():
    assert P.normalize_scheme("AABB", 8) == "AABBCCDD"
    assert P.normalize_scheme("ABCB", 6) == "ABCBDE"
    assert P.normalize_scheme("abab", 3) == "ABA"
    assert P.normalize_scheme("BABA", 4) == "ABAB"
    assert P.normalize_scheme("free", 3) == "---" and P.normalize_scheme("FREE", 0) == ""
    assert P.normalize_scheme("A-A-", 4) == "A-A-"
    for bad in ("", "A1B", "AB CD", None):
        with pytest.raises(LyricistError, match="rhyme scheme"):
            P.normalize_scheme(bad, 4)
    with pytest.raises(LyricistError):
        P.normalize_scheme("A", 100)  # past 52 rhyme sounds


def test_import_needs_neither_torch_nor_spacy():
    code = ("import sys, lyricist.lang.prosody as p; p.syllables('fire'); p.rhyme_part('fire'); "
            "assert 'torch' not in sys.modules and 'spacy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
