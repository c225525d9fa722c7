"""Choosing the enterprise to work on: the actor's enterprises (support staff: all), searchable, paged.

The list is a `PagedTable` over `service.list_enterprises` (keyset pages in name order): support staff
page through every enterprise in the country, to the last with End, while only a few pages are held.
The search field keeps the focus; Up, Down, Page Up and Page Down move in the list from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from onss_tui.domain.identifiers import IdentifierError, format_enterprise_number, format_onss_number
from onss_tui.domain.text import SEARCH_MAX
from onss_tui.screens.base import OnssScreen
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import Column, PagedTable
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from onss_tui.services.dto import EnterpriseSummary, Page, PageRequest


def shown_number(number: str | None, formatter: Callable[[str], str]) -> str:
    """A stored number in its usual presentation; as stored when it has an unexpected shape."""
    if not number:
        return "—"
    try:
        return formatter(number)
    except IdentifierError:
        return number


def enterprise_number_shown(summary: EnterpriseSummary) -> str:
    return shown_number(summary.enterprise_number, format_enterprise_number)


def onss_number_shown(summary: EnterpriseSummary) -> str:
    return shown_number(summary.onss_number, format_onss_number)


class EnterprisePickerScreen(OnssScreen["EnterpriseSummary | None"]):
    """Search and choose an enterprise; Enter chooses, Escape goes back."""

    HELP_KEY = "help.enterprise_picker"
    PICKS_ENTERPRISE = True
    """The app's "e" (choose an enterprise) is not offered here: this is where it leads."""
    AUTO_FOCUS = "#picker-search"
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "common.search", id="picker.search"),
        Binding("escape", "cancel", "common.back", id="picker.back"),
        Binding("down", "move('cursor_down')", "common.down", id="picker.down", show=False),
        Binding("up", "move('cursor_up')", "common.up", id="picker.up", show=False),
        Binding("pagedown", "move('page_down')", "table.key.page_down", id="picker.page_down", show=False),
        Binding("pageup", "move('page_up')", "table.key.page_up", id="picker.page_up", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield NavBar()
        with Vertical(id="picker"):
            yield Tr("picker.title", classes="screen-title")
            yield Input(id="picker-search", compact=True, max_length=SEARCH_MAX)
            yield PagedTable(self._columns(), self._fetch, key=lambda e: e.id, id="enterprises")
            yield Tr("picker.loading", id="picker-status")
        yield Footer()

    @property
    def table(self) -> PagedTable[EnterpriseSummary]:
        return self.query_one("#enterprises", PagedTable)

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)

    def _columns(self) -> list[Column[EnterpriseSummary]]:
        t = self.app.t
        return [
            Column("name", t("picker.column.name"), lambda e: e.name, 24, flex=1),
            Column("enterprise_number", t("picker.column.enterprise_number"), enterprise_number_shown, 14),
            Column("onss_number", t("picker.column.onss_number"), onss_number_shown, 12, priority=2),
            Column(
                "category",
                t("picker.column.category"),
                lambda e: t(f"category.{e.category.value}"),
                12,
                flex=1,
                priority=1,
            ),
        ]

    def _relabel(self, _lang: str | None = None) -> None:
        self.query_one("#picker-search", Input).placeholder = self.app.t("picker.search")
        self.table.set_columns(self._columns())

    async def _fetch(self, request: PageRequest) -> Page[EnterpriseSummary]:
        assert self.app.actor_id is not None
        query = self.query_one("#picker-search", Input).value
        return await self.app.service.list_enterprises(self.app.actor_id, query, request)

    @on(Input.Changed, "#picker-search")
    def _search(self) -> None:
        self.table.reload(debounce=True)

    @on(PagedTable.Loaded, "#enterprises")
    def _loaded(self) -> None:
        table, status = self.table, self.query_one("#picker-status", Tr)
        count = len(table.rows)
        if not count:
            searching = bool(self.query_one("#picker-search", Input).value.strip())
            status.set_key("picker.none_found" if searching else "picker.none")
        elif not (table.at_start and table.at_end):
            status.set_key("picker.browse")
        else:
            status.set_key("picker.count_one" if count == 1 else "picker.count", count=count)

    @on(PagedTable.Failed, "#enterprises")
    def _failed(self, event: PagedTable.Failed) -> None:
        from onss_tui.screens.errors import show_service_error

        show_service_error(self, event.error)

    @on(Input.Submitted, "#picker-search")
    def _submitted(self) -> None:
        self.table.action_activate()  # the first match of what was typed, once it has come

    @on(PagedTable.Activated, "#enterprises")
    def _chosen(self, event: PagedTable.Activated) -> None:
        self.dismiss(event.row)

    def action_focus_search(self) -> None:
        self.query_one("#picker-search", Input).focus()

    def action_move(self, action: str) -> None:
        """The list's moves, while the search field keeps the focus."""
        getattr(self.table, f"action_{action}")()

    def action_cancel(self) -> None:
        self.dismiss(None)
