"""The application shell: navigation by key and palette, help, language and theme, key remapping, start-up."""

from __future__ import annotations

import argparse
import asyncio
import gc

import pytest
from textual.widgets import DataTable, Input

from onss_tui.app import SCREENS, OnssApp
from onss_tui.cli.console import make_connect, run_console
from onss_tui.cli.early import config_path, early_preferences
from onss_tui.config import Settings, config_file
from onss_tui.screens.designation import DesignationScreen
from onss_tui.screens.help import HelpScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.session import SessionScreen
from onss_tui.screens.sign_in import SignInScreen
from onss_tui.services.dto import AuditFilter
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.text import Tr
from tests.conftest import LR_NISS, niss
from tests.tui.conftest import settle


def footer_text(app: OnssApp) -> str:
    from textual.widgets._footer import FooterKey

    return " ".join(key.description for key in app.screen.query_one(Footer).query(FooterKey))


async def test_a_narrow_terminal_gets_a_compact_footer_that_still_shows_help(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets._footer import FooterKey

    for width, compact in ((80, True), (120, False)):
        app = store.app(store.world.lr, lang="nl")
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            footer = app.screen.query_one(Footer)
            assert footer.compact is compact
            keys = {key.description: key.region for key in footer.query(FooterKey)}
            palette = next(region for name, region in keys.items() if "Opdrachten" in name)
            assert palette.right == width  # flush right: nothing of the keys beneath shows past it
            help_key = keys.get("Hulp") or keys["Meer toetsen"]  # named so when other keys give way
            assert help_key.right <= palette.x  # the help key is seen whole


async def test_number_keys_open_each_screen_and_escape_stays(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        for key, name in zip("12345", SCREENS, strict=True):
            if isinstance(app.focused, Input):
                await pilot.press("escape")  # stop typing: number keys go to the focused field
                assert app.focused is None
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == name
            assert type(app.screen).__name__ == SCREENS[name][1]
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "audit"  # Escape closes what is on top, never the screen


async def test_screens_open_without_restyling_the_whole_app(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        restyled = []
        refresh_css = app.refresh_css

        def counted(*args: object, **kwargs: object) -> None:
            restyled.append(app.current_mode)
            refresh_css(*args, **kwargs)  # type: ignore[arg-type]

        app.refresh_css = counted  # type: ignore[method-assign]
        for key in "2345":
            await pilot.press("escape", key)
            await settle(pilot)
            footer = app.screen.query_one(Footer)
            assert footer.styles.dock == "bottom", f"{app.current_mode}: its widgets are styled"
        assert restyled == []


async def test_palette_lists_every_screen_language_and_theme(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Overview", "Designation", "Users", "Mandates", "Audit trail", "Enterprise"):
            assert title in titles
        for language in ("Français", "Nederlands", "Deutsch", "English"):
            assert f"Language: {language}" in titles
        assert {"Theme: dark", "Theme: light", "Reveal NISS", "Help"} <= set(titles)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Designation")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)


async def test_language_switch_changes_visible_strings_and_is_remembered(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        title = app.screen.query(Tr).filter(".section-title").first()
        assert str(title.content) == "Next steps"
        assert "Reveal NISS" in footer_text(app)
        nav = str(app.screen.query_one(NavBar).query_one("#nav-tabs").content)
        assert "Overview" in nav

        app.set_language("fr")
        await settle(pilot)
        assert str(title.content) == "Prochaines étapes"
        assert "Afficher le NISS" in footer_text(app)
        assert "Aperçu" in str(app.screen.query_one(NavBar).query_one("#nav-tabs").content)
        people = app.screen.query_one("#people", DataTable)
        assert "Représentant légal" in [str(cell) for cell in people.get_row_at(people.row_count - 1)]

        await pilot.press("f2")
        await settle(pilot)
        assert app.lang == "nl"
        assert str(title.content) == "Volgende stappen"
    assert 'lang = "nl"' in config_file().read_text(encoding="utf-8")
    assert Settings().lang == "nl"


async def test_theme_is_remembered(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("f3")
        await settle(pilot)
        assert app.theme == "textual-light"
    assert Settings().theme == "textual-light"
    again = store.app(store.world.lr, settings=Settings())
    assert again.theme == "textual-light"


async def test_keys_are_remapped_from_the_config_file(store) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(keys={"app.designation": "d", "overview.reveal": "v"})
    app = store.app(store.world.lr, settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        people = app.screen.query_one("#people", DataTable)
        people.move_cursor(row=people.row_count - 1)
        await pilot.press("v")
        await settle(pilot)
        assert "85.07.30-033.28" in [
            str(c) for row in range(people.row_count) for c in people.get_row_at(row)
        ]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)


async def test_help_explains_the_current_screen_and_its_keys(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").content)
        assert text.startswith("The enterprise at a glance")
        keys = app.screen.query_one("#help-keys").content
        rows = [str(cell) for column in keys.columns for cell in column._cells]  # type: ignore[attr-defined]
        assert "Reveal NISS" in rows
        assert "Designation" in rows
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert str(app.screen.query_one("#help-text").content).startswith("Designate or replace")


async def test_reveal_shows_the_highlighted_person_only_and_is_audited(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        people = app.screen.query_one("#people", DataTable)
        people.focus()
        people.move_cursor(row=people.row_count - 1)
        await pilot.press("r")
        await settle(pilot)
        cells = [str(c) for row in range(people.row_count) for c in people.get_row_at(row)]
        assert "85.07.30-033.28" in cells
        assert sum("-***." in c for c in cells) == 0
    trail = await store.service.list_audit(store.world.lr, AuditFilter(action="person.reveal_niss"))
    assert [e.target for e in trail.items] == [f"person:{store.world.lr}"]


def launch_args(**values: object) -> argparse.Namespace:
    """The console's options as the command line gives them, with `values` set."""
    from onss_tui.cli import build_parser

    args = build_parser().parse_args([])
    for name, value in values.items():
        setattr(args, name, value)
    return args


async def test_signing_in_asks_for_the_catalogue_and_the_enterprises_together(store) -> None:  # type: ignore[no-untyped-def]
    """Over the HTTP API each call is a round trip: the two that follow the sign-in go side by side."""
    both = asyncio.Barrier(2)

    class Together:
        def __getattr__(self, name: str) -> object:
            return getattr(store.service, name)

        async def catalogue(self, actor: int) -> object:
            await asyncio.wait_for(both.wait(), 5)
            return await store.service.catalogue(actor)

        async def list_enterprises(self, actor: int, *args: object, **kwargs: object) -> object:
            await asyncio.wait_for(both.wait(), 5)
            return await store.service.list_enterprises(actor, *args, **kwargs)

    app = OnssApp(Together(), actor_id=store.world.lr)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.actor_id == store.world.lr
        assert isinstance(app.screen, OverviewScreen)


async def test_connect_opens_the_store_after_the_first_frame_and_signs_in_as(store) -> None:  # type: ignore[no-untyped-def]
    connect = make_connect(launch_args(actor=LR_NISS, database=store.url))
    app = OnssApp(connect=connect)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await settle(pilot)
        assert app.actor_id == store.world.lr
        assert isinstance(app.screen, OverviewScreen)


async def test_an_unknown_person_ends_the_console_with_one_line(store) -> None:  # type: ignore[no-untyped-def]
    stranger = niss("010101001")
    app = OnssApp(connect=make_connect(launch_args(actor=stranger, database=store.url)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert app.exit_message is not None and "01.01.01-***.**" in app.exit_message
    assert stranger not in app.exit_message


async def test_a_store_path_that_does_not_exist_ends_the_console_and_is_not_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "mistyped" / "store.db"
    app = OnssApp(connect=make_connect(launch_args(actor=LR_NISS, database=str(missing))))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert app.exit_message is not None and app.exit_message.startswith(f"no store at {missing}")
    assert not missing.parent.exists()


def test_a_malformed_national_register_number_is_refused_before_starting(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run_console(launch_args(actor="85.07.30-033.29")) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("onss-tui: --as:")


def test_the_console_starts_with_the_garbage_collector_off_and_ends_with_it_on(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    collecting: list[bool] = []
    monkeypatch.setattr(OnssApp, "run", lambda app: collecting.append(gc.isenabled()))
    assert run_console(launch_args(actor=LR_NISS)) == 0
    assert collecting == [False]
    assert gc.isenabled()


@pytest.fixture
def collector_off():  # type: ignore[no-untyped-def]
    """As `run_console` starts the console: the garbage collector off."""
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("who", ["legal representative", "nobody given", "unknown person"])
async def test_the_garbage_collector_runs_again_once_start_up_is_over(store, collector_off, who) -> None:  # type: ignore[no-untyped-def]
    """Once the first screen has its data, or waits for a choice, or says that signing in failed."""
    actor = {"legal representative": store.world.lr, "nobody given": None, "unknown person": 10**9}[who]
    app = store.app(actor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = {"legal representative": OverviewScreen, "nobody given": SignInScreen}
        assert isinstance(app.screen, expected.get(who, SessionScreen))  # a person given: never the list
        assert gc.isenabled()


class Held:
    """The store, with the first call of `method` held until `release` is set: the screen that asked
    is still loading when the next key comes."""

    def __init__(self, service: object, method: str) -> None:
        self.service, self.method, self.release = service, method, asyncio.Event()

    def __getattr__(self, name: str) -> object:
        call = getattr(self.service, name)
        if name != self.method or self.release.is_set():
            return call

        async def held(*args: object, **kwargs: object) -> object:
            await self.release.wait()
            return await call(*args, **kwargs)

        return held


@pytest.mark.parametrize(
    ("who", "method", "key"),
    [("nobody given", "list_identities", "a"), ("legal representative", "get_overview", "f5")],
)
async def test_the_garbage_collector_runs_again_when_the_first_load_is_cancelled(  # type: ignore[no-untyped-def]
    store, collector_off, who, method, key
) -> None:
    """A search typed while the sign-in list loads, or a reload of the overview, cancels the first load."""
    held = Held(store.service, method)
    app = OnssApp(held, actor_id=store.world.lr if who == "legal representative" else None)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:

        def loading() -> bool:
            return any(w.is_running and w.group in ("identities", "overview") for w in app.workers)

        for _ in range(100):
            await pilot.pause()
            if loading():
                break
        assert loading() and not gc.isenabled()
        await pilot.press(key)
        held.release.set()
        await settle(pilot)
        assert gc.isenabled()


def test_the_app_needs_a_service_or_a_way_to_open_one(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        OnssApp()


def test_early_preferences_read_what_the_settings_will_read(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert config_path() == config_file()
    assert early_preferences({}) == {}
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('lang = "nl"\ntheme = "textual-light"\n', encoding="utf-8")
    assert early_preferences({}) == {"lang": "nl", "theme": "textual-light"}
    assert early_preferences({"ONSS_TUI_LANG": "fr"}) == {"lang": "fr", "theme": "textual-light"}
    monkeypatch.setenv("ONSS_TUI_LANG", "fr")
    settings = Settings()
    assert (settings.lang, settings.theme) == ("fr", "textual-light")


async def test_settings_are_read_after_the_first_frame(store) -> None:  # type: ignore[no-untyped-def]
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('theme = "textual-light"\n[keys]\n"app.designation" = "d"\n', encoding="utf-8")
    app = OnssApp(connect=make_connect(launch_args(actor=LR_NISS, database=store.url)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.settings is not None and app.theme == "textual-light"
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)


async def test_a_broken_config_file_ends_the_console_with_one_line(store) -> None:  # type: ignore[no-untyped-def]
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("lang = [unclosed\n", encoding="utf-8")
    app = OnssApp(connect=make_connect(launch_args(database=store.url)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 1
    assert app.exit_message is not None and "config file" in app.exit_message


async def test_errors_are_told_by_kind(store) -> None:  # type: ignore[no-untyped-def]
    from textual.containers import Vertical

    from onss_tui.screens.errors import show_service_error
    from onss_tui.services.errors import NotFound, Reason, Unavailable, ValidationFailed
    from tests.tui.conftest import record_notices

    app = store.app(store.world.lr)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notices = record_notices(app)
        show_service_error(app.screen, Unavailable("the database is unavailable: gone", outcome_unknown=True))
        show_service_error(app.screen, Unavailable("the server cannot be reached"))
        lost = Reason("rule.api.lost_write", server="http://api.test")
        show_service_error(app.screen, Unavailable(lost, outcome_unknown=True))
        show_service_error(app.screen, NotFound("No such mandate."))
        form = Vertical(Input(id="email"))
        await app.screen.mount(form)
        show_service_error(
            app.screen, ValidationFailed({"email": "Not an address.", "groups": "Choose one."}), form
        )
        await pilot.pause()
        assert [(n.title, n.severity) for n in notices] == [
            ("Service unavailable", "error"),
            ("Service unavailable", "error"),
            ("Service unavailable", "error"),
            ("Not found", "error"),
            ("Please correct", "error"),
        ]
        assert notices[0].message.split("\n") == [
            "the database is unavailable: gone",
            "The change may or may not have been made: reload before trying again.",
        ]  # its lines stay lines
        assert notices[1].message == "the server cannot be reached"
        assert notices[2].message.count("may or may not") == 1  # said once, by the reason itself
        assert notices[4].message == "Choose one."
        for _list in range(3):  # three lists fail for the same reason: said once
            show_service_error(app.screen, Unavailable("the server cannot be reached"))
        shown = [n.message for n in app._notifications]
        assert shown.count("the server cannot be reached") == 1
        email = form.query_one("#email", Input)
        assert email.has_class("-invalid") and email.tooltip == "Not an address."
        assert app.focused is email


class Broken:
    """The store, but `method` raises what no service should: a bug, not a refusal."""

    def __init__(self, service: object, method: str) -> None:
        self.service, self.method = service, method

    def __getattr__(self, name: str) -> object:
        if name != self.method:
            return getattr(self.service, name)

        async def broken(*args: object, **kwargs: object) -> object:
            raise RuntimeError("the disk is on fire")

        return broken


@pytest.mark.parametrize(("method", "screen"), [("get_overview", "overview"), ("list_users", "users")])
async def test_an_unexpected_failure_in_a_worker_is_told_and_the_console_stays_up(  # type: ignore[no-untyped-def]
    store, method, screen
) -> None:
    """A screen's own worker (the overview's load) and a paged table's fetch (the users' list)."""
    from onss_tui.screens.users import UsersScreen
    from onss_tui.widgets.paged_table import PagedTable
    from tests.tui.browsing import make_main_access_manager
    from tests.tui.conftest import record_notices

    await make_main_access_manager(store.service, store.world)
    app = OnssApp(Broken(store.service, method), actor_id=store.world.lr, lang="fr")  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        notices = record_notices(app)
        await settle(pilot)
        if screen == "users":
            app.open_screen("users")
            await settle(pilot)
            assert isinstance(app.screen, UsersScreen)
            table = app.screen.query_one(PagedTable)
            assert not table.is_loading and "Impossible de charger" in str(table.border_subtitle)
        assert [(n.title, n.severity) for n in notices] == [("Erreur inattendue", "error")]
        assert "RuntimeError: the disk is on fire" in notices[0].message
        assert app.is_running
        await pilot.press("5")
        await settle(pilot)
        assert app.current_mode == "audit"


async def test_a_store_that_fails_to_open_unexpectedly_says_so_on_the_sign_in_screen() -> None:
    async def connect(report: object, settings: object) -> object:
        raise RuntimeError("the disk is on fire")

    app = OnssApp(connect=connect, settings=Settings(), lang="nl")  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, SignInScreen)
        status = str(app.screen.query_one("#sign-in-status", Tr).content)
        assert status.startswith("De databank kon niet worden geopend: RuntimeError: the disk is on fire")
        assert not app.screen.query_one("#sign-in-loading").display
