"""lyricist's app: draft, score and explore in one place.

``lyricist demo`` serves this file (after training any missing default model), and so does
``streamlit run app.py`` in a source checkout. It ships inside the package, so the demo also
works from a plain ``pip install``. It only sets the page up and the navigation; each page is
laid out by a module in ``lyricist/app/ui/``; the models load once per server process, in the
background from the first page view (or from the start, under ``python -m lyricist.app.serve``), and
every session shares them (``lyricist/app/warm.py``).
"""

import os

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import streamlit as st  # noqa: E402

from lyricist.app import warm  # noqa: E402
from lyricist.app.ui import draft, explore, models, tone  # noqa: E402

warm.start()  # once per process and checkpoints folder: later runs return at once

st.set_page_config(page_title="lyricist", page_icon=":material/music_note:", layout="wide")
# Streamlit's default top padding (6rem) pushes results below the fold on a laptop screen.
st.html("<style>[data-testid='stMainBlockContainer'], .block-container {padding-top: 2.2rem;}</style>")

pages = [
    st.Page(draft.render, title="Draft", icon=":material/edit_note:", url_path="draft", default=True),
    st.Page(tone.render, title="Tone", icon=":material/monitor_heart:", url_path="tone"),
    st.Page(explore.render, title="Explore", icon=":material/travel_explore:", url_path="explore"),
    st.Page(models.render, title="Models", icon=":material/tune:", url_path="models"),
]
st.navigation(pages).run()
