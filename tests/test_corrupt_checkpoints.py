"""Corrupt checkpoints: every kind, every kind of damage, one line that names the fix, in the library, the CLI and the app.

Each test copies one kind's folder out of the session's tiny checkpoints (``tiny_checkpoints`` in conftest.py)
into ``tmp_path`` and damages it:

- ``truncated``: the weights (safetensors, or the vectors' ``.npy``) cut in half;
- ``foreign-config``: config.json of another kind;
- ``newer-version``: config.json written by a newer format version;
- ``no-vocab``: the tokenizer or vocabulary file deleted (the mood model has none);
- ``not-checkpoint``: a folder of unrelated files (no config.json).

Each must give a :class:`LyricistError` with a one-line message that says what to do: never a traceback.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lyricist.app.cli import app
from lyricist.core.errors import LyricistError
from lyricist.core.kinds import KINDS

runner = CliRunner()

#: the file holding each kind's weights
WEIGHTS = {"general-vectors": "vectors.kv.vectors.npy", "embeddings": "vectors.kv.vectors.npy",
           "sentiment-lstm": "model.safetensors", "sentiment-transformer": "model.safetensors",
           "mood": "weights.safetensors", "generator": "model.safetensors"}
#: its tokenizer or vocabulary (the vectors also keep their words in the sound index, sounds.npz)
VOCAB = {"general-vectors": ("vectors.keys.json", "sounds.npz"), "embeddings": ("vectors.keys.json", "sounds.npz"),
         "sentiment-lstm": ("vocab.json",), "sentiment-transformer": ("tokenizer.json", "tokenizer_config.json"),
         "generator": ("tokenizer.json",), "mood": ()}
#: what each message must name as the fix
FIX = {"truncated": r"retrain|lyricist train|delete .* rebuilt", "foreign-config": r"pass the right --model folder",
       "newer-version": r"upgrade lyricist", "no-vocab": r"retrain|lyricist train|delete .* rebuilt",
       "not-checkpoint": r"pass the right --model folder|lyricist train"}
DAMAGES = tuple(FIX)
CASES = [(k, d) for k in KINDS for d in DAMAGES if not (d == "no-vocab" and not VOCAB[k])]
SONG = "[Verse]\nI walk alone beneath the rain\nthe night is long and full of pain\n"


def damage(src: Path, kind: str, how: str, dest: Path) -> Path:
    """A copy of the checkpoint ``src`` at ``dest``, damaged ``how``."""
    shutil.copytree(src, dest)
    if how == "truncated":
        f = dest / WEIGHTS[kind]
        data = f.read_bytes()
        f.write_bytes(data[: len(data) // 2])
    elif how == "foreign-config":
        other = "generator" if kind == "mood" else "mood"
        shutil.copy(src.parent / other / "config.json", dest / "config.json")
    elif how == "newer-version":
        doc = json.loads((dest / "config.json").read_text(encoding="utf-8"))
        doc.update(format_version=doc.get("format_version", 1) + 1, lyricist_version="99.0")
        (dest / "config.json").write_text(json.dumps(doc), encoding="utf-8")
    elif how == "no-vocab":
        for name in VOCAB[kind]:
            (dest / name).unlink()
    elif how == "not-checkpoint":
        shutil.rmtree(dest)
        dest.mkdir()
        (dest / "notes.txt").write_text("my lyrics, not a model\n", encoding="utf-8")
        (dest / "model.safetensors").write_bytes(b"\x00" * 64)
    return dest


def one_line_fix(message: str, how: str) -> None:
    assert message and "\n" not in message.strip() and "Traceback" not in message, message
    assert re.search(FIX[how], message), f"{how}: {message!r} names no fix"


@pytest.fixture
def broken(tiny_checkpoints, tmp_path):
    """``broken(kind, how)``: a damaged copy of the tiny ``kind`` checkpoint."""
    return lambda kind, how: damage(tiny_checkpoints / kind, kind, how, tmp_path / f"{kind}-{how}")


# ----------------------------------------------------------------- library
@pytest.mark.parametrize("kind,how", CASES)
def test_the_kinds_loader_says_what_to_do(broken, kind, how):
    folder = broken(kind, how)
    with pytest.raises(LyricistError) as e:
        KINDS[kind].load(folder)
    one_line_fix(str(e.value), how)


def _main_call(kind: str, folder: Path, tmp_path: Path):
    """The library call a user makes with a checkpoint of ``kind`` (what the CLI runs)."""
    if kind == "general-vectors":
        from lyricist.explore.api import similar_words

        return similar_words("rain", space="general", general_dir=folder)
    if kind == "embeddings":
        from lyricist.explore.api import similar_words

        return similar_words("rain", space="corpus", model_dir=folder)
    if kind.startswith("sentiment"):
        from lyricist.tone.bulk import classify_file

        src = tmp_path / "comments.csv"
        src.write_text("comment\nlove it\nhate it\n", encoding="utf-8")
        return classify_file(src, model=folder)
    if kind == "mood":
        from lyricist.tone.report import tone_report

        return tone_report(SONG, scorer="lexicon", mood_model=folder)
    from lyricist.drafting.cowrite import generate

    return generate("rain", lines=2, scheme="AA", syllables=6, model_dir=folder)


@pytest.mark.parametrize("kind,how", [c for c in CASES if c[1] in ("truncated", "foreign-config", "not-checkpoint")])
def test_the_main_call_says_what_to_do(broken, tmp_path, kind, how):
    folder = broken(kind, how)
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(LyricistError) as e:
        _main_call(kind, folder, tmp_path)
    one_line_fix(str(e.value), how)
    assert sorted(p.name for p in folder.iterdir()) == before  # a folder the user named is never built over


def test_a_corrupt_sound_index_is_rebuilt_not_fatal(tiny_checkpoints, tmp_path):
    from lyricist.explore.vectors import open_checkpoint

    folder = shutil.copytree(tiny_checkpoints / "general-vectors", tmp_path / "gv")
    data = (folder / "sounds.npz").read_bytes()
    (folder / "sounds.npz").write_bytes(data[: len(data) // 2])  # a truncated .npz is a bad zip
    kv, sounds = open_checkpoint(folder, "general-vectors")
    assert len(kv.index_to_key) == len(sounds["syllables"]) > 0


def test_a_foreign_hf_folder_without_labels_is_not_a_sentiment_model(tiny_checkpoints, tmp_path):
    from lyricist.tone.scorers import load_scorer

    folder = shutil.copytree(tiny_checkpoints / "sentiment-transformer", tmp_path / "hf")
    doc = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    for k in ("kind", "lyricist_version", "format_version", "id2label", "label2id"):
        doc.pop(k, None)
    (folder / "config.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(LyricistError, match="pass the right --model folder"):
        load_scorer("transformer", folder)


# ----------------------------------------------------------------- CLI
def _cli_args(kind: str, folder: Path, song: Path) -> list[str]:
    if kind == "general-vectors":
        return ["similar", "rain", "--space", "general", "--general-vectors", str(folder)]
    if kind == "embeddings":
        return ["similar", "rain", "--space", "corpus", "--model", str(folder)]
    if kind.startswith("sentiment"):
        return ["score", str(song), "--model", str(folder)]
    if kind == "mood":
        return ["score", str(song), "--scorer", "lexicon", "--mood-model", str(folder)]
    return ["generate", "--theme", "rain", "--lines", "2", "--model", str(folder)]


@pytest.mark.parametrize("kind,how", CASES)
def test_cli_exits_2_with_one_error_line(broken, tmp_path, kind, how):
    folder = broken(kind, how)
    song = tmp_path / "song.txt"
    song.write_text(SONG, encoding="utf-8")
    r = runner.invoke(app, _cli_args(kind, folder, song))
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in r.stderr, r.stderr
    one_line_fix(errors[0], how)


# ----------------------------------------------------------------- app
APP_CASES = [(k, d) for k, d in CASES if d in ("truncated", "foreign-config", "no-vocab", "not-checkpoint")]


def _page(kind: str) -> str:
    return {"general-vectors": "explore", "embeddings": "explore", "generator": "draft"}.get(kind, "tone")


@pytest.mark.parametrize("kind,how", APP_CASES)
def test_app_shows_one_error_line_never_an_exception(tiny_checkpoints, use_checkpoints, tmp_path, kind, how):
    from streamlit.testing.v1 import AppTest

    from lyricist.core.hf import torch_threads

    root = tmp_path / "ck"
    root.mkdir()
    for k in KINDS:  # the other models as trained; the sentiment kind under test is the only one, so it is used
        if k != kind and not (kind.startswith("sentiment") and k.startswith("sentiment")):
            (root / k).symlink_to(tiny_checkpoints / k, target_is_directory=True)
    damage(tiny_checkpoints / kind, kind, how, root / kind)
    page = _page(kind)
    with torch_threads(1), use_checkpoints(root):
        at = AppTest.from_string(f"from lyricist.app.ui import {page}\n{page}.render()\n", default_timeout=120)
        at.run()
        if page == "tone":
            at.button(key="tone_example").click()
            at.run()
        elif page == "draft" and at.text_input:
            at.text_input[0].set_value("rain on the window")
            at.number_input[1].set_value(2)
            at.button[0].click()
            at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error, f"{kind}/{how}: no st.error shown"
    for e in at.error:
        assert "\n" not in e.value.strip() and "Traceback" not in e.value, e.value
    assert any(re.search(FIX[how], e.value) for e in at.error), [e.value for e in at.error]
