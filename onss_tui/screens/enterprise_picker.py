"""Choosing the enterprise to work on: the actor's enterprises (support staff: all), searchable, paged.

Pages come from `service.list_enterprises` with keyset cursors; the next page is fetched when the cursor
reaches the last row, so a long list never loads whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable

from onss_tui.domain.identifiers import IdentifierError, format_enterprise_number, format_onss_number
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from onss_tui.app import OnssApp
    from onss_tui.services.dto import EnterpriseSummary

PAGE_SIZE = 50
COLUMNS = ("name", "enterprise_number", "onss_number", "category")


def shown_number(number: str | None, formatter) -> str:  # type: ignore[no-untyped-def]
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


class EnterprisePickerScreen(Screen["EnterpriseSummary | None"]):
    """Search and choose an enterprise; Enter chooses, Escape goes back."""

    HELP_KEY = "help.enterprise_picker"
    AUTO_FOCUS = "#picker-search"
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "common.search", id="picker.search"),
        Binding("escape", "cancel", "common.back", id="picker.back"),
        Binding("down", "move(1)", "common.down", id="picker.down", show=False),
        Binding("up", "move(-1)", "common.up", id="picker.up", show=False),
    ]

    if TYPE_CHECKING:

        @property
        def app(self) -> OnssApp: ...

    def __init__(self) -> None:
        super().__init__()
        self._next_cursor: str | None = None
        self._query = ""
        self._loading_more = False
        self._shown: dict[str, EnterpriseSummary] = {}

    def compose(self) -> ComposeResult:
        yield NavBar()
        with Vertical(id="picker"):
            yield Tr("picker.title", classes="screen-title")
            yield Input(id="picker-search", compact=True)
            yield DataTable(id="enterprises", cursor_type="row", zebra_stripes=True)
            yield Tr("picker.loading", id="picker-status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)
        self.load("")

    def _relabel(self, _lang: str | None = None) -> None:
        t = self.app.t
        self.query_one("#picker-search", Input).placeholder = t("picker.search")
        table = self.query_one(DataTable)
        if not table.columns:
            for column in COLUMNS:
                table.add_column(t(f"picker.column.{column}"), key=column)
        else:
            for column in COLUMNS:
                table.columns[column].label = t(f"picker.column.{column}")  # type: ignore[index]
            for row_key in list(table.rows):
                summary = self._shown.get(str(row_key.value))
                if summary is not None:
                    table.update_cell(row_key, "category", t(f"category.{summary.category.value}"))
            table.refresh()

    @on(Input.Changed, "#picker-search")
    def _search(self, event: Input.Changed) -> None:
        self.load(event.value)

    @on(Input.Submitted, "#picker-search")
    def _submitted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.dismiss(
                self._shown[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]
            )

    @work(exclusive=True, group="enterprises", exit_on_error=False)
    async def load(self, query: str, cursor: str | None = None) -> None:
        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.dto import PageRequest
        from onss_tui.services.errors import ServiceError

        assert self.app.actor_id is not None
        table = self.query_one(DataTable)
        if cursor is None:
            table.loading = True
        try:
            page = await self.app.service.list_enterprises(
                self.app.actor_id, query, PageRequest(size=PAGE_SIZE, cursor=cursor)
            )
        except ServiceError as error:
            show_service_error(self, error)
            return
        finally:
            table.loading = False
            self._loading_more = False
        if cursor is None:
            table.clear()
            self._shown = {}
        self._query, self._next_cursor = query, page.next_cursor
        t = self.app.t
        for summary in page.items:
            self._shown[str(summary.id)] = summary
            table.add_row(
                summary.name,
                enterprise_number_shown(summary),
                onss_number_shown(summary),
                t(f"category.{summary.category.value}"),
                key=str(summary.id),
            )
        status = self.query_one("#picker-status", Tr)
        if table.row_count == 0:
            status.set_key("picker.none_found" if query else "picker.none")
        else:
            status.set_key("picker.count_more" if page.next_cursor else "picker.count", count=table.row_count)

    @on(DataTable.RowHighlighted, "#enterprises")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if self._next_cursor and not self._loading_more and event.cursor_row >= table.row_count - 5:
            self._loading_more = True
            self.load(self._query, self._next_cursor)

    @on(DataTable.RowSelected, "#enterprises")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self._shown[str(event.row_key.value)])

    def action_focus_search(self) -> None:
        self.query_one("#picker-search", Input).focus()

    def action_move(self, step: int) -> None:
        """Up and down move in the list while the search field keeps the focus."""
        table = self.query_one(DataTable)
        (table.action_cursor_down if step > 0 else table.action_cursor_up)()

    def action_cancel(self) -> None:
        self.dismiss(None)
