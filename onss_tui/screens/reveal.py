"""Revealing a national register number: one's own at once; anyone else's once a reason is given, in a
dialog that says the reason is kept in the audit trail and that the person sees who saw their number.

The service decides who may: a refusal is told as every refusal is (in the console's language) and the
dialog closes; a reason the service finds wrong shows beside its field, the dialog staying as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from onss_tui.console import ConsoleApp
from onss_tui.screens.confirm import FormDialog
from onss_tui.screens.errors import show_service_error
from onss_tui.services.dto import STATED_REASON_MAX
from onss_tui.services.errors import ServiceError, ValidationFailed
from onss_tui.widgets.form_field import FormField
from onss_tui.widgets.input import Input
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from textual.widget import Widget

Shown = Callable[[str], None]
"""What to do with the number revealed (show it where it was asked for)."""


def reveal(asker: Widget, person_id: int, name: str, niss_masked: str, shown: Shown) -> None:
    """Reveal the national register number of `person_id` (called `name`, shown as `niss_masked`) for the
    screen or widget `asker`: one's own at once, anyone else's once a reason is given."""
    app = asker.app
    assert isinstance(app, ConsoleApp)
    if person_id == app.actor_id:
        app.reveal_niss(person_id, shown)
        return

    def answered(niss: str | None) -> None:
        if niss is not None:
            shown(niss)

    app.push_screen(RevealScreen(person_id, name, niss_masked), answered)


class RevealScreen(FormDialog["str | None"]):
    """Ask why someone else's national register number is needed, then reveal it; dismisses with the
    number formatted, or None."""

    DEFAULT_CSS = """
    #reveal-dialog { width: 76; }
    #reveal-title { text-style: bold; }
    #reveal-whose { margin-bottom: 1; }
    #reveal-explain { color: $text-muted; margin-bottom: 1; }
    #reveal-dialog FormField .form-label { width: 12; }
    #reveal-dialog FormField .form-error { padding-left: 12; }
    #reveal-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #reveal-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar = [Binding("escape", "cancel", "common.cancel", id="reveal.cancel")]

    def __init__(self, person_id: int, name: str, niss_masked: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.person_name = name
        self.niss_masked = niss_masked

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(id="reveal-dialog", classes="dialog"):
            yield Tr("reveal.title", id="reveal-title")
            yield Static(Content(f"{self.person_name} · {self.niss_masked}"), id="reveal-whose")
            yield Tr("reveal.explain", id="reveal-explain", name=self.person_name)
            reason = Input(id="reason-input", compact=True, max_length=STATED_REASON_MAX)
            yield FormField("reveal.reason", reason, id="reason")
            with Horizontal(id="reveal-buttons"):
                yield Button(t("reveal.submit"), id="reveal-submit", variant="primary", compact=True)
                yield Button(t("common.cancel"), id="reveal-cancel", compact=True)

    def on_mount(self) -> None:
        field = self.query_one("#reason-input", Input)
        field.placeholder = self.app.t("reveal.placeholder")
        field.focus()
        self.note_opened()

    @on(Button.Pressed, "#reveal-cancel")
    def action_cancel(self) -> None:
        super().action_cancel()

    @on(Input.Submitted, "#reason-input")
    @on(Button.Pressed, "#reveal-submit")
    def _submit(self) -> None:
        self.query_one(FormField).clear_error()
        self._reveal(self.query_one("#reason-input", Input).value)

    @work(exclusive=True, group="reveal", exit_on_error=False)
    async def _reveal(self, reason: str) -> None:
        actor = self.app.actor_id
        assert actor is not None
        try:
            niss = await self.app.service.reveal_niss(actor, self.person_id, reason)
        except ValidationFailed as error:  # beside the field; the dialog stays as typed
            show_service_error(self, error, self.query_one("#reveal-dialog"))
            return
        except ServiceError as error:  # a refusal, a failure: told as every one is, then closed
            show_service_error(self, error)
            self.dismiss(None)
            return
        self.dismiss(niss)
