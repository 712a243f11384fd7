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


class LyricistError(Exception):
    """A user-facing error whose message is one line saying what to do."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
