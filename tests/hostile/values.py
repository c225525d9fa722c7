"""The hostile values every text field, list and cursor is tried with, and what the rule makes of each."""

from __future__ import annotations

HUGE = "x" * 10_000_000
"""Ten megabytes of text."""
MANY = 100_000
"""Items in a list that is far too long."""

TEXTS: dict[str, str] = {
    "10MB": HUGE,
    "nul": "Anne\x00",
    "clear_screen": "\x1b[2J",
    "surrogate": "\ud800",
    "right_to_left": "abc\u202edef",
    "closing_tag": "[/]",
    "bold_markup": "[bold]x[/]",
    "emoji": "Anne 👩‍💼",
    "combining_marks": "a" + "\u0301" * 2000,
}
"""Each hostile text by name."""

REFUSED_EVERYWHERE = {"10MB", "nul", "clear_screen", "surrogate", "right_to_left", "combining_marks"}
"""Refused by every bounded text field (too long, or a character the text rule refuses)."""

SHOWN_LITERALLY = {"closing_tag": "[/]", "bold_markup": "[bold]x[/]", "emoji": "👩‍💼"}
"""Stored text the console must show as it is (markup is never read from it)."""

STORED = {
    "closing_tag": "[/]",
    "bold_markup": "[bold]x[/]",
    "clear_screen": "Eve\x1b[2J",
    "right_to_left": "Eve\u202eevil",
    "nul": "Nul\x00l",
    "emoji": "Zoë 👩‍💼",
    "combining_marks": "Zalgo" + "\u0301" * 2000,
    "bell_and_c1": "Bell\x07\x9b31m",
}
"""Text put straight into the store (as an older version, another program or an administrator could
have), which the console must draw without crashing and without handing a control to the terminal."""
