"""The enterprise overview: identity, how each group of services is handled, managers, counts, next steps."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header

from onss_tui.widgets.footer import Footer
from onss_tui.widgets.text import Tr


class OverviewScreen(Screen[None]):
    """The enterprise chosen in `app.enterprise_id`, at a glance."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tr("overview.title", classes="screen-title")
        yield Footer()
