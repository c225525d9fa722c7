"""The enterprise's users: a paged list filtered as you type, a detail pane, and what Access Managers do
with users: create, edit, suspend, reactivate, remove, and grant or withdraw online services to one user or
to several selected with space.

National register numbers stay masked; `r` (as on the overview) reveals the highlighted user's number,
once a reason is given (the service records the reveal and its reason in the audit trail), for as long
as the screen is open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Select, Static

from onss_tui.domain.identifiers import IdentifierError, format_phone
from onss_tui.domain.rules import MANAGER_ROLES
from onss_tui.domain.text import SEARCH_MAX
from onss_tui.screens.browse import ROW_ACTION, TYPED_FILTER, BrowseScreen
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.export import ExportScreen
from onss_tui.screens.mandates import EXPORT_PROGRESS
from onss_tui.screens.reveal import reveal
from onss_tui.screens.service_checklist import ServiceChecklistScreen
from onss_tui.screens.user_form import UserFormScreen
from onss_tui.services.dto import Page, PageRequest, UserFilter, UserPublic, UserSort, UserStatus
from onss_tui.services.errors import ValidationFailed
from onss_tui.services.export import USER_COLUMNS, users_and_rights, write_rows
from onss_tui.widgets.detail_grid import detail_grid
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import Column, PagedTable

STATUS_ACTIONS = {
    "suspend": UserStatus.SUSPENDED,
    "reactivate": UserStatus.ACTIVE,
    "remove": UserStatus.REMOVED,
}
"""Each status change and the status it leads to."""


def phone_shown(phone: str | None) -> str:
    """A stored phone number in its usual presentation (as stored if it cannot be read)."""
    if not phone:
        return "—"
    try:
        return format_phone(phone)
    except IdentifierError:
        return phone


REVEAL = Binding("r", "reveal", "common.reveal", id="users.reveal")


class UsersScreen(BrowseScreen[UserPublic]):
    """Users of `app.enterprise_id`, managed by its Access Managers."""

    HELP_KEY = "help.users"
    DEFAULT_CSS = """
    UsersScreen {
        #filter-text { width: 1fr; min-width: 14; }
        #filter-status { width: 18; }
        #filter-service { width: 26; }
    }
    """

    BINDINGS: ClassVar = [
        Binding("slash", "focus_filter", "users.key.filter", id="users.filter"),
        Binding("n", "create", "users.key.create", id="users.create"),
        Binding("o", "edit", "users.key.edit", id="users.edit"),
        Binding("plus", "grant", "users.key.grant", id="users.grant"),
        Binding("minus", "withdraw", "users.key.withdraw", id="users.withdraw"),
        Binding("p", "set_status('suspend')", "users.key.suspend", id="users.suspend"),
        Binding("u", "set_status('reactivate')", "users.key.reactivate", id="users.reactivate"),
        Binding("delete", "set_status('remove')", "users.key.remove", id="users.remove"),
        REVEAL,
        Binding("x", "export", "users.key.export", id="users.export"),
        Binding("f5", "reload_list", "common.reload", id="users.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.last_export: Path | None = None
        """Where the last export went: the next one proposes it."""
        self.revealed: dict[int, str] = {}
        """Person id -> national register number, for the numbers revealed on this screen."""
        self._status: UserStatus | None = None
        """The highlighted user's status, which decides the actions offered."""
        self._any_selected = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield NavBar("users")
        with Horizontal(id="user-filters", classes="browse-filters"):
            yield Input(id="filter-text", classes=TYPED_FILTER, compact=True, max_length=SEARCH_MAX)
            yield Select[str]([], id="filter-status", compact=True)
            yield Select[str]([], id="filter-service", compact=True)
        yield PagedTable(
            self.columns(),
            self.fetch_page,
            key=lambda u: u.id,
            sort_key=UserSort.NAME.value,
            multi_select=True,
            mark=lambda u: None if u.status == UserStatus.ACTIVE else "muted",
            id="users",
        )
        yield Static(id="user-detail", classes="browse-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.learn_roles()

    @property
    def _manages(self) -> bool:
        """The actor manages this enterprise's users (else a plain user sees and edits their own record)."""
        return bool(MANAGER_ROLES & self.roles)

    @property
    def _support(self) -> bool:
        """The actor is support staff: they change nothing here but a person's name."""
        return self.app.actor is not None and self.app.actor.support_staff

    def _own(self, user: UserPublic | None) -> bool:
        return user is not None and user.person.id == self.app.actor_id

    def columns(self) -> list[Column[UserPublic]]:
        t = self.app.t
        return [
            Column("name", t("users.column.name"), self._name_cell, 18, flex=2, sortable=True),
            Column("niss", t("users.column.niss"), self._niss, 15),
            Column("status", t("users.column.status"), self._status_cell, 10, sortable=True),
            Column("services", t("users.column.services"), self._services, 12, flex=3),
            Column(
                "created",
                t("users.column.created"),
                lambda u: self.app.day(u.created_at),
                10,
                sortable=True,
                priority=1,
            ),
        ]

    @staticmethod
    def _name_cell(user: UserPublic) -> str:
        return user.person.full_name  # as the detail and every notice name the person

    def _niss(self, user: UserPublic) -> str:
        return self.revealed.get(user.person.id, user.person.niss_masked)

    def _status_cell(self, user: UserPublic) -> str:
        return self.app.t(f"users.status.{user.status.value}")

    def _services(self, user: UserPublic) -> str:
        return ", ".join(self.app.catalogue_name(code) for code in user.services) or "—"

    def relabel(self, _lang: str | None = None) -> None:
        t = self.app.t
        self.query_one("#filter-text", Input).placeholder = t("users.filter.text")
        self.set_options(
            "#filter-status",
            t("users.filter.status"),
            [(t(f"users.status.{s.value}"), s.value) for s in UserStatus],
        )
        services = self.app.catalogue.online_services if self.app.catalogue else []
        self.set_options(  # every service: users may hold one granted before the catalogue narrowed it
            "#filter-service",
            t("users.filter.service"),
            [(self.app.catalogue_name(s), s.code) for s in services],
        )
        self.table.border_title = t("users.title")
        super().relabel()

    # ------------------------------------------------------------------ filter and fetch

    def current_filter(self) -> UserFilter:
        status = self.chosen("#filter-status")
        return UserFilter(
            text=self.query_one("#filter-text", Input).value,
            status=None if status is None else UserStatus(status),
            service=self.chosen("#filter-service"),
            sort=UserSort(self.table.sort_key or UserSort.NAME.value),
            descending=self.table.sort_descending,
        )

    async def fetch(self, request: PageRequest) -> Page[UserPublic]:
        actor, enterprise_id = self.app.actor_id, self.app.enterprise_id
        assert actor is not None and enterprise_id is not None
        return await self.app.service.list_users(actor, enterprise_id, self.current_filter(), request)

    async def fetch_row(self, row: UserPublic) -> UserPublic:
        assert self.app.actor_id is not None
        return await self.app.service.get_user(self.app.actor_id, row.id)

    @on(PagedTable.Highlighted, "#users")
    def _highlighted(self, event: PagedTable.Highlighted) -> None:
        self.show_detail(event.row)
        status = event.row.status if event.row is not None else None
        if status != self._status:
            self._status = status
            self.refresh_footer_soon()

    @on(PagedTable.Activated, "#users")
    def _activated(self) -> None:
        self.action_edit()

    @on(PagedTable.SelectionChanged, "#users")
    def _selection_changed(self) -> None:
        count = len(self.table.selected)
        if bool(count) != self._any_selected:
            self._any_selected = bool(count)
            self.refresh_footer_soon()
        self.table.border_title = self.app.t("users.title") + (
            " · " + self.app.t("users.selected", count=count) if count else ""
        )

    def show_detail(self, user: UserPublic | None) -> None:
        t = self.app.t
        detail = self.query_one("#user-detail", Static)
        detail.border_title = t("users.detail.title")
        if user is None:
            detail.update(Text(t("users.detail.empty"), style="italic"), layout=False)
            return
        person = user.person
        revealed = person.id in self.revealed
        niss = Text(self._niss(user))
        if not revealed:
            niss.append("  " + t("users.detail.reveal_hint", key=self.app.key_for(REVEAL)), style="dim")
        pairs: list[tuple[str, str | Text]] = [
            ("name", person.full_name),
            ("status", self._status_cell(user)),
            ("niss", niss),
            ("created", self.app.day(user.created_at)),
            ("phone", phone_shown(user.phone)),
            ("email", user.email or "—"),
            ("services", self._services(user)),
        ]
        grid = detail_grid(
            [(t(f"users.detail.{name}"), value) for name, value in pairs],
            per_line=2 if self.size.width >= 70 else 1,
        )
        detail.update(grid, layout=False)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self._status
        if action == "edit":  # the account's contact data, or a person's own name (the form says which)
            own = self._own(self.table.cursor_row)
            editable = self._manages or own or self._support
            return editable and status in (UserStatus.ACTIVE, UserStatus.SUSPENDED)
        if action in ("create", "grant", "withdraw", "set_status") and not self._manages:
            return False
        if action == "export":  # every user's rights: for the enterprise's managers and support staff
            return self._manages or self._support
        if action == "set_status":
            wanted = STATUS_ACTIONS[str(parameters[0])]
            allowed = {
                UserStatus.ACTIVE: (UserStatus.SUSPENDED, UserStatus.REMOVED),
                UserStatus.SUSPENDED: (UserStatus.ACTIVE, UserStatus.REMOVED),
            }
            return status is not None and wanted in allowed.get(status, ())
        if action == "grant":
            return self._any_selected or status == UserStatus.ACTIVE
        if action == "withdraw":
            return self._any_selected or status in (UserStatus.ACTIVE, UserStatus.SUSPENDED)
        if action == "reveal":
            return status is not None
        return True

    def action_export(self) -> None:
        """Write the enterprise's users and their online services to a file, one row per user and service."""
        actor, enterprise = self.app.actor_id, self.app.enterprise_id
        assert actor is not None and enterprise is not None

        async def counted(progress: Callable[[int], None]) -> AsyncIterator[dict[str, Any]]:
            count = 0
            async for row in users_and_rights(self.app.service, actor, enterprise):
                yield row
                count += 1
                if count % EXPORT_PROGRESS == 0:
                    progress(count)

        async def write(out: IO[str], fmt: str, progress: Callable[[int], None]) -> int:
            return await write_rows(counted(progress), USER_COLUMNS, out, fmt)

        def done(result: tuple[int, Path] | None) -> None:
            if result is not None:
                count, path = result
                self.last_export = path
                self.notify(self.app.t("users.export.done", count=count, path=str(path)), timeout=10)

        proposed = self.last_export or Path.cwd() / "users.csv"
        self.app.push_screen(ExportScreen("users.export.title", proposed, write), done)

    def targets(self) -> list[UserPublic]:
        """The users an action concerns: those selected with space, else the highlighted one."""
        if self.table.selected:
            return list(self.table.selected.values())
        row = self.table.cursor_row
        return [row] if row is not None else []

    def _who(self, users: list[UserPublic]) -> str:
        if len(users) == 1:
            return users[0].person.full_name
        return self.app.t("users.several", count=len(users))

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_create(self) -> None:
        def created(user: UserPublic | None) -> None:
            if user is not None:
                self.notify(self.app.t("users.done.create", name=user.person.full_name))
                self.table.reload(keep=user.id)

        self.app.push_screen(UserFormScreen(), created)

    def action_edit(self) -> None:
        user = self.table.cursor_row
        if user is None or user.status == UserStatus.REMOVED:
            return

        def saved(changed: UserPublic | None) -> None:
            if changed is not None:
                self.table.update_row(changed)
                self.notify(self.app.t("users.done.update", name=changed.person.full_name))

        own = self._own(user)
        form = UserFormScreen(
            user, names=own or self._support, contact=(self._manages or own) and not self._support
        )
        self.app.push_screen(form, saved)

    def action_grant(self) -> None:
        users = self.targets()
        if not users:
            return
        choices = [(self._held(s.code, users), s.code) for s in self.app.offered_services()]
        self._ask_services("grant", users, choices)

    def _held(self, code: str, users: list[UserPublic]) -> str:
        """A service's name, and who of `users` already holds it."""
        name = self.app.catalogue_name(code)
        holding = sum(code in user.services for user in users)
        if holding == len(users):
            return f"{name} ({self.app.t('users.checklist.held')})"
        if holding:
            return f"{name} ({self.app.t('users.checklist.held_by', count=holding, total=len(users))})"
        return name

    def action_withdraw(self) -> None:
        users = self.targets()
        if not users:
            return
        held = {code for user in users for code in user.services}
        services = self.app.catalogue.online_services if self.app.catalogue else []
        choices = [(self.app.catalogue_name(s), s.code) for s in services if s.code in held]
        self._ask_services("withdraw", users, choices)

    def _ask_services(self, verb: str, users: list[UserPublic], choices: list[tuple[str, str]]) -> None:
        t = self.app.t
        actor = self.app.actor_id
        assert actor is not None
        call = self.app.service.grant_services if verb == "grant" else self.app.service.withdraw_services

        async def submit(codes: list[str]) -> tuple[list[UserPublic], list[str]]:
            return await call(actor, [u.id for u in users], codes), codes

        before = {user.id: set(user.services) for user in users}

        def done(answer: tuple[list[UserPublic], list[str]] | None) -> None:
            if answer is None:
                return
            changed, codes = answer
            for user in changed:
                self.table.update_row(user)
            self.table.clear_selection()
            names = ", ".join(self.app.catalogue_name(code) for code in codes)
            # Those whose access changed: withdrawn from one who held it, granted to one who did not.
            affected = [user for user in changed if set(user.services) != before.get(user.id)]
            self.notify(t(f"users.done.{verb}", services=names, who=self._who(affected or changed)))

        self.app.push_screen(
            ServiceChecklistScreen(
                t(f"users.checklist.{verb}_title"), self._who(users), choices, t(f"users.key.{verb}"), submit
            ),
            done,
        )

    def action_set_status(self, change: str) -> None:
        user = self.table.cursor_row
        if user is None:
            return
        t = self.app.t
        name = user.person.full_name
        if change != "remove":
            self._set_status(user, change)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_status(user, change)

        self.app.push_screen(
            ConfirmScreen(
                t("users.confirm.remove.title"),
                t("users.confirm.remove.question", name=name),
                confirm=t("users.key.remove"),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group=ROW_ACTION, exit_on_error=False)
    async def _set_status(self, user: UserPublic, change: str) -> None:
        actor = self.app.actor_id
        assert actor is not None
        detail = self.query_one("#user-detail", Static)
        detail.loading = True
        try:
            result = await self.app.service.set_user_status(
                actor, user.id, STATUS_ACTIONS[change], user.version
            )
        except ValidationFailed:  # the user is no longer as shown ("already suspended"): as they are now
            self.table.update_row(await self.fetch_row(user))
            raise
        finally:
            detail.loading = False
        wanted = self.current_filter().status
        if result.status == wanted or (wanted is None and result.status != UserStatus.REMOVED):
            self.table.update_row(result)
        else:  # no longer in this view (removed, with removed users not shown): the list without it
            rows = [row.id for row in self.table.rows]
            after = rows[rows.index(user.id) + 1 :] if user.id in rows else []
            self.table.reload(keep=after[0] if after else None)
        self.notify(self.app.t(f"users.done.{change}", name=result.person.full_name))

    def action_reveal(self) -> None:
        user = self.table.cursor_row
        if user is None:
            return
        person_id = user.person.id

        def shown(niss: str) -> None:
            self.revealed[person_id] = niss
            self.table.update_row(user)

        reveal(self, person_id, user.person.full_name, user.person.niss_masked, shown)
