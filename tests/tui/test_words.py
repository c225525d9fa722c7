"""Every word in the person's language: quarters, dates and counts as its readers write them, French
typography, the system's errors, the audit's targets and fields, and Textual's own words; and a scan of
every screen, in French and Dutch, for any English the catalogue or Textual would have left there."""

from __future__ import annotations

import asyncio
import errno
import html
import re
from collections import defaultdict
from datetime import date

import pytest
from textual.command import CommandList

from onss_tui.console import TEXTUAL_WORDS
from onss_tui.domain.quarters import Quarter
from onss_tui.i18n import NARROW_NO_BREAK_SPACE, NO_BREAK_SPACE, Messages, written_count, written_date
from onss_tui.screens.audit import AuditScreen
from onss_tui.screens.mandate_detail import validity
from onss_tui.services.dto import AuditFilter
from tests.tui.browsing import Session, console, make_main_access_manager, settle
from tests.tui.conftest import Store
from tests.tui.test_mandates import give_mandates

TEXTUAL_DEFAULTS = (
    "Search for commands",
    "No matches found",
    "Dismiss menu",
    "Keys",
    "Screenshot",
    "Theme",
    "Quit",
    "Maximize",
    "Do you want to quit",
)
"""Textual's own English, as its palette, system commands and widgets would show it."""


def test_dates_counts_and_quarters_are_written_as_each_language_does() -> None:
    day = date(2026, 12, 6)
    assert [written_date(day, lang) for lang in ("fr", "nl", "de", "en")] == [
        "06/12/2026",
        "06/12/2026",
        "06.12.2026",
        "2026-12-06",
    ]
    assert written_count(1_000_000, "fr") == f"1{NARROW_NO_BREAK_SPACE}000{NARROW_NO_BREAK_SPACE}000"
    assert written_count(1_000_000, "nl") == "1.000.000"
    assert written_count(1_000_000, "de") == "1.000.000"
    assert written_count(1_000_000, "en") == "1,000,000"
    assert [Quarter(2026, 4).written(lang) for lang in ("fr", "nl", "de", "en")] == [
        "T4 2026",
        "K4 2026",
        "Q4 2026",
        "2026 Q4",
    ]
    assert {Quarter.parse(Quarter(2026, 4).written(lang)) for lang in ("fr", "nl", "de", "en")} == {
        Quarter(2026, 4)
    }


def test_every_count_in_a_message_has_the_languages_separator() -> None:
    messages = Messages()
    assert messages.t("nl", "sign_in.choose", count=12345).startswith("12.345 ")
    assert messages.t("fr", "sign_in.choose", count=12345).startswith(f"12{NARROW_NO_BREAK_SPACE}345 ")
    assert "1998" in messages.t("fr", "mandates.dialog.title", id=1998)  # a number that names, not a count


def test_french_messages_keep_their_punctuation_with_the_word_before() -> None:
    """No French message has an ordinary space before : ; ? ! or inside « »: a line never starts there."""
    french = Messages().by_language["fr"]
    loose = sorted(key for key, text in french.items() if re.search(r" [:;?!»]|« ", text))
    assert loose == []
    assert f"Langue{NO_BREAK_SPACE}: " in french["palette.language"]
    assert (
        "réessayez" in french["rule.store.unavailable"]
        and f"{NARROW_NO_BREAK_SPACE};" in french["rule.store.unavailable"]
    )


def test_textual_words_and_os_errors_have_messages_in_every_language() -> None:
    messages = Messages()
    keys = set(messages.by_language["en"])
    assert sorted(set(TEXTUAL_WORDS.values()) - keys) == []
    for lang in ("fr", "nl", "de"):
        for key in [*TEXTUAL_WORDS.values(), "palette.placeholder", "quit.how_title", "quit.how"]:
            assert messages.by_language[lang][key] != messages.by_language["en"][key] or key == "nav.quit"


def test_an_error_of_the_system_is_said_in_the_consoles_language(store: Store) -> None:
    app = store.app(lang="fr")
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "/nowhere/x.csv")
    assert app.os_error(missing) == "ce fichier ou ce dossier n'existe pas"
    assert "No such file" not in app.t("export.cannot_write", reason=app.os_error(missing))
    app.lang = "nl"
    assert app.os_error(PermissionError(errno.EACCES, "Permission denied")) == "u mag daar niet schrijven"
    assert app.os_error(OSError(errno.EMLINK, "Too many links")) == "het systeem weigerde (fout 31)"


def test_a_quarter_typed_as_shown_is_taken_by_the_service_over_its_schema() -> None:
    from onss_tui.services.dto import MandateFilter

    assert MandateFilter(quarter="T4 2026").quarter == "T4 2026"
    assert Quarter.parse("K4 2026") == Quarter.parse("2026Q4")


def plain(text: str) -> str:
    """Text with its no-break spaces as ordinary ones (the screenshot writes every space as one)."""
    return text.replace(NO_BREAK_SPACE, " ").replace(NARROW_NO_BREAK_SPACE, " ")


