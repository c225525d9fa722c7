"""The footer of every screen: the screen's keys, each described in the current language, as many as fit.

Binding descriptions are message keys (`nav.users`); this footer shows them translated, compact (less
space around each key) when the terminal is narrower than `COMPACT_BELOW` columns. When the keys do not
fit on the line, each is described by its short label (`footer.<description key>`, where the catalogue
has one); when they still do not fit, keys give way (the application's first, then the focused widget's,
then the screen's own, each from the right; any that then fit again come back) and the help key, which
lists every key of the screen, is described as the way to the others (`footer.more`). The palette's key
stays at the right. The keys are drawn again only when they or the width change: Textual asks after
every change of the bindings (several before a frame, as the focus moves or a screen opens), and drawing
them mounts a widget for each key.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey  # no public name; tests/tui/test_textual.py checks it

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

COMPACT_BELOW = 100
Shown = tuple[Binding, bool, str]
"""A key the footer may show: its binding, whether it is enabled, its tooltip."""
HELP_ACTION = "help"
"""The action of the key that opens the help of the screen, with every key it offers."""


class Footer(TextualFooter):
    """Textual's footer, translating binding descriptions and tooltips through `app.describe` and fitting
    them to its width."""

    DEFAULT_CSS = """
    /* Compact, every key has a right margin: the palette's, docked right, would leave the last column
       showing a letter of the keys that run on beneath it. */
    Footer.-compact FooterKey.-command-palette { margin-right: 0; }
    """

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    _keys_shown: Hashable = None
    """What the keys drawn show: the language, the width, whether a text field has the focus, and the
    bindings with whether each is enabled."""

    def compose(self) -> ComposeResult:
        active = self.screen.active_bindings
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            palette = None
        room = self.size.width or self.app.size.width
        if palette is not None:
            room -= self._width(palette[1], self.app.describe(palette[1].description)) + 1
        for (binding, enabled, tooltip), label in self._fitted(room):
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                label,
                binding.action,
                disabled=not enabled,
                tooltip=self._described(tooltip),
            ).data_bind(compact=TextualFooter.compact)
        if palette is not None:
            _, binding, enabled, _ = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                self.app.describe(binding.description),
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=self._described(binding.tooltip),
            )

    def _fitted(self, room: int) -> list[tuple[Shown, str]]:
        """The keys shown (one per action) with their labels, within `room` cells: the full labels, else the
        short ones; keys give way (the fewest, by `_giving_way`) until the rest fit, the help key named as
        the way to them; of those, any that fit again in the room left come back."""
        offered: dict[str, Shown] = {}
        nodes: dict[str, object] = {}
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.description and binding.action not in offered:
                offered[binding.action] = (binding, enabled, tooltip)
                nodes[binding.action] = node
        keys = [(key, self.app.describe(key[0].description)) for key in offered.values()]
        if self._needed(keys) > room:
            keys = [(key, self._short(key[0].description)) for key, _ in keys]
        more = self.app.t("footer.more")

        def kept(indices: list[int]) -> list[tuple[Shown, str]]:
            hiding = len(indices) < len(keys)
            return [
                (keys[i][0], more if hiding and keys[i][0][0].action == HELP_ACTION else keys[i][1])
                for i in sorted(indices)
            ]

        shown = list(range(len(keys)))
        gone: list[int] = []
        while self._needed(kept(shown)) > room:
            giving_way = [i for i in shown if keys[i][0][0].action != HELP_ACTION]
            if not giving_way:
                break
            rank = {i: self._giving_way(nodes[keys[i][0][0].action]) for i in giving_way}
            gone.append(min(reversed(giving_way), key=rank.__getitem__))
            shown.remove(gone[-1])
        for index in reversed(gone):
            if self._needed(kept([*shown, index])) <= room:
                shown.append(index)
        return kept(shown)

    def _giving_way(self, node: object) -> int:
        """How soon a key of `node` gives way: the application's first, the focused widget's, the screen's."""
        return 0 if node is self.app else 2 if node is self.screen else 1

    def _short(self, description: str) -> str:
        """A key's short label, or its usual one where it has none."""
        short = f"footer.{description}"
        return self.app.t(short) if self.app.messages.has(short) else self.app.describe(description)

    def _described(self, tooltip: str) -> str:
        """A key's tooltip in the current language."""
        return self.app.describe(tooltip) if tooltip else tooltip

    def _width(self, binding: Binding, label: str) -> int:
        """The cells a key takes on the line, its margin included."""
        return cell_len(self.app.get_key_display(binding)) + cell_len(label) + (2 if self.compact else 3)

    def _needed(self, keys: list[tuple[Shown, str]]) -> int:
        return sum(self._width(key[0], label) for key, label in keys)

    async def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
        await self.recompose()

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = (
            self.app.lang,
            self.size.width,
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
