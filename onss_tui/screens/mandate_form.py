"""Giving a mandate: the current enterprise as principal, a mandatary found by name or number, groups of
services, validity by quarter, and whether to send it to the mandatary at once.

Quarters are checked as they are typed; everything else is the service's to judge, and what it refuses
shows beside the field concerned, with the form left as typed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, LoadingIndicator, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from onss_tui.domain import text
from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.screens.confirm import FormDialog
from onss_tui.screens.errors import show_service_error
from onss_tui.screens.mandate_detail import enterprise_number_shown
from onss_tui.services.dto import MandateCreate, MandatePublic, PageRequest, ProviderPublic
from onss_tui.services.errors import ServiceError, quarter_reason
from onss_tui.widgets.form_field import FormField
from onss_tui.widgets.input import Input
from onss_tui.widgets.plain import plain, plain_content
from onss_tui.widgets.text import Tr

PROVIDERS_SHOWN = 20


def quarter_problem(text: str) -> str | None:
    try:
        Quarter.parse(text)
    except QuarterError as error:
        return quarter_reason(error)
    return None


class MandateFormScreen(FormDialog[MandatePublic | None]):
    """The form of a new mandate given by the enterprise being worked on."""

    DEFAULT_CSS = """
    #mandate-form { width: 96; }
    #mandate-form-title { text-style: bold; margin-bottom: 1; }
    MandateFormScreen.-tall #mandate-form FormField { margin-bottom: 1; }
    MandateFormScreen.-short #mandate-form { height: 100%; }
    MandateFormScreen.-short #mandate-form-body { height: 1fr; }
    #mandate-form-body { height: auto; }
    #mandatary-list { height: 4; background: $boost; }
    #group-list { height: auto; max-height: 6; background: $boost; }
    #principal-name { width: 1fr; }
    #mandate-form-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    #mandate-form-buttons Button { margin-left: 2; }
    #mandate-form-busy { height: 1; display: none; }
    #mandate-form.-busy #mandate-form-busy { display: block; }
    """

    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "common.cancel", id="mandate_form.cancel"),
        Binding("ctrl+s", "save", "mandate_form.create", id="mandate_form.save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.providers: dict[int, ProviderPublic] = {}
        self.category: str | None = None
        self._searching: Worker[None] | None = None
        self._save_on_arrival = False
        """Saved while the matches of the search were on their way: save once they are listed."""

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(id="mandate-form", classes="dialog"):
            yield Tr("mandate_form.title", id="mandate-form-title")
            with VerticalScroll(id="mandate-form-body"):
                yield FormField("mandate_form.principal", Static("…", id="principal-name"), id="principal_id")
                yield FormField(
                    "mandate_form.search",
                    Input(
                        placeholder=t("mandate_form.search_hint"),
                        id="mandatary-search",
                        compact=True,
                        max_length=text.SEARCH_MAX,
                    ),
                    id="mandatary_search",
                )
                yield FormField(
                    "mandate_form.mandatary", OptionList(id="mandatary-list", compact=True), id="mandatary_id"
                )
                yield FormField(
                    "mandate_form.groups", SelectionList[str](id="group-list", compact=True), id="groups"
                )
                yield FormField(
                    "mandate_form.start_quarter",
                    Input(
                        Quarter.current().next().written(self.app.lang),
                        id="start-quarter",
                        compact=True,
                        max_length=text.QUARTER_MAX,
                    ),
                    id="start_quarter",
                    check=quarter_problem,
                )
                yield FormField(
                    "mandate_form.end_quarter",
                    Input(
                        placeholder=t("mandates.open_end"),
                        id="end-quarter",
                        compact=True,
                        max_length=text.QUARTER_MAX,
                    ),
                    id="end_quarter",
                    check=quarter_problem,
                )
                yield FormField(
                    "mandate_form.branch_number",
                    Input(id="branch-number", compact=True, max_length=3, restrict=r"\d*"),
                    id="branch_number",
                )
                yield FormField(
                    "mandate_form.procuration_reference",
                    Input(id="procuration-reference", compact=True, max_length=text.REFERENCE_MAX),
                    id="procuration_reference",
                )
                yield FormField(
                    "mandate_form.submit_label",
                    Checkbox(t("mandate_form.submit"), id="submit-now", compact=True),
                    id="submit",
                )
            yield LoadingIndicator(id="mandate-form-busy")
            with Horizontal(id="mandate-form-buttons"):
                yield Button(
                    t("mandate_form.create"), id="mandate-form-save", variant="primary", compact=True
                )
                yield Button(t("common.cancel"), id="mandate-form-cancel", compact=True)

    def on_mount(self) -> None:
        self.note_opened()
        self.query_one("#mandatary-search", Input).focus()
        self._load_principal()
        self._searching = self._search("")

    @work(group="principal", exit_on_error=False)
    async def _load_principal(self) -> None:
        actor, enterprise_id = self.app.actor_id, self.app.enterprise_id
        assert actor is not None and enterprise_id is not None
        overview = await self.app.service.get_overview(actor, enterprise_id)
        enterprise = overview.enterprise
        self.category = enterprise.category.value
        self.query_one("#principal-name", Static).update(
            plain_content(f"{enterprise_number_shown(enterprise.enterprise_number)} {enterprise.name}")
        )
        groups = self.query_one("#group-list", SelectionList)
        groups.clear_options()
        for group in self.app.catalogue.service_groups if self.app.catalogue else []:
            if enterprise.category in group.principal_categories:
                groups.add_option((plain_content(self.app.catalogue_name(group)), group.code))

    @on(Input.Changed, "#mandatary-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._searching = self._search(event.value)

    @work(exclusive=True, group="providers", exit_on_error=False)
    async def _search(self, query: str) -> None:
        assert self.app.actor_id is not None
        try:
            page = await self.app.service.list_providers(
                self.app.actor_id, query, PageRequest(size=PROVIDERS_SHOWN)
            )
        except Exception:
            self._save_on_arrival = False  # no match to save with; the app says what went wrong
            raise
        options = self.query_one("#mandatary-list", OptionList)
        chosen = options.highlighted_option.id if options.highlighted_option else None
        self.providers.update({p.id: p for p in page.items})
        options.clear_options()
        options.add_options(
            Option(plain(self._provider_label(provider)), id=str(provider.id)) for provider in page.items
        )
        if not page.items:
            options.add_option(Option(self.app.t("mandate_form.no_provider"), id="none", disabled=True))
        ids = [str(p.id) for p in page.items]
        if chosen in ids:
            options.highlighted = ids.index(chosen)
        if self._save_on_arrival:
            self._save_on_arrival = False
            self._save()

    def _provider_label(self, provider: ProviderPublic) -> str:
        kind = self.app.t(f"mandates.kind.{provider.kind.value}", number=provider.secretariat_number or "")
        return f"{enterprise_number_shown(provider.enterprise_number)} {provider.name} · {kind}"

    @on(Input.Submitted, "#mandatary-search")
    def _to_list(self) -> None:
        self.query_one("#mandatary-list", OptionList).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Arriving in the list of mandataries highlights the first: the one Enter or saving chooses."""
        options = self.query_one("#mandatary-list", OptionList)
        if event.widget is options and options.highlighted is None:
            options.action_first()

    @on(Button.Pressed, "#mandate-form-cancel")
    def action_cancel(self) -> None:
        super().action_cancel()

    @on(Button.Pressed, "#mandate-form-save")
    def action_save(self) -> None:
        if self._searching is not None and self._searching.is_running:
            # Saved right after typing in the search: the mandatary is one of the matches of that text.
            self._save_on_arrival = True
        else:
            self._save()

    def _save(self) -> None:
        for field in self.query(FormField):
            field.clear_error()
        options = self.query_one("#mandatary-list", OptionList)
        highlighted = options.highlighted_option
        mandatary = int(highlighted.id) if highlighted and highlighted.id and highlighted.id.isdigit() else 0
        enterprise_id = self.app.enterprise_id
        assert enterprise_id is not None
        self._create(
            principal_id=enterprise_id,
            mandatary_id=mandatary,
            groups=list(self.query_one("#group-list", SelectionList).selected),
            start_quarter=self.query_one("#start-quarter", Input).value.strip(),
            end_quarter=self.query_one("#end-quarter", Input).value.strip() or None,
            branch_number=self.query_one("#branch-number", Input).value.strip() or None,
            procuration_reference=self.query_one("#procuration-reference", Input).value.strip() or None,
            submit=self.query_one("#submit-now", Checkbox).value,
        )

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _create(self, **fields: Any) -> None:
        """Create the mandate the form describes; a request out of the service's bounds is said as the
        service would say it."""
        assert self.app.actor_id is not None
        form = self.query_one("#mandate-form")
        form.add_class("-busy")
        try:
            mandate = await self.app.service.create_mandate(self.app.actor_id, MandateCreate(**fields))
        except ServiceError as error:
            show_service_error(self, error, form)
            return
        finally:
            form.remove_class("-busy")
        self.dismiss(mandate)
