"""The mandate browser on a real SQLite store: filter, open, export, steps by the right and wrong party."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json

import pytest
from sqlalchemy import text
from textual.widgets import Input, OptionList, Select, SelectionList

from onss_tui.app import OnssApp
from onss_tui.config import Settings
from onss_tui.domain.quarters import Quarter
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.export import ExportScreen
from onss_tui.screens.mandate_detail import MandateDetailScreen, status_text, validity
from onss_tui.screens.mandate_form import MandateFormScreen
from onss_tui.screens.mandates import MandatesScreen
from onss_tui.services import dto
from onss_tui.services.dto import MandateAction, MandateStatus
from onss_tui.services.local.service import LocalService
from tests.conftest import World, niss
from tests.tui.browsing import Session, console, make_main_access_manager, settle
from tests.tui.conftest import Store, hold


async def give_mandates(service: LocalService, world: World) -> dict[str, dto.MandatePublic]:
    """Brasserie Dupont: a pending mandate to the secretariat and a draft to the provider; the commune of
    Namur: an active mandate to the secretariat that ends this quarter."""
    now = Quarter.current()
    pending = await service.create_mandate(
        world.lr,
        dto.MandateCreate(
            principal_id=world.employer,
            mandatary_id=world.secretariat,
            groups=["dmfa_dimona"],
            start_quarter=str(now.next()),
            submit=True,
        ),
    )
    draft = await service.create_mandate(
        world.lr,
        dto.MandateCreate(
            principal_id=world.employer,
            mandatary_id=world.provider,
            groups=["temporary_unemployment"],
            start_quarter=str(now),
            procuration_reference="PRC-17",
        ),
    )
    town = await service.create_mandate(
        world.lr_town,
        dto.MandateCreate(
            principal_id=world.townhall,
            mandatary_id=world.secretariat,
            groups=["dmfappl_dimona"],
            start_quarter=str(now),
            end_quarter=str(now),
            submit=True,
        ),
    )
    town = await service.accept_mandate(world.lr_ssa, town.id, town.version)
    return {"pending": pending, "draft": draft, "town": town}


async def test_the_history_is_muted_and_what_ends_this_quarter_marked(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        mark = session.table.mark
        assert mark is not None
        town = mandates["town"]
        expired = dto.MandateShownStatus.EXPIRED  # the service says so: its end quarter is past
        assert town.ends_this_quarter  # as the service says, by its calendar
        over = {"ends_this_quarter": False}
        ended = town.model_copy(
            update={"end_quarter": str(Quarter(2019, 4)), "shown_status": expired, **over}
        )
        closed = town.model_copy(update={"status": dto.MandateStatus.CLOSED, **over})
        rejected = mandates["pending"].model_copy(update={"status": dto.MandateStatus.REJECTED})
        shown = [mark(m) for m in (ended, closed, rejected, town, mandates["pending"], mandates["draft"])]
        assert shown == ["muted", "muted", "muted", "marked", None, None]


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
async def test_an_open_ended_validity_is_shown_whole(store: Store, lang: str) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support, lang=lang) as session:
        await session.open("mandates")
        start = session.app.quarter(mandates["pending"].start_quarter)
        assert validity(session.app, mandates["pending"]).endswith(session.app.t("mandates.open_end"))
        shown = validity(session.app, mandates["pending"], short=True)
        assert shown == session.app.t("mandates.validity_from", start=start)
        column = next(c for c in session.table.columns if c.key == "start")
        assert len(shown) <= column.width


async def test_an_unreadable_quarter_says_how_to_write_it(store: Store) -> None:
    await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        quarter = session.app.screen.query_one("#filter-quarter", Input)
        quarter.value = "2026Q5"
        await settle(session.pilot)
        assert "Write the quarter as 2026 Q3." in str(session.table.border_title)
        quarter.value = str(Quarter.current())
        await settle(session.pilot)
        assert "Write the quarter" not in str(session.table.border_title)


async def test_filter_open_one_and_export_the_view(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        screen = session.app.screen
        assert isinstance(screen, MandatesScreen)
        assert len(session.table.rows) == 3
        assert "all you may see" in str(session.table.border_title)
        town = next(m for m in session.table.rows if m.id == mandates["town"].id)
        assert session.table.mark is not None and session.table.mark(town) == "marked"

        await session.press("slash", *"namur")
        assert [m.principal.name for m in session.table.rows] == ["Commune de Namur"]
        await session.press("enter")
        assert session.table.has_focus
        await session.press("enter")
        dialog = session.app.screen
        assert isinstance(dialog, MandateDetailScreen)
        assert dialog.mandate.id == mandates["town"].id
        assert [b.id for b in dialog.query("Button")] == ["step-none"]  # support staff change nothing
        await session.press("escape")
        assert session.app.screen is screen

        screen.query_one("#filter-text", Input).value = ""
        screen.query_one("#filter-status", Select).value = "pending"
        await settle(session.pilot)
        assert [m.id for m in session.table.rows] == [mandates["pending"].id]
        await session.press("x")
        export = session.app.screen
        assert isinstance(export, ExportScreen)
        target = tmp_path / "view.csv"
        export.query_one("#path", Input).value = str(target)
        await session.press("ctrl+s")
        assert session.app.screen is screen
        with open(target, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [(r["id"], r["status"], r["mandatary_name"]) for r in rows] == [
            (str(mandates["pending"].id), "pending", "Securex Secrétariat Social")
        ]
        assert session.noticed(f"Mandates written: 1, to {target}")

        await session.press("x")
        session.app.screen.query_one("#format-json").value = True
        await session.pilot.pause()
        json_path = session.app.screen.query_one("#path", Input).value
        assert json_path.endswith("view.json")
        session.app.screen.query_one("#path", Input).value = str(tmp_path / "typed.csv")
        await session.pilot.pause()
        assert session.app.screen.query_one("#format-csv").value
        session.app.screen.query_one("#path", Input).value = json_path
        await session.pilot.pause()
        session.app.screen.query_one("#path", Input).focus()
        await session.press("enter")  # in the file field, as ctrl+s
        assert session.app.screen is screen
        with open(json_path, encoding="utf-8") as handle:
            assert [m["id"] for m in json.load(handle)] == [mandates["pending"].id]


async def test_the_mandatary_accepts_then_closes(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr_ssa) as session:
        await session.open("mandates")
        table = session.table
        table.move_cursor(next(i for i, m in enumerate(table.rows) if m.id == mandates["pending"].id))
        await session.press("a")
        await session.press("y")
        assert table.cursor_row.status == MandateStatus.ACTIVE
        assert table.cursor_row.validated_by == "Marie Dubois"
        assert session.noticed("Mandate accepted: active.")
        await session.press("c")
        await session.press("y")
        stored = await store.service.get_mandate(store.world.lr_ssa, mandates["pending"].id)
        assert stored.status == MandateStatus.CLOSED
        assert table.cursor_row.status == MandateStatus.CLOSED
        assert session.app.screen.check_action("step", ("close",)) is False
        assert await steps_said(session, "none: the mandate is final") == "none: the mandate is final"
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        table = session.table
        table.move_cursor(next(i for i, m in enumerate(table.rows) if m.id == mandates["town"].id))
        await settle(session.pilot)
        assert table.cursor_row.status == MandateStatus.ACTIVE
        # Either party may close it; support staff may not.
        assert await steps_said(session, "none you may take") == "none you may take"


async def steps_said(session, expected: str) -> str:  # type: ignore[no-untyped-def]
    """What the detail pane says of the steps the actor may take, once it says `expected` (the pane
    follows the cursor after a short delay; 5 s at most)."""
    detail = session.app.screen.query_one("#mandate-detail")

    def said() -> str:
        lines = [strip.text for strip in detail.render_lines(detail.size.region)]
        return next(line for line in lines if "Steps" in line).split("Steps", 1)[1].strip(" │")

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            while said() != expected:
                await session.pilot.pause()
    return said()


async def test_the_steps_are_hinted_with_their_keys_as_the_config_file_maps_them(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    settings = Settings(keys={"mandates.close": "z", "mandate.close": "w"})
    app = OnssApp(store.service, actor_id=store.world.lr, settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        session = Session(app, pilot)
        await settle(pilot)
        await session.open("mandates")
        table = session.table
        table.move_cursor(next(i for i, m in enumerate(table.rows) if m.id == mandates["pending"].id))
        assert await steps_said(session, "z Close") == "z Close"
        await session.press("enter")
        dialog = app.screen
        assert isinstance(dialog, MandateDetailScreen)
        detail = dialog.query_one("#mandate-dialog-detail")
        lines = [strip.text for strip in detail.render_lines(detail.size.region)]
        steps = next(line for line in lines if "Steps" in line).split("Steps", 1)[1].strip(" │")
        assert steps.startswith("w Close")


async def test_only_the_steps_of_the_actors_side_are_offered(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        table = session.table
        assert "this enterprise" in str(table.border_title)
        assert {m.principal.name for m in table.rows} == {"Brasserie Dupont"}
        table.move_cursor(next(i for i, m in enumerate(table.rows) if m.id == mandates["pending"].id))
        await settle(session.pilot)
        # Pending: the mandatary accepts or rejects it; the employer's legal representative may close it.
        assert table.cursor_row.steps == [MandateAction.CLOSE]
        offered = {b.action for _, b, on, _ in session.app.screen.active_bindings.values() if on}
        assert "step('close')" in offered and "step('accept')" not in offered
        assert "create" in offered  # the employer's legal representative gives mandates
        await session.press("a")
        assert table.cursor_row.status == MandateStatus.PENDING

        await session.press("v")
        assert "all you may see" in str(table.border_title)
        assert len(table.rows) == 2
    secretariat = await store.service.get_mandate(store.world.lr_ssa, mandates["pending"].id)
    assert secretariat.steps == [MandateAction.ACCEPT, MandateAction.REJECT]
    support = await store.service.get_mandate(store.world.support, mandates["pending"].id)
    assert support.steps == []


async def new_mandate_form(session) -> MandateFormScreen:  # type: ignore[no-untyped-def]
    """The mandate browser's New: the form of a new mandate."""
    await session.open("mandates")
    await session.press("n")
    form = session.app.screen
    assert isinstance(form, MandateFormScreen)
    return form


