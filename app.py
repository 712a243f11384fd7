"""``streamlit run app.py``: the app from a source checkout (it lives in lyricist/app/streamlit_app.py).

Streamlit reruns this script on every interaction, so it runs the page script afresh each time
instead of importing it once.
"""

import runpy
from pathlib import Path

import lyricist.app

runpy.run_path(str(Path(lyricist.app.__file__).parent / "streamlit_app.py"), run_name="__main__")
