"""Designation screen: the Main Access Manager form checked live, refusals, replacing, managers, ending."""

from __future__ import annotations

from textual.widgets import OptionList, TabbedContent

from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.designation import DesignationScreen
from onss_tui.services.dto import AuditFilter, DesignationFilter, DesignationPublic, Role
from onss_tui.widgets.paged_table import PagedTable
from tests.conftest import EMPLOYER_NUMBER, LR_EID, LR_NISS, niss
from tests.tui.conftest import reason, record_notices, settle, type_into

NEWCOMER_NISS = niss("950615334")
OUTSIDER_NISS = niss("880808222")
WRONG_CHECK_DIGITS = NEWCOMER_NISS[:-2] + f"{(int(NEWCOMER_NISS[-2:]) + 1) % 100:02d}"


async def open_designation(pilot) -> DesignationScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DesignationScreen)
    return screen


async def fill_main_form(pilot, designee_niss: str) -> None:  # type: ignore[no-untyped-def]
    await type_into(pilot, "legal_representative_eid", LR_EID)
    await type_into(pilot, "legal_representative_niss", LR_NISS)
    await type_into(pilot, "designee_niss", designee_niss)
    await type_into(pilot, "designee_phone", "02 555 12 12")


def history(screen: DesignationScreen) -> PagedTable[DesignationPublic]:
    return screen.query_one("#designations", PagedTable)


def index_of(table: PagedTable[DesignationPublic], designation_id: int) -> int:
    """Where a designation is among the rows the history table holds."""
    return next(i for i, row in enumerate(table.rows) if row.id == designation_id)


def cells(table: PagedTable[DesignationPublic], row: DesignationPublic | None) -> list[str]:
    """What the table shows of a row, cell by cell."""
    assert row is not None
    return [str(column.cell(row)) for column in table.columns]


async def main_access_managers(store, actor: int) -> list:  # type: ignore[no-untyped-def]
    page = await store.service.list_designations(
        actor, store.world.employer, DesignationFilter(include_ended=False, role=Role.MAIN_ACCESS_MANAGER)
    )
    return page.items