async def test_create_a_mandate_and_a_bad_quarter_stays_beside_its_field(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        form = await new_mandate_form(session)
        await session.press(*"payroll")
        options = form.query_one("#mandatary-list", OptionList)
        assert options.option_count == 1
        options.highlighted = 0
        groups = form.query_one("#group-list", SelectionList)
        groups.select("temporary_unemployment")
        start = form.query_one("#start-quarter", Input)
        start.value = "2020Q1"
        await session.press("ctrl+s")
        assert session.app.screen is form
        assert form.query_one("#start_quarter").has_class("-invalid")
        assert "past" in str(form.query_one("#start_quarter .form-error").render())
        assert groups.selected == ["temporary_unemployment"]

        start.value = str(Quarter.current().next())
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, MandatesScreen)
        created = session.table.cursor_row
        assert created is not None and created.mandatary.name == "Payroll Partners"
        assert created.status == MandateStatus.TO_FINALISE
        assert session.noticed("Mandate to Payroll Partners created: to be finalised.")


async def test_a_bracket_typed_in_a_field_is_said_back_as_typed(store: Store) -> None:
    """Reasons that repeat what was typed are plain text: `[/]` is not markup (it closed the console)."""
    async with console(store.service, store.world.lr) as session:
        form = await new_mandate_form(session)
        start = form.query_one("#start-quarter", Input)
        start.focus()
        start.value = ""
        await session.press(*"[/]")
        said = str(form.query_one("#start_quarter .form-error").render())
        assert said == '"[/]" is not a quarter; write it as 2026 Q3.'
        await session.press("ctrl+s")  # and the service says it again, beside the field
        assert session.app.is_running and session.app.screen is form
        assert '"[/]"' in str(form.query_one("#start_quarter .form-error").render())