def screen_text(session: Session) -> str:
    """What the terminal shows, line by line (from the screenshot Textual draws)."""
    svg = session.app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for x, y, text in re.findall(r'<text [^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        lines[float(y)].append((float(x), html.unescape(text)))
    return "\n".join(
        plain("".join(text for _x, text in sorted(parts))) for _y, parts in sorted(lines.items())
    )


def english_left(text: str, lang: str) -> list[str]:
    """English messages of the catalogue (those the language words otherwise, and that are no words of
    that language too: "active", "Principal") and Textual's defaults that appear in `text`."""
    messages = Messages().by_language
    own = "\n".join(messages[lang].values())
    found = []
    for key, english in messages["en"].items():
        if "{" in english or len(english) < 5 or english == messages[lang].get(key):
            continue
        pattern = rf"(?<![\w-]){re.escape(english)}(?![\w-])"
        if re.search(pattern, own):
            continue
        if re.search(pattern, text):
            found.append(f"{key}: {english!r}")
    found += [word for word in TEXTUAL_DEFAULTS if re.search(rf"\b{re.escape(word)}\b", text)]
    return found


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
async def test_no_screen_shows_english(store: Store, lang: str) -> None:
    await make_main_access_manager(store.service, store.world)
    await give_mandates(store.service, store.world)
    async with console(store.service, store.world.lr, lang=lang) as session:
        seen: dict[str, str] = {}
        for name in ("overview", "designation", "users", "mandates", "audit"):
            await session.open(name)
            seen[name] = screen_text(session)
            await session.press("ctrl+p")
            seen[f"{name}, palette"] = screen_text(session)
            await session.press("escape")
        await session.press("ctrl+p", *"zqxw")  # a search that finds no command
        async with asyncio.timeout(5):
            while "--no-matches" not in [o.id for o in session.app.screen.query_one(CommandList).options]:
                await session.pilot.pause()
        seen["palette, no command found"] = screen_text(session)
        await session.press("escape")
        await session.press("f1")
        seen["help"] = screen_text(session)
        left = [f"{where}: {word}" for where, text in seen.items() for word in english_left(text, lang)]
        assert not left, "English on screen:\n" + "\n".join(left)
        palette = seen["overview, palette"]
        assert plain(Messages().t(lang, "palette.placeholder")) in palette
        assert plain(Messages().t(lang, "palette.on_this_screen", key="")) in palette  # a key described
        assert plain(Messages().t(lang, "palette.no_matches")) in seen["palette, no command found"]


@pytest.mark.parametrize(("lang", "quarter"), [("fr", "T"), ("nl", "K"), ("de", "Q")])
async def test_the_mandates_show_quarters_as_the_reader_writes_them(
    store: Store, lang: str, quarter: str
) -> None:
    mandates = await give_mandates(store.service, store.world)
    async with console(store.service, store.world.support, lang=lang) as session:
        await session.open("mandates")
        start = Quarter.parse(mandates["pending"].start_quarter)
        shown = validity(session.app, mandates["pending"])
        assert shown.startswith(f"{quarter}{start.number} {start.year} → ")
        assert str(start) not in screen_text(session)


async def test_the_audit_names_targets_and_fields_in_the_language(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.support, lang="fr") as session:
        await session.open("audit")
        screen = session.app.screen
        assert isinstance(screen, AuditScreen)
        assert screen.target_words("enterprise:0931.906.813") == "entreprise 0931.906.813"
        assert screen.target_words("something:3") == "something:3"
        page = await store.service.list_audit(store.world.support, AuditFilter(action="designation."))
        entry = page.items[0]
        at = next(column for column in screen.table.columns if column.key == "at")
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", str(at.cell(entry)))
        screen.show_detail(entry)
        await settle(session.pilot)
        shown = screen_text(session)
        assert "numéro de registre national (masqué)" in shown or "statut" in shown
        assert '"niss_masked"' not in shown and '"status"' not in shown


async def test_ctrl_c_says_how_to_leave_in_the_language(store: Store) -> None:
    async with console(store.service, store.world.lr, lang="nl") as session:
        await session.press("ctrl+c")
        assert session.noticed("De console verlaten?: Druk op q om de console te verlaten.")
        assert not session.noticed("Do you want to quit")


async def test_a_line_never_breaks_at_a_no_break_space(store: Store) -> None:
    """Textual and Rich would break "Vos rôles : Gestionnaire" before its colon at 10 columns."""
    from rich.text import Text
    from textual.geometry import Region
    from textual.widgets import Static

    app = store.app(store.world.lr)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = f"Vos rôles{NO_BREAK_SPACE}: Gestionnaire"
        for content in (said, Text(said)):  # as Textual's content and as Rich's text
            probe = Static(content)
            probe.styles.width = 10
            await app.screen.mount(probe)
            await pilot.pause()
            lines = [strip.text.rstrip() for strip in probe.render_lines(Region(0, 0, 10, 3))]
            assert lines == ["Vos", f"rôles{NO_BREAK_SPACE}:", "Gestionnai"], lines
            await probe.remove()
