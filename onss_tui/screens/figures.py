"""Mandates at a glance: bars of how many mandates there are by status, start quarter and group, the
mandataries holding the most, and the groups no active mandate covers, from one `service.mandate_figures`
call. Enter on a bar opens the mandate browser on the mandates it counts; Escape comes back here.

Support staff see every mandate (or, with `v`, the enterprise chosen); the legal representatives and
managers of an enterprise see its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from onss_tui.screens.base import OnssScreen
from onss_tui.screens.mandate_detail import enterprise_number_shown, shown_status_name
from onss_tui.services.dto import MandateFigures, MandateFilter, MandateShownStatus
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import LOADING_DELAY
from onss_tui.widgets.plain import plain

if TYPE_CHECKING:
    from onss_tui.console import ConsoleApp

BAR_EIGHTHS = " ▏▎▍▌▋▊▉"
"""The partial blocks that end a bar, by eighths of a cell."""
Bar = tuple[Text, int, MandateFilter | None]
"""A bar: its label, its count, and the list filter showing the mandates counted (None: it counts none)."""
LABEL_WIDTH = 30
COUNT_WIDTH = 9


def bar(count: int, largest: int, width: int) -> str:
    """A bar of `width` cells at most, as long against it as `count` is against `largest` (to an eighth of
    a cell); a count above zero shows at least a sliver.

    >>> bar(4, 8, 4), bar(1, 1000, 4), bar(0, 8, 4)
    ('██', '▏', '')
    """
    if largest <= 0 or count <= 0:
        return ""
    eighths = max(1, round(count * width * 8 / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (BAR_EIGHTHS[part] if part else "")


def figure_rows(app: ConsoleApp, figures: MandateFigures) -> list[tuple[str, list[Bar]]]:
    """The sections of the figures, each a title and its bars: a label, a count, and the list filter that
    shows the mandates counted (None: a bar that counts no mandates)."""
    enterprise = figures.enterprise_id
    t = app.t

    def narrowed(**fields: object) -> MandateFilter:
        return MandateFilter(enterprise_id=enterprise, **fields)

    statuses: list[Bar] = [
        (Text(shown_status_name(app, MandateShownStatus(b.key))), b.count, narrowed(status=b.key))
        for b in figures.by_status
    ]
    quarters: list[Bar] = [
        (Text(app.quarter(b.key)), b.count, narrowed(start_quarter=b.key)) for b in figures.by_start_quarter
    ]
    groups: list[Bar] = [
        (plain(app.catalogue_name(b.key)), b.count, narrowed(group=b.key)) for b in figures.by_group
    ]
    mandataries: list[Bar] = []
    for m in figures.top_mandataries:
        label = plain(m.name)
        label.append(" " + enterprise_number_shown(m.enterprise_number), style="dim")
        mandataries.append((label, m.count, narrowed(mandatary=m.enterprise_number)))
    uncovered: list[Bar] = [(plain(app.catalogue_name(b.key)), b.count, None) for b in figures.uncovered]
    whose = "all" if enterprise is None else "enterprise"
    return [
        (t("figures.by_status"), statuses),
        (t("figures.by_start"), quarters),
        (t("figures.by_group"), groups),
        (t("figures.top_mandataries"), mandataries),
        (t(f"figures.uncovered.{whose}", quarter=app.quarter(figures.current_quarter)), uncovered),
    ]


class FiguresScreen(OnssScreen[None]):
    """The figures of every mandate (support staff) or of the enterprise chosen, as bars."""

    HELP_KEY = "help.figures"
    DEFAULT_CSS = """
    FiguresScreen {
        #figures { height: 1fr; border: round $foreground 40%; border-title-color: $foreground; }
    }
    """
    BINDINGS: ClassVar = [
        Binding("v", "toggle_scope", "figures.key.scope", id="figures.scope"),
        Binding("f5,ctrl+r", "reload", "common.reload", id="figures.reload", show=False),
    ]

    def __init__(self, enterprise_id: int | None) -> None:
        super().__init__()
        self.enterprise_id = enterprise_id
        """The enterprise counted, or None for every mandate."""
        self.figures: MandateFigures | None = None
        self.filters: dict[int, MandateFilter] = {}
        """The list filter of each row that is a bar of mandates, by row index."""

    def compose(self) -> ComposeResult:
        yield NavBar("mandates")
        yield DataTable(id="figures", cursor_type="row", show_header=False)
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#figures", DataTable)

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel, init=False)
        self.table.focus()
        self.load()

    def on_resize(self) -> None:
        self._draw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_scope":
            return self.app.enterprise_id is not None and bool(
                self.app.actor and self.app.actor.support_staff
            )
        return True

    def action_toggle_scope(self) -> None:
        self.enterprise_id = None if self.enterprise_id is not None else self.app.enterprise_id
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="figures", exit_on_error=False)
    async def load(self) -> None:
        actor = self.app.actor_id
        assert actor is not None
        table = self.table
        slow = self.set_timer(LOADING_DELAY, lambda: setattr(table, "loading", True))
        try:
            self.figures = await self.app.service.mandate_figures(actor, self.enterprise_id)
        finally:
            slow.stop()
            table.loading = False
        self._draw()

    def _relabel(self, _lang: str | None = None) -> None:
        self._draw()

    def _draw(self) -> None:
        """The sections as rows of the table: a title, then a bar a row (label, count, bar)."""
        table, figures = self.table, self.figures
        t = self.app.t
        scope = "all" if self.enterprise_id is None else "enterprise"
        table.border_title = f"{t('figures.title')} · {t(f'figures.scope.{scope}')}"
        if figures is None:
            return
        table.border_subtitle = t(
            "figures.total", count=figures.total, quarter=self.app.quarter(figures.current_quarter)
        )
        width = max(8, self.size.width - LABEL_WIDTH - COUNT_WIDTH - 14)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("label", width=LABEL_WIDTH)
        table.add_column("count", width=COUNT_WIDTH)
        table.add_column("bar", width=width)
        self.filters = {}
        for title, bars in figure_rows(self.app, figures):
            if table.row_count:
                table.add_row(Text(), Text(), Text())
            table.add_row(Text(title, style="bold"), Text(), Text())
            if not bars:
                table.add_row(Text(t("figures.none"), style="dim"), Text(), Text())
            largest = max((count for _, count, _ in bars), default=0)
            for label, count, wanted in bars:
                if wanted is not None:
                    self.filters[table.row_count] = wanted
                label.truncate(LABEL_WIDTH, overflow="ellipsis")
                shown = Text(self.app.count(count), justify="right")
                table.add_row(label, shown, Text(bar(count, largest, width)))
        table.move_cursor(row=min(row, table.row_count - 1) if row else min(self.filters, default=0))

    @on(DataTable.RowSelected, "#figures")
    def _selected(self, event: DataTable.RowSelected) -> None:
        wanted = self.filters.get(event.cursor_row)
        if wanted is not None:
            self.open_list(wanted, self.table.get_row_at(event.cursor_row)[0].plain)

    def open_list(self, wanted: MandateFilter, label: str) -> None:
        """The mandate browser on the mandates a bar counts."""
        from onss_tui.screens.mandates import MandatesScreen

        self.app.push_screen(MandatesScreen(narrowed=wanted, label=label))
