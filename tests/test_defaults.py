"""lyricist/app/defaults.py and the `train all` / `demo` commands (cheap: only the tiny mood model is trained here)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lyricist.app.cli import app
from lyricist.core.config import bundled_corpus
from lyricist.app.defaults import DEFAULT_KINDS, demo_command, missing, status, train_defaults
from lyricist.core.errors import LyricistError

runner = CliRunner()


def test_status_of_an_empty_root(tmp_path):
    rows = status(tmp_path)
    assert [r["kind"] for r in rows] == list(DEFAULT_KINDS)
    assert not any(r["exists"] or r["error"] for r in rows)
    assert missing(tmp_path) == list(DEFAULT_KINDS)


def test_status_flags_corrupt_and_wrong_kind(tmp_path):
    (tmp_path / "mood").mkdir()
    (tmp_path / "mood" / "config.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "generator").mkdir()
    (tmp_path / "generator" / "config.json").write_text(json.dumps({"kind": "mood"}), encoding="utf-8")
    rows = {r["kind"]: r for r in status(tmp_path)}
    assert "corrupt" in rows["mood"]["error"] and not rows["mood"]["exists"]
    assert "not generator" in rows["generator"]["error"]
    assert "mood" in missing(tmp_path) and "generator" in missing(tmp_path)


def test_bad_arguments_are_one_line_errors(tmp_path):
    with pytest.raises(LyricistError, match="unknown preset"):
        train_defaults(preset="huge", root=tmp_path)
    with pytest.raises(LyricistError, match="unknown model kind"):
        train_defaults(["poetry"], root=tmp_path)
    with pytest.raises(LyricistError, match="no such corpus"):
        train_defaults(["mood"], corpus=[tmp_path / "nope"], root=tmp_path)
    with pytest.raises(LyricistError, match="--port"):
        demo_command(80)


def test_train_all_trains_then_skips_what_exists(tmp_path):
    seen = []
    r = train_defaults(["mood"], preset="tiny", root=tmp_path, progress=lambda f, m: seen.append(f))
    assert list(r["trained"]) == ["mood"] and r["skipped"] == []
    assert seen[-1] == 1.0 and seen == sorted(seen)  # one bar, never going back
    row = {s["kind"]: s for s in status(tmp_path)}["mood"]
    assert row["exists"] and row["fingerprint"] and row["trained_at"]
    assert row["metrics"]["n"] == len(list((bundled_corpus() / "songs").glob("*.txt")))
    again = train_defaults(["mood"], preset="tiny", root=tmp_path)
    assert again["trained"] == {} and again["skipped"] == ["mood"]


def test_labeled_models_fall_back_to_the_bundled_corpus(tmp_path):
    songs = tmp_path / "songs"
    songs.mkdir()
    (songs / "a.txt").write_text("[Verse]\nI walk the line\nunder the sky\n", encoding="utf-8")
    r = train_defaults(["mood"], corpus=[songs], preset="tiny", root=tmp_path / "ck")
    assert list(r["trained"]) == ["mood"]
    assert len(r["warnings"]) == 1 and "bundled corpus" in r["warnings"][0]


def test_cli_train_all_json(tmp_path):
    res = runner.invoke(app, ["train", "all", "--kind", "mood", "--preset", "tiny", "--out", str(tmp_path),
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc["trained"]) == ["mood"] and doc["preset"] == "tiny" and doc["root"] == str(tmp_path)
    res = runner.invoke(app, ["train", "all", "--kind", "mood", "--preset", "tiny", "--out", str(tmp_path)])
    assert res.exit_code == 0 and "already trained (kept): mood" in res.stdout


def test_cli_train_all_bad_input_exits_2(tmp_path):
    res = runner.invoke(app, ["train", "all", "--preset", "huge", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "unknown preset" in res.stderr
    res = runner.invoke(app, ["train", "all", "--kind", "poetry", "--out", str(tmp_path)])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1


def test_cli_demo_dry_run(tmp_path, monkeypatch):
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path))
    res = runner.invoke(app, ["demo", "--dry-run", "--port", "8765"])
    assert res.exit_code == 0, res.output
    out = res.stdout.splitlines()
    assert out[0] == "would train: " + ", ".join(DEFAULT_KINDS)
    assert "-m lyricist.app.serve --server.address 127.0.0.1" in out[1]  # streamlit run, models warming from the start
    assert "--server.address 127.0.0.1 --server.port 8765 --server.headless true" in out[1]
    assert out[2] == "http://127.0.0.1:8765"
    res = runner.invoke(app, ["demo", "--dry-run", "--no-train"])
    assert res.stdout.startswith("would train: nothing")
    assert runner.invoke(app, ["demo", "--port", "99999"]).exit_code == 2


# ----------------------------------------------------------------- the registry of kinds
def test_every_kind_names_a_trainer_and_loader_of_one_shape():
    import inspect

    from lyricist.core.kinds import KINDS, resolve

    shared = {"preset", "out_dir", "root", "epochs", "resume", "progress", "log"}
    for k in KINDS.values():
        params = inspect.signature(resolve(k.trainer)).parameters
        first = next(iter(params.values()))
        assert first.name == "paths", k.name
        keyword_only = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY}
        assert shared <= keyword_only, (k.name, shared - keyword_only)
        assert set(dict(k.options)) <= set(params), k.name
        assert callable(resolve(k.loader)), k.name
        assert set(k.needs) <= set(KINDS) and list(KINDS).index(k.name) > max(
            [list(KINDS).index(n) for n in k.needs], default=-1), f"{k.name} is trained before what it needs"


def test_registry_is_the_list_everyone_shows(tmp_path):
    from lyricist.core.checkpoint import read_config
    from lyricist.core.kinds import KINDS

    assert list(DEFAULT_KINDS) == list(KINDS) == [r["kind"] for r in status(tmp_path)]
    with pytest.raises(LyricistError, match="lyricist train sentiment"):
        read_config(tmp_path / "nope", "sentiment-transformer")


def test_a_missing_default_kind_loads_with_a_one_line_error(tmp_path, monkeypatch):
    from lyricist.core.kinds import KINDS

    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path))
    for name in ("general-vectors", "sentiment-lstm", "sentiment-transformer", "mood", "generator"):
        with pytest.raises(LyricistError) as e:
            KINDS[name].load()
        assert "\n" not in str(e.value) and "lyricist train" in str(e.value), (name, str(e.value))


def test_demo_flags_match_the_repo_streamlit_config():
    import tomllib
    from pathlib import Path

    from lyricist.app.defaults import MAX_UPLOAD_MB

    conf = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    cmd = demo_command(8502)
    assert cmd[1:3] == ["-m", "lyricist.app.serve"]  # streamlit run, with the models warming from the start
    flags = dict(zip(cmd[3::2], cmd[4::2]))
    for section, values in conf.items():
        for name, value in values.items():
            want = str(value).lower() if isinstance(value, bool) else str(value)
            assert flags.get(f"--{section}.{name}") == want, (section, name)
    assert conf["server"]["maxUploadSize"] == MAX_UPLOAD_MB
