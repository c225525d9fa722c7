"""Creating a user (national register number checked as typed, names, phone, e-mail, first online
services) or changing a user: the account's contact data (its enterprise's managers, or the user), and the
person's name (the person themselves, or support staff). What the service refuses shows beside its field;
the form stays exactly as typed. When someone else changed the user meanwhile, the form keeps what was
typed, shows what is stored now beneath a field both changed, and saves again on the current version.
Dismisses with the user as the service returned it, or None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, LoadingIndicator, SelectionList, Static

from onss_tui.domain.text import shown
from onss_tui.screens.confirm import FormDialog
from onss_tui.screens.errors import ask_to_fix_fields, show_service_error
from onss_tui.services.dto import PersonUpdate, UserCreate, UserPublic, UserUpdate
from onss_tui.services.errors import Conflict, ServiceError
from onss_tui.widgets.form_field import FormField
from onss_tui.widgets.identifier_input import IdentifierInput
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

NAME_FIELDS = ("first_name", "last_name")
CONTACT_FIELDS = ("phone", "email")


def held(user: UserPublic) -> dict[str, str]:
    """What the form shows of a user: the person's names and the account's contact data, as the console
    shows stored text (`domain.text.shown`: a control or a direction override as a stand-in)."""
    stored = {
        "first_name": user.person.first_name,
        "last_name": user.person.last_name,
        "phone": user.phone or "",
        "email": user.email or "",
    }
    return {field: shown(value) for field, value in stored.items()}


class UserFormScreen(FormDialog[UserPublic | None]):
    """A new user of the enterprise being worked on (`user` None), or `user` changed."""

    DEFAULT_CSS = """
    #user-form { width: 90; }
    #user-form-title { text-style: bold; margin-bottom: 1; }
    #user-form-body { height: auto; }
    #user-form-hint { color: $text-muted; margin-bottom: 1; }
    UserFormScreen.-short #user-form { height: 100%; }
    UserFormScreen.-short #user-form-body { height: 1fr; }
    UserFormScreen.-short IdentifierInput { margin-bottom: 0; }
    #service-list { height: auto; max-height: 8; background: $boost; }
    #user-form-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #user-form-buttons Button { margin-left: 2; }
    #user-form-busy { height: 1; display: none; }
    .stored-now { display: none; color: $warning; padding-left: 30; height: auto; }
    .stored-now.-shown { display: block; }
    #user-form.-busy #user-form-busy { display: block; }
    """

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "common.cancel", id="user_form.cancel"),
        Binding("ctrl+s", "save", "users.form.save", id="user_form.save"),
    ]

    def __init__(self, user: UserPublic | None = None, *, names: bool = False, contact: bool = True) -> None:
        """`names`: the person's names may be changed (the person themselves, support staff); `contact`:
        the account's phone number and e-mail address (its enterprise's managers, the user themselves).
        A new user is given all of them."""
        super().__init__()
        self.user = user
        self.editable = {
            *(NAME_FIELDS if names or user is None else ()),
            *(CONTACT_FIELDS if contact or user is None else ()),
        }

    def compose(self) -> ComposeResult:
        t = self.app.t
        values = held(self.user) if self.user else dict.fromkeys((*NAME_FIELDS, *CONTACT_FIELDS), "")
        kinds = {"first_name": "text", "last_name": "text", "phone": "phone", "email": "email"}
        with Vertical(id="user-form", classes="dialog"):
            if self.user is None:
                yield Tr("users.form.create_title", id="user-form-title")
            else:
                yield Tr("users.form.edit_title", id="user-form-title", name=self.user.person.full_name)
            with VerticalScroll(id="user-form-body"):
                if self.user is None:
                    yield IdentifierInput("niss", "field.niss", id="niss", required=True)
                    yield Tr("users.form.names_hint", id="user-form-hint")
                else:
                    yield FormField(
                        "field.niss", Static(plain_content(self.user.person.niss_masked)), id="niss"
                    )
                for name in (*NAME_FIELDS, *CONTACT_FIELDS):
                    if name in self.editable:
                        yield IdentifierInput(kinds[name], f"field.{name}", id=name, value=values[name])
                        yield Static("", id=f"{name}-stored", classes="stored-now")
                    else:  # plain text: a name or an address as stored, never markup
                        kept = Static(plain_content(values[name] or "—"), id=f"{name}-shown")
                        yield FormField(f"field.{name}", kept, id=name)
                if self.user is None:
                    services = self.app.offered_services()
                    yield FormField(
                        "users.form.services",
                        SelectionList[str](
                            *[(self.app.catalogue_name(s), s.code) for s in services],
                            id="service-list",
                            compact=True,
                        ),
                        id="services",
                    )
            yield LoadingIndicator(id="user-form-busy")
            with Horizontal(id="user-form-buttons"):
                label = "users.form.create" if self.user is None else "users.form.save"
                yield Button(t(label), id="user-form-save", variant="primary", compact=True)
                yield Button(t("common.cancel"), id="user-form-cancel", compact=True)

    def on_mount(self) -> None:
        self.note_opened()
        self.query_one(IdentifierInput).focus_input()

    def _text(self, field: str) -> str:
        return self.query_one(f"#{field}", IdentifierInput).value.strip()

    @on(Button.Pressed, "#user-form-cancel")
    def action_cancel(self) -> None:
        super().action_cancel()

    @on(Button.Pressed, "#user-form-save")
    def action_save(self) -> None:
        for field in self.query(FormField):
            field.clear_error()
        if not all([field.check_required() for field in self.query(IdentifierInput)]):
            ask_to_fix_fields(self)
            return
        if self.user is None:
            enterprise_id = self.app.enterprise_id
            assert enterprise_id is not None
            self._create(
                {
                    "enterprise_id": enterprise_id,
                    "niss": self._text("niss"),
                    "first_name": self._text("first_name") or None,
                    "last_name": self._text("last_name") or None,
                    "phone": self._text("phone") or None,
                    "email": self._text("email") or None,
                    "services": list(self.query_one("#service-list", SelectionList).selected),
                }
            )
            return
        if not self._changes():
            self.dismiss(None)
            return
        self._save()

    def _changes(self) -> dict[str, str]:
        """The fields that may be changed and were, with what they hold now."""
        assert self.user is not None
        before = held(self.user)
        return {f: self._text(f) for f in sorted(self.editable) if self._text(f) != before[f]}

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _create(self, fields: dict[str, Any]) -> None:
        """Create the user; a request the service's bounds refuse is said beside its field, as it would."""
        actor = self.app.actor_id
        assert actor is not None
        form = self.query_one("#user-form")
        form.add_class("-busy")
        try:
            user = await self.app.service.create_user(actor, UserCreate(**fields))
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            form.remove_class("-busy")
        self.dismiss(user)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save(self) -> None:
        """The account's contact data, then the person's name: two changes, each of its own version; one
        saved is kept in the form's idea of the user, so that saving again sends only what is left."""
        actor = self.app.actor_id
        assert actor is not None and self.user is not None
        form = self.query_one("#user-form")
        form.add_class("-busy")
        changes = self._changes()
        try:
            contact = {f: v for f, v in changes.items() if f in CONTACT_FIELDS}
            if contact:
                request = UserUpdate(expected_version=self.user.version, **contact)
                self.user = await self.app.service.update_user(actor, self.user.id, request)
            names = {f: v for f, v in changes.items() if f in NAME_FIELDS}
            if names:
                person = self.user.person
                renamed = PersonUpdate(expected_version=person.version, **names)
                person = await self.app.service.update_person(actor, person.id, renamed)
                self.user = self.user.model_copy(update={"person": person})
        except Conflict:
            await self._catch_up()
            return
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            form.remove_class("-busy")
        self.dismiss(self.user)

    async def _catch_up(self) -> None:
        """Someone else changed the user since the form read it: the user as stored now is the version the
        form saves on. A field the person left as it was shows what is stored now; a field they changed
        keeps what they typed, with what is stored now beneath it when someone else changed it too.
        Saving again applies what they typed."""
        actor = self.app.actor_id
        assert actor is not None and self.user is not None
        before = held(self.user)
        self.user = await self.app.service.get_user(actor, self.user.id)
        t = self.app.t
        for field, value in held(self.user).items():
            for typed_in in self.query(f"#{field}").results(IdentifierInput):
                mine = typed_in.value.strip()
                if mine == before[field]:
                    typed_in.value = value
                stored = self.query_one(f"#{field}-stored", Static)
                both_changed = mine != before[field] and value not in (before[field], mine)
                stored.update(plain_content(t("form.stored_now", value=value or "—")) if both_changed else "")
                stored.set_class(both_changed, "-shown")
            for kept in self.query(f"#{field}-shown").results(Static):
                kept.update(plain_content(value or "—"))
        self.app.notify(t("form.conflict_kept"), title=t("error.conflict"), severity="warning", timeout=10)
