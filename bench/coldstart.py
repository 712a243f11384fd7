"""Cold CLI: wall time of fresh ``python -m lyricist ...`` processes on the default models.

Each command runs ``--runs`` times (default 5) as a new process, so every run pays the imports and
the model loading a user pays. Reported: median, min and max wall seconds against the targets of
issue 14, the machine, the load average and the date. The commands run this checkout's code
(``PYTHONPATH`` is set to the repository root) in a temporary working directory.

A run saves its timings under a label in ``bench/coldstart.json`` (``--label before`` was measured
before the cold-start work), and the table in docs/BENCHMARKS.md shows every saved label side by side.

    LYRICIST_CHECKPOINTS=/path/to/checkpoints python bench/coldstart.py            # label "after"
    python bench/coldstart.py --label before --code /path/to/older/checkout
    python bench/coldstart.py --compare /path/to/older/checkout --before-label "old" --label "new"
    python bench/coldstart.py --no-write --only rhymes,similar
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, ROOT, write_section  # noqa: E402

RESULTS = ROOT / "bench" / "coldstart.json"
SONG = ROOT / "lyricist" / "corpora" / "songs" / "sad-empty-house.txt"
COMMENTS = ROOT / "lyricist" / "corpora" / "comments.csv"
N_COMMENTS = 1000

# name -> (argv after "python -m lyricist", target seconds or None)
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "help": (["--help"], None),
    "rhymes": (["rhymes", "fire"], 1.5),
    "similar": (["similar", "heart"], 1.5),
    "score": (["score", str(SONG)], 5.0),
    "classify": (["classify", "{comments}", "--out", "{out}"], 8.0),
}
SHOWN = {"help": "lyricist --help", "rhymes": "lyricist rhymes fire", "similar": "lyricist similar heart",
         "score": "lyricist score corpora/songs/sad-empty-house.txt (36 lines)",
         "classify": f"lyricist classify FILE ({N_COMMENTS:,} comments)"}


def write_comments(path: Path, n: int = N_COMMENTS) -> None:
    """The first ``n`` rows of the bundled comments, with the header."""
    with open(COMMENTS, newline="", encoding="utf-8") as f, open(path, "w", newline="", encoding="utf-8") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        writer.writerow(next(reader))
        for i, row in enumerate(reader):
            if i >= n:
                break
            writer.writerow(row)


def time_command(argv: list[str], cwd: Path, env: dict) -> float:
    """Wall seconds of one fresh process; raises if it fails."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "lyricist", *argv], cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"lyricist {' '.join(argv)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return wall


def measure_many(names: list[str], runs: int, codes: dict[str, Path]) -> dict[str, dict[str, list[float]]]:
    """Wall seconds of ``runs`` fresh processes for each command and checkout (label -> checkout folder):
    each round runs every command on every checkout in turn, so a burst of load on the shared machine
    hits them alike.

    Each checkout gets its own user cache folder (``LYRICIST_CACHE_DIR``) and one untimed warm-up run of
    every command, which builds its caches as a user's first run after installing would.
    """
    times = {label: {n: [] for n in names} for label in codes}
    with tempfile.TemporaryDirectory(prefix="lyricist-coldstart-") as tmp:
        tmp = Path(tmp)
        comments = tmp / "comments-1000.csv"
        write_comments(comments)
        envs = {}
        for k, (label, code) in enumerate(codes.items()):
            envs[label] = {**os.environ, "LYRICIST_CACHE_DIR": str(tmp / f"cache-{k}"),
                           "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))}
        for rnd in range(runs + 1):  # round 0 warms the caches and is not timed
            for name in names:
                argv = [a.format(comments=comments, out=tmp / "predictions.csv") for a in COMMANDS[name][0]]
                for label in codes:
                    wall = round(time_command(argv, tmp, envs[label]), 3)
                    if rnd:
                        times[label][name].append(wall)
                    print(f"{label:<12} {name:<9} {wall:6.2f} s{'' if rnd else ' (warm-up)'}", file=sys.stderr)
    return times


def render(saved: dict) -> str:
    """The docs/BENCHMARKS.md section: one row per command, median (min-max) per saved label."""
    labels = list(saved)  # in the order they were saved
    head = "| command | target | " + " | ".join(f"{lab}: median (min-max)" for lab in labels) + " |"
    rows = [head, "|---|---|" + "---|" * len(labels)]
    for name, (_, target) in COMMANDS.items():
        cells = []
        for lab in labels:
            t = saved[lab]["times"].get(name)
            cells.append(f"{statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f})" if t else "-")
        rows.append(f"| `{SHOWN[name]}` | {f'<= {target:g} s' if target else '-'} | " + " | ".join(cells) + " |")
    notes = [f"- **{lab}**: {saved[lab]['runs']} fresh processes per command, {saved[lab]['date']}, "
             f"load average {saved[lab]['load']}; {saved[lab]['machine']}" for lab in labels]
    return ("## Cold CLI start\n\n"
            "Wall seconds of fresh `python -m lyricist ...` processes on the default models "
            "(`$LYRICIST_CHECKPOINTS`), imports and model loading included. The machine is shared, "
            "so the load average is given; compare medians.\n\n" + "\n".join(rows) + "\n\n" + "\n".join(notes)
            + "\n\nWhere the time goes (`python -X importtime`, cProfile):\n\n"
            "- `rhymes` reads the CMU lexicon and its rhyme index from one prebuilt pickle in the user cache "
            "(`$LYRICIST_CACHE_DIR`, else `~/.cache/lyricist`); the first run after an install or upgrade "
            "builds it (about 3 s) and writes it atomically. `rhymes` and `similar` import no torch, "
            "transformers or spaCy.\n"
            "- `score` with the default scorer used to spend about 3 s (Xeon) to 4 s (EPYC) importing transformers "
            "and about 0.7-0.9 s importing spaCy. Now its BERTs (the sentiment transformer and the mood model's "
            "MiniLM) run on `lyricist.core.bert`, plain torch with the folder's `tokenizer.json` (same ids, fp32 "
            "outputs within 4e-6 of transformers), and tokens and lemmas come from `lyricist.lang.fasttok`, "
            "spaCy's rules replayed from one pickle in the user cache (built on the first run); what is left is "
            "mostly importing torch (about 2 s).\n"
            "- `classify` runs the same scorer, so it gains the same; it settles its language check without spaCy when the texts are clearly English, and "
            "reads spaCy's stop list without importing spaCy; with `--scorer lexicon` it loads none of torch, "
            "transformers or spaCy.\n"
            "\nRerun: `python bench/coldstart.py`; `--label before --code OLD_CHECKOUT` refreshes the "
            "pre-change column; `--compare OLD_CHECKOUT --before-label L1 --label L2` times both checkouts "
            "interleaved in one run.\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per command")
    ap.add_argument("--label", default="after", help="the column these timings go in")
    ap.add_argument("--only", default="", help="comma-separated commands: " + ",".join(COMMANDS))
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose lyricist runs (default: this one)")
    ap.add_argument("--compare", type=Path, help="an older checkout to time in the same run, interleaved")
    ap.add_argument("--before-label", default="before", help="the column of --compare's timings")
    ap.add_argument("--render", action="store_true", help="rewrite the section from the saved timings only")
    ap.add_argument("--no-write", action="store_true", help="print only; save nothing")
    args = ap.parse_args()
    names = [n for n in (args.only.split(",") if args.only else COMMANDS) if n]
    unknown = set(names) - set(COMMANDS)
    if unknown:
        ap.error(f"unknown command(s): {', '.join(sorted(unknown))}")
    if args.render:
        write_section("cold-start", render(json.loads(RESULTS.read_text())))
        return
    codes = {args.label: args.code}
    if args.compare:
        codes = {args.before_label: args.compare, args.label: args.code}
    every = measure_many(names, args.runs, codes)
    for label, times in every.items():
        for name in names:
            t, target = times[name], COMMANDS[name][1]
            verdict = "" if target is None else ("  ok" if statistics.median(t) <= target else f"  OVER {target:g} s")
            print(f"{label:<12} {name:<9} median {statistics.median(t):6.2f} s  min {min(t):6.2f}  max {max(t):6.2f}"
                  f"{verdict}")
    if args.no_write:
        return
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for label, times in every.items():
        entry = saved.get(label, {"times": {}})
        entry["times"].update(times)
        entry.update(runs=args.runs, date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     load=" ".join(f"{x:.2f}" for x in os.getloadavg()), machine=machine(torch_threads=False))
        saved[label] = entry
    RESULTS.write_text(json.dumps(saved, indent=1) + "\n")
    write_section("cold-start", render(saved))


if __name__ == "__main__":
    main()