async def test_wrong_then_right_national_register_number(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        notices = record_notices(app)
        screen = await open_designation(pilot)
        assert screen.query_one("#sections", TabbedContent).active == "mam"
        await fill_main_form(pilot, WRONG_CHECK_DIGITS)
        assert "check digits do not match" in reason(app, "designee_niss")
        assert reason(app, "legal_representative_eid").startswith("✓")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "check digits do not match" in reason(app, "designee_niss")
        assert screen.query_one("#designee_niss").has_class("-invalid")
        assert app.focused is screen.query_one("#designee_niss").input
        assert screen.query_one("#designee_niss").value == WRONG_CHECK_DIGITS
        assert screen.query_one("#legal_representative_eid").value == LR_EID
        assert screen.query_one("#designee_phone").value == "02 555 12 12"
        assert await main_access_managers(store, store.world.lr) == []

        await type_into(pilot, "designee_niss", NEWCOMER_NISS)
        assert reason(app, "designee_niss").startswith("✓")
        await type_into(pilot, "legal_representative_niss", OUTSIDER_NISS)  # well-formed, but not hers
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert reason(app, "legal_representative_niss") == "This is not your national register number."
        assert screen.query_one("#legal_representative_niss").value == OUTSIDER_NISS
        assert await main_access_managers(store, store.world.lr) == []

        await type_into(pilot, "legal_representative_niss", LR_NISS)
        await pilot.press("ctrl+s")
        await settle(pilot)

        [designation] = await main_access_managers(store, store.world.lr)
        assert designation.person.id == store.world.newcomer
        assert designation.status == "pending"
        assert any("Nina Nieuw" in n.message for n in notices if n.severity == "information")
        assert screen.query_one("#designee_niss").value == ""
        assert "Nina Nieuw" in str(screen.query_one("#mam-current").content)
        trail = await store.service.list_audit(
            store.world.lr,
            AuditFilter(action="designation.designate_main", enterprise_id=store.world.employer),
        )
        # A wrong number of one's own is a proof of identity that failed: recorded, as refused.
        assert [e.outcome for e in trail.items] == ["done", "refused"]
        assert trail.items[1].after["unproven"] == ["legal_representative_niss"]


async def test_a_refused_designation_shows_the_reason_and_keeps_the_form(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.support)
    async with app.run_test(size=(120, 40)) as pilot:
        notices = record_notices(app)
        await settle(pilot)
        await pilot.press("enter")  # the picker: support staff see every enterprise; the first is highlighted
        await settle(pilot)
        screen = await open_designation(pilot)
        assert screen.query_one("#sections", TabbedContent).active == "history"
        await pilot.pause()
        assert app.focused is screen.query_one("#designations")
        await pilot.press("ctrl+n")  # the history is the last section: on to the first
        await settle(pilot)
        assert screen.query_one("#sections", TabbedContent).active == "mam"
        await fill_main_form(pilot, NEWCOMER_NISS)
        await type_into(pilot, "enterprise_ref", EMPLOYER_NUMBER)
        await type_into(pilot, "legal_representative_phone", "0471 12 34 56")
        await pilot.press("ctrl+s")
        await settle(pilot)
        refusals = [n for n in notices if n.severity == "error"]
        assert [n.title for n in refusals] == ["Refused"]
        assert "Support staff" in refusals[0].message
        assert screen.query_one("#designee_niss").value == NEWCOMER_NISS
        assert screen.query_one("#legal_representative_eid").value == LR_EID
        assert await main_access_managers(store, store.world.lr) == []
        trail = await store.service.list_audit(store.world.support, AuditFilter(actor_id=store.world.support))
        assert "refused" in [e.outcome for e in trail.items]


async def test_replacing_asks_first(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_designation(pilot)
        await fill_main_form(pilot, NEWCOMER_NISS)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one("#mam-submit").label.plain == "Replace"

        await fill_main_form(pilot, OUTSIDER_NISS)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        [current] = await main_access_managers(store, store.world.lr)
        assert current.person.id == store.world.newcomer
        assert screen.query_one("#designee_niss").value == OUTSIDER_NISS

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        [current] = await main_access_managers(store, store.world.lr)
        assert current.person.id == store.world.outsider
        history = await store.service.list_designations(store.world.lr, store.world.employer)
        assert [d.status for d in history.items if d.role == Role.MAIN_ACCESS_MANAGER] == ["pending", "ended"]


async def test_only_a_legal_representative_is_offered_the_main_access_manager_form(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Button, Static

    from tests.contract.conftest import main_designation

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    for actor, offered in ((world.lr, True), (world.newcomer, False)):
        async with store.app(actor).run_test(size=(120, 40)) as pilot:
            screen = await open_designation(pilot)
            said = str(screen.query_one("#mam-current", Static).render())
            assert ("Only a legal representative" in said) is not offered
            assert screen.query_one("#mam-submit", Button).disabled is not offered


async def test_main_access_manager_designates_an_access_manager_then_ends_it(store) -> None:  # type: ignore[no-untyped-def]
    from tests.contract.conftest import main_designation

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    app = store.app(world.newcomer)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_designation(pilot)
        assert screen.query_one("#sections", TabbedContent).active == "managers"
        assert screen.query_one("#quality_code").value == "onss_employer"
        await type_into(pilot, "niss", OUTSIDER_NISS)
        await type_into(pilot, "phone", "0478 00 11 22")
        await pilot.press("ctrl+s")
        await settle(pilot)
        overview = await store.service.get_overview(world.newcomer, world.employer)
        [manager] = overview.access_managers
        assert (manager.person.id, manager.quality_code) == (world.outsider, "onss_employer")

        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        assert screen.query_one("#sections", TabbedContent).active == "history"
        table = history(screen)
        table.focus()

        def offered() -> set[str]:
            return {b.action for _, b, on, _ in screen.active_bindings.values() if on}

        listed = (await store.service.list_designations(world.newcomer, world.employer)).items
        [own] = [d for d in listed if d.role == "main_access_manager"]
        table.move_cursor(index_of(table, own.id))
        await pilot.pause()
        assert "end_designation" not in offered()  # only a legal representative ends the main one
        table.move_cursor(index_of(table, manager.id))
        await pilot.pause()
        assert manager.status == "pending"  # its holder has not signed in: it is cancelled, not ended
        assert {"cancel_designation"} == offered() & {"end_designation", "cancel_designation"}
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        overview = await store.service.get_overview(world.newcomer, world.employer)
        assert overview.access_managers == []


async def test_reveal_in_history_shows_one_number_and_is_audited(store) -> None:  # type: ignore[no-untyped-def]
    world = store.world
    app = store.app(world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_designation(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        table = history(screen)
        table.focus()
        await pilot.press("r")
        await settle(pilot)
        assert "85.07.30-033.28" in cells(table, table.rows[0])
        assert "85.07.30-033.28" in table.render_line(1).text  # the first row's line, under the headers
        trail = await store.service.list_audit(world.lr, AuditFilter(action="person.reveal_niss"))
        assert [e.target for e in trail.items] == [f"person:{world.lr}"]


async def test_a_conflict_says_so_and_offers_to_reload(store) -> None:  # type: ignore[no-untyped-def]
    from tests.contract.conftest import main_designation

    world = store.world
    pending = await store.service.designate_main_access_manager(world.lr, main_designation())
    app = store.app(world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_designation(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        table = history(screen)
        table.focus()
        table.move_cursor(index_of(table, pending.id))
        assert "pending" in cells(table, table.cursor_row)

        await store.service.sign_in(
            world.newcomer
        )  # meanwhile the designee signs in: the designation changes
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "changed by someone else" in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert "active" in cells(table, table.rows[index_of(table, pending.id)])
        [current] = await main_access_managers(store, world.lr)
        assert current.status == "active"


async def test_the_replacement_question_concerns_the_enterprise_typed(store) -> None:  # type: ignore[no-untyped-def]
    town = (await store.service.get_overview(store.world.lr_town, store.world.townhall)).enterprise
    app = store.app(store.world.lr)
    notices = record_notices(app)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_designation(pilot)
        await fill_main_form(pilot, NEWCOMER_NISS)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one("#mam-submit").label.plain == "Replace"

        await fill_main_form(pilot, OUTSIDER_NISS)
        await type_into(pilot, "enterprise_ref", town.enterprise_number)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # the employer's Main Access Manager is not the town's
        assert any("legal representative" in n.message for n in notices if n.severity == "error")
        [current] = await main_access_managers(store, store.world.lr)
        assert current.person.id == store.world.newcomer


async def test_a_designation_active_at_once_says_it_is_active(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr, lang="nl")
    notices = record_notices(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_designation(pilot)
        await fill_main_form(pilot, LR_NISS)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [done] = [n.message for n in notices if "aangesteld" in n.message]
        assert "is actief" in done and "eerste aanmelding" not in done


async def test_only_a_main_access_manager_is_offered_the_managers_form(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Button

    from tests.contract.conftest import main_designation

    world = store.world
    await store.service.designate_main_access_manager(world.lr, main_designation())
    await store.service.sign_in(world.newcomer)
    for actor, offered in ((world.newcomer, True), (world.lr, False)):
        async with store.app(actor).run_test(size=(120, 40)) as pilot:
            screen = await open_designation(pilot)
            screen.query_one("#sections", TabbedContent).active = "managers"
            await settle(pilot)
            assert screen.query_one("#managers-why").display is not offered
            assert screen.query_one("#managers-submit", Button).disabled is not offered
            assert screen.check_action("submit", ()) is offered


async def test_the_overview_step_lists_the_pending_designations_and_one_is_cancelled(store) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.screens.overview import OverviewScreen
    from tests.contract.conftest import main_designation

    world = store.world
    pending = await store.service.designate_main_access_manager(world.lr, main_designation())
    app = store.app(world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        steps = app.screen.query_one("#next-steps", OptionList)
        steps.focus()
        steps.highlighted = next(
            i for i in range(steps.option_count) if steps.get_option_at_index(i).id == "pending_designations"
        )
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DesignationScreen)
        assert screen.query_one("#sections", TabbedContent).active == "pending"
        table = screen.query_one("#pending-designations", PagedTable)
        assert [row.id for row in table.rows] == [pending.id]
        table.focus()
        await settle(pilot)
        offered = {b.binding.action: b.binding.description for b in screen.active_bindings.values()}
        assert offered.get("cancel_designation") == "designation.cancel"
        assert "end_designation" not in offered
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "has not signed in yet" in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("y")
        await settle(pilot)
        assert table.rows == []
        assert any("is cancelled" in str(n.message) for n in app._notifications)
        assert await main_access_managers(store, world.lr) == []
        trail = await store.service.list_audit(
            world.lr, AuditFilter(action="designation.end", enterprise_id=world.employer)
        )
        assert [e.target for e in trail.items] == [f"designation:{pending.id}"]
