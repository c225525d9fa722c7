"""One mandate in full: the detail pane of the mandate browser, and the dialog that Enter opens on a row.

The dialog offers the steps the service says the person may take on the mandate now (its status and their
side of it) and dismisses with the chosen step, or None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from onss_tui.domain.identifiers import IdentifierError, format_enterprise_number
from onss_tui.domain.rules import MANDATE_LIFECYCLE
from onss_tui.screens.base import OnssModal
from onss_tui.services.dto import (
    MandateAction,
    MandatePublic,
    MandateShownStatus,
    MandateStatus,
    ProviderKind,
)
from onss_tui.widgets.detail_grid import detail_grid

if TYPE_CHECKING:
    from onss_tui.console import ConsoleApp

STEP_KEYS = {
    MandateAction.SUBMIT: "t",
    MandateAction.ACCEPT: "a",
    MandateAction.REJECT: "r",
    MandateAction.CLOSE: "c",
}
"""The key of each step, on the mandate browser and in this dialog, unless the config file remaps it."""


def step_bindings(namespace: str) -> dict[MandateAction, Binding]:
    """A binding of each step, with the id `namespace.<step>` (the browser's and the dialog's are remapped
    apart)."""
    return {
        step: Binding(
            key, f"step('{step.value}')", f"mandates.key.{step.value}", id=f"{namespace}.{step.value}"
        )
        for step, key in STEP_KEYS.items()
    }


def enterprise_number_shown(number: str) -> str:
    try:
        return format_enterprise_number(number)
    except IdentifierError:
        return number


def expired(mandate: MandatePublic) -> bool:
    """Active, with its end quarter past (by the service's calendar, as its filter has it): it was never
    closed, but it no longer covers anything."""
    return mandate.shown_status == MandateShownStatus.EXPIRED


def shown_status_name(app: ConsoleApp, status: MandateShownStatus) -> str:
    """A shown status in words; expired reads as an expired mandate's row does ("active, expired")."""
    if status == MandateShownStatus.EXPIRED:
        return app.t("mandates.status_expired", status=app.t("mandate.status.active"))
    return app.t(f"mandate.status.{status.value}")


def in_the_past(mandate: MandatePublic) -> bool:
    """Closed, rejected, or expired: the enterprise's history."""
    return mandate.status in (MandateStatus.CLOSED, MandateStatus.REJECTED) or expired(mandate)


def validity(app: ConsoleApp, mandate: MandatePublic, *, short: bool = False) -> str:
    """From which quarter to which (both included); `short`, for a column, an open end as "from". One
    ended before an end quarter was set says when it ended, not that it has none."""
    start = app.quarter(mandate.start_quarter)
    if mandate.end_quarter:
        return f"{start} → {app.quarter(mandate.end_quarter)}"
    if mandate.status in (MandateStatus.CLOSED, MandateStatus.REJECTED):
        return f"{start} → {app.t('mandates.ended_on', date=app.day(mandate.updated_at))}"
    return (
        app.t("mandates.validity_from", start=start) if short else f"{start} → {app.t('mandates.open_end')}"
    )


def mandatary_kind(app: ConsoleApp, mandate: MandatePublic, *, short: bool) -> str:
    provider = mandate.mandatary
    prefix = "mandates.kind_short" if short else "mandates.kind"
    text = app.t(f"{prefix}.{provider.kind.value}", number=provider.secretariat_number or "")
    if not short and provider.kind == ProviderKind.SOCIAL_SECRETARIAT and mandate.branch_number:
        text += " · " + app.t("mandates.detail.branch", number=mandate.branch_number)
    return text


def group_names(app: ConsoleApp, mandate: MandatePublic) -> str:
    return ", ".join(app.catalogue_name(code) for code in mandate.groups)


def status_text(app: ConsoleApp, mandate: MandatePublic) -> Text:
    text = Text(app.t(f"mandate.status.{mandate.status.value}"))
    if mandate.ends_this_quarter:
        text.append(" · " + app.t("mandates.detail.ending"), style="bold")
    elif expired(mandate):
        text.append(" · " + app.t("mandates.detail.expired", quarter=app.quarter(mandate.end_quarter)))
    return text


def detail_table(
    app: ConsoleApp,
    mandate: MandatePublic | None,
    keys: Mapping[MandateAction, Binding],
    *,
    wide: bool = True,
) -> Group | Text:
    """The mandate's fields as a grid of labels and values (two pairs a line when `wide`), then the steps
    its status allows on a line of their own, each with the key of its binding in `keys`."""
    t = app.t
    if mandate is None:
        return Text(t("mandates.detail.empty"), style="italic")
    steps = mandate.steps
    if steps:
        step_text = " · ".join(
            f"{app.key_for(keys[step])} {t(f'mandates.key.{step.value}')}" for step in steps
        )
    elif any(status == mandate.status for status, _action in MANDATE_LIFECYCLE):
        step_text = t("mandates.detail.not_yours")  # the other party's, or a legal representative's
    else:
        step_text = t("mandates.detail.final")
    created_by = app.who(mandate.created_by) if mandate.created_by else "—"
    status = status_text(app, mandate)
    if mandate.validated_by:
        status.append(" · " + t("mandates.detail.validated_by", name=app.who(mandate.validated_by)))
    fields: list[tuple[str, str | Text]] = [
        (
            "principal",
            f"{enterprise_number_shown(mandate.principal.enterprise_number)} {mandate.principal.name}",
        ),
        ("status", status),
        (
            "mandatary",
            f"{enterprise_number_shown(mandate.mandatary.enterprise_number)} {mandate.mandatary.name}",
        ),
        ("kind", mandatary_kind(app, mandate, short=False)),
        ("groups", group_names(app, mandate)),
        ("validity", validity(app, mandate)),
        ("reference", mandate.procuration_reference or "—"),
        ("created", f"{created_by} · {app.day(mandate.created_at)}"),
    ]
    pairs = [(t(f"mandates.detail.{name}"), value) for name, value in fields]
    per_line = 2 if wide else 1
    steps_label = t("mandates.detail.steps")
    first_labels = [label for label, _ in pairs[::per_line]] + [steps_label]
    return Group(
        detail_grid(pairs, per_line=per_line),
        detail_grid([(steps_label, step_text)], label_width=max(cell_len(text) for text in first_labels)),
    )


STEP_BINDINGS = step_bindings("mandate")
"""The dialog's keys of the steps."""


class MandateDetailScreen(OnssModal[MandateAction | None]):
    """A mandate in full, with a button per step its status allows."""

    DEFAULT_CSS = """
    #mandate-dialog { width: 100; }
    #mandate-dialog-title { text-style: bold; margin-bottom: 1; }
    #mandate-dialog-body { height: auto; max-height: 16; }
    #mandate-dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #mandate-dialog-buttons Button { margin-left: 1; min-width: 10; }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "step(None)", "common.back", id="mandate.close_dialog"),
        *STEP_BINDINGS.values(),
    ]

    def __init__(self, mandate: MandatePublic) -> None:
        super().__init__()
        self.mandate = mandate
        self.steps = mandate.steps

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(id="mandate-dialog", classes="dialog"):
            yield Static(t("mandates.dialog.title", id=self.mandate.id), id="mandate-dialog-title")
            with VerticalScroll(id="mandate-dialog-body"):
                yield Static(
                    detail_table(self.app, self.mandate, STEP_BINDINGS, wide=False),
                    id="mandate-dialog-detail",
                )
            with Horizontal(id="mandate-dialog-buttons"):
                for step in self.steps:
                    yield Button(
                        t(f"mandates.key.{step.value}"),
                        id=f"step-{step.value}",
                        variant="error" if step in (MandateAction.REJECT, MandateAction.CLOSE) else "primary",
                        compact=True,
                    )
                yield Button(t("common.back"), id="step-none", compact=True)

    def on_mount(self) -> None:
        self.query_one("#mandate-dialog-buttons Button", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step" and parameters and parameters[0] is not None:
            return MandateAction(str(parameters[0])) in self.steps
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        chosen = (event.button.id or "").removeprefix("step-")
        self.action_step(None if chosen == "none" else chosen)

    def action_step(self, step: str | None) -> None:
        self.dismiss(MandateAction(step) if step else None)