async def test_a_mandatary_found_by_name_is_chosen_by_going_to_the_list(store: Store) -> None:
    """Search, Enter to the list of matches: the first is highlighted, as saving will choose it."""
    async with console(store.service, store.world.lr, lang="fr") as session:
        form = await new_mandate_form(session)
        await session.press(*"payroll")
        await session.press("ctrl+s")  # nothing chosen yet: the service says so, in the console's language
        said = str(form.query_one("#mandatary_id .form-error").render())
        assert said.startswith("Choisissez le mandataire")
        session.app.lang = "nl"  # said again in the new language
        await settle(session.pilot)
        assert str(form.query_one("#mandatary_id .form-error").render()).startswith("Kies de mandataris")
        session.app.lang = "fr"
        form.query_one("#mandatary-search", Input).focus()
        await session.press("enter")
        options = form.query_one("#mandatary-list", OptionList)
        assert session.app.focused is options and options.highlighted == 0
        form.query_one("#group-list", SelectionList).select("temporary_unemployment")
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, MandatesScreen)
        created = session.table.cursor_row
        assert created is not None and created.mandatary.name == "Payroll Partners"


async def test_sort_by_key_and_status_filter(store: Store) -> None:
    await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        table = session.table
        assert [m.principal.name for m in table.rows] == [
            "Brasserie Dupont",
            "Brasserie Dupont",
            "Commune de Namur",
        ]
        await session.press("S")
        assert table.rows[0].principal.name == "Commune de Namur"
        await session.press("s")
        assert table.sort_key == "mandatary"
        screen = session.app.screen
        screen.query_one("#filter-status", Select).value = "active"
        await settle(session.pilot)
        assert [m.status for m in table.rows] == [MandateStatus.ACTIVE]


