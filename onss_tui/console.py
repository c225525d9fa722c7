"""`ConsoleApp`: the console as its screens and widgets see it, and all they may ask of it.

The service and who is acting, the enterprise worked on and the language (both reactive), the catalogue,
the console's words (`t`, `say`, `who`, `catalogue_name`, `describe`; `quarter`, `day` and `count` as
its language writes them) and keys (`key_for`), and the few moves a screen asks for (`open_screen`,
`pick_enterprise`, `sign_in`, `start_up_done`). `onss_tui.app.OnssApp` builds on it: modes, bindings,
the sign-in, the palette and the one handler of failed workers. Screens and widgets type their app as
this class (`onss_tui.screens.base`), so that none imports the
application that imports them.
"""

from __future__ import annotations

import dataclasses
import errno
from collections.abc import Callable
from datetime import date
from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding, Keymap
from textual.keys import key_to_character
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.widgets import Input

from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.domain.text import shown
from onss_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, Messages, written_count, written_date

if TYPE_CHECKING:
    from onss_tui.services.dto import (
        Catalogue,
        CatalogueEntry,
        EnterpriseCategory,
        OnlineServiceEntry,
        PersonPublic,
        Role,
    )
    from onss_tui.services.protocol import AccessService
    from onss_tui.services.watched import Change

NAMED_KEYS = frozenset({"space", "del", "esc"})
"""Keys the footer shows by a word of the console's language (key.* messages)."""

TEXTUAL_WORDS = {
    "Dismiss menu": "textual.dismiss_menu",
    "Show menu": "textual.show_menu",
    "Toggle option": "textual.toggle_option",
    "Toggle": "textual.toggle",
    "Press button": "textual.press_button",
    "Quit": "nav.quit",
}
"""Descriptions Textual gives its widgets' bindings -> the message saying the same in the console's
language."""

OS_ERRORS = {
    errno.ENOENT: "os_error.no_such_file",
    errno.ENOTDIR: "os_error.not_a_folder",
    errno.EISDIR: "os_error.is_a_folder",
    errno.EACCES: "os_error.not_allowed",
    errno.EPERM: "os_error.not_allowed",
    errno.EROFS: "os_error.read_only",
    errno.ENOSPC: "os_error.disk_full",
    errno.EDQUOT: "os_error.disk_full",
    errno.EEXIST: "os_error.exists",
    errno.ENAMETOOLONG: "os_error.name_too_long",
}
"""What the system said (its error number) -> the message saying it in the console's language."""


def printable(key: str) -> bool:
    """Whether `key` (a key's name, or how it is shown) is typed as a character into a text field."""
    character = key if len(key) == 1 else key_to_character(key)
    return character is not None and character.isprintable()


