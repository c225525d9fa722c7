"""The users screen on a real SQLite store: create a user, grant Dimona, several at once, refusals."""

from __future__ import annotations

from textual import events
from textual.widgets import SelectionList, Static

from onss_tui.domain.identifiers import format_niss
from onss_tui.screens.reveal import RevealScreen
from onss_tui.screens.user_form import UserFormScreen
from onss_tui.screens.users import UsersScreen
from onss_tui.services import dto
from onss_tui.widgets.identifier_input import IdentifierInput
from tests.conftest import niss
from tests.tui.browsing import console, make_main_access_manager, settle
from tests.tui.conftest import Store, hold

NEW_NISS = niss("900101123")


async def type_into(session, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    session.app.screen.query_one(f"#{field}", IdentifierInput).focus_input()
    await session.pilot.press(*text)


async def test_create_a_user_grant_dimona_and_find_both_in_the_audit_trail(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        assert isinstance(session.app.screen, UsersScreen)
        await session.press("n")
        assert isinstance(session.app.screen, UserFormScreen)
        await type_into(session, "niss", NEW_NISS)
        await type_into(session, "first_name", "Lotte")
        await type_into(session, "last_name", "Verhoeven")
        await type_into(session, "phone", "0478123456")
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UsersScreen)
        assert session.noticed("Lotte Verhoeven is now a user")
        created = session.table.cursor_row
        assert created is not None and created.person.last_name == "Verhoeven"
        assert created.person.niss_masked == "90.01.01-***.**"

        await session.press("plus")
        checklist = session.app.screen.query_one(SelectionList)
        assert checklist.get_option_at_index(0).value == "dimona"
        await session.press("space", "ctrl+s")
        users = await store.service.list_users(store.world.lr, store.world.employer)
        assert [u.services for u in users.items if u.id == created.id] == [["dimona"]]
        assert session.table.cursor_row.services == ["dimona"]
        assert session.noticed("Dimona granted to Lotte Verhoeven")

        await session.open("audit")
        shown = [(e.action, e.target) for e in session.table.rows]
        assert ("user.create", f"user:{created.id}") in shown
        assert ("user.grant", f"user:{created.id}") in shown
        grant = next(e for e in session.table.rows if e.action == "user.grant")
        assert grant.actor == "Anne Peeters" and grant.after == {"services": ["dimona"]}


async def test_keys_that_arrive_together_go_to_the_field_tab_moves_to(store: Store) -> None:
    """Keys typed fast, or that arrive together over SSH, reach the app all at once: those after Tab go to
    the next field, not to the one Tab leaves."""
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("n")
        session.app.screen.query_one("#first_name", IdentifierInput).focus_input()
        await settle(session.pilot)
        burst = [*"Lotte", "tab", *"Verhoeven", "tab", *"0478123456"]
        for key in burst:  # as the terminal driver posts them: none handled before the next is posted
            session.app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(session.pilot)
        form = session.app.screen
        fields = ("first_name", "last_name", "phone")
        typed = [form.query_one(f"#{field}", IdentifierInput).value for field in fields]
        assert typed == ["Lotte", "Verhoeven", "0478123456"]


async def test_a_refused_field_shows_beside_it_and_the_form_stays_as_typed(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("n")
        await type_into(session, "niss", NEW_NISS)
        await type_into(session, "email", "not-an-address")
        await session.press("ctrl+s")
        form = session.app.screen
        assert isinstance(form, UserFormScreen)
        assert form.query_one("#email", IdentifierInput).has_class("-invalid")
        assert session.noticed("Some fields need correcting")

        email = form.query_one("#email", IdentifierInput)
        email.value = "lotte@example.be"
        await session.press("ctrl+s")
        assert session.app.screen is form
        assert form.query_one("#niss", IdentifierInput).value == NEW_NISS
        assert email.value == "lotte@example.be"
        first_name = form.query_one("#first_name", IdentifierInput)
        assert first_name.has_class("-invalid")
        assert "first name" in str(first_name.query_one(".field-reason").render())
        users = await store.service.list_users(store.world.lr, store.world.employer)
        assert users.items == []


async def test_grant_to_several_selected_users_at_once(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    for base, last in (("800101012", "Aerts"), ("810202024", "Baert"), ("820303036", "Cools")):
        await store.service.create_user(
            store.world.lr,
            dto.UserCreate(
                enterprise_id=store.world.employer, niss=niss(base), first_name="X", last_name=last
            ),
        )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("space", "space")
        assert sorted(u.person.last_name for u in session.table.selected.values()) == ["Aerts", "Baert"]
        await session.press("plus")
        assert "2 users" in str(session.app.screen.query_one("#checklist-who").render())
        checklist = session.app.screen.query_one(SelectionList)
        offered = [checklist.get_option_at_index(i).value for i in range(checklist.option_count)]
        assert "dmfa" in offered and "dmfappl" not in offered  # an employer's users: not DmfAPPL
        await session.press("space", "ctrl+s")
        services = {u.person.last_name: u.services for u in session.table.rows}
        assert services == {"Aerts": ["dimona"], "Baert": ["dimona"], "Cools": []}
        assert session.table.selected == {}


async def test_suspend_reactivate_and_remove_after_confirmation(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    user = await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("p")
        assert session.table.cursor_row.status == dto.UserStatus.SUSPENDED
        await session.press("u")
        assert session.table.cursor_row.status == dto.UserStatus.ACTIVE
        await session.press("delete")
        await session.press("n")
        assert (await store.service.get_user(store.world.lr, user.id)).status == dto.UserStatus.ACTIVE
        await session.press("delete")
        await session.press("y")
        assert (await store.service.get_user(store.world.lr, user.id)).status == dto.UserStatus.REMOVED
        assert session.noticed("Lotte V was removed")
        assert user.id not in [u.id for u in session.table.rows]  # removed users are not shown here


async def test_reveal_shows_the_number_and_is_recorded(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    user = await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        screen = session.app.screen
        assert isinstance(screen, UsersScreen)
        assert screen._niss(session.table.cursor_row) == "90.01.01-***.**"
        detail = screen.query_one("#user-detail")
        assert "(r: reveal)" in "".join(strip.text for strip in detail.render_lines(detail.size.region))
        await session.press("r")  # someone else's number: the reason is asked first
        dialog = session.app.screen
        assert isinstance(dialog, RevealScreen)
        await session.press("enter")  # no reason: said beside the field, nothing revealed
        assert session.app.screen is dialog
        assert "Say why you need it" in str(dialog.query_one("#reason .form-error", Static).render())
        await session.pilot.press(*"payroll check")
        await session.press("enter")
        assert session.app.screen is screen
        assert screen._niss(session.table.cursor_row) == format_niss(NEW_NISS)
        trail = await store.service.list_audit(store.world.lr, dto.AuditFilter(action="person.reveal_niss"))
        assert [(e.target, e.after["stated_reason"]) for e in trail.items] == [
            (f"person:{user.person.id}", "payroll check")
        ]


async def test_the_reveal_hint_names_the_key_a_keymap_gives(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr) as session:
        session.app.set_keymap({"users.reveal": "f9,ctrl+r", "users.create": ""})
        await session.open("users")
        detail = session.app.screen.query_one("#user-detail")
        assert "(f9: reveal)" in "".join(strip.text for strip in detail.render_lines(detail.size.region))


async def test_someone_who_manages_no_users_is_told_why(store: Store) -> None:
    async with console(store.service, store.world.lr_town) as session:
        await session.open("users")
        await settle(session.pilot)
        assert session.table.rows == []
        assert session.noticed("Only the Access Managers of the enterprise see its users.")
        first_line = "".join(segment.text for segment in session.table.render_line(1))
        assert first_line.strip() == "Only the Access Managers of the enterprise see its users."


async def test_the_service_says_why_in_the_console_s_language(store: Store) -> None:
    async with console(store.service, store.world.lr_town, lang="nl") as session:
        await session.open("users")
        await settle(session.pilot)
        assert session.noticed("Enkel de Toegangsbeheerders van de onderneming zien haar gebruikers.")

    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr, lang="fr") as session:
        await session.open("users")
        await session.press("n")
        await type_into(session, "niss", NEW_NISS)
        await session.press("ctrl+s")
        field = session.app.screen.query_one("#niss", IdentifierInput)
        said = str(field.query_one(".field-reason", Static).render())
        assert said == "Cette personne est déjà utilisateur de l'entreprise."
        session.app.lang = "nl"  # said again in the new language, as the rest of the form
        await settle(session.pilot)
        said = str(field.query_one(".field-reason", Static).render())
        assert said == "Deze persoon is al gebruiker van de onderneming."


async def test_a_conflict_says_so_and_reloads_the_user(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    user = await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await store.service.update_user(
            store.world.lr, user.id, dto.UserUpdate(expected_version=user.version, phone="0478999999")
        )
        await session.press("p")
        assert "Changed by someone else" in str(session.app.screen.query_one("#confirm-title").render())
        await session.press("y")
        assert session.table.cursor_row.phone == "+32478999999"
        assert session.table.cursor_row.status == dto.UserStatus.ACTIVE
        await session.press("p")
        assert session.table.cursor_row.status == dto.UserStatus.SUSPENDED


async def test_a_plain_user_sees_and_changes_only_their_own_record(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    # Nina Nieuw is known already: her names need not be typed again.
    await store.service.create_user(
        store.world.lr, dto.UserCreate(enterprise_id=store.world.employer, niss=niss("950615334"))
    )
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(
            enterprise_id=store.world.employer, niss=niss("800101012"), first_name="X", last_name="N"
        ),
    )
    async with console(store.service, store.world.newcomer) as session:  # Nina Nieuw, a plain user
        await session.open("users")
        await settle(session.pilot)
        assert [u.person.first_name for u in session.table.rows] == ["Nina"]
        keys = {b.action for _, b, enabled, _ in session.app.screen.active_bindings.values() if enabled}
        assert "edit" in keys and not {"create", "grant", "withdraw"} & keys
        await session.press("o")
        form = session.app.screen
        assert isinstance(form, UserFormScreen)
        mine = form.user
        assert mine is not None
        changed = await store.service.update_user(  # meanwhile an Access Manager gives her account a phone
            store.world.lr, mine.id, dto.UserUpdate(expected_version=mine.version, phone="0478999999")
        )
        await type_into(session, "email", "nina@nieuw.be")
        await session.press("ctrl+s")  # a conflict: the field she left shows what is stored now
        assert form.query_one("#phone", IdentifierInput).value == "+32478999999"
        assert form.query_one("#email", IdentifierInput).value == "nina@nieuw.be"  # what she typed is kept
        form.query_one("#last_name", IdentifierInput).value = "Nieuwenhuis"  # her own name: hers to change
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UsersScreen)
        row = session.table.cursor_row
        assert (row.phone, row.email, row.person.last_name) == (
            "+32478999999",
            "nina@nieuw.be",
            "Nieuwenhuis",
        )
        assert row.version > changed.version


async def test_a_manager_changes_the_account_s_contact_data_but_not_the_person_s_name(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr, size=(80, 24), lang="fr") as session:
        await session.open("users")
        await session.press("o")
        form = session.app.screen
        assert isinstance(form, UserFormScreen)
        assert not list(form.query("#first_name").results(IdentifierInput))  # shown, not editable
        assert form.query_one("#last_name-shown", Static).render().plain == "V"  # type: ignore[union-attr]
        await type_into(session, "phone", "0478123456")
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UsersScreen)
        assert session.table.cursor_row.phone == "+32478123456"
        assert session.noticed("Lotte V\u00a0: modifications enregistrées.")


async def test_a_refused_grant_keeps_the_dialog_and_its_ticks_and_names_who(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    for base, last in (("800101012", "Aerts"), ("810202024", "Baert")):
        created = await store.service.create_user(
            store.world.lr,
            dto.UserCreate(
                enterprise_id=store.world.employer, niss=niss(base), first_name="X", last_name=last
            ),
        )
    await store.service.set_user_status(store.world.lr, created.id, "suspended", created.version)  # Baert
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("space", "space", "plus")
        await session.press("ctrl+s")  # nothing checked yet: said, and the dialog stays
        assert session.noticed("Check at least one online service")
        dialog = session.app.screen
        await session.press("space", "ctrl+s")
        assert session.app.screen is dialog
        assert dialog.query_one(SelectionList).selected == ["dimona"]
        assert session.noticed("not active: X Baert")
        users = await store.service.list_users(store.world.lr, store.world.employer)
        assert all(u.services == [] for u in users.items)


async def test_a_grant_on_its_way_is_not_cancelled_from_under_it(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(
            enterprise_id=store.world.employer, niss=niss("800101012"), first_name="X", last_name="A"
        ),
    )
    gate = hold(store.service, "grant_services")
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("plus")
        dialog = session.app.screen
        await session.pilot.press("space", "ctrl+s", "escape")  # sent, then Escape: the grant goes on
        assert session.app.screen is dialog
        gate.set()
        await settle(session.pilot)
        assert isinstance(session.app.screen, UsersScreen)
        assert session.table.cursor_row.services == ["dimona"]
        assert session.noticed("Dimona granted to X A")


async def test_support_staff_change_a_person_s_name_and_nothing_else(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lote", last_name="V"),
    )
    async with console(store.service, store.world.support, size=(80, 24), lang="nl") as session:
        await session.press("enter")  # the enterprise picker: Brasserie Dupont comes first
        await session.open("users")
        await session.press("o")
        form = session.app.screen
        assert isinstance(form, UserFormScreen)
        assert not list(form.query("#phone").results(IdentifierInput))  # the account's: not theirs
        first_name = form.query_one("#first_name", IdentifierInput)
        first_name.value = "Lotte"
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UsersScreen)
        assert session.table.cursor_row.person.first_name == "Lotte"
        assert session.noticed("Lotte V: wijzigingen bewaard.")


async def test_after_a_conflict_the_form_keeps_what_was_typed_beside_what_is_stored_now(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    user = await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr, size=(80, 24), lang="nl") as session:
        await session.open("users")
        await session.press("o")
        form = session.app.screen
        assert isinstance(form, UserFormScreen)
        await store.service.update_user(  # meanwhile someone else changes both contact data
            store.world.lr,
            user.id,
            dto.UserUpdate(expected_version=user.version, phone="0478999999", email="lotte@elders.be"),
        )
        await type_into(session, "phone", "0471222333")
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UserFormScreen)
        assert form.query_one("#phone", IdentifierInput).value.replace(" ", "") == "0471222333"
        stored = form.query_one("#phone-stored", Static)
        assert stored.has_class("-shown") and "+32478999999" in str(stored.render())
        assert "Intussen door iemand anders opgeslagen" in str(stored.render())
        assert form.query_one("#email", IdentifierInput).value == "lotte@elders.be"  # hers, untouched
        assert session.noticed("Door iemand anders gewijzigd")
        await session.press("ctrl+s")  # again: hers, on the current version
        assert isinstance(session.app.screen, UsersScreen)
        now = await store.service.get_user(store.world.lr, user.id)
        assert (now.phone, now.email) == ("+32471222333", "lotte@elders.be")


async def test_the_table_names_a_user_as_the_detail_does(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="V"),
    )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        name = next(c for c in session.table.columns if c.key == "name")
        assert name.cell(session.table.rows[0]) == "Lotte V"


async def test_the_grant_dialog_shows_what_is_held_and_a_withdrawal_counts_the_holders(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    for base, last, services in (("800101012", "Aerts", ["dimona"]), ("810202024", "Baert", [])):
        await store.service.create_user(
            store.world.lr,
            dto.UserCreate(
                enterprise_id=store.world.employer,
                niss=niss(base),
                first_name="X",
                last_name=last,
                services=services,
            ),
        )
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("space", "space")
        await session.press("plus")
        checklist = session.app.screen.query_one(SelectionList)
        labels = {
            checklist.get_option_at_index(i).value: str(checklist.get_option_at_index(i).prompt)
            for i in range(checklist.option_count)
        }
        assert labels["dimona"].endswith("(held by 1 of 2)")
        await session.press("escape")
        await session.press("space", "space")
        await session.press("minus")
        await session.press("space", "ctrl+s")
        assert session.noticed("withdrawn from X Aerts")


async def test_a_manager_exports_the_users_and_their_services_a_user_may_not(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv

    from onss_tui.screens.export import ExportScreen
    from onss_tui.widgets.input import Input

    await make_main_access_manager(store.service, store.world)
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(
            enterprise_id=store.world.employer, niss=NEW_NISS, first_name="Lotte", last_name="Vos"
        ),
    )
    await store.service.create_user(
        store.world.lr,
        dto.UserCreate(
            enterprise_id=store.world.employer, niss=niss("950615334"), services=["dimona", "mahis_consult"]
        ),
    )
    async with console(store.service, store.world.lr, lang="fr") as session:
        await session.open("users")
        await session.press("x")
        export = session.app.screen
        assert isinstance(export, ExportScreen)
        target = tmp_path / "rights.csv"
        export.query_one("#path", Input).value = str(target)
        await session.press("ctrl+s")
        assert isinstance(session.app.screen, UsersScreen)
        with open(target, encoding="utf-8") as handle:
            rows = sorted((r["last_name"], r["service"]) for r in csv.DictReader(handle))
        newcomer = next(name for name, service in rows if service == "dimona")
        assert rows == sorted([(newcomer, "dimona"), (newcomer, "mahis_consult"), ("Vos", "")])
        said = "Lignes écrites (un utilisateur et un service chacune)\u00a0: 3, dans"
        assert session.noticed(f"{said} {target}")
    async with console(store.service, store.world.newcomer) as session:  # a user: not every user's rights
        await session.open("users")
        offered = {b.action for _, b, on, _ in session.app.screen.active_bindings.values() if on}
        assert "export" not in offered


async def test_an_export_the_service_refuses_says_why_and_leaves_no_file(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.screens.export import ExportScreen
    from onss_tui.widgets.input import Input

    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("users")
        await session.press("x")
        export = session.app.screen
        assert isinstance(export, ExportScreen)
        target = tmp_path / "rights.csv"
        export.query_one("#path", Input).value = str(target)
        # Meanwhile, elsewhere, she stops being the Main Access Manager: she may no longer export.
        held = await store.service.list_designations(store.world.lr, store.world.employer)
        main = next(d for d in held.items if d.role == dto.Role.MAIN_ACCESS_MANAGER)
        await store.service.end_designation(store.world.lr, main.id, main.version)
        await session.press("ctrl+s")
        assert session.noticed(
            "Only the Access Managers of the enterprise and support staff export its users"
        )
        assert session.app.screen is export and not target.exists()