async def test_switching_language_relabels_the_browser(store: Store) -> None:
    await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        screen = session.app.screen
        session.app.set_language("fr")
        await settle(session.pilot)
        assert [c.label for c in session.table.columns][:2] == ["Mandant", "Mandataire"]
        assert str(session.table.border_title) == "Mandats · cette entreprise"
        assert screen.query_one("#filter-text", Input).placeholder == "Numéro ou nom"
        pending = next(m for m in session.table.rows if m.status == MandateStatus.PENDING)
        status = next(c for c in session.table.columns if c.key == "status")
        assert status.cell(pending) == "en attente"
        session.app.set_language("nl")
        await settle(session.pilot)
        assert status.cell(pending) == "in afwachting"
        assert session.table.columns[0].label == "Mandaatgever"
        assert "Details" in str(screen.query_one("#mandate-detail").border_title)


async def test_cancelling_an_export_leaves_no_partial_file(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gate = asyncio.Event()

    async def write(out, fmt, progress) -> int:  # type: ignore[no-untyped-def]
        out.write("id\n1\n")
        progress(1)
        await gate.wait()
        return 1

    target = tmp_path / "partial.csv"
    async with console(store.service, store.world.lr) as session:
        session.app.push_screen(ExportScreen("mandates.export.title", target, write))
        await session.pilot.pause()
        await session.pilot.press("ctrl+s")
        assert "Written so far: 1" in str(session.app.screen.query_one("#export-note").render())
        assert target.exists()
        await session.press("escape")
        assert not isinstance(session.app.screen, ExportScreen)
        assert not target.exists()


async def test_a_conflict_says_so_and_reloads_the_mandate(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        table = session.table
        table.move_cursor(next(i for i, m in enumerate(table.rows) if m.id == mandates["draft"].id))
        draft = mandates["draft"]
        await store.service.submit_mandate(store.world.lr, draft.id, draft.version)
        await session.press("c", "y")
        dialog = session.app.screen
        assert "Changed by someone else" in str(dialog.query_one("#confirm-title").render())
        await session.press("y")
        assert table.cursor_row.status == MandateStatus.PENDING
        assert table.cursor_row.version == draft.version + 1
        assert (await store.service.get_mandate(store.world.lr, draft.id)).status == MandateStatus.PENDING


async def test_the_detail_pane_shows_the_mandate_the_cursor_rests_on(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        detail = session.app.screen.query_one("#mandate-detail")

        def shown() -> str:
            return "".join(strip.text for strip in detail.render_lines(detail.size.region))

        await session.press("down", "down")
        assert session.table.cursor_row.id == mandates["town"].id
        async with asyncio.timeout(5):
            while "Commune de Namur" not in shown():
                await session.pilot.pause()
        await session.press("up")
        async with asyncio.timeout(5):
            while "PRC-17" not in shown():
                await session.pilot.pause()


async def test_a_filter_typed_before_the_first_page_comes_is_applied(store: Store) -> None:
    await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        gate = hold(store.service, "list_mandates")
        session.app.open_screen("mandates")
        await session.pilot.pause()
        assert session.table.is_loading and not session.table.rows
        await session.pilot.press("slash", *"namur")
        gate.set()
        await settle(session.pilot)
        assert [m.principal.name for m in session.table.rows] == ["Commune de Namur"]


async def test_saving_right_after_typing_a_search_chooses_among_its_matches(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        form = await new_mandate_form(session)
        await session.press(*"payroll")
        form.query_one("#mandatary-list", OptionList).highlighted = 0  # Payroll Partners, chosen
        form.query_one("#group-list", SelectionList).select("temporary_unemployment")
        gate = hold(store.service, "list_providers")
        # Another search, saved at once: Payroll Partners, still highlighted, is not among its matches.
        await session.pilot.press(*["backspace"] * 7, *"securex", "ctrl+s")
        gate.set()
        await settle(session.pilot)
        assert session.app.screen is form
        assert form.query_one("#mandatary_id").has_class("-invalid")
        given = await store.service.list_mandates(store.world.lr, dto.MandateFilter())
        assert [m.mandatary.name for m in given.items] == []


async def test_reloading_the_list_shows_the_highlighted_mandate_as_it_now_is(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        detail = session.app.screen.query_one("#mandate-detail")

        async def until_shown(text: str) -> None:
            async with asyncio.timeout(5):
                while text not in "".join(strip.text for strip in detail.render_lines(detail.size.region)):
                    await session.pilot.pause()

        pending = mandates["pending"]
        while session.table.cursor_row.id != pending.id:
            await session.press("down")
        await until_shown("Status   pending")
        await store.service.accept_mandate(store.world.lr_ssa, pending.id, pending.version)  # elsewhere
        await session.press("f5")
        assert session.table.cursor_row.id == pending.id
        assert session.table.cursor_row.status == MandateStatus.ACTIVE
        await until_shown("Status   active")


async def test_new_is_offered_only_to_whoever_gives_mandates(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(
            enterprise_id=store.world.employer, niss=niss("950615334"), services=["mahis_consult"]
        ),
    )
    async with console(store.service, store.world.newcomer) as session:  # a user who consults mandates
        await session.open("mandates")
        await settle(session.pilot)
        offered = {b.action for _, b, on, _ in session.app.screen.active_bindings.values() if on}
        assert "create" not in offered and "export" in offered


async def test_leaving_a_form_with_something_typed_asks_first(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        await session.open("mandates")
        screen = session.app.screen
        await session.press("n", "escape")  # nothing typed: closes at once
        assert session.app.screen is screen
        await session.press("n", *"payroll", "escape")
        assert isinstance(session.app.screen, ConfirmScreen)
        await session.press("escape")  # no: back to the form as typed
        form = session.app.screen
        assert isinstance(form, MandateFormScreen)
        assert form.query_one("#mandatary-search", Input).value == "payroll"
        await session.press("escape", "y")
        assert session.app.screen is screen
        await session.press("n")  # a mandatary chosen in the list, nothing typed: asked too
        session.app.screen.query_one("#mandatary-list", OptionList).highlighted = 0
        await session.press("escape")
        assert isinstance(session.app.screen, ConfirmScreen)


async def test_an_active_mandate_past_its_end_quarter_says_it_has_expired(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    past = Quarter.current().previous()
    with store.service.engine.begin() as connection:  # a mandate given long ago, never closed
        connection.execute(
            text("UPDATE mandate SET start_quarter = :start, end_quarter = :end WHERE id = :id"),
            {"start": past.previous().code, "end": past.code, "id": mandates["town"].id},
        )
    async with console(store.service, store.world.support) as session:
        await session.open("mandates")
        screen = session.app.screen
        assert isinstance(screen, MandatesScreen)
        town = next(m for m in session.table.rows if m.id == mandates["town"].id)
        assert town.status == MandateStatus.ACTIVE
        assert screen._status_cell(town) == "active, expired"
        assert session.table.mark is not None and session.table.mark(town) == "muted"
        assert f"expired: its validity ended with {past.written('en')}" in str(status_text(session.app, town))


@pytest.mark.parametrize(("lang", "expired_label"), [("en", "active, expired"), ("fr", "actif, expiré")])
async def test_the_status_filter_tells_active_mandates_from_expired_ones(
    store: Store, lang: str, expired_label: str
) -> None:
    """Chosen from the list as a user does: "active" shows what covers now or later, and "active,
    expired" the active mandates past their end quarter, as their rows say."""
    mandates = await give_mandates(store.service, store.world)
    pending = mandates["pending"]
    later = await store.service.accept_mandate(store.world.lr_ssa, pending.id, pending.version)
    past = Quarter.current().previous()
    with store.service.engine.begin() as connection:  # a mandate given long ago, never closed
        connection.execute(
            text("UPDATE mandate SET start_quarter = :start, end_quarter = :end WHERE id = :id"),
            {"start": past.previous().code, "end": past.code, "id": mandates["town"].id},
        )
    async with console(store.service, store.world.support, lang=lang) as session:
        await session.open("mandates")
        screen = session.app.screen
        assert isinstance(screen, MandatesScreen)
        status = screen.query_one("#filter-status", Select)

        async def choose(label: str) -> list[int]:
            status.focus()
            await session.press("enter")
            options = session.app.screen.query_one(OptionList)
            labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            await session.press("home", *["down"] * labels.index(label), "enter")
            assert status.value != Select.NULL
            return [m.id for m in session.table.rows]

        assert await choose(expired_label) == [mandates["town"].id]
        town = session.table.rows[0]
        assert screen._status_cell(town) == expired_label  # the filter says what the row says
        assert await choose(session.app.t("mandate.status.active")) == [later.id]


async def test_a_user_holding_mahis_manage_is_offered_to_give_a_mandate(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    offered = {}
    for name, services in (("Clara", ["mahis_manage"]), ("Ilse", ["mahis_consult"])):
        user = await store.service.create_user(
            store.world.lr,
            dto.UserCreate(
                enterprise_id=store.world.employer,
                niss=niss("840404404" if name == "Ilse" else "900101123"),
                first_name=name,
                last_name="V",
                services=services,
            ),
        )
        async with console(store.service, user.person.id) as session:
            await session.open("mandates")
            screen = session.app.screen
            offered[name] = any(
                binding.action == "create" and enabled
                for _, binding, enabled, _ in screen.active_bindings.values()
            )
    assert offered == {"Clara": True, "Ilse": False}


async def test_a_mandate_closed_before_its_end_says_when_it_ended(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    draft = mandates["draft"]
    closed = await store.service.close_mandate(store.world.lr, draft.id, draft.version)
    async with console(store.service, store.world.lr) as session:
        said = validity(session.app, closed)
        assert (
            said
            == f"{session.app.quarter(closed.start_quarter)} → ended {session.app.day(closed.updated_at)}"
        )
        assert validity(session.app, mandates["pending"]).endswith("→ open-ended")


async def test_the_step_to_accept_mandates_shows_those_waiting(store: Store) -> None:
    mandates = await give_mandates(store.service, store.world)
    world = store.world
    await store.service.create_mandate(  # the secretariat's own, waiting for the provider: not its to accept
        world.lr_ssa,
        dto.MandateCreate(
            principal_id=world.secretariat_enterprise,
            mandatary_id=world.provider,
            groups=["dmfa_dimona"],
            start_quarter=str(Quarter.current()),
            submit=True,
        ),
    )
    async with console(store.service, store.world.lr_ssa) as session:
        steps = session.app.screen.query_one("#next-steps", OptionList)
        ids = [steps.get_option_at_index(i).id for i in range(steps.option_count)]
        steps.focus()
        steps.highlighted = ids.index("accept_mandates")
        await session.press("enter")
        assert isinstance(session.app.screen, MandatesScreen)
        assert session.app.screen.query_one("#filter-status", Select).value == "pending"
        assert [m.id for m in session.table.rows] == [mandates["pending"].id]
        assert "as mandatary" in str(session.table.border_title)
