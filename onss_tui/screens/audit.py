"""The audit trail: every change and every refused attempt, newest first, paged and filtered by person,
enterprise and action, with each entry's before and after; `v` verifies the hash chain and its signed
checkpoints (support staff); `w` shows who saw the actor's own national register number. Targets
(`enterprise:0931.906.813`) and the field names of the before and after are shown in the console's
language (audit.target.*, audit.field.*), quarters as its reader writes them.

The person and enterprise filters take a name or a number and narrow the trail once it designates exactly
one person or enterprise (looked up through the service, as typed).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.json import JSON
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from onss_tui.domain.text import ACTION_MAX, SEARCH_MAX, shown
from onss_tui.screens.browse import TYPED_FILTER, BrowseScreen
from onss_tui.screens.mandate_detail import enterprise_number_shown
from onss_tui.services.dto import SYSTEM, AuditEntryPublic, AuditFilter, AuditVerification, Page, PageRequest
from onss_tui.services.errors import Reason
from onss_tui.widgets.detail_grid import detail_grid
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.input import Input
from onss_tui.widgets.navbar import NavBar
from onss_tui.widgets.paged_table import Column, PagedTable
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import local_time

CHOICES = 20
"""How many of the people a name matches are offered to choose from."""
PERSON_TARGETS = frozenset({"person", "user", "designation"})
"""The kinds of target the service names by a person's name (as it is now: the trail keeps only ids)."""


