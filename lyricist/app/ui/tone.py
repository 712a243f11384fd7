"""Tone page: a song's emotional arc, line by line, and listener comments in bulk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from lyricist.app.defaults import MAX_UPLOAD_MB, SONG_UPLOAD_MB
from lyricist.app.ui import common
from lyricist.core.config import MAX_SONG_CHARS
from lyricist.core.kinds import ALIASES

_EMO_COLOURS = {"anger": "#d62728", "anticipation": "#ff7f0e", "disgust": "#8c564b", "fear": "#7f3f98",
                "joy": "#f2c12e", "sadness": "#1f77b4", "surprise": "#17becf", "trust": "#2ca02c"}
_LABEL_COLOURS = {"negative": "#d62728", "neutral": "#9e9e9e", "positive": "#2ca02c"}


@st.cache_data(show_spinner="Scoring...", max_entries=32)
def tone(text: str, key: tuple) -> dict:
    """The tone report of ``text`` (pure: cached on the text and the models' stamp)."""
    from lyricist.tone.report import tone_report

    return tone_report(text, scorer=common.scorer())


def valence_colour(v: float) -> str:
    """CSS background for a valence in [-1, 1]: red (negative) through white to green (positive).

    Example:
        >>> valence_colour(0.0)
        'background-color: rgb(255, 255, 255)'
    """
    v = max(-1.0, min(1.0, float(v)))
    if v >= 0:
        r, g, b = 255 - 120 * v, 255 - 40 * v, 255 - 120 * v
    else:
        r, g, b = 255 + 20 * v, 255 + 150 * v, 255 + 150 * v
    return f"background-color: rgb({int(r)}, {int(g)}, {int(b)})"


def lines_table(report: dict):
    """The per-line table as a pandas Styler, valence cells coloured."""
    import pandas as pd

    rows = []
    for ln in report["lines"]:
        emo = {k: v for k, v in ln["emotions"].items() if k not in ("positive", "negative") and v > 0}
        rows.append({"#": ln["index"] + 1, "section": ln["section"], "line": ln["text"],
                     "valence": ln["valence"], "smoothed": ln["smoothed"], "label": ln["label"],
                     "emotion": max(emo, key=emo.get) if emo else ""})
    df = pd.DataFrame(rows)
    return df.style.map(valence_colour, subset=["valence", "smoothed"]).format(
        {"valence": "{:+.2f}", "smoothed": "{:+.2f}"})


def emotion_figure(emotions: dict):
    """Horizontal bars of the song's eight Plutchik emotions."""
    import plotly.graph_objects as go

    items = sorted(((k, v) for k, v in emotions.items() if k in _EMO_COLOURS), key=lambda kv: kv[1])
    fig = go.Figure(go.Bar(x=[v for _, v in items], y=[k for k, _ in items], orientation="h",
                           marker_color=[_EMO_COLOURS[k] for k, _ in items],
                           hovertemplate="%{y}: %{x:.0%}<extra></extra>"))
    fig.update_layout(title="Emotions (NRC lexicon)", template="plotly_white", height=380,
                      margin=dict(l=10, r=10, t=50, b=30), xaxis_tickformat=".0%", font=dict(size=14))
    return fig


def mood_card(report: dict) -> None:
    ov = report["overall"]
    c = st.columns(4)
    c[0].metric("Mood", ov["mood"],
                help=f"confidence {ov['mood_confidence']:.2f} ({ov['mood_source']})")
    c[1].metric("Overall", ov["label"], help=f"confidence {ov['confidence']:.2f}")
    c[2].metric("Valence", f"{ov['valence']:+.2f}", help="p(positive) - p(negative), mean over lines")
    c[3].metric("Arousal", f"{ov['arousal']:+.2f}", help="energy of the words (NRC VAD lexicon)")


def sections_table(report: dict):
    import pandas as pd

    rows = [{"section": s["name"], "lines": f"{s['start'] + 1}-{s['end'] + 1}", "label": s["label"],
             "valence": s["valence"], "confidence": s["confidence"],
             "top emotion": max(((k, v) for k, v in s["emotions"].items() if k in _EMO_COLOURS),
                                key=lambda kv: kv[1], default=("", 0))[0]}
            for s in report["sections"]]
    return pd.DataFrame(rows).style.map(valence_colour, subset=["valence"]).format(
        {"valence": "{:+.2f}", "confidence": "{:.2f}"})


def song_tab() -> None:
    if "tone_text" not in st.session_state:
        st.session_state["tone_text"] = ""
    c1, c2 = st.columns([3, 1])
    with c2:
        upload = st.file_uploader("Upload a .txt", type=list(common.SONG_TYPES), key="tone_upload",
                                  max_upload_size=SONG_UPLOAD_MB,
                                  help=f"One song in UTF-8, up to {MAX_SONG_CHARS:,} characters.")
        if upload is not None and st.session_state.get("tone_upload_name") != upload.name:
            text = common.decode_upload(upload)
            if text is not None:
                st.session_state["tone_text"] = text
                st.session_state["tone_upload_name"] = upload.name
        if st.button("Try an example song", key="tone_example"):
            st.session_state["tone_text"] = common.example_song()
    with c1:
        st.text_area("Lyrics ([Verse]/[Chorus] markers are optional)", key="tone_text", height=160,
                     placeholder="Paste a song here, one line per line...")
    text = st.session_state["tone_text"]
    go = st.button("Score", type="primary", key="tone_score")
    if not text.strip():
        if go:
            st.warning("Paste some lyrics first (or upload a .txt, or try the example).")
        return
    if common.too_long(text):
        return
    if common.guard(common.scorer) is None:  # waits here, with "Loading models", if the server is still warming
        return
    report = common.guard(tone, text, common.scorer_key())
    if report is None:
        return
    for w in report.get("warnings", []):
        st.warning(w)
    mood_card(report)
    from lyricist.tone.report import arc_figure

    left, right = st.columns([2, 1])
    fig = arc_figure(report)
    fig.update_layout(height=380, font=dict(size=14), margin=dict(l=50, r=20, t=50, b=50), title_font_size=16,
                      legend=dict(orientation="h", x=1, xanchor="right", y=1.0, yanchor="bottom"))
    for i, ann in enumerate(fig.layout.annotations):  # short sections side by side: stagger their names
        ann.update(yshift=-16 * (i % 2), font=dict(size=12))
    left.plotly_chart(fig, width="stretch", key="arc_chart")
    right.plotly_chart(emotion_figure(report["overall"]["emotions"]), width="stretch", key="emo_chart")
    st.subheader("Sections")
    st.dataframe(sections_table(report), hide_index=True, width="stretch")
    st.subheader(f"Lines ({len(report['lines'])})")
    st.dataframe(lines_table(report), hide_index=True, width="stretch",
                 height=min(600, 38 + 35 * len(report["lines"])))
    st.caption(f"model: {report['model']}")


@st.cache_data(show_spinner="Classifying...", max_entries=8)
def classify(data: bytes, name: str, text_col: str, key: tuple) -> tuple[dict, bytes]:
    """Classify an uploaded comments file: ``(result, predictions CSV bytes)`` (pure: cached on its inputs)."""
    from lyricist.tone.bulk import classify_file

    with tempfile.TemporaryDirectory() as tmp:
        # a generated name with the upload's whitelisted suffix: the browser's file name is never a path
        src = Path(tmp) / f"comments{common.upload_suffix(name, common.COMMENT_TYPES) or '.csv'}"
        src.write_bytes(data)
        out = Path(tmp) / "predictions.csv"
        r = classify_file(src, text_col=text_col or None, out=out, max_rows=2000)
        return r, out.read_bytes()


def comments_tab() -> None:
    import pandas as pd
    import plotly.graph_objects as go

    st.write("Upload listener comments (CSV/TSV/JSONL/TXT, one comment per row) to see how they feel.")
    c1, c2 = st.columns([3, 1])
    upload = c1.file_uploader("Comments file", type=list(common.COMMENT_TYPES), key="comments_upload",
                              max_upload_size=MAX_UPLOAD_MB)
    text_col = c2.text_input("Text column", value="", key="comments_col", help="Leave empty to detect it.")
    if upload is None:
        return
    problem = common.upload_problem(upload.name, upload.getvalue(), common.COMMENT_TYPES, MAX_UPLOAD_MB * 2**20)
    if problem:
        st.error(problem + (" (or use `lyricist classify`, which takes any size)" if "the limit" in problem else ""))
        return
    if common.guard(common.scorer) is None:
        return
    res = common.guard(classify, upload.getvalue(), upload.name, text_col, common.scorer_key())
    if res is None:
        return
    r, csv_bytes = res
    st.success(f"{r['n']:,} comments, mean valence {r['mean_valence']:+.2f} ({r['ms_per_item']:.2f} ms each, "
               f"{r['model']})")
    left, right = st.columns([1, 2])
    labels = list(r["counts"])
    fig = go.Figure(go.Bar(x=labels, y=[r["counts"][k] for k in labels],
                           marker_color=[_LABEL_COLOURS.get(k, "#888") for k in labels],
                           text=[f"{r['shares'][k]:.0%}" for k in labels], textposition="auto"))
    fig.update_layout(title="Distribution", template="plotly_white", height=350, font=dict(size=14),
                      margin=dict(l=10, r=10, t=50, b=30))
    left.plotly_chart(fig, width="stretch", key="comments_chart")
    df = pd.DataFrame(r["rows"])
    right.dataframe(df.style.map(valence_colour, subset=["valence"]).format({"valence": "{:+.2f}"}),
                    hide_index=True, width="stretch", height=350)
    if r.get("rows_truncated"):
        right.caption(f"showing the first {len(df):,} rows; the download has all {r['n']:,}")
    st.download_button("Download predictions CSV", csv_bytes, file_name="predictions.csv",
                       mime="text/csv", key="comments_download")


def render() -> None:
    """Lay out the Tone page."""
    st.header("Tone")
    from lyricist.app.defaults import missing

    common.unusable_models((*ALIASES["sentiment"], "mood"))
    gone = [k for k in ALIASES["sentiment"] if k in missing(common.root())]
    if len(gone) == 2:
        st.info("No trained sentiment model yet: scores come from the VADER lexicon. Train the default models "
                "on the Models page for better ones.")
    song, comments = st.tabs(["Song", "Comments"])
    with song:
        song_tab()
    with comments:
        comments_tab()
