"""The drafting commands: ``generate``, ``train generator``, ``eval generator``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lyricist.app.cli.common import app, emit, eval_app, handled, JSON, log_line, train_app


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
    """Draft lyrics on a theme that keep a rhyme scheme, a syllable count and a mood.

    Each line shows on stderr as soon as it is written; the finished draft goes to stdout."""
    from lyricist.core.progress import rich_stream
    from lyricist.drafting.cowrite import generate

    if continue_from is None:
        scheme, syllables = scheme or "AABB", syllables or 8
    with rich_stream("Drafting", enabled=not as_json) as s:
        if s.progress is not None:
            s.progress(0.0, "loading the models")
        r = generate(theme, lines=lines, scheme=scheme, syllables=syllables, mood=mood, seed=seed, model_dir=model,
                     alternatives_n=alternatives, continue_from=continue_from, progress=s.progress,
                     on_line=lambda i, ln: s.row(_row(i, ln.letter, ln.text, ln.syllables)),
                     on_loaded=lambda ms: s.progress and s.progress(0.0, f"models loaded in {ms / 1000:.1f} s"))
    emit(r, as_json, _draft_text)


def _row(i: int, letter: str, text: str, syllables: int) -> str:
    return f"{i + 1:>2} {letter}  {text}  ({syllables})"


@train_app.command("generator")
@handled
def train_generator_cmd(corpus: Optional[List[Path]] = typer.Option(None, "--corpus",
                                                                    help="Songs (default: bundled corpora/songs)."),
                        preset: str = typer.Option("default", "--preset", help="tiny, default or full."),
                        out: Optional[Path] = typer.Option(None, "--out",
                                                           help="Model folder (default checkpoints/generator)."),
                        base_model: Optional[str] = typer.Option(None, "--base-model",
                                                                 help="Fine-tune this causal LM: smollm2 (the "
                                                                      "bundled SmolLM2-135M, the default), a folder, "
                                                                      "a hub id, or none (a GPT-2 from scratch)."),
                        plan: bool = typer.Option(False, "--plan",
                                                  help="Planned lines (end word and syllables before each line, "
                                                       "left to right) for the --base-model given; the default "
                                                       "model has them already."),
                        lora_rank: Optional[int] = typer.Option(None, "--lora-rank",
                                                                help="LoRA rank when fine-tuning a base (default "
                                                                     "16; 0: full fine-tuning)."),
                        epochs: Optional[int] = typer.Option(None, "--epochs", help="Maximum epochs."),
                        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run."),
                        max_seconds: Optional[float] = typer.Option(None, "--max-seconds",
                                                                    help="Training time budget in seconds."),
                        as_json: bool = JSON) -> None:
    """Train the lyric generator on songs, with mood and theme control tokens: by default the bundled SmolLM2
    fine-tuned on planned lines (--base-model none: a small GPT-2 from scratch)."""
    from lyricist.core.config import preset_check
    from lyricist.drafting.train import train_generator
    from lyricist.core.progress import rich_progress

    preset_check(preset)
    log = None if as_json else log_line
    extra = {"plan": True, "reverse": False} if plan else {}
    if lora_rank is not None:
        extra["lora_rank"] = lora_rank
    with rich_progress("Training generator", enabled=not as_json) as p:
        r = train_generator([str(c) for c in corpus] if corpus else None, preset=preset, out_dir=out,
                            base_model=base_model, epochs=epochs, resume=resume, progress=p,
                            max_seconds=max_seconds, log=log, **extra)
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
    if "judge" in r:
        rows.append(("SLOR (judge LM)", "slor", "{:.3f}"))
    c, u = r["constrained"], r["unconstrained"]
    out = [f"{'':<26}{'constrained':>14}{'unconstrained':>15}"]
    for name, key, fmt in rows:
        f = (lambda v: "-" if v is None else fmt.format(v))
        out.append(f"{name:<26}{f(c.get(key)):>14}{f(u.get(key)):>15}")
    out.append(f"({c['drafts']} drafts of {r['forms']['lines']} lines each; perplexity on {r['perplexity_data']}; "
               f"model {r['model']})")
    if "judge" in r:
        h = r["human_slor"]
        out.append(f"SLOR of the {r['judge']['human_lines']} held-out human lines: "
                   f"{'-' if h is None else f'{h:.3f}'} (judge: {r['judge']['model']}, on {r['judge']['data']})")
    return "\n".join(out)


@eval_app.command("generator")
@handled
def eval_generator_cmd(model: Optional[Path] = typer.Option(None, "--model", help=_GEN_MODEL),
                       data: Optional[Path] = typer.Option(None, "--data",
                                                           help="Songs for held-out perplexity (default: the test "
                                                                "split of the training data)."),
                       drafts: int = typer.Option(24, "--drafts", help="Drafts per column."),
                       judge: Optional[Path] = typer.Option(None, "--judge",
                                                            help="Text the generator never saw (.txt lines, CSV, "
                                                                 "JSONL): trains the trigram LM that scores SLOR."),
                       as_json: bool = JSON) -> None:
    """Perplexity, rhyme/syllable accuracy, distinct-n, copy rate, mood hit rate, theme relevance and latency:
    the constrained decoder against the same model sampled without constraints."""
    from lyricist.drafting.eval import evaluate_generator
    from lyricist.core.progress import rich_progress

    with rich_progress("Evaluating generator", enabled=not as_json) as p:
        r = evaluate_generator(model, data, n_drafts=drafts, progress=p, judge=judge)
    emit(r, as_json, _gen_eval_text)
