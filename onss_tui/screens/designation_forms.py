"""The designation screen's two forms: the Main Access Manager (designated by a legal representative) and
the other managers (a co-main access manager, or an Access Manager for one quality).

Each form checks its fields as they are typed, gathers them by DTO field name, builds its request and
sends it; the screen asks before a replacement, runs the one designating worker and shows the outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Select, Static

from onss_tui.domain.identifiers import (
    IdentifierError,
    compact_digits,
    format_enterprise_number,
    format_phone,
)
from onss_tui.domain.rules import MAIN_ROLES
from onss_tui.domain.text import shown
from onss_tui.screens.base import FORM
from onss_tui.screens.enterprise_picker import shown_number
from onss_tui.screens.errors import ask_to_fix_fields
from onss_tui.services.dto import (
    DesignationPublic,
    DesignationRequest,
    EnterpriseOverview,
    MainAccessManagerDesignation,
    PageRequest,
)
from onss_tui.widgets.identifier_input import IdentifierInput
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp
    from onss_tui.services.protocol import AccessService

RELATIONS = ("employee", "director")
DESIGNATED_ROLES = ("co_main_access_manager", "access_manager")
"""The roles the managers form designates (the Main Access Manager has a form of its own)."""


def roles_in(overview: EnterpriseOverview | None) -> set[str]:
    """What the actor is in the enterprise of `overview` (its roles, as their values)."""
    return {r.value for r in overview.my_roles} if overview else set()


class FormRow(Horizontal):
    """A label and a drop-down on one row, aligned with the identifier inputs."""

    DEFAULT_CSS = """
    FormRow { height: auto; margin-bottom: 1; }
    FormRow > .field-label { width: 30; padding-right: 1; }
    FormRow > Select { width: 40; }
    """


class DesignationForm(VerticalScroll):
    """A form that designates someone: its fields, its submit button and the request it sends."""

    KEPT: ClassVar[frozenset[str]] = frozenset()
    """Fields left as they are after a designation (the rest are emptied for the next one)."""

    class Submitted(Message):
        """The form's button was pressed."""

        def __init__(self, form: DesignationForm) -> None:
            super().__init__()
            self.form = form

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, classes=FORM)
        self.overview: EnterpriseOverview | None = None
        self._shown: dict[str, str] = {}
        """What the fields held when last shown or emptied (by field id, empty fields left out)."""

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)

    @property
    def submit_button(self) -> Button:
        return self.query_one(Button)

    def show(self, overview: EnterpriseOverview | None) -> None:
        """Show what the form depends on in the enterprise (who holds what, its qualities)."""
        self.overview = overview
        before = self._held()
        self._show_overview()
        filled = {f: v for f, v in self._held().items() if before.get(f) != v}  # for them, not by them
        self._shown.update(filled)

    def _show_overview(self) -> None:
        """Draw what the form shows of the overview."""

    def _relabel(self, _lang: str | None = None) -> None:
        """Draw the form's words and choices again, in the console's language."""

    async def replaced(
        self, service: AccessService, actor: int, values: dict[str, str]
    ) -> tuple[DesignationPublic, str | None] | None:
        """The designation a designation of `values` would replace (the screen asks first), if any, with
        the name of its enterprise when that is not the one worked on."""
        return None

    async def designate(
        self, service: AccessService, actor: int, values: dict[str, str]
    ) -> DesignationPublic:
        """Send the request built from `values`; pydantic's `ValidationError` if a field is missing."""
        raise NotImplementedError

    def values(self) -> dict[str, str] | None:
        """What the form holds, by DTO field name (empty optional fields left out); None, with the reasons
        shown beside the fields, while a field is empty or its number cannot be right."""
        values: dict[str, str] = {}
        wrong: list[IdentifierInput] = []
        for field in self.query(IdentifierInput):
            if not field.check_required():
                wrong.append(field)
            if field.value.strip():
                values[str(field.id)] = field.value.strip()
        for select in self.query(Select):
            if select.value is not Select.NULL and select.display:
                values[str(select.id)] = str(select.value)
        if wrong:
            wrong[0].focus_input()
            ask_to_fix_fields(self)
            return None
        return values

    def clear(self) -> None:
        """Empty the fields of the person just designated."""
        for field in self.query(IdentifierInput):
            if field.id not in self.KEPT:
                field.value = ""
        self._shown = self._held()

    def _held(self) -> dict[str, str]:
        return {str(field.id): field.value for field in self.query(IdentifierInput) if field.value.strip()}

    def unsaved_input(self) -> bool:
        """Whether a field holds what the person typed since the form was shown or emptied."""
        return self._held() != self._shown

    def _newcomer_and_submit(self, prefix: str, button_id: str) -> ComposeResult:
        """The end of a form: what is asked only of someone the portal does not know yet (fields named
        `prefix` + the DTO's), then the button."""
        yield Tr("designation.if_unknown", classes="explain")
        yield IdentifierInput("text", "field.first_name", id=f"{prefix}first_name")
        yield IdentifierInput("text", "field.last_name", id=f"{prefix}last_name")
        yield IdentifierInput("email", "field.email", id=f"{prefix}email")
        with Horizontal(classes="form-buttons"):
            yield Button("", id=button_id, variant="primary")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Submitted(self))

    def _set_choices(self, select_id: str, choices: list[tuple[str, str]]) -> None:
        """New labels for a drop-down's choices, keeping what is chosen."""
        select = self.query_one(select_id, Select)
        chosen = select.value
        select.set_options([(plain_content(label), value) for label, value in choices])
        select.value = chosen


