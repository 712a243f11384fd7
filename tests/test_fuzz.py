"""Property-based fuzzing: hostile input never crashes the library or the CLI.

Every public function that takes user input and every CLI command gets hostile input
(empty and whitespace-only text, NUL and control characters, RTL marks, zero-width
characters, emoji, 100k-character text, Chinese/Arabic/Cyrillic, non-UTF-8 bytes and binary
files under every supported extension, truncated/corrupt gzip, a gzip bomb, CSVs with wrong
columns, unclosed quotes and ragged rows, malformed JSONL, numeric extremes for every count).
The property: each call returns a result of the documented shape, or raises
:class:`~lyricist.core.errors.LyricistError` whose message is one line that says what to do,
within :data:`CALL_BOUND` seconds (of wall and CPU time both: a paused VM is not a slow call);
no other exception. A CLI command exits 0 (with --json: one
JSON document) or 2 with one ``error:`` line on stderr, never a traceback.

Profiles (hypothesis): ``lyricist-fuzz`` runs in the default suite (fixed seed, a few examples
per target, about a minute); ``lyricist-fuzz-long`` (>= 10,000 examples) runs in
``test_fuzz_long``, behind the ``slow`` marker: ``pytest -m slow tests/test_fuzz.py``. Neither
writes an example database or any other file into the repository. ``LYRICIST_FUZZ_REPORT=path``
writes the figures (calls, results, clean refusals, crashes, seconds) there as JSON after each
target.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from typer.testing import CliRunner

import lyricist
from lyricist import LyricistError
from lyricist.core.errors import MAX_MESSAGE_CHARS

# hypothesis caches (constants, unicode tables) go to a temporary folder, not .hypothesis/ in the repo
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="lyricist-hypothesis-"))
_COMMON = dict(derandomize=True, database=None, deadline=None, print_blob=True,
               suppress_health_check=list(HealthCheck))
settings.register_profile("lyricist-fuzz", max_examples=6, **_COMMON)
settings.register_profile("lyricist-fuzz-long", max_examples=600, **_COMMON)
DEFAULT = settings.get_profile("lyricist-fuzz")
LONG = settings.get_profile("lyricist-fuzz-long")
CALL_BOUND = 30.0  # seconds for one call (the CPUs are shared; a hang or a runaway loop is far beyond)
#: A call that took CALL_BOUND of wall time but little CPU was paused, not slow: the sandbox's VM was
#: once suspended for 4,469 s mid-call. Only a call this long in wall time fails without the CPU to show.
PAUSE_CAP = 40 * CALL_BOUND


def _clock() -> tuple[float, float]:
    """(wall, CPU) seconds so far; CPU counts this process's threads and its finished children."""
    t = os.times()
    return time.perf_counter(), t.user + t.system + t.children_user + t.children_system


def _too_slow(t0: tuple[float, float]) -> tuple[bool, float]:
    """Whether a call begun at ``t0`` broke the bound: wall and CPU both over it (a runaway loop),
    or wall over :data:`PAUSE_CAP` (a hang that sleeps). Returns (broke, wall seconds)."""
    wall, cpu = (b - a for a, b in zip(t0, _clock()))
    return (wall > CALL_BOUND and cpu > CALL_BOUND) or wall > PAUSE_CAP, wall


STATS: Counter = Counter()

# ------------------------------------------------------------------------------------ strategies
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029"
BIDI_ZW = "\u202e\u202d\u200f\u200e\u061c\u200b\u200c\u200d\u2060\ufeff\ufffd\uffff"
EMOJI = ["🔥", "❤️", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "🎸", "😭😭😭"]
SCRIPTS = ["我爱你，夜空中最亮的星", "حبيبي يا نور العين", "Я люблю тебя, огонь", "любовь", "こんにちは", "שלום עולם"]
WORDS = ["love", "fire", "night", "heart", "rain", "desire", "the", "happy", "sad", "Love!", "fire's"]
BLANK = ["", " ", "\n\n", "\t \r\n", "\u3000", "\u200b" * 5, "\x00", "\ufeff"]
BIG = ["la " * 34_000, "爱" * 100_000, "\x00" * 100_000, "love\n" * 20_000, "🔥" * 100_000, "a" * 100_000,
       ("fire higher " * 8 + "\n") * 1_100]
