"""`BrowseScreen`: the base of the paged list screens (users, mandates, audit trail): filters above a
`PagedTable`, a detail pane of the highlighted row below it.

What they share: the columns and the selects' options relabelled on a language switch (a choice made is
kept); a filter field of the class `TYPED_FILTER`, and every select, fetching again as it changes (the
table debounces typing); Enter in a filter going to the table; F5 fetching the list again with the cursor
kept on its row; a reload after a conflict fetching the highlighted row again; the footer's keys redrawn
once the cursor rests; a refused fetch told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual import on, work
from textual.timer import Timer
from textual.widgets import Input, Select

from onss_tui.screens.base import OnssScreen
from onss_tui.screens.errors import show_service_error
from onss_tui.widgets.paged_table import REST_DELAY, Column, PagedTable
from onss_tui.widgets.plain import plain_content

if TYPE_CHECKING:
    from onss_tui.services.dto import Page, PageRequest, Role

Row = TypeVar("Row")

TYPED_FILTER = "typed-filter"
"""The class of a filter field that narrows the list as it is typed."""
ROW_ACTION = "row-action"
"""The worker group of what is done to the highlighted row: one at a time."""


class BrowseScreen(OnssScreen[None], Generic[Row]):
    """A paged list with its filters and the detail of the highlighted row."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    DEFAULT_CSS = """
    BrowseScreen {
        .browse-filters { height: 1; margin: 0 1; }
        .browse-filters > * { margin-left: 1; }
        .browse-filters > *:first-child { margin-left: 0; }
        .browse-filters > .-invalid { color: $error; }
        .browse-detail {
            height: 7; border: round $foreground 40%; padding: 0 1; border-title-color: $foreground;
        }
        &.-tall .browse-detail { height: 9; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.roles: frozenset[Role] = frozenset()
        """The actor's roles in the enterprise worked on, once learnt (`learn_roles`)."""
        self.services: frozenset[str] = frozenset()
        """The online services the actor holds there as a user, learnt with the roles."""
        self._footer_timer: Timer | None = None

    @property
    def table(self) -> PagedTable[Row]:
        return self.query_one(PagedTable)

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self.relabel)
        self.table.focus()

    # ------------------------------------------------------------------ what each screen gives

    def columns(self) -> list[Column[Row]]:
        """The table's columns, in the console's language."""
        raise NotImplementedError

    async def fetch(self, request: PageRequest) -> Page[Row]:
        """A page of the list, as the filters and the table's sort have it."""
        raise NotImplementedError

    async def fetch_page(self, request: PageRequest) -> Page[Row]:
        """A page of the list (`fetch`), the first one saying when the list was loaded."""
        page = await self.fetch(request)
        if request.cursor is None:
            self.loaded()
        return page

    async def fetch_row(self, row: Row) -> Row:
        """The row as the service has it now."""
        raise NotImplementedError

    def show_detail(self, row: Row | None) -> None:
        """Show the row in the detail pane (None: no row is highlighted)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ words

    def relabel(self, _lang: str | None = None) -> None:
        """The table and the detail pane in the console's language (screens put their own words first)."""
        self.table.set_columns(self.columns())
        self.show_detail(self.table.cursor_row)

    def on_resize(self, _event: Any) -> None:
        self.show_detail(self.table.cursor_row)

    def chosen(self, selector: str) -> str | None:
        """The value of the option chosen in a select, or None."""
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    def set_options(self, selector: str, prompt: str, options: list[tuple[str, str]]) -> None:
        """A select's prompt and options (another language), keeping the option chosen."""
        select = self.query_one(selector, Select)
        kept = select.value
        with select.prevent(Select.Changed):
            select.prompt = prompt
            select.set_options([(plain_content(label), value) for label, value in options])
            if kept != Select.NULL:
                select.value = kept

    def refresh_footer_soon(self) -> None:
        """Redraw the footer's keys once the cursor rests: redrawing them costs more than a keystroke."""
        if self._footer_timer is not None:
            self._footer_timer.stop()
        self._footer_timer = self.set_timer(REST_DELAY, self.refresh_bindings)

    @work(group="roles", exit_on_error=False)
    async def learn_roles(self) -> None:
        """Learn the actor's roles and online services here, which decide the actions offered."""
        self.roles, self.services = await self.app.standing_here()
        self.refresh_bindings()

    # ------------------------------------------------------------------ filters and fetching

    @on(Input.Changed, f".{TYPED_FILTER}")
    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.table.reload(debounce=True)

    @on(Input.Submitted)
    def _filter_done(self) -> None:
        self.table.focus()

    @on(PagedTable.Failed)
    def _fetch_failed(self, event: PagedTable.Failed) -> None:
        show_service_error(self, event.error)

    def reload_data(self) -> None:
        self.action_reload_list()

    def action_reload_list(self) -> None:
        """The list again, the cursor on the row it was on when that row is on the first page."""
        row = self.table.cursor_row
        self.table.reload(keep=None if row is None else self.table.key(row))

    def action_reload(self) -> None:
        """After a conflict: the highlighted row as it now is, or the list when no row is highlighted."""
        row = self.table.cursor_row
        if row is None:
            self.table.reload()
        else:
            self._refetch(row)

    @work(exclusive=True, group=ROW_ACTION, exit_on_error=False)
    async def _refetch(self, row: Row) -> None:
        self.table.update_row(await self.fetch_row(row))
