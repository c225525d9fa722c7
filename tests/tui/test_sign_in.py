"""Sign-in: the list of people who may act (masked numbers), search, and where signing in leads."""

from __future__ import annotations

import asyncio

from sqlmodel import Session
from textual.widgets import Input, OptionList

from onss_tui.screens.enterprise_picker import EnterprisePickerScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.session import SessionScreen
from onss_tui.screens.sign_in import SignInScreen
from onss_tui.services.local import registry
from onss_tui.widgets.paged_table import PagedTable
from tests.conftest import LR_NISS, enterprise_number, niss
from tests.tui.conftest import hold, settle


def listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    options = app.screen.query_one("#identities", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_list_shows_role_holders_and_support_staff_masked(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        people = listed(app)
        assert people[0].startswith("Sam Support")
        assert any(
            p.startswith("Anne Peeters  85.07.30-***.**  Legal representative · Brasserie Dupont")
            for p in people
        )
        assert not any("Olivier Outsider" in p for p in people)
        assert not any(LR_NISS[6:9] in p.split("  ")[1] for p in people)
        assert app.actor_id is None
        assert "Reveal" not in " ".join(
            str(b.description) for _, b, _, _ in app.screen.active_bindings.values()
        )


async def test_search_then_enter_signs_in_and_goes_straight_to_the_only_enterprise(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press(*"peeters")
        await settle(pilot)
        assert [p.split("  ")[0] for p in listed(app)] == ["Anne Peeters"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.actor_id == store.world.lr
        assert app.actor is not None and app.actor.full_name == "Anne Peeters"
        assert app.catalogue is not None and app.catalogue_name("dimona") != "dimona"
        assert app.enterprise_id == store.world.employer
        assert isinstance(app.screen, OverviewScreen)


async def test_a_national_register_number_prefix_finds_the_person(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"850730")
        await settle(pilot)
        assert [p.split("  ")[0] for p in listed(app)] == ["Anne Peeters"]
        await pilot.press(*"999")
        await settle(pilot)
        assert listed(app) == []
        assert "Nobody matches" in str(app.screen.query_one("#sign-in-status").content)


async def test_support_staff_choose_among_every_enterprise(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "up", "enter")  # the first, support staff, is highlighted
        await settle(pilot)
        assert app.actor_id == store.world.support
        assert isinstance(app.screen, EnterprisePickerScreen)
        table = app.screen.query_one("#enterprises", PagedTable)
        names = [e.name for e in table.rows]
        assert names == sorted(names, key=str.casefold)
        assert "Commune de Namur" in names and len(names) == 4
        assert "4 enterprises" in str(app.screen.query_one("#picker-status").content)

        assert isinstance(app.focused, Input)
        await pilot.press(*"namur")
        await settle(pilot)
        assert [e.name for e in table.rows] == ["Commune de Namur"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.enterprise_id == store.world.townhall
        assert isinstance(app.screen, OverviewScreen)
        assert "Commune de Namur" in str(app.screen.query_one("#overview-identity").content)

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EnterprisePickerScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.enterprise_id == store.world.townhall


async def test_leaving_the_picker_after_signing_in_by_number_offers_no_list(store) -> None:  # type: ignore[no-untyped-def]
    """The person is given (--as, a key, a token): Escape on the picker leads to their session, where no
    list of people is offered and nothing can be typed to become someone else."""
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EnterprisePickerScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert not app.screen.query(Input) and not app.screen.query(OptionList)
        assert "Signed in as Sam Support" in str(app.screen.query_one("#session-title").render())
        await pilot.press(*"anne", "enter", "escape", "escape")
        await settle(pilot)
        assert app.actor_id == store.world.support
        app.sign_in(store.world.lr)  # what a screen could ask: refused, the person is fixed
        await settle(pilot)
        assert app.actor_id == store.world.support
        assert all(w.group != "sign-in" or not w.is_running for w in app.workers)


async def test_a_demo_store_suggests_one_person_per_role_first(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    app.suggested = (LR_NISS,)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        people = listed(app)
        assert people[0] == "To try each role of the demo"
        assert people[1].startswith("Anne Peeters")
        assert people[2] == "Everyone"
        assert sum(p.startswith("Anne Peeters") for p in people) == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.actor_id == store.world.lr


async def test_the_name_of_a_suggested_person_finds_them_before_namesakes(store) -> None:  # type: ignore[no-untyped-def]
    with Session(store.service.engine) as session:
        for base in ("500101001", "990101001"):  # namesakes, listed around her by their numbers
            registry.register_person(session, niss(base), "Anne", "Peeters", support_staff=True)
        session.commit()
    app = store.app()
    app.suggested = (LR_NISS,)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"Anne Peeters", "enter")
        await settle(pilot)
        assert app.actor_id == store.world.lr


async def test_an_empty_store_says_how_to_fill_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.app import OnssApp
    from onss_tui.services.local.service import LocalService

    service = LocalService.open(f"sqlite:///{tmp_path / 'empty.db'}")
    app = OnssApp(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert listed(app) == []
        assert "onss-tui --demo" in str(app.screen.query_one("#sign-in-status").content)
    service.engine.dispose()


async def test_support_staff_page_through_every_enterprise_holding_a_few_pages(store) -> None:  # type: ignore[no-untyped-def]
    with Session(store.service.engine) as session:
        for n in range(650):
            registry.register_enterprise(
                session, enterprise_number(f"0{n + 5000000:07d}"), f"Zeta {n:03d}", "employer"
            )
        session.commit()
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#enterprises", PagedTable)
        assert table.rows[0].name == "Brasserie Dupont" and not table.at_end
        assert "More enterprises than a page" in str(app.screen.query_one("#picker-status").content)
        assert isinstance(app.focused, Input)
        for _ in range(8):  # from the search field
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.cursor_row is not None and table.cursor_row.name > "Zeta 200"
        await pilot.press("tab", "end")
        await settle(pilot)
        assert app.focused is table
        await pilot.press("e")  # choosing an enterprise is what this screen is for: not offered again
        assert isinstance(app.screen, EnterprisePickerScreen) and len(app.screen_stack) == 2
        assert table.at_end and table.cursor_row.name == "Zeta 649"
        assert len(table.rows) <= table.max_pages * table.page_size < 654
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.enterprise_name == "Zeta 649"


async def test_the_picker_finds_an_enterprise_by_its_number(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"0403.170")
        await settle(pilot)
        table = app.screen.query_one("#enterprises", PagedTable)
        assert [e.name for e in table.rows] == ["Brasserie Dupont"]
        assert "1 enterprise:" in str(app.screen.query_one("#picker-status").content)
        await pilot.press(*"999")
        await settle(pilot)
        assert table.rows == []
        assert "No enterprise matches" in str(app.screen.query_one("#picker-status").content)
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await settle(pilot)
        assert app.enterprise_id == store.world.employer


def held_while_typing(store, method: str) -> asyncio.Event:  # type: ignore[no-untyped-def]
    """The service's `method` answers a search (some text given) only once the returned gate is set."""
    return hold(store.service, method, when=lambda *args: any(isinstance(a, str) and a for a in args))


async def test_enter_typed_ahead_of_the_list_signs_in_the_person_typed(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        gate = held_while_typing(store, "list_identities")
        await pilot.press(*"maes", "enter")  # the list still shows everyone, Sam Support first
        await pilot.pause()
        assert app.actor_id is None
        gate.set()
        await settle(pilot)
        assert app.actor_id == store.world.lr_town
        assert app.enterprise_id == store.world.townhall


async def test_enter_typed_ahead_of_the_matches_opens_the_enterprise_typed(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EnterprisePickerScreen)
        gate = held_while_typing(store, "list_enterprises")
        await pilot.press(*"namur", "enter")  # Brasserie Dupont is still highlighted
        await pilot.pause()
        assert isinstance(app.screen, EnterprisePickerScreen)
        gate.set()
        await settle(pilot)
        assert app.enterprise_id == store.world.townhall


async def test_typing_on_after_enter_cancels_the_sign_in_it_was_waiting_for(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        gate = held_while_typing(store, "list_identities")
        await pilot.press(*"mae", "enter", "s")  # Enter, then the text changed: no longer what Enter meant
        gate.set()
        await settle(pilot)
        assert app.actor_id is None
        assert [p.split("  ")[0] for p in listed(app)] == ["Luc Maes"]
