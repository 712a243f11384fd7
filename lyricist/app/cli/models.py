"""Every default model at once: ``lyricist train all`` and ``lyricist demo``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from lyricist.core.errors import LyricistError
from lyricist.app.cli.common import app, emit, handled, JSON, log_line, train_app


def _train_all_text(r: dict) -> str:
    out = []
    for kind, m in r["trained"].items():
        facts = ", ".join(f"{k} {v}" for k, v in m.items() if v is not None and k != "wall_seconds")
        out.append(f"{kind:<22}{m['wall_seconds']:>7.0f} s  {facts}")
    if r["skipped"]:
        out.append(f"already trained (kept): {', '.join(r['skipped'])}  (--retrain to redo them)")
    out += [f"warning: {w}" for w in r["warnings"]]
    out.append(f"models in {r['root']} (preset {r['preset']}, {r['seconds']:.0f} s)")
    return "\n".join(out)


@train_app.command("all")
@handled
def train_all_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                              help="Files/folders to train on (default: the bundled "
                                                                   "corpus)."),
                  preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                  out: Optional[Path] = typer.Option(None, "--out",
                                                     help="Checkpoints root (default $LYRICIST_CHECKPOINTS or "
                                                          "./checkpoints)."),
                  epochs: Optional[int] = typer.Option(None, "--epochs", help="Maximum epochs of each model."),
                  resume: bool = typer.Option(False, "--resume", help="Continue interrupted runs."),
                  retrain: bool = typer.Option(False, "--retrain", help="Also retrain models that exist."),
                  kinds: Optional[List[str]] = typer.Option(None, "--kind",
                                                            help="Only this model (repeatable): general-vectors, "
                                                                 "embeddings, sentiment, mood, generator."),
                  as_json: bool = JSON) -> None:
    """Train every default model (missing ones only, unless --retrain) in dependency order."""
    from lyricist.core.config import preset_check
    from lyricist.app.defaults import check_kinds, train_defaults
    from lyricist.core.progress import rich_progress

    preset_check(preset)
    check_kinds(kinds or None)  # bad input fails before the progress bar starts
    if epochs is not None and epochs < 1:
        raise LyricistError(f"--epochs must be at least 1, got {epochs}")
    log = None if as_json else log_line
    with rich_progress("Training all models", enabled=not as_json) as p:
        r = train_defaults(kinds or None, [str(c) for c in corpus] if corpus else None, preset, out,
                           only_missing=not retrain, epochs=epochs, resume=resume, progress=p, log=log)
    emit(r, as_json, _train_all_text)


@app.command("demo")
@handled
def demo_cmd(port: int = typer.Option(8501, "--port", help="Port of the app on 127.0.0.1."),
             no_train: bool = typer.Option(False, "--no-train", help="Start the app without training."),
             preset: str = typer.Option("default", "--preset", help="Preset of the models trained first."),
             dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be trained and the app's command; run nothing."),
             ) -> None:
    """Train any missing default model on the bundled corpus, then serve the app on http://127.0.0.1:PORT."""
    from lyricist.app.defaults import demo_command, missing, train_defaults
    from lyricist.core.progress import rich_progress

    from lyricist.core.config import preset_check

    preset_check(preset)
    cmd = demo_command(port)  # checks the port and finds app.py before any training
    gone = missing()
    if dry_run:
        typer.echo(f"would train: {', '.join(gone) if gone and not no_train else 'nothing'}")
        typer.echo(" ".join(cmd))
        typer.echo(f"http://127.0.0.1:{port}")
        return
    if gone and not no_train:
        typer.echo(f"training the missing models ({', '.join(gone)}), preset {preset}: "
                   "minutes the first time, once", err=True)
        with rich_progress("Training default models") as p:
            train_defaults(gone, preset=preset, progress=p, log=lambda s: typer.echo(s, err=True))
    elif gone:
        typer.echo(f"warning: no {', '.join(gone)} model yet: the app offers to train them", err=True)
    url = f"http://127.0.0.1:{port}"
    import subprocess

    from lyricist.core.config import checkpoints_root

    typer.echo(f"lyricist app: {url}   (Ctrl+C to stop)", err=True)
    # the models just trained, as an absolute folder (the app needs no particular working directory)
    env = {**os.environ, "LYRICIST_CHECKPOINTS": str(checkpoints_root().resolve())}
    try:
        rc = subprocess.call(cmd, env=env)  # the settings travel as flags (demo_command), not in a cwd
    except KeyboardInterrupt:
        rc = 0
    if rc not in (0, -2, 130):
        raise LyricistError(f"the app stopped with exit code {rc}: is port {port} already in use? Try --port")
