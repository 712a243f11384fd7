"""The word-space commands: ``train embeddings``, ``similar``, ``analogy``, ``eval embeddings``, ``explore ...``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lyricist.core.errors import LyricistError
from lyricist.app.cli.common import app, emit, eval_app, handled, JSON, log_line, train_app


_SPACE_HELP = "Which space: blend (corpus first, general for the rest), corpus or general."
explore_app = typer.Typer(no_args_is_help=True,
                          help="More word-space tools: odd-one-out, between, axis, map, export.")
app.add_typer(explore_app, name="explore")


def _general_bar(general_dir: Optional[Path], as_json: bool):
    """A progress bar only when the general vectors must be built first (minutes, once)."""
    from lyricist.explore.api import general_ready
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
    from lyricist.explore.train import train_embeddings
    from lyricist.core.progress import rich_progress

    log = None if as_json else log_line
    with rich_progress("Training embeddings", enabled=not as_json) as p:
        r = train_embeddings([str(c) for c in corpus] if corpus else None, preset=preset, out_dir=out,
                             epochs=epochs, phrases=phrases, resume=resume, general=general, progress=p, log=log)
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
                families: bool = typer.Option(True, "--families/--no-families",
                                              help="Group word families (ballet [ballets]); drop WORD's own "
                                                   "(rainy, rainstorm for rain)."),
                register: bool = typer.Option(True, "--register/--no-register",
                                              help="Rank technical and rare words down unless your corpus uses them."),
                model: Optional[Path] = typer.Option(None, "--model", help="Embeddings folder."),
                general_dir: Optional[Path] = typer.Option(None, "--general-vectors", help="General vectors folder."),
                as_json: bool = JSON) -> None:
    """Words near WORD in your lyrics' space, one per word family, optionally only rhymes and/or a syllable count."""
    from lyricist.explore.api import similar_words

    with _general_bar(general_dir, as_json) as p:
        r = similar_words(word, topn=topn, rhymes_with=rhymes_with, near=near, syllables=syllables, space=space,
                          model_dir=model, general_dir=general_dir, exclude_inflections=not keep_inflections,
                          families=families, register=register, progress=p)
    emit(r, as_json, _similar_text)


def _similar_text(r: dict) -> str:
    """One neighbour a line, its family in brackets; the query's own family last."""
    if not r["neighbours"]:
        return "no words pass these filters"
    out = [f"near '{r['word']}' ({r['space']} space):"]
    for n in r["neighbours"]:
        line = f"{n['word']:<20}{n['score']:+.3f}  {n['syllables']} syl" + ("  corpus" if n["in_corpus"] else "")
        if n.get("family"):
            line += f"  [{', '.join(n['family'])}]"
        out.append(line)
    if r.get("query_family"):
        out.append(f"({r['word']}'s own family, left out: {', '.join(r['query_family'])})")
    return "\n".join(out)


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
    from lyricist.explore.api import analogy_words

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
    from lyricist.explore.api import evaluate_embeddings
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
    from lyricist.explore.api import odd_one_out

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
    from lyricist.explore.api import between_words

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
    from lyricist.explore.api import axis_words

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
    from lyricist.explore.api import word_map

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
    from lyricist.explore.api import export_space

    with _general_bar(general_dir, as_json) as p:
        r = export_space(out, space=space, limit=limit, model_dir=model, general_dir=general_dir, progress=p)
    emit(r, as_json, lambda r: f"{r['words']:,} words: {r['vectors']} and {r['metadata']} "
                               "(load both at https://projector.tensorflow.org)")
