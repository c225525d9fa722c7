"""The console application: the modes, the bindings, the store opening and the sign-in, the palette, and
the one handler of failed workers. What screens and widgets may ask of it is `onss_tui.console.ConsoleApp`,
which this builds on.

Each of the five screens runs in its own Textual mode, so switching between them keeps what was typed;
their modules are imported when first opened. Choosing another enterprise rebuilds the screens that were
open for the previous one. Every worker that fails, the app's or a screen's, is reported here: a refusal
or failure of the service as `show_service_error` tells it, anything else as a notice, and the console
stays up.

Binding descriptions are message keys (`nav.users`): the footer, the help screen and the command palette
show them translated, and every binding has an id so that the config file's `keys` table can remap it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import events, on, work
from textual.app import SystemCommand, UnknownModeError
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from onss_tui.console import ConsoleApp
from onss_tui.i18n import LANGUAGES
from onss_tui.screens.base import holds_unsaved_input, in_form
from onss_tui.widgets.no_break import keep_no_break_spaces
from onss_tui.widgets.palette import Palette

if TYPE_CHECKING:
    from onss_tui.config import Settings
    from onss_tui.services.dto import EnterpriseSummary, Preferences
    from onss_tui.services.protocol import AccessService

SCREENS: dict[str, tuple[str, str]] = {
    "overview": ("onss_tui.screens.overview", "OverviewScreen"),
    "designation": ("onss_tui.screens.designation", "DesignationScreen"),
    "users": ("onss_tui.screens.users", "UsersScreen"),
    "mandates": ("onss_tui.screens.mandates", "MandatesScreen"),
    "audit": ("onss_tui.screens.audit", "AuditScreen"),
}
"""Screen name -> (module, class); each class is built without arguments."""

ENTERPRISE_SCREENS = frozenset({"overview", "designation", "users"})
"""Screens that work on one enterprise: opening one first asks for the enterprise when none is chosen."""

LEAVING = frozenset({"open_screen", "pick_enterprise", "act_as"})
"""The app's actions that take the person away from the screen they are on."""

FILLING_KEYS = frozenset({"tab", "shift+tab", "backspace", "delete", "left", "right", "home", "end"})
"""Keys that, besides the printable ones, go on filling in a form's field."""

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}
DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"


class Connection(NamedTuple):
    """An opened store: the service, the acting person when already known (then fixed for the session),
    (for a demo store) the national register numbers of people worth signing in as first, and the files
    holding personal data or a secret that others can read (to warn of)."""

    service: AccessService
    actor_id: int | None = None
    suggested: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


Connect = Callable[[Callable[[str], None], "Settings"], Awaitable[Connection]]
"""Opens the store after the first frame: given a status reporter (takes a message key) and the settings,
returns the connection. Blocking work belongs in `asyncio.to_thread`."""


def _screen_factory(name: str) -> Callable[[], Screen]:
    module_name, class_name = SCREENS[name]

    def build() -> Screen:
        screen: Screen = getattr(importlib.import_module(module_name), class_name)()
        # Built now, it is styled by the stylesheet as it is: Textual need not parse every stylesheet and
        # style the whole app again to show it (twice, when its mode is first opened). Textual's private
        # counter, for want of a public way: tests/tui/test_textual.py checks it is there.
        screen._css_update_count = screen.app._css_update_count
        return screen

    return build


def _read_settings() -> Settings:
    """The config file and environment (pydantic is imported here, off the event loop); settings that
    cannot be used end the start with one line."""
    from onss_tui.config import SettingsError, read_settings

    try:
        return read_settings()
    except SettingsError as exc:
        raise ConnectFailed(str(exc)) from exc


def _what_happened(error: BaseException) -> str:
    """An unexpected failure in one line: its kind and what it says."""
    said = str(error).strip().splitlines()
    return f"{type(error).__name__}: {said[0]}" if said else type(error).__name__


