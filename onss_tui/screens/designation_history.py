"""The designation screen's history: every designation of the enterprise, newest first, in a `PagedTable`
that asks the service for one page at a time; a national register number revealed shows in full. The same
list, of the designations waiting for their holder's first sign-in only, is where those are cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from onss_tui.screens.errors import show_service_error
from onss_tui.screens.overview import designation_role
from onss_tui.screens.reveal import reveal
from onss_tui.services.dto import DesignationFilter, DesignationPublic, DesignationStatus, Page, PageRequest
from onss_tui.widgets.paged_table import Column, PagedTable
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

HISTORY_PAGE = 50
END = Binding("x", "end_designation", "designation.end", id="designation.end")
CANCEL = Binding("x", "cancel_designation", "designation.cancel", id="designation.cancel")
REVEAL = Binding("r", "reveal", "common.reveal", id="designation.reveal")
"""`END` (an active designation), `CANCEL` (one still waiting for its holder's first sign-in) and `REVEAL`:
the keys the screen offers on the highlighted designation (named by the hint below the table)."""


class DesignationHistory(Vertical):
    """The designations of the enterprise in `app.enterprise_id` (those `pending` alone when asked), with a
    line saying what the keys do."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def __init__(self, *, pending: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pending = pending
        self.hint = "designation.pending" if pending else "designation.history"
        """The words below the table: what the keys do, or that the list is empty."""
        self.revealed: dict[int, str] = {}
        """Person id -> national register number, for the numbers revealed on this screen."""

    def compose(self) -> ComposeResult:
        yield PagedTable(
            self._columns(),
            self._fetch,
            key=lambda d: d.id,
            page_size=HISTORY_PAGE,
            id="pending-designations" if self.pending else "designations",
        )
        yield Tr(f"{self.hint}.keys", classes="explain history-status", **self._keys())

    @property
    def table(self) -> PagedTable[DesignationPublic]:
        return self.query_one(PagedTable)

    @property
    def selected(self) -> DesignationPublic | None:
        """The highlighted designation."""
        return self.table.cursor_row

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)

    def reload(self) -> None:
        self.table.reload()

    def _relabel(self, _lang: str | None = None) -> None:
        self.table.set_columns(self._columns())
        self._show_hint()

    def _columns(self) -> list[Column[DesignationPublic]]:
        """The columns, in the console's language: the role, the holder, their number, the status and
        since when always show (the end and who designated give way in 80 terminal columns); a wider
        terminal gives the role the most."""
        t = self.app.t
        statuses = [t(f"designation.status.{s.value}") for s in DesignationStatus]
        status_label = t("designation.column.status")
        return [
            Column("role", t("designation.column.role"), lambda d: designation_role(self.app, d), 18, flex=3),
            Column("name", t("designation.column.name"), lambda d: d.person.full_name, 14, flex=2),
            Column("niss", t("designation.column.niss"), self._niss, 15),
            Column("status", status_label, self._status, max(map(cell_len, [status_label, *statuses]))),
            Column("since", t("designation.column.since"), lambda d: self.app.day(d.started_at), 10),
            Column("ended", t("designation.column.ended"), self._ended, 10, priority=1),
            Column("by", t("designation.column.by"), self._designated_by, 12, flex=1, priority=2),
        ]

    def _ended(self, designation: DesignationPublic) -> str:
        return self.app.day(designation.ended_at) if designation.ended_at else ""

    def _designated_by(self, designation: DesignationPublic) -> str:
        return self.app.who(designation.designated_by) if designation.designated_by else ""

    def _niss(self, designation: DesignationPublic) -> str | Text:
        niss = self.revealed.get(designation.person.id)
        return designation.person.niss_masked if niss is None else Text(niss, style="bold")

    def _status(self, designation: DesignationPublic) -> Text:
        status = Text(self.app.t(f"designation.status.{designation.status.value}"))
        if designation.status == DesignationStatus.ENDED:
            status.stylize("dim")
        return status

    async def _fetch(self, request: PageRequest) -> Page[DesignationPublic]:
        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None:
            return Page(items=[])
        wanted = DesignationFilter(status=DesignationStatus.PENDING) if self.pending else None
        return await self.app.service.list_designations(actor_id, enterprise_id, wanted, page=request)

    def _show_hint(self) -> None:
        hint = self.query_one(".history-status", Tr)
        if self.table.rows or self.table.is_loading:
            hint.set_key(f"{self.hint}.keys", **self._keys())
        else:
            hint.set_key(f"{self.hint}.none")

    def _keys(self) -> dict[str, str]:
        return {"end": self.app.key_for(END), "reveal": self.app.key_for(REVEAL)}

    @on(PagedTable.Loaded)
    def _loaded(self) -> None:
        self._show_hint()

    @on(PagedTable.Failed)
    def _failed(self, event: PagedTable.Failed) -> None:
        show_service_error(self, event.error)

    def reveal(self, designation: DesignationPublic) -> None:
        """Ask for the holder's national register number (the reveal is audited) and show it in each of
        their rows."""
        person_id = designation.person.id

        def shown(niss: str) -> None:
            self.revealed[person_id] = niss
            for row in self.table.rows:
                if row.person.id == person_id:
                    self.table.update_row(row)

        person = designation.person
        reveal(self, person_id, person.full_name, person.niss_masked, shown)
