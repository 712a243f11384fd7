"""Training the lyric generator: songs -> control-prefixed token sequences -> a causal LM.

By default (presets ``default`` and ``full``) the LM is the bundled SmolLM2-135M-Instruct, fine-tuned
on planned lines (each line after its end word and syllable count); ``--base-model`` names another
base, and ``--base-model none`` (or the ``tiny`` preset) trains a small GPT-2 from scratch.

Data (:func:`build_data`): songs from :func:`lyricist.lang.corpus.read_songs`, split
by song (``song.split``): ``train`` songs train the tokenizer and the model,
``val`` songs give the validation perplexity that picks the best epoch, and
``test`` songs are kept for ``lyricist eval generator``. Every line of every
song goes into the copy guard (word 6-grams), so a draft never reproduces the
corpus, whichever split the line came from.

Each training example is one song, or one window of a long song cut at line
boundaries, written as ::

    <|bos|> <|mood:sad|> <|kw|> town dawn road <|/kw|> <|verse|> line <|nl|> line <|nl|> <|chorus|> ... <|eos|>

The keywords are drawn afresh each time an example is used (1 to
``max_keywords`` of the song's keyword pool: its ``theme:`` header lemmas and
its most distinctive content lemmas by tf-idf), and dropped 10% of the time,
so the model learns to follow any subset and also to write without any. Songs
without a mood label get the lexicon quadrant mood (VADER valence x arousal)
when ``pseudo_mood`` is on. The control prefix carries no loss: perplexity is
measured on the lyrics only.

Training runs through :func:`lyricist.core.loop.fit` (AdamW, warmup + cosine,
early stopping on validation perplexity, atomic best checkpoint, ``--resume``).

Example (tiny, seconds):
    >>> from lyricist.drafting.train import train_generator  # doctest: +SKIP
    >>> train_generator(preset="tiny", out_dir="/tmp/gen")["val_ppl"] > 1  # doctest: +SKIP
    True
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from lyricist.core.checkpoint import atomic_write_json, write_config
from lyricist.core.config import bundled_corpus, checkpoint_dir
from lyricist.core import loop as core_loop
from lyricist.core.errors import LyricistError
from lyricist.core.hf import encodable
from lyricist.core.loop import LoopConfig, fit, seed_everything
from lyricist.core.progress import ProgressFn, is_main_process, report, scaled
from lyricist.drafting.base import INSTALL_HINT, SMOLLM2, base_installed, resolve_base
from lyricist.drafting.lora import merged, with_lora
from lyricist.drafting.format import (SongEncoder, add_special_tokens, line_text, load_tokenizer,
                                      train_tokenizer)
from lyricist.drafting.model import KIND, build_model, generator_config, load_generator, max_positions
from lyricist.drafting.ngrams import COPY_N, build_copy_guard, build_ngrams
from lyricist.lang.corpus import ReadReport, fingerprint, read_songs
from lyricist.lang.prosody import words_of
from lyricist.lang.text import content_lemmas, is_stop, lemma, tokens_many
from lyricist.tone.mood import quadrant_predict

PREFIX_BUDGET = 24  # tokens kept free in each window for the control prefix


# ----------------------------------------------------------------- data
@dataclass
class SongItem:
    """One song ready for the model: its control choices and its body as line units."""

    mood: str | None
    pool: list[str]
    """Keyword pool: theme lemmas first, then the most distinctive content lemmas."""
    windows: list[list[int]] = field(default_factory=list)
    """Body token ids, cut into windows that fit the block with the prefix."""


@dataclass
class GeneratorData:
    """Everything training needs, built once from the corpus."""

    train: list[SongItem]
    val: list[SongItem]
    test_songs: list
    """The ``test`` split songs (Song objects), for held-out perplexity in eval."""
    copy_guard: np.ndarray
    words: dict[str, int]
    """Word counts over the training lines (the words a rhyme may be drawn from)."""
    ngrams: dict
    """Forward word bigrams and trigrams of the training lines (see :func:`build_ngrams`)."""
    n_songs: dict[str, int]
    n_lines: int
    moods: dict[str, int]
    sources: list[str]


def read_corpus(paths: Sequence[str | os.PathLike] | None, log: Optional[Callable[[str], None]] = None,
                max_songs: int = 0) -> tuple[list, list[str]]:
    """Songs of ``paths`` (default: the bundled songs), with at least 2 lines each."""
    paths = [str(p) for p in paths] if paths else [str(bundled_corpus() / "songs")]
    rep = ReadReport()
    songs = []
    for s in read_songs(paths, report=rep):
        if len(s.lines) >= 2:
            songs.append(s)
            if max_songs and len(songs) >= max_songs:
                break
    if not songs:
        raise LyricistError(f"no songs with at least two lines in {', '.join(paths)}: pass a folder of .txt songs "
                            "or a CSV/JSONL with a lyrics column")
    if log:
        log(f"read {len(songs)} songs from {', '.join(paths)} (dropped {rep.duplicates_dropped} duplicates, "
            f"{rep.near_duplicates_dropped} near-duplicates)")
    return songs, paths


def keyword_pools(songs: Sequence, train_mask: Sequence[bool], top: int = 8) -> list[list[str]]:
    """Per song: the lemmas of its ``theme:`` header, then its ``top`` content lemmas by tf-idf.

    Document frequencies come from the training songs only.
    """
    bags: list[Counter] = []
    for toks in tokens_many((s.text for s in songs), batch_size=200):
        c: Counter = Counter()
        for t in toks:
            if len(t) > 2 and not is_stop(t):
                lem = lemma(t)
                if len(lem) > 2 and not is_stop(lem) and lem.isalpha():
                    c[lem] += 1
        bags.append(c)
    df: Counter = Counter()
    n_train = 0
    for bag, is_train in zip(bags, train_mask):
        if is_train:
            df.update(bag.keys())
            n_train += 1
    pools = []
    for song, bag in zip(songs, bags):
        theme = song.meta.get("theme", "") if isinstance(song.meta, dict) else ""
        pool: list[str] = []
        if theme:
            pool = [w for w in content_lemmas(theme) if w.isalpha()][:4]
        scored = sorted(bag.items(), key=lambda kv: -(1 + math.log(kv[1])) * math.log((n_train + 1) / (df[kv[0]] + 1)))
        for w, _ in scored:
            if len(pool) >= top + 2:
                break
            if w not in pool:
                pool.append(w)
        pools.append(pool)
    return pools


def song_windows(enc: SongEncoder, song, block_size: int) -> list[list[int]]:
    """The song's body ids (section markers, lines, ``<|nl|>``), cut at line boundaries into windows.

    A window that starts inside a section repeats that section's marker.
    """
    budget = max(8, block_size - PREFIX_BUDGET - 1)
    lines = [ln for _, lns in song.sections() for ln in lns]
    if enc.plan:  # each line after its plan, in its own case and punctuation
        ids = [enc.line_ids(ln.text) for ln in lines]
    else:
        texts = [line_text(ln.text, enc.reverse) for ln in lines]
        ids = enc.tok([" " + encodable(t) for t in texts], add_special_tokens=False)["input_ids"] if texts else []
    windows: list[list[int]] = []
    cur: list[int] = []
    section_id = None
    last_index = None
    for ln, line_ids in zip(lines, ids):
        unit: list[int] = []
        if ln.section_index != last_index:
            section_id = enc.section(ln.section)
            unit.append(section_id)
            last_index = ln.section_index
        unit += line_ids[:budget - 2] + [enc.nl]
        if cur and len(cur) + len(unit) > budget:
            windows.append(cur)
            cur = [] if unit[0] == section_id else [section_id]
        cur += unit
    if cur:
        windows.append(cur)
    return windows


def build_data(songs: Sequence, enc: SongEncoder, block_size: int, pseudo_mood: bool,
               log: Optional[Callable[[str], None]] = None) -> GeneratorData:
    """Split songs, build keyword pools, windows, the copy guard and the word counts."""
    splits = [s.split for s in songs]
    train_mask = [sp == "train" for sp in splits]
    if not any(train_mask):
        train_mask = [True] * len(songs)
        splits = ["train"] * len(songs)
    pools = keyword_pools(songs, train_mask)
    moods = [s.mood for s in songs]
    n_pseudo = 0
    if pseudo_mood and any(m is None for m in moods):
        missing = [i for i, m in enumerate(moods) if m is None]
        guessed = quadrant_predict([[ln.text for ln in songs[i].lines] for i in missing])
        for i, m in zip(missing, guessed):
            moods[i] = m
        n_pseudo = len(missing)
        if log:
            log(f"{n_pseudo} songs had no mood label: gave them the lexicon quadrant mood")
    words: Counter = Counter()
    all_words = []
    train_words = []
    for s, sp in zip(songs, splits):
        for ln in s.lines:
            ws = words_of(ln.text)
            all_words.append(ws)
            if sp == "train":
                words.update(ws)
                train_words.append(ws)
    guard = build_copy_guard(all_words)
    train, val, test = [], [], []
    for s, sp, pool, mood in zip(songs, splits, pools, moods):
        item = SongItem(mood=mood, pool=pool, windows=song_windows(enc, s, block_size))
        if sp == "train":
            train.append(item)
        elif sp == "val":
            val.append(item)
        else:
            test.append(s)
    if not val:  # a very small corpus: validate on a few training songs (said in the log and metrics)
        val = train[: max(1, len(train) // 10)]
        if log:
            log("no validation songs in this corpus: validating on a few training songs")
    mood_counts = Counter(m or "none" for m in moods)
    return GeneratorData(train=train, val=val, test_songs=test, copy_guard=guard, words=dict(words),
                         ngrams=build_ngrams(train_words),
                         n_songs={"train": sum(1 for x in splits if x == "train"),
                                  "val": sum(1 for x in splits if x == "val"),
                                  "test": sum(1 for x in splits if x == "test")},
                         n_lines=len(all_words), moods=dict(mood_counts), sources=[])


class ExampleSet:
    """A torch-style dataset of windows; keywords are re-drawn at every access (``train=True``)."""

    def __init__(self, items: Sequence[SongItem], enc: SongEncoder, block_size: int, max_keywords: int,
                 train: bool, seed: int = 0):
        self.enc, self.block, self.max_kw, self.train = enc, block_size, max_keywords, train
        self.rows = [(it, w, j == len(it.windows) - 1) for it in items for j, w in enumerate(it.windows)]
        self.seed, self.rng = seed, random.Random(seed)

    def set_epoch(self, epoch: int) -> None:
        """Draw epoch ``epoch``'s keywords from (seed, epoch) alone, so a resumed run draws the same ones."""
        self.rng = random.Random(self.seed * 1_000_003 + epoch)

    def __len__(self) -> int:
        return len(self.rows)

    def keywords(self, item: SongItem) -> list[str]:
        if not item.pool or self.max_kw == 0:
            return []
        if not self.train:
            return item.pool[: min(self.max_kw, 3)]
        if self.rng.random() < 0.1:
            return []
        k = self.rng.randint(1, min(self.max_kw, len(item.pool)))
        return self.rng.sample(item.pool, k)

    def __getitem__(self, i: int) -> dict:
        item, body, last = self.rows[i]
        mood = item.mood if (not self.train or self.rng.random() >= 0.1) else None
        prefix = self.enc.prefix(mood, self.keywords(item))
        ids = (prefix + body + ([self.enc.eos] if last else []))[: self.block]
        return {"ids": ids, "n_prefix": len(prefix)}


