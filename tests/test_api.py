"""The package re-exports its public API, lazily."""

import subprocess
import sys

import pytest

import lyricist


def test_every_public_name_resolves_to_a_callable():
    for name in lyricist.__all__:
        if name == "__version__":
            continue
        assert callable(getattr(lyricist, name)), name


def test_import_is_light_until_a_function_is_used():
    code = ("import sys, lyricist; heavy = [m for m in ('torch', 'spacy', 'gensim', 'transformers') "
            "if m in sys.modules]; print(heavy); print(lyricist.rhyme_scheme("
            "['set the world on fire', 'burning through the night', 'take me ever higher', 'into the light']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "ABAB"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        lyricist.no_such_function  # noqa: B018


def test_a_lone_surrogate_is_scored_not_a_crash():
    """Found by the long fuzz profile: spaCy could not encode '\\ud800' and tone_report crashed."""
    import lyricist

    r = lyricist.tone_report(chr(0xD800) + " lone surrogate", scorer="lexicon")
    assert len(r["lines"]) == 1 and r["lines"][0]["label"] in ("negative", "neutral", "positive")
