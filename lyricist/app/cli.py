"""The ``lyricist`` command line: a thin typer layer over the library.

Each command parses its arguments and calls one library function. Commands
that produce results take ``--json`` and then print exactly one JSON document
on stdout; progress and logs go to stderr. Bad input exits with code 2 and one
line on stderr (see :class:`lyricist.core.errors.LyricistError`).

Example:
    $ lyricist rhymes fire --json
    {"word": "fire", "syllables": 2, "perfect": ["desire", "higher", ...], ...}
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from lyricist.core.errors import LyricistError
from lyricist.core.progress import is_main_process

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="lyricist: draft lyrics, score emotional tone, explore similar words.")
train_app = typer.Typer(no_args_is_help=True, help="Train models (embeddings, sentiment, mood, generator, all).")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate models on labeled data or standard test sets.")
corpus_app = typer.Typer(no_args_is_help=True, help="Inspect corpora.")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(corpus_app, name="corpus")


def fail(message: str) -> None:
    """Print one line on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def handled(fn: Callable) -> Callable:
    """Turn user-facing errors into one stderr line and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LyricistError as e:
            fail(str(e))
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        except MemoryError:
            fail("out of memory: use a smaller input or a smaller --preset")

    return wrapper


def _log(message: str) -> None:
    """One log line on stderr (only from the main process of a distributed run)."""
    if is_main_process():
        typer.echo(message, err=True)


def emit(result: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    """Print ``result`` as one JSON document, or as human-readable text (main process only)."""
    if not is_main_process():
        return
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif human is not None:
        typer.echo(human(result))
    else:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


# Shared option types.
JSON = typer.Option(False, "--json", help="Print one JSON document on stdout.")
PathsArg = typer.Argument(..., help="Files or folders (.txt songs, .csv/.tsv, .jsonl, optionally .gz).")
LabelMap = typer.Option(None, "--label-map", help="Map a raw label to ours: RAW=LABEL (repeatable), e.g. 4=positive.")


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")) -> None:
    if version:
        from lyricist.core.config import VERSION

        typer.echo(VERSION)
        raise typer.Exit(0)


# ----------------------------------------------------------------- corpus & prosody
@corpus_app.command("stats")
@handled
def corpus_stats_cmd(paths: List[Path] = PathsArg,
                     text_col: Optional[str] = typer.Option(None, "--text-col", help="Column holding the text."),
                     label_col: Optional[str] = typer.Option(None, "--label-col", help="Column holding the label."),
                     label_map: Optional[List[str]] = LabelMap,
                     as_json: bool = JSON) -> None:
    """Songs, lines, words, vocabulary, labels and duplicates dropped."""
    from lyricist.lang.corpus import corpus_stats, parse_label_map

    emit(corpus_stats([str(p) for p in paths], text_col=text_col, label_col=label_col,
                      label_map=parse_label_map(label_map)), as_json, _stats_text)


def _stats_text(s: dict) -> str:
    out = [f"files {s['files']}  songs {s['songs']}  lines {s['lines']}  words {s['words']}  "
           f"vocabulary {s['vocabulary']}  texts {s['texts']}"]
    if s.get("moods"):
        out.append("moods: " + ", ".join(f"{k} {v}" for k, v in sorted(s["moods"].items())))
    if s.get("labels"):
        out.append("labels: " + ", ".join(f"{k} {v}" for k, v in sorted(s["labels"].items())))
    out.append(f"dropped: {s['duplicates_dropped']} duplicates, {s['near_duplicates_dropped']} near-duplicates, "
               f"{s['empty_dropped']} empty")
    out += [f"warning: {w}" for w in s.get("warnings", [])]
    return "\n".join(out)


@app.command("rhymes")
@handled
def rhymes_cmd(word: str = typer.Argument(..., help="The word to rhyme."),
               near: bool = typer.Option(False, "--near", help="Also list near (slant) rhymes."),
               as_json: bool = JSON) -> None:
    """Perfect, near and multi-syllable rhymes from the CMU dictionary."""
    from lyricist.lang.prosody import rhymes

    r = rhymes(word, near=near)
    emit(r, as_json, lambda r: "\n".join(
        f"{k}: {', '.join(r[k][:40])}" for k in ("perfect", "near", "multi") if r.get(k)) or "no rhymes found")


# ----------------------------------------------------------------- embeddings (similar, analogy, eval embeddings)
_SPACE_HELP = "Which space: blend (corpus first, general for the rest), corpus or general."
explore_app = typer.Typer(no_args_is_help=True,
                          help="More word-space tools: odd-one-out, between, axis, map, export.")
app.add_typer(explore_app, name="explore")


def _general_bar(general_dir: Optional[Path], as_json: bool):
    """A progress bar only when the general vectors must be built first (minutes, once)."""
    from lyricist.explore.space import general_ready
    from lyricist.core.progress import rich_progress

    return rich_progress("Building general vectors (once)", enabled=not as_json and not general_ready(general_dir))


def _pairs_text(pairs: list, key: str = "score") -> str:
    return "\n".join(f"{p['word']:<20}{p[key]:+.3f}" for p in pairs) or "(no words pass these filters)"


@train_app.command("embeddings")
@handled
def train_embeddings_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                                     help="Songs: folders/files (default: corpora/)."),
                         preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                         out: Optional[Path] = typer.Option(None, "--out",
                                                            help="Model folder (default checkpoints/embeddings)."),
                         epochs: Optional[int] = typer.Option(None, "--epochs",
                                                              help="Passes over the corpus (default: by size)."),
                         phrases: Optional[bool] = typer.Option(None, "--phrases/--no-phrases",
                                                                help="Join frequent word pairs (broken_heart)."),
                         resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run."),
                         general: bool = typer.Option(True, "--general/--no-general",
                                                      help="Also build the general vectors if missing."),
                         as_json: bool = JSON) -> None:
    """Train word2vec on your lyrics (and build the general-English vectors once)."""
    from lyricist.explore.space import train_embeddings
    from lyricist.core.progress import rich_progress

    log = None if as_json else _log
    with rich_progress("Training embeddings", enabled=not as_json) as p:
        r = train_embeddings([str(c) for c in corpus] if corpus else None, preset, out, epochs, phrases,
                             resume=resume, general=general, progress=p, log=log)
    emit(r, as_json, lambda r: (
        f"{r['vocab_size']:,} words from {r['tokens']:,} tokens ({r['songs']} songs), {r['epochs']} epochs, "
        f"min_count {r['min_count']}, {r['train_seconds']:.1f} s ({r['words_per_second']:,.0f} words/s)\n"
        f"model: {r['out']}" + (f"\ngeneral vectors: {r['general']}" if r.get("general") else "")))


@app.command("similar")
@handled
def similar_cmd(word: str = typer.Argument(..., help="The word to explore."),
                topn: int = typer.Option(10, "--topn", help="How many words."),
                rhymes_with: Optional[str] = typer.Option(None, "--rhymes-with", help="Keep only rhymes of W."),
                near: bool = typer.Option(False, "--near", help="Accept near (slant) rhymes too."),
                syllables: Optional[int] = typer.Option(None, "--syllables", help="Keep only words of N syllables."),
                space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
                keep_inflections: bool = typer.Option(False, "--keep-inflections",
                                                      help="Keep the word's own forms (loved, loves...)."),
                model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                as_json: bool = JSON) -> None:
    """Words near WORD in your lyrics' space, optionally only rhymes and/or a syllable count."""
    from lyricist.explore.space import similar_words

    with _general_bar(general_dir, as_json) as p:
        r = similar_words(word, topn=topn, rhymes_with=rhymes_with, near=near, syllables=syllables, space=space,
                          model_dir=model, general_dir=general_dir, exclude_inflections=not keep_inflections,
                          progress=p)
    emit(r, as_json, lambda r: f"near '{r['word']}' ({r['space']} space):\n" + "\n".join(
        f"{n['word']:<20}{n['score']:+.3f}  {n['syllables']} syl" + ("  corpus" if n["in_corpus"] else "")
        for n in r["neighbours"]) if r["neighbours"] else "no words pass these filters")