class MainAccessManagerForm(DesignationForm):
    """What DOMAIN.md lists for designating the Main Access Manager; replacing the current one asks first."""

    KEPT = frozenset(
        {
            "legal_representative_eid",
            "legal_representative_niss",
            "legal_representative_phone",
            "enterprise_ref",
        }
    )

    def compose(self) -> ComposeResult:
        yield Static(id="mam-current")
        yield Tr("designation.mam.you", classes="section-title")
        yield IdentifierInput(
            "eid", "field.legal_representative_eid", id="legal_representative_eid", required=True
        )
        yield IdentifierInput(
            "niss", "field.legal_representative_niss", id="legal_representative_niss", required=True
        )
        yield IdentifierInput(
            "phone", "field.legal_representative_phone", id="legal_representative_phone", required=True
        )
        yield IdentifierInput(
            "enterprise_or_onss", "field.enterprise_ref", id="enterprise_ref", required=True
        )
        yield Tr("designation.mam.designee", classes="section-title")
        yield IdentifierInput("niss", "field.designee_niss", id="designee_niss", required=True)
        yield IdentifierInput("phone", "field.designee_phone", id="designee_phone", required=True)
        with FormRow():
            yield Tr("field.designee_relation", suffix=" *", classes="field-label")
            yield Select[str](self._relations(), id="designee_relation", allow_blank=False, compact=True)
        yield from self._newcomer_and_submit("designee_", "mam-submit")

    def _relations(self) -> list[tuple[str, str]]:
        return [(self.app.t(f"designation.relation.{r}"), r) for r in RELATIONS]

    def _relabel(self, _lang: str | None = None) -> None:
        self._set_choices("#designee_relation", self._relations())
        self._show_overview()

    def _show_overview(self) -> None:
        """Who is the Main Access Manager now; and, to anyone but a legal representative, that the service
        refuses them (said before the form is filled in for nothing)."""
        t = self.app.t
        current = self.overview.main_access_manager if self.overview else None
        text = Text()
        text.append(f"{t('designation.mam.current')} ", style="dim")
        if current is None:
            text.append(t("overview.nobody_yet"), style="italic")
        else:
            text.append(shown(current.person.full_name), style="bold")
            text.append(
                f" ({shown(current.person.niss_masked)}), {t(f'designation.status.{current.status.value}')}"
            )
            text.append(f", {t('designation.since', date=self.app.day(current.started_at))}")
        legal_representative = self.overview is None or "legal_representative" in roles_in(self.overview)
        if not legal_representative:
            text.append("\n" + t("designation.mam.only_legal_representative"), style="italic yellow")
        self.query_one("#mam-current", Static).update(text)
        submit = self.submit_button
        submit.label = t("designation.replace" if current is not None else "designation.designate")
        submit.disabled = not legal_representative
        enterprise_ref = self.query_one("#enterprise_ref", IdentifierInput)
        if self.overview is not None and not enterprise_ref.value:
            number = self.overview.enterprise.enterprise_number
            enterprise_ref.value = shown_number(number, format_enterprise_number)
        own_phone = self.query_one("#legal_representative_phone", IdentifierInput)
        if not own_phone.value and (phone := self._own_phone()):
            try:
                own_phone.value = format_phone(phone)
            except IdentifierError:
                own_phone.value = phone

    def _own_phone(self) -> str | None:
        """The legal representative's phone, as given for their designation in this enterprise."""
        mine = self.overview.legal_representatives if self.overview else []
        return next((d.phone for d in mine if d.person.id == self.app.actor_id and d.phone), None)

    async def replaced(
        self, service: AccessService, actor: int, values: dict[str, str]
    ) -> tuple[DesignationPublic, str | None] | None:
        """The Main Access Manager of the enterprise typed: the one worked on, or another the actor
        knows (else none is known to be replaced: the service says what holds)."""
        typed = compact_digits(values.get("enterprise_ref", ""))
        overview = self.overview
        if overview is None or typed not in (
            overview.enterprise.enterprise_number,
            overview.enterprise.onss_number,
        ):
            found = await service.list_enterprises(actor, typed, PageRequest(size=5))
            other = next((e for e in found.items if typed in (e.enterprise_number, e.onss_number)), None)
            if other is None:
                return None
            there = await service.get_overview(actor, other.id)
            current = there.main_access_manager
            return (current, there.enterprise.name) if current is not None else None
        current = overview.main_access_manager
        return (current, None) if current is not None else None

    async def designate(
        self, service: AccessService, actor: int, values: dict[str, str]
    ) -> DesignationPublic:
        request = MainAccessManagerDesignation(**values)
        return await service.designate_main_access_manager(actor, request)