class ConsoleApp(App[int]):
    """What the screens and widgets of the console may ask of it. The service layer is imported when first
    called upon: the sign-in screen's first frame needs none of it (nor pydantic)."""

    enterprise_id: reactive[int | None] = reactive(None)
    """The enterprise being worked on."""
    lang: reactive[str] = reactive(DEFAULT_LANGUAGE)
    """The language of the interface; widgets watch it to relabel themselves."""
    service_ready: reactive[bool] = reactive(False)
    """True once `service` can be called (the store may be opened in a worker)."""
    connecting_status: reactive[str] = reactive("sign_in.opening")
    """Message key saying what the store opening is doing."""
    open_failure: reactive[str] = reactive("")
    """What went wrong when the store could not be opened (empty while nothing did)."""

    unreachable: reactive[bool] = reactive(False)
    """The service did not answer the last call made to it: what the screens show may be old."""

    changes = 0
    """How many changes the console knows of: its own successful writes, and each time the service answers
    again after it was unreachable. A screen that loaded its data at a smaller count shows older data."""

    def __init__(self, *, lang: str) -> None:
        super().__init__()
        self.messages = Messages()
        self.notices_up: dict[tuple[str, str], float] = {}
        """Each notice shown (its title and message) -> when it goes: the same one is not stacked again."""
        self.actor_id: int | None = None
        self.actor: PersonPublic | None = None
        self.preset_actor_id: int | None = None
        """The person to sign in as without asking (`--as`, an SSH key, a token), until signed in."""
        self.identity_fixed = False
        """Who acts was given (`--as`, an SSH key, a token): no list of people is offered, nor another."""
        self.suggested: tuple[str, ...] = ()
        """National register numbers of people worth signing in as first (a demo store's showcase)."""
        self.catalogue: Catalogue | None = None
        self.enterprise_name: str | None = None
        self.enterprise_category: EnterpriseCategory | None = None
        self.mandates_wanted: dict[str, str] | None = None
        """The filters (field -> value) the mandates screen is asked to show next time it is shown (a step
        of the overview leading to the mandates waiting for it, a group's mandates), once."""
        self.designation_section_wanted: str | None = None
        """The section the designation screen is asked to show next time it is shown (a step of the
        overview), once."""
        self.keymap: dict[str, str] = {}
        """Binding id -> keys, from the settings (Textual's keymap, kept to name a key in a hint)."""
        self.set_reactive(ConsoleApp.lang, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)

    # ------------------------------------------------------------------ the service

    @property
    def service(self) -> AccessService:
        """The service every screen calls, once `service_ready`; it counts the changes (`changes`)."""
        return self._service

    @service.setter
    def service(self, service: AccessService) -> None:
        from onss_tui.services.watched import watched

        self._service = watched(service, self._changed)

    def _changed(self, change: Change) -> None:
        self.changes += 1
        if change != "written":
            self.unreachable = change == "unreachable"
        if change == "back":  # what the screen shows may be older than the store: it loads again
            catch_up = getattr(self.screen, "catch_up", None)
            if callable(catch_up):
                self.call_later(catch_up)

    # ------------------------------------------------------------------ words

    def t(self, key: str, /, **kwargs: Any) -> str:
        """The message `key` in the current language."""
        return self.messages.t(self.lang, key, **kwargs)

    def say(self, message: str) -> str:
        """A message of the service in the console's language: a `Reason` by its key, anything else (a
        reason this console's locale files do not know, a technical failure) as it came."""
        from onss_tui.services.errors import Reason

        if isinstance(message, Reason) and self.messages.has(message.key):
            values = message.values_in(self.lang)
            # A server of another version may give a key this console words with other values.
            if self.messages.placeholders(self.lang, message.key) <= set(values):
                return self.t(message.key, **values)
        return message

    def describe(self, description: str) -> str:
        """A binding's description in the current language: a message key, or one of Textual's words."""
        key = TEXTUAL_WORDS.get(description, description)
        return self.t(key) if self.messages.has(key) else description

    def os_error(self, error: BaseException | None) -> str:
        """What the system refused, in the current language (by its error number, not its English)."""
        number = error.errno if isinstance(error, OSError) else None
        key = OS_ERRORS.get(number or 0, "os_error.other")
        return self.t(key, number=str(number) if number else "?")

    def who(self, name: str) -> str:
        """Who acted, as the service names them: a person's name, or the system in the current language."""
        from onss_tui.services.dto import SYSTEM

        return self.t("common.system") if name == SYSTEM else shown(name)

    def catalogue_name(self, entry_or_code: CatalogueEntry | str) -> str:
        """The name of a quality, online service or group of services in the current language."""
        entry: CatalogueEntry | None
        if isinstance(entry_or_code, str):
            entry = None
            if self.catalogue is not None:
                everything = (
                    self.catalogue.qualities + self.catalogue.online_services + self.catalogue.service_groups
                )
                entry = next((e for e in everything if e.code == entry_or_code), None)
            if entry is None:
                return entry_or_code
        else:
            entry = entry_or_code
        name: str | None = getattr(entry, f"name_{self.lang}", None)
        return shown(name or entry.name_en)

    def quarter(self, quarter: Quarter | str | None) -> str:
        """A quarter as a reader of the current language writes it ("T4 2026"); one that cannot be read
        (from a server of another version) as it came."""
        if quarter is None or isinstance(quarter, Quarter):
            return quarter.written(self.lang) if quarter else ""
        try:
            return Quarter.parse(quarter).written(self.lang)
        except QuarterError:
            return shown(quarter)

    def day(self, moment: date) -> str:
        """The day of a date or a moment as a reader of the current language writes it (06/12/2026)."""
        return written_date(moment, self.lang)

    def count(self, number: int) -> str:
        """A whole number with the current language's thousands separator."""
        return written_count(number, self.lang)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice as plain text, whatever `markup` says: a notice may name a person, an enterprise or
        a file, and what they hold is never markup. One already on screen is not shown again (three lists
        that fail to load for the same reason say it once)."""
        lines = "\n".join(shown(line) for line in message.split("\n"))  # its own lines stay lines
        now, seconds = monotonic(), self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        said = (shown(title), lines)
        if self.notices_up.get(said, 0) > now:
            return
        self.notices_up = {notice: end for notice, end in self.notices_up.items() if end > now}
        self.notices_up[said] = now + seconds
        super().notify(lines, title=said[0], severity=severity, timeout=seconds, markup=False)

    # ------------------------------------------------------------------ keys

    def set_keymap(self, keymap: Keymap) -> None:
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    def update_keymap(self, keymap: Keymap) -> None:
        self.keymap.update(keymap)
        super().update_keymap(keymap)

    def typing_in_field(self) -> bool:
        """Whether printable keys go to what is typed (the focus is in a text field), not to commands."""
        return bool(self.screen_stack) and isinstance(self.focused, Input)

    def get_key_display(self, binding: Binding) -> str:
        """A key as the keyboards of the console's language name it (espace, suppr, échap, maj+tab), and the
        key that works now. While printable keys are typed (`typing_in_field`), a binding shown by one (? for
        help, q to quit) is shown by another key of its action that is not (F1, ctrl+q). Otherwise a binding
        is shown by a printable key shown for the same action, when there is one (q rather than ctrl+q)."""
        typing = self.typing_in_field()
        if typing and printable(super().get_key_display(binding)):
            binding = next(
                (
                    dataclasses.replace(bound.binding, key_display=None)
                    for bound in self.screen.active_bindings.values()
                    if bound.binding.action == binding.action and not printable(bound.binding.key)
                ),
                binding,
            )
        elif self.screen_stack and not typing and not binding.key_display and not printable(binding.key):
            binding = next(
                (
                    bound.binding
                    for bound in self.screen.active_bindings.values()
                    if bound.binding.action == binding.action
                    and bound.binding.show
                    and printable(bound.binding.key)
                ),
                binding,
            )
        shown = super().get_key_display(binding)
        if shown in NAMED_KEYS:
            return self.t(f"key.{shown}")
        return shown.replace("shift+", self.t("key.shift") + "+")

    def key_for(self, binding: Binding) -> str:
        """The key that runs `binding`, as the footer shows it: the keymap's first for its id, or its own."""
        keys = self.keymap.get(binding.id or "", "").split(",")[0].strip()
        return self.get_key_display(Binding(keys, binding.action) if keys else binding)

    # ------------------------------------------------------------------ the enterprise and its people

    def offered_services(self) -> list[OnlineServiceEntry]:
        """The online services the users of the enterprise worked on may be granted (by its kind)."""
        services = self.catalogue.online_services if self.catalogue else []
        return [s for s in services if self.enterprise_category in s.enterprise_categories]

    async def roles_here(self) -> frozenset[Role]:
        """The actor's roles in the enterprise worked on, as the service says now (none on failure)."""
        return (await self.standing_here())[0]

    async def standing_here(self) -> tuple[frozenset[Role], frozenset[str]]:
        """The actor's roles in the enterprise worked on, and the online services they hold there as a
        user, as the service says now (none on failure)."""
        from onss_tui.services.errors import ServiceError

        if self.actor_id is None or self.enterprise_id is None:
            return frozenset(), frozenset()
        try:
            overview = await self.service.get_overview(self.actor_id, self.enterprise_id)
        except ServiceError:
            return frozenset(), frozenset()
        return frozenset(overview.my_roles), frozenset(overview.my_services)

    def reveal_niss(self, person_id: int, shown: Callable[[str], None] | None = None) -> None:
        """Ask the service for a person's national register number without a reason (one's own: for
        anyone else's, `screens.reveal` asks the reason first) and show it; the reveal is audited."""
        self._reveal(person_id, shown)

    @work(group="reveal", exit_on_error=False)
    async def _reveal(self, person_id: int, shown: Callable[[str], None] | None) -> None:
        assert self.actor_id is not None
        niss = await self.service.reveal_niss(self.actor_id, person_id)
        if shown is not None:
            shown(niss)
        else:
            self.notify(niss, title=self.t("common.niss_revealed"), timeout=10)

    # ------------------------------------------------------------------ moves the application makes

    def open_screen(self, name: str) -> None:
        """Show one of the five screens by name (overview, designation, users, mandates, audit)."""
        raise NotImplementedError

    def pick_enterprise(self, then: str = "overview") -> None:
        """Ask which enterprise to work on, then open the screen `then`."""
        raise NotImplementedError

    def sign_in(self, actor_id: int) -> None:
        """Act as this person from now on, and go to their enterprise."""
        raise NotImplementedError

    def start_up_done(self) -> None:
        """The first screen is shown, or waits for the user: what start-up deferred may run."""
        raise NotImplementedError
