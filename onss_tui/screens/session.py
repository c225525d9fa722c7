"""The first screen of a console whose person is fixed (an SSH key, a bearer token, `--as`): no list of
people, no field to type a name in. It says what the opening of the store is doing, signs that person in,
and, once back here from the enterprise picker, who is signed in and what to press.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from onss_tui.screens.opening import OpeningScreen
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.text import Tr


class SessionScreen(OpeningScreen):
    """The session of one person; its only ways on are the enterprise picker (e) and quitting."""

    HELP_KEY = "help.session"
    STATUS, LOADING = "#session-status", "#session-loading"

    def compose(self) -> ComposeResult:
        yield NavBar()
        with Vertical(id="session"):
            yield Static(id="session-title", classes="screen-title")
            yield Tr("session.explain", classes="explain")
            yield Tr(self.app.connecting_status, id="session-status")
            yield LoadingIndicator(id="session-loading")
        yield Footer()

    def _relabel(self, _lang: str | None = None) -> None:
        actor = self.app.actor
        title = self.app.t("session.title", name=actor.full_name) if actor else self.app.t("session.opening")
        self.query_one("#session-title", Static).update(Text(title))  # a name is shown as plain text

    def _ready(self, ready: bool) -> None:
        preset = self.app.preset_actor_id
        if ready and preset is not None and self.app.actor_id is None:
            self.query_one("#session-status", Tr).set_key("sign_in.signing_in")
            self.app.preset_actor_id = None
            self.app.sign_in(preset)

    def on_screen_resume(self) -> None:
        """Back from the enterprise picker (or signed in): who acts, and the keys that lead on."""
        if self.app.actor_id is not None:
            self.query_one("#session-loading").display = False
            self.query_one("#session-status", Tr).set_key("session.choose")
            self._relabel()
