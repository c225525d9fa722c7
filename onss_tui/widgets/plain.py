"""Text from a person or the store as the console shows it: literally, never read as markup, with the
characters a terminal would obey (controls, direction overrides) drawn as visible stand-ins."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from onss_tui.domain.text import shown


def plain(value: str, style: str = "") -> Text:
    """`value` as a Rich text, literally (for a table cell, a detail pane, an option)."""
    return Text(shown(value), style=style)


def literal(value: str | Text) -> Text:
    """A cell given as a string or a styled text, as a text that draws every character literally."""
    if isinstance(value, str):
        return plain(value)
    safe = shown(value.plain)
    if safe == value.plain:
        return value
    copy = value.copy()
    copy.plain = safe  # one stand-in per character: the styles' spans still fit
    return copy


def plain_content(value: str, style: str = "") -> Content:
    """`value` as Textual content, literally (a `Static`, a tooltip)."""
    return Content.styled(shown(value), style) if style else Content(shown(value))
