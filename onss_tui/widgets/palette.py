"""The command palette in the console's language: Textual's own, asking with the console's placeholder and
saying in the console's words that a search found nothing (Textual writes its English line there)."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option


class Palette(CommandPalette):
    """Textual's command palette, with `no_matches` where a search found no command."""

    def __init__(self, *, placeholder: str, no_matches: str) -> None:
        super().__init__(id="--command-palette", placeholder=placeholder)
        self.no_matches = no_matches

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual does (after its countdown, a line when a search found nothing; none when nothing was
        searched), with the console's words on that line."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                line = Align.center(Text(self.no_matches, style="not bold"))
                self.query_one(CommandList).add_option(Option(line, disabled=True, id=self._NO_MATCHES))
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
