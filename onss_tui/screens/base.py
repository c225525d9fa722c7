"""The bases of the console's screens and dialogs: the app typed once as `ConsoleApp`, and failed workers
handed to it (a worker's messages go only to the screen that runs it; the app reports every failure)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events, on
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

R = TypeVar("R")
"""What the screen gives back when it is dismissed."""

STALE = "stale-notice"
"""The id of the line saying that what a screen shows is old: the service cannot be reached."""

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
    """A screen of the console. One that shows data from the service says when it has loaded it
    (`loaded`) and how to load it again (`reload_data`): shown again after another screen, when the
    console made or learnt of a change meanwhile (`ConsoleApp.changes`), it loads it again. Its own
    dialogs do not count as another screen: what is done in them, the screen shows as it is done.

    While the service cannot be reached (`ConsoleApp.unreachable`), a screen that shows data says, in a
    line at its top, the time it was loaded; the line goes when the data is loaded again."""

    DEFAULT_CSS = """
    OnssScreen > #stale-notice { height: auto; padding: 0 1; background: $warning-muted; color: $text; }
    """

    IS_FORM: ClassVar[bool] = False
    """The whole screen is a form (a dialog asking for a few fields)."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def unsaved_input(self) -> bool:
        """Whether a form on this screen holds input not yet saved: leaving the console asks first."""
        return False

    loaded_at: int | None = None
    """The console's count of changes when the data shown was loaded (None: nothing loaded yet)."""
    left_at: int | None = None
    """The console's count of changes when another screen was shown instead of this one."""

    loaded_time: datetime | None = None
    """When the data shown was loaded (None: nothing loaded yet)."""

    def loaded(self) -> None:
        """The data shown was just loaded: it is as new as every change the console knows of."""
        self.loaded_at = self.app.changes
        self.loaded_time = datetime.now()
        self.say_if_stale()

    @on(events.Mount)
    def follow_reachability(self) -> None:
        if not isinstance(self, ModalScreen):
            self.watch(self.app, "unreachable", self.say_if_stale, init=False)
            self.watch(self.app, "lang", self.say_if_stale, init=False)

    def say_if_stale(self, _value: object = None) -> None:
        """While the service cannot be reached, show the line saying when the data shown was loaded; once
        the data has been loaded again, take it away."""
        notices = self.query(f"#{STALE}")
        if self.loaded_time is None or not (self.app.unreachable or notices):
            return
        if self.loaded_at == self.app.changes and not self.app.unreachable:
            notices.remove()
            return
        text = self.app.t("common.stale", time=self.loaded_time.strftime("%H:%M"))
        if notices:
            notices.first(Static).update(text)
        else:
            self.mount(Static(text, id=STALE, markup=False), before=0)

    def reload_data(self) -> None:
        """Load the data shown again (screens that show data say how)."""

    def catch_up(self) -> None:
        """Load the data shown again if it is older than a change the console knows of."""
        if self.loaded_at is not None and self.loaded_at < self.app.changes:
            self.loaded_at = self.app.changes  # once, whatever the answer
            self.reload_data()

    def on_screen_suspend(self) -> None:
        if not isinstance(self.app.screen, ModalScreen):
            self.left_at = self.app.changes

    def on_screen_resume(self) -> None:
        left, self.left_at = self.left_at, None
        if left is not None and left < self.app.changes:
            self.catch_up()

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