class ConnectFailed(Exception):
    """Opening the store failed in a way the user must fix: the message, and the exit code to return."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class OnssApp(ConsoleApp, inherit_bindings=False):
    """Secure access for Belgian employers: overview, designation, users, mandates, audit trail.

    Textual's own bindings (ctrl+q, ctrl+c) are among these, in the order the footer shows them."""

    CSS_PATH = "app.tcss"
    TITLE = "onss-tui"
    ENABLE_COMMAND_PALETTE = True
    OFFERS_SCREENSHOTS = True
    """Whether the palette offers a screenshot (saved where the console runs)."""
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {name: _screen_factory(name) for name in SCREENS}
    BINDINGS: ClassVar = [
        Binding("1", "open_screen('overview')", "nav.overview", id="app.overview", show=False),
        Binding("2", "open_screen('designation')", "nav.designation", id="app.designation", show=False),
        Binding("3", "open_screen('users')", "nav.users", id="app.users", show=False),
        Binding("4", "open_screen('mandates')", "nav.mandates", id="app.mandates", show=False),
        Binding("5", "open_screen('audit')", "nav.audit", id="app.audit", show=False),
        Binding("e", "pick_enterprise", "nav.enterprise", id="app.enterprise"),
        Binding("f1,question_mark", "help", "nav.help", id="app.help", key_display="?"),
        Binding("escape", "back", "nav.back", id="app.back", show=False),
        # Before the focused widget sees the key: keys typed right after Tab (a fast typist, or keys that
        # arrive together over SSH) then go to the next field, not to the one Tab leaves.
        Binding("tab", "focus_next", "nav.next_field", id="app.next_field", show=False, priority=True),
        Binding(
            "shift+tab",
            "focus_previous",
            "nav.previous_field",
            id="app.previous_field",
            show=False,
            priority=True,
        ),
        Binding("f2", "next_language", "nav.language", id="app.language", show=False),
        Binding("f3", "toggle_theme", "nav.theme", id="app.theme", show=False),
        Binding("ctrl+p", "command_palette", "nav.palette", id="app.palette", show=False, priority=True),
        Binding("f4", "act_as", "nav.act_as", id="app.act_as"),
        Binding("q", "quit", "nav.quit", id="app.quit_key"),
        # Shown while a text field takes q.
        Binding("ctrl+q", "quit", "nav.quit", id="app.quit", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        service: AccessService | None = None,
        *,
        actor_id: int | None = None,
        lang: str = "en",
        settings: Settings | None = None,
        connect: Connect | None = None,
        theme: str | None = None,
        fixed_identity: bool = False,
    ) -> None:
        """`settings` default to the config file and environment, read after the first frame when connecting;
        `theme` is the theme to start with until then. With `actor_id`, or `fixed_identity` (the connection
        names the person), no list of people is offered: that person is signed in, and only them."""
        if (service is None) == (connect is None):
            raise ValueError("give either a service or a way to connect to one")
        keep_no_break_spaces()
        super().__init__(lang=lang)
        self.identity_fixed = fixed_identity or actor_id is not None
        self._fixed_person = actor_id
        """The one person a fixed identity signs in (given, or named by the connection)."""
        self.settings = settings
        if service is not None:
            self.service = service
        self._connect = connect
        self.preset_actor_id = actor_id
        self.exit_message: str | None = None
        self._settled = False
        self._filling_form = False
        """The person is filling in a form: the last keys went into its fields, or moved between them."""
        self.set_reactive(OnssApp.service_ready, service is not None)
        start_theme = settings.theme if settings is not None else theme
        if start_theme in self.available_themes:
            self.theme = start_theme
        self._remembered_theme = self.theme

    # ------------------------------------------------------------------ start

    def get_default_screen(self) -> Screen:
        if self.identity_fixed:
            from onss_tui.screens.session import SessionScreen

            return SessionScreen()
        from onss_tui.screens.sign_in import SignInScreen

        return SignInScreen()

    def on_mount(self) -> None:
        if self.settings is not None:
            self._apply_settings(self.settings)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self._connect is not None:
            # Once the first frame is drawn: the store's imports, in a thread, would share the GIL with it.
            self.call_after_refresh(self._open_store)

    def _apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        if settings.keys:
            self.set_keymap(settings.keys)
        if settings.theme in self.available_themes and settings.theme != self.theme:
            self._remembered_theme = settings.theme
            self.theme = settings.theme

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _open_store(self) -> None:
        assert self._connect is not None

        def report(key: str) -> None:
            self.connecting_status = key

        try:
            if self.settings is None:
                self._apply_settings(await asyncio.to_thread(_read_settings))
            assert self.settings is not None
            connection = await self._connect(report, self.settings)
        except ConnectFailed as failure:
            self._give_up(str(failure), failure.exit_code)
            return
        except Exception as failure:  # the sign-in screen says so; the handler of failed workers, too
            self.open_failure = _what_happened(failure)
            raise
        self.service = connection.service
        self.suggested = connection.suggested
        if connection.actor_id is not None:
            self.preset_actor_id = self._fixed_person = connection.actor_id
            self.identity_fixed = True
        self.service_ready = True
        for path in connection.warnings:
            self.notify(self.t("files.readable_by_others", path=path), severity="warning", timeout=20)

    def _give_up(self, message: str, exit_code: int) -> None:
        self.exit_message = message
        self.exit(exit_code, return_code=exit_code)

    def sign_in(self, actor_id: int) -> None:
        """Sign in as a person, load the catalogue, then go to their enterprise (or ask which one). With a
        fixed identity, only the person it names, once."""
        if self.identity_fixed and (self.actor_id is not None or actor_id != self._fixed_person):
            return
        self._sign_in(actor_id)

    @work(exclusive=True, group="sign-in", exit_on_error=False)
    async def _sign_in(self, actor_id: int) -> None:
        from onss_tui.services.dto import PageRequest

        try:
            person = await self.service.sign_in(actor_id)
            # Side by side: over the HTTP API, one round trip instead of two (or three).
            catalogue, first, remembered = await asyncio.gather(
                self.service.catalogue(actor_id),
                self.service.list_enterprises(actor_id, page=PageRequest(size=2)),
                self.remembered(actor_id),
            )
            self.signed_in(remembered)
            self.actor_id, self.actor, self.catalogue = actor_id, person, catalogue
            self.sub_title = person.full_name
            self.refresh_bindings()
            if len(first.items) == 1 and first.next_cursor is None:
                await self.choose_enterprise(first.items[0], "overview")
            else:
                self.pick_enterprise("overview")
        finally:
            self.start_up_done()

    async def remembered(self, actor_id: int) -> Preferences | None:
        """What the store remembers of the person's choices (None: this console keeps them in its config
        file)."""
        return None

    def signed_in(self, remembered: Preferences | None) -> None:
        """The person is signed in: what follows for this kind of console."""

    def start_up_done(self) -> None:
        """The first screen is shown, or waits for the user: what start-up deferred is done once its
        data is on the screen (`_settle`)."""
        if not self._settled:
            self._settled = True
            self._settle([worker for worker in self.workers if worker.is_running])

    @work(group="settle", exit_on_error=False)
    async def _settle(self, loading: list[Worker[Any]]) -> None:
        """Once the workers loading the first screen are over (done, failed or cancelled by a newer one)
        and the screen drawn: import the screens' modules, so that each opens at once. Then collect what
        start-up left (the console starts with the garbage collector off: its passes over start-up's many
        new objects cost about 100 ms before the overview showed its data), set aside what lives as long
        as the console (the collector's full passes no longer walk it: each took a frame or more while
        browsing), and turn the collector on again, whatever happened before."""
        try:
            await asyncio.gather(*(worker.wait() for worker in loading), return_exceptions=True)
            with contextlib.suppress(TimeoutError):  # a screen closed before it was drawn again
                await asyncio.wait_for(self.screen.wait_for_refresh(), timeout=1)
            await asyncio.to_thread(self._set_start_up_aside)
        finally:
            gc.enable()

    @staticmethod
    def _set_start_up_aside() -> None:
        for module_name, _class_name in SCREENS.values():
            importlib.import_module(module_name)
        gc.collect()
        gc.freeze()

    async def on_unmount(self) -> None:
        if self._connect is not None and self.service_ready:
            await self.service.aclose()

    # ------------------------------------------------------------------ screenshots

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """A screenshot of the console, saved in the data directory (in a browser: downloaded)."""
        from onss_tui.config import screenshot_dir

        if path is None:
            folder = screenshot_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.notify(
                    self.t("screenshot.failed", reason=self.os_error(exc)), severity="error", markup=False
                )
                return None
            path = str(folder)
        return super().deliver_screenshot(filename, path, time_format)

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()
            said = (
                self.t("screenshot.saved", path=str(event.path)) if event.path else self.t("screenshot.sent")
            )
            self.notify(said, title=self.t("screenshot.title"), markup=False)

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()
            reason = self.os_error(event.exception)
            self.notify(self.t("screenshot.failed", reason=reason), severity="error", markup=False)

    # ------------------------------------------------------------------ failed workers

    @on(Worker.StateChanged)
    def _report_failed_worker(self, event: Worker.StateChanged) -> None:
        """Every failed worker meets here: the app's own, and those screens and widgets hand on. A refusal
        or failure of the service is told as `show_service_error` tells it; anything else is a notice in
        the console's language with its details in the log, and the console stays up."""
        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.errors import ServiceError

        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        if isinstance(error, ServiceError):
            node = event.worker.node
            show_service_error(node if isinstance(node, Widget) else self.screen, error)
            return
        from rich.traceback import Traceback

        self.log.error(Traceback.from_exception(type(error), error, error.__traceback__))
        self.notify(
            self.t("error.unexpected", what=_what_happened(error)),
            title=self.t("error.unexpected_title"),
            severity="error",
            timeout=15,
            markup=False,
        )

    # ------------------------------------------------------------------ language and theme

    def set_language(self, lang: str) -> None:
        """Switch the language of every screen, and remember it in the config file."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        self._save_setting("lang", lang)

    def watch_lang(self) -> None:
        self.refresh_bindings()

    def _remember_theme(self, _theme: object) -> None:
        if self.theme != self._remembered_theme:
            self._remembered_theme = self.theme
            self._save_setting("theme", self.theme)

    def _save_setting(self, name: str, value: str) -> None:
        from onss_tui.config import save_setting

        try:
            save_setting(name, value)
        except OSError as exc:
            self.notify(self.t("common.setting_not_saved", reason=self.os_error(exc)), severity="warning")

    # ------------------------------------------------------------------ navigation

    def open_screen(self, name: str) -> None:
        """Show one of the five screens by name; an enterprise screen first asks for the enterprise."""
        if name not in SCREENS or self.actor_id is None:
            return
        if name in ENTERPRISE_SCREENS and self.enterprise_id is None:
            self.pick_enterprise(name)
            return
        self.switch_mode(name)

    def pick_enterprise(self, then: str = "overview") -> None:
        """Ask which enterprise to work on, then open the screen `then`."""
        from onss_tui.screens.enterprise_picker import EnterprisePickerScreen

        async def chosen(enterprise: EnterpriseSummary | None) -> None:
            if enterprise is not None:
                await self.choose_enterprise(enterprise, then)

        self.push_screen(EnterprisePickerScreen(), chosen)

    async def choose_enterprise(self, enterprise: EnterpriseSummary, then: str = "overview") -> None:
        """Work on another enterprise: screens open for the previous one are built again when shown."""
        changed = enterprise.id != self.enterprise_id
        self.enterprise_name, self.enterprise_category = enterprise.name, enterprise.category
        self.sub_title = f"{enterprise.name} · {self.actor.full_name if self.actor else ''}"
        self.enterprise_id = enterprise.id
        if changed:
            for name in SCREENS:
                if name not in (self.current_mode, then):
                    await self.remove_mode(name)
                    self.add_mode(name, _screen_factory(name))
        previous = self.current_mode
        if then != previous:
            if changed:
                await self.remove_mode(then)
                self.add_mode(then, _screen_factory(then))
            await self.switch_mode(then)
            if changed and previous in SCREENS:
                await self.remove_mode(previous)
                self.add_mode(previous, _screen_factory(previous))

    async def act_as_someone_else(self) -> None:
        """Back to the list of people (a demo's sign-in), forgetting who acted and where."""
        from onss_tui.screens.sign_in import SignInScreen

        if self.identity_fixed or self.actor_id is None:
            return
        self.actor_id, self.actor, self.catalogue = None, None, None
        if self.current_mode == "sign_in":  # from a dialog over the list of a previous turn
            while len(self.screen_stack) > 1:
                await self.pop_screen()
        else:
            with contextlib.suppress(UnknownModeError):
                await self.remove_mode("sign_in")
            self.add_mode("sign_in", SignInScreen)
            await self.switch_mode("sign_in")
        for name in SCREENS:
            await self.remove_mode(name)
            self.add_mode(name, _screen_factory(name))
        self.enterprise_id = None
        self.enterprise_name = self.enterprise_category = None
        self.sub_title = ""
        self.refresh_bindings()

    # ------------------------------------------------------------------ keys while typing

    def typing_in_field(self) -> bool:
        """The focus is in a text field, or anywhere in a form (where printable keys do no command)."""
        focused = self.focused if self.screen_stack else None
        return focused is not None and (isinstance(focused, Input) or in_form(focused))

    async def on_event(self, event: events.Event) -> None:
        """A key typed while the person is filling in a form never takes them elsewhere (see `_swallowed`)."""
        if isinstance(event, events.MouseDown):
            self._filling_form = False
        elif isinstance(event, events.Key) and not event.is_forwarded and self._swallowed(event):
            self.bell()
            return
        await super().on_event(event)

    def _swallowed(self, key: events.Key) -> bool:
        """Note whether the person is filling in a form, and say whether `key` must do nothing.

        Keys typed into a form's field, the keys that edit it, and Tab and shift+Tab between its fields, are
        filling it in; any other key (Escape, Enter, ctrl+s, a function key) or a click ends that. Meanwhile,
        and while the focus is in a form, a printable key runs no binding but the focused widget's own: the
        digit typed after shift+Tab left the first field never opens another screen. While the screen holds
        unsaved input, a printable key never runs a binding of the app that leaves the screen."""
        focused = self.focused
        if isinstance(focused, Input):
            self._filling_form = in_form(focused) and (key.is_printable or key.key in FILLING_KEYS)
            return False
        if key.key not in ("tab", "shift+tab") and not key.is_printable:
            self._filling_form = False
            return False
        if not key.is_printable or key.key == "space":
            return False
        filling = self._filling_form or (focused is not None and in_form(focused))
        if not filling and not holds_unsaved_input(self.screen):
            return False  # the common case, a key on a list: the bindings need not be gathered
        bound = self.screen.active_bindings.get(key.key)
        if bound is None or (focused is not None and bound.node is focused):
            return False
        return filling or (bound.node is self and bound.binding.action.split("(")[0] in LEAVING)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act_as":
            return self.actor_id is not None and not self.identity_fixed
        if action in ("open_screen", "pick_enterprise"):
            if self.actor_id is None:
                return False
            if action == "pick_enterprise" and getattr(self.screen, "PICKS_ENTERPRISE", False):
                return False
            return None if isinstance(self.screen, ModalScreen) else True
        return True

    def action_act_as(self) -> None:
        """Act as someone else; when a form of any screen holds unsaved input, ask first."""
        from onss_tui.screens.confirm import ConfirmScreen

        if not self._unsaved_anywhere():
            self.run_worker(self.act_as_someone_else(), group="act-as", exit_on_error=False)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.act_as_someone_else()

        t = self.t
        question = ConfirmScreen(
            t("form.discard_title"), t("form.discard_question"), confirm=t("form.discard"), danger=True
        )
        self.push_screen(question, answered)

    def action_open_screen(self, name: str) -> None:
        self.open_screen(name)

    def action_pick_enterprise(self) -> None:
        self.pick_enterprise(self.current_mode if self.current_mode in ENTERPRISE_SCREENS else "overview")

    def action_help(self) -> None:
        from onss_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_back(self) -> None:
        """Escape, back one step: leave the field (or the form) the focus is in, else close the dialog on
        top (a form of its own asks first when what was typed would be lost). It never changes screen, so
        nothing a screen holds (a list's filters, a form) is dropped."""
        if self.focused is not None and (isinstance(self.focused, Input) or in_form(self.focused)):
            self.screen.set_focus(None)
        elif len(self.screen_stack) > 1:
            self.screen.dismiss(None)

    async def action_quit(self) -> None:
        """Quit; when a form of any screen holds input not yet saved, ask first (asked again: quit)."""
        from onss_tui.screens.confirm import QuitQuestion

        if isinstance(self.screen, QuitQuestion) or not self._unsaved_anywhere():
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        t = self.t
        self.push_screen(
            QuitQuestion(t("quit.title"), t("quit.question"), confirm=t("nav.quit"), danger=True), answered
        )

    def _unsaved_anywhere(self) -> bool:
        """Whether a screen of any mode opened holds input not yet saved."""
        screens: list[Screen[Any]] = []
        for mode in {*SCREENS, self.current_mode}:
            with contextlib.suppress(KeyError):  # never opened
                screens += self.get_screen_stack(mode)
        return any(holds_unsaved_input(screen) for screen in screens)

    def action_next_language(self) -> None:
        self.set_language(LANGUAGES[(LANGUAGES.index(self.lang) + 1) % len(LANGUAGES)])

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    # ------------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        t = self.t
        if self.actor_id is not None:
            for name in SCREENS:
                yield SystemCommand(t(f"nav.{name}"), t(f"palette.{name}"), partial(self.open_screen, name))
            yield SystemCommand(t("nav.enterprise"), t("palette.enterprise"), self.action_pick_enterprise)
            if not self.identity_fixed:
                yield SystemCommand(t("palette.act_as"), t("palette.act_as_help"), self.action_act_as)
            yield from self._binding_commands(screen)
        for lang in LANGUAGES:
            yield SystemCommand(
                t("palette.language", name=LANGUAGE_NAMES[lang]),
                t("palette.language_help"),
                partial(self.set_language, lang),
            )
        yield SystemCommand(
            t("palette.theme_dark"), t("palette.theme_help"), partial(self._set_theme, DARK_THEME)
        )
        yield SystemCommand(
            t("palette.theme_light"), t("palette.theme_help"), partial(self._set_theme, LIGHT_THEME)
        )
        yield SystemCommand(t("nav.help"), t("palette.help"), self.action_help)
        yield from self._textual_commands(screen)

    def _textual_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own system commands, in the console's words: its theme picker and keys panel are left
        out (the console has its two themes and its help lists every key in the language)."""
        t = self.t
        yield SystemCommand(t("nav.quit"), t("palette.quit"), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(t("palette.minimize"), t("palette.minimize_help"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("palette.maximize"), t("palette.maximize_help"), screen.action_maximize)
        if self.OFFERS_SCREENSHOTS:
            yield SystemCommand(
                t("screenshot.title"),
                t("palette.screenshot_help"),
                lambda: self.call_after_refresh(self.deliver_screenshot),
            )

    def action_command_palette(self) -> None:
        """The command palette, asking for a command in the console's language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                Palette(placeholder=self.t("palette.placeholder"), no_matches=self.t("palette.no_matches"))
            )

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit: say which key does, in the console's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                shown_key = self.get_key_display(Binding(key, "quit"))
                self.notify(self.t("quit.how", key=shown_key), title=self.t("quit.how_title"))
                return

    def _binding_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The current screen's own actions (those its footer shows), so that each is in the palette."""
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            if node is self or not enabled or not self.messages.has(binding.description):
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                self.t(binding.description),
                self.t("palette.on_this_screen", key=self.get_key_display(binding)),
                partial(self.run_action, binding.action, node),
            )

    def _set_theme(self, name: str) -> None:
        self.theme = name
