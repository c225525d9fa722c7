"""Sign-in: the list of people who may act (masked numbers), search, and where signing in leads."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList

from onss_tui.screens.enterprise_picker import EnterprisePickerScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.sign_in import SignInScreen
from tests.conftest import LR_NISS
from tests.tui.conftest import settle


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
        table = app.screen.query_one("#enterprises", DataTable)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == sorted(names, key=str.casefold)
        assert "Commune de Namur" in names and len(names) == 4

        assert isinstance(app.focused, Input)
        await pilot.press(*"namur")
        await settle(pilot)
        assert table.row_count == 1
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


async def test_leaving_the_picker_after_signing_in_by_number_offers_the_list(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EnterprisePickerScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert not app.screen.query_one("#sign-in-loading").display
        assert isinstance(app.focused, Input)
        assert listed(app)[0].startswith("Sam Support")
        assert "Signing in" not in str(app.screen.query_one("#sign-in-status").content)


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
