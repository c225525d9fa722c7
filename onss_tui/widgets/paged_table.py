"""`PagedTable`: a keyboard-first table over a keyset-paged list that keeps only a window of a few pages.

The screen gives it columns and a `fetch(PageRequest) -> Page` coroutine (which reads the screen's current
filter and the table's sort). The table asks for the first page, the next page when the cursor comes
within a page of the bottom of the window, the previous page near its top, and the last page (`from_end`)
on End; pages far from the cursor are dropped, so a million rows cost what a few pages cost. A move that
runs past the edge of the window while that page is on its way is completed when it arrives (no key is
lost). Fetches run in exclusive workers (a new filter cancels the stale fetch), and only the visible lines
are drawn (Line API).

Why not Textual's `DataTable` fed the window: `benchmarks/browser.py` measures both on the same rows.
Replacing a 100-row window and drawing it took the DataTable (clear + add_rows) several times longer
(p50 117 ms against 15 ms, on a busy 2-core machine), its columns resize as pages arrive, and trimming rows
at its top shifts its cursor. Here each line is drawn once and kept until its row or state changes, a
cursor move redraws two lines, and once a page move is on the screen the table fetches the neighbouring
page if it needs it and draws the next screenful ahead while it waits for the next key.

Why this module is not split by area, though longer than the 700 lines others keep to: the columns and
how they share the width are apart (`widgets/columns.py`), but the window of pages, the fetching, the
cursor and the drawing all read and change one state (the rows held, the cursor and first line, the page
on its way, the lines drawn), and each keystroke goes through all four; split into modules, each would
reach into the others' state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Generic

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from onss_tui.domain.text import shown
from onss_tui.services.dto import Page, PageRequest
from onss_tui.services.errors import PermissionDenied, ServiceError
from onss_tui.widgets.columns import Cell, Column, Row, column_widths
from onss_tui.widgets.plain import literal

Fetch = Callable[[PageRequest], Awaitable[Page[Any]]]

PAGE_SIZE = 100
STRIPS_KEPT = 200
"""Lines drawn and kept for reuse (a line is drawn again only when its row or state changes): several
screenfuls, for paging back and forth; 400 held 0.5 MB more at the peak for no faster paging."""
MAX_PAGES = 5
LOADING_DELAY = 0.25
"""Seconds a fetch may take before the table says it is loading (quick ones never flicker)."""
REST_DELAY = 0.2
"""Seconds the cursor rests before a screen redraws what is costly to redraw (the footer's keys)."""
DEBOUNCE = 0.08
"""Seconds of quiet typing awaited before fetching again, when a fetch is already on its way."""


class TableMessage(Message):
    """What a paged table says of itself; its `control` is the table, for `@on(..., "#table-id")`."""

    def __init__(self, table: PagedTable[Any]) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> PagedTable[Any]:
        return self.table


class RowMessage(TableMessage):
    """What a paged table says of one of its rows."""

    def __init__(self, table: PagedTable[Any], row: Any) -> None:
        super().__init__(table)
        self.row = row


@dataclass
class _Chunk:
    """One fetched page kept in the window, with the cursors to the pages on either side."""

    rows: list[Any]
    before: str | None
    after: str | None


class PagedTable(Widget, Generic[Row], can_focus=True):
    """A window of rows over a paged list; the cursor row drives a detail pane through `Highlighted`."""

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
        border: round $foreground 40%;
        border-title-color: $foreground;
        border-subtitle-color: $foreground 70%;
        background: $surface;
        &:focus { border: round $accent; }
        & > .paged-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .paged-table--header { background: ansi_blue; color: ansi_bright_white; }
        & > .paged-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .paged-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .paged-table--selected { color: $accent; text-style: bold; }
        & > .paged-table--marked { color: $warning; text-style: bold; }
        & > .paged-table--muted { color: $foreground 55%; }
        & > .paged-table--message { color: $foreground 70%; text-style: italic; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--selected",
        "paged-table--marked",
        "paged-table--muted",
        "paged-table--message",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "", show=False, id="table.down"),
        Binding("pageup", "page_up", "table.key.page_up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "table.key.page_down", show=False, id="table.page_down"),
        Binding("home,g", "first", "table.key.first", show=False, id="table.first"),
        Binding("end,G", "last", "table.key.last", show=False, id="table.last"),
        Binding("enter", "activate", "table.key.open", show=False, id="table.open"),
        Binding("space", "toggle_selection", "table.key.select", id="table.select"),
        Binding("s", "cycle_sort", "table.key.sort", id="table.sort"),
        Binding("S", "reverse_sort", "table.key.reverse", show=False, id="table.reverse"),
    ]

    # ------------------------------------------------------------------ messages

    class Highlighted(RowMessage):
        """The cursor moved to another row (None: the table is empty)."""

    class Activated(RowMessage):
        """Enter or a double click on a row."""

    class Loaded(TableMessage):
        """A fetch was applied: `kind` is first, last, next or prev."""

        def __init__(self, table: PagedTable[Any], kind: str) -> None:
            super().__init__(table)
            self.kind = kind

    class Failed(TableMessage):
        """The service refused a fetch or failed; the rows shown are those of before."""

        def __init__(self, table: PagedTable[Any], error: ServiceError) -> None:
            super().__init__(table)
            self.error = error

    class SelectionChanged(TableMessage):
        """Rows were selected or unselected (multi-select tables)."""

    sort_key: reactive[str | None] = reactive(None, init=False)
    sort_descending: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        columns: Iterable[Column[Row]],
        fetch: Fetch,
        *,
        key: Callable[[Row], Hashable],
        sort_key: str | None = None,
        multi_select: bool = False,
        mark: Callable[[Row], str | None] | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        texts: Callable[..., str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`mark(row)` names a component class for the row ("marked", "muted") or None; `texts(key, **kw)`
        gives the table's own words (defaults to the app's `t`)."""
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[Column[Row]] = list(columns)
        self.fetch = fetch
        self.key = key
        self.multi_select = multi_select
        self.mark = mark
        self.page_size = page_size
        self.max_pages = max_pages
        self._texts = texts
        self.selected: dict[Hashable, Row] = {}
        self._chunks: list[_Chunk] = []
        self._rows: list[Row] = []
        self._cursor = 0
        self._top = 0
        self._wanted: tuple[int, int] | None = None
        """Cursor and top line a move past the edge of the window asked for (positions in the window),
        reached when the page on that side arrives."""
        self._offset: int | None = 0
        """Position of the first row of the window in the whole list, when known (not after End)."""
        self._generation = 0
        self._fetching: str | None = None
        self._loading_timer: Timer | None = None
        self._debounce_timer: Timer | None = None
        self._show_loading = False
        self._after_drawing: list[Callable[[], object]] = []
        """Called once the lines are next drawn: a cursor move's fetch of the neighbouring page and drawing
        ahead, and what `call_after_drawing` was given."""
        self._failure: Exception | None = None
        """Why the last fetch failed, when it did."""
        self._status_shown: str | None = None
        self._keep_key: Hashable | None = None
        self._activate_on_arrival = False
        """Enter came while the rows it meant were on their way (a new filter, a page past the edge)."""
        self._last_highlighted: Hashable | None = object()
        self._styles: dict[tuple[str, ...], Style] = {}
        self._strips: LRUCache[tuple[Hashable, bool, bool], Strip] = LRUCache(STRIPS_KEPT)
        self._drawn_widths: tuple[int, list[int]] | None = None
        self.set_reactive(PagedTable.sort_key, sort_key)

    # ------------------------------------------------------------------ public API

    @property
    def rows(self) -> list[Row]:
        """The rows held in the window (a few pages, never the whole list)."""
        return self._rows

    @property
    def cursor_row(self) -> Row | None:
        return self._rows[self._cursor] if self._rows else None

    @property
    def is_loading(self) -> bool:
        return self._fetching is not None

    @property
    def at_start(self) -> bool:
        return not self._chunks or self._chunks[0].before is None

    @property
    def at_end(self) -> bool:
        return not self._chunks or self._chunks[-1].after is None

    def reload(self, *, keep: Hashable | None = None, debounce: bool = False) -> None:
        """Start again from the first page (new filter or sort); `keep` puts the cursor on that row if
        it is on the first page. With `debounce` (typing), an idle table fetches at once; a busy one
        drops the result on its way and fetches after a short quiet spell."""
        self._keep_key = keep
        self._activate_on_arrival = False
        if self._debounce_timer is not None:
            self._debounce_timer.stop()
            self._debounce_timer = None
        if debounce and self._fetching is not None:
            self._generation += 1
            self._debounce_timer = self.set_timer(DEBOUNCE, self._reload_after_typing)
            return
        self._start("first", PageRequest(size=self.page_size))

    def _reload_after_typing(self) -> None:
        self._debounce_timer = None
        self._start("first", PageRequest(size=self.page_size))

    def set_columns(self, columns: Iterable[Column[Row]]) -> None:
        """New headers (another language) or other columns; the rows stay."""
        self.columns = list(columns)
        self._forget_drawing()
        self._changed()

    def update_row(self, row: Row) -> None:
        """Show a row changed by an action without fetching the page again."""
        wanted = self.key(row)
        for chunk in self._chunks:
            for index, held in enumerate(chunk.rows):
                if self.key(held) == wanted:
                    chunk.rows[index] = row
        self._rebuild_rows()
        self._strips.clear()
        if wanted in self.selected:
            self.selected[wanted] = row
        self._last_highlighted = object()
        self._post_highlight()
        self._changed()

    def clear_selection(self) -> None:
        if self.selected:
            self.selected.clear()
            self.post_message(self.SelectionChanged(self))
            self.refresh()

    def move_cursor(self, index: int, *, top: int | None = None) -> None:
        """Put the cursor on a row of the window, and the view's first line on `top` if given, fetching a
        neighbouring page when near an edge once the move is drawn (so that fetching does not share the
        processor with drawing). A move past the edge of the window, with rows beyond, fetches at once and
        is completed when their page arrives. Only the two lines concerned are drawn again unless the view
        scrolls."""
        if not self._rows:
            return
        before, top_before = self._cursor, self._top
        self._place(index, self._top if top is None else top)
        self._post_highlight()
        self._update_status()
        if self._top != top_before:
            self.refresh()
        elif before != self._cursor:
            width = self.size.width
            self.refresh(*(Region(0, line - top_before + 1, width, 1) for line in (before, self._cursor)))
        if self._wanted is None and (self._top, self._cursor) != (top_before, before):
            self._after_drawing.append(self._prefetch)
            if self._top != top_before:
                self._after_drawing.append(partial(self._draw_ahead, 1 if self._top > top_before else -1))
        else:
            self._prefetch()

    # ------------------------------------------------------------------ texts

    def _t(self, key: str, **values: Any) -> str:
        texts = self._texts or getattr(self.app, "t", None)
        if texts is None:
            return key
        return texts(key, **values)

    # ------------------------------------------------------------------ fetching

    def on_mount(self) -> None:
        self.reload()

    def _start(self, kind: str, request: PageRequest) -> None:
        self._generation += 1
        self._fetching = kind
        self._failure = None
        if kind in ("first", "last"):
            self._wanted = None
        if self._loading_timer is not None:
            self._loading_timer.stop()
        self._loading_timer = self.set_timer(LOADING_DELAY, self._loading_is_slow)
        self._load(kind, request, self._generation)

    def _loading_is_slow(self) -> None:
        if self._fetching is not None:
            self._show_loading = True
            self._changed()

    @work(group="paged-table", exclusive=True, exit_on_error=False)
    async def _load(self, kind: str, request: PageRequest, generation: int) -> None:
        try:
            page = await self.fetch(request)
        except Exception as error:
            if generation == self._generation:
                self._finish()
                self._wanted = None
                self._activate_on_arrival = False
                self._failure = error
                self._changed()
                if isinstance(error, ServiceError):
                    self.post_message(self.Failed(self, error))
            if isinstance(error, ServiceError):
                return
            raise  # unexpected: the app reports it
        if generation != self._generation:
            return
        self._finish()
        self._apply(kind, page)
        self.post_message(self.Loaded(self, kind))
        if self._activate_on_arrival and not self._awaiting_rows:
            self._activate_on_arrival = False
            self.action_activate()

    def _finish(self) -> None:
        self._fetching = None
        self._show_loading = False
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None

    def _apply(self, kind: str, page: Page[Any]) -> None:
        chunk = _Chunk(list(page.items), page.prev_cursor, page.next_cursor)
        moving = self._wanted is not None
        filled = len(self._rows) >= self._top + self._body_height
        self._forget_rows(chunk.rows)
        if kind in ("first", "last"):
            self._chunks = [chunk]
            self._offset = 0 if kind == "first" else (None if chunk.before is not None else 0)
            self._rebuild_rows()
            self._top = 0
            self._cursor = 0 if kind == "first" else max(0, len(self._rows) - 1)
            if kind == "first" and self._keep_key is not None:
                for index, row in enumerate(self._rows):
                    if self.key(row) == self._keep_key:
                        self._cursor = index
                self._keep_key = None
            self._last_highlighted = object()  # the row under the cursor is fetched anew: say so
        elif kind == "next":
            self._chunks.append(chunk)
            if len(self._chunks) > self.max_pages:
                dropped = self._chunks.pop(0)
                self._shift(-len(dropped.rows))
                if self._offset is not None:
                    self._offset += len(dropped.rows)
            self._rebuild_rows()
        else:
            self._chunks.insert(0, chunk)
            self._shift(len(chunk.rows))
            if self._offset is not None:
                self._offset = max(0, self._offset - len(chunk.rows))
            if chunk.before is None:
                self._offset = 0
            if len(self._chunks) > self.max_pages:
                self._chunks.pop()
            self._rebuild_rows()
        self._place(*(self._wanted or (self._cursor, self._top)))
        self._post_highlight()
        if kind in ("first", "last") or moving or not filled:
            self._changed()
        else:
            self._update_status()  # the same rows are shown: drawing them again would only cost a frame
        self._prefetch(self._body_height if kind in ("first", "last") else None)

    def _changed(self) -> None:
        """Redraw, with the position or state in the border."""
        self._update_status()
        self.refresh()

    def _shift(self, by: int) -> None:
        self._cursor += by
        self._top = max(0, self._top + by)
        if self._wanted is not None:
            self._wanted = (self._wanted[0] + by, self._wanted[1] + by)

    def _rebuild_rows(self) -> None:
        self._rows = [row for chunk in self._chunks for row in chunk.rows]

    def _prefetch(self, margin: int | None = None) -> None:
        """Fetch the neighbouring page when the cursor (or where it is going) comes within `margin` rows of
        an edge of the window. By default a page, so that steady paging rarely meets the edge, yet under
        half the pages kept, so that dropping a page never brings the cursor near the other edge. Pages
        smaller than the view are fetched until it is full."""
        if self._fetching is not None or not self._chunks:
            return
        if margin is None:
            margin = min(self.page_size, (self.max_pages - 1) * self.page_size // 2)
        cursor = self._wanted[0] if self._wanted is not None else self._cursor
        short = len(self._rows) < self._top + self._body_height and len(self._chunks) < self.max_pages
        if not self.at_end and (cursor >= len(self._rows) - margin or short):
            self._start("next", PageRequest(size=self.page_size, cursor=self._chunks[-1].after))
        elif not self.at_start and cursor < margin:
            self._start("prev", PageRequest(size=self.page_size, cursor=self._chunks[0].before))

    # ------------------------------------------------------------------ cursor

    @property
    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _place(self, index: int, top: int) -> None:
        """Cursor on `index` and first line on `top`, kept in the window; a place past an edge with rows
        beyond is remembered, unless a new first or last page is on its way."""
        beyond = (index >= len(self._rows) and not self.at_end) or (index < 0 and not self.at_start)
        self._wanted = (index, top) if beyond and self._fetching not in ("first", "last") else None
        self._cursor = max(0, min(index, len(self._rows) - 1))
        self._top = top
        self._scroll_to_cursor()

    def _move_by(self, rows: int, *, scroll: bool = False) -> None:
        """Move the cursor from where it is, or is on its way to; `scroll` moves the view along (a page)."""
        cursor, top = self._wanted or (self._cursor, self._top)
        self.move_cursor(cursor + rows, top=top + rows if scroll else top)

    def _scroll_to_cursor(self) -> None:
        height = self._body_height
        if self._cursor < self._top:
            self._top = self._cursor
        elif self._cursor >= self._top + height:
            self._top = self._cursor - height + 1
        self._top = max(0, min(self._top, max(0, len(self._rows) - height)))

    def _post_highlight(self) -> None:
        row = self.cursor_row
        key = None if row is None else self.key(row)
        if key != self._last_highlighted or row is None:
            self._last_highlighted = key
            self.post_message(self.Highlighted(self, row))

    def action_cursor_up(self) -> None:
        self._move_by(-1)

    def action_cursor_down(self) -> None:
        self._move_by(1)

    def action_page_up(self) -> None:
        self._move_by(-self._body_height, scroll=True)

    def action_page_down(self) -> None:
        self._move_by(self._body_height, scroll=True)

    def action_first(self) -> None:
        if self.at_start and self._fetching is None:
            self.move_cursor(0)
        else:
            self.reload()

    def action_last(self) -> None:
        if self.at_end and self._fetching is None:
            self.move_cursor(len(self._rows) - 1)
        else:
            self._start("last", PageRequest(size=self.page_size, from_end=True))

    @property
    def _awaiting_rows(self) -> bool:
        """The rows the keys so far lead to are not all here: a new list or the page under the cursor."""
        reloading = self._fetching in ("first", "last") or self._debounce_timer is not None
        return reloading or self._wanted is not None

    def action_activate(self) -> None:
        """Open the cursor's row; typed ahead of its rows (Enter right after a filter), once they come."""
        if self._awaiting_rows:
            self._activate_on_arrival = True
            return
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Activated(self, row))

    def action_toggle_selection(self) -> None:
        row = self.cursor_row
        if not self.multi_select or row is None:
            return
        key = self.key(row)
        if key in self.selected:
            del self.selected[key]
        else:
            self.selected[key] = row
        self.post_message(self.SelectionChanged(self))
        self._move_by(1)
        self._changed()

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.shown_columns if c.sortable]
        if not keys:
            return
        following = keys[(keys.index(self.sort_key) + 1) % len(keys)] if self.sort_key in keys else keys[0]
        self.sort_by(following)

    def action_reverse_sort(self) -> None:
        if self.sort_key is not None:
            self.sort_by(self.sort_key, descending=not self.sort_descending)

    def sort_by(self, key: str, *, descending: bool = False) -> None:
        """Sort on a column (the fetch reads `sort_key` and `sort_descending`) and start again."""
        self.sort_key = key
        self.sort_descending = descending
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_selection":
            return self.multi_select
        if action in ("cycle_sort", "reverse_sort"):
            return any(c.sortable for c in self.columns)
        return True

    # ------------------------------------------------------------------ mouse

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None and column.sortable:
                same = column.key == self.sort_key
                self.sort_by(column.key, descending=same and not self.sort_descending)
            return
        index = self._top + offset.y - 1
        if index < len(self._rows):
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_activate()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._move_by(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._move_by(-3)

    def _column_at(self, x: int) -> Column[Row] | None:
        left = self._gutter
        for column, width in zip(self.columns, self._widths(self.size.width), strict=True):
            if not width:
                continue
            if left <= x < left + width + 1:
                return column
            left += width + 1
        return None

    # ------------------------------------------------------------------ drawing

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()
        self._changed()
        self._prefetch(self._body_height)

    def on_focus(self) -> None:
        self._forget_drawing()
        self.refresh()

    def on_blur(self) -> None:
        self._forget_drawing()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_drawing()

    def _forget_rows(self, rows: list[Any]) -> None:
        """Drop the lines drawn for these rows (fetched again, they may have changed)."""
        for row in rows:
            key = self.key(row)
            for cursor in (False, True):
                for chosen in (False, True):
                    self._strips.discard((key, cursor, chosen))

    def _forget_drawing(self) -> None:
        """Drop the styles and lines drawn so far (styles, width, columns or rows changed)."""
        self._styles.clear()
        self._strips.clear()
        self._drawn_widths = None

    def _update_status(self) -> None:
        """The position or state in the border; set only when it changes, as setting it redraws the whole
        table."""
        status = self._status()
        if status != self._status_shown:
            self._status_shown = status
            self.border_subtitle = status

    def _status(self) -> str:
        if self._failure is not None:
            if not isinstance(self._failure, ServiceError):
                return self._t("table.failed")
            # Said in the console's language when drawn (again after a switch: `set_columns`); the
            # border's text is markup, what the service said is not.
            return escape(shown(getattr(self.app, "say", str)(self._failure.message)))
        if self._show_loading:
            return self._t("table.loading")
        if not self._rows:
            return ""
        first = self._top + 1
        last = min(len(self._rows), self._top + self._body_height)
        if self._offset is not None and self.at_start and self.at_end and len(self._chunks) == 1:
            return self._counted("table.count", len(self._rows))
        if self._offset is not None:
            return self._t("table.position", first=self._offset + first, last=self._offset + last) + (
                "" if self.at_end else " ▼"
            )
        return self._counted("table.to_end", len(self._rows) - first + 1)

    def _counted(self, key: str, count: int) -> str:
        """`key` with its count, in the singular (`key_one`) for one row."""
        return self._t(f"{key}_one" if count == 1 else key, count=count)

    @property
    def _gutter(self) -> int:
        """Columns left of the first cell: the selection mark and a space, or a space."""
        return 2 if self.multi_select else 1

    def _widths(self, width: int) -> list[int]:
        return column_widths(self.columns, width, self._gutter)

    @property
    def shown_columns(self) -> list[Column[Row]]:
        """The columns drawn at the table's present width (the others give way)."""
        widths = self._widths(self.size.width)
        return [column for column, size in zip(self.columns, widths, strict=True) if size]

    def _style(self, *names: str) -> Style:
        """The widget's style with component styles on top, remembered until the styles change."""
        style = self._styles.get(names)
        if style is None:
            style = self.rich_style
            for name in names:
                style += self.get_component_rich_style(f"paged-table--{name}")
            self._styles[names] = style
        return style

    def _column_widths(self) -> list[int]:
        width = self.size.width
        if self._drawn_widths is None or self._drawn_widths[0] != width:
            self._strips.clear()
            self._drawn_widths = (width, self._widths(width))
        return self._drawn_widths[1]

    def call_after_drawing(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the table's lines are next drawn on the screen (Textual's
        `call_after_refresh` may come before the frame that shows the latest change)."""
        self._after_drawing.append(callback)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._after_drawing:
            callbacks, self._after_drawing = self._after_drawing, []
            for callback in callbacks:
                self.call_later(callback)
        width = self.size.width
        widths = self._column_widths()
        if y == 0:
            return self._header_strip(widths, width)
        index = self._top + y - 1
        base = self._style()
        if index >= len(self._rows):
            if y == 1 and not self._rows:
                key = (
                    "table.loading"
                    if self._fetching
                    else ("table.failed" if self._failure else "table.empty")
                )
                said = self._t(key)
                if isinstance(self._failure, PermissionDenied) and not self._fetching:  # why, not "failed"
                    said = shown(getattr(self.app, "say", str)(self._failure.message))
                message = self._style("message")
                return Strip([Segment(" " + said, message)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        return self._row_line(index, widths, width)

    def _row_line(self, index: int, widths: list[int], width: int) -> Strip:
        """The line of the row at `index` in the window, drawn once and kept."""
        row = self._rows[index]
        chosen = self.multi_select and self.key(row) in self.selected
        cache_key = (self.key(row), index == self._cursor, chosen)
        strip = self._strips.get(cache_key)
        if strip is None:
            strip = self._row_strip(row, widths, width, cursor=index == self._cursor, chosen=chosen)
            self._strips[cache_key] = strip
        return strip

    def _draw_ahead(self, direction: int) -> None:
        """Draw, while the table waits for the next key, the lines of the next screenful the way the view
        last scrolled, so that the next Page Down or Page Up finds them drawn."""
        height = self._body_height
        first = self._top + direction * height
        widths, width = self._column_widths(), self.size.width
        for index in range(max(0, first), min(len(self._rows), first + height)):
            self._row_line(index, widths, width)

    def _cell(self, cell: Cell, width: int, style: Style) -> list[Segment]:
        """One cell cut (with an ellipsis) or padded to its column's width, in `style` (a `Text`'s own
        styles on top)."""
        if isinstance(cell, str):
            cell = shown(cell)
            if cell_len(cell) > width:
                cell = set_cell_size(cell, width - 1) + "…"
            return [Segment(set_cell_size(cell, width), style)]
        text = literal(cell).copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        text.end = ""
        return [Segment(part, style + own) for part, own, _ in text.render(self.app.console)]

    def _line(self, cells: list[Cell], widths: list[int], prefix: str, width: int, style: Style) -> Strip:
        """A line of cells in `style`, as wide as the table: the segments are made once, styled."""
        segments = [Segment(prefix, style)] if prefix else []
        gap = Segment(" ", style)
        drawn = [(cell, size) for cell, size in zip(cells, widths, strict=True) if size]
        for position, (cell, size) in enumerate(drawn):
            if position:
                segments.append(gap)
            segments.extend(self._cell(cell, size, style))
        length = len(prefix) + sum(widths) + len(drawn) - 1
        if length < width:
            segments.append(Segment(" " * (width - length), style))
        strip = Strip(segments, max(length, width))
        return strip if length <= width else strip.crop(0, width)

    def _header_strip(self, widths: list[int], width: int) -> Strip:
        labels: list[Cell] = []
        for column in self.columns:
            arrow = ""
            if column.sortable and column.key == self.sort_key:
                arrow = " ▼" if self.sort_descending else " ▲"
            labels.append(column.label + arrow)
        return self._line(labels, widths, " " * self._gutter, width, self._style("header"))

    def _row_strip(self, row: Row, widths: list[int], width: int, *, cursor: bool, chosen: bool) -> Strip:
        names: list[str] = []
        mark = self.mark(row) if self.mark is not None else None
        if mark:
            names.append(mark)
        if chosen:
            names.append("selected")
        if cursor:
            names.append("cursor")
        prefix = ("● " if chosen else "  ") if self.multi_select else " "
        cells = [column.cell(row) if size else "" for column, size in zip(self.columns, widths, strict=True)]
        return self._line(cells, widths, prefix, width, self._style(*names))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A fetch that failed unexpectedly is the app's to report (a worker's messages stop at its node)."""
        if event.state == WorkerState.ERROR:
            self.app.post_message(event)