@app.command("analogy")
@handled
def analogy_cmd(a: str = typer.Argument(..., help="A (A is to B ...)"),
                b: str = typer.Argument(..., help="B"),
                c: str = typer.Argument(..., help="C (... as C is to ?)"),
                topn: int = typer.Option(5, "--topn", help="How many answers."),
                space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
                model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                as_json: bool = JSON) -> None:
    """A is to B as C is to ? (3CosMul)."""
    from lyricist.explore.space import analogy_words

    with _general_bar(general_dir, as_json) as p:
        r = analogy_words(a, b, c, topn=topn, space=space, model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"{r['a']} : {r['b']} :: {r['c']} : ?\n" + _pairs_text(r["answers"]))


@eval_app.command("embeddings")
@handled
def eval_embeddings_cmd(model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                        general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                        restrict_vocab: int = typer.Option(30000, "--restrict-vocab",
                                                           help="Analogy candidates: the N most frequent words."),
                        as_json: bool = JSON) -> None:
    """WordSim-353 Spearman (+ OOV share), SimLex-999 and Google analogies for the corpus, general and blend spaces."""
    from lyricist.explore.space import evaluate_embeddings
    from lyricist.core.progress import rich_progress

    if restrict_vocab < 1:
        raise LyricistError("--restrict-vocab must be at least 1")
    with rich_progress("Evaluating embeddings", enabled=not as_json) as p:
        r = evaluate_embeddings(model, general_dir, restrict_vocab=restrict_vocab, progress=p)
    emit(r, as_json, _eval_embeddings_text)


