"""The footer of every screen: Textual's footer with each binding's description in the current language.

Binding descriptions are message keys (`nav.users`); this footer shows them translated, compact (less
space around each key) when the terminal is narrower than `COMPACT_BELOW` columns. The keys are
drawn again only when they change, and once for several changes before the next frame (focus moving, a
screen opening): drawing them mounts a widget for each key.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 100


class Footer(TextualFooter):
    """Textual's footer, translating binding descriptions through `app.t`."""

    DEFAULT_CSS = """
    /* Compact, every key has a right margin: the palette's, docked right, would leave the last column
       showing a letter of the keys that run on beneath it. */
    Footer.-compact FooterKey.-command-palette { margin-right: 0; }
    """

    _keys_due = False
    """True while the keys are to be drawn again after the next frame."""
    _keys_shown: Hashable = None
    """What the keys drawn show: the bindings, whether enabled, and the language."""

    def compose(self) -> ComposeResult:
        translate = getattr(self.app, "t", None)
        for widget in super().compose():
            if translate is not None and isinstance(widget, FooterKey) and widget.description:
                widget.description = translate(widget.description)
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if self._keys_due or not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        self._keys_due = True
        self.call_after_refresh(self._draw_keys)

    async def _draw_keys(self) -> None:
        self._keys_due = False
        if not self.is_attached:
            return
        keys = (
            getattr(self.app, "lang", None),
            tuple(
                (binding, enabled, tooltip)
                for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show
            ),
        )
        if keys != self._keys_shown:
            self._keys_shown = keys
            await self.recompose()