COUNTS = [0, -1, 1, 2, 3, 7, 64, 65, 2**31, 10**9, 2**63, -(2**63)]


@st.composite
def _mixed(draw) -> str:
    """Real words, other scripts, emoji, control and invisible characters, in small lines."""
    parts = st.one_of(st.sampled_from(WORDS), st.sampled_from(SCRIPTS), st.sampled_from(EMOJI),
                      st.text(alphabet=CONTROL + BIDI_ZW, min_size=1, max_size=3))
    seps = st.sampled_from([" ", " ", "\n", "\r\n", "\t", "", "\n\n"])
    out = []
    for p in draw(st.lists(parts, max_size=14)):
        out.append(p + draw(seps))
    return "".join(out)


texts = st.one_of(st.sampled_from(BLANK), st.text(max_size=30), _mixed(), _mixed(), st.sampled_from(SCRIPTS + EMOJI),
                  st.sampled_from(BIG))
api_texts = st.one_of(texts, st.just("\ud800 lone surrogate"))  # Python strings may hold one; files cannot
words = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), texts)
counts = st.one_of(st.sampled_from(COUNTS), st.integers(-3, 40))
spaces = st.sampled_from(["blend", "corpus", "general", "", "Blend", "x\x00"])
moods = st.one_of(st.none(), st.sampled_from(["happy", "sad", "angry", "relaxed", "", "joyful", "🔥"]))
schemes = st.one_of(st.none(), st.sampled_from(["AABB", "ABAB", "", "A", "abab", "ZZZZ", "A B", "\x00", "A" * 500]))

EXTENSIONS = [f"{e}{gz}" for e in (".txt", ".csv", ".tsv", ".jsonl", ".json") for gz in ("", ".gz")]
LABELS = ["pos", "negative", "neutral", "4", "-1", "9999999999999999999999", "nan", "", "happy", "1e308", "\x00"]


def _line(t: str) -> str:
    return t.replace("\r", " ").replace("\n", " ")


@st.composite
def _csv(draw) -> bytes:
    header = draw(st.sampled_from(["text,label", "lyrics,mood", "comment,sentiment", "foo,bar", "", "text",
                                   '"text,label', "text;label", "text\tlabel", "text,text,label", "Text,Label,Extra",
                                   "lyrics,title,artist,mood", "\ufefftext,label"]))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = [_line(draw(texts))[:200] for _ in range(draw(st.integers(0, 4)))]  # ragged
        cells.append(draw(st.sampled_from(LABELS)))
        row = ",".join(cells)
        row = draw(st.sampled_from([row, '"' + row, row + '"', '"a\nb",pos', row]))  # unclosed quotes
        rows.append(row)
    return (header + "\n" + "\n".join(rows)).encode("utf-8", "replace")


@st.composite
def _jsonl(draw) -> bytes:
    good = st.builds(lambda t, lab, k: json.dumps({k: t, "label": lab, "mood": lab}, ensure_ascii=draw(st.booleans())),
                     texts, st.sampled_from(LABELS), st.sampled_from(["text", "lyrics", "comment", "other"]))
    bad = st.sampled_from(["{", "[1, 2]", "null", "42", '"str"', '{"text": null}', '{"text": 5, "label": {"x": 1}}',
                           '{"text": "unterminated', "[" * 100_000, '{"a":' * 50_000, "\x00\x00",
                           '{"text": "ok", "label": [1, 2]}', "NaN", '{"text": "a", "text": "b"}'])
    lines = draw(st.lists(st.one_of(good, bad), max_size=6))
    return "\n".join(lines).encode("utf-8", "replace")


@st.composite
def _song(draw) -> bytes:
    head = draw(st.sampled_from(["", "title: Rain\nartist: Me\nmood: sad\n\n", "mood: 🔥\n", "title:\x00\n"]))
    body = "\n".join(draw(st.lists(st.one_of(texts, st.sampled_from(["[Chorus]", "(Verse 2)", "Chorus:"])),
                                   max_size=6)))
    return (head + body).encode("utf-8", "replace")


