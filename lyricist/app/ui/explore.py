"""Explore page: similar words (rhyme and syllable filters), analogies, odd-one-out, a 2-D map, projector export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from lyricist.app.ui import common

_SPACE_HELP = ("corpus: word2vec on your songs; general: English vectors distilled from MiniLM; "
               "blend: the corpus first, the general space for the rest")


def _spaces(ws) -> list[str]:
    out = []
    if ws.has_corpus and ws.has_general:
        out.append("blend")
    if ws.has_corpus:
        out.append("corpus")
    if ws.has_general:
        out.append("general")
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def neighbours(word: str, topn: int, rhymes_with: str, near: bool, syllables: int, space: str,
               key: tuple, families: bool = True) -> tuple[list[tuple[str, float, str]], list[str]]:
    """Similar words, one per family: ``([(word, similarity, family), ...], the query's own family)``.

    Pure: cached on the query, the filters and the models' stamp.
    """
    ws = common.space()
    heads, own = ws.neighbours(word, topn=topn, families=families, register=families,
                               rhymes_with=rhymes_with or None, near=near, syllables=syllables or None, space=space)
    return [(h.word, h.score, ", ".join(h.family)) for h in heads], own


@st.cache_data(show_spinner="Drawing the map...", max_entries=32)
def word_map(word: str, topn: int, rhymes_with: str, near: bool, syllables: int, space: str, extra: tuple,
             method: str, key: tuple, families: bool = True):
    ws = common.space()
    fig = ws.map_figure(list(extra) or None, query=word, topn=topn, method=method, space=space,
                        families=families, register=families,
                        rhymes_with=rhymes_with or None, near=near, syllables=syllables or None)
    fig.update_layout(height=480, font=dict(size=14), margin=dict(l=10, r=10, t=50, b=10))
    fig.update_traces(textfont=dict(size=13))
    return fig


@st.cache_data(show_spinner="Exporting...", max_entries=4)
def projector_zip(space: str, limit: int, key: tuple) -> bytes:
    """``vectors.tsv`` + ``metadata.tsv`` for projector.tensorflow.org, zipped."""
    ws = common.space()
    with tempfile.TemporaryDirectory() as tmp:
        vp, mp = ws.export_projector(tmp, space=space, limit=limit)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(vp, Path(vp).name)
            z.write(mp, Path(mp).name)
        return buf.getvalue()


def similar_section(ws, key: tuple, spaces: list[str]) -> None:
    c = st.columns([2, 2, 1, 1, 2])
    word = c[0].text_input("Word", value="heart", key="ex_word").strip()
    rhymes_with = c[1].text_input("Rhymes with", value="", key="ex_rhymes",
                                  placeholder="e.g. fire (optional)").strip()
    syllables = c[2].number_input("Syllables", min_value=0, max_value=12, value=0, key="ex_syl",
                                  help="0 = any")
    topn = c[3].number_input("How many", min_value=3, max_value=50, value=15, key="ex_topn")
    space = c[4].radio("Space", spaces, horizontal=True, key="ex_space", help=_SPACE_HELP)
    near = c[1].checkbox("accept near (slant) rhymes", key="ex_near", disabled=not rhymes_with)
    families = c[0].checkbox("one word per family", value=True, key="ex_families",
                             help="Group word families (ballet: ballets, ballerina), leave out the word's own "
                                  "(rainy, rainstorm for rain), and rank technical or rare words down unless "
                                  "your songs use them.")
    if not word:
        st.caption("Type a word to see its neighbours.")
        return
    got = common.guard(neighbours, word, int(topn), rhymes_with, near, int(syllables), space, key, families)
    if got is None:
        return
    res, own = got
    left, right = st.columns([1.15, 1.6])
    if not res:
        left.warning("No word passes these filters: loosen them (another rhyme, any syllables, near rhymes).")
    else:
        import pandas as pd

        syl = ws.syllable_counts()
        rows = [{"word": w, "similarity": s, "syl.": int(syl[ws.index[w]]),
                 "corpus": bool(ws.has_c[ws.index[w]]), "family": fam} for w, s, fam in res]
        left.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=480,
                       column_config={"word": st.column_config.TextColumn("word", width=95),
                                      "similarity": st.column_config.ProgressColumn(
                                          "similarity", min_value=0.0, max_value=1.0, format="%.3f", width=125),
                                      "syl.": st.column_config.NumberColumn("syl.", width=45,
                                                                            help="syllables"),
                                      "corpus": st.column_config.CheckboxColumn(
                                          "corpus", width=60, help="the word occurs in your songs"),
                                      "family": st.column_config.TextColumn(
                                          "family", width=140, help="the word's relatives among the neighbours")})
        if own:
            left.caption(f"{word}'s own family, left out: {', '.join(own)}")
    method = "pca"
    fig = common.guard(word_map, word, int(topn), rhymes_with, near, int(syllables), space, (), method, key,
                       families)
    if fig is not None:
        right.plotly_chart(fig, width="stretch", key="ex_map")


def analogy_section(key: tuple, space: str) -> None:
    st.markdown("**Analogy**: A is to B as C is to ?")
    c = st.columns(3)
    a = c[0].text_input("A", value="day", key="an_a").strip()
    b = c[1].text_input("B", value="sun", key="an_b").strip()
    cc = c[2].text_input("C", value="night", key="an_c").strip()
    if a and b and cc:
        ws = common.space()
        res = common.guard(ws.analogy, a, b, cc, topn=5, space=space)
        if res:
            st.markdown(f"{a} : {b} :: {cc} : **{res[0][0]}** · then " +
                        ", ".join(f"{w} ({s:.2f})" for w, s in res[1:]))


def odd_section(key: tuple, space: str) -> None:
    st.markdown("**Odd one out**")
    words = st.text_input("Words (three or more)", value="rain storm thunder guitar", key="odd_words")
    ws_ = [w for w in words.replace(",", " ").split() if w]
    if len(ws_) >= 3:
        ws = common.space()
        res = common.guard(ws.odd_one_out, ws_, space=space)
        if res:
            odd, scores = res
            st.markdown(f"odd one out: **{odd}** · " + ", ".join(f"{w} {s:+.2f}" for w, s in scores))
    elif words.strip():
        st.caption("Give at least three words.")


def render() -> None:
    """Lay out the Explore page."""
    st.header("Explore")
    common.unusable_models(("embeddings", "general-vectors"))
    if not common.empty_state("explore"):
        return
    key = common.space_key()
    ws = common.guard(common.space)
    if ws is None:
        return
    spaces = _spaces(ws)
    if not ws.has_corpus:
        st.info("No corpus embeddings yet: exploring the general space only (train them on the Models page).")
    similar_section(ws, key, spaces)
    st.divider()
    space = st.session_state.get("ex_space", spaces[0])
    left, right = st.columns(2)
    with left:
        analogy_section(key, space)
    with right:
        odd_section(key, space)
    st.divider()
    c = st.columns([2, 1, 2])
    limit = c[0].number_input("Projector export: words", min_value=10, max_value=50_000, value=5000, step=500,
                              key="proj_limit")
    if c[1].button("Prepare TSVs", key="proj_go"):
        data = common.guard(projector_zip, space, int(limit), key)
        if data is not None:
            st.session_state["proj_zip"] = data
    if st.session_state.get("proj_zip"):
        c[2].download_button("Download vectors.tsv + metadata.tsv (zip)", st.session_state["proj_zip"],
                             file_name=f"projector-{space}.zip", mime="application/zip", key="proj_dl")
    st.caption("Load both files at https://projector.tensorflow.org (Load → vectors, then metadata).")
