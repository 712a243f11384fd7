"""The tone commands: ``score``, ``classify``, ``eval sentiment|mood``, ``train sentiment|mood``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from lyricist.core.errors import LyricistError
from lyricist.app.cli.common import app, emit, eval_app, handled, JSON, log_line, train_app


_SCORERS = "auto, lexicon, lstm, transformer or ensemble"


def _read_song_input(file: Optional[str]) -> str:
    """Lyrics from FILE, or from stdin for '-' or no FILE (UTF-8, size-checked)."""
    from lyricist.core.config import MAX_SONG_CHARS

    if file in (None, "-"):
        if file is None and sys.stdin.isatty():
            raise LyricistError("no lyrics given: pass a FILE, or pipe the lyrics on stdin (lyricist score -)")
        data = sys.stdin.buffer.read(MAX_SONG_CHARS * 4 + 1)
        where = "stdin"
    else:
        path = Path(file)
        if not path.exists():
            raise LyricistError(f"no such file: {path} (check the path)")
        if path.is_dir():
            raise LyricistError(f"{path} is a folder: pass one lyrics file")
        if path.stat().st_size > MAX_SONG_CHARS * 4:
            raise LyricistError(f"{path} is {path.stat().st_size:,} bytes; a song may have at most "
                                f"{MAX_SONG_CHARS:,} characters: score it in parts")
        data = path.read_bytes()
        where = str(path)
    if b"\x00" in data:
        raise LyricistError(f"{where} looks binary (it contains NUL bytes): pass a plain-text song")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LyricistError(f"{where} is not UTF-8 text: save it as UTF-8 and try again") from None


def _score_text(r: dict) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    con = Console(file=buf, width=110, force_terminal=False, color_system=None)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col, kw in (("#", {"justify": "right"}), ("section", {}), ("line", {"overflow": "fold", "max_width": 56}),
                    ("valence", {"justify": "right"}), ("smoothed", {"justify": "right"}), ("label", {}),
                    ("emotion", {})):
        table.add_column(col, **kw)
    for ln in r["lines"]:
        emo = {k: v for k, v in ln["emotions"].items() if k not in ("positive", "negative") and v > 0}
        top = max(emo, key=emo.get) if emo else ""
        table.add_row(str(ln["index"] + 1), ln["section"], ln["text"], f"{ln['valence']:+.2f}",
                      f"{ln['smoothed']:+.2f}", ln["label"], top)
    con.print(table)
    ov = r["overall"]
    emo = sorted(((k, v) for k, v in ov["emotions"].items() if k not in ("positive", "negative") and v > 0),
                 key=lambda kv: -kv[1])[:3]
    con.print(f"\noverall  {ov['label']} (valence {ov['valence']:+.2f}, confidence {ov['confidence']:.2f})  "
              f"mood {ov['mood']} ({ov['mood_confidence']:.2f}, {ov['mood_source']})  "
              f"arousal {ov['arousal']:+.2f}")
    if emo:
        con.print("emotions " + ", ".join(f"{k} {v:.2f}" for k, v in emo))
    width = max([9] + [len(k) + 1 for k in r["summary_by_kind"]])
    for kind, s in r["summary_by_kind"].items():
        con.print(f"{kind:<{width}}{s['label']} (valence {s['valence']:+.2f}, {s['n_lines']} lines)")
    if r["most_positive"]:
        con.print(f"brightest line {r['most_positive'][0]['index'] + 1}: {r['most_positive'][0]['text']}")
    if r["most_negative"]:
        con.print(f"darkest line   {r['most_negative'][0]['index'] + 1}: {r['most_negative'][0]['text']}")
    con.print(f"model    {r['model']}")
    for w in r.get("warnings", []):
        con.print(f"warning: {w}")
    return buf.getvalue().rstrip()


@app.command("score")
@handled
def score_cmd(file: Optional[str] = typer.Argument(None, help="Lyrics file, or '-' (or nothing) for stdin."),
              model: Optional[Path] = typer.Option(None, "--model", help="A sentiment checkpoint folder."),
              scorer: str = typer.Option("auto", "--scorer", help=f"Which scorer: {_SCORERS}."),
              window: int = typer.Option(3, "--window", help="Lines in the smoothing window."),
              mood_model: Optional[Path] = typer.Option(None, "--mood-model", help="A song-mood checkpoint folder."),
              plot: Optional[Path] = typer.Option(None, "--plot", help="Also write the emotional arc as HTML here."),
              as_json: bool = JSON) -> None:
    """Emotional tone of a song: each line, each section, and the whole song (valence, label, mood, emotions)."""
    from lyricist.tone.report import arc_figure, tone_report
    from lyricist.tone.scorers import load_scorer

    text = _read_song_input(file)
    sc = load_scorer("auto" if model else scorer, model)
    r = tone_report(text, scorer=sc, window=window, mood_model=mood_model)
    if plot:
        arc_figure(r).write_html(str(plot), include_plotlyjs="cdn")
        r["plot"] = str(plot)
    emit(r, as_json, _score_text)


@app.command("classify")
@handled
def classify_cmd(file: Path = typer.Argument(..., help="Comments file: CSV/TSV/JSONL/TXT, optionally .gz."),
                 text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                 model: Optional[Path] = typer.Option(None, "--model", help="A sentiment checkpoint folder."),
                 scorer: str = typer.Option("auto", "--scorer", help=f"Which scorer: {_SCORERS}."),
                 out: Optional[Path] = typer.Option(
                     None, "--out", help="Predictions CSV (default: FILE-STEM.predictions.csv beside FILE)."),
                 batch_size: int = typer.Option(256, "--batch-size", help="Texts per model call."),
                 as_json: bool = JSON) -> None:
    """Classify listener comments in bulk: a predictions CSV and the distribution of labels."""
    from lyricist.core.progress import rich_progress
    from lyricist.tone.bulk import classify_file
    from lyricist.tone.scorers import load_scorer

    if batch_size < 1:
        raise LyricistError("--batch-size must be at least 1")
    stem = file.name.split(".")[0] or "comments"
    if out is None:  # beside the input, never over it (an input named x.predictions.csv)
        out = file.with_name(f"{stem}.predictions.csv")
        if out.name == file.name:
            out = file.with_name(f"{file.name}.predictions.csv")
    load_scorer("auto" if model else scorer, model)  # cached; a bad checkpoint fails before the progress bar
    with rich_progress("Classifying", enabled=not as_json) as p:
        r = classify_file(file, text_col=text_col, model=model, out=out, progress=p, batch_size=batch_size,
                          scorer=scorer)
    emit(r, as_json, _classify_text)


def _classify_text(r: dict) -> str:
    out = [f"{r['n']:,} texts  mean valence {r['mean_valence']:+.3f}  ({r['ms_per_item']:.2f} ms per text, "
           f"{r['model']})"]
    for lab, n in r["counts"].items():
        share = n / r["n"]
        out.append(f"  {lab:<9}{n:>8,}  {share:6.1%}  " + "#" * round(40 * share))
    if r.get("out"):
        out.append(f"predictions: {r['out']}")
    out += [f"warning: {w}" for w in r.get("warnings", [])]
    return "\n".join(out)


def _eval_text(r: dict) -> str:
    out = [f"n {r['n']:,}  accuracy {r['accuracy']:.4f}  macro-F1 {r['macro_f1']:.4f}  "
           f"{r['ms_per_item']:.2f} ms/item" + ("  (scored on the two polar classes)" if r.get("polar") else ""),
           f"model: {r['model']}", f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for lab, s in r["per_class"].items():
        out.append(f"{lab:<10}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['support']:>9}")
    out.append("confusion (rows gold, columns predicted): " + " ".join(r["labels"]))
    out += ["  " + " ".join(f"{v:>6}" for v in row) for row in r["confusion"]]
    return "\n".join(out)


@eval_app.command("sentiment")
@handled
def eval_sentiment_cmd(data: Path = typer.Option(..., "--data", help="Labeled CSV/TSV/JSONL."),
                       text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                       label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the label."),
                       model: Optional[Path] = typer.Option(None, "--model", help="A sentiment checkpoint folder."),
                       scorer: str = typer.Option("auto", "--scorer", help=f"Which scorer: {_SCORERS}."),
                       split: str = typer.Option("all", "--split",
                                                 help="Score all rows, or only the train/val/test split."),
                       as_json: bool = JSON) -> None:
    """Accuracy, macro-F1 and confusion on labeled texts (binary data sets: on the two polar classes)."""
    from lyricist.core.progress import rich_progress
    from lyricist.tone.eval import evaluate_sentiment

    with rich_progress("Evaluating", enabled=not as_json) as p:
        r = evaluate_sentiment(data, text_col=text_col, label_col=label_col, model=model, scorer=scorer,
                               split=split, progress=p)
    emit(r, as_json, _eval_text)


@eval_app.command("mood")
@handled
def eval_mood_cmd(data: Path = typer.Option(..., "--data", help="Labeled songs: a folder of .txt songs or a CSV."),
                  text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the lyrics."),
                  label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the mood."),
                  model: Optional[Path] = typer.Option(None, "--model", help="A song-mood checkpoint folder."),
                  as_json: bool = JSON) -> None:
    """Accuracy, macro-F1 and confusion of the song-mood model (happy/angry/sad/relaxed)."""
    from lyricist.tone.eval import evaluate_mood
    from lyricist.core.progress import rich_progress

    with rich_progress("Evaluating", enabled=not as_json) as p:
        r = evaluate_mood(data, text_col=text_col, label_col=label_col, model=model, progress=p)
    emit(r, as_json, _eval_text)


@train_app.command("sentiment")
@handled
def train_sentiment_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                                    help="Labeled data (default: bundled)."),
                        preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                        out: Optional[Path] = typer.Option(None, "--out",
                                                           help="Model folder (--arch both: the root folder)."),
                        arch: str = typer.Option("both", "--arch", help="lstm, transformer or both."),
                        base_model: Optional[str] = typer.Option(None, "--base-model",
                                                                 help="Transformer to fine-tune: folder or hub id."),
                        epochs: Optional[int] = typer.Option(None, "--epochs", help="Maximum epochs."),
                        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run."),
                        vectors: Optional[Path] = typer.Option(None, "--vectors",
                                                               help="Word vectors for the LSTM: an embeddings folder or a word2vec .txt/.vec/.bin file."),
                        text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                        label_col: Optional[str] = typer.Option(None, "--label-col",
                                                                help="Column holding the label."),
                        max_examples: Optional[int] = typer.Option(None, "--max-examples",
                                                                   help="Subsample the training rows."),
                        max_seconds: Optional[float] = typer.Option(None, "--max-seconds",
                                                                    help="Training time budget per model."),
                        min_words: Optional[int] = typer.Option(None, "--min-words",
                                                                help="Train only on texts of at least N words."),
                        lr: Optional[float] = typer.Option(None, "--lr", help="Peak learning rate (default: the "
                                                                                  "preset's)."),
                        as_json: bool = JSON) -> None:
    """Train the sentiment classifiers (LSTM over word2vec, fine-tuned MiniLM) on labeled texts."""
    from lyricist.core.config import preset_check
    from lyricist.core.progress import rich_progress
    from lyricist.tone.train import train_sentiment

    preset_check(preset)
    log = None if as_json else log_line
    with rich_progress("Training sentiment", enabled=not as_json) as p:
        r = train_sentiment([str(c) for c in corpus] if corpus else None, preset=preset, out_dir=out, progress=p,
                            resume=resume, arch=arch, base_model=base_model, epochs=epochs, vectors=vectors,
                            text_col=text_col, label_col=label_col, max_examples=max_examples,
                            max_seconds=max_seconds, min_words=min_words, lr=lr, log=log)
    emit(r, as_json, _train_sentiment_text)


def _train_sentiment_text(r: dict) -> str:
    out = []
    for arch in ("lstm", "transformer"):
        if arch in r:
            m = r[arch]
            out.append(f"{arch:<12} val macro-F1 {m.get('val_macro_f1', 0):.3f}  test accuracy "
                       f"{m.get('test_accuracy', float('nan')):.3f}  macro-F1 {m.get('test_macro_f1', float('nan')):.3f}"
                       f"  ({m['n_train']:,} train rows, {m['train_seconds']:.0f} s, {m['stopped']})")
    if "ensemble" in r:
        e = r["ensemble"]
        out.append(f"ensemble     val macro-F1 {e['val_macro_f1']['ensemble']:.3f} "
                   f"({'better' if e['better'] else 'not better'} than each model alone)")
    return "\n".join(out)


@train_app.command("mood")
@handled
def train_mood_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                               help="Labeled songs (default: corpora/songs)."),
                   preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                   out: Optional[Path] = typer.Option(None, "--out", help="Model folder (default checkpoints/mood)."),
                   features: Optional[str] = typer.Option(None, "--features", help="lexicon, embedding or both."),
                   text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the lyrics."),
                   label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the mood."),
                   folds: int = typer.Option(5, "--folds", help="Cross-validation folds to report (0: skip)."),
                   as_json: bool = JSON) -> None:
    """Train the song-mood model (happy/angry/sad/relaxed) and report its cross-validated macro-F1."""
    from lyricist.core.config import preset_check
    from lyricist.tone.train_mood import train_mood
    from lyricist.core.progress import rich_progress

    preset_check(preset)
    log = None if as_json else log_line
    with rich_progress("Training mood", enabled=not as_json) as p:
        r = train_mood([str(c) for c in corpus] if corpus else None, preset=preset, out_dir=out, progress=p,
                       text_col=text_col, label_col=label_col, folds=folds, log=log, features=features)
    emit(r, as_json, lambda m: (f"{m['n']} songs, features {m['features']} ({m['n_features']}): train macro-F1 "
                                f"{m['train_macro_f1']:.3f}" + (f", {m['cv']['folds']}-fold CV macro-F1 "
                                                               f"{m['cv']['macro_f1']:.3f} ± {m['cv']['macro_f1_std']:.3f}"
                                                               if m.get("cv") else "")))