class AuditScreen(BrowseScreen[AuditEntryPublic]):
    """The entries of the trail the actor may read (support staff: all of them)."""

    HELP_KEY = "help.audit"
    DEFAULT_CSS = """
    AuditScreen {
        #audit-filters > Input { width: 1fr; min-width: 12; }
        #audit-chain { height: auto; max-height: 2; margin: 0 1; color: $text-muted; }
        #audit-chain.-intact { color: $text-success; }
        #audit-chain.-broken { color: $text-error; text-style: bold; }
        #audit-detail { height: 8; }
        &.-tall #audit-detail { height: 14; }
    }
    """

    BINDINGS: ClassVar = [
        Binding("slash", "focus_filter", "audit.key.filter", id="audit.filter"),
        Binding("v", "verify", "audit.key.verify", id="audit.verify"),
        Binding("d", "focus_detail", "audit.key.detail", id="audit.detail"),
        # Not in the footer, full at 80 columns: in the help and the palette.
        Binding("w", "niss_reveals", "reveal.seen.key", id="audit.niss_reveals", show=False),
        Binding("f5", "reload", "common.reload", id="audit.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.narrowed_to: dict[str, tuple[int, str]] = {}
        """Person or enterprise filter field -> the one it narrows the trail to: (id, name)."""
        self._filter_problems: dict[str, str] = {}
        """Filter field -> message key saying why it narrows nothing."""

    def compose(self) -> ComposeResult:
        yield NavBar("audit")
        with Horizontal(id="audit-filters", classes="browse-filters"):
            yield Input(id="filter-actor", compact=True, max_length=SEARCH_MAX)
            yield Input(id="filter-enterprise", compact=True, max_length=SEARCH_MAX)
            yield Input(id="filter-action", classes=TYPED_FILTER, compact=True, max_length=ACTION_MAX)
        yield Static(id="audit-chain")
        yield PagedTable(
            self.columns(),
            self.fetch_page,
            key=lambda e: e.id,
            mark=lambda e: None if e.outcome == "done" else "marked",
            id="audit",
        )
        with VerticalScroll(id="audit-detail", classes="browse-detail"):
            yield Static(id="audit-entry")
        yield Footer()

    def columns(self) -> list[Column[AuditEntryPublic]]:
        t = self.app.t
        return [
            Column("at", t("audit.column.at"), lambda e: local_time(e.at, self.app.lang), 19),
            Column("actor", t("audit.column.actor"), lambda e: self.app.who(e.actor), 14, flex=1),
            Column("action", t("audit.column.action"), self.action_name, 16, flex=2),
            Column(
                "target",
                t("audit.column.target"),
                lambda e: e.target_label or self.target_words(e.target),
                12,
                flex=4,
            ),
            Column("outcome", t("audit.column.outcome"), self.outcome_name, 9),
        ]

    def action_name(self, entry: AuditEntryPublic) -> str:
        key = f"audit.action.{entry.action}"
        name = self.app.t(key)
        return entry.action if name == key else name

    def target_words(self, target: str) -> str:
        """A target as the trail records it (`enterprise:0931.906.813`) in words ("entreprise 0931.906.813");
        a kind this console does not know, as recorded."""
        kind, _, ref = target.partition(":")
        key = f"audit.target.{kind}"
        return self.app.t(key, ref=ref) if ref and self.app.messages.has(key) else target

    def field_name(self, name: str) -> str:
        """A field of a record's before or after, named in the console's language (unknown: as stored)."""
        key = f"audit.field.{name}"
        return self.app.t(key) if self.app.messages.has(key) else name

    def outcome_name(self, entry: AuditEntryPublic) -> str:
        key = f"audit.outcome.{entry.outcome}"
        name = self.app.t(key)
        return entry.outcome if name == key else name

    def relabel(self, _lang: str | None = None) -> None:
        t = self.app.t
        self.query_one("#filter-actor", Input).placeholder = t("audit.filter.actor")
        self.query_one("#filter-enterprise", Input).placeholder = t("audit.filter.enterprise")
        self.query_one("#filter-action", Input).placeholder = t("audit.filter.action")
        chain = self.query_one("#audit-chain", Static)
        if not chain.has_class("-intact", "-broken"):
            chain.update(t("audit.chain.unknown"))
        self._show_scope()
        super().relabel()

    def _show_scope(self) -> None:
        t = self.app.t
        support = self.app.actor is not None and self.app.actor.support_staff
        # What the rows counted below the table are, beside the chain check's count of every entry.
        parts = [t("audit.title"), t("audit.scope.all" if support else "audit.scope.readable")]
        if (actor := self.narrowed_to.get("#filter-actor")) is not None:
            parts.append(t("audit.scope.actor", name=actor[1]))
        if (enterprise := self.narrowed_to.get("#filter-enterprise")) is not None:
            parts.append(t("audit.scope.enterprise", name=enterprise[1]))
        # A filter that finds nobody, or several, says so where a keyboard user looks (its tooltip is
        # seen only with the mouse).
        parts += [t(key) for key in self._filter_problems.values()]
        self.table.border_title = escape(shown(" · ".join(parts)))  # a border's title is markup

    # ------------------------------------------------------------------ filters and fetch

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            actor_id=self._narrowed_id("#filter-actor"),
            enterprise_id=self._narrowed_id("#filter-enterprise"),
            action=self.action_code(self.query_one("#filter-action", Input).value.strip()),
        )

    def action_code(self, typed: str) -> str:
        """What the action filter asks of the service: the code of the one action whose name in the
        console's language holds what was typed, or the start the codes of several such actions share;
        else what was typed (a code, or its start)."""
        wanted = typed.casefold()
        if not wanted:
            return typed
        prefix = "audit.action."
        codes = [
            key.removeprefix(prefix)
            for key, name in self.app.messages.by_language[self.app.lang].items()
            if key.startswith(prefix) and wanted in name.casefold()
        ]
        if not codes:
            return typed
        shared = codes[0].split(".")
        for code in codes[1:]:
            parts = code.split(".")
            while shared and parts[: len(shared)] != shared:
                shared.pop()
        if not shared:
            return typed
        return ".".join(shared) + ("" if len(codes) == 1 else ".")

    async def fetch(self, request: PageRequest) -> Page[AuditEntryPublic]:
        assert self.app.actor_id is not None
        if self._unresolved:  # a person or an enterprise typed that matches none, or several: nothing to show
            return Page(items=[])
        return await self.app.service.list_audit(self.app.actor_id, self.current_filter(), request)

    @property
    def _unresolved(self) -> bool:
        """A person or enterprise filter names nobody, or several: the trail is not shown unfiltered."""
        return bool(self._filter_problems)

    @on(Input.Changed, "#filter-actor")
    def _actor_changed(self, event: Input.Changed) -> None:
        self._find_actor(event.value.strip())

    @on(Input.Changed, "#filter-enterprise")
    def _enterprise_changed(self, event: Input.Changed) -> None:
        self._find_enterprise(event.value.strip())

    @work(exclusive=True, group="find-actor", exit_on_error=False)
    async def _find_actor(self, query: str) -> None:
        matches: list[tuple[int, str]] = []
        if query:
            people = await self.app.service.list_identities(query, limit=2)
            matches = [(identity.person.id, identity.person.full_name) for identity in people]
        self._narrow("#filter-actor", query, matches, "audit.filter.person")

    @on(Input.Submitted, "#filter-actor")
    def _choose_actor(self, event: Input.Submitted) -> None:
        """Enter on a name several people match: choose among them."""
        if "#filter-actor" in self._filter_problems and event.value.strip():
            self._offer_actors(event.value.strip())

    @work(exclusive=True, group="find-actor", exit_on_error=False)
    async def _offer_actors(self, query: str) -> None:
        from onss_tui.screens.overview import ChoiceScreen

        people = await self.app.service.list_identities(query, limit=CHOICES)
        names = {str(identity.person.id): identity.person.full_name for identity in people}

        def chosen(person_id: str | None) -> None:
            if person_id is not None:
                self._filter_problems.pop("#filter-actor", None)
                self.query_one("#filter-actor", Input).set_class(False, "-invalid")
                self.narrowed_to["#filter-actor"] = (int(person_id), names[person_id])
                self._show_scope()
                self.table.reload()

        title = self.app.t("audit.filter.person.choose")
        self.app.push_screen(ChoiceScreen(title, [(name, key) for key, name in names.items()]), chosen)

    @work(exclusive=True, group="find-enterprise", exit_on_error=False)
    async def _find_enterprise(self, query: str) -> None:
        assert self.app.actor_id is not None
        matches: list[tuple[int, str]] = []
        if query:
            page = await self.app.service.list_enterprises(self.app.actor_id, query, PageRequest(size=2))
            matches = [(enterprise.id, enterprise.name) for enterprise in page.items]
        self._narrow("#filter-enterprise", query, matches, "audit.filter.enterprise_found")

    def _narrowed_id(self, selector: str) -> int | None:
        narrowed = self.narrowed_to.get(selector)
        return None if narrowed is None else narrowed[0]

    def _narrow(self, selector: str, query: str, matches: list[tuple[int, str]], what: str) -> None:
        """Narrow the trail to the one person or enterprise that what was typed in a filter designates
        (an empty field narrows nothing; none or several leave the trail empty, and say so)."""
        found = matches[0] if len(matches) == 1 else None
        unsettled = self._mark(selector, len(matches) if query else 1, what)
        if found != self.narrowed_to.get(selector) or unsettled:
            if found is None:
                self.narrowed_to.pop(selector, None)
            else:
                self.narrowed_to[selector] = found
            self._show_scope()
            self.table.reload()

    def _mark(self, selector: str, matches: int, what: str) -> bool:
        """Flag a person or enterprise filter that designates nobody, or several, and say why; True when
        whether some filter is unresolved changed (the list is then empty, or no longer)."""
        unresolved = self._unresolved
        field = self.query_one(selector, Input)
        field.set_class(matches != 1, "-invalid")
        problem = None if matches == 1 else f"{what}.{'none' if not matches else 'several'}"
        if problem is None:
            self._filter_problems.pop(selector, None)
        else:
            self._filter_problems[selector] = problem
        field.tooltip = self.app.t(problem) if problem else None
        self._show_scope()
        return self._unresolved != unresolved

    @on(PagedTable.Highlighted, "#audit")
    def _highlighted(self, event: PagedTable.Highlighted) -> None:
        self.show_detail(event.row)

    def show_detail(self, entry: AuditEntryPublic | None) -> None:
        t = self.app.t
        self.query_one("#audit-detail").border_title = t("audit.detail.title")
        view = self.query_one("#audit-entry", Static)
        if entry is None:
            view.update(Text(t("audit.detail.empty"), style="italic"))
            return
        facts: list[tuple[str, str | Text]] = [
            ("entry", f"{entry.id} · {local_time(entry.at, self.app.lang)}"),
            ("actor", self._actor(entry)),
            ("action", f"{self.action_name(entry)} ({entry.action})"),
            ("target", self._target(entry)),
            ("enterprise", self._enterprise(entry)),
            ("outcome", self.outcome_name(entry)),
        ]
        after = dict(entry.after or {})
        if entry.outcome == "refused" and (reason := self._reason(after)) is not None:
            facts.append(("reason", reason))
        changes = Table(box=None, expand=True, padding=(0, 1), show_edge=False)
        changes.add_column(t("audit.detail.before"), ratio=1)
        changes.add_column(t("audit.detail.after"), ratio=1)
        changes.add_row(self._json(entry.before), self._json(after or None))
        grid = detail_grid([(t(f"audit.detail.{name}"), value) for name, value in facts], wrap=True)
        view.update(Group(grid, changes))

    def _chain_problem(self, result: AuditVerification) -> str:
        """What breaks the trail, in the console's language (as the service said it, from an older one)."""
        first, last, seq = result.first_bad_id or 0, result.last_id or 0, result.checkpoint_seq or 0
        values = {"first": first, "last": last, "seq": seq, "key": result.key_id or "?"}
        if result.problem == "missing":
            key = "audit.chain.missing_one" if first == last else "audit.chain.missing"
            return self.app.t(key, first=first, last=last)
        if result.problem in ("truncated", "rolled_back"):
            return self.app.t(f"audit.chain.{result.problem}", end=first - 1, **values)
        if result.problem is not None:
            return self.app.t(f"audit.chain.{result.problem}", **values)
        return result.reason or ""

    def _chain_line(self, result: AuditVerification) -> str:
        t = self.app.t
        count = result.entries if result.entries is not None else result.entries_checked
        if result.ok and result.checkpoints_checked:
            return t(
                "audit.chain.intact_signed",
                count=count,
                checkpoints=result.checkpoints_checked,
                entry=result.last_checkpoint_entry,
            )
        if result.ok:
            return t("audit.chain.intact_unsigned", count=count)
        if result.first_bad_id is None:
            return t("audit.chain.broken_anywhere", reason=self._chain_problem(result))
        return t("audit.chain.broken", id=result.first_bad_id, reason=self._chain_problem(result))

    def _reason(self, after: dict[str, Any]) -> str | None:
        """Why an attempt was refused, taken out of its record: in the console's language when the trail
        kept the reason's key (entries since reasons have one), else in the English it kept."""
        reason, key, values = (
            after.pop("reason", None),
            after.pop("reason_key", None),
            after.pop("reason_params", None),
        )
        if not isinstance(reason, str):
            return None
        if isinstance(key, str) and isinstance(values, dict):
            return self.app.say(Reason(key, reason, **values))
        return reason

    def _actor(self, entry: AuditEntryPublic) -> Text:
        """Who acted, by the name the trail kept when the entry was written (and says so)."""
        who = self.app.who(entry.actor)
        if entry.actor == SYSTEM:
            return Text(who)
        return Text.assemble(who, (f"  ({self.app.t('audit.detail.as_written')})", "dim"))

    def _target(self, entry: AuditEntryPublic) -> Text:
        words = self.target_words(entry.target)
        if entry.target_label is None:
            return Text(words)
        if entry.target.partition(":")[0] in PERSON_TARGETS:  # a person's name is looked up as it is now
            words = f"{words} ({self.app.t('audit.detail.name_today')})"
        return Text.assemble(entry.target_label, (f"  {words}", "dim"))

    @staticmethod
    def _enterprise(entry: AuditEntryPublic) -> str:
        if entry.enterprise_number is None:
            return "—" if entry.enterprise_id is None else str(entry.enterprise_id)
        return f"{enterprise_number_shown(entry.enterprise_number)} {entry.enterprise_name or ''}".strip()

    def _json(self, data: dict[str, Any] | None) -> JSON | Text:
        if data is None:
            return Text("—")
        return JSON.from_data(self._shown_data(data), indent=1, sort_keys=True)

    def _shown_data(self, data: Any, name: str = "") -> Any:
        """A record's values as the console may show them (`domain.text.shown`), each field named in the
        console's language and each quarter written as its reader writes it."""
        if isinstance(data, str):
            return self.app.quarter(data) if name.endswith("_quarter") else shown(data)
        if isinstance(data, dict):
            return {
                shown(self.field_name(str(key))): self._shown_data(value, str(key))
                for key, value in data.items()
            }
        if isinstance(data, list):
            return [self._shown_data(value) for value in data]
        return data

    # ------------------------------------------------------------------ actions

    def action_focus_filter(self) -> None:
        self.query_one("#filter-actor", Input).focus()

    def action_focus_detail(self) -> None:
        self.query_one("#audit-detail").focus()

    def action_niss_reveals(self) -> None:
        """Who saw the actor's own national register number."""
        from onss_tui.screens.niss_reveals import NissRevealsScreen

        self.app.push_screen(NissRevealsScreen())

    def action_reload(self) -> None:
        """F5: the trail again (an entry is never changed: there is no one row to fetch again)."""
        self.table.reload()

    @work(exclusive=True, group="verify", exit_on_error=False)
    async def action_verify(self) -> None:
        assert self.app.actor_id is not None
        t = self.app.t
        chain = self.query_one("#audit-chain", Static)
        chain.remove_class("-intact", "-broken")
        chain.update(t("audit.chain.checking"))
        try:
            result = await self.app.service.verify_audit(self.app.actor_id)
        except Exception:
            chain.update(t("audit.chain.unknown"))  # not checked; the app says what went wrong
            raise
        message = self._chain_line(result)
        if result.ok:
            chain.add_class("-intact")
            self.notify(message)
        else:
            chain.add_class("-broken")
            self.notify(message, severity="error", timeout=15)
        chain.update(plain_content(message))
