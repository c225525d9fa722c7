"""The audit trail screen on a real SQLite store: entries, filters, the chain intact and broken."""

from __future__ import annotations

import contextlib
import io

from rich.console import Console
from sqlalchemy import text
from textual.widgets import Input, Static

from onss_tui.screens.audit import AuditScreen
from tests.tui.browsing import console, make_main_access_manager, settle
from tests.tui.conftest import Store


async def test_verify_says_the_trail_is_intact(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("audit")
        assert isinstance(session.app.screen, AuditScreen)
        assert "designation.designate_main" in [e.action for e in session.table.rows]
        await session.press("v")
        chain = session.app.screen.query_one("#audit-chain")
        assert chain.has_class("-intact")
        assert "Audit trail intact" in str(chain.render())
        assert "no signed checkpoint protects it" in str(chain.render())  # this store has no key
        assert session.noticed("Audit trail intact")


async def test_verifying_is_for_support_staff(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr, lang="fr") as session:
        await session.open("audit")
        await session.press("v")
        chain = session.app.screen.query_one("#audit-chain")
        assert not chain.has_class("-intact", "-broken")
        assert session.noticed("Seule l'assistance (helpdesk) vérifie le journal d'audit")


async def test_an_entry_names_what_it_was_done_to(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        await session.open("audit")
        rows = session.table.rows
        designated = next(e for e in rows if e.action == "designation.designate_main")
        on = next(c for c in session.table.columns if c.key == "target")
        assert str(on.cell(designated)) == "Anne Peeters"
        session.table.move_cursor(rows.index(designated))
        await settle(session.pilot)
        shown = Console(width=120, record=True, file=io.StringIO())
        shown.print(session.app.screen.query_one("#audit-entry", Static).content)
        assert f"Anne Peeters  {designated.target.replace(':', ' ')}" in shown.export_text()


async def test_a_refusal_says_why_in_the_reader_s_language(store: Store) -> None:
    from onss_tui.services import dto
    from onss_tui.services.errors import PermissionDenied

    with contextlib.suppress(PermissionDenied):  # refused, and recorded as such
        await store.service.create_user(
            store.world.outsider,
            dto.UserCreate(
                enterprise_id=store.world.employer, niss="85073003328", first_name="E", last_name="S"
            ),
        )
    async with console(store.service, store.world.support, lang="nl") as session:
        await session.open("audit")
        rows = session.table.rows
        refused = next(e for e in rows if e.outcome == "refused")
        assert refused.after["reason"] == "Only an Access Manager of the enterprise creates users."
        session.table.move_cursor(rows.index(refused))
        await settle(session.pilot)
        shown = Console(width=120, record=True, file=io.StringIO())
        shown.print(session.app.screen.query_one("#audit-entry", Static).content)
        text_shown = shown.export_text()
        line = next(line for line in text_shown.splitlines() if line.startswith("Reden"))
        assert (
            line.split(maxsplit=1)[1].strip()
            == "Enkel een Toegangsbeheerder van de onderneming maakt gebruikers aan."
        )
        assert "reason" not in text_shown  # said once, not again in the record's fields


async def test_what_no_person_did_is_said_to_be_the_systems_in_each_language(store: Store) -> None:
    from onss_tui.services.local.tokens import issue_token

    issue_token(store.service.engine, "a-secret-of-at-least-thirty-two-characters", store.world.lr)
    async with console(store.service, store.world.support, lang="fr") as session:
        await session.open("audit")
        issued = next(e for e in session.table.rows if e.action == "api_token.issue")
        who = next(c for c in session.table.columns if c.key == "actor")
        assert (issued.actor, who.cell(issued)) == ("system", "système")


async def test_filters_by_action_person_and_enterprise(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("audit")
        screen = session.app.screen
        everything = len(session.table.rows)
        screen.query_one("#filter-action", Input).value = "designation."
        await settle(session.pilot)
        assert {e.action for e in session.table.rows} == {
            "designation.designate_main",
            "designation.activate",
        }
        screen.query_one("#filter-action", Input).value = ""
        screen.query_one("#filter-actor", Input).value = "peeters"
        await settle(session.pilot)
        assert "by Anne Peeters" in str(session.table.border_title)
        assert {e.actor for e in session.table.rows} == {"Anne Peeters"}
        assert len(session.table.rows) < everything
        screen.query_one("#filter-actor", Input).value = ""
        screen.query_one("#filter-enterprise", Input).value = "namur"
        await settle(session.pilot)
        assert "at Commune de Namur" in str(session.table.border_title)
        assert {e.enterprise_id for e in session.table.rows} == {store.world.townhall}
        screen.query_one("#filter-enterprise", Input).value = "zzz"
        await settle(session.pilot)
        assert screen.query_one("#filter-enterprise", Input).has_class("-invalid")
        assert "No enterprise matches: nothing is shown" in str(session.table.border_title)
        assert session.table.rows == []  # not the whole trail, as if unfiltered
        screen.query_one("#filter-enterprise", Input).value = ""
        await settle(session.pilot)
        assert "matches" not in str(session.table.border_title)
        assert len(session.table.rows) == everything
        screen.query_one("#filter-actor", Input).value = "zz"
        await settle(session.pilot)
        assert session.table.rows == [] and "No person matches" in str(session.table.border_title)
        screen.query_one("#filter-actor", Input).value = "a"
        await settle(session.pilot)
        assert session.table.rows == [] and "Several people match" in str(session.table.border_title)


async def test_an_edited_entry_breaks_the_chain_and_is_named(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    with store.service.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor_name = 'Someone Else' WHERE id = 2"))
    async with console(store.service, store.world.support) as session:
        await session.open("audit")
        await session.press("v")
        chain = session.app.screen.query_one("#audit-chain")
        assert chain.has_class("-broken")
        assert "broken at entry 2: its content does not match its hash" in str(chain.render())
        session.app.lang = "fr"
        await session.press("v")
        said = str(chain.render())
        assert said.startswith("Journal d'audit rompu à l'entrée 2\u00a0: son contenu ne correspond pas")


async def test_what_breaks_the_chain_is_said_in_the_console_s_language(store: Store) -> None:
    from onss_tui.services.dto import AuditVerification

    def broken(**found: object) -> AuditVerification:
        return AuditVerification(ok=False, entries_checked=3, first_bad_id=4, **found)  # type: ignore[arg-type]

    async with console(store.service, store.world.support, lang="nl") as session:
        await session.open("audit")
        say = session.app.screen._chain_problem
        assert say(broken(problem="missing", last_id=4)) == "regel 4 ontbreekt (verwijderd)"
        assert say(broken(problem="missing", last_id=6)) == "regels 4 tot 6 ontbreken (verwijderd)"
        assert say(broken(problem="truncated", last_id=9)).startswith(
            "het logboek stopt bij regel 3 maar regel 9"
        )
        assert say(broken(reason="from a server of another version")) == "from a server of another version"


ATTACKS_SAID = {
    "en": ("Audit trail broken at entry", "were rewritten", "no longer has the hash checkpoint"),
    "fr": ("Journal d'audit rompu à l'entrée", "ont été réécrites", "n'a plus l'empreinte signée"),
    "nl": ("Auditlogboek verbroken bij regel", "werden herschreven", "heeft niet meer de hash"),
}
CHECKPOINT_REMOVED_SAID = {
    "en": "Audit trail broken: checkpoint 2 was removed from the store",
    "fr": "Journal d'audit rompu\u00a0: le point de contrôle 2 a été supprimé de la base",
    "nl": "Auditlogboek verbroken: controlepunt 2 werd uit de databank verwijderd",
}


async def test_an_anchored_trail_s_attacks_are_named_in_each_language(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.audit.anchored import Anchored, new_key, write_until

    key, key_file = new_key(tmp_path)
    anchored = Anchored(store.service, key, key_file, tmp_path / "store.checkpoints")
    store.service.anchor_trail(anchored.anchor())
    await write_until(store.service, store.world.lr, 48)
    for lang in ("en", "fr", "nl"):
        async with console(store.service, store.world.support, size=(80, 24), lang=lang) as session:
            await session.open("audit")
            await session.press("v")
            chain = session.app.screen.query_one("#audit-chain")
            assert chain.has_class("-intact") and ": 4)" in str(chain.render())
    anchored.run("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = 25")
    anchored.rechain(25)
    for lang, words in ATTACKS_SAID.items():
        async with console(store.service, store.world.support, size=(80, 24), lang=lang) as session:
            await session.open("audit")
            await session.press("v")
            chain = session.app.screen.query_one("#audit-chain")
            assert chain.has_class("-broken")
            assert all(session.noticed(w) for w in words), (lang, session.notices)
    anchored.run("DELETE FROM audit_checkpoint WHERE seq = 2")
    for lang, said in CHECKPOINT_REMOVED_SAID.items():
        async with console(store.service, store.world.support, size=(80, 24), lang=lang) as session:
            await session.open("audit")
            await session.press("v")
            assert session.noticed(said), (lang, session.notices)


def test_every_problem_of_the_trail_is_said_in_each_language() -> None:
    from typing import get_args

    from onss_tui.i18n import Messages
    from onss_tui.services.dto import AuditProblem

    messages = Messages().by_language
    for lang in ("en", "fr", "nl"):
        missing = [p for p in get_args(AuditProblem) if f"audit.chain.{p}" not in messages[lang]]
        assert missing == [], (lang, missing)


async def test_the_action_filter_takes_an_action_s_name_in_the_console_s_language(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.support, lang="fr") as session:
        await session.open("audit")
        screen = session.app.screen
        assert isinstance(screen, AuditScreen)
        assert screen.action_code("registre national") == "person.reveal_niss"
        assert screen.action_code("a ouvert un mandat") == "mandate.view"
        assert screen.action_code("person.reveal") == "person.reveal"  # a code still works
        screen.query_one("#filter-action", Input).value = "Gestionnaire d'Accès Principal"
        await settle(session.pilot)
        actions = {entry.action for entry in session.table.rows}
        assert "designation.designate_main" in actions  # with the designations around it (one prefix)
        assert all(action.startswith("designation.") for action in actions)


async def test_a_name_several_people_match_offers_them_to_choose(store: Store) -> None:
    from textual.widgets import OptionList

    from onss_tui.screens.overview import ChoiceScreen

    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.support) as session:
        await session.open("audit")
        screen = session.app.screen
        assert isinstance(screen, AuditScreen)
        field = screen.query_one("#filter-actor", Input)
        field.value = "a"
        await settle(session.pilot)
        assert session.table.rows == [] and "Several people match" in str(session.table.border_title)
        field.focus()
        await session.press("enter")
        assert isinstance(session.app.screen, ChoiceScreen)
        choices = session.app.screen.query_one("#choices", OptionList)
        names = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert "Anne Peeters" in names
        choices.highlighted = names.index("Anne Peeters")
        await session.press("enter")
        assert session.app.screen is screen
        assert "by Anne Peeters" in str(session.table.border_title)
        assert session.table.rows and {e.actor for e in session.table.rows} == {"Anne Peeters"}


async def test_the_list_says_which_entries_it_counts_beside_the_whole_trail_s(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr, lang="fr") as session:
        await session.open("audit")
        assert "les entrées que vous pouvez lire" in str(session.table.border_title)
    async with console(store.service, store.world.support) as session:
        await session.open("audit")
        assert "every entry" in str(session.table.border_title)
        await session.press("v")
        assert "entries in the whole trail (every person and enterprise)" in str(
            session.app.screen.query_one("#audit-chain").render()
        )


async def test_who_acted_is_named_as_written_and_whom_it_concerns_as_named_today(store: Store) -> None:
    from sqlmodel import Session, select

    from onss_tui.services import dto
    from onss_tui.services.local.tables import Person

    await make_main_access_manager(store.service, store.world)
    with Session(store.service.engine) as db:
        version = db.exec(select(Person.version).where(Person.id == store.world.lr)).one()
    await store.service.update_person(
        store.world.lr, store.world.lr, dto.PersonUpdate(expected_version=version, first_name="Annelies")
    )
    async with console(store.service, store.world.lr) as session:
        await session.open("audit")
        rows = session.table.rows
        designated = next(e for e in rows if e.action == "designation.designate_main")
        session.table.move_cursor(rows.index(designated))
        await settle(session.pilot)
        shown = Console(width=160, record=True, file=io.StringIO())
        shown.print(session.app.screen.query_one("#audit-entry", Static).content)
        detail = shown.export_text()
        assert "Anne Peeters  (name when the entry was written)" in detail
        assert "Annelies Peeters  designation" in detail and "(name today)" in detail