def _eval_embeddings_text(r: dict) -> str:
    def f(x, fmt="{:.3f}"):
        return "  n/a" if x is None else fmt.format(x)

    out = [f"{'space':<9}{'WordSim-353':>12}{'OOV':>7}{'SimLex-999':>12}{'analogy':>9}{'(3CosAdd)':>10}{'OOV':>7}"]
    for sp in r["spaces"]:
        w, s, a = r["wordsim353"][sp], r["simlex999"][sp], r["analogy"][sp]
        out.append(f"{sp:<9}{f(w['spearman']):>12}{f(w['oov_share'], '{:.0%}'):>7}{f(s['spearman']):>12}"
                   f"{f(a['accuracy']):>9}{f(a['accuracy_3cosadd']):>10}{f(a['oov_share'], '{:.0%}'):>7}")
    out.append(f"analogies: Google set, 3CosMul, restrict_vocab {r['restrict_vocab']:,}; "
               f"models: {r['models']['corpus']} + {r['models']['general']}")
    return "\n".join(out)


@explore_app.command("odd-one-out")
@handled
def odd_one_out_cmd(words: List[str] = typer.Argument(..., help="Three or more words."),
                    space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
                    model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                    general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                    as_json: bool = JSON) -> None:
    """The word that fits least with the others."""
    from lyricist.explore.space import odd_one_out

    with _general_bar(general_dir, as_json) as p:
        r = odd_one_out(words, space=space, model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"odd one out: {r['odd']}\n" + _pairs_text(r["words"]))


@explore_app.command("between")
@handled
def between_cmd(a: str = typer.Argument(..., help="First word."), b: str = typer.Argument(..., help="Second word."),
                topn: int = typer.Option(10, "--topn", help="How many words."),
                space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
                model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                as_json: bool = JSON) -> None:
    """Words close to both A and B."""
    from lyricist.explore.space import between_words

    with _general_bar(general_dir, as_json) as p:
        r = between_words(a, b, topn=topn, space=space, model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"between '{r['a']}' and '{r['b']}':\n" + _pairs_text(r["words"]))


