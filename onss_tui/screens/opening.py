"""The first screen while the store opens (`SignInScreen`, `SessionScreen`): it says what the opening is
doing, or what went wrong, rather than "opening…" for ever, and acts once the service is ready."""

from __future__ import annotations

from textual.widgets import LoadingIndicator

from onss_tui.screens.base import OnssScreen
from onss_tui.widgets.text import Tr


class OpeningScreen(OnssScreen[None]):
    """A first screen: its `status` line and `loading` dots follow the store's opening."""

    STATUS = ""
    """The selector of the line that says what is happening."""
    LOADING = ""
    """The selector of the loading indicator."""

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)
        self.watch(self.app, "connecting_status", self._connecting)
        self.watch(self.app, "open_failure", self._failed, init=False)
        self.watch(self.app, "service_ready", self._ready)

    def _relabel(self, _lang: str | None = None) -> None:
        """Words not given as message keys, again in the current language."""

    def _connecting(self, key: str) -> None:
        if not self.app.service_ready:
            self.query_one(self.STATUS, Tr).set_key(key)

    def _failed(self, what: str) -> None:
        """The store could not be opened: say why."""
        self.query_one(self.LOADING, LoadingIndicator).display = False
        self.query_one(self.STATUS, Tr).set_key("sign_in.open_failed", what=what)

    def _ready(self, ready: bool) -> None:
        """The service can be called."""
