"""Designation of the Main Access Manager, co-main access managers and Access Managers; their history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header

from onss_tui.widgets.footer import Footer
from onss_tui.widgets.text import Tr


class DesignationScreen(Screen[None]):
    """Designate, replace and end designations of the enterprise in `app.enterprise_id`."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tr("designation.title", classes="screen-title")
        yield Footer()
