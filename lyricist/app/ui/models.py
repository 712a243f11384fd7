"""Models page: what is loaded (metrics, training-data fingerprint), and (re)training on a corpus."""

from __future__ import annotations

import tempfile

import streamlit as st

from lyricist.app.defaults import MAX_UPLOAD_MB
from lyricist.app.ui import common
from lyricist.core.kinds import KINDS, dig
from lyricist.lang.corpus import MAX_SONG_BYTES

def headline(row: dict) -> str:
    """The headline metric of a status row, as text (``-`` when unknown).

    Example:
        >>> headline({"kind": "generator", "metrics": {"val_ppl": 41.234}, "config": {}})
        'val perplexity 41.2'
    """
    key, label, fmt = KINDS[row["kind"]].metric
    v = dig(row["metrics"], key)
    if v is None:
        v = dig(row.get("config") or {}, key)
    if not isinstance(v, (int, float)):
        return "-"
    return f"{label} {fmt.format(v)}"


def status_table(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame([{"model": r["kind"], "state": "trained" if r["exists"] else (
        "unusable" if r["error"] else "missing"), "metric": headline(r) if r["exists"] else "",
                          "data fingerprint": r["fingerprint"] or "",
                          "trained at": (r["trained_at"] or "").replace("T", " ")[:16],
                          "size (MB)": r["size_mb"], "used for": r["description"]} for r in rows])


def _loaded() -> list[str]:
    """Which models this server has in memory now (the library caches, keyed by folder)."""
    from lyricist.core.cache import loaded

    return loaded()


def train_section() -> None:
    from lyricist.app.defaults import DEFAULT_KINDS

    st.subheader("Train or retrain")
    with st.form("train_form"):
        c = st.columns([2, 1, 1])
        source = c[0].radio("Corpus", ("bundled corpus", "upload my own"), horizontal=True)
        preset = c[1].selectbox("Preset", ("default", "tiny", "full"),
                                help="tiny: about a minute, only for trying the app; default: the real models")
        only_missing = c[2].checkbox("only missing models", value=True)
        kinds = st.multiselect("Models", DEFAULT_KINDS, default=list(DEFAULT_KINDS))
        uploads = st.file_uploader("Your corpus: .txt songs (title/mood headers, [Verse]/[Chorus] markers), "
                                   "or CSV/TSV/JSONL with text and label columns", accept_multiple_files=True,
                                   type=list(common.CORPUS_TYPES), max_upload_size=MAX_UPLOAD_MB,
                                   help=f"Each .txt is one song (up to {MAX_SONG_BYTES // 10**6} MB); "
                                        "a .gz is read through (name it e.g. songs.csv.gz).")
        go = st.form_submit_button("Train", type="primary")
    if not go:
        return
    if not kinds:
        st.warning("Pick at least one model.")
        return
    if source == "upload my own":
        if not uploads:
            st.warning("Upload some corpus files first (or train on the bundled corpus).")
            return
        if not common.check_uploads(uploads, common.CORPUS_TYPES, MAX_UPLOAD_MB * 2**20):
            return
        big = [up for up in uploads if common.upload_suffix(up.name, common.CORPUS_TYPES) == ".txt"
               and len(up.getvalue()) > MAX_SONG_BYTES]
        if big:
            st.error(f"{common.shown_name(big[0].name)} is over {MAX_SONG_BYTES // 10**6} MB, too big for one "
                     "song: split it into songs, or upload it as CSV/JSONL with one song per row")
            return
        tmp = tempfile.mkdtemp(prefix="lyricist-corpus-")
        for up in uploads:
            common.save_upload(up, tmp, common.CORPUS_TYPES)  # under a generated name, never the browser's
        corpus = [tmp]
    else:
        corpus = None
    common.run_training(kinds=kinds, corpus=corpus, preset=preset, only_missing=only_missing)


def render() -> None:
    """Lay out the Models page."""
    from lyricist.app.defaults import status

    st.header("Models")
    rows = status(common.root())
    st.caption(f"Checkpoints folder: `{common.root().resolve()}`")
    st.dataframe(status_table(rows), hide_index=True, width="stretch")
    for r in rows:
        if r["error"]:
            st.error(f"{r['kind']}: {r['error']}")
    if not all(r["exists"] for r in rows):
        st.info("Some models are missing: train them below (the bundled corpus, preset default, "
                "only missing models).")
    loaded = _loaded()
    st.markdown("**In memory now:** " + ("; ".join(loaded) if loaded else "nothing yet (models load on first use)"))
    with st.expander("Metrics and configs"):
        for r in rows:
            if r["exists"]:
                st.markdown(f"**{r['kind']}** · fingerprint `{r['fingerprint']}` · {r['path']}")
                st.json({"metrics": r["metrics"], "params": r["config"].get("params")}, expanded=False)
    train_section()
