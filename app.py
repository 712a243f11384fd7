"""``streamlit run app.py``: the app from a source checkout (it lives in lyricist/app/streamlit_app.py).

Streamlit reruns this script on every interaction, so it runs the page module afresh each time
instead of importing it once.
"""

import runpy

runpy.run_module("lyricist.app.streamlit_app", run_name="__main__")
