"""Enterprise overview: identity, managers, how each group of services is handled, counts, next steps."""

from __future__ import annotations

from textual.widgets import DataTable, OptionList, Select

from onss_tui.domain.quarters import Quarter
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.designation import DesignationScreen
from onss_tui.screens.mandates import MandatesScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.services import dto
from tests.conftest import niss
from tests.contract.conftest import staff_enterprise
from tests.tui.conftest import hold, settle
from tests.tui.test_app import footer_text


def people_rows(screen: OverviewScreen) -> list[list[str]]:
    table = screen.query_one("#people", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def group_rows(screen: OverviewScreen) -> list[list[str]]:
    table = screen.query_one("#groups", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def steps(screen: OverviewScreen) -> list[str | None]:
    options = screen.query_one("#next-steps", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_a_new_employer_is_asked_for_its_main_access_manager(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        identity = str(screen.query_one("#overview-identity").content)
        assert "Brasserie Dupont" in identity
        assert "0403.170.701" in identity and "1303875-93" in identity
        assert "ONSS employer" in identity and "Legal representative" in identity
        assert steps(screen) == ["designate_main_access_manager", "give_mandate"]
        assert people_rows(screen)[0][:2] == ["Main Access Manager", "nobody yet"]
        assert "not covered" in [row[1] for row in group_rows(screen)]

        assert app.focused is screen.query_one("#next-steps")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)


async def test_a_staffed_employer_with_a_mandate(store) -> None:  # type: ignore[no-untyped-def]
    world = store.world
    staff = await staff_enterprise(store.service, world)
    mandate = await store.service.create_mandate(
        world.lr,
        dto.MandateCreate(
            principal_id=world.employer,
            mandatary_id=world.secretariat,
            groups=["dmfa_dimona"],
            start_quarter=str(Quarter.current()),
            end_quarter=str(Quarter.current()),
            submit=True,
        ),
    )
    await store.service.accept_mandate(world.lr_ssa, mandate.id, mandate.version)
    app = store.app(staff.mam)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        rows = people_rows(screen)
        assert [row[0] for row in rows] == [
            "Main Access Manager",
            "co-Main Access Manager",
            "Access Manager (ONSS employer)",
            "Legal representative",
        ]
        assert [row[1] for row in rows] == ["Nina Nieuw", "Chloé Lambert", "Bram Claes", "Anne Peeters"]
        assert all(row[2].endswith("-***.**") for row in rows)
        assert steps(screen) == [None]  # nothing left to do
        handled = dict(group_rows(screen))
        assert handled["DmfA-Dimona"] == "Securex Secrétariat Social"
        assert handled["Temporary unemployment"] == "the enterprise itself"
        figures = screen.query_one("#overview-figures").content
        counts = dict(zip(figures.columns[0]._cells, figures.columns[1]._cells, strict=True))  # type: ignore[attr-defined]
        assert counts["Active users"] == "1"
        assert counts["Active mandates"] == "1"
        assert str(counts[f"Mandates ending this quarter ({Quarter.current().written('en')})"]) == "1"

        groups = screen.query_one("#groups", DataTable)
        groups.focus()
        groups.move_cursor(row=[row[0] for row in group_rows(screen)].index("Temporary unemployment"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen  # handled by the enterprise itself: no mandate behind it
        groups.move_cursor(row=[row[0] for row in group_rows(screen)].index("DmfA-Dimona"))
        await pilot.press("enter")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, MandatesScreen)
        assert browser.query_one("#filter-group", Select).value == "dmfa_dimona"
        assert browser.query_one("#filter-status", Select).value == "active"
        assert [m.id for m in browser.table.rows] == [mandate.id]


async def test_the_main_access_manager_activates_a_quality(store) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.screens.overview import ChoiceScreen
    from tests.contract.conftest import main_designation

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    app = store.app(world.newcomer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        choices = app.screen.query_one("#choices", OptionList)
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert "ONSS employer" not in labels and "Company without staff" in labels
        choices.highlighted = labels.index("Company without staff")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # asked once more, naming it and what follows
        question = str(app.screen.query_one("#confirm-question").render())
        assert "Company without staff" in question and "Access Manager" in question
        await pilot.press("escape")
        await settle(pilot)
        assert "Company without staff" not in str(app.screen.query_one("#overview-identity").content)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#choices", OptionList).highlighted = labels.index("Company without staff")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Company without staff" in str(app.screen.query_one("#overview-identity").content)
        assert steps(app.screen)[0] == "designate_access_manager"  # the new quality has none yet
    overview = await store.service.get_overview(world.newcomer, world.employer)
    assert {q.code for q in overview.qualities if q.active} == {"onss_employer", "company_without_staff"}


async def test_only_a_main_access_manager_is_offered_to_activate_a_quality(store) -> None:  # type: ignore[no-untyped-def]
    """The legal representative is not: the key is neither shown nor run (the service would refuse)."""
    from onss_tui.screens.overview import ChoiceScreen
    from tests.contract.conftest import main_designation

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    for actor, offered in ((world.lr, False), (world.newcomer, True)):
        app = store.app(actor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert ("Activate quality" in footer_text(app)) is offered
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceScreen) is offered


async def test_the_main_access_manager_withdraws_a_quality_activated_later(store) -> None:  # type: ignore[no-untyped-def]
    """Only those activated after registration are offered; asked once more; the overview shows it gone,
    and the key goes when none is left to withdraw."""
    from onss_tui.screens.overview import ChoiceScreen
    from tests.contract.conftest import main_designation
    from tests.tui.conftest import record_notices

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    app = store.app(world.newcomer)
    async with app.run_test(size=(120, 40)) as pilot:
        notices = record_notices(app)
        await settle(pilot)
        assert "Withdraw" not in footer_text(app)  # the registration quality only: nothing to withdraw
        await pilot.press("a")
        await settle(pilot)
        choices = app.screen.query_one("#choices", OptionList)
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        choices.highlighted = labels.index("Company without staff")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Company without staff is now active (d withdraws it again)" in notices[-1].message
        assert "Withdraw" in footer_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        choices = app.screen.query_one("#choices", OptionList)
        offered = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert offered == ["Company without staff"]  # never the ONSS employer's, held since registration
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-question").render())
        assert "no longer hold the quality Company without staff" in question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        identity = str(app.screen.query_one("#overview-identity").content)
        assert "Company without staff (not active)" in identity
        assert notices[-1].message == "The quality Company without staff is withdrawn."
        assert "Withdraw" not in footer_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)  # not offered, not run
    overview = await store.service.get_overview(world.newcomer, world.employer)
    assert {q.code for q in overview.qualities if q.active} == {"onss_employer"}


async def test_a_quality_with_an_access_manager_is_not_withdrawn_and_the_console_says_why(store) -> None:  # type: ignore[no-untyped-def]
    from tests.tui.conftest import record_notices

    world = store.world
    staff = await staff_enterprise(store.service, world)
    await store.service.activate_quality(staff.mam, world.employer, "company_without_staff")
    await store.service.designate(
        staff.mam,
        dto.DesignationRequest(
            enterprise_id=world.employer,
            role="access_manager",
            quality_code="company_without_staff",
            niss=niss("860606606"),
            phone="0470 66 77 88",
            first_name="Lotte",
            last_name="Willems",
        ),
    )
    app = store.app(staff.co_mam, lang="fr")
    async with app.run_test(size=(120, 40)) as pilot:
        notices = record_notices(app)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")  # « oui »
        await settle(pilot)
        assert notices[-1].severity == "error"
        assert "mettez d'abord fin à ces désignations" in notices[-1].message
        assert "Société sans personnel" in str(app.screen.query_one("#overview-identity").content)
    overview = await store.service.get_overview(staff.mam, world.employer)
    assert {q.code for q in overview.qualities if q.active} == {"onss_employer", "company_without_staff"}


async def test_only_a_main_access_manager_is_offered_to_withdraw_a_quality(store) -> None:  # type: ignore[no-untyped-def]
    """The legal representative and an Access Manager are not, though a quality may be withdrawn."""
    from onss_tui.screens.overview import ChoiceScreen

    world = store.world
    staff = await staff_enterprise(store.service, world)
    await store.service.activate_quality(staff.mam, world.employer, "company_without_staff")
    for actor, offered in ((world.lr, False), (staff.am, False), (staff.co_mam, True)):
        app = store.app(actor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert ("Withdraw" in footer_text(app)) is offered
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceScreen) is offered


async def test_the_overview_says_it_is_loading_only_when_the_answer_is_slow(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        body = screen.query_one("#overview")
        shown: list[bool] = []

        def loading(value: bool) -> None:
            shown.append(value)

        screen.watch(body, "loading", loading, init=False)
        await pilot.press("f5")
        await settle(pilot)
        assert shown == [] and screen.overview is not None, "a quick answer shows no loading dots"

        gate = hold(app.service, "get_overview")
        await pilot.press("f5")
        while not body.loading:  # the delay passes while the answer is held back
            await pilot.pause()
        gate.set()
        await settle(pilot)
        assert shown == [True, False]


async def test_giving_a_mandate_is_offered_beside_designating_the_main_access_manager(store) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.screens.mandate_form import MandateFormScreen

    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MandateFormScreen)
