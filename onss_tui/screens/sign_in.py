"""Sign-in: choose who is acting among the people who hold a role in the store, and support staff.

The list is searchable by name or by the start of a national register number, which stays masked.
While the store is being opened (a demo store is being filled) the screen says so, and what went wrong
if it could not be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, OptionList
from textual.widgets.option_list import Option

from onss_tui.domain.text import SEARCH_MAX
from onss_tui.screens.opening import OpeningScreen
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.plain import literal
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from onss_tui.console import ConsoleApp
    from onss_tui.services.dto import Identity

MAX_IDENTITIES = 50


def role_summary(app: ConsoleApp, roles: list[str], limit: int = 2) -> str:
    """'Legal representative · Brasserie Dupont, User · Other (+1)' in the current language."""
    t = app.t
    parts = []
    for role in roles[:limit]:
        name, _, enterprise = role.partition("@")
        parts.append(f"{t(f'role.{name}')} · {enterprise}" if enterprise else t(f"role.{name}"))
    more = len(roles) - limit
    return ", ".join(parts) + (f" (+{more})" if more > 0 else "")


class SignInScreen(OpeningScreen):
    """Who is acting? Lists identities; Enter signs in as the highlighted one."""

    HELP_KEY = "help.sign_in"
    AUTO_FOCUS = "#sign-in-search"
    STATUS, LOADING = "#sign-in-status", "#sign-in-loading"
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "common.search", id="sign_in.search"),
        Binding("down", "move(1)", "common.down", id="sign_in.down", show=False),
        Binding("up", "move(-1)", "common.up", id="sign_in.up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._identities: list[Identity] = []
        self._suggested: list[Identity] = []
        self._showcase: set[int] = set()
        """The people a demo store suggests trying, by person id."""
        self._listed: str | None = None
        """The search text the list shows the people for (None: no list yet)."""
        self._sign_in_on_arrival = False
        """Enter came before the list for the text typed: sign in as its first person once it comes."""
        self._left = False
        """Another screen was shown over this one: back here (to act as someone else), the list is
        offered again."""

    def compose(self) -> ComposeResult:
        yield NavBar()
        with Vertical(id="sign-in"):
            yield Tr("sign_in.title", classes="screen-title")
            yield Tr("sign_in.explain", classes="explain")
            yield Input(id="sign-in-search", compact=True, max_length=SEARCH_MAX)
            yield OptionList(id="identities")
            yield Tr(self.app.connecting_status, id="sign-in-status")
            yield LoadingIndicator(id="sign-in-loading")
        yield Footer()

    def _relabel(self, _lang: str | None = None) -> None:
        self.query_one("#sign-in-search", Input).placeholder = self.app.t("sign_in.search")
        if self._identities:
            self._show(self._identities)

    def _ready(self, ready: bool) -> None:
        if not ready:
            return
        if self.app.identity_fixed:  # the connection named the person: no list, but their session
            from onss_tui.screens.session import SessionScreen

            self.app.add_mode("session", SessionScreen)
            self.app.switch_mode("session")
            return
        self._offer_choice()

    def _offer_choice(self) -> None:
        """The list of people to act as, searchable, instead of the loading dots."""
        self.query_one("#sign-in-loading").display = False
        self.query_one("#sign-in-status", Tr).set_key("sign_in.choose")
        search = self.query_one("#sign-in-search", Input)
        search.focus()
        self.load_identities(search.value)  # what was typed while the store was opening counts
        self.app.start_up_done()

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        """Back here to act as someone else (a demo): offer the list again."""
        if self._left and not self.app.identity_fixed:
            self._offer_choice()

    @on(Input.Changed, "#sign-in-search")
    def _search(self, event: Input.Changed) -> None:
        self._sign_in_on_arrival = False  # an Enter meant the text typed before it
        if self.app.service_ready:
            self.load_identities(event.value)

    @work(exclusive=True, group="identities", exit_on_error=False)
    async def load_identities(self, query: str) -> None:
        try:
            suggested: list[Identity] = []
            if not query.strip():
                for niss in self.app.suggested:
                    suggested += await self.app.service.list_identities(niss, limit=1)
            identities = await self.app.service.list_identities(query, limit=MAX_IDENTITIES)
        except Exception:
            self._sign_in_on_arrival = False  # nobody to sign in as; the app says what went wrong
            raise
        if suggested:
            self._showcase = {identity.person.id for identity in suggested}
        # A showcase person comes before namesakes: typing the name they are shown with finds them first.
        identities.sort(key=lambda identity: identity.person.id not in self._showcase)
        self._suggested = suggested
        self._identities = identities
        self._listed = query
        self._show(identities, keep_highlight=False)
        if self._sign_in_on_arrival and query == self.query_one("#sign-in-search", Input).value:
            self._sign_in_on_arrival = False
            self._submit_search()

    def _show(self, identities: list[Identity], *, keep_highlight: bool = True) -> None:
        options = self.query_one("#identities", OptionList)
        highlighted = options.highlighted if keep_highlight else None
        options.clear_options()
        shown: set[int] = set()
        if self._suggested:
            options.add_option(Option(Text(self.app.t("sign_in.suggested"), style="bold"), disabled=True))
            for identity in self._suggested:
                options.add_option(self._option(identity, "suggested-"))
                shown.add(identity.person.id)
            options.add_option(Option(Text(self.app.t("sign_in.everyone"), style="bold"), disabled=True))
        for identity in identities:
            if identity.person.id not in shown:
                options.add_option(self._option(identity))
        if options.option_count:
            first = 1 if self._suggested else 0
            options.highlighted = min(max(highlighted or first, first), options.option_count - 1)
        status = "sign_in.choose_more" if len(identities) >= MAX_IDENTITIES else "sign_in.choose"
        if not identities:
            status = (
                "sign_in.none_found" if self.query_one("#sign-in-search", Input).value else "sign_in.empty"
            )
        self.query_one("#sign-in-status", Tr).set_key(status, count=len(identities))

    def _option(self, identity: Identity, prefix: str = "") -> Option:
        person = identity.person
        prompt = Text.assemble(
            (person.full_name, "bold"),
            "  ",
            (person.niss_masked, "dim"),
            "  ",
            role_summary(self.app, identity.roles),
        )
        return Option(literal(prompt), id=f"{prefix}{person.id}")

    @on(Input.Submitted, "#sign-in-search")
    def _submit_search(self) -> None:
        if self._listed != self.query_one("#sign-in-search", Input).value:
            self._sign_in_on_arrival = True  # typed ahead: the list shown is not yet for this text
            return
        options = self.query_one("#identities", OptionList)
        if options.option_count:
            self._sign_in(options.get_option_at_index(options.highlighted or 0).id)

    @on(OptionList.OptionSelected, "#identities")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._sign_in(event.option.id)

    def _sign_in(self, option_id: str | None) -> None:
        if option_id is None:
            return
        self.query_one("#sign-in-status", Tr).set_key("sign_in.signing_in")
        self.app.sign_in(int(option_id.removeprefix("suggested-")))

    def action_focus_search(self) -> None:
        self.query_one("#sign-in-search", Input).focus()

    def action_move(self, step: int) -> None:
        """Up and down move in the list while the search field keeps the focus."""
        options = self.query_one("#identities", OptionList)
        (options.action_cursor_down if step > 0 else options.action_cursor_up)()
