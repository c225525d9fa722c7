"""The paged table: a window of pages over a long keyset-paged list, moved by the keyboard and the mouse."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from onss_tui.services.dto import Page, PageRequest
from onss_tui.services.errors import PermissionDenied
from onss_tui.widgets.paged_table import Column, PagedTable

TEXTS = tomllib.loads((Path(__file__).parents[2] / "onss_tui/locales/table.toml").read_text("utf-8"))["en"]


class Numbers:
    """A sorted list served in keyset pages, counting what was asked of it."""

    def __init__(self, count: int) -> None:
        self.values = list(range(count))
        self.requests: list[PageRequest] = []
        self.gate: asyncio.Event | None = None

    async def fetch(self, request: PageRequest) -> Page[int]:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        values, size = self.values, request.size
        if request.cursor:
            direction, bound = request.cursor.split("_")[0], int(request.cursor.split("_")[1])
            if direction == "next":
                start = bound + 1
                items = values[start : start + size]
            else:
                start = max(0, bound - size)
                items = values[start:bound]
        elif request.from_end:
            start = max(0, len(values) - size)
            items = values[start:]
        else:
            start, items = 0, values[:size]
        if not items:
            return Page(items=[])
        end = start + len(items)
        return Page(
            items=items,
            # Cursors in the alphabet the service's are in (URL-safe base 64).
            next_cursor=f"next_{items[-1]}" if end < len(values) else None,
            prev_cursor=f"prev_{items[0]}" if start > 0 else None,
        )


class TableApp(App[None]):
    def __init__(self, source: Numbers, **options: Any) -> None:
        super().__init__()
        self.source = source
        self.options = options
        self.messages: list[Any] = []
        self.drawn: list[Any] = []
        """("line", cursor row) for each line the table draws, ("cell", row) for each row whose cells are
        made, ("fetch", cursor row) for each page asked for: in order."""
        self.shout = False

    def t(self, key: str, **values: Any) -> str:
        text = TEXTS["table"][key.split(".", 1)[1]].format(**values)
        return text.upper() if self.shout else text

    def say(self, message: str) -> str:
        return message.upper() if self.shout else message

    def compose(self) -> ComposeResult:
        def value(n: int) -> str:
            self.drawn.append(("cell", n))
            return str(n)

        columns = [
            Column("value", "Value", value, width=8, sortable=True),
            Column("square", "Square", lambda n: str(n * n), width=10, flex=1),
        ]
        yield PagedTable(columns, self.source.fetch, key=lambda n: n, **self.options)

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        self.messages.append(message)

    def on_paged_table_failed(self, message: PagedTable.Failed) -> None:
        self.messages.append(message)

    def on_paged_table_activated(self, message: PagedTable.Activated) -> None:
        self.messages.append(message)


async def settle(app: App[Any], pilot: Any) -> None:
    """Wait until no worker runs (a cancelled one is fine) and the messages they posted are handled."""
    while True:
        running = [w for w in app.workers if not w.is_finished]
        if running:
            await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        elif not any(table.is_loading for table in app.query(PagedTable)):
            break
        await pilot.pause()
    await pilot.pause()


def contiguous(rows: list[int]) -> bool:
    return rows == list(range(rows[0], rows[0] + len(rows)))


async def test_first_page_then_window_follows_the_cursor_down() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50, max_pages=3)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        assert table.rows[:3] == [0, 1, 2]
        assert table.cursor_row == 0
        assert len(table.rows) == 50
        assert [r.cursor for r in source.requests] == [None]
        for _ in range(30):
            await pilot.press("pagedown")
            await settle(app, pilot)
        assert len(table.rows) <= 150
        assert contiguous(table.rows)
        step = table.size.height - 1
        assert table.cursor_row == 30 * step
        assert table.rows[0] > 0
        assert "▼" in str(table.border_subtitle)


async def test_end_jumps_to_the_last_page_and_up_fetches_the_pages_before() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50, max_pages=3)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        await pilot.press("G")
        await settle(app, pilot)
        assert any(r.from_end for r in source.requests)
        assert table.cursor_row == 4999
        assert table.at_end
        for _ in range(10):
            await pilot.press("pageup")
            await settle(app, pilot)
        assert contiguous(table.rows)
        assert table.cursor_row == 4999 - 10 * (table.size.height - 1)
        await pilot.press("home")
        await settle(app, pilot)
        assert table.cursor_row == 0 and table.rows[0] == 0


async def test_a_new_fetch_cancels_the_stale_one() -> None:
    source = Numbers(300)
    app = TableApp(source, page_size=50)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        source.gate = asyncio.Event()
        await pilot.press("end")
        await pilot.pause()
        assert table.is_loading
        source.values = [v * 10 for v in range(300)]
        table.reload()
        source.gate.set()
        await settle(app, pilot)
        assert table.cursor_row == 0
        assert table.rows[:2] == [0, 10]
        kinds = [m.kind for m in app.messages if isinstance(m, PagedTable.Loaded)]
        assert "last" not in kinds


async def test_sort_by_key_and_by_header_click() -> None:
    source = Numbers(10)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        assert table.sort_key is None
        await pilot.press("s")
        await settle(app, pilot)
        assert table.sort_key == "value" and not table.sort_descending
        await pilot.click(PagedTable, offset=(3, 1))
        await settle(app, pilot)
        assert table.sort_descending
        assert str(table.border_subtitle) == "10 rows"
        assert len(source.requests) == 3


async def test_a_single_row_is_counted_in_the_singular() -> None:
    app = TableApp(Numbers(1))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        assert str(app.query_one(PagedTable).border_subtitle) == "1 row"


async def test_no_cell_touches_the_border() -> None:
    app = TableApp(Numbers(3))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        lines = [table.render_line(y).text for y in range(4)]
        assert lines[0].split() == ["Value", "Square"] and lines[3].split() == ["2", "4"]
        assert all(line[0] == " " and line[-1] == " " for line in lines)


async def test_space_selects_several_rows() -> None:
    source = Numbers(10)
    app = TableApp(source, multi_select=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        await pilot.press("space", "down", "space")
        assert sorted(table.selected) == [0, 2]
        assert table.cursor_row == 3
        await pilot.press("up", "space")
        assert sorted(table.selected) == [0]


async def refused(app: TableApp, pilot: Any, message: str) -> PagedTable[int]:
    """The app's table, shown, then reloaded from a source that refuses with `message`."""
    await settle(app, pilot)
    table = app.query_one(PagedTable)

    async def refuse(request: PageRequest) -> Page[int]:
        raise PermissionDenied(message)

    table.fetch = refuse
    table.reload()
    await settle(app, pilot)
    return table


