"""An employer of the German-speaking community does the whole procedure in German: the legal
representative signs in and designates a Main Access Manager, who designates an Access Manager, who
creates a user and grants an online service; every screen on the way speaks German."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Any

from textual.pilot import Pilot

from onss_tui.app import OnssApp
from onss_tui.i18n import Messages
from onss_tui.screens.designation import DesignationScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.service_checklist import ServiceChecklistScreen
from onss_tui.screens.sign_in import SignInScreen
from onss_tui.screens.user_form import UserFormScreen
from onss_tui.screens.users import UsersScreen
from onss_tui.widgets.identifier_input import IdentifierInput
from tests.conftest import LR_EID, LR_NISS, niss
from tests.tui.browsing import settle
from tests.tui.conftest import Store, record_notices

NEWCOMER_NISS = niss("950615334")
OUTSIDER_NISS = niss("880808222")
USER_NISS = niss("900101123")


def shown(app: OnssApp) -> str:
    """The text the screen shows, line by line, as its SVG picture draws it."""
    lines: dict[float, list[str]] = defaultdict(list)
    for y, text in re.findall(r'<text [^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        lines[float(y)].append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(lines.items()))


def english_left(app: OnssApp) -> list[str]:
    """English messages of the catalogue that the screen shows although the console speaks German (those
    German writes the same way aside, and those too short to tell)."""
    messages = Messages().by_language
    text = shown(app)
    return sorted(
        english
        for key, english in messages["en"].items()
        if english != messages["de"][key]
        and "{" not in english
        and len(english) > 4
        and re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text)
    )


async def type_into(pilot: Pilot[Any], field: str, text: str) -> None:
    field_input = pilot.app.screen.query_one(f"#{field}", IdentifierInput)
    field_input.value = ""
    field_input.focus_input()
    await pilot.press(*text)


async def test_the_whole_procedure_in_german(store: Store) -> None:
    world = store.world

    # The legal representative signs in and designates the Main Access Manager.
    app = store.app(lang="de")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "Wer handelt?" in shown(app)
        assert english_left(app) == []
        await pilot.press(*"peeters")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert "Einen Hauptzugangsverwalter ernennen" in shown(app)
        assert "Gesetzlicher Vertreter" in shown(app)
        assert english_left(app) == []

        notices = record_notices(app)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)
        assert "Hauptzugangsverwalter" in shown(app) and "Nummer Ihrer eID-Karte" in shown(app)
        assert english_left(app) == []
        await type_into(pilot, "legal_representative_eid", LR_EID)
        await type_into(pilot, "legal_representative_niss", LR_NISS)
        await type_into(pilot, "designee_niss", NEWCOMER_NISS)
        await type_into(pilot, "designee_phone", "087 55 12 12")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [n.message for n in notices] == [
            "Nina Nieuw ist zum Hauptzugangsverwalter ernannt (ausstehend): "
            "Die Ernennung wird bei der ersten Anmeldung aktiv."
        ]
        assert english_left(app) == []

    # The Main Access Manager designates an Access Manager for the employer's quality.
    app = store.app(world.newcomer, lang="de")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        notices = record_notices(app)
        await pilot.press("2")
        await settle(pilot)
        assert "Co-Hauptzugangsverwalter" in shown(app) and "LSS-Arbeitgeber" in shown(app)
        assert english_left(app) == []
        await type_into(pilot, "niss", OUTSIDER_NISS)
        await type_into(pilot, "phone", "0478 00 11 22")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [n.message for n in notices] == [
            "Olivier Outsider ist zum Zugangsverwalter (LSS-Arbeitgeber) ernannt (ausstehend): "
            "Die Ernennung wird bei der ersten Anmeldung aktiv."
        ]

    # The Access Manager creates a user and grants an online service.
    app = store.app(world.outsider, lang="de")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        notices = record_notices(app)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "Onlinedienste" in shown(app)
        assert english_left(app) == []
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, UserFormScreen)
        assert "Neuer Benutzer" in shown(app)
        assert english_left(app) == []
        await type_into(pilot, "niss", USER_NISS)
        await type_into(pilot, "first_name", "Lotte")
        await type_into(pilot, "last_name", "Verhoeven")
        await type_into(pilot, "phone", "087123456")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, ServiceChecklistScreen)
        assert "Onlinedienste erteilen" in shown(app) and "Zeitweilige Arbeitslosigkeit" in shown(app)
        assert english_left(app) == []
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert [n.message for n in notices] == [
            "Lotte Verhoeven ist jetzt Benutzer.",
            "Dimona an Lotte Verhoeven erteilt.",
        ]
        assert english_left(app) == []
    users = await store.service.list_users(world.outsider, world.employer)
    assert [u.services for u in users.items] == [["dimona"]]


async def test_a_refusal_of_the_service_is_said_in_german(store: Store) -> None:
    app = store.app(store.world.lr_town, lang="de")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        notices = record_notices(app)
        await pilot.press("3")
        await settle(pilot)
        assert [n.message for n in notices] == [
            "Nur die Zugangsverwalter des Unternehmens sehen dessen Benutzer."
        ]
        assert english_left(app) == []
        app.lang = "en"  # the same screen in English: what `english_left` looks for is found
        await settle(pilot)
        assert "Online services" in english_left(app)


def test_the_command_line_offers_german_for_the_console_and_the_browser() -> None:
    from onss_tui.cli import build_parser
    from onss_tui.i18n import LANGUAGES

    parser = build_parser()
    for lang in LANGUAGES:
        assert parser.parse_args(["--lang", lang]).lang == lang
        assert parser.parse_args(["serve", "--lang", lang]).lang == lang