@explore_app.command("axis")
@handled
def axis_cmd(words: Optional[List[str]] = typer.Argument(None, help="Words to place (default: the corpus extremes)."),
             negative: str = typer.Option("sad", "--negative", help="Negative pole."),
             positive: str = typer.Option("happy", "--positive", help="Positive pole."),
             topn: int = typer.Option(10, "--topn", help="Words at each end when no words are given."),
             space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
             model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
             general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
             as_json: bool = JSON) -> None:
    """Place words on a semantic axis (sad <-> happy by default)."""
    from lyricist.explore.space import axis_words

    with _general_bar(general_dir, as_json) as p:
        r = axis_words(words or None, negative=negative, positive=positive, topn=topn, space=space,
                       model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"{r['negative']} (-) <-> {r['positive']} (+):\n" + _pairs_text(r["words"]))


@explore_app.command("map")
@handled
def map_cmd(words: Optional[List[str]] = typer.Argument(None, help="Words to place."),
            query: Optional[str] = typer.Option(None, "--query", help="Also place this word and its neighbours."),
            topn: int = typer.Option(15, "--topn", help="Neighbours of --query."),
            method: str = typer.Option("pca", "--method", help="pca or tsne."),
            space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
            out: Path = typer.Option(Path("word_map.html"), "--out", help="HTML file to write."),
            model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
            general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
            as_json: bool = JSON) -> None:
    """A 2-D map of words (interactive HTML, plotly)."""
    from lyricist.explore.space import word_map

    with _general_bar(general_dir, as_json) as p:
        r = word_map(words or None, query=query, topn=topn, method=method, space=space, out=out, model_dir=model,
                     general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"{r['points']} words mapped ({r['method']}): {r['out']}")


@explore_app.command("export")
@handled
def export_cmd(out: Path = typer.Option(Path("projector"), "--out", help="Folder for vectors.tsv and metadata.tsv."),
               space: str = typer.Option("blend", "--space", help=_SPACE_HELP),
               limit: int = typer.Option(10000, "--limit", help="At most this many words."),
               model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
               general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
               as_json: bool = JSON) -> None:
    """Export vectors.tsv + metadata.tsv for the TensorFlow Embedding Projector."""
    from lyricist.explore.space import export_space

    with _general_bar(general_dir, as_json) as p:
        r = export_space(out, space=space, limit=limit, model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"{r['words']:,} words: {r['vectors']} and {r['metadata']} "
                               "(load both at https://projector.tensorflow.org)")


# (end embeddings)


# ----------------------------------------------------------------- sentiment (score, classify, eval sentiment|mood)
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
    from lyricist.tone.scorers import arc_figure, load_scorer, tone_report

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
                 out: Optional[Path] = typer.Option(None, "--out",
                                                    help="Predictions CSV (default: FILE-STEM.predictions.csv)."),
                 batch_size: int = typer.Option(256, "--batch-size", help="Texts per model call."),
                 as_json: bool = JSON) -> None:
    """Classify listener comments in bulk: a predictions CSV and the distribution of labels."""
    from lyricist.core.progress import rich_progress
    from lyricist.tone.scorers import classify_file, load_scorer

    if batch_size < 1:
        raise LyricistError("--batch-size must be at least 1")
    stem = file.name.split(".")[0] or "comments"
    out = out or Path(f"{stem}.predictions.csv")
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
    from lyricist.tone.scorers import evaluate_sentiment

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
    from lyricist.tone.mood import evaluate_mood
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
    from lyricist.tone.scorers import train_sentiment

    preset_check(preset)
    log = None if as_json else _log
    with rich_progress("Training sentiment", enabled=not as_json) as p:
        r = train_sentiment([str(c) for c in corpus] if corpus else None, preset, out, arch, base_model, epochs,
                            resume, p, vectors=vectors, text_col=text_col, label_col=label_col,
                            max_examples=max_examples, max_seconds=max_seconds, min_words=min_words, lr=lr,
                            log=log)
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
    from lyricist.tone.mood import train_mood
    from lyricist.core.progress import rich_progress

    preset_check(preset)
    log = None if as_json else _log
    with rich_progress("Training mood", enabled=not as_json) as p:
        r = train_mood([str(c) for c in corpus] if corpus else None, preset, out, p, text_col=text_col,
                       label_col=label_col, folds=folds, log=log, features=features)
    emit(r, as_json, lambda m: (f"{m['n']} songs, features {m['features']} ({m['n_features']}): train macro-F1 "
                                f"{m['train_macro_f1']:.3f}" + (f", {m['cv']['folds']}-fold CV macro-F1 "
                                                               f"{m['cv']['macro_f1']:.3f} ± {m['cv']['macro_f1_std']:.3f}"
                                                               if m.get("cv") else "")))


