"""`FormField`: a labelled input of a form, with its reason shown beneath it when it is wrong.

The field's id is the DTO field name, so `show_service_error` finds it and calls `show_error`; an optional
`check(value) -> reason | None` runs as the user types, for comfort (the service still decides).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static

from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

Check = Callable[[str], str | None]


class FormField(Vertical):
    """A label, an input (any focusable widget) and a line for what is wrong with it."""

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > Horizontal { height: auto; }
    FormField .form-label { width: 30; padding-right: 1; }
    FormField .form-input { width: 1fr; }
    FormField .form-error { color: $error; height: auto; padding-left: 30; display: none; }
    FormField.-invalid .form-error { display: block; }
    FormField.-invalid .form-label { color: $error; }
    """

    def __init__(self, label_key: str, control: Widget, *, id: str, check: Check | None = None) -> None:
        super().__init__(id=id)
        self.label_key = label_key
        self.control = control
        self.check = check
        self._error = ""
        control.add_class("form-input")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Tr(self.label_key, classes="form-label")
            yield self.control
        yield Static("", classes="form-error")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._say_error, init=False)

    def show_error(self, message: str) -> None:
        """Show what is wrong: a reason from the service or from `check`, said in the console's language
        (and again in the next one, when the language changes)."""
        self._error = message
        self._say_error()
        self.add_class("-invalid")

    def _say_error(self, _lang: str | None = None) -> None:
        said = self.app.say(self._error)
        self.query_one(".form-error", Static).update(
            plain_content(said)
        )  # plain: it may repeat what was typed

    def clear_error(self) -> None:
        self.remove_class("-invalid")

    def focus_input(self) -> None:
        self.control.focus()

    @property
    def value(self) -> Any:
        return getattr(self.control, "value", None)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        reason = self.check(event.value) if self.check is not None and event.value.strip() else None
        if reason:
            self.show_error(reason)
        else:
            self.clear_error()
