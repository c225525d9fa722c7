"""Data never stale: a screen shown again after the console changed something loads its data again, and
so does every screen once the service is back after it was unreachable."""

from __future__ import annotations

import inspect
from typing import Any

from textual.widgets import DataTable

from onss_tui.domain.quarters import Quarter
from onss_tui.screens.audit import AuditScreen
from onss_tui.screens.designation import DesignationScreen
from onss_tui.screens.mandates import MandatesScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.users import UsersScreen
from onss_tui.services import dto
from onss_tui.services.errors import Unavailable
from onss_tui.services.protocol import AccessService
from onss_tui.services.watched import READS, WRITES
from tests.conftest import niss
from tests.tui.browsing import Session, console, make_main_access_manager
from tests.tui.conftest import Store

NEW_NISS = niss("900101123")


def people(session: Session) -> list[str]:
    table = session.app.screen.query_one("#people", DataTable)
    return [" ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]


def new_user(store: Store, name: str = "Lotte") -> dto.UserCreate:
    return dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name=name, last_name="V")


def test_every_call_of_the_protocol_is_a_read_or_a_write() -> None:
    calls = {name for name, _ in inspect.getmembers(AccessService) if not name.startswith("_")}
    assert calls == READS | WRITES
    assert not READS & WRITES


async def test_the_overview_shows_a_main_access_manager_designated_elsewhere_in_the_console(
    store: Store,
) -> None:
    async with console(store.service, store.world.lr, lang="nl") as session:
        assert isinstance(session.app.screen, OverviewScreen)
        assert "nog niemand" in people(session)[0]
        await session.open("users")
        await make_main_access_manager(session.app.service, store.world)  # type: ignore[arg-type]
        await session.press("1")
        assert isinstance(session.app.screen, OverviewScreen)
        assert "nog niemand" not in people(session)[0]
        assert "designate_main_access_manager" not in (session.app.screen.overview.next_steps)  # type: ignore[union-attr]


async def test_a_screen_changed_by_nothing_is_not_loaded_again(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        loads = 0
        get_overview = store.service.get_overview

        async def counted(*args: Any) -> dto.EnterpriseOverview:
            nonlocal loads
            loads += 1
            return await get_overview(*args)

        store.service.get_overview = counted  # type: ignore[method-assign]
        await session.press("1")
        assert loads == 0


async def test_the_users_list_shows_a_user_created_elsewhere_in_the_console(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        assert session.table.rows == []
        await session.press("1")
        await session.app.service.create_user(store.world.lr, new_user(store))
        await session.press("3")
        assert isinstance(session.app.screen, UsersScreen)
        assert [u.person.first_name for u in session.table.rows] == ["Lotte"]


async def test_a_user_already_suspended_is_shown_as_they_are(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    user = await store.service.create_user(store.world.lr, new_user(store))
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await store.service.set_user_status(store.world.lr, user.id, dto.UserStatus.SUSPENDED, user.version)
        await session.press("p")
        assert session.noticed("already suspended")
        assert session.table.cursor_row.status == dto.UserStatus.SUSPENDED


async def test_the_mandates_list_shows_a_mandate_made_elsewhere_in_the_console(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        assert session.table.rows == []
        await session.press("1")
        await session.app.service.create_mandate(
            store.world.lr,
            dto.MandateCreate(
                principal_id=store.world.employer,
                mandatary_id=store.world.secretariat,
                groups=["dmfa_dimona"],
                start_quarter=str(Quarter.current().next()),
            ),
        )
        await session.press("4")
        assert isinstance(session.app.screen, MandatesScreen)
        assert len(session.table.rows) == 1


async def test_the_designation_history_and_audit_trail_show_a_later_designation(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        await session.open("designation")
        assert isinstance(session.app.screen, DesignationScreen)
        designations = len(session.app.screen.history.query_one("PagedTable").rows)  # type: ignore[attr-defined]
        await session.open("audit")
        entries = len(session.table.rows)
        await session.press("1")
        await make_main_access_manager(session.app.service, store.world)  # type: ignore[arg-type]
        await session.press("2")
        assert isinstance(session.app.screen, DesignationScreen)
        history = session.app.screen.history.query_one("PagedTable")
        assert len(history.rows) == designations + 1  # type: ignore[attr-defined]
        await session.open("audit")
        assert isinstance(session.app.screen, AuditScreen)
        assert len(session.table.rows) > entries


async def test_once_the_service_is_back_the_screens_load_again(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("1")
        get_overview = store.service.get_overview

        async def unreachable(*args: Any) -> dto.EnterpriseOverview:
            raise Unavailable("the server does not answer")

        store.service.get_overview = unreachable  # type: ignore[method-assign]
        await session.press("f5")
        assert session.noticed("the server does not answer")
        await store.service.create_user(store.world.lr, new_user(store))  # meanwhile, on the server
        store.service.get_overview = get_overview  # type: ignore[method-assign]
        await session.press("f5")
        assert session.app.screen.overview.users_active == 1  # type: ignore[attr-defined]
        await session.press("3")
        assert [u.person.first_name for u in session.table.rows] == ["Lotte"]


async def test_the_service_coming_back_reloads_the_screen_shown(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        get_overview = store.service.get_overview

        async def unreachable(*args: Any) -> dto.EnterpriseOverview:
            raise Unavailable("the server does not answer")

        store.service.get_overview = unreachable  # type: ignore[method-assign]
        await session.press("f5")
        store.service.get_overview = get_overview  # type: ignore[method-assign]
        await make_main_access_manager(store.service, store.world)  # someone else, while it was away
        await session.app.service.catalogue(store.world.lr)  # the first answer since
        await session.press()
        assert "nobody yet" not in people(session)[0]
