"""The mandate browser on a large store, driven headless as a user would: prints JSON timings.

    .venv/bin/python benchmarks/browser.py /tmp/onss-1m.db

Runs the console (`OnssApp`) signed in as a support staff member (who sees every mandate) and measures,
from the key press to the table showing the new rows:
- `open_ms`: opening the mandate browser (building the screen, then its first page), `OPENS` times, the
  screen built anew each time: p50, p95, max, and `first_open_ms`, the first of them;
- `first_page_ms`: the first page again, on the screen already built (what a new sort costs);
- `filter_ms`: one keystroke that narrows the filter, to the updated page (p50/p95 over `--filters`);
- `page_down_ms`: Page Down through the list (p50/p95 over `--pages`), the window fetching ahead;
- `page_down_draw_ms`: the table's own share of a Page Down (cursor moved, visible lines drawn);
- `end_ms`: End, to the last page (`from_end`), from the first page each time: p50, p95, max of `ENDS`.
Also, for the choice of widget: the same 100 rows shown by Textual's `DataTable` fed the window
(clear + add_rows) against this `PagedTable` (replace the window), each to the next idle frame.
Targets (scale issue): first page <= 100 ms, filter p95 <= 50 ms, page down p95 <= 16 ms, end <= 50 ms.
A key that does not move the cursor, or a page that does not come, within `PATIENCE` seconds stops the
run with a message saying which.

Keys come at most `KEY_REPEAT` a second, the rate of a held key's auto-repeat. Textual draws at most
`frame_ms` apart (60 frames a second unless TEXTUAL_FPS says otherwise): a key pressed sooner than that
after the last frame waits for the next one, so keys pressed one just after the other's frame would each
wait a whole frame period, which a person at the keyboard never does. Timed on the CPU clock
(benchmarks/scale.py does so too), the figures are the work itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textual import constants, events
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from onss_tui.app import OnssApp, _screen_factory
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.widgets.paged_table import Column, PagedTable

PATIENCE = 10.0
"""Seconds to wait for a cursor move or a page before giving up on the run."""
KEY_REPEAT = 30
"""Key presses a second when a key is held down (a usual auto-repeat rate)."""
ENDS = 9
"""Jumps to the end timed (their median is held to the target)."""
OPENS = 5
"""Openings of the browser timed (their median is held to the target)."""


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def sweep_summary(timings: dict[str, float], slowest: int) -> dict[str, Any]:
    """Milliseconds by case (a query, a filter and sort): their p50, p95 and max, and the slowest cases."""
    ordered = sorted(timings.values())
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
        "max_ms": ordered[-1],
        "slowest": dict(sorted(timings.items(), key=lambda item: -item[1])[:slowest]),
    }


def sweep_stores(description: str, sweep: Callable[[str], Awaitable[dict[str, Any]]]) -> None:
    """Run `sweep` on each store given by `--database` (repeatable) and print one JSON object."""
    from onss_tui.services.local.store import normalise_url

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", action="append", required=True, help="SQLite file or URL (repeatable)")
    args = parser.parse_args()
    print(json.dumps({url: asyncio.run(sweep(normalise_url(url))) for url in args.database}, indent=1))


def spread(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": ms(statistics.median(ordered)),
        "p95": ms(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]),
        "max": ms(ordered[-1]),
        "n": len(ordered),
    }


class Loads:
    """The `PagedTable.Loaded` messages seen, to wait for the next one of a kind; each cursor move; and
    each frame the app writes to its terminal, with the cursor row its table was drawn with."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.event = asyncio.Event()
        self.moved = asyncio.Event()
        self.moved_to: Any = None
        self.loaded: PagedTable[Any]
        self.drawn = asyncio.Event()
        self.drawn_at = 0.0
        self.drawn_cursor: Any = None
        self.shown_cursor: Any = None
        self.pressed = 0.0

    @contextmanager
    def watching_frames(self, app: App[Any]) -> Iterator[None]:
        """Know, inside the block, when the app writes a frame (Textual's private `App._display`, made to
        build the text a terminal would be sent, which a headless app skips) and which cursor row the
        table's lines were drawn with: a key's time ends with the first frame showing its move, not at
        `call_after_refresh`, which also waits for the work queued behind that frame."""
        display = app._display

        def display_and_tell(screen: Any, update: Any) -> None:
            display(screen, update)
            if hasattr(update, "render_segments"):
                update.render_segments(app.console)  # the terminal's text, which headless skips
            self.shown_cursor = self.drawn_cursor
            self.drawn_at = time.perf_counter()
            self.drawn.set()

        app._display = display_and_tell  # type: ignore[method-assign]
        render_line = PagedTable.render_line

        def render_and_tell(table: PagedTable[Any], y: int) -> Any:
            self.drawn_cursor = table.cursor_row
            return render_line(table, y)

        PagedTable.render_line = render_and_tell  # type: ignore[method-assign]
        try:
            yield
        finally:
            PagedTable.render_line = render_line  # type: ignore[method-assign]

    def hook(self, message: object) -> None:
        if isinstance(message, PagedTable.Loaded):
            self.loaded = message.table
            self.seen.append(message.kind)
            self.event.set()
        elif isinstance(message, PagedTable.Highlighted):
            self.moved_to = message.row
            self.moved.set()

    async def key_to_frame(self, app: App[Any], key: str) -> float:
        """Seconds from a key press to the first frame showing the cursor moved; the key comes no sooner
        than a held key's next repeat after the one before."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self.pressed + 1 / KEY_REPEAT - loop.time()))
        self.pressed = loop.time()
        self.moved.clear()
        started = time.perf_counter()
        app.post_message(events.Key(key, key if len(key) == 1 else None))
        await patiently(self.moved.wait(), f"{key} did not move the cursor", app)
        return await self.shown(app, self.moved_to, f"{key} was not drawn") - started

    async def next(self, app: App[Any], kind: str, action: Callable[[], Awaitable[Any]]) -> float:
        """Seconds from `action` to the first frame showing the next load of `kind`."""
        self.event.clear()
        count = self.seen.count(kind)
        started = time.perf_counter()
        await action()
        while self.seen.count(kind) == count:
            await patiently(self.event.wait(), f"no {kind} page came", app)
            self.event.clear()
        return await self.shown(app, self.loaded.cursor_row, f"the {kind} page was not drawn") - started

    async def shown(self, app: App[Any], cursor_row: Any, failure: str) -> float:
        """When the first frame drawn with the table's cursor on `cursor_row` was written."""
        while self.shown_cursor is not cursor_row:
            self.drawn.clear()
            await patiently(self.drawn.wait(), failure, app)
        return self.drawn_at


