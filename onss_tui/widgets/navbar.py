"""The top line of every screen: the five screens with their keys (the current one marked; none before
someone is signed in, when a digit is typed into the search), and who is
working on which enterprise. Clicking a screen's name opens it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from onss_tui.widgets.plain import plain_content

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

NAV_KEYS = {"overview": "1", "designation": "2", "users": "3", "mandates": "4", "audit": "5"}


class NavBar(Horizontal):
    """Screen tabs on the left, enterprise and actor on the right."""

    DEFAULT_CSS = """
    NavBar {
        height: 1;
        background: $panel;
        dock: top;
    }
    NavBar > #nav-tabs {
        width: auto;
        text-wrap: nowrap;
    }
    NavBar > #nav-context {
        width: 1fr;
        text-align: right;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $text-muted;
        padding-right: 1;
    }
    """

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        yield Static(id="nav-tabs")
        yield Static(id="nav-context")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self.refresh_labels)
        self.watch(self.app, "sub_title", self.refresh_labels, init=False)

    def refresh_labels(self, _value: object = None) -> None:
        app = self.app
        signed_in = app.actor_id is not None
        parts: list[Content] = []
        for name, key in NAV_KEYS.items() if signed_in else ():  # before, the digits are the search's
            label = f" {key} {app.t(f'nav.{name}')} "
            if name == self.current:
                parts.append(Content.styled(label, "reverse bold"))
            else:
                parts.append(Content.from_markup(f"[@click=app.open_screen('{name}')]$label[/]", label=label))
        self.query_one("#nav-tabs", Static).update(Content("").join(parts))
        self.query_one("#nav-context", Static).update(plain_content(app.sub_title))