def make_collate(pad_id: int):
    """Right-pad a batch; labels are -100 on padding and on the control prefix."""
    import torch

    def collate(rows: list[dict]) -> dict:
        T = max(len(r["ids"]) for r in rows)
        ids = torch.full((len(rows), T), pad_id, dtype=torch.long)
        labels = torch.full((len(rows), T), -100, dtype=torch.long)
        mask = torch.zeros((len(rows), T), dtype=torch.long)
        for b, r in enumerate(rows):
            n = len(r["ids"])
            ids[b, :n] = torch.tensor(r["ids"])
            mask[b, :n] = 1
            labels[b, r["n_prefix"]:n] = ids[b, r["n_prefix"]:n]
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}  # each (B, T)

    return collate


def token_nll(model, loader, device=None) -> tuple[float, int]:
    """Summed next-token NLL and token count over a loader (labels -100 ignored)."""
    import torch.nn.functional as F

    total, count = 0.0, 0
    for batch in loader:
        if device is not None:
            batch = {k: v.to(device) for k, v in batch.items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits  # (B, T, V)
        shift_logits = logits[:, :-1].float()
        shift_labels = batch["labels"][:, 1:]  # (B, T-1)
        loss = F.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1),
                               ignore_index=-100, reduction="sum")
        total += float(loss)
        count += int((shift_labels != -100).sum())
    return total, count


