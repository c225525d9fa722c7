"""The footer of every screen: Textual's footer with each binding's description in the current language.

Binding descriptions are message keys (`nav.users`); this footer shows them translated, compact (less
space around each key) when the terminal is narrower than `COMPACT_BELOW` columns. The keys are drawn
again only when they change: Textual asks after every change of the bindings (several before a frame, as
the focus moves or a screen opens), and drawing them mounts a widget for each key.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey  # no public name; tests/tui/test_textual.py checks it

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

COMPACT_BELOW = 100


class Footer(TextualFooter):
    """Textual's footer, translating binding descriptions through `app.t`."""

    DEFAULT_CSS = """
    /* Compact, every key has a right margin: the palette's, docked right, would leave the last column
       showing a letter of the keys that run on beneath it. */
    Footer.-compact FooterKey.-command-palette { margin-right: 0; }
    """

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    _keys_shown: Hashable = None
    """What the keys drawn show: the language, whether a text field has the focus, and the bindings with
    whether each is enabled."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = self.app.t(widget.description)
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = (
            self.app.lang,
            self.app.typing_in_field(),  # shows some keys by another (F1 for ?)
            tuple(
                (binding, enabled, tooltip)
                for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show
            ),
        )
        if keys != self._keys_shown:
            self._keys_shown = keys
            await super().recompose()
