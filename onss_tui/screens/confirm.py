"""A reusable confirmation: a question, a confirm and a cancel button; dismisses with True or False.

Also what a form does when it is left: `typed` notes what its fields hold, and `leave_form` closes a
`FormDialog` at once when nothing was typed since, else asks before discarding it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, OptionList, SelectionList, Static

from onss_tui.screens.base import OnssModal, OnssScreen, R
from onss_tui.widgets.plain import plain_content


def typed(form: OnssScreen[Any] | Widget) -> tuple[object, ...]:
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


def leave_form(form: FormDialog[Any]) -> None:
    """Close `form` (dismissing None); when its fields changed since it was shown, ask first."""
    if not form.unsaved_input():
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


class FormDialog(OnssModal[R]):
    """A dialog holding a form. What its fields hold once shown is noted (`note_opened`, called by the
    dialog once it filled them in); Escape (`action_cancel`) leaves it, asking first when that changed,
    and so does quitting the console."""

    IS_FORM = True
    _opened: tuple[object, ...] | None = None

    def note_opened(self) -> None:
        """What the fields hold now is what they held when the form was shown."""
        self._opened = typed(self)

    def unsaved_input(self) -> bool:
        return self._opened is not None and typed(self) != self._opened

    def action_cancel(self) -> None:
        leave_form(self)


class ConfirmScreen(OnssModal[bool]):
    """Ask before an action that cannot be undone (replacing or ending a designation, ...).

    The answer keys are those of the console's language (y/n, o/n, j/n: `confirm.yes_key`, `confirm.no_key`),
    shown on the buttons; Escape answers no."""

    BINDINGS: ClassVar = [Binding("escape", "answer(False)", "common.cancel", id="confirm.cancel")]

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
        yes, no = t("confirm.yes_key"), t("confirm.no_key")
        with Vertical(id="confirm-dialog"):
            # Plain text: a question names people and enterprises, and says what the service said.
            yield Static(plain_content(self.title_text), id="confirm-title")
            yield Static(plain_content(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    Content(f"{self.confirm_label or t('common.confirm')} ({yes})"),
                    id="confirm-yes",
                    variant="error" if self.danger else "primary",
                )
                yield Button(Content(f"{t('common.cancel')} ({no})"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.danger else "#confirm-yes", Button).focus()

    def on_key(self, event: events.Key) -> None:
        """The answer keys of the console's language, in either case."""
        t = self.app.t
        answer = {t("confirm.yes_key"): True, t("confirm.no_key"): False}.get((event.character or "").lower())
        if answer is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class QuitQuestion(ConfirmScreen):
    """Quit although a form holds input not yet saved? Asked once: the quit key again quits."""
