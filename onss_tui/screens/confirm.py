"""A reusable confirmation: a question, a confirm and a cancel button; dismisses with True or False.

Also what a form does when it is left: `typed` notes what its fields hold, and `leave_form` closes the
form at once when nothing was typed since, else asks before discarding it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, OptionList, SelectionList, Static

from onss_tui.screens.base import OnssModal, OnssScreen
from onss_tui.widgets.plain import plain_content


def typed(form: OnssScreen[Any]) -> tuple[object, ...]:
    """What the fields of a form hold: its text fields, lists of choices (ticked, or the one chosen) and
    check boxes."""
    return (
        tuple(field.value for field in form.query(Input)),
        tuple(tuple(choices.selected) for choices in form.query(SelectionList)),
        tuple(
            options.highlighted_option.id if options.highlighted_option else None
            for options in form.query(OptionList).results(OptionList)
            if not isinstance(options, SelectionList)
        ),
        tuple(box.value for box in form.query(Checkbox)),
    )


def leave_form(form: OnssScreen[Any], opened: tuple[object, ...]) -> None:
    """Close `form` (dismissing None); when its fields changed since they held `opened`, ask first."""
    if typed(form) == opened:
        form.dismiss(None)
        return
    t = form.app.t

    def answered(discard: bool | None) -> None:
        if discard:
            form.dismiss(None)

    form.app.push_screen(
        ConfirmScreen(
            t("form.discard_title"), t("form.discard_question"), confirm=t("form.discard"), danger=True
        ),
        answered,
    )


class ConfirmScreen(OnssModal[bool]):
    """Ask before an action that cannot be undone (replacing or ending a designation, ...)."""

    BINDINGS: ClassVar = [
        Binding("escape,n", "answer(False)", "common.cancel", id="confirm.cancel"),
        Binding("y", "answer(True)", "common.confirm", id="confirm.confirm"),
    ]

    def __init__(
        self, title: str, question: str, *, confirm: str | None = None, danger: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.confirm_label = confirm
        self.danger = danger

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(id="confirm-dialog"):
            # Plain text: a question names people and enterprises, and says what the service said.
            yield Static(plain_content(self.title_text), id="confirm-title")
            yield Static(plain_content(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    self.confirm_label or t("common.confirm"),
                    id="confirm-yes",
                    variant="error" if self.danger else "primary",
                )
                yield Button(t("common.cancel"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.danger else "#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
