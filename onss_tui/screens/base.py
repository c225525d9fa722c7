"""The bases of the console's screens and dialogs: the app typed once as `ConsoleApp`, and failed workers
handed to it (a worker's messages go only to the screen that runs it; the app reports every failure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

R = TypeVar("R")
"""What the screen gives back when it is dismissed."""

FORM = "form"
"""The class of the container of a form's fields: while the focus is in it, printable keys are the form's."""


def in_form(widget: Widget) -> bool:
    """Whether `widget` is part of a form: in a container of the class `FORM`, or a dialog that is one."""
    return any(node.has_class(FORM) for node in widget.ancestors_with_self) or (
        isinstance(widget.screen, OnssScreen) and widget.screen.IS_FORM
    )


def holds_unsaved_input(screen: Screen[object]) -> bool:
    """Whether a form on `screen` holds input not yet saved."""
    return isinstance(screen, OnssScreen) and screen.unsaved_input()


class OnssScreen(Screen[R]):
    """A screen of the console."""

    IS_FORM: ClassVar[bool] = False
    """The whole screen is a form (a dialog asking for a few fields)."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def unsaved_input(self) -> bool:
        """Whether a form on this screen holds input not yet saved: leaving the console asks first."""
        return False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(event)


class OnssModal(OnssScreen[R], ModalScreen[R]):
    """A dialog of the console, over the screen it was opened from: in the middle, and its box (of the
    class `dialog`) as tall as what it holds, within the terminal."""

    DEFAULT_CSS = """
    OnssModal { align: center middle; }
    OnssModal > .dialog {
        max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