async def test_a_refused_fetch_keeps_the_rows_and_reports() -> None:
    source = Numbers(10)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        table = await refused(app, pilot, "Only the Access Managers [/] see its users.")
        assert table.rows == list(range(10))
        failures = [m for m in app.messages if isinstance(m, PagedTable.Failed)]
        assert failures and "Access Managers" in failures[0].error.message
        await pilot.pause()  # drawn: the border's text is markup, what was said is not
        assert app.is_running and app.return_code is None


async def test_a_refusal_in_the_border_is_said_again_in_new_words() -> None:
    source = Numbers(10)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        table = await refused(app, pilot, "Only the Access Managers see its users.")
        assert str(table.border_subtitle) == "Only the Access Managers see its users."
        app.shout = True
        table.set_columns(table.columns)
        assert str(table.border_subtitle) == "ONLY THE ACCESS MANAGERS SEE ITS USERS."


async def test_pages_pressed_while_the_next_one_is_fetched_are_all_moved() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50, max_pages=3)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        step = table.size.height - 1
        source.gate = asyncio.Event()
        await pilot.press(*["pagedown"] * 6)
        assert table.is_loading and table.cursor_row == 49
        source.gate.set()
        await settle(app, pilot)
        assert table.cursor_row == 6 * step
        assert contiguous(table.rows)
        await pilot.press("pagedown")
        assert table.cursor_row == 7 * step


async def test_pages_pressed_up_while_the_previous_one_is_fetched_are_all_moved() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50, max_pages=3)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        step = table.size.height - 1
        await pilot.press("end")
        await settle(app, pilot)
        source.gate = asyncio.Event()
        await pilot.press(*["pageup"] * 4, "up", "up")
        assert table.is_loading and table.cursor_row == 4950
        source.gate.set()
        await settle(app, pilot)
        assert table.cursor_row == 4999 - 4 * step - 2
        assert contiguous(table.rows)


def watch_drawing(app: TableApp) -> PagedTable[int]:
    """The app's table, with each line it draws and each page it asks for written to `app.drawn`."""
    table = app.query_one(PagedTable)
    render_line, fetch = table.render_line, table.fetch

    def drawing(y: int) -> Any:
        app.drawn.append(("line", table.cursor_row))
        return render_line(y)

    async def fetching(request: PageRequest) -> Page[int]:
        app.drawn.append(("fetch", table.cursor_row))
        return await fetch(request)

    table.render_line = drawing  # type: ignore[method-assign]
    table.fetch = fetching
    return table


@asynccontextmanager
async def watched_table(**options: Any) -> AsyncIterator[tuple[TableApp, Any, PagedTable[int]]]:
    """A table over 5,000 numbers, its first page shown, then watched (`watch_drawing`)."""
    app = TableApp(Numbers(5000), **options)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        yield app, pilot, watch_drawing(app)


async def test_a_page_move_fetches_the_next_page_once_its_lines_are_drawn() -> None:
    async with watched_table(page_size=50, max_pages=3) as (app, pilot, table):
        await pilot.press("pagedown")
        await settle(app, pilot)
        moved_to = table.cursor_row
        assert moved_to == table.size.height - 1
        events = [e for e in app.drawn if e[0] in ("line", "fetch")]
        assert ("fetch", moved_to) in events, "the next page is asked for"
        assert events.index(("line", moved_to)) < events.index(("fetch", moved_to))
        assert len(table.rows) == 100


