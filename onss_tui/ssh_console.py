"""`SshConsole`: the console of an SSH session, locked to the person whose key opened it.

Everyone logs in as one service account, so nothing of the account is the person's: what they choose
(language, theme) is remembered in the store for them, and no file is written on the server (no
screenshot). A session without a key pressed (or a click) for `ssh_idle_minutes` signs out; a terminal
that hangs up (SIGHUP) or a SIGTERM ends it; `end_reason` says which, for the trail.
"""

from __future__ import annotations

import asyncio
import signal
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, work

from onss_tui.app import OnssApp
from onss_tui.i18n import LANGUAGES

if TYPE_CHECKING:
    from onss_tui.services.dto import Preferences

IDLE_MINUTES = 15
"""The idle time before a session signs out, when no settings say (`ssh_idle_minutes`)."""


class SshConsole(OnssApp):
    """The console for the one person of an SSH key (`onss-tui ssh-session`)."""

    OFFERS_SCREENSHOTS = False
    """No file written on the server."""

    def __init__(self, **options: Any) -> None:
        super().__init__(fixed_identity=True, **options)
        self.end_reason = "quit"
        """How the session ended: quit, idle (signed out), hangup (the terminal went away), error."""
        self._last_input = time.monotonic()

    def on_mount(self) -> None:
        super().on_mount()
        loop = asyncio.get_running_loop()
        for hang_up in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(hang_up, self._end, "hangup")

    def _end(self, reason: str) -> None:
        self.end_reason = reason
        self.exit(0)

    # ------------------------------------------------------------------ idle

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.Paste):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _watch_idleness(self) -> None:
        minutes = self.settings.ssh_idle_minutes if self.settings else IDLE_MINUTES
        self._last_input = time.monotonic()
        self.set_interval(min(30.0, minutes * 15), partial(self._sign_out_when_idle, minutes))

    def _sign_out_when_idle(self, minutes: float) -> None:
        if time.monotonic() - self._last_input >= minutes * 60:
            self.exit_message = self.t("session.idle", minutes=f"{minutes:g}")
            self._end("idle")

    # ------------------------------------------------------------------ the person's choices

    async def remembered(self, actor_id: int) -> Preferences | None:
        return await self.service.get_preferences(actor_id)

    def signed_in(self, remembered: Preferences | None) -> None:
        """The language and theme the person chose before, without saving them again; then the idle watch."""
        if remembered is not None:
            if remembered.lang in LANGUAGES:
                self.lang = remembered.lang
            if remembered.theme in self.available_themes:
                self._remembered_theme = remembered.theme
                self.theme = remembered.theme
        self._watch_idleness()

    def _save_setting(self, name: str, value: str) -> None:
        if self.actor_id is not None:
            self._save_preference(self.actor_id, name, value)

    @work(group="preferences", exit_on_error=False)
    async def _save_preference(self, actor_id: int, name: str, value: str) -> None:
        from onss_tui.services.dto import Preferences

        await self.service.save_preferences(actor_id, Preferences.model_validate({name: value}))
