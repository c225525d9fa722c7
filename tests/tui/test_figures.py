"""The figures screen: opened from the mandate browser and the overview, its bars count what the service
counts, and Enter on a bar opens the mandate browser on the mandates it counts."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from onss_tui.i18n import written_count
from onss_tui.screens.figures import FiguresScreen, bar
from onss_tui.screens.mandates import MandatesScreen
from tests.tui.browsing import Session, console, make_main_access_manager
from tests.tui.conftest import Store
from tests.tui.test_mandates import give_mandates


def rows(session: Session) -> list[list[str]]:
    """The figures table as text, row by row (label, count, bar)."""
    table = session.app.screen.query_one("#figures", DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(session: Session, label: str, section: str = "") -> int:
    """The index of the row of `label`, the first one after the title `section`."""
    table = rows(session)
    start = next(i for i, row in enumerate(table) if row[0] == section) if section else 0
    return next(i for i, row in enumerate(table) if i >= start and row[0] == label)


def count_of(session: Session, label: str, section: str = "") -> str:
    return rows(session)[row_of(session, label, section)][1].strip()


async def test_the_browser_opens_the_figures_and_a_bar_opens_what_it_counts(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        browser = session.app.screen
        await session.press("f")
        figures = session.app.screen
        assert isinstance(figures, FiguresScreen) and figures.enterprise_id is None
        table = figures.query_one("#figures", DataTable)
        assert "every enterprise" in str(table.border_title)
        assert "3 mandates" in str(table.border_subtitle)
        statuses = [count_of(session, s) for s in ("pending", "to be finalised", "active", "closed")]
        assert statuses == ["1", "1", "1", "0"]
        groups = [
            count_of(session, g, "By group of services") for g in ("DmfA-Dimona", "Temporary unemployment")
        ]
        assert groups == ["1", "1"]

        table.move_cursor(row=row_of(session, "active"))
        await session.press("enter")
        narrowed = session.app.screen
        assert isinstance(narrowed, MandatesScreen)
        assert "active" in str(narrowed.table.border_title)
        assert [m.id for m in narrowed.table.rows] == [mandates["town"].id]
        await session.press("escape")
        assert session.app.screen is figures

        next_quarter = mandates["pending"].start_quarter
        table.move_cursor(row=row_of(session, session.app.quarter(next_quarter)))
        await session.press("enter")
        assert {m.id for m in session.app.screen.table.rows} == {mandates["pending"].id}  # type: ignore[attr-defined]
        await session.press("escape", "escape")
        assert session.app.screen is browser


async def test_a_manager_sees_the_figures_of_the_enterprise_from_the_overview(store: Store) -> None:
    await give_mandates(store.service, store.world)
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("overview")
        await session.press("f")
        figures = session.app.screen
        assert isinstance(figures, FiguresScreen) and figures.enterprise_id == store.world.employer
        assert figures.figures is not None and figures.figures.total == 2
        assert "v" not in session.app.screen.active_bindings  # every enterprise: support staff only
        top = figures.figures.top_mandataries[0]  # the secretariat and the provider hold one each
        mandatary = next(row for row, f in figures.filters.items() if f.mandatary == top.enterprise_number)
        assert rows(session)[mandatary][0].startswith(top.name[:20])
        figures.query_one("#figures", DataTable).move_cursor(row=mandatary)
        await session.press("enter")
        narrowed = session.app.screen
        assert isinstance(narrowed, MandatesScreen)
        assert narrowed.current_filter().mandatary == top.enterprise_number
        assert [m.mandatary.id for m in narrowed.table.rows] == [top.provider_id]


@pytest.mark.parametrize(
    ("lang", "written"),
    [("en", "1,234,567"), ("fr", "1\u202f234\u202f567"), ("nl", "1.234.567"), ("de", "1.234.567")],
)
def test_counts_are_written_as_the_language_writes_them(lang: str, written: str) -> None:
    assert written_count(1234567, lang) == written


def test_bars_are_drawn_to_an_eighth_of_a_cell() -> None:
    assert (bar(4, 8, 4), bar(1, 1000, 4), bar(0, 8, 4), bar(8, 8, 4)) == ("██", "▏", "", "████")
    assert bar(3, 8, 1) == "▍"


async def test_the_palette_offers_the_figures_on_the_browser(store: Store) -> None:
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        commands = [c.title for c in session.app.get_system_commands(session.app.screen)]
        assert "Figures" in commands
