"""Who acts, in the console: a demo's list of people and its palette command to act as someone else; a
person given (`--as`, a token, an SSH key) fixed for the whole session; an SSH session's choices kept in
the store, its idle sign-out, and the warning about files others can read."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette

from onss_tui.app import OnssApp
from onss_tui.cli.console import make_connect
from onss_tui.config import Settings
from onss_tui.screens.enterprise_picker import EnterprisePickerScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.session import SessionScreen
from onss_tui.screens.sign_in import SignInScreen
from onss_tui.services.dto import Preferences
from onss_tui.ssh_console import SshConsole
from tests.conftest import LR_NISS
from tests.tui.conftest import record_notices, settle
from tests.tui.test_app import launch_args


def palette_titles(app: OnssApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_a_demo_acts_as_someone_else_from_the_palette(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"anne", "enter")
        await settle(pilot)
        assert app.actor_id == store.world.lr and isinstance(app.screen, OverviewScreen)
        assert "Act as someone else" in palette_titles(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"act as someone", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor_id is None and app.enterprise_id is None
        assert "Act as someone else" not in palette_titles(app)
        await pilot.press(*"sam", "enter")
        await settle(pilot)
        assert app.actor_id == store.world.support
        assert isinstance(app.screen, EnterprisePickerScreen)


async def test_a_person_given_is_never_offered_another(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert "Act as someone else" not in palette_titles(app)
        await app.act_as_someone_else()
        await settle(pilot)
        assert app.actor_id == store.world.lr and isinstance(app.screen, OverviewScreen)


async def test_without_demo_nor_a_person_the_console_says_who_must_act(store) -> None:  # type: ignore[no-untyped-def]
    app = OnssApp(connect=make_connect(launch_args(database=store.url)), fixed_identity=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert app.exit_message is not None and "--as NISS" in app.exit_message and "--demo" in app.exit_message


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
async def test_the_session_screen_fits_80_by_24_in_every_language(store, lang: str) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.support, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        shown = {
            "fr": "Connecté en tant que Sam Support",
            "nl": "Aangemeld als Sam Support",
            "de": "Angemeldet als Sam Support",
        }[lang]
        assert shown in str(app.screen.query_one("#session-title").render())
        status = app.screen.query_one("#session-status")
        assert status.region.bottom <= 23 and status.region.right <= 80


async def test_an_ssh_session_keeps_the_persons_choices_in_the_store_not_in_the_shared_config(  # type: ignore[no-untyped-def]
    store, config_home: Path
) -> None:
    app = SshConsole(service=store.service, actor_id=store.world.lr, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the next language: French
        await pilot.press("f3")  # the light theme
        await settle(pilot)
    assert not (config_home / "onss-tui" / "config.toml").exists()
    saved = await store.service.get_preferences(store.world.lr)
    assert saved == Preferences(lang="fr", theme="textual-light")
    again = SshConsole(service=store.service, actor_id=store.world.lr, settings=Settings(), lang="en")
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.lang == "fr" and again.theme == "textual-light"
        assert again.t("screenshot.title") not in palette_titles(again)
        assert "Capture d'écran" not in palette_titles(again)


async def test_an_idle_ssh_session_signs_out(store) -> None:  # type: ignore[no-untyped-def]
    app = SshConsole(
        service=store.service, actor_id=store.world.lr, settings=Settings(ssh_idle_minutes=0.005)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(200):
            if not app.is_running:
                break
            await pilot.pause(0.05)
    assert app.end_reason == "idle"
    assert app.exit_message == "Signed out after 0.005 minutes without activity."


async def test_the_console_warns_when_others_can_read_the_store(store) -> None:  # type: ignore[no-untyped-def]
    Path(store.url.removeprefix("sqlite:///")).chmod(0o644)
    app = OnssApp(connect=make_connect(launch_args(actor=LR_NISS, database=store.url)), fixed_identity=True)
    notices = record_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    warned = [n for n in notices if n.severity == "warning"]
    assert len(warned) == 1 and "Others can read" in warned[0].message and "console.db" in warned[0].message