payloads = st.one_of(
    texts.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=400),
    st.sampled_from([b"\x00" * 50, "caf\xe9 na\xefve\n".encode("latin-1") * 20, "I love you\n".encode("utf-16"),
                     b"\xff\xfe\xfd" * 100, b"PK\x03\x04" + bytes(range(256)), b"\x1f\x8b\x08"]),
    _csv(), _csv(), _jsonl(), _jsonl(), _song())

_BOMBS: dict[str, bytes] = {}


def _bomb(ext: str) -> bytes:
    """A ~40 KB .gz that expands to ~20 MB of valid-looking rows: readers must refuse it, quickly."""
    if ext not in _BOMBS:
        row = {".txt": b"la la la\n", ".csv": b"la la la,pos\n", ".tsv": b"la la la\tpos\n"}.get(ext, b'{"text": "la"}\n')
        head = {".csv": b"text,label\n", ".tsv": b"text\tlabel\n"}.get(ext, b"")
        _BOMBS[ext] = gzip.compress(head + row * (20_000_000 // len(row)), 9)
    return _BOMBS[ext]


@st.composite
def files(draw, refused_only: bool = False) -> tuple[str, bytes]:
    """``(file name, bytes)``: any payload under any extension, gzipped well, badly or as a bomb."""
    ext = draw(st.sampled_from(EXTENSIONS))
    data = draw(payloads)
    if refused_only:  # inputs that must be refused before anything trains on them
        data = draw(st.sampled_from([b"", b"\x00binary\x00" * 10, b"\n\n \n", b"foo,bar\n1,2\n", b"{\n[\n"]))
    if ext.endswith(".gz"):
        base = ext[:-3]
        gz = gzip.compress(data)
        how = draw(st.sampled_from(["ok", "ok", "truncated", "corrupt", "not-gzip", "bomb", "two-members"]))
        if how == "truncated":
            gz = gz[:draw(st.integers(0, len(gz) - 1))]
        elif how == "corrupt":
            i = draw(st.integers(10, len(gz) - 1))
            gz = gz[:i] + bytes([gz[i] ^ draw(st.integers(1, 255))]) + gz[i + 1:]
        elif how == "not-gzip":
            gz = data
        elif how == "bomb":
            gz = _bomb(base)
        elif how == "two-members":
            gz = gz + gzip.compress(data)
        data = gz
    stem = draw(st.sampled_from(["data", "comments", "lyrics", "ünïcode 我", ".hidden", "-dash"]))
    return stem + ext, data


# ------------------------------------------------------------------------------------ the property
_ADVICE = re.compile(r"[:;]|\b(must|use|pass|give|check|try|set|add|save|shorten|choose|needs?|ask for|at least|at most|"
                     r"between)\b", re.IGNORECASE)


def _advises(msg: str) -> bool:
    """A message says what to do: the problem, then a colon and the fix, or what the value must be."""
    return bool(_ADVICE.search(msg))


def call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``: its result, or None after a clean refusal; anything else fails the example."""
    STATS["calls"] += 1
    t0 = _clock()
    try:
        out = fn(*args, **kwargs)
        if hasattr(out, "__next__"):
            out = list(out)
    except LyricistError as e:
        slow, secs = _too_slow(t0)
        STATS["seconds"] += secs
        msg = str(e)
        assert msg and "\n" not in msg and "\r" not in msg, f"message not one line: {msg!r}"
        assert _advises(msg), f"message does not say what to do: {msg!r}"
        assert len(msg) <= MAX_MESSAGE_CHARS, f"message of {len(msg)} characters echoes the input: {msg[:200]!r}..."
        assert not slow, f"{fn.__name__} refused after {secs:.1f} s"
        STATS["refused"] += 1
        return None
    except BaseException:
        STATS["crashes"] += 1
        STATS["seconds"] += time.perf_counter() - t0[0]
        raise
    slow, secs = _too_slow(t0)
    STATS["seconds"] += secs
    assert not slow, f"{fn.__name__} took {secs:.1f} s"
    STATS["results"] += 1
    return out


def keys(r, *names):
    assert isinstance(r, dict) and set(names) <= set(r), f"missing keys {set(names) - set(r or {})}"


_runner = CliRunner()


def cli(args: list[str], input: bytes | None = None) -> None:
    """Run one CLI command in-process: exit 0 (one JSON document with --json) or 2 and one error line."""
    from lyricist.app.cli import app

    STATS["calls"] += 1
    t0 = _clock()
    res = _runner.invoke(app, args, input=input, catch_exceptions=True)
    slow, secs = _too_slow(t0)
    STATS["seconds"] += secs
    ok = res.exit_code in (0, 2) and (res.exception is None or isinstance(res.exception, SystemExit))
    if not ok or "Traceback" in res.output or "Traceback" in res.stderr:
        STATS["crashes"] += 1
        raise AssertionError(f"lyricist {args!r} exited {res.exit_code} ({res.exception!r}): {res.stderr[-800:]}")
    if res.exit_code == 2:
        errs = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert errs and errs[-1].startswith("error: ") and len([e for e in errs if e.startswith("error")]) == 1, \
            f"lyricist {args!r}: stderr is not one error line: {res.stderr[-800:]!r}"
        assert _advises(errs[-1][7:]), f"lyricist {args!r}: the error does not say what to do: {errs[-1]!r}"
        STATS["refused"] += 1
    else:
        if "--json" in args:
            json.loads(res.stdout)
        STATS["results"] += 1
    assert not slow, f"lyricist {args!r} took {secs:.1f} s"


def write(folder: str, f: tuple[str, bytes]) -> Path:
    p = Path(folder) / f[0]
    p.write_bytes(f[1])
    return p


# ------------------------------------------------------------------------------------ API targets
TARGETS: dict[str, tuple] = {}  # name -> (body, strategies, needs models, (default, long) examples)


def target(models: bool = False, examples: tuple[int, int] = (6, 1000), **strategies):
    """Register a fuzz target; ``examples``: how many in the default and in the long profile."""
    def deco(fn):
        TARGETS[fn.__name__] = (fn, strategies, models, examples)
        return fn
    return deco


@target(examples=(12, 1500), w=words, line=api_texts, other=words, near=st.booleans(), limit=counts)
def prosody(w, line, other, near, limit):
    r = call(lyricist.syllables, w)
    assert r is None or (isinstance(r, int) and r >= 0)
    r = call(lyricist.line_syllables, line)
    assert r is None or (isinstance(r, int) and r >= 0)
    r = call(lyricist.rhyme_key, line)
    assert r is None or isinstance(r, str)
    r = call(lyricist.is_rhyme, w, other, near=near)
    assert r is None or isinstance(r, bool)
    r = call(lyricist.rhymes, w, near=near, limit=limit)
    assert r is None or keys(r, "word", "perfect", "near", "syllables") is None


@target(examples=(10, 1500), lines=st.lists(api_texts, max_size=8), near=st.booleans(), text=api_texts)
def scheme_and_song(lines, near, text):
    r = call(lyricist.rhyme_scheme, lines, near=near)
    assert r is None or isinstance(r, str)
    s = call(lyricist.parse_song, text, title=text[:50], mood=text[:10] or None)
    assert s is None or isinstance(s.lines, list)


@target(examples=(15, 1500), f=files(), col=st.one_of(st.none(), st.sampled_from(["text", "label", "", "\x00", "nope"]), texts))
def corpus_readers(f, col):
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        for fn in (lyricist.read_texts, lyricist.read_songs):
            r = call(fn, [p], text_col=col)
            assert r is None or all(isinstance(x.text, str) for x in r if hasattr(x, "text"))
        r = call(lyricist.corpus_stats, [p, d], text_col=col)
        assert r is None or isinstance(r, dict)


@target(examples=(12, 1200), f=files(), col=st.one_of(st.none(), st.sampled_from(["text", "label", "comment"])), batch=counts, rows=counts)
def classify_lexicon(f, col, batch, rows):
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        r = call(lyricist.classify_file, p, text_col=col, scorer="lexicon", out=Path(d) / "out" / "preds.csv",
                 batch_size=batch, max_rows=rows)
        if r is not None:
            keys(r, "n", "counts", "shares", "rows", "warnings")
            assert r["n"] >= 1 and (Path(d) / "out" / "preds.csv").exists()
        assert not [x for x in (Path(d) / "out").glob(".*tmp")], "a temporary file was left behind"


@target(examples=(12, 1500), text=api_texts, window=counts, top=counts, scorer=st.sampled_from(["lexicon", "vader", "nope", ""]))
def tone_lexicon(text, window, top, scorer):
    r = call(lyricist.tone_report, text, scorer=scorer, window=window, top=top)
    assert r is None or keys(r, "lines", "overall", "model", "warnings") is None


@target(examples=(5, 400), models=True, text=api_texts, window=counts, scorer=st.sampled_from(["auto", "lstm", "transformer"]),
        f=files(), batch=st.sampled_from([1, 0, -1, 2**63, 256]))
def tone_models(text, window, scorer, f, batch):
    r = call(lyricist.tone_report, text, scorer=scorer, window=window)
    assert r is None or keys(r, "lines", "overall") is None
    r = call(lyricist.predict_mood, text)
    assert r is None or keys(r, "mood", "probs") is None
    with tempfile.TemporaryDirectory() as d:
        r = call(lyricist.classify_file, write(d, f), scorer=scorer, batch_size=batch)
        assert r is None or keys(r, "n", "counts") is None


@target(examples=(6, 500), models=True, w=words, other=st.one_of(st.none(), words), topn=counts, syl=st.one_of(st.none(), counts),
        space=spaces, near=st.booleans(), c=words)
def word_space(w, other, topn, syl, space, near, c):
    r = call(lyricist.similar_words, w, topn=topn, rhymes_with=other, near=near, syllables=syl, space=space)
    assert r is None or (keys(r, "word", "neighbours") is None and len(r["neighbours"]) <= max(topn, 0))
    r = call(lyricist.analogy_words, w, other or "love", c, topn=topn, space=space)
    assert r is None or keys(r, "answers") is None
    r = call(lyricist.between_words, w, c, topn=topn, space=space)
    assert r is None or keys(r, "words") is None


@target(examples=(4, 300), models=True, ws=st.one_of(st.none(), st.lists(words, max_size=6)), neg=words, pos=words, topn=counts,
        space=spaces, method=st.sampled_from(["pca", "tsne", "", "umap"]), limit=counts, query=st.one_of(st.none(), words))
def word_lists(ws, neg, pos, topn, space, method, limit, query):
    r = call(lyricist.odd_one_out, ws or [], space=space)
    assert r is None or keys(r, "odd", "words") is None
    r = call(lyricist.axis_words, ws, negative=neg, positive=pos, topn=topn, space=space)
    assert r is None or keys(r, "words") is None
    call(lyricist.map_figure, ws, query, topn=topn, method=method, space=space)
    with tempfile.TemporaryDirectory() as d:
        r = call(lyricist.export_projector, Path(d) / "proj", space, words=ws, limit=limit)
        assert r is None or all(Path(x).exists() for x in r)


_DRAFT: list = []


def _a_draft():
    if not _DRAFT:
        _DRAFT.append(lyricist.draft("love", lines=4, seed=1))
    return _DRAFT[0]


@target(examples=(5, 300), models=True, theme=texts, lines=counts, scheme=schemes, syl=counts, mood=moods,
        seed=st.sampled_from([0, 1, -1, 2**32, 2**63, -(2**63), 10**30]))
def drafting(theme, lines, scheme, syl, mood, seed):
    r = call(lyricist.draft, theme, lines=lines, scheme=scheme, syllables=syl, mood=mood, seed=seed)
    assert r is None or (isinstance(r.lines, list) and len(r.lines) == lines)


@target(examples=(4, 300), models=True, prev=st.one_of(st.lists(texts, max_size=5), texts), n=counts, scheme=schemes,
        syl=st.one_of(st.none(), counts), index=st.one_of(st.none(), counts), seed=st.sampled_from([None, 0, -1, 2**63]))
def cowriting(prev, n, scheme, syl, index, seed):
    r = call(lyricist.continue_draft, prev, n=n, scheme=scheme, syllables=syl, seed=seed or 0)
    assert r is None or isinstance(r.lines, list)
    d = _a_draft()
    r = call(lyricist.regenerate, d, index, seed=seed)
    assert r is None or len(r.lines) == len(d.lines)
    r = call(lyricist.alternatives, d, index, n=n, seed=seed)
    assert r is None or all(isinstance(x, str) for x in r)
    r = call(lyricist.lock, d, 0 if index is None else index)
    assert r is None or len(r.lines) == len(d.lines)


@target(examples=(1, 20), models=True, f=files(), n=st.sampled_from([0, -1, 1, 2, 2**63]), restrict=counts,
        kind=st.sampled_from(["auto", "lexicon", "lstm", "nope"]))
def evaluation(f, n, restrict, kind):
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        r = call(lyricist.evaluate_sentiment, p, scorer=kind)
        assert r is None or isinstance(r, dict)
        assert isinstance(call(lyricist.evaluate_mood, p), (dict, type(None)))
        assert isinstance(call(lyricist.evaluate_generator, None, p, n_drafts=n), (dict, type(None)))
    assert isinstance(call(lyricist.evaluate_embeddings, restrict_vocab=restrict), (dict, type(None)))


@target(examples=(4, 300), f=files(refused_only=True), epochs=st.sampled_from([None, 0, -1, 1, 2**63]),
        kind=st.sampled_from(["embeddings", "sentiment", "mood", "generator", "nope"]))
def training(f, epochs, kind):
    with tempfile.TemporaryDirectory() as d:
        p, out = write(d, f), Path(d) / "out"
        fn = {"embeddings": lyricist.train_embeddings, "sentiment": lyricist.train_sentiment,
              "mood": lyricist.train_mood, "generator": lyricist.train_generator}.get(kind)
        if fn is None:  # an unknown kind is refused before anything trains
            call(lyricist.train_defaults, [kind], [str(p)], "tiny", out, epochs=epochs)
        elif kind == "embeddings":  # general=False: the general vectors do not come from this corpus
            call(fn, [p], preset="tiny", out_dir=out, epochs=epochs, general=False)
        else:
            call(fn, [p], preset="tiny", out_dir=out, epochs=epochs)


@target(examples=(2, 100), path=st.sampled_from(["", "nope", "/", "/dev/null", "\x00", "tests", "pyproject.toml"]),
        kind=st.sampled_from(["auto", "lexicon", "lstm", "transformer", "", "🔥"]))
def loaders(path, kind):
    call(lyricist.load_scorer, kind, path or None)
    call(lyricist.load_space, path or None, path or None, build_general=False)
    call(lyricist.load_generator, path or None)


# ------------------------------------------------------------------------------------ CLI targets
def _words(ws) -> list[str]:
    return ["--", *ws]  # after "--" a word that starts with "-" is a word, not an option


@target(examples=(6, 600), w=words, near=st.booleans(), text=texts, window=counts, f=files())
def cli_lexicon(w, near, text, window, f):
    cli(["rhymes", "--json", *(["--near"] if near else []), *_words([w])])
    cli(["score", "--scorer=lexicon", f"--window={window}", "--json", "-"], input=text.encode("utf-8"))
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        cli(["score", "--scorer=lexicon", "--json", *_words([str(p)])])
        cli(["classify", "--scorer=lexicon", "--json", f"--out={d}/preds.csv", *_words([str(p)])])
        cli(["corpus", "stats", "--json", *_words([str(p)])])


@target(examples=(3, 200), models=True, w=words, c=words, topn=counts, syl=counts, space=spaces, ws=st.lists(words, max_size=5),
        limit=counts)
def cli_explore(w, c, topn, syl, space, ws, limit):
    s = f"--space={space}"
    cli(["similar", f"--topn={topn}", f"--syllables={syl}", f"--rhymes-with={c}", s, "--json", *_words([w])])
    cli(["analogy", f"--topn={topn}", s, "--json", *_words([w, c, "love"])])
    cli(["explore", "odd-one-out", s, "--json", *_words(ws or ["x"])])
    cli(["explore", "between", f"--topn={topn}", s, "--json", *_words([w, c])])
    cli(["explore", "axis", f"--negative={w}", f"--positive={c}", f"--topn={topn}", s, "--json", *_words(ws)])
    with tempfile.TemporaryDirectory() as d:
        cli(["explore", "map", f"--query={w}", f"--topn={topn}", f"--out={d}/m.html", s, "--json", *_words(ws)])
        cli(["explore", "export", f"--out={d}/p", f"--limit={limit}", s, "--json"])


@target(examples=(1, 20), models=True, theme=texts, lines=counts, syl=counts, alts=counts, scheme=schemes, mood=moods, f=files(),
        scorer=st.sampled_from(["auto", "lstm", "transformer", "nope"]), text=texts)
def cli_models(theme, lines, syl, alts, scheme, mood, f, scorer, text):
    opts = [f"--theme={theme}", f"--lines={lines}", f"--syllables={syl}", f"--alternatives={alts}"]
    opts += [f"--scheme={scheme}"] if scheme is not None else []
    opts += [f"--mood={mood}"] if mood is not None else []
    cli(["generate", *opts, "--json"])
    cli(["score", f"--scorer={scorer}", "--json", "-"], input=text.encode("utf-8"))
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        cli(["generate", f"--continue-from={p}", f"--lines={lines}", "--json"])
        cli(["classify", f"--scorer={scorer}", "--json", *_words([str(p)])])
        cli(["eval", "sentiment", f"--data={p}", f"--scorer={scorer}", "--json"])
        cli(["eval", "mood", f"--data={p}", "--json"])
        cli(["eval", "generator", f"--data={p}", "--drafts=1", "--json"])


@target(examples=(1, 30), models=True, restrict=counts)
def cli_eval_embeddings(restrict):
    cli(["eval", "embeddings", f"--restrict-vocab={restrict}", "--json"])


@target(examples=(3, 200), f=files(refused_only=True), epochs=st.sampled_from([0, -1, 1, 2**63]), port=counts,
        cmd=st.sampled_from(["embeddings", "sentiment", "mood", "generator", "all"]))
def cli_training(f, epochs, port, cmd):
    with tempfile.TemporaryDirectory() as d:
        p = write(d, f)
        extra = {"mood": [], "embeddings": ["--no-general", f"--epochs={epochs}"],
                 "all": ["--kind=nope", f"--epochs={epochs}"]}.get(cmd, [f"--epochs={epochs}"])
        cli(["train", cmd, f"--corpus={p}", "--preset=tiny", f"--out={d}/out", *extra, "--json"])
    cli(["demo", "--dry-run", "--no-train", f"--port={port}"])


# ------------------------------------------------------------------------------------ running them
def _figures() -> dict:
    return dict(STATS, seconds=round(STATS["seconds"], 1))


def _run(name: str, long: bool, root: Path | None, use_checkpoints) -> None:
    body, strategies, _, n = TARGETS[name]
    test = settings(LONG if long else DEFAULT, max_examples=n[long])(given(**strategies)(body))
    try:
        if root is None:
            test()
        else:
            with use_checkpoints(root):
                test()
    finally:  # after every target, so a run stopped by a time limit still leaves its figures
        if os.environ.get("LYRICIST_FUZZ_REPORT"):
            Path(os.environ["LYRICIST_FUZZ_REPORT"]).write_text(json.dumps(_figures(), indent=1) + "\n")


@pytest.fixture(scope="module", autouse=True)
def _print_figures():
    STATS.clear()
    yield
    print(f"\nfuzz figures: {json.dumps(_figures())}")


def _root(name, request):
    return request.getfixturevalue("tiny_checkpoints") if TARGETS[name][2] else None


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", list(TARGETS))
def test_fuzz(name, request, use_checkpoints):
    """The default suite: a fixed-seed handful of hostile examples per target."""
    _run(name, False, _root(name, request), use_checkpoints)


@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.parametrize("name", list(TARGETS))
def test_fuzz_long(name, request, use_checkpoints):
    """The long profile: each target's long examples, >= 10,000 in all."""
    _run(name, True, _root(name, request), use_checkpoints)


def test_long_profile_is_long_enough():
    assert sum(t[3][1] for t in TARGETS.values()) >= 10_000
    assert DEFAULT.database is None and LONG.database is None and DEFAULT.derandomize