# (end sentiment)


# ----------------------------------------------------------------- generator (generate, eval generator)
_GEN_MODEL = "A generator checkpoint folder (default: checkpoints/generator)."


def _draft_text(r: dict) -> str:
    width = max((len(ln["text"]) for ln in r["lines"]), default=0)
    out = [f"{r['theme']}  ({r['scheme']}, {r['syllables']} syllables, mood {r['mood'] or 'any'}; "
           f"keywords: {', '.join(r['keywords']) or '-'})", ""]
    for i, ln in enumerate(r["lines"]):
        flag = "" if ln["ok"] else f"   <- misses: {', '.join(ln['issues'])}"
        lock = " [locked]" if ln.get("locked") else ""
        out.append(f"{i + 1:>2} {ln['letter']}  {ln['text']:<{width}}  ({ln['syllables']}){lock}{flag}")
    if r.get("alternatives"):
        out += ["", "next line, alternatives:"] + [f"  - {a}" for a in r["alternatives"]]
    out.append(f"\ndrafted in {r['ms']:.0f} ms" +
               (f" (loading the models took {r['load_ms'] / 1000:.1f} s, once per process)" if r.get("load_ms") else ""))
    return "\n".join(out)


@app.command("generate")
@handled
def generate_cmd(theme: Optional[str] = typer.Option(None, "--theme", help="What the song is about."),
                 lines: int = typer.Option(8, "--lines", help="Number of lines (new lines with --continue-from)."),
                 scheme: Optional[str] = typer.Option(None, "--scheme",
                                                      help="AABB, ABAB, ABCB, AAAA, free or any letter pattern "
                                                           "(default AABB; with --continue-from: read from your lines)."),
                 syllables: Optional[int] = typer.Option(None, "--syllables",
                                                         help="Syllables per line, each within +-1 (default 8)."),
                 mood: Optional[str] = typer.Option(None, "--mood", help="happy, angry, sad or relaxed."),
                 seed: int = typer.Option(0, "--seed", help="Same seed, same draft."),
                 model: Optional[Path] = typer.Option(None, "--model", help=_GEN_MODEL),
                 alternatives: int = typer.Option(0, "--alternatives", help="Also give N options for the next line."),
                 continue_from: Optional[Path] = typer.Option(None, "--continue-from",
                                                              help="A text file with your own lines to continue."),
                 as_json: bool = JSON) -> None:
    """Draft lyrics on a theme that keep a rhyme scheme, a syllable count and a mood."""
    from lyricist.drafting.cowrite import generate

    if continue_from is None:
        scheme, syllables = scheme or "AABB", syllables or 8
    r = generate(theme, lines=lines, scheme=scheme, syllables=syllables, mood=mood, seed=seed, model_dir=model,
                 alternatives_n=alternatives, continue_from=continue_from)
    emit(r, as_json, _draft_text)