# ----------------------------------------------------------------- base model tokenizer
def base_tokenizer(name: str, plan: bool = False):
    """The tokenizer of ``--base-model`` (its resolved folder or hub id) with the lyricist special tokens added."""
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(name)
    except Exception as e:
        raise LyricistError(f"cannot load the tokenizer of base model {name!r} ({e.__class__.__name__}): pass a "
                            "folder with tokenizer files or a hub id reachable from here") from None
    add_special_tokens(tok, plan=plan)
    return tok


# ----------------------------------------------------------------- training
def train_generator(paths: Sequence[str | os.PathLike] | None = None, *, preset: str = "default",
                    out_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
                    epochs: int | None = None, resume: bool = False, progress: Optional[ProgressFn] = None,
                    log: Optional[Callable[[str], None]] = None, base_model: str | None = None,
                    max_seconds: float | None = None, max_songs: int = 0, **overrides) -> dict:
    """Train the lyric generator and write its checkpoint (see the module docstring).

    Args:
        paths: song files/folders (default: the bundled ``corpora/songs``).
        preset: ``tiny``, ``default`` or ``full`` (:data:`lyricist.drafting.model.GENERATOR_PRESETS`).
        out_dir: checkpoint folder (default ``checkpoints/generator``).
        root: taken by every trainer (:mod:`lyricist.core.kinds`); the generator needs no other model.
        base_model: fine-tune this causal LM (folder or hub id) instead of a fresh GPT-2.
        epochs: override the preset's maximum epochs.
        resume: continue an interrupted run from its saved state.
        progress: ``(fraction, message)`` callback.
        max_seconds: training time budget (the best epoch so far is kept).
        max_songs: read at most this many songs (0: all).
        log: one-line messages (the CLI prints them on stderr).
        **overrides: any other :class:`lyricist.drafting.model.GeneratorConfig` field.

    Returns:
        The metrics written to ``metrics.json``: ``val_ppl``, ``test_ppl``, ``params``, ``tokens_per_s``...
    """
    import torch
    from torch.utils.data import DataLoader
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if max_seconds is not None:
        overrides["max_seconds"] = max_seconds
    if base_model:
        overrides["base_model"] = str(base_model)
    cfg = generator_config(preset, epochs=epochs, **overrides)
    if cfg.base_model == SMOLLM2 and "base_model" not in overrides and not base_installed():
        # the default base was not asked for by name: train the small GPT-2 rather than fail
        if log:
            log(f"note: the SmolLM2 base is not installed, so the generator is the small GPT-2 trained from "
                f"scratch, whose drafts are much weaker ({INSTALL_HINT.split(', or')[0]} for the default)")
        cfg = generator_config(preset, epochs=epochs, **{**overrides, "base_model": "none"})
    out_dir = Path(out_dir) if out_dir else checkpoint_dir(KIND)
    t_start = time.time()
    seed_everything(cfg.seed)
    report(progress, 0.0, "reading songs")
    songs, paths = read_corpus(paths, log, max_songs=max_songs)
    fp = fingerprint(paths)
    report(progress, 0.02, "training the tokenizer")
    base = resolve_base(cfg.base_model, root, log) if cfg.base_model else None
    if cfg.base_model:
        tok = base_tokenizer(base, plan=cfg.plan)
    elif resume and (out_dir / "tokenizer.json").is_file():
        tok = load_tokenizer(out_dir)  # the weights being resumed were trained with this vocabulary
    else:
        train_lines = [line_text(ln.text) for s in songs if s.split == "train" for ln in s.lines] or \
                      [line_text(ln.text) for s in songs for ln in s.lines]
        tok = train_tokenizer(train_lines, cfg.vocab_size)
    enc = SongEncoder(tok, reverse=cfg.reverse, plan=cfg.plan)
    model = build_model(cfg, tok, log, base=base)
    block = min(cfg.block_size, max_positions(model))
    n_params = sum(p.numel() for p in model.parameters())
    if cfg.lora_rank:  # the adapters, and the rows of the tokens the base has never seen
        model = with_lora(model, cfg.lora_rank, enc.special.values())
    report(progress, 0.04, "encoding songs")
    data = build_data(songs, enc, block, cfg.pseudo_mood, log)
    data.sources = [str(p) for p in paths]
    train_set = ExampleSet(data.train, enc, block, cfg.max_keywords, train=True, seed=cfg.seed)
    val_set = ExampleSet(data.val, enc, block, cfg.max_keywords, train=False)
    collate = make_collate(enc.pad)
    g = torch.Generator().manual_seed(cfg.seed)
    train_loader = DataLoader(train_set, batch_size=cfg.batch_size, shuffle=True, collate_fn=collate, generator=g)
    val_loader = DataLoader(val_set, batch_size=cfg.batch_size, shuffle=False, collate_fn=collate)
    n_trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    train_tokens = sum(len(w) for it in data.train for w in it.windows)
    if log:
        log(f"{len(data.train)} train / {len(data.val)} val / {len(data.test_songs)} test songs, "
            f"{len(train_set)} windows, {train_tokens:,} body tokens; vocab {len(tok)}; "
            f"{n_params / 1e6:.2f}M parameters" +
            (f" ({n_trained / 1e6:.2f}M trained through LoRA rank {cfg.lora_rank})" if cfg.lora_rank else "") +
            f"; {'planned' if cfg.plan else 'end-first' if cfg.reverse else 'left-to-right'} lines")

    def evaluate(m, acc) -> dict:
        total, count = token_nll(m, val_loader, acc.device)
        nll = total / max(1, count)
        return {"score": -nll, "val_loss": nll, "val_ppl": math.exp(min(nll, 50))}

    params = cfg
    extra = {"vocab_size": len(tok), "n_params": n_params, "block_size": block, "reverse": enc.reverse,
             "plan": cfg.plan,
             "base_model": cfg.base_model, "copy_n": COPY_N, "data": data.sources, "n_songs": data.n_songs,
             "moods": data.moods}

    def save(m, folder: Path) -> None:
        merged(m).save_pretrained(str(folder))  # LoRA: adapters folded in, so it loads like any generator
        tok.save_pretrained(str(folder))
        np.save(folder / "copyguard.npy", data.copy_guard, allow_pickle=False)
        atomic_write_json(folder / "words.json", dict(sorted(data.words.items(), key=lambda kv: -kv[1])))
        atomic_write_json(folder / "ngrams.json", data.ngrams)
        # One config.json for both readers: transformers' keys (model_type...) and lyricist's (kind, params...).
        hf = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        write_config(folder, KIND, params, fingerprint=fp, **{**hf, **extra})

    loop = LoopConfig(epochs=cfg.epochs, lr=cfg.lr, warmup_frac=cfg.warmup_frac, patience=cfg.patience,
                      seed=cfg.seed, max_seconds=cfg.max_seconds, weight_decay=cfg.weight_decay,
                      mixed_precision=cfg.mixed_precision)
    t_fit = time.time()
    result = fit(model, train_loader, cfg=loop, evaluate=evaluate, save=save, out_dir=out_dir, resume=resume,
                 progress=scaled(progress, 0.05, 0.95), log=log)
    fit_seconds = time.time() - t_fit
    epochs_run_now = max(1, result["epochs_run"])
    best = min(result["history"], key=lambda h: h.get("val_loss", math.inf)) if result["history"] else {}
    metrics = {"val_ppl": round(best.get("val_ppl", float("nan")), 3), "best_epoch": result["best_epoch"],
               "epochs_run": result["epochs_run"], "stopped": result["stopped"],
               "train_seconds": result["train_seconds"], "total_seconds": round(time.time() - t_start, 1),
               "tokens_per_s": round(train_tokens * epochs_run_now / max(1e-6, fit_seconds), 1),
               "n_params": n_params, "n_trained": n_trained, "lora_rank": cfg.lora_rank, "vocab_size": len(tok),
               "n_songs": data.n_songs, "n_lines": data.n_lines,
               "copy_guard_ngrams": int(len(data.copy_guard)), "reverse": cfg.reverse, "preset": cfg.preset,
               "history": result["history"], "mixed_precision": result["mixed_precision"]}
    if data.test_songs and (out_dir / "config.json").is_file():
        report(progress, 0.97, "test perplexity")
        metrics["test_ppl"] = round(heldout_perplexity(out_dir, data.test_songs), 3)
    metrics["processes"] = result.get("processes", 1)
    if is_main_process():
        atomic_write_json(out_dir / "metrics.json", metrics)
    core_loop.finish(out_dir)  # looked up at call time: a test stops a run here, as if it had been killed
    report(progress, 1.0, f"done: val perplexity {metrics['val_ppl']}")
    return metrics


def heldout_perplexity(model_dir: str | os.PathLike, songs: Sequence, batch_size: int = 16) -> float:
    """Perplexity of a saved generator on songs (lyrics tokens only; control prefix from the song itself)."""
    import torch
    from torch.utils.data import DataLoader

    gen = load_generator(model_dir)
    enc = gen.enc
    pools = keyword_pools(songs, [True] * len(songs))
    items = [SongItem(mood=s.mood, pool=p, windows=song_windows(enc, s, gen.block_size))
             for s, p in zip(songs, pools)]
    ds = ExampleSet(items, enc, gen.block_size, gen.cfg.max_keywords, train=False)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=False, collate_fn=make_collate(enc.pad))
    with torch.inference_mode():
        total, count = token_nll(gen.model, loader)
    return math.exp(min(total / max(1, count), 50))
