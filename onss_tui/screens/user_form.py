"""Creating a user (national register number checked as typed, names, phone, e-mail, first online
services) or changing a user's contact data. What the service refuses shows beside its field; the form
stays exactly as typed. Dismisses with the user as the service returned it, or None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, LoadingIndicator, SelectionList, Static

from onss_tui.domain.text import shown
from onss_tui.screens.base import OnssModal
from onss_tui.screens.confirm import leave_form, typed
from onss_tui.screens.errors import show_service_error
from onss_tui.services.dto import PersonPublic, UserCreate, UserPublic, UserUpdate
from onss_tui.services.errors import ServiceError
from onss_tui.widgets.form_field import FormField
from onss_tui.widgets.identifier_input import IdentifierInput
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

CONTACT_FIELDS = ("first_name", "last_name", "phone", "email")


class UserFormScreen(OnssModal[UserPublic | None]):
    """A new user of the enterprise being worked on (`user` None), or the contact data of `user`."""

    DEFAULT_CSS = """
    #user-form { width: 90; }
    #user-form-title { text-style: bold; margin-bottom: 1; }
    #user-form-body { height: auto; }
    UserFormScreen.-short #user-form { height: 100%; }
    UserFormScreen.-short #user-form-body { height: 1fr; }
    UserFormScreen.-short IdentifierInput { margin-bottom: 0; }
    #service-list { height: auto; max-height: 8; background: $boost; }
    #user-form-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #user-form-buttons Button { margin-left: 2; }
    #user-form-busy { height: 1; display: none; }
    #user-form.-busy #user-form-busy { display: block; }
    """

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "common.cancel", id="user_form.cancel"),
        Binding("ctrl+s", "save", "users.form.save", id="user_form.save"),
    ]

    def __init__(self, user: UserPublic | None = None, *, names: bool = True) -> None:
        """`names`: the names may be changed (an Access Manager); a plain user changes only their phone
        number and e-mail address."""
        super().__init__()
        self.user = user
        self.names = names or user is None

    def compose(self) -> ComposeResult:
        t = self.app.t
        person = self.user.person if self.user else None
        with Vertical(id="user-form", classes="dialog"):
            if person is None:
                yield Tr("users.form.create_title", id="user-form-title")
            else:
                yield Tr("users.form.edit_title", id="user-form-title", name=person.full_name)
            with VerticalScroll(id="user-form-body"):
                if person is None:
                    yield IdentifierInput("niss", "field.niss", id="niss", required=True)
                else:
                    yield FormField("field.niss", Static(plain_content(person.niss_masked)), id="niss")
                if self.names:
                    yield IdentifierInput(
                        "text",
                        "field.first_name",
                        id="first_name",
                        value=shown(person.first_name) if person else "",
                    )
                    yield IdentifierInput(
                        "text",
                        "field.last_name",
                        id="last_name",
                        value=shown(person.last_name) if person else "",
                    )
                else:
                    assert person is not None
                    for name in ("first_name", "last_name"):
                        held = Static(plain_content(getattr(person, name)), id=f"{name}-shown")
                        yield FormField(f"field.{name}", held, id=name)
                yield IdentifierInput(
                    "phone", "field.phone", id="phone", value=shown(person.phone or "") if person else ""
                )
                yield IdentifierInput(
                    "email", "field.email", id="email", value=shown(person.email or "") if person else ""
                )
                if person is None:
                    services = self.app.offered_services()
                    yield FormField(
                        "users.form.services",
                        SelectionList[str](
                            *[(plain_content(self.app.catalogue_name(s)), s.code) for s in services],
                            id="service-list",
                            compact=True,
                        ),
                        id="services",
                    )
            yield LoadingIndicator(id="user-form-busy")
            with Horizontal(id="user-form-buttons"):
                label = "users.form.create" if person is None else "users.form.save"
                yield Button(t(label), id="user-form-save", variant="primary", compact=True)
                yield Button(t("common.cancel"), id="user-form-cancel", compact=True)

    def on_mount(self) -> None:
        self._opened = typed(self)
        self.query_one(IdentifierInput).focus_input()

    def _text(self, field: str) -> str:
        return self.query_one(f"#{field}", IdentifierInput).value.strip()

    @on(Button.Pressed, "#user-form-cancel")
    def action_cancel(self) -> None:
        leave_form(self, self._opened)

    @on(Button.Pressed, "#user-form-save")
    def action_save(self) -> None:
        for field in self.query(FormField):
            field.clear_error()
        if not all([field.check_required() for field in self.query(IdentifierInput)]):
            self.app.notify(self.app.t("error.fix_fields"), severity="warning")
            return
        if self.user is None:
            enterprise_id = self.app.enterprise_id
            assert enterprise_id is not None
            self._save(
                UserCreate,
                dict(
                    enterprise_id=enterprise_id,
                    niss=self._text("niss"),
                    first_name=self._text("first_name") or None,
                    last_name=self._text("last_name") or None,
                    phone=self._text("phone") or None,
                    email=self._text("email") or None,
                    services=list(self.query_one("#service-list", SelectionList).selected),
                ),
            )
            return
        person = self.user.person
        held = _as_shown(person)  # a field is sent only when the user changed what it showed
        editable = [f for f in CONTACT_FIELDS if self.names or f not in ("first_name", "last_name")]
        changes = {f: self._text(f) for f in editable if self._text(f) != held[f]}
        if not changes:
            self.dismiss(None)
            return
        self._save(UserUpdate, dict(expected_version=self.user.version, **changes))

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save(self, kind: type[UserCreate | UserUpdate], fields: dict[str, Any]) -> None:
        """Save the form as a request of `kind`; one the service's bounds refuse is said as it would."""
        actor = self.app.actor_id
        assert actor is not None
        form = self.query_one("#user-form")
        form.add_class("-busy")
        try:
            request = kind(**fields)
            if isinstance(request, UserCreate):
                user = await self.app.service.create_user(actor, request)
            else:
                assert self.user is not None
                user = await self.app.service.update_user(actor, self.user.id, request)
        except ServiceError as error:
            show_service_error(self, error, form, reload=self._reload)
            return
        finally:
            form.remove_class("-busy")
        self.dismiss(user)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _reload(self) -> None:
        """After a conflict, when the user agrees: show the current version of the user in the form."""
        actor = self.app.actor_id
        assert actor is not None and self.user is not None
        self.user = await self.app.service.get_user(actor, self.user.id)
        person = self.user.person
        current = _as_shown(person)
        for field, value in current.items():
            for typed_in in self.query(f"#{field}").results(IdentifierInput):
                typed_in.value = value
            for name_shown in self.query(f"#{field}-shown").results(Static):
                name_shown.update(plain_content(value))


def _as_shown(person: PersonPublic) -> dict[str, str]:
    """A person's names and contact data as the form shows them (`domain.text.shown`)."""
    held = {"first_name": person.first_name, "last_name": person.last_name}
    held |= {"phone": person.phone or "", "email": person.email or ""}
    return {field: shown(value) for field, value in held.items()}