class ManagersForm(DesignationForm):
    """A co-main access manager, or an Access Manager for one of the qualities the enterprise holds."""

    def compose(self) -> ComposeResult:
        yield Tr("designation.managers.explain", classes="explain")
        yield Tr("rule.managers.main_only", id="managers-why", classes="explain refusal")
        with FormRow():
            yield Tr("field.role", suffix=" *", classes="field-label")
            yield Select[str](
                self._roles(), id="role", allow_blank=False, compact=True, value="access_manager"
            )
        with FormRow(id="quality-row"):
            yield Tr("field.quality_code", suffix=" *", classes="field-label")
            yield Select[str]([], id="quality_code", compact=True)
        yield IdentifierInput("niss", "field.niss", id="niss", required=True)
        yield IdentifierInput("phone", "field.phone", id="phone", required=True)
        yield from self._newcomer_and_submit("", "managers-submit")

    def _roles(self) -> list[tuple[str, str]]:
        return [(self.app.t(f"role.{r}"), r) for r in DESIGNATED_ROLES]

    def _relabel(self, _lang: str | None = None) -> None:
        self._set_choices("#role", self._roles())
        self._show_overview()
        self.submit_button.label = self.app.t("designation.designate")

    @property
    def usable(self) -> bool:
        """The actor may designate managers here (the Main Access Manager or a co-main)."""
        return self.overview is None or bool(MAIN_ROLES.intersection(self.overview.my_roles))

    def _show_overview(self) -> None:
        """The qualities the enterprise holds, by name; the one there is chosen when there is one. Who may
        not designate managers is told why, and not offered the button."""
        self.query_one("#managers-why").display = not self.usable
        self.submit_button.disabled = not self.usable
        quality = self.query_one("#quality_code", Select)
        held = [q.code for q in self.overview.qualities if q.active] if self.overview else []
        chosen = quality.value
        quality.set_options([(plain_content(self.app.catalogue_name(code)), code) for code in held])
        if chosen in held:
            quality.value = chosen
        elif len(held) == 1:
            quality.value = held[0]
        quality.prompt = self.app.t("designation.choose_quality")
        self._role_changed()

    @on(Select.Changed, "#role")
    def _role_changed(self) -> None:
        """A quality is asked of an Access Manager only."""
        self.query_one("#quality-row").display = self.query_one("#role", Select).value == "access_manager"

    async def designate(
        self, service: AccessService, actor: int, values: dict[str, str]
    ) -> DesignationPublic:
        enterprise_id = self.app.enterprise_id
        if enterprise_id is not None:
            values = {**values, "enterprise_id": str(enterprise_id)}
        return await service.designate(actor, DesignationRequest(**values))
