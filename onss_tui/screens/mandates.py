"""The mandate browser (Mahis): the mandates the actor may see, paged, filtered as you type, with steps.

Support staff see every mandate; with an enterprise chosen, the browser shows that enterprise's mandates
(as principal or mandatary) and `v` widens it to all the actor may see. Opened from a bar of the figures
(`f`), it shows the mandates that bar counts, its title saying which. The table never loads more than a
few pages; the export streams the whole filtered view to a file, a page at a time. The filter fields are
built once the first page is drawn (or is slow to come): building them first delays it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from pathlib import Path
from typing import IO, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Select, Static

from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.domain.rules import manages_mandates
from onss_tui.domain.text import SEARCH_MAX
from onss_tui.screens.browse import ROW_ACTION, TYPED_FILTER, BrowseScreen
from onss_tui.screens.confirm import ConfirmScreen
from onss_tui.screens.export import ExportScreen
from onss_tui.screens.mandate_detail import (
    MandateDetailScreen,
    detail_table,
    enterprise_number_shown,
    group_names,
    in_the_past,
    mandatary_kind,
    shown_status_name,
    step_bindings,
    validity,
)
from onss_tui.services.dto import (
    MandateAction,
    MandateFilter,
    MandatePublic,
    MandateShownStatus,
    MandateSort,
    Page,
    PageRequest,
)
from onss_tui.services.export import write_mandates
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import LOADING_DELAY, Column, PagedTable

EXPORT_PROGRESS = 1000
"""The export dialog says how many mandates are written every this many."""
DETAIL_DELAY = 0.1
"""Seconds the cursor rests, after moving in quick succession, before the detail pane follows it."""
STEP_BINDINGS = step_bindings("mandates")
"""The browser's keys of the steps on the highlighted mandate."""