async def patiently(waiting: Awaitable[Any], failure: str, app: App[Any]) -> None:
    """Wait at most `PATIENCE` seconds, else stop the run saying what did not happen, and where."""
    try:
        await asyncio.wait_for(waiting, PATIENCE)
    except TimeoutError:
        where = "no table on the screen"
        for table in app.screen.query(PagedTable):
            rows = table.rows
            where = (
                f"cursor on row {rows.index(table.cursor_row) if rows else None} of {len(rows)} held, "
                f"{'at' if table.at_end else 'before'} the end, {'loading' if table.is_loading else 'idle'}"
            )
        raise SystemExit(f"browser benchmark: {failure} within {PATIENCE:.0f} s ({where})") from None


async def next_frame(app: App[Any]) -> None:
    """Wait until the screen has been drawn with what is pending."""
    drawn = asyncio.Event()
    app.screen.call_after_refresh(drawn.set)
    await drawn.wait()


async def support_staff(service: LocalService) -> int:
    for identity in await service.list_identities("", limit=5):
        if identity.person.support_staff:
            return identity.person.id
    raise SystemExit("this store has no support staff member to browse every mandate as")


async def browse(service: LocalService, actor: int, args: argparse.Namespace) -> dict[str, Any]:
    loads = Loads()
    app = OnssApp(service, actor_id=actor)
    results: dict[str, Any] = {}
    with loads.watching_frames(app):
        async with app.run_test(size=(args.width, args.height), message_hook=loads.hook) as pilot:
            while app.actor_id is None:
                await pilot.pause()
            await app.workers.wait_for_complete()

            async def open_browser() -> None:
                app.open_screen("mandates")

            opens = [await loads.next(app, "first", open_browser)]

            async def open_audit() -> None:
                app.open_screen("audit")

            for opened in range(1, OPENS):  # built anew each time, as after choosing another enterprise
                if opened == 1:  # the audit trail's own first page, shown: not to be taken for ours
                    await loads.next(app, "first", open_audit)
                else:
                    await open_audit()
                    await next_frame(app)
                await app.remove_mode("mandates")
                app.add_mode("mandates", _screen_factory("mandates"))
                opens.append(await loads.next(app, "first", open_browser))
            results["open_ms"] = spread(opens)
            results["first_open_ms"] = ms(opens[0])
            table = app.screen.query_one(PagedTable)
            await pilot.pause()

            async def reload() -> None:
                table.reload()

            results["first_page_ms"] = spread([await loads.next(app, "first", reload) for _ in range(5)])
            names = [m.principal.name for m in table.rows] + [m.mandatary.name for m in table.rows]
            results["filter_ms"] = spread(await filters(pilot, loads, names, args.filters))
            table.focus()
            await loads.next(app, "first", reload)
            results["page_down_ms"] = spread(
                [await loads.key_to_frame(app, "pagedown") for _ in range(args.pages)]
            )
            results["page_down_draw_ms"] = spread(await page_down_draw(pilot, table, args.pages))
            results["rows_held_at_most"] = table.max_pages * table.page_size

            async def end() -> None:
                app.post_message(events.Key("end", None))

            ends = []
            for _ in range(ENDS):  # each from the first page: one jump is one sample of a shared machine
                await loads.next(app, "first", reload)
                if table.at_end:
                    ends.append(await loads.key_to_frame(app, "end"))
                else:
                    ends.append(await loads.next(app, "last", end))
            results["end_ms"] = spread(ends)
            results["last_rows"] = [m.id for m in table.rows[-3:]]
    return results


