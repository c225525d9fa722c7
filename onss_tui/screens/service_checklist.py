"""A checklist of online services to grant or withdraw: `submit` is called with the codes checked, and the
dialog closes with its answer; a refusal is shown with the dialog and the ticks kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, SelectionList, Static

from onss_tui.screens.confirm import FormDialog
from onss_tui.widgets.plain import plain_content


class ServiceChecklistScreen(FormDialog[Any]):
    """Check the online services (space), then confirm with Enter on the button or ctrl+s."""

    DEFAULT_CSS = """
    #checklist-dialog { width: 64; }
    #checklist-title { text-style: bold; }
    #checklist-who { color: $text-muted; margin-bottom: 1; }
    #checklist { height: auto; max-height: 14; background: $boost; }
    #checklist-note { color: $text-muted; height: auto; }
    #checklist-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #checklist-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "common.cancel", id="checklist.cancel"),
        Binding("ctrl+s", "confirm", "common.confirm", id="checklist.confirm"),
    ]

    def __init__(
        self,
        title: str,
        who: str,
        services: list[tuple[str, str]],
        confirm: str,
        submit: Callable[[list[str]], Awaitable[Any]],
    ) -> None:
        """`services` are (name, code) pairs in the order to show."""
        super().__init__()
        self.title_text = title
        self.who = who
        self.services = services
        self.confirm_label = confirm
        self.submit = submit

    def compose(self) -> ComposeResult:
        with Vertical(id="checklist-dialog", classes="dialog"):
            yield Static(plain_content(self.title_text), id="checklist-title")
            yield Static(plain_content(self.who), id="checklist-who")
            if self.services:
                choices = [(plain_content(name), code) for name, code in self.services]
                yield SelectionList[str](*choices, id="checklist", compact=True)
            else:
                yield Static(self.app.t("users.checklist.nothing"), id="checklist-note")
            with Horizontal(id="checklist-buttons"):
                yield Button(
                    self.confirm_label,
                    id="checklist-yes",
                    variant="primary",
                    compact=True,
                    disabled=not self.services,
                )
                yield Button(self.app.t("common.cancel"), id="checklist-no", compact=True)

    def on_mount(self) -> None:
        target = "#checklist" if self.services else "#checklist-no"
        self.query_one(target).focus()
        self.note_opened()

    @on(Button.Pressed, "#checklist-yes")
    def action_confirm(self) -> None:
        if not self.services:
            return
        chosen = list(self.query_one("#checklist", SelectionList).selected)
        if not chosen:
            self.app.notify(self.app.t("users.checklist.none_checked"), severity="warning")
            return
        self._submit(chosen)

    @work(exclusive=True, group="checklist", exit_on_error=False)
    async def _submit(self, chosen: list[str]) -> None:
        dialog = self.query_one("#checklist-dialog")
        dialog.loading = True
        try:
            answer = await self.submit(chosen)
        finally:
            dialog.loading = False
        self.dismiss(answer)

    @on(Button.Pressed, "#checklist-no")
    def action_cancel(self) -> None:
        if not any(worker.is_running for worker in self.workers):  # once sent, wait for the answer
            super().action_cancel()
