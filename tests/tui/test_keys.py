"""Keys that never surprise: what is typed goes where the person types, quitting and leaving a form ask
when something typed would be lost, Escape has one meaning, the dialogs answer in the console's language.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input
from textual.widgets._footer import FooterKey

from onss_tui.app import OnssApp
from onss_tui.screens.confirm import ConfirmScreen, QuitQuestion
from onss_tui.screens.designation import DesignationScreen
from onss_tui.screens.enterprise_picker import EnterprisePickerScreen
from onss_tui.screens.help import HelpScreen
from onss_tui.screens.mandate_form import MandateFormScreen
from onss_tui.screens.reveal import RevealScreen
from onss_tui.screens.service_checklist import ServiceChecklistScreen
from onss_tui.screens.sign_in import SignInScreen
from onss_tui.screens.user_form import UserFormScreen
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.navbar import NavBar
from tests.tui.browsing import Session, console, make_main_access_manager, settle
from tests.tui.conftest import Store

BOUND_ELSEWHERE = "12345eqnoxvwrad?/"
"""Keys that are bindings of the app or of a screen: typed into a field, each is a character."""


def footer_keys(app: OnssApp) -> dict[str, str]:
    """The footer's keys as shown, by what they do."""
    return {key.description: key.key_display for key in app.screen.query_one(Footer).query(FooterKey)}


def record_exit(app: OnssApp) -> list[bool]:
    """Calls to `app.exit` from now on (the console then stays up, for the test to go on)."""
    exits: list[bool] = []
    app.exit = lambda *args, **kwargs: exits.append(True)  # type: ignore[method-assign]
    return exits


async def typed_into_focus(session: Session, text: str) -> str:
    """Type `text` into the focused field, key by key, and return what the field then holds."""
    field = session.app.focused
    assert isinstance(field, Input), f"the focus is on {field!r}, not a text field"
    field.value = ""
    await session.press(*text)
    return field.value


async def test_keys_bound_elsewhere_are_typed_into_every_field_and_never_leave_the_screen(
    store: Store,
) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        app = session.app
        fields = {
            "designation": ["#designee_first_name-input", "#legal_representative_eid-input"],
            "users": ["#filter-text"],
            "mandates": ["#filter-text", "#filter-quarter"],
            "audit": ["#filter-actor", "#filter-enterprise", "#filter-action"],
        }
        for mode, selectors in fields.items():
            await session.open(mode)
            for selector in selectors:
                app.screen.query_one(selector).focus()
                await settle(session.pilot)
                held = await typed_into_focus(session, BOUND_ELSEWHERE)
                assert app.current_mode == mode and app.screen.query(selector), (mode, selector)
                assert held == BOUND_ELSEWHERE[: len(held)] and "12345" in held, (mode, selector, held)
        await session.open("users")
        await session.press("escape", "n")  # the list has the keys again: a new user
        assert isinstance(app.screen, UserFormScreen)
        assert await typed_into_focus(session, BOUND_ELSEWHERE[:12]) == BOUND_ELSEWHERE[:12]
        assert isinstance(app.screen, UserFormScreen)
        app.screen.dismiss(None)
        await session.open("mandates")
        await session.press("escape", "n")
        assert isinstance(app.screen, MandateFormScreen)
        assert await typed_into_focus(session, BOUND_ELSEWHERE) == BOUND_ELSEWHERE
        assert isinstance(app.screen, MandateFormScreen)
        app.screen.dismiss(None)
        await session.press("escape", "e")
        assert isinstance(app.screen, EnterprisePickerScreen)
        assert await typed_into_focus(session, "12345eq?") == "12345eq?"
        assert isinstance(app.screen, EnterprisePickerScreen)


