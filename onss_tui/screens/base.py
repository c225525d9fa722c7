"""The bases of the console's screens and dialogs: the app typed once as `ConsoleApp`, and failed workers
handed to it (a worker's messages go only to the screen that runs it; the app reports every failure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

R = TypeVar("R")
"""What the screen gives back when it is dismissed."""


class OnssScreen(Screen[R]):
    """A screen of the console."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

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
