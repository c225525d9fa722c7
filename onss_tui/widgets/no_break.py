"""Lines that never break at a no-break space. Textual and Rich wrap text at every character Python calls
whitespace, U+00A0 and U+202F included: the French messages' no-break spaces (before : ; ? ! and inside
« ») would let a line start with "»" or ":". `keep_no_break_spaces` gives both the patterns they cut text
into words with, where those spaces belong to a word."""

from __future__ import annotations

import re

from rich import _wrap as rich_wrap
from textual import _wrap as textual_wrap

NO_BREAK = "\u00a0\u2007\u202f"
"""The no-break space, the figure space and the narrow no-break space."""

_SPACE = rf"[^\S{NO_BREAK}]"
_WORD = rf"[\S{NO_BREAK}]"


def keep_no_break_spaces() -> None:
    """Make Textual's and Rich's wrapping keep a no-break space with the words on either side of it."""
    textual_wrap.re_chunk = re.compile(rf"{_WORD}+{_SPACE}*|{_SPACE}+")
    rich_wrap.re_word = re.compile(rf"{_SPACE}*{_WORD}+{_SPACE}*")
