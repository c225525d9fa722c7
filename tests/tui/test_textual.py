"""The private names of Textual the console leans on, for want of public ones: an upgrade of Textual that
drops or renames one fails here, by its name, rather than somewhere in the console."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.screen import Screen


def test_screens_count_the_stylesheet_updates_they_were_styled_by() -> None:
    """onss_tui.app builds a mode's screen marked as styled by the stylesheet as it is, so that opening it
    does not style the whole app again."""
    for node in (App(), Screen()):
        if not isinstance(getattr(node, "_css_update_count", None), int):
            pytest.fail(f"Textual no longer has {type(node).__name__}._css_update_count")


def test_the_footer_draws_each_key_as_a_footer_key_with_its_description() -> None:
    """onss_tui.widgets.footer translates the description of each key the footer composes."""
    try:
        from textual.widgets._footer import FooterKey
    except ImportError:
        pytest.fail("Textual no longer has textual.widgets._footer.FooterKey")
    key = FooterKey("s", "s", "table.key.sort", "cycle_sort")
    if getattr(key, "description", None) != "table.key.sort":
        pytest.fail("Textual no longer has textual.widgets._footer.FooterKey.description")
