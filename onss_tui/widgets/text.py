"""`Tr`: a line of text given as a message key, shown in the current language and relabelled on switch; and
`local_time`, a time the store keeps as it is shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import Static

from onss_tui.domain.text import shown
from onss_tui.i18n import written_date

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp


class Tr(Static):
    """Static text whose content is `app.t(key, **kwargs)` (then `suffix`), as plain text (the values may
    be names or what went wrong); follows `app.lang`."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def __init__(
        self,
        key: str,
        /,
        *,
        suffix: str = "",
        id: str | None = None,
        classes: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__("", id=id, classes=classes)
        self.key = key
        self.suffix = suffix
        self.kwargs = kwargs

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)

    def set_key(self, key: str, /, **kwargs: Any) -> None:
        """Show another message."""
        self.key, self.kwargs = key, kwargs
        self._relabel()

    def _relabel(self, _lang: str | None = None) -> None:
        self.update(Content(shown(self.app.t(self.key, **self.kwargs) + self.suffix)))


def local_time(at: datetime, lang: str = "en") -> str:
    """A time stored in UTC (an audit entry's), in the local time zone, to the second; its day as a reader
    of `lang` writes it (06/12/2026 in French and Dutch)."""
    aware = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone()
    return f"{written_date(aware, lang)} {aware:%H:%M:%S}"