async def test_a_digit_typed_after_shift_tab_left_a_form_stays_on_its_screen(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        app = session.app
        await session.open("designation")
        assert app.focused is not None and app.focused.id == "legal_representative_eid-input"
        await session.press("shift+tab", "5", "9", "1", "e", "q")  # past the first field: still typing
        assert app.current_mode == "designation" and isinstance(app.screen, DesignationScreen)
        assert not isinstance(app.screen, QuitQuestion)
        await session.press("escape", "5")  # stopped typing, and nothing typed is lost: the key leads on
        assert app.current_mode == "audit"


async def test_while_a_form_holds_unsaved_input_the_app_s_keys_do_not_leave_its_screen(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        app = session.app
        await session.open("designation")
        app.screen.query_one("#designee_first_name-input").focus()
        await session.press("A", "n", "n", "escape")
        assert app.focused is None
        await session.press("3", "e", "4")
        assert app.current_mode == "designation" and isinstance(app.screen, DesignationScreen)
        await session.press("f1")  # what is not a way elsewhere still works
        assert isinstance(app.screen, HelpScreen)


async def test_before_anyone_is_chosen_no_tab_digits_show_and_the_footer_names_keys_not_typed(
    store: Store,
) -> None:
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert str(app.screen.query_one("#nav-tabs").render()).strip() == ""
        keys = footer_keys(app)
        assert keys["Help"] == "f1" and keys["Quit"] == "^q"  # ? and q would be typed into the search
        await pilot.press("1", "?", "q")
        await settle(pilot)
        assert app.screen.query_one("#sign-in-search", Input).value == "1?q"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_the_footer_shows_how_to_quit_and_q_quits_when_nothing_is_unsaved(store: Store) -> None:
    async with console(store.service, store.world.lr, lang="fr") as session:
        app = session.app
        exits = record_exit(app)
        assert footer_keys(app)["Quitter"] == "q"
        await session.press("q")
        assert exits == [True]
        tabs = str(app.screen.query_one(NavBar).query_one("#nav-tabs").render())
        assert "1 Aperçu" in tabs


async def test_quitting_asks_when_a_form_of_any_screen_holds_unsaved_input(store: Store) -> None:
    async with console(store.service, store.world.lr, lang="nl") as session:
        app = session.app
        exits = record_exit(app)
        await session.open("designation")
        app.screen.query_one("#designee_first_name-input").focus()
        await session.press("A", "n", "n")
        await session.open("audit")  # the half-filled form stays on its screen, out of sight
        await session.press("ctrl+q")
        assert isinstance(app.screen, QuitQuestion) and not exits
        await session.press("n")
        assert app.current_mode == "audit" and not exits
        await session.press("q")
        assert isinstance(app.screen, QuitQuestion)
        await session.press("j")
        assert exits == [True] and not isinstance(app.screen, QuitQuestion)
        await session.press("ctrl+q", "ctrl+q")  # asked again: quit
        assert exits == [True, True]


async def test_escape_leaves_a_form_with_unsaved_input_only_once_asked(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr, lang="fr") as session:
        app = session.app
        exits = record_exit(app)
        await session.open("users")
        await session.press("escape", "n")
        form = app.screen
        assert isinstance(form, UserFormScreen)
        await session.press("escape")  # nothing typed: closed at once
        assert app.screen is not form
        await session.press("n")
        form = app.screen
        assert isinstance(form, UserFormScreen)
        await session.press("8", "5")
        await session.press("ctrl+q")
        assert isinstance(app.screen, QuitQuestion) and not exits
        await session.press("escape")  # Escape answers no
        assert app.screen is form
        await session.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await session.press("n")
        assert app.screen is form
        await session.press("escape", "o")
        assert app.current_mode == "users" and not isinstance(app.screen, (ConfirmScreen, UserFormScreen))


async def test_escape_never_changes_screen_nor_drops_a_list_s_filter(store: Store) -> None:
    await make_main_access_manager(store.service, store.world)
    async with console(store.service, store.world.lr) as session:
        app = session.app
        await session.open("users")
        app.screen.query_one("#filter-text").focus()
        await session.press("L", "o", "enter")  # to the list
        assert app.focused is session.table
        await session.press("escape")
        assert app.current_mode == "users"
        assert app.screen.query_one("#filter-text", Input).value == "Lo"
        await session.press("escape", "escape")
        assert app.current_mode == "users"


async def answer_with(pilot: Pilot[Any], app: OnssApp, key: str) -> list[bool | None]:
    """Ask a question, press `key`, and return the answers given (none while it is still asked)."""
    answers: list[bool | None] = []
    app.push_screen(ConfirmScreen("?", "?"), answers.append)
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    if isinstance(app.screen, ConfirmScreen):
        app.screen.dismiss(None)
        await settle(pilot)
    return answers


async def test_confirm_dialogs_answer_with_the_keys_of_the_language_shown_on_their_buttons(
    store: Store,
) -> None:
    expected = {"en": ("y", "j", "o"), "fr": ("o", "y", "j"), "nl": ("j", "y", "o")}
    for lang, (yes, *others) in expected.items():
        app = store.app(store.world.lr, lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(ConfirmScreen("?", "?"))
            await settle(pilot)
            labels = [str(button.label) for button in app.screen.query(Button)]
            assert labels[0].endswith(f"({yes})") and labels[1].endswith("(n)"), labels
            app.screen.dismiss(None)
            await settle(pilot)
            assert await answer_with(pilot, app, yes) == [True]
            assert await answer_with(pilot, app, yes.upper()) == [True]
            assert await answer_with(pilot, app, "n") == [False]
            assert await answer_with(pilot, app, "escape") == [False]
            for other in others:  # another language's yes is no answer
                assert await answer_with(pilot, app, other) == [None]


async def test_the_demo_offers_to_act_as_someone_else_from_any_screen(store: Store) -> None:
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Someone else" not in footer_keys(app)
        app.sign_in(store.world.lr)
        await settle(pilot)
        if isinstance(app.screen, EnterprisePickerScreen):
            app.screen.dismiss(None)
            await settle(pilot)
        app.open_screen("audit")
        await settle(pilot)
        app.set_focus(None)
        await settle(pilot)
        assert footer_keys(app)["Someone else"] == "f4"
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor_id is None


async def test_a_fixed_identity_is_not_offered_to_act_as_someone_else(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        assert "Someone else" not in footer_keys(session.app)
        await session.press("f4")
        assert session.app.actor_id == store.world.lr


async def test_every_dialog_holding_a_form_asks_before_escape_loses_what_was_typed(store: Store) -> None:
    async def nothing(chosen: list[str]) -> None:
        return None

    dialogs = {
        "reveal": (lambda: RevealScreen(store.world.newcomer, "Nina", "**"), ("a", "b")),
        "checklist": (
            lambda: ServiceChecklistScreen("?", "Nina", [("Dimona", "dimona")], "Grant", nothing),
            ("space",),
        ),
    }
    async with console(store.service, store.world.lr) as session:
        app = session.app
        for name, (dialog, keys) in dialogs.items():
            app.push_screen(dialog())
            await settle(session.pilot)
            await session.press("escape")  # nothing typed: closed at once
            assert not isinstance(app.screen, (RevealScreen, ServiceChecklistScreen)), name
            shown = dialog()
            app.push_screen(shown)
            await settle(session.pilot)
            await session.press(*keys, "escape")
            assert isinstance(app.screen, ConfirmScreen), name
            await session.press("y")
            assert shown not in app.screen_stack, name


async def test_acting_as_someone_else_asks_when_a_form_holds_unsaved_input(store: Store) -> None:
    app = store.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.sign_in(store.world.lr)
        await settle(pilot)
        if isinstance(app.screen, EnterprisePickerScreen):
            app.screen.dismiss(None)
            await settle(pilot)
        app.open_screen("designation")
        await settle(pilot)
        app.screen.query_one("#designee_first_name-input").focus()
        await pilot.press("A", "n", "n", "f4")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.actor_id == store.world.lr
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DesignationScreen)
        await pilot.press("f4", "y")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor_id is None


async def test_in_a_form_the_footer_names_the_keys_that_are_no_command_there(store: Store) -> None:
    async with console(store.service, store.world.lr) as session:
        app = session.app
        await session.open("designation")
        app.screen.query_one("#mam-submit").focus()
        await settle(session.pilot)
        keys = footer_keys(app)
        assert (keys["Help"], keys["Quit"]) == ("f1", "^q")
        await session.press("q", "?")  # typed in a form: no command
        assert app.is_running and isinstance(app.screen, DesignationScreen)
        app.set_focus(None)
        await settle(session.pilot)
        keys = footer_keys(app)
        assert (keys["Help"], keys["Quit"]) == ("?", "q")
