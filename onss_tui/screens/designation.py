"""Designation: the Main Access Manager, co-main access managers and Access Managers per quality.

Three sections. *Main Access Manager*: what DOMAIN.md lists (the legal representative's eID card,
national register number and phone; the enterprise or ONSS number; the designee's national register
number, phone and relation to the enterprise), each checked as it is typed; replacing asks first.
*Managers*: a co-main access manager, or an Access Manager for one quality. *History*: every designation
of the enterprise, newest first, paged; end the highlighted one (after confirmation) or reveal its
holder's national register number. The service decides who may do what; refusals are shown as they come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, DataTable, Select, Static, TabbedContent, TabPane

from onss_tui.domain.identifiers import IdentifierError, format_enterprise_number, format_phone
from onss_tui.domain.rules import MAIN_ROLES
from onss_tui.screens.base import OnssScreen
from onss_tui.screens.enterprise_picker import shown_number
from onss_tui.screens.overview import designation_role
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.identifier_input import IdentifierInput
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from onss_tui.services.dto import DesignationPublic, EnterpriseOverview

SECTIONS = ("mam", "managers", "history")
HISTORY_PAGE = 50
HISTORY_COLUMNS = ("role", "name", "niss", "status", "since", "ended", "by")
RELATIONS = ("employee", "director")
DESIGNATED_ROLES = ("co_main_access_manager", "access_manager")
"""The roles the managers section designates (the Main Access Manager has a section of its own)."""


def _when(moment: object) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""  # type: ignore[attr-defined]


class FormRow(Horizontal):
    """A label and a drop-down on one row, aligned with the identifier inputs."""

    DEFAULT_CSS = """
    FormRow { height: auto; margin-bottom: 1; }
    FormRow > .field-label { width: 30; padding-right: 1; }
    FormRow > Select { width: 40; }
    """


class DesignationScreen(OnssScreen[None]):
    """Designate, replace and end designations of the enterprise in `app.enterprise_id`."""

    AUTO_FOCUS = "#legal_representative_eid-input"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "submit", "designation.submit", id="designation.submit", priority=True),
        Binding("x", "end_designation", "designation.end", id="designation.end"),
        Binding("r", "reveal", "common.reveal", id="designation.reveal"),
        Binding("ctrl+n", "section(1)", "designation.next_section", id="designation.next", priority=True),
        Binding(
            "right_square_bracket",
            "section(1)",
            "designation.next_section",
            id="designation.next_key",
            show=False,
        ),
        Binding(
            "left_square_bracket",
            "section(-1)",
            "designation.previous_section",
            id="designation.previous",
            show=False,
        ),
        Binding("f5,ctrl+r", "reload", "common.reload", id="designation.reload", show=False),
        Binding("j", "cursor('down')", "common.down", id="designation.down", show=False),
        Binding("k", "cursor('up')", "common.up", id="designation.up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: EnterpriseOverview | None = None
        self.history: dict[str, DesignationPublic] = {}
        self._next_cursor: str | None = None
        self._loading_more = False
        self._placed_initial_section = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield NavBar("designation")
        with TabbedContent(id="sections"):
            with TabPane("", id="mam"), VerticalScroll(id="mam-form", classes="form"):
                yield Static(id="mam-current")
                yield Tr("designation.mam.you", classes="section-title")
                yield IdentifierInput(
                    "eid", "field.legal_representative_eid", id="legal_representative_eid", required=True
                )
                yield IdentifierInput(
                    "niss", "field.legal_representative_niss", id="legal_representative_niss", required=True
                )
                yield IdentifierInput(
                    "phone",
                    "field.legal_representative_phone",
                    id="legal_representative_phone",
                    required=True,
                )
                yield IdentifierInput(
                    "enterprise_or_onss", "field.enterprise_ref", id="enterprise_ref", required=True
                )
                yield Tr("designation.mam.designee", classes="section-title")
                yield IdentifierInput("niss", "field.designee_niss", id="designee_niss", required=True)
                yield IdentifierInput("phone", "field.designee_phone", id="designee_phone", required=True)
                with FormRow():
                    yield Tr("field.designee_relation", suffix=" *", classes="field-label")
                    yield Select[str](
                        self._relations(), id="designee_relation", allow_blank=False, compact=True
                    )
                yield Tr("designation.if_unknown", classes="explain")
                yield IdentifierInput("text", "field.first_name", id="designee_first_name")
                yield IdentifierInput("text", "field.last_name", id="designee_last_name")
                yield IdentifierInput("email", "field.email", id="designee_email")
                with Horizontal(classes="form-buttons"):
                    yield Button("", id="mam-submit", variant="primary")
            with TabPane("", id="managers"), VerticalScroll(id="managers-form", classes="form"):
                yield Tr("designation.managers.explain", classes="explain")
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
                yield Tr("designation.if_unknown", classes="explain")
                yield IdentifierInput("text", "field.first_name", id="first_name")
                yield IdentifierInput("text", "field.last_name", id="last_name")
                yield IdentifierInput("email", "field.email", id="email")
                with Horizontal(classes="form-buttons"):
                    yield Button("", id="managers-submit", variant="primary")
            with TabPane("", id="history"), Vertical(id="history-pane"):
                yield DataTable(id="designations", cursor_type="row", zebra_stripes=True)
                yield Tr("designation.history.hint", id="history-status", classes="explain")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)
        self.watch(self.app, "enterprise_id", self._enterprise_changed)
        if self.app.actor is not None and self.app.actor.phone:
            try:
                self.query_one("#legal_representative_phone", IdentifierInput).value = format_phone(
                    self.app.actor.phone
                )
            except IdentifierError:
                self.query_one("#legal_representative_phone", IdentifierInput).value = self.app.actor.phone

    def _relations(self) -> list[tuple[str, str]]:
        return [(self.app.t(f"designation.relation.{r}"), r) for r in RELATIONS]

    def _roles(self) -> list[tuple[str, str]]:
        return [(self.app.t(f"role.{r}"), r) for r in DESIGNATED_ROLES]

    def _enterprise_changed(self, enterprise_id: int | None) -> None:
        if enterprise_id is not None:
            self.load()

    def _relabel(self, _lang: str | None = None) -> None:
        t = self.app.t
        tabs = self.query_one("#sections", TabbedContent)
        for section in SECTIONS:
            tabs.get_tab(section).label = t(f"designation.section.{section}")
        for select, options in (("#designee_relation", self._relations()), ("#role", self._roles())):
            widget = self.query_one(select, Select)
            chosen = widget.value
            widget.set_options(options)
            widget.value = chosen
        self._show_qualities()
        self._show_current()
        self._show_history_columns()
        self.query_one("#managers-submit", Button).label = t("designation.designate")

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="designation-load", exit_on_error=False)
    async def load(self) -> None:
        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.dto import PageRequest
        from onss_tui.services.errors import ServiceError

        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None:
            return
        table = self.query_one("#designations", DataTable)
        table.loading = True
        try:
            self.overview = await self.app.service.get_overview(actor_id, enterprise_id)
            page = await self.app.service.list_designations(
                actor_id, enterprise_id, page=PageRequest(size=HISTORY_PAGE)
            )
        except ServiceError as error:
            show_service_error(self, error)
            return
        finally:
            table.loading = False
        self.history = {}
        table.clear()
        self._add_history(page.items, page.next_cursor)
        self._show_current()
        self._show_qualities()
        self._place_initial_section()

    @work(exclusive=True, group="designation-more", exit_on_error=False)
    async def load_more(self) -> None:
        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.dto import PageRequest
        from onss_tui.services.errors import ServiceError

        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None or self._next_cursor is None:
            return
        try:
            page = await self.app.service.list_designations(
                actor_id, enterprise_id, page=PageRequest(size=HISTORY_PAGE, cursor=self._next_cursor)
            )
        except ServiceError as error:
            show_service_error(self, error)
            return
        finally:
            self._loading_more = False
        self._add_history(page.items, page.next_cursor)

    def _place_initial_section(self) -> None:
        """Open the section the actor most likely came for, once, unless the user has begun typing."""
        if self._placed_initial_section or self.overview is None:
            return
        self._placed_initial_section = True
        first = self.query_one("#legal_representative_eid", IdentifierInput)
        if first.value or self.focused is not first.input:
            return
        roles = self._my_roles()
        if "legal_representative" in roles:
            return
        section = "managers" if MAIN_ROLES.intersection(roles) else "history"
        self.query_one("#sections", TabbedContent).active = section

    def _my_roles(self) -> set[str]:
        """What the actor is in this enterprise (the overview's roles, as their values)."""
        return {r.value for r in self.overview.my_roles} if self.overview else set()

    # ------------------------------------------------------------------ rendering

    def _show_current(self) -> None:
        t = self.app.t
        current = self.overview.main_access_manager if self.overview else None
        text = Text()
        text.append(f"{t('designation.mam.current')} ", style="dim")
        if current is None:
            text.append(t("overview.nobody_yet"), style="italic")
        else:
            text.append(current.person.full_name, style="bold")
            text.append(f" ({current.person.niss_masked}), {t(f'designation.status.{current.status.value}')}")
            text.append(f", {t('designation.since', date=_when(current.started_at))}")
        # The service refuses anyone else; say so before the form is filled in for nothing.
        legal_representative = self.overview is None or "legal_representative" in self._my_roles()
        if not legal_representative:
            text.append("\n" + t("designation.mam.only_legal_representative"), style="italic yellow")
        self.query_one("#mam-current", Static).update(text)
        label = "designation.replace" if current is not None else "designation.designate"
        submit = self.query_one("#mam-submit", Button)
        submit.label = t(label)
        submit.disabled = not legal_representative
        if self.overview is not None and not self.query_one("#enterprise_ref", IdentifierInput).value:
            number = self.overview.enterprise.enterprise_number
            self.query_one("#enterprise_ref", IdentifierInput).value = shown_number(
                number, format_enterprise_number
            )

    def _show_qualities(self) -> None:
        quality = self.query_one("#quality_code", Select)
        held = [q.code for q in self.overview.qualities if q.active] if self.overview else []
        chosen = quality.value
        quality.set_options([(self.app.catalogue_name(code), code) for code in held])
        if chosen in held:
            quality.value = chosen
        elif len(held) == 1:
            quality.value = held[0]
        quality.prompt = self.app.t("designation.choose_quality")
        self.query_one("#quality-row").display = self.query_one("#role", Select).value == "access_manager"

    def _show_history_columns(self) -> None:
        t = self.app.t
        table = self.query_one("#designations", DataTable)
        rows = list(self.history.values())
        table.clear(columns=True)
        for column in HISTORY_COLUMNS:
            table.add_column(t(f"designation.column.{column}"), key=column)
        self.history = {}
        self._add_history(rows, self._next_cursor)

    def _add_history(self, items: list[DesignationPublic], next_cursor: str | None) -> None:
        t = self.app.t
        table = self.query_one("#designations", DataTable)
        for d in items:
            key = str(d.id)
            self.history[key] = d
            status = Text(t(f"designation.status.{d.status.value}"))
            if d.status.value == "ended":
                status.stylize("dim")
            table.add_row(
                designation_role(self.app, d),
                d.person.full_name,
                d.person.niss_masked,
                status,
                _when(d.started_at),
                _when(d.ended_at),
                self.app.who(d.designated_by) if d.designated_by else "",
                key=key,
            )
        self._next_cursor = next_cursor
        status_line = self.query_one("#history-status", Tr)
        if not self.history:
            status_line.set_key("designation.history.none")
        else:
            more = "designation.history.count_more" if next_cursor else "designation.history.count"
            status_line.set_key(more, count=len(self.history))

    @on(DataTable.RowHighlighted, "#designations")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()  # ending is offered row by row
        if (
            self._next_cursor
            and not self._loading_more
            and event.cursor_row >= event.data_table.row_count - 5
        ):
            self._loading_more = True
            self.load_more()

    @on(Select.Changed, "#role")
    def _role_changed(self) -> None:
        self.query_one("#quality-row").display = self.query_one("#role", Select).value == "access_manager"

    @on(TabbedContent.TabActivated)
    def _section_changed(self, event: TabbedContent.TabActivated) -> None:
        """Keys go where the section shown expects them: its first field, or the history table."""
        self.refresh_bindings()
        first = {"mam": "#legal_representative_eid", "managers": "#niss", "history": "#designations"}
        target = self.query_one(first[str(event.pane.id)])
        if isinstance(target, IdentifierInput):
            self.call_after_refresh(target.focus_input)
        else:
            self.call_after_refresh(target.focus)

    # ------------------------------------------------------------------ actions

    @property
    def section(self) -> str:
        return self.query_one("#sections", TabbedContent).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "end_designation":  # offered on the designations the actor may end
            selected = self._selected() if self.section == "history" else None
            return selected is not None and selected.may_end
        if action == "reveal":
            return self.section == "history"
        if action == "submit":
            return self.section in ("mam", "managers")
        return True

    def action_section(self, step: int) -> None:
        self._placed_initial_section = True
        tabs = self.query_one("#sections", TabbedContent)
        tabs.active = SECTIONS[(SECTIONS.index(tabs.active) + step) % len(SECTIONS)]

    def action_cursor(self, direction: str) -> None:
        if isinstance(self.focused, DataTable):
            table = self.focused
            (table.action_cursor_down if direction == "down" else table.action_cursor_up)()

    def action_submit(self) -> None:
        if self.section == "mam":
            self._submit_main()
        elif self.section == "managers":
            self._submit_manager()

    @on(Button.Pressed, "#mam-submit")
    def _mam_pressed(self) -> None:
        self._submit_main()

    @on(Button.Pressed, "#managers-submit")
    def _managers_pressed(self) -> None:
        self._submit_manager()

    def _fields(self, form: Widget) -> dict[str, str] | None:
        """What the form holds, by DTO field name (empty optional fields left out); None, with the reasons
        shown beside the fields, while a field is empty or its number cannot be right."""
        values: dict[str, str] = {}
        wrong: list[IdentifierInput] = []
        for field in form.query(IdentifierInput):
            if not field.check_required():
                wrong.append(field)
            if field.value.strip():
                values[str(field.id)] = field.value.strip()
        for select in form.query(Select):
            if select.value is not Select.NULL and select.display:
                values[str(select.id)] = str(select.value)
        if wrong:
            wrong[0].focus_input()
            self.app.notify(self.app.t("error.fix_fields"), severity="warning")
            return None
        return values

    def _submit_main(self) -> None:
        form = self.query_one("#mam-form")
        values = self._fields(form)
        if values is None:
            return
        current = self.overview.main_access_manager if self.overview else None
        if current is None:
            self.designate_main(values)
            return
        from onss_tui.screens.confirm import ConfirmScreen

        t = self.app.t

        def answered(yes: bool | None) -> None:
            if yes:
                self.designate_main(values)

        self.app.push_screen(
            ConfirmScreen(
                t("designation.replace_title"),
                t("designation.replace_question", name=current.person.full_name),
                confirm=t("designation.replace"),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def designate_main(self, values: dict[str, str]) -> None:
        from pydantic import ValidationError

        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.dto import MainAccessManagerDesignation
        from onss_tui.services.errors import ServiceError, ValidationFailed

        assert self.app.actor_id is not None
        form = self.query_one("#mam-form")
        button = self.query_one("#mam-submit", Button)
        button.loading = True
        try:
            request = MainAccessManagerDesignation(**values)  # type: ignore[arg-type]
            designation = await self.app.service.designate_main_access_manager(self.app.actor_id, request)
        except ValidationError as exc:
            show_service_error(self, ValidationFailed(_missing(exc)), form)
            return
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            button.loading = False
        self._designated(designation, form, keep=("legal_representative_eid", "legal_representative_niss"))

    def _submit_manager(self) -> None:
        values = self._fields(self.query_one("#managers-form"))
        if values is None:
            return
        if self.app.enterprise_id is not None:
            values["enterprise_id"] = str(self.app.enterprise_id)
        self.designate_manager(values)

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def designate_manager(self, values: dict[str, str]) -> None:
        from pydantic import ValidationError

        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.dto import DesignationRequest
        from onss_tui.services.errors import ServiceError, ValidationFailed

        assert self.app.actor_id is not None
        form = self.query_one("#managers-form")
        button = self.query_one("#managers-submit", Button)
        button.loading = True
        try:
            request = DesignationRequest(**values)  # type: ignore[arg-type]
            designation = await self.app.service.designate(self.app.actor_id, request)
        except ValidationError as exc:
            show_service_error(self, ValidationFailed(_missing(exc)), form)
            return
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            button.loading = False
        self._designated(designation, form, keep=())

    def _designated(self, designation: DesignationPublic, form: Widget, keep: tuple[str, ...]) -> None:
        """After a designation: say so, empty the designee's fields, show the new state."""
        t = self.app.t
        self.app.notify(
            t(
                "designation.done",
                name=designation.person.full_name,
                role=designation_role(self.app, designation),
                status=t(f"designation.status.{designation.status.value}"),
            ),
            title=t("designation.title"),
        )
        for field in form.query(IdentifierInput):
            if field.id not in keep and field.id not in ("legal_representative_phone", "enterprise_ref"):
                field.value = ""
        self.load()

    def _selected(self) -> DesignationPublic | None:
        table = self.query_one("#designations", DataTable)
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.history.get(str(row_key.value))

    def action_end_designation(self) -> None:
        designation = self._selected()
        if designation is None:
            return
        t = self.app.t
        if designation.status.value == "ended":
            self.app.notify(t("designation.already_ended"), severity="warning")
            return
        from onss_tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.end(designation)

        self.app.push_screen(
            ConfirmScreen(
                t("designation.end_title"),
                t(
                    "designation.end_question",
                    name=designation.person.full_name,
                    role=designation_role(self.app, designation),
                ),
                confirm=t("designation.end"),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def end(self, designation: DesignationPublic) -> None:
        from onss_tui.screens.errors import show_service_error
        from onss_tui.services.errors import ServiceError

        assert self.app.actor_id is not None
        try:
            ended = await self.app.service.end_designation(
                self.app.actor_id, designation.id, designation.version
            )
        except ServiceError as error:
            show_service_error(self, error)
            return
        self.app.notify(
            self.app.t(
                "designation.ended", name=ended.person.full_name, role=designation_role(self.app, ended)
            ),
            title=self.app.t("designation.title"),
        )
        self.load()

    def action_reveal(self) -> None:
        designation = self._selected()
        if designation is None:
            return
        table = self.query_one("#designations", DataTable)
        person_id = designation.person.id

        def shown(niss: str) -> None:
            for key, row in self.history.items():
                if row.person.id == person_id and key in table.rows:
                    table.update_cell(key, "niss", Text(niss, style="bold"))

        self.app.reveal_niss(person_id, shown)


def _missing(exc: object) -> dict[str, str]:
    """Pydantic's complaints about the request (a required field left empty), by field."""
    return {str(e["loc"][0]): e["msg"] for e in exc.errors()}  # type: ignore[attr-defined]