async def filters(pilot: Pilot[Any], loads: Loads, names: list[str], count: int) -> list[float]:
    """Type a word of a name, then time the keystroke that adds its last letter."""
    field = pilot.app.screen.query_one("#filter-text", Input)
    field.focus()
    rng = random.Random(1)
    words = sorted({w for name in names for w in name.split() if len(w) >= 4 and not w.isdigit()})
    samples = []
    for _ in range(count):
        word = rng.choice(words).lower()
        cut = rng.randrange(3, len(word) + 1)

        async def set_prefix(text: str = word[: cut - 1]) -> None:
            field.value = text

        if field.value != word[: cut - 1]:
            await loads.next(pilot.app, "first", set_prefix)

        async def last_letter(letter: str = word[cut - 1]) -> None:
            pilot.app.post_message(events.Key(letter, letter))

        samples.append(await loads.next(pilot.app, "first", last_letter))
    field.value = ""
    return samples


async def page_down_draw(pilot: Pilot[Any], table: PagedTable[Any], count: int) -> list[float]:
    """The table's own share of a Page Down: moving the cursor and drawing its visible lines (no frame,
    no fetch: near the end of the window it starts again from the first page)."""
    samples = []
    width, height = table.size
    for _ in range(count):
        if table.rows.index(table.cursor_row) > len(table.rows) - 2 * height:
            await table_reloaded(pilot, table)
        started = time.perf_counter()
        table.action_page_down()
        table.render_lines(Region(0, 0, width, height))
        samples.append(time.perf_counter() - started)
    return samples


async def table_reloaded(pilot: Pilot[Any], table: PagedTable[Any]) -> None:
    table.reload()
    while table.is_loading:
        await pilot.pause()


class WindowApp(App[None]):
    """One widget fed a window of rows, for the DataTable / PagedTable comparison."""

    def __init__(self, widget: str, rows: list[dto.MandatePublic]) -> None:
        super().__init__()
        self.widget = widget
        self.window = rows

    def compose(self) -> ComposeResult:
        if self.widget == "datatable":
            yield DataTable(cursor_type="row")
            return

        async def fetch(request: dto.PageRequest) -> dto.Page[dto.MandatePublic]:
            return dto.Page(items=self.window)

        columns = [
            Column("principal", "Principal", lambda m: m.principal.name, 20, flex=2),
            Column("mandatary", "Mandatary", lambda m: m.mandatary.name, 20, flex=2),
            Column("start", "Validity", lambda m: f"{m.start_quarter} → {m.end_quarter or ''}", 15),
            Column("status", "Status", lambda m: m.status.value, 12),
        ]
        yield PagedTable(columns, fetch, key=lambda m: m.id, texts=lambda key, **kw: key)


async def window_replacement(widget: str, pages: list[list[dto.MandatePublic]]) -> list[float]:
    """Seconds to replace the shown window by the next page of rows and draw it."""
    app = WindowApp(widget, pages[0])
    samples = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for rows in pages[1:]:
            await pilot.pause()
            started = time.perf_counter()
            if widget == "datatable":
                table = app.query_one(DataTable)
                table.clear(columns=True)
                table.add_columns("Principal", "Mandatary", "Validity", "Status")
                table.add_rows(
                    (
                        m.principal.name,
                        m.mandatary.name,
                        f"{m.start_quarter} → {m.end_quarter or ''}",
                        m.status,
                    )
                    for m in rows
                )
            else:
                app.window = rows
                app.query_one(PagedTable).reload()
                await app.workers.wait_for_complete()
            await next_frame(app)
            samples.append(time.perf_counter() - started)
    return samples


async def run(args: argparse.Namespace) -> dict[str, Any]:
    service = LocalService(open_store(f"sqlite:///{Path(args.store).resolve()}"))
    try:
        actor = await support_staff(service)
        results: dict[str, Any] = {
            "store": args.store,
            "terminal": f"{args.width}x{args.height}",
            "frame_ms": ms(1 / constants.MAX_FPS),
        }
        results.update(await browse(service, actor, args))
        pages, request = [], dto.PageRequest(size=100)
        for _ in range(11):
            page = await service.list_mandates(actor, None, request)
            pages.append(page.items)
            request = dto.PageRequest(size=100, cursor=page.next_cursor)
        results["window_of_100_rows_ms"] = {
            widget: spread(await window_replacement(widget, pages)) for widget in ("datatable", "paged_table")
        }
        return results
    finally:
        await service.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", help="SQLite file of the store (e.g. seeded with onss-tui seed)")
    parser.add_argument("--filters", type=int, default=50, help="filter keystrokes to time")
    parser.add_argument("--pages", type=int, default=200, help="Page Down presses to time")
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    args = parser.parse_args()
    if not Path(args.store).is_file():
        sys.exit(f"no store at {args.store}")
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
