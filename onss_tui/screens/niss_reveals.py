"""Who saw my number: everyone who revealed the national register number of the person signed in, newest
first, with the enterprise they did it for and their role there (or support staff), and the reason they gave,
read from the audit trail through the service one page at a time. Opened from the overview and the audit
trail (`w`); Escape closes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from onss_tui.screens.base import OnssModal
from onss_tui.screens.errors import show_service_error
from onss_tui.services.dto import NissReveal, Page, PageRequest
from onss_tui.widgets.paged_table import Column, PagedTable
from onss_tui.widgets.text import Tr, local_time


class NissRevealsScreen(OnssModal[None]):
    """The reveals of the actor's own national register number."""

    DEFAULT_CSS = """
    #reveals-dialog { width: 110; height: 100%; max-height: 30; }
    #reveals-title { text-style: bold; }
    #reveals-explain { color: $text-muted; }
    #reveals-detail { height: auto; max-height: 4; margin-top: 1; }
    #reveals-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar = [Binding("escape,q", "close", "common.close", id="reveal.seen.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="reveals-dialog", classes="dialog"):
            yield Tr("reveal.seen.title", id="reveals-title")
            yield Tr("reveal.seen.explain", id="reveals-explain")
            yield PagedTable(
                self._columns(), self._fetch, key=lambda r: r.id, texts=self._texts, id="reveals"
            )
            yield Static(id="reveals-detail")
            yield Tr("reveal.seen.close_hint", id="reveals-hint")

    @property
    def table(self) -> PagedTable[NissReveal]:
        return self.query_one("#reveals", PagedTable)

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel, init=False)
        self.table.focus()

    def _relabel(self, _lang: str | None = None) -> None:
        self.table.set_columns(self._columns())
        self._show_detail(self.table.cursor_row)

    def _texts(self, key: str, **values: Any) -> str:
        """The table's words; an empty list says that nobody saw the number."""
        return self.app.t("reveal.seen.none" if key == "table.empty" else key, **values)

    def _columns(self) -> list[Column[NissReveal]]:
        t = self.app.t
        return [
            Column("at", t("reveal.seen.column.at"), lambda r: local_time(r.at, self.app.lang)[:16], 16),
            Column("who", t("reveal.seen.column.who"), lambda r: r.revealed_by, 12, flex=2),
            Column("for", t("reveal.seen.column.for"), self._for, 12, flex=2),
            Column("reason", t("reveal.seen.column.reason"), lambda r: r.reason or "—", 10, flex=3),
        ]

    def _for(self, reveal: NissReveal) -> str:
        """For whom it was revealed: the enterprise named, or support staff."""
        if reveal.support_staff:
            return self.app.t("role.support_staff")
        return reveal.enterprise_name or "—"

    def _as(self, reveal: NissReveal) -> str:
        """As what: their role in the enterprise named, or support staff."""
        if reveal.role is not None:
            return f"{self.app.t(f'role.{reveal.role.value}')}, {reveal.enterprise_name or '—'}"
        return self._for(reveal)

    async def _fetch(self, request: PageRequest) -> Page[NissReveal]:
        assert self.app.actor_id is not None
        return await self.app.service.list_niss_reveals(self.app.actor_id, request)

    @on(PagedTable.Highlighted, "#reveals")
    def _highlighted(self, event: PagedTable.Highlighted) -> None:
        self._show_detail(event.row)

    @on(PagedTable.Failed, "#reveals")
    def _failed(self, event: PagedTable.Failed) -> None:
        show_service_error(self, event.error)

    def _show_detail(self, reveal: NissReveal | None) -> None:
        """The highlighted reveal in full: the reason may be longer than its column."""
        detail = self.query_one("#reveals-detail", Static)
        if reveal is None:
            detail.update("")
            return
        text = Text(f"{local_time(reveal.at, self.app.lang)} · {reveal.revealed_by} ({self._as(reveal)})")
        text.append(f"\n{self.app.t('reveal.seen.column.reason')}: ", style="dim")
        text.append(reveal.reason or "—")
        detail.update(text)

    def action_close(self) -> None:
        self.dismiss(None)
