"""Snapshots of the sign-in, overview and designation screens at 80x24 and 120x40 (SVG, compared by syrupy).

Update them after an intended change of layout with `pytest tests/tui/test_snapshots.py --snapshot-update`,
and look at the pictures before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from onss_tui.domain.quarters import Quarter
from tests.conftest import LR_EID, LR_NISS, niss
from tests.tui.conftest import settle, type_into


async def steady(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the workers, and stop the input cursor blinking so that the picture does not depend on when
    it is taken."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def fixed_quarter(store) -> None:  # type: ignore[no-untyped-def]
    """The overview names the current quarter, by the service's calendar: pin it so that the pictures do
    not age."""
    store.service.current_quarter = lambda: Quarter(2026, 3)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in(snap_compare, store, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(store.app(), terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_overview(snap_compare, store, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(store.app(store.world.lr), terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_designation_with_a_mistyped_number(snap_compare, store, size) -> None:  # type: ignore[no-untyped-def]
    async def designating(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "legal_representative_eid", LR_EID)
        await type_into(pilot, "legal_representative_niss", LR_NISS)
        await type_into(pilot, "designee_niss", niss("950615334")[:-1] + "0")
        await type_into(pilot, "designee_phone", "02 555 12")
        await steady(pilot)

    assert snap_compare(store.app(store.world.lr), terminal_size=size, run_before=designating)