async def test_a_cursor_step_draws_two_lines_and_a_page_beside_the_window_draws_none() -> None:
    async with watched_table(page_size=50, max_pages=3) as (app, pilot, table):
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert len(table.rows) == 100
        app.drawn.clear()
        await pilot.press("down")
        await settle(app, pilot)
        step = table.size.height - 1
        assert [e for e in app.drawn if e[0] == "line"] == [("line", step + 1), ("line", step + 1)]
        await pilot.press("pagedown", "pagedown")
        await settle(app, pilot)
        fetched = app.drawn.index(("fetch", table.cursor_row))
        assert len(table.rows) == 150
        assert not [e for e in app.drawn[fetched:] if e[0] == "line"]


async def test_pages_smaller_than_the_view_are_drawn_as_they_arrive() -> None:
    async with watched_table(page_size=5, max_pages=10) as (app, pilot, table):
        table.reload()
        await settle(app, pilot)
        assert len(table.rows) >= table.size.height - 1, "pages come until the view is full"
        last_fetch = max(i for i, (kind, _) in enumerate(app.drawn) if kind == "fetch")
        assert [e for e in app.drawn[last_fetch:] if e[0] == "line"], "the last page was drawn"


async def test_page_down_finds_the_next_screenful_drawn_ahead() -> None:
    async with watched_table(page_size=100, max_pages=3) as (app, pilot, table):
        step = table.size.height - 1
        await pilot.press("pagedown")
        await settle(app, pilot)
        made_ahead = {n for kind, n in app.drawn if kind == "cell"}
        assert set(range(2 * step, 3 * step)) <= made_ahead
        app.drawn.clear()
        await pilot.press("pagedown")
        await settle(app, pilot)
        lines = [e for e in app.drawn if e[0] == "line"]
        assert len(lines) == step + 1  # the header and every row line, drawn with the cursor moved
        drawn_by = max(i for i, (kind, _) in enumerate(app.drawn) if kind == "line")
        made_for_the_key = [n for kind, n in app.drawn[:drawn_by] if kind == "cell"]
        assert made_for_the_key == [2 * step], "only the cursor's line is made when the key is drawn"


async def test_new_words_redraw_the_position_in_the_border() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        before = str(table.border_subtitle)
        app.shout = True
        table.set_columns(table.columns)
        assert str(table.border_subtitle) == before.upper() != before


async def test_enter_typed_ahead_of_its_rows_opens_the_row_they_bring() -> None:
    source = Numbers(5000)
    app = TableApp(source, page_size=50)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        activated = lambda: [m.row for m in app.messages if isinstance(m, PagedTable.Activated)]  # noqa: E731
        source.gate = asyncio.Event()
        source.values = [v * 10 for v in range(5000)]
        table.reload()  # a new filter, on its way
        await pilot.press("enter")
        assert activated() == []  # not the stale row under the cursor
        source.gate.set()
        await settle(app, pilot)
        assert activated() == [0]

        source.gate = asyncio.Event()
        await pilot.press("end", "enter")
        assert activated() == [0]
        source.gate.set()
        await settle(app, pilot)
        assert activated() == [0, 49990]

        source.gate = asyncio.Event()
        table.reload()
        await pilot.press("enter")
        table.reload()  # another filter after Enter: Enter meant the rows of before it
        source.gate.set()
        await settle(app, pilot)
        assert activated() == [0, 49990]


class NarrowApp(App[None]):
    """A table whose columns give way: the note first, then the remark; the name and code always show."""

    def compose(self) -> ComposeResult:
        columns = [
            Column("name", "Name", lambda n: f"number {n} with a long name", width=12, flex=1),
            Column("code", "Code", str, width=6),
            Column("remark", "Remark", lambda n: "remark", width=8, priority=1),
            Column("note", "Note", lambda n: "note", width=8, priority=2),
        ]
        yield PagedTable(columns, Numbers(3).fetch, key=lambda n: n)


@pytest.mark.parametrize(
    ("width", "shown"),
    [(60, ["Name", "Code", "Remark", "Note"]), (40, ["Name", "Code", "Remark"]), (25, ["Name", "Code"])],
)
async def test_columns_give_way_by_priority_when_narrow(width: int, shown: list[str]) -> None:
    app = NarrowApp()
    async with app.run_test(size=(width, 10)) as pilot:
        await settle(app, pilot)
        table = app.query_one(PagedTable)
        assert [c.label for c in table.shown_columns] == shown
        header, first = table.render_line(0).text, table.render_line(1).text
        assert header.split() == shown
        assert len(header) == len(first) == table.size.width
        assert first.split()[:2] == ["number", "0"] or "…" in first.split()[0]
        assert first.rstrip().endswith({4: "note", 3: "remark", 2: "0"}[len(shown)])