@train_app.command("generator")
@handled
def train_generator_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                                    help="Songs (default: bundled corpora/songs)."),
                        preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                        out: Optional[Path] = typer.Option(None, "--out",
                                                           help="Model folder (default checkpoints/generator)."),
                        base_model: Optional[str] = typer.Option(None, "--base-model",
                                                                 help="Fine-tune this causal LM (folder or hub id)."),
                        epochs: Optional[int] = typer.Option(None, "--epochs", help="Maximum epochs."),
                        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run."),
                        max_seconds: Optional[float] = typer.Option(None, "--max-seconds",
                                                                    help="Training time budget in seconds."),
                        as_json: bool = JSON) -> None:
    """Train the lyric generator (BPE tokenizer + GPT-2) on songs, with mood and theme control tokens."""
    from lyricist.core.config import preset_check
    from lyricist.drafting.train import train_generator
    from lyricist.core.progress import rich_progress

    preset_check(preset)
    log = None if as_json else _log
    with rich_progress("Training generator", enabled=not as_json) as p:
        r = train_generator([str(c) for c in corpus] if corpus else None, preset, out, base_model, epochs, resume,
                            p, max_seconds=max_seconds, log=log)
    emit(r, as_json, lambda m: (f"validation perplexity {m['val_ppl']}" +
                                (f", test perplexity {m['test_ppl']}" if m.get("test_ppl") else "") +
                                f" ({m['n_params'] / 1e6:.2f}M parameters, vocab {m['vocab_size']}, "
                                f"{m['epochs_run']} epochs, {m['train_seconds']:.0f} s, {m['stopped']})"))


def _gen_eval_text(r: dict) -> str:
    rows = [("held-out perplexity", "perplexity", "{:.1f}"), ("rhyme-scheme accuracy", "rhyme_accuracy", "{:.1%}"),
            ("drafts with every rhyme", "scheme_match", "{:.1%}"),
            ("syllables within +-1", "syllable_accuracy", "{:.1%}"), ("distinct-1", "distinct_1", "{:.3f}"),
            ("distinct-2", "distinct_2", "{:.3f}"), ("copy rate (6-grams)", "copy_rate", "{:.1%}"),
            ("mood hit rate (drafts)", "mood_hit_rate", "{:.1%}"), ("mood hit rate (lines)", "mood_line_hit_rate",
                                                                     "{:.1%}"),
            ("theme relevance", "theme_relevance", "{:.3f}"), ("ms per draft", "ms_per_draft", "{:.0f}")]
    c, u = r["constrained"], r["unconstrained"]
    out = [f"{'':<26}{'constrained':>14}{'unconstrained':>15}"]
    for name, key, fmt in rows:
        f = (lambda v: "-" if v is None else fmt.format(v))
        out.append(f"{name:<26}{f(c.get(key)):>14}{f(u.get(key)):>15}")
    out.append(f"({c['drafts']} drafts of {r['forms']['lines']} lines each; perplexity on {r['perplexity_data']}; "
               f"model {r['model']})")
    return "\n".join(out)


@eval_app.command("generator")
@handled
def eval_generator_cmd(model: Optional[Path] = typer.Option(None, "--model", help=_GEN_MODEL),
                       data: Optional[Path] = typer.Option(None, "--data",
                                                           help="Songs for held-out perplexity (default: the test "
                                                                "split of the training data)."),
                       drafts: int = typer.Option(24, "--drafts", help="Drafts per column."),
                       as_json: bool = JSON) -> None:
    """Perplexity, rhyme/syllable accuracy, distinct-n, copy rate, mood hit rate, theme relevance and latency:
    the constrained decoder against the same model sampled without constraints."""
    from lyricist.drafting.eval import evaluate_generator
    from lyricist.core.progress import rich_progress

    with rich_progress("Evaluating generator", enabled=not as_json) as p:
        r = evaluate_generator(model, data, n_drafts=drafts, progress=p)
    emit(r, as_json, _gen_eval_text)


# (end generator)


# ----------------------------------------------------------------- train all, demo
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
    log = None if as_json else _log
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
    # the app runs from the repo root: give it the absolute folder the models were just trained into
    env = {**os.environ, "LYRICIST_CHECKPOINTS": str(checkpoints_root().resolve())}
    try:
        rc = subprocess.call(cmd, cwd=str(Path(cmd[4]).parent), env=env)
    except KeyboardInterrupt:
        rc = 0
    if rc not in (0, -2, 130):
        raise LyricistError(f"the app stopped with exit code {rc}: is port {port} already in use? Try --port")


# (end demo)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
