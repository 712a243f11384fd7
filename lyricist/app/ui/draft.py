"""Draft page: lyrics from a theme and a form; lock, regenerate and pick alternatives line by line.

The current draft and the history live in ``st.session_state`` as
``Draft.to_dict()`` dicts (``draft``, ``draft_history``); each co-writing
operation is one library call that returns a new draft.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from lyricist.app.ui import common

SCHEMES = ("AABB", "ABAB", "ABCB", "AAAA", "free")
MOODS = ("any", "happy", "angry", "sad", "relaxed")
HISTORY = 20


def _model_dir() -> str:
    """The generator's folder, from the server's shared copy (warmed in the background at start)."""
    return str(common.generator().folder)


def _call(fn, *args, **kwargs):
    """``fn(*args, model_dir=..., **kwargs)``, or None after an st.error (no model, corrupt, bad input)."""
    md = common.guard(_model_dir)
    if md is None:
        return None
    return common.guard(fn, *args, model_dir=md, **kwargs)


def _current():
    from lyricist.drafting.drafts import Draft

    d = st.session_state.get("draft")
    return Draft.from_dict(d) if d else None


def _set(d, note: str = "") -> None:
    """Make ``d`` the current draft and push it on the history."""
    doc = d.to_dict()
    st.session_state["draft"] = doc
    st.session_state["alts"] = {}
    hist = st.session_state.setdefault("draft_history", [])
    hist.append({"note": note or doc["theme"], "draft": doc})
    del hist[:-HISTORY]


def as_text(doc: dict) -> str:
    """The draft as plain text (one line per line).

    Example:
        >>> as_text({"lines": [{"text": "a"}, {"text": "b"}]})
        'a\\nb\\n'
    """
    return "\n".join(ln["text"] for ln in doc["lines"]) + "\n"


def as_markdown(doc: dict) -> str:
    """The draft as Markdown: a title, the form, and a table of lines with syllables and rhyme letters.

    Example:
        >>> as_markdown({"theme": "rain", "scheme": "AABB", "syllables": 8, "mood": None,
        ...              "lines": [{"text": "a", "syllables": 1, "letter": "A"}]}).splitlines()[0]
        '# rain'
    """
    out = [f"# {doc['theme']}", "",
           f"*{doc['scheme']}, {doc['syllables']} syllables, mood {doc.get('mood') or 'any'}*", "",
           "| # | line | syllables | rhyme |", "|---:|---|---:|:---:|"]
    for i, ln in enumerate(doc["lines"], 1):
        text = ln["text"].replace("|", "\\|")
        out.append(f"| {i} | {text} | {ln['syllables']} | {ln.get('letter', '-')} |")
    return "\n".join(out) + "\n"


def _stream():
    """A placeholder that shows each line as the decoder writes it, and the ``on_line`` callback that fills it.

    The finished draft replaces it (the mood pass at the end may still swap a line)."""
    shown = st.empty()
    rows: list[str] = []

    def on_line(i: int, ln) -> None:
        rows.append(f"{i + 1}. {ln.text}  `{ln.syllables}` `{ln.letter}`")
        shown.markdown("  \n".join(rows))

    return shown, on_line


def _form() -> None:
    with st.form("draft_form"):
        c = st.columns([3.6, 1.3, 1.4, 1.2, 1.1, 1.1, 1])
        theme = c[0].text_input("Theme", value="leaving a small town at dawn", max_chars=300,
                                help="What the song is about, in a few words.")
        mood = c[1].selectbox("Mood", MOODS, index=MOODS.index("sad"))
        scheme = c[2].selectbox("Scheme", SCHEMES, help="Rhyme scheme, repeated over the lines.")
        syllables = c[3].number_input("Syllables", min_value=3, max_value=16, value=8,
                                      help="Per line; each line lands within one of it.")
        n = c[4].number_input("Lines", min_value=1, max_value=32, value=8)
        seed = c[5].number_input("Seed", min_value=0, max_value=10_000, value=0)
        with c[6]:
            st.markdown("<div style='height:1.75rem'></div>", unsafe_allow_html=True)
            go = st.form_submit_button("Draft", type="primary", width="stretch")
    if go:
        from lyricist.drafting.cowrite import draft

        update, bar = common.st_progress("Drafting")
        shown, on_line = _stream()
        d = _call(draft, theme, lines=int(n), scheme=scheme, syllables=int(syllables),
                  mood=None if mood == "any" else mood, seed=int(seed), progress=update, on_line=on_line)
        bar.empty()
        shown.empty()
        if d is not None:
            _set(d, f"{theme} ({scheme}, {syllables} syl)")


def _continue_form() -> None:
    with st.expander("Continue from your own lines"):
        with st.form("continue_form"):
            own = st.text_area("Your lines", height=120, placeholder="I left the porch light on for you\n"
                                                                      "and waited by the door")
            c = st.columns(3)
            n = c[0].number_input("New lines", min_value=1, max_value=16, value=4)
            mood = c[1].selectbox("Mood", MOODS, key="cont_mood")
            seed = c[2].number_input("Seed", min_value=0, max_value=10_000, value=0, key="cont_seed")
            go = st.form_submit_button("Continue")
        if go:
            if common.too_long(own):
                return
            from lyricist.drafting.cowrite import continue_draft

            shown, on_line = _stream()
            d = _call(continue_draft, own, n=int(n), mood=None if mood == "any" else mood, seed=int(seed),
                      on_line=on_line)
            shown.empty()
            if d is not None:
                _set(d, "continued from your lines")


def _lines(d) -> None:
    """One row per line: text | syllables | rhyme letter | lock | regenerate | alternatives."""
    from lyricist.drafting.cowrite import alternatives, lock, regenerate
    from lyricist.drafting.drafts import make_line

    head = st.columns([7, 1, 1, 1, 1, 1.4])
    for col, name in zip(head, ("line", "syl.", "rhyme", "lock", "redo", "options")):
        col.caption(name)
    alts = st.session_state.setdefault("alts", {})
    for i, ln in enumerate(d.lines):
        c = st.columns([7, 1, 1, 1, 1, 1.4], vertical_alignment="center")
        flag = "" if ln.ok else f"  :orange[(misses {', '.join(ln.issues)})]"
        c[0].markdown(f"**{ln.text}**{flag}")
        c[1].markdown(f"`{ln.syllables}`")
        c[2].markdown(f"`{ln.letter}`")
        locked = c[3].checkbox("lock", value=ln.locked, key=f"lock_{i}_{d.seed}_{hash(ln.text)}",
                               label_visibility="collapsed")
        if locked != ln.locked:
            _set(lock(d, i, locked), f"{'locked' if locked else 'unlocked'} line {i + 1}")
            st.rerun()
        if c[4].button("↻", key=f"regen_{i}", help="Rewrite this line", disabled=ln.locked):
            new = _call(regenerate, d, i)
            if new is not None:
                _set(new, f"rewrote line {i + 1}")
                st.rerun()
        if c[5].button("options", key=f"alts_{i}", help="Show other options for this line"):
            alts[i] = _call(alternatives, d, i, n=4) or []
        if alts.get(i):
            pick = st.selectbox(f"Options for line {i + 1}", ["(keep the current line)"] + alts[i],
                                key=f"pick_{i}")
            if pick != "(keep the current line)":
                lines = list(d.lines)
                lines[i] = make_line(pick, ln.letter, ln.locked)
                _set(dataclasses.replace(d, lines=lines), f"picked an option for line {i + 1}")
                st.rerun()


def _toolbar(d) -> None:
    from lyricist.drafting.cowrite import continue_draft, regenerate

    doc = d.to_dict()
    c = st.columns(4)
    if c[0].button("Regenerate unlocked lines", disabled=all(ln.locked for ln in d.lines)):
        new = _call(regenerate, d, None)
        if new is not None:
            _set(new, "rewrote the unlocked lines")
            st.rerun()
    if c[1].button("Add 2 lines"):
        new = _call(continue_draft, d, n=2)
        if new is not None:
            _set(new, "added 2 lines")
            st.rerun()
    c[2].download_button("Export .txt", as_text(doc), file_name="draft.txt", mime="text/plain")
    c[3].download_button("Export .md", as_markdown(doc), file_name="draft.md", mime="text/markdown")


def _history() -> None:
    hist = st.session_state.get("draft_history", [])
    if len(hist) < 2:
        return
    with st.expander(f"History ({len(hist)} drafts)"):
        labels = [f"{i + 1}. {h['note']}: {h['draft']['lines'][0]['text'] if h['draft']['lines'] else ''}"
                  for i, h in enumerate(hist)]
        pick = st.selectbox("Go back to", range(len(hist)), index=len(hist) - 1, format_func=lambda i: labels[i])
        if st.button("Restore this draft") and pick != len(hist) - 1:
            _set(__import__("lyricist.drafting.drafts", fromlist=["Draft"]).Draft.from_dict(hist[pick]["draft"]),
                 f"restored draft {pick + 1}")
            st.rerun()


def render() -> None:
    """Lay out the Draft page."""
    st.header("Draft")
    common.unusable_models(("generator",))
    if not common.empty_state("draft"):
        return
    _form()
    _continue_form()
    d = _current()
    if d is None:
        st.caption("Pick a theme and a form, then press Draft.")
        return
    st.subheader(d.theme)
    st.caption(f"{d.scheme} · {d.syllables} syllables · mood {d.mood or 'any'} · keywords: "
               f"{', '.join(d.keywords) or '-'} · {d.ms:.0f} ms")
    _lines(d)
    _toolbar(d)
    _history()
