"""The console's reveal of a national register number (the reason asked, a refusal told) and its "who saw
my number" view, at 80x24 in French and Dutch, on a real SQLite store."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from onss_tui.screens.niss_reveals import NissRevealsScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.reveal import RevealScreen
from onss_tui.services import dto
from tests.contract.conftest import Staff, staff_enterprise
from tests.tui.browsing import Session, console, settle
from tests.tui.conftest import Store

SMALL = (80, 24)


def people_cells(session: Session) -> list[str]:
    table = session.app.screen.query_one("#people", DataTable)
    return [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]


def fits(session: Session, selector: str) -> bool:
    """The widget is whole within the 80x24 terminal."""
    region = session.app.screen.query_one(selector).region
    return region.x >= 0 and region.y >= 0 and region.right <= SMALL[0] and region.bottom <= SMALL[1]


async def focus_person(session: Session, name: str) -> None:
    """Put the cursor of the overview's managers table on the row of `name`."""
    table = session.app.screen.query_one("#people", DataTable)
    table.focus()
    row = next(r for r in range(table.row_count) if name in str(table.get_row_at(r)[1]))
    table.move_cursor(row=row)
    await settle(session.pilot)


async def test_a_plain_user_gives_a_reason_and_is_told_the_refusal_in_french(store: Store) -> None:
    staff: Staff = await staff_enterprise(store.service, store.world)
    async with console(store.service, staff.user, size=SMALL, lang="fr") as session:
        assert isinstance(session.app.screen, OverviewScreen)
        await focus_person(session, "Nina Nieuw")
        await session.press("r")
        dialog = session.app.screen
        assert isinstance(dialog, RevealScreen)
        assert fits(session, "#reveal-dialog")
        assert (
            str(dialog.query_one("#reveal-title", Static).render())
            == "Afficher un numéro de registre national"
        )
        assert "95.06.15-***.**" in str(dialog.query_one("#reveal-whose", Static).render())
        await session.pilot.press(*"je suis curieuse")
        await session.press("enter")
        assert isinstance(session.app.screen, OverviewScreen)
        assert session.noticed(
            "Refusé: Vous ne pouvez pas voir le numéro de registre national de cette personne"
        )
        assert not any(cell.startswith("95.06.15-") and "*" not in cell for cell in people_cells(session))
    trail = await store.service.list_audit(store.world.lr, dto.AuditFilter(action="person.reveal_niss"))
    [refused] = trail.items
    assert (refused.outcome, refused.enterprise_id) == ("refused", store.world.employer)
    assert refused.after["stated_reason"] == "je suis curieuse"


async def test_a_manager_is_asked_the_reason_then_sees_the_number_in_dutch(store: Store) -> None:
    staff = await staff_enterprise(store.service, store.world)
    async with console(store.service, staff.mam, size=SMALL, lang="nl") as session:
        await focus_person(session, "Bram Claes")
        await session.press("r")
        dialog = session.app.screen
        assert isinstance(dialog, RevealScreen) and fits(session, "#reveal-dialog")
        assert str(dialog.query_one("#reveal-title", Static).render()) == "Een rijksregisternummer tonen"
        await session.press("enter")  # no reason: said beside the field, in Dutch; nothing revealed
        assert session.app.screen is dialog
        said = str(dialog.query_one("#reason .form-error", Static).render())
        assert said == "Zeg waarom u het nodig hebt: de reden wordt in het auditlogboek bewaard."
        await session.pilot.press(*"controle loondossier")
        await session.press("enter")
        assert isinstance(session.app.screen, OverviewScreen)
        assert "83.03.03-303.13" in people_cells(session)
        await session.press("escape")
    [entry] = (await store.service.list_audit(staff.mam, dto.AuditFilter(action="person.reveal_niss"))).items
    assert entry.after == {"stated_reason": "controle loondossier", "role": "main_access_manager"}


async def test_one_s_own_number_is_revealed_without_a_reason(store: Store) -> None:
    async with console(store.service, store.world.lr, size=SMALL, lang="fr") as session:
        await focus_person(session, "Anne Peeters")
        await session.press("r")
        assert isinstance(session.app.screen, OverviewScreen)
        assert "85.07.30-033.28" in people_cells(session)


async def test_who_saw_my_number_from_the_overview_and_the_audit_trail(store: Store) -> None:
    staff = await staff_enterprise(store.service, store.world)
    await store.service.reveal_niss(staff.am, staff.user, "Dimona [bold]maart[/]")  # plain text on screen
    await store.service.reveal_niss(store.world.support, staff.user, "ticket 12")
    async with console(store.service, staff.user, size=SMALL, lang="fr") as session:
        await session.press("w")
        view = session.app.screen
        assert isinstance(view, NissRevealsScreen) and fits(session, "#reveals-dialog")
        assert (
            str(view.query_one("#reveals-title", Static).render())
            == "Qui a vu mon numéro de registre national"
        )
        assert [r.revealed_by for r in view.table.rows] == ["Sam Support", "Bram Claes"]
        header = view.table.render_line(0).text
        assert "Quand" in header and "Qui" in header and "Motif" in header
        first = view.table.render_line(1).text
        assert "Sam Support" in first and "Support   " in first and "ticket 12" in first
        await session.press("down")
        detail = str(view.query_one("#reveals-detail", Static).render())
        assert "Bram Claes (Gestionnaire d'Accès, Brasserie Dupont)" in detail
        assert "Dimona [bold]maart[/]" in detail
        session.app.lang = "nl"
        await settle(session.pilot)
        header = view.table.render_line(0).text
        assert "Wanneer" in header and "Reden" in header
        await session.press("escape")
        assert isinstance(session.app.screen, OverviewScreen)
        await session.open("audit")
        await session.press("w")
        assert isinstance(session.app.screen, NissRevealsScreen)


async def test_nobody_saw_my_number_says_so(store: Store) -> None:
    async with console(store.service, store.world.lr, size=SMALL, lang="nl") as session:
        await session.press("w")
        view = session.app.screen
        assert isinstance(view, NissRevealsScreen)
        lines = [view.table.render_line(y).text for y in range(view.table.size.height)]
        assert any("Niemand heeft uw rijksregisternummer getoond." in line for line in lines)
