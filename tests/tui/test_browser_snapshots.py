"""Snapshots (SVG) of the users, mandates and audit screens at 80x24 and 120x40, on fixed data.

Clocks are frozen: every stored time is 2030-01-15 09:30 UTC, the current quarter is 2030Q1 and the
console runs in UTC, so the pictures change only when the screens do.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from onss_tui.app import OnssApp
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local import tables
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from tests.conftest import build_world, niss
from tests.tui.browsing import make_main_access_manager, settle

FROZEN = datetime(2030, 1, 15, 9, 30, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]


class FrozenClock(datetime):
    """`datetime` whose `now` is always FROZEN (the store's `utcnow` reads it)."""

    @classmethod
    def now(cls, tz: Any = None) -> FrozenClock:  # type: ignore[override]
        return cls.fromtimestamp(FROZEN.timestamp(), tz)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "datetime", FrozenClock)
    monkeypatch.setattr(Quarter, "current", classmethod(lambda cls: Quarter(2030, 1)))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def fill(service: LocalService) -> dict[str, int]:
    """Users of Brasserie Dupont, and mandates between the world's enterprises."""
    world = build_world(service.engine)
    await make_main_access_manager(service, world)
    people = [("800101012", "Aerts", "An"), ("810202024", "Baert", "Bram"), ("820303036", "Cools", "Clara")]
    for base, last, first in people:
        await service.create_user(
            world.lr,
            dto.UserCreate(
                enterprise_id=world.employer,
                niss=niss(base),
                first_name=first,
                last_name=last,
                phone="0470123456",
                services=["dimona", "dmfa"] if last == "Aerts" else [],
            ),
        )
    users = await service.list_users(world.lr, world.employer)
    cools = next(u for u in users.items if u.person.last_name == "Cools")
    await service.set_user_status(world.lr, cools.id, dto.UserStatus.SUSPENDED, cools.version)
    await service.create_mandate(
        world.lr,
        dto.MandateCreate(
            principal_id=world.employer,
            mandatary_id=world.secretariat,
            groups=["dmfa_dimona"],
            start_quarter="2030Q2",
            branch_number="001",
            submit=True,
        ),
    )
    town = await service.create_mandate(
        world.lr_town,
        dto.MandateCreate(
            principal_id=world.townhall,
            mandatary_id=world.secretariat,
            groups=["dmfappl_dimona", "drs_unemployment"],
            start_quarter="2030Q1",
            end_quarter="2030Q1",
            procuration_reference="NAM-2030-004",
            submit=True,
        ),
    )
    await service.accept_mandate(world.lr_ssa, town.id, town.version)
    baert = next(u for u in users.items if u.person.last_name == "Baert")
    await service.grant_services(world.lr, [baert.id], ["limosa"])
    return {"lr": world.lr, "lr_ssa": world.lr_ssa}


def console_on(tmp_path: Any, actor: str, lang: str = "en") -> OnssApp:
    # The service's calendar is the frozen one too (`Quarter.current` as `frozen` set it).
    service = LocalService(
        open_store(f"sqlite:///{tmp_path / 'snapshots.db'}"), current_quarter=Quarter.current
    )
    people = asyncio.run(fill(service))
    return OnssApp(service, actor_id=people[actor], lang=lang)


def opening(screen: str, *keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(100):
            await settle(pilot)
            if pilot.app.actor_id is not None:
                break
        await settle(pilot)
        pilot.app.open_screen(screen)  # type: ignore[attr-defined]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.wait_for_scheduled_animations()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_users_screen(snap_compare, frozen, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(console_on(tmp_path, "lr"), terminal_size=size, run_before=opening("users"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mandates_screen(snap_compare, frozen, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(console_on(tmp_path, "lr_ssa"), terminal_size=size, run_before=opening("mandates"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_audit_screen(snap_compare, frozen, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(console_on(tmp_path, "lr"), terminal_size=size, run_before=opening("audit"))


def test_figures_screen_in_french(snap_compare, frozen, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = console_on(tmp_path, "lr_ssa", lang="fr")
    assert snap_compare(app, terminal_size=(80, 24), run_before=opening("mandates", "f"))
