"""Helpers for the Pilot tests of the users, mandates and audit screens: waiting, opening, data.

`settle` waits for every worker, cancelled ones included (the paged table cancels stale fetches, which
`wait_for_complete` reports as a failure), and for tables still waiting for a page. `Session` runs the
console as a person, records the notifications shown and opens a screen once the sign-in is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from textual.notifications import Notify
from textual.pilot import Pilot

from onss_tui.app import OnssApp
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.widgets.paged_table import PagedTable
from tests.conftest import EMPLOYER_NUMBER, LR_EID, LR_NISS, World


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker runs, no table waits for a fetch (typing may hold one back a moment), and the
    messages their results posted have been handled."""
    app = pilot.app
    await pilot.pause()
    while True:
        running = [w for w in app.workers if not w.is_finished]
        if running:
            await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        elif any(table.is_loading for table in app.screen.query(PagedTable)):
            await pilot.pause()
        else:
            break
        await pilot.pause()
    await pilot.pause()


@dataclass
class Session:
    """The console signed in as someone, with the notifications it showed."""

    app: OnssApp
    pilot: Pilot[Any]
    notices: list[str] = field(default_factory=list)

    async def open(self, screen: str) -> None:
        """Open a screen as its key does (the key itself may be typed into a search field)."""
        self.app.open_screen(screen)
        await settle(self.pilot)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot)

    @property
    def table(self) -> PagedTable[Any]:
        return self.app.screen.query_one(PagedTable)

    def noticed(self, text: str) -> bool:
        return any(text in notice for notice in self.notices)


@asynccontextmanager
async def console(
    service: LocalService, actor_id: int, *, size: tuple[int, int] = (120, 40), lang: str = "en"
) -> AsyncIterator[Session]:
    """The console on `service` as `actor_id`, signed in and on its first screen."""
    notices: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notices.append(f"{message.notification.title}: {message.notification.message}")

    app = OnssApp(service, actor_id=actor_id, lang=lang)
    async with app.run_test(size=size, message_hook=hook) as pilot:
        for _ in range(100):
            await settle(pilot)
            if app.actor_id is not None:
                break
        await settle(pilot)
        yield Session(app, pilot, notices)


async def make_main_access_manager(service: LocalService, world: World) -> None:
    """The legal representative of the employer designates herself Main Access Manager (she may then
    manage users)."""
    await service.designate_main_access_manager(
        world.lr,
        dto.MainAccessManagerDesignation(
            enterprise_ref=EMPLOYER_NUMBER,
            legal_representative_eid=LR_EID,
            legal_representative_niss=LR_NISS,
            legal_representative_phone="0471123456",
            designee_niss=LR_NISS,
            designee_phone="0471123456",
            designee_relation=dto.Relation.DIRECTOR,
        ),
    )
    await service.sign_in(world.lr)
