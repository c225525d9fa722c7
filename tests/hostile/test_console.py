"""Hostile text already in the store (put there directly, as an older version, another program or an
administrator could have) drawn by every screen of the console: the console stays up, markup is shown
as typed, and no control character reaches the terminal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.dto import DesignationStatus, Role, UserStatus
from onss_tui.services.local.tables import Designation, Enterprise, Person, PortalUser, name_key
from tests.conftest import niss
from tests.hostile.values import SHOWN_LITERALLY, STORED
from tests.tui.browsing import console, settle
from tests.tui.conftest import Store


def _store_hostile(store: Store, text: str) -> None:
    """The legal representative is named `text` and becomes Main Access Manager; the employer is named
    `text`; a user of the employer is called `text`."""
    w = store.world
    with Session(store.service.engine) as session:
        lr = session.get(Person, w.lr)
        employer = session.get(Enterprise, w.employer)
        assert lr is not None and employer is not None
        lr.first_name, lr.name_key = text, name_key(lr.last_name, text)
        employer.name, employer.name_key = text, name_key(text)
        session.add(
            Designation(
                enterprise_id=w.employer,
                person_id=w.lr,
                role=Role.MAIN_ACCESS_MANAGER,
                status=DesignationStatus.ACTIVE,
            )
        )
        user = Person(niss=niss("840404404"), first_name="Ilse", last_name=text)
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(
            PortalUser(
                enterprise_id=w.employer, person_id=user.id, name_key=name_key(text), status=UserStatus.ACTIVE
            )
        )
        session.add_all([lr, employer])
        session.commit()


CONTROLS = ("\x1b", "\u202e", "\x00", "\x07", "\x9b")


def _shown(app: Any) -> str:
    """What the screen shows (as its SVG picture), checked to hold none of the controls a terminal obeys."""
    drawn = app.export_screenshot()
    assert not [c for c in CONTROLS if c in drawn], [c for c in CONTROLS if c in drawn]
    return drawn


@pytest.mark.parametrize("name", list(STORED))
async def test_every_screen_draws_hostile_stored_text(store: Store, name: str) -> None:
    text = STORED[name]
    _store_hostile(store, text)
    w = store.world
    await store.service.create_mandate(  # its copy of the principal's name, and a trail entry by `text`
        w.lr,
        dto.MandateCreate(
            principal_id=w.employer,
            mandatary_id=w.secretariat,
            groups=["dmfa_dimona"],
            start_quarter=str(Quarter.current()),
        ),
    )
    async with console(store.service, w.lr) as session:
        app = session.app
        screens = ["overview", "designation", "users", "mandates", "audit"]
        for screen in screens:
            await session.open(screen)
            assert app.is_running, screen
            if screen in ("users", "mandates", "audit"):
                await session.press("down")
                await session.press("up")
            drawn = _shown(app)
            if name in SHOWN_LITERALLY:
                assert SHOWN_LITERALLY[name] in drawn, screen
                header = str(app.screen.query_one("#nav-context").render())  # the enterprise and the actor
                assert header.count(SHOWN_LITERALLY[name]) == 2, (screen, header)
        await session.open("users")
        await session.press("o")  # the user's form, their names in it
        assert app.is_running
        _shown(app)
        await session.press("escape")
        await session.press("delete")  # the question names the user
        assert app.is_running
        _shown(app)
        await session.press("escape")
        app.action_pick_enterprise()
        await settle(session.pilot)
        assert app.is_running
        drawn = _shown(app)
        if name in SHOWN_LITERALLY:
            assert SHOWN_LITERALLY[name] in drawn
        app.notify(f"Saved {text}")  # a notice naming the person
        await settle(session.pilot)
        _shown(app)


@pytest.mark.parametrize("name", ["closing_tag", "bold_markup", "clear_screen", "right_to_left"])
async def test_the_sign_in_list_draws_hostile_names(store: Store, name: str) -> None:
    _store_hostile(store, STORED[name])
    app = store.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.is_running
        drawn = _shown(app)
        assert SHOWN_LITERALLY.get(name, "Eve") in drawn
