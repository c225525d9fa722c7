"""The enterprise overview: identity, how each group of services is handled, managers, counts, next steps.

Everything comes from one `service.get_overview` call. The next steps follow the procedure of the
portal (designate the Main Access Manager, then Access Managers, then create users; finalise waiting
mandates); Enter on a step opens the screen where it is done. `r` reveals the national register number
of the person highlighted in the managers table (anyone else's once a reason is given: the reveal and
its reason are audited); `w` shows who saw the actor's own number. A main access manager activates a
further quality (`a`) and withdraws one activated after registration (`d`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from onss_tui.domain.identifiers import format_enterprise_number, format_onss_number
from onss_tui.domain.rules import MAIN_ROLES
from onss_tui.domain.text import shown
from onss_tui.screens.base import OnssModal, OnssScreen
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.enterprise_picker import shown_number
from onss_tui.screens.reveal import reveal
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.navbar import NAV_KEYS, NavBar
from onss_tui.widgets.paged_table import LOADING_DELAY
from onss_tui.widgets.plain import plain, plain_content
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from onss_tui.console import ConsoleApp
    from onss_tui.services.dto import DesignationPublic, EnterpriseOverview, MandatePublic

STEP_MANDATES = {
    "finalise_mandates": {"status": "to_finalise"},
    "accept_mandates": {"status": "pending", "as": "mandatary"},
}
"""The steps on mandates, and the mandates each one waits on (what the list then shows): by status, and
those of which the enterprise is the mandatary."""
STEP_SECTIONS = {"pending_designations": "pending"}
"""The steps done in one section of the designation screen, and that section."""

NEXT_STEP_SCREENS = {
    "designate_main_access_manager": "designation",
    "designate_access_manager": "designation",
    "create_users": "users",
    "pending_designations": "designation",
    "finalise_mandates": "mandates",
    "accept_mandates": "mandates",
}
"""Each next-step code of the service, and the screen where that step is done."""

WITHDRAW = Binding("d", "deactivate_quality", "overview.deactivate", id="overview.deactivate_quality")
"""The key that withdraws a quality (named by the notice that a quality is activated)."""

PEOPLE_COLUMNS = ("role", "name", "niss", "status")
MIN_SHARED = 8
"""The narrowest the role and name columns of the managers get."""


def designation_role(app: ConsoleApp, designation: DesignationPublic) -> str:
    """'Access Manager (ONSS employer)' in the current language."""
    role = app.t(f"role.{designation.role.value}")
    if designation.quality_code:
        return f"{role} ({app.catalogue_name(designation.quality_code)})"
    return role


class OverviewScreen(OnssScreen[None]):
    """The enterprise chosen in `app.enterprise_id`, at a glance."""

    AUTO_FOCUS = ""
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar = [
        Binding("r", "reveal", "common.reveal", id="overview.reveal"),
        Binding("w", "niss_reveals", "reveal.seen.key", id="overview.niss_reveals"),
        Binding("a", "activate_quality", "overview.activate", id="overview.activate_quality"),
        WITHDRAW,
        Binding("f", "figures", "figures.key.open", id="overview.figures"),
        Binding("f5,ctrl+r", "reload", "common.reload", id="overview.reload"),
        Binding("j", "cursor('down')", "common.down", id="overview.down", show=False),
        Binding("k", "cursor('up')", "common.up", id="overview.up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: EnterpriseOverview | None = None
        self._people_width = 0
        """The width the managers' columns were last fitted to."""

    def compose(self) -> ComposeResult:
        yield NavBar("overview")
        with VerticalScroll(id="overview"):
            yield Static(id="overview-identity")
            with Vertical(id="overview-columns"):
                with Vertical(id="overview-left"):
                    yield Tr("overview.next_steps", classes="section-title")
                    yield OptionList(id="next-steps")
                with Vertical(id="overview-right"):
                    yield Tr("overview.figures", classes="section-title")
                    yield Static(id="overview-figures")
            # Full width: a role with its quality, a name, a number and a status do not fit in a column.
            yield Tr("overview.managers", classes="section-title")
            yield DataTable(id="people", cursor_type="row", zebra_stripes=True)
            yield Tr("overview.groups", classes="section-title")
            yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel, init=False)
        self.watch(self.app, "enterprise_id", self._enterprise_changed)

    def _enterprise_changed(self, enterprise_id: int | None) -> None:
        if enterprise_id is not None:
            self.load()

    def action_reload(self) -> None:
        self.load()

    def action_figures(self) -> None:
        from onss_tui.screens.figures import FiguresScreen

        self.app.push_screen(FiguresScreen(self.app.enterprise_id))

    def reload_data(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "activate_quality":  # offered only to those the service lets activate one
            return self._main()
        if action == "deactivate_quality":  # ... and withdraw one, when there is one to withdraw
            return self._main() and bool(self._withdrawable())
        if action == "figures":  # the enterprise's figures are for its legal representatives and managers
            support = self.app.actor is not None and self.app.actor.support_staff
            return support or (self.overview is not None and bool(self.overview.my_roles))
        return True

    def _main(self) -> bool:
        """Whether the actor is a main access manager of the enterprise."""
        return self.overview is not None and bool(MAIN_ROLES.intersection(self.overview.my_roles))

    def _withdrawable(self) -> list[str]:
        """The qualities the enterprise activated after its registration and holds active."""
        if self.overview is None:
            return []
        return [q.code for q in self.overview.qualities if q.active and not q.from_registration]

    @work(exclusive=True, group="overview", exit_on_error=False)
    async def load(self) -> None:
        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None:
            return
        body = self.query_one("#overview")
        # Said only when slow: a quick answer would otherwise flash the loading dots for a frame or two.
        slow = self.set_timer(LOADING_DELAY, lambda: setattr(body, "loading", True))
        try:
            self.overview = await self.app.service.get_overview(actor_id, enterprise_id)
            self.loaded()
        finally:
            slow.stop()
            body.loading = False
        self._relabel()
        self.refresh_bindings()
        if self.focused is None or self.focused is self.query_one("#overview"):
            # The page is read from its top: focusing must not scroll by a layout not yet refreshed.
            first = "#next-steps" if self.overview.next_steps else "#people"
            self.query_one(first).focus(scroll_visible=False)

    # ------------------------------------------------------------------ rendering

    def _relabel(self, _lang: str | None = None) -> None:
        if self.overview is None:
            return
        self.query_one("#overview-identity", Static).update(self._identity())
        self._show_steps()
        self.query_one("#overview-figures", Static).update(self._figures())
        self._show_people()
        self._show_groups()

    def _identity(self) -> Text:
        t, o = self.app.t, self.overview
        assert o is not None
        e = o.enterprise
        text = Text.assemble((shown(e.name), "bold"), "\n")
        text.append(
            f"{t('overview.enterprise_number')} {shown_number(e.enterprise_number, format_enterprise_number)}"
        )
        if e.onss_number:
            text.append(f" · {t('overview.onss_number')} {shown_number(e.onss_number, format_onss_number)}")
        text.append(f" · {t(f'category.{e.category.value}')}\n")
        qualities = [
            self.app.catalogue_name(q.code) + ("" if q.active else f" ({t('overview.not_active')})")
            for q in o.qualities
        ]
        text.append(f"{t('overview.qualities')} ", style="dim")
        text.append(", ".join(qualities) or t("overview.qualities_none"))
        text.append("\n")
        roles = [t(f"role.{r.value}") for r in o.my_roles] + ([t("role.user")] if o.my_user_account else [])
        if self.app.actor is not None and self.app.actor.support_staff:
            roles.append(t("role.support_staff"))
        text.append(f"{t('overview.your_roles')} ", style="dim")
        text.append(", ".join(roles) or t("common.none"))
        if o.is_mandatary:
            text.append(f" · {t('overview.is_mandatary')}", style="dim")
        return text

    def _show_steps(self) -> None:
        t, o = self.app.t, self.overview
        assert o is not None
        steps = self.query_one("#next-steps", OptionList)
        highlighted = steps.highlighted
        steps.clear_options()
        if not o.next_steps:
            steps.add_option(Option(Text("✓ " + t("overview.step.none"), style="green"), disabled=True))
            return
        for code in o.next_steps:
            screen = NEXT_STEP_SCREENS.get(code)
            label = Text.assemble("☐ ", t(f"overview.step.{code}"))
            if screen:
                label.append(f"  → {NAV_KEYS[screen]}", style="dim")
            steps.add_option(Option(label, id=code))
        steps.highlighted = min(highlighted or 0, len(o.next_steps) - 1)

    def _figures(self) -> Table:
        t, o = self.app.t, self.overview
        assert o is not None
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim")
        table.add_column(justify="right")
        table.add_row(t("overview.users_active"), self.app.count(o.users_active))
        table.add_row(t("overview.users_suspended"), self.app.count(o.users_suspended))
        table.add_row(t("overview.mandates_active"), self.app.count(o.mandates_active))
        table.add_row(t("overview.mandates_waiting"), self.app.count(o.mandates_waiting))
        ending = Text(self.app.count(o.mandates_ending_this_quarter))
        if o.mandates_ending_this_quarter:
            ending.stylize("bold yellow")
        table.add_row(t("overview.mandates_ending", quarter=self.app.quarter(o.current_quarter)), ending)
        return table

    def _show_people(self) -> None:
        t, o = self.app.t, self.overview
        assert o is not None
        table = self.query_one("#people", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        labels = [t(f"overview.column.{column}") for column in PEOPLE_COLUMNS]
        rows: list[tuple[str, list[str]]] = []
        if o.main_access_manager is None:
            rows.append(("none", [t("role.main_access_manager"), t("overview.nobody_yet"), "", ""]))
        for d in self._people():
            status = t(f"designation.status.{d.status.value}")
            cells = [designation_role(self.app, d), d.person.full_name, d.person.niss_masked, status]
            rows.append((f"{d.id}:{d.person.id}", cells))
        widths = people_widths([labels, *(cells for _, cells in rows)], table.scrollable_content_region.width)
        self._people_width = table.size.width
        for column, label, width in zip(PEOPLE_COLUMNS, labels, widths, strict=True):
            table.add_column(label, key=column, width=width)
        for key, cells in rows:
            shown_cells = [_cell(cell) for cell in cells]
            if key == "none":
                shown_cells[1].stylize("italic")
            table.add_row(*shown_cells, key=key)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fit_people)

    def _fit_people(self) -> None:
        """Fit the managers' columns again when the terminal's width changed the table's."""
        if self.overview is not None and self.query_one("#people").size.width != self._people_width:
            self._show_people()

    def _people(self) -> list[DesignationPublic]:
        """The managers and legal representatives, as the table lists them."""
        o = self.overview
        if o is None:
            return []
        return [
            *([o.main_access_manager] if o.main_access_manager else []),
            *o.co_main_access_managers,
            *o.access_managers,
            *o.legal_representatives,
        ]

    def _show_groups(self) -> None:
        """Each group of services and who handles it; Enter on one a provider handles shows its mandates."""
        t, o = self.app.t, self.overview
        assert o is not None
        table = self.query_one("#groups", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column(t("overview.column.group"), key="group")
        table.add_column(t("overview.column.handled_by"), key="handled_by")
        for handling in o.group_handling:
            if handling.providers:
                how = _cell(", ".join(handling.providers))
            elif handling.self_handled:
                how = Text(t("overview.self_handled"))
            else:
                how = Text(t("overview.not_covered"), style="italic yellow")
            table.add_row(_cell(self.app.catalogue_name(handling.group_code)), how, key=handling.group_code)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    # ------------------------------------------------------------------ actions

    @on(OptionList.OptionSelected, "#next-steps")
    def _open_step(self, event: OptionList.OptionSelected) -> None:
        step = event.option.id or ""
        if step == "give_mandate":
            self._give_mandate()
            return
        screen = NEXT_STEP_SCREENS.get(step)
        if screen:
            self.app.mandates_wanted = STEP_MANDATES.get(step)
            self.app.designation_section_wanted = STEP_SECTIONS.get(step)
            self.app.open_screen(screen)

    @on(DataTable.RowSelected, "#groups")
    def _open_group_mandates(self, event: DataTable.RowSelected) -> None:
        """The mandates in force behind a group a provider handles, in the mandate browser."""
        group = event.row_key.value
        handling = (
            next((h for h in self.overview.group_handling if h.group_code == group), None)
            if self.overview
            else None
        )
        if handling is not None and handling.providers:
            self.app.mandates_wanted = {"status": "active", "group": handling.group_code}
            self.app.open_screen("mandates")

    def _give_mandate(self) -> None:
        """The mandate form; once one is given, the overview shows how the groups are handled now."""
        from onss_tui.screens.mandate_form import MandateFormScreen

        def given(mandate: MandatePublic | None) -> None:
            if mandate is not None:
                self.load()

        self.app.push_screen(MandateFormScreen(), given)

    def action_reveal(self) -> None:
        table = self.query_one("#people", DataTable)
        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        if not row_key.value or ":" not in row_key.value:
            return
        designation_id = int(row_key.value.split(":")[0])
        held = next((d for d in self._people() if d.id == designation_id), None)
        if held is None:
            return

        def shown(niss: str) -> None:
            if row_key in table.rows:
                table.update_cell(row_key, "niss", Text(niss, style="bold"))

        reveal(self, held.person.id, held.person.full_name, held.person.niss_masked, shown)

    def action_niss_reveals(self) -> None:
        """Who saw the actor's own national register number."""
        from onss_tui.screens.niss_reveals import NissRevealsScreen

        self.app.push_screen(NissRevealsScreen())

    def action_activate_quality(self) -> None:
        """Offer the qualities the enterprise does not hold active yet; the service decides who may."""
        if self.overview is None or self.app.catalogue is None:
            return
        active = {q.code for q in self.overview.qualities if q.active}
        choices = [
            (self.app.catalogue_name(q), q.code) for q in self.app.catalogue.qualities if q.code not in active
        ]
        if not choices:
            self.app.notify(self.app.t("overview.all_qualities_active"))
            return
        self._ask_quality_change("activate", choices)

    def action_deactivate_quality(self) -> None:
        """Offer the qualities activated after registration; the service decides who may withdraw one and
        when (not while an Access Manager is designated for it)."""
        choices = [(self.app.catalogue_name(code), code) for code in self._withdrawable()]
        if choices:
            self._ask_quality_change("deactivate", choices)

    def _ask_quality_change(self, change: str, choices: list[tuple[str, str]]) -> None:
        """Ask which quality to `change` (activate or deactivate), then once more, naming it and what
        follows (a withdrawal as a danger)."""
        t = self.app.t

        def chosen(code: str | None) -> None:
            if not code:
                return
            question = t(f"overview.{change}_question", quality=self.app.catalogue_name(code))
            said = t(f"overview.{change}")
            confirm = ConfirmScreen(said, question, confirm=said, danger=change == "deactivate")

            def answered(yes: bool | None) -> None:
                if yes:
                    self.change_quality(change, code)

            self.app.push_screen(confirm, answered)

        self.app.push_screen(ChoiceScreen(t(f"overview.{change}_title"), choices), chosen)

    @work(exclusive=True, group="overview-write", exit_on_error=False)
    async def change_quality(self, change: str, quality_code: str) -> None:
        """Activate or deactivate a quality, and say so (an activation with the key that withdraws it)."""
        enterprise_id, actor_id = self.app.enterprise_id, self.app.actor_id
        if enterprise_id is None or actor_id is None:
            return
        service = self.app.service
        write = service.activate_quality if change == "activate" else service.deactivate_quality
        self.overview = await write(actor_id, enterprise_id, quality_code)
        quality, key = self.app.catalogue_name(quality_code), self.app.key_for(WITHDRAW)
        self.app.notify(self.app.t(f"overview.{change}d", quality=quality, key=key))
        self._relabel()
        self.refresh_bindings()

    def action_cursor(self, direction: str) -> None:
        focused = self.focused
        if isinstance(focused, DataTable | OptionList):
            (focused.action_cursor_down if direction == "down" else focused.action_cursor_up)()


def _cell(value: str) -> Text:
    """A cell of the people's table, as the table draws a string of its own, but never as markup, cut
    with an ellipsis when its column is narrower."""
    return Text(shown(value), end="", no_wrap=True, overflow="ellipsis")


def people_widths(lines: list[list[str]], width: int) -> list[int | None]:
    """The widths of the managers' columns in a table `width` wide: their own (None) when they fit;
    otherwise the number and the status keep theirs and the role and the name share what is left, the
    role the most (each column has a space on either side)."""
    natural = [max(cell_len(shown(line[i])) for line in lines) for i in range(len(PEOPLE_COLUMNS))]
    room = width - 2 * len(natural)
    if width <= 0 or sum(natural) <= room:
        return [None] * len(natural)
    role, name, niss, status = natural
    shared = max(room - niss - status, 2 * MIN_SHARED)
    role_width = max(MIN_SHARED, min(role, max(shared - name, shared * 3 // 5)))
    return [role_width, max(MIN_SHARED, shared - role_width), None, None]


class ChoiceScreen(OnssModal["str | None"]):
    """Pick one of a few labelled values; Escape picks none."""

    BINDINGS: ClassVar = [Binding("escape", "choose_none", "common.cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog"):
            yield Static(plain_content(self.title_text), id="choice-title")
            yield OptionList(*(Option(plain(label), id=value) for label, value in self.choices), id="choices")

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose_none(self) -> None:
        self.dismiss(None)
