"""The one exception type users see.

Every problem caused by input (a missing file, a wrong column, a corrupt
checkpoint) is raised as :class:`LyricistError` with a one-line message that
says what to do. The CLI prints it on stderr and exits with code 2; the app
shows it with ``st.error``. Anything else is a bug.

Example:
    >>> try:
    ...     raise LyricistError("no such file: x.txt (check the path)")
    ... except LyricistError as e:
    ...     str(e)
    'no such file: x.txt (check the path)'
"""


#: A message longer than this keeps its start (the problem) and its end (what to do) around " ... ":
#: a message that quotes a user's 100k-character input must still fit on a screen.
MAX_MESSAGE_CHARS = 600


class LyricistError(Exception):
    """A user-facing error whose message is one line saying what to do (at most MAX_MESSAGE_CHARS)."""

    def __init__(self, message: str):
        text = " ".join(str(message).split())
        if len(text) > MAX_MESSAGE_CHARS:
            half = (MAX_MESSAGE_CHARS - 5) // 2
            text = f"{text[:half]} ... {text[-half:]}"
        super().__init__(text)
