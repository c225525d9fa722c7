"""Snapshots (SVG) of each main screen at 80x24, the size an SSH terminal often has, in French, Dutch and
English, on the fixed data and frozen clocks of `test_browser_snapshots`.

Update them after an intended change of layout with `pytest tests/tui/test_narrow_snapshots.py
--snapshot-update`, and look at the pictures before committing them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from onss_tui.app import OnssApp
from onss_tui.domain.quarters import Quarter
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from tests.conftest import niss
from tests.tui.browsing import settle
from tests.tui.conftest import type_into
from tests.tui.test_browser_snapshots import fill, frozen  # noqa: F401 (a fixture)

SIZE = (80, 24)
LANGUAGES = ["fr", "nl", "en"]


def console(tmp_path: Any, actor: str, lang: str) -> OnssApp:
    service = LocalService(
        open_store(f"sqlite:///{tmp_path / 'narrow-snapshots.db'}"), current_quarter=Quarter.current
    )
    people = asyncio.run(fill(service))
    return OnssApp(service, actor_id=people[actor], lang=lang)


async def steady(pilot: Pilot[Any]) -> None:
    """Wait for the workers and the animations; stop the input cursor blinking."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def signed_in(pilot: Pilot[Any]) -> None:
    for _ in range(100):
        await settle(pilot)
        if pilot.app.actor_id is not None:
            break
    await settle(pilot)


def opening(screen: str, then: Callable[[Pilot[Any]], Awaitable[None]] | None = None):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await signed_in(pilot)
        pilot.app.open_screen(screen)  # type: ignore[attr-defined]
        await settle(pilot)
        if then is not None:
            await then(pilot)
        await steady(pilot)

    return run_before


async def history(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#sections").active = "history"  # type: ignore[attr-defined]
    await settle(pilot)
    pilot.app.screen.query_one("#designations").focus()


async def mistyped(pilot: Pilot[Any]) -> None:
    """The Access Managers' form sent with a number of the wrong check digits and a field left empty."""
    pilot.app.screen.query_one("#sections").active = "managers"  # type: ignore[attr-defined]
    await settle(pilot)
    await type_into(pilot, "niss", niss("950615334")[:-1] + "0")
    await pilot.press("ctrl+s")
    await settle(pilot)


SCREENS = {
    "overview": ("lr", opening("overview")),
    "designation": ("lr", opening("designation")),
    "history": ("lr", opening("designation", history)),
    "form_error": ("lr", opening("designation", mistyped)),
    "users": ("lr", opening("users")),
    "mandates": ("lr_ssa", opening("mandates")),
    "audit": ("lr", opening("audit")),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_at_80x24(snap_compare, frozen, tmp_path, screen: str, lang: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    actor, run_before = SCREENS[screen]
    assert snap_compare(console(tmp_path, actor, lang), terminal_size=SIZE, run_before=run_before)
