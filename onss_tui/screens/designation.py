"""Designation: the Main Access Manager, co-main access managers and Access Managers per quality.

Three sections. *Main Access Manager*: what DOMAIN.md lists, each field checked as it is typed; replacing
asks first. *Managers*: a co-main access manager, or an Access Manager for one quality (both forms are in
`designation_forms`). *Pending*: the designations waiting for their holder's first sign-in, each to be
cancelled (after confirmation). *History*: every designation of the enterprise, newest first, paged
(`designation_history`); end the highlighted one (after confirmation) or reveal its holder's national
register number. The service decides who may do what; refusals are shown as they come.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TabbedContent, TabPane

from onss_tui.domain.rules import MAIN_ROLES
from onss_tui.screens.base import OnssScreen
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.designation_forms import DesignationForm, MainAccessManagerForm, ManagersForm, roles_in
from onss_tui.screens.designation_history import CANCEL, END, REVEAL, DesignationHistory
from onss_tui.screens.errors import show_service_error
from onss_tui.screens.overview import designation_role
from onss_tui.services.dto import DesignationPublic, DesignationStatus, EnterpriseOverview
from onss_tui.services.errors import ServiceError, ValidationFailed
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.identifier_input import IdentifierInput
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import PagedTable

SECTIONS = ("mam", "managers", "pending", "history")
FIRST_FIELD = {
    "mam": "#legal_representative_eid",
    "managers": "#niss",
    "pending": "#pending-designations",
    "history": "#designations",
}
"""Where the keys go when a section is shown: its first field, or the table of designations."""
LISTS = {"pending": "#pending-pane", "history": "#history-pane"}
"""The sections listing designations, and the list each shows."""


class DesignationScreen(OnssScreen[None]):
    """Designate, replace and end designations of the enterprise in `app.enterprise_id`."""

    AUTO_FOCUS = "#legal_representative_eid-input"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "submit", "designation.submit", id="designation.submit", priority=True),
        END,
        CANCEL,
        REVEAL,
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
        Binding("f5,ctrl+r", "reload", "common.reload", id="designation.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: EnterpriseOverview | None = None
        self._placed_initial_section = False

    def compose(self) -> ComposeResult:
        yield NavBar("designation")
        with TabbedContent(id="sections"):
            with TabPane("", id="mam"):
                yield MainAccessManagerForm(id="mam-form")
            with TabPane("", id="managers"):
                yield ManagersForm(id="managers-form")
            with TabPane("", id="pending"):
                yield DesignationHistory(pending=True, id="pending-pane")
            with TabPane("", id="history"):
                yield DesignationHistory(id="history-pane")
        yield Footer()

    @property
    def history(self) -> DesignationHistory:
        """The list of designations shown (the history when a form is)."""
        return self.query_one(LISTS.get(self.section, "#history-pane"), DesignationHistory)

    @property
    def section(self) -> str:
        return self.query_one("#sections", TabbedContent).active

    def unsaved_input(self) -> bool:
        return any(form.unsaved_input() for form in self.query(DesignationForm))

    @on(events.ScreenResume)
    def _show_the_section_wanted(self) -> None:
        """Asked by a step of the overview: the section where that step is done."""
        wanted, self.app.designation_section_wanted = self.app.designation_section_wanted, None
        if wanted in SECTIONS:
            self._placed_initial_section = True
            self.call_after_refresh(self._open_section, wanted)  # once its tabs are mounted

    def _open_section(self, section: str) -> None:
        self.query_one("#sections", TabbedContent).active = section

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel)
        self.watch(self.app, "enterprise_id", self._enterprise_changed, init=False)
        self.load()  # the history table fetches its first page itself

    def _relabel(self, _lang: str | None = None) -> None:
        tabs = self.query_one("#sections", TabbedContent)
        for section in SECTIONS:
            tabs.get_tab(section).label = self.app.t(f"designation.section.{section}")

    def _enterprise_changed(self, enterprise_id: int | None) -> None:
        if enterprise_id is not None:
            self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        self.load()
        for listed in self.query(DesignationHistory):
            listed.reload()

    def reload_data(self) -> None:
        self.action_reload()

    @work(exclusive=True, group="designation-load", exit_on_error=False)
    async def load(self) -> None:
        """The enterprise's overview, which the forms show (who holds what, its qualities)."""
        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None:
            return
        self.overview = await self.app.service.get_overview(actor_id, enterprise_id)
        self.loaded()
        for form in self.query(DesignationForm):
            form.show(self.overview)
        self.refresh_bindings()
        self._place_initial_section()

    def _place_initial_section(self) -> None:
        """Open the section the actor most likely came for, once, unless the user has begun typing."""
        if self._placed_initial_section or self.overview is None:
            return
        self._placed_initial_section = True
        first = self.query_one("#legal_representative_eid", IdentifierInput)
        if first.value or self.focused is not first.input:
            return
        roles = roles_in(self.overview)
        if "legal_representative" in roles:
            return
        section = "managers" if MAIN_ROLES.intersection(roles) else "history"
        self.query_one("#sections", TabbedContent).active = section

    # ------------------------------------------------------------------ sections

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("end_designation", "cancel_designation"):  # on those the actor may end: one
            selected = self.history.selected if self.section in LISTS else None  # not taken up is cancelled
            if selected is None or not selected.may_end:
                return False
            return (selected.status == DesignationStatus.PENDING) == (action == "cancel_designation")
        if action == "reveal":
            return self.section in LISTS
        if action == "submit":
            if self.section == "managers":
                return self.query_one("#managers-form", ManagersForm).usable
            return self.section == "mam"
        return True

    def action_section(self, step: int) -> None:
        self._placed_initial_section = True
        tabs = self.query_one("#sections", TabbedContent)
        tabs.active = SECTIONS[(SECTIONS.index(tabs.active) + step) % len(SECTIONS)]

    @on(TabbedContent.TabActivated)
    def _section_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        target = self.query_one(FIRST_FIELD[str(event.pane.id)])
        if isinstance(target, IdentifierInput):
            self.call_after_refresh(target.focus_input)
        else:
            self.call_after_refresh(target.focus)

    @on(PagedTable.Highlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()  # ending is offered row by row

    # ------------------------------------------------------------------ designating

    def action_submit(self) -> None:
        if self.section not in LISTS:
            self._submit(self.query_one(f"#{self.section}-form", DesignationForm))

    @on(DesignationForm.Submitted)
    def _submitted(self, event: DesignationForm.Submitted) -> None:
        self._submit(event.form)

    def _submit(self, form: DesignationForm) -> None:
        """Designate with what `form` holds, once its fields are right; a replacement is confirmed first."""
        values = form.values()
        if values is not None:
            self._ask_then_designate(form, values)

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def _ask_then_designate(self, form: DesignationForm, values: dict[str, str]) -> None:
        """Ask first when the designation replaces one, in the enterprise typed."""
        assert self.app.actor_id is not None
        replaced = await form.replaced(self.app.service, self.app.actor_id, values)
        if replaced is None:
            self.designate(form, values)
            return
        t = self.app.t
        designation, elsewhere = replaced

        def answered(yes: bool | None) -> None:
            if yes:
                self.designate(form, values)

        question = t("designation.replace_question", name=designation.person.full_name)
        if elsewhere is not None:
            question = t(
                "designation.replace_question_in", name=designation.person.full_name, enterprise=elsewhere
            )
        self.app.push_screen(
            ConfirmScreen(
                t("designation.replace_title"), question, confirm=t("designation.replace"), danger=True
            ),
            answered,
        )

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def designate(self, form: DesignationForm, values: dict[str, str]) -> None:
        assert self.app.actor_id is not None
        button = form.submit_button
        button.loading = True
        try:
            designation = await form.designate(self.app.service, self.app.actor_id, values)
        except ValidationError as exc:
            missing = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
            show_service_error(self, ValidationFailed(missing), form)
            return
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            button.loading = False
        t = self.app.t
        name, role = designation.person.full_name, designation_role(self.app, designation)
        if designation.status == DesignationStatus.ACTIVE:
            said = t("designation.done_active", name=name, role=role)
        else:
            said = t("designation.done", name=name, role=role, status=t("designation.status.pending"))
        self.app.notify(said, title=t("designation.title"))
        form.clear()
        self.action_reload()

    # ------------------------------------------------------------------ the history's keys

    def action_end_designation(self) -> None:
        designation = self.history.selected
        if designation is None:
            return
        t = self.app.t
        if designation.status == DesignationStatus.ENDED:
            self.app.notify(t("designation.already_ended"), severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.end(designation)

        role = designation_role(self.app, designation)
        # One not yet taken up is cancelled: its holder never signed in to use it.
        said = "designation.cancel" if designation.status == DesignationStatus.PENDING else "designation.end"
        question = t(f"{said}_question", name=designation.person.full_name, role=role)
        self.app.push_screen(
            ConfirmScreen(t(f"{said}_title"), question, confirm=t(said), danger=True), answered
        )

    action_cancel_designation = action_end_designation

    @work(exclusive=True, group="designation-write", exit_on_error=False)
    async def end(self, designation: DesignationPublic) -> None:
        assert self.app.actor_id is not None
        ended = await self.app.service.end_designation(self.app.actor_id, designation.id, designation.version)
        pending = designation.status == DesignationStatus.PENDING
        said = "designation.cancelled" if pending else "designation.ended"
        role = designation_role(self.app, ended)
        self.app.notify(
            self.app.t(said, name=ended.person.full_name, role=role), title=self.app.t("designation.title")
        )
        self.action_reload()

    def action_reveal(self) -> None:
        designation = self.history.selected
        if designation is not None:
            self.history.reveal(designation)