class MandatesScreen(BrowseScreen[MandatePublic]):
    """Browse mandates, see one in detail, take the steps open to the actor, create one, export the view."""

    HELP_KEY = "help.mandates"
    DEFAULT_CSS = """
    MandatesScreen {
        #filter-text { width: 1fr; min-width: 14; }
        #filter-status { width: 19; }
        #filter-group { width: 22; }
        #filter-quarter { width: 9; }
    }
    """

    BINDINGS: ClassVar = [
        Binding("slash", "focus_filter", "mandates.key.filter", id="mandates.filter"),
        Binding("n", "create", "mandates.key.create", id="mandates.create"),
        *STEP_BINDINGS.values(),
        Binding("x", "export", "mandates.key.export", id="mandates.export"),
        Binding("v", "toggle_scope", "mandates.key.scope", id="mandates.scope"),
        Binding("f", "figures", "figures.key.open", id="mandates.figures"),
        Binding("f5", "reload_list", "common.reload", id="mandates.reload"),
    ]

    def __init__(self, narrowed: MandateFilter | None = None, label: str = "") -> None:
        super().__init__()
        self.narrowed = narrowed
        """The mandates a bar of the figures counts (its scope, and a status, start quarter, group or
        mandatary), or None."""
        self.narrowed_label = label
        """What the bar is called, said in the title."""
        self.whole_scope = narrowed is not None and narrowed.enterprise_id is None
        """True: every mandate the actor may see; False: those of the chosen enterprise."""
        self.as_mandatary = False
        """Of the chosen enterprise, only the mandates of which it is the mandatary (asked by the overview's
        step on the mandates waiting for it), until the scope is changed."""
        self._steps: list[MandateAction] = []
        """The steps the actor may take on the selected mandate (as the service says)."""
        self._detail_timer: Timer | None = None
        self._detail_shown: MandatePublic | None = None
        self.last_export: Path | None = None
        """Where the last export went: the next one proposes it."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield NavBar("mandates")
        yield Horizontal(id="mandate-filters", classes="browse-filters")
        yield PagedTable(
            self.columns(),
            self.fetch_page,
            key=lambda m: m.id,
            sort_key=MandateSort.PRINCIPAL.value,
            mark=lambda m: "marked" if m.ends_this_quarter else "muted" if in_the_past(m) else None,
            id="mandates",
        )
        yield Static(id="mandate-detail", classes="browse-detail")
        yield Footer()

    @on(events.ScreenResume)
    async def _show_what_a_step_waits_on(self) -> None:
        """Asked by the overview: the mandates a step waits on, or those behind a group it shows."""
        wanted, self.app.mandates_wanted = self.app.mandates_wanted, None
        if wanted:
            await self._build_filters()
            self.as_mandatary = wanted.get("as") == "mandatary"
            if self.as_mandatary:
                self.whole_scope = False
            for field in ("status", "group"):
                self.query_one(f"#filter-{field}", Select).value = wanted.get(field, Select.NULL)
            self._show_scope()
            self.table.reload()

    def on_mount(self) -> None:
        self.set_timer(LOADING_DELAY, self._build_filters)
        self.learn_roles()

    @property
    def _gives_mandates(self) -> bool:
        """Who manages the employer's mandates gives one: New is offered to them alone."""
        return manages_mandates(self.roles, self.services)

    @property
    def _filters_built(self) -> bool:
        return bool(self.query_one("#mandate-filters").children)

    @on(PagedTable.Loaded, "#mandates")
    def _page_loaded(self) -> None:
        if not self._filters_built:
            self.table.call_after_drawing(self._build_filters)

    async def _build_filters(self) -> None:
        """The filter fields, once: after the first page is drawn, or when it is slow to come."""
        if self._filters_built:
            return
        t = self.app.t
        # Built with their words: set after mounting, a select's prompt could meet it not yet composed.
        statuses, groups = self._filter_options()
        narrowed = self.narrowed or MandateFilter()
        await self.query_one("#mandate-filters").mount(
            Input(
                id="filter-text",
                classes=TYPED_FILTER,
                compact=True,
                placeholder=t("mandates.filter.text"),
                max_length=SEARCH_MAX,
            ),
            Select[str](
                statuses,
                prompt=t("mandates.filter.status"),
                id="filter-status",
                compact=True,
                value=narrowed.status.value if narrowed.status else Select.NULL,
            ),
            Select[str](
                groups,
                prompt=t("mandates.filter.group"),
                id="filter-group",
                compact=True,
                value=narrowed.group or Select.NULL,
            ),
            Input(id="filter-quarter", compact=True, max_length=7, placeholder=t("mandates.filter.quarter")),
        )

    def columns(self) -> list[Column[MandatePublic]]:
        t = self.app.t
        return [
            Column(
                "principal",
                t("mandates.column.principal"),
                self._principal_cell,
                width=22,
                flex=3,
                sortable=True,
            ),
            Column(
                "mandatary", t("mandates.column.mandatary"), self._mandatary_cell, 16, flex=3, sortable=True
            ),
            Column(
                "groups",
                t("mandates.column.groups"),
                lambda m: group_names(self.app, m),
                10,
                flex=2,
                priority=1,
            ),
            Column(
                "start",
                t("mandates.column.validity"),
                lambda m: validity(self.app, m, short=True),
                18,
                sortable=True,
            ),
            Column("status", t("mandates.column.status"), self._status_cell, 16, sortable=True),
        ]

    def _principal_cell(self, mandate: MandatePublic) -> Text:
        text = Text(mandate.principal.name)
        text.append(" " + enterprise_number_shown(mandate.principal.enterprise_number), style="dim")
        return text

    def _mandatary_cell(self, mandate: MandatePublic) -> Text:
        text = Text(mandate.mandatary.name)
        text.append(" · " + mandatary_kind(self.app, mandate, short=True), style="dim")
        return text

    def _status_cell(self, mandate: MandatePublic) -> str:
        marker = "! " if mandate.ends_this_quarter else ""
        return marker + shown_status_name(self.app, mandate.shown_status)

    def relabel(self, _lang: str | None = None) -> None:
        if self._filters_built:
            self._label_filters()
        self._show_scope()
        super().relabel()

    def _filter_options(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The status and group filters' choices, in the console's language."""
        statuses = [(shown_status_name(self.app, s), s.value) for s in MandateShownStatus]
        groups = self.app.catalogue.service_groups if self.app.catalogue else []
        return statuses, [(self.app.catalogue_name(g), g.code) for g in groups]

    def _label_filters(self) -> None:
        t = self.app.t
        self.query_one("#filter-text", Input).placeholder = t("mandates.filter.text")
        self.query_one("#filter-quarter", Input).placeholder = t("mandates.filter.quarter")
        statuses, groups = self._filter_options()
        self.set_options("#filter-status", t("mandates.filter.status"), statuses)
        self.set_options("#filter-group", t("mandates.filter.group"), groups)

    def _show_scope(self) -> None:
        t = self.app.t
        scope = "all" if self._enterprise_counted() is None else "enterprise"
        if scope == "enterprise" and self.as_mandatary:
            scope = "mandatary"
        title = f"{t('mandates.title')} · {t(f'mandates.scope.{scope}')}"
        if self.narrowed_label:
            title += f" · {self.narrowed_label}"
        if self._filters_built and self.query_one("#filter-quarter", Input).has_class("-invalid"):
            # Said where a keyboard user looks: the field's tooltip is seen only with the mouse.
            title += f" · {t('mandates.filter.bad_quarter')}"
        self.table.border_title = title

    # ------------------------------------------------------------------ filter and fetch

    def current_filter(self) -> MandateFilter:
        """The filter the fields show (none before they are built), with the table's sort (an unreadable
        quarter is left out)."""
        narrowed = self.narrowed or MandateFilter()
        fields: dict[str, Any] = {"status": narrowed.status, "group": narrowed.group}
        if self._filters_built:
            status = self.chosen("#filter-status")
            quarter = self.query_one("#filter-quarter", Input).value.strip()
            try:
                quarter = str(Quarter.parse(quarter)) if quarter else ""
            except QuarterError:
                quarter = ""
            fields = {
                "text": self.query_one("#filter-text", Input).value,
                "status": None if status is None else MandateShownStatus(status),
                "group": self.chosen("#filter-group"),
                "quarter": quarter or None,
            }
        return MandateFilter(
            **fields,
            start_quarter=narrowed.start_quarter,
            mandatary=narrowed.mandatary,
            enterprise_id=self._enterprise_counted(),
            as_mandatary=self.as_mandatary,
            sort=MandateSort(self.table.sort_key or MandateSort.PRINCIPAL.value),
            descending=self.table.sort_descending,
        )

    def _enterprise_counted(self) -> int | None:
        """The enterprise whose mandates are listed, or None for all the actor may see."""
        if self.whole_scope:
            return None
        return self.narrowed.enterprise_id if self.narrowed is not None else self.app.enterprise_id

    async def fetch(self, request: PageRequest) -> Page[MandatePublic]:
        assert self.app.actor_id is not None
        return await self.app.service.list_mandates(self.app.actor_id, self.current_filter(), request)

    async def fetch_row(self, row: MandatePublic) -> MandatePublic:
        assert self.app.actor_id is not None
        return await self.app.service.get_mandate(self.app.actor_id, row.id)

    @on(Input.Changed, "#filter-quarter")
    def _quarter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        try:
            if text:
                Quarter.parse(text)
        except QuarterError:
            event.input.add_class("-invalid")
            event.input.tooltip = self.app.t("mandates.filter.bad_quarter")
            self._show_scope()
            return
        event.input.remove_class("-invalid")
        event.input.tooltip = None
        self._show_scope()
        self.table.reload(debounce=True)

    @on(PagedTable.Highlighted, "#mandates")
    def _highlighted(self, event: PagedTable.Highlighted) -> None:
        """The detail pane follows a cursor that moves from rest at once; one that keeps moving (a key held
        down) once it rests again, as drawing the pane costs more than moving the cursor."""
        if self._detail_timer is None:
            self.show_detail(event.row)
        else:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._cursor_rests)
        self._follow_steps(event.row)

    def _cursor_rests(self) -> None:
        self._detail_timer = None
        if self.table.cursor_row is not self._detail_shown:
            self.show_detail(self.table.cursor_row)

    def _follow_steps(self, mandate: MandatePublic | None) -> None:
        """Show in the footer the steps open to the actor on the selected mandate (redrawn on a change)."""
        steps = mandate.steps if mandate is not None else []
        if steps != self._steps:
            self._steps = steps
            self.refresh_footer_soon()

    @on(PagedTable.Activated, "#mandates")
    def _activated(self, event: PagedTable.Activated) -> None:
        self.open_mandate(event.row)

    def show_detail(self, mandate: MandatePublic | None) -> None:
        detail = self.query_one("#mandate-detail", Static)
        detail.border_title = self.app.t("mandates.detail.title")
        detail.update(
            detail_table(self.app, mandate, STEP_BINDINGS, wide=self.size.width >= 70), layout=False
        )
        self._detail_shown = mandate

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            return MandateAction(str(parameters[0])) in self._steps
        if action == "create":
            return self._gives_mandates
        if action == "toggle_scope":
            return self.app.enterprise_id is not None and self.narrowed is None
        if action == "figures":
            return self.narrowed is None
        return True

    async def action_focus_filter(self) -> None:
        await self._build_filters()
        self.query_one("#filter-text", Input).focus()

    def action_figures(self) -> None:
        from onss_tui.screens.figures import FiguresScreen

        enterprise = self._enterprise_counted()
        if enterprise is None and not (self.app.actor and self.app.actor.support_staff):
            enterprise = self.app.enterprise_id  # every enterprise's figures are for support staff
        self.app.push_screen(FiguresScreen(enterprise))

    def action_toggle_scope(self) -> None:
        self.whole_scope = not self.whole_scope
        self.as_mandatary = False
        self._show_scope()
        self.table.reload()

    def open_mandate(self, mandate: MandatePublic) -> None:
        """The mandate in a dialog; a step chosen there is confirmed and taken as from the keys."""

        def chosen(step: MandateAction | None) -> None:
            if step is not None:
                self.action_step(step.value)

        self.app.push_screen(MandateDetailScreen(mandate), chosen)

    def action_step(self, step: str) -> None:
        mandate = self.table.cursor_row
        if mandate is None:
            return
        action = MandateAction(step)
        t = self.app.t
        values = {"principal": mandate.principal.name, "mandatary": mandate.mandatary.name}

        def answered(yes: bool | None) -> None:
            if yes:
                self._take_step(mandate, action)

        self.app.push_screen(
            ConfirmScreen(
                t(f"mandates.confirm.{action.value}.title"),
                t(f"mandates.confirm.{action.value}.question", **values),
                confirm=t(f"mandates.key.{action.value}"),
                danger=action in (MandateAction.REJECT, MandateAction.CLOSE),
            ),
            answered,
        )

    @work(exclusive=True, group=ROW_ACTION, exit_on_error=False)
    async def _take_step(self, mandate: MandatePublic, action: MandateAction) -> None:
        assert self.app.actor_id is not None
        service = self.app.service
        call = {
            MandateAction.SUBMIT: service.submit_mandate,
            MandateAction.ACCEPT: service.accept_mandate,
            MandateAction.REJECT: service.reject_mandate,
            MandateAction.CLOSE: service.close_mandate,
        }[action]
        detail = self.query_one("#mandate-detail", Static)
        detail.loading = True
        try:
            result = await call(self.app.actor_id, mandate.id, mandate.version)
        finally:
            detail.loading = False
        self.table.update_row(result)
        self.notify(
            self.app.t(
                f"mandates.done.{action.value}",
                mandatary=result.mandatary.name,
                status=self.app.t(f"mandate.status.{result.status.value}"),
            )
        )

    def action_create(self) -> None:
        from onss_tui.screens.mandate_form import MandateFormScreen

        def created(mandate: MandatePublic | None) -> None:
            if mandate is not None:
                self.notify(
                    self.app.t(
                        "mandates.done.create",
                        mandatary=mandate.mandatary.name,
                        status=self.app.t(f"mandate.status.{mandate.status.value}"),
                    )
                )
                self.table.reload(keep=mandate.id)

        self.app.push_screen(MandateFormScreen(), created)

    def action_export(self) -> None:
        wanted = self.current_filter()
        actor = self.app.actor_id
        assert actor is not None

        async def counted(progress: Callable[[int], None]) -> AsyncIterator[MandatePublic]:
            count = 0
            async with aclosing(self.app.service.export_mandates(actor, wanted)) as mandates:
                async for mandate in mandates:
                    yield mandate
                    count += 1
                    if count % EXPORT_PROGRESS == 0:
                        progress(count)

        async def write(out: IO[str], fmt: str, progress: Callable[[int], None]) -> int:
            return await write_mandates(counted(progress), out, fmt)

        def done(result: tuple[int, Path] | None) -> None:
            if result is not None:
                count, path = result
                self.last_export = path
                self.notify(self.app.t("mandates.export.done", count=count, path=str(path)), timeout=10)

        proposed = self.last_export or Path.cwd() / "mandates.csv"
        self.app.push_screen(ExportScreen("mandates.export.title", proposed, write), done)
