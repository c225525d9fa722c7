"""`Input`: Textual's text field, with its own editing keys applied in the order they were typed.

Textual inserts a printed character as soon as its key reaches the field, but runs a key bound on the field
(Backspace, the arrows, Home, ctrl+k ...) only once that key has bubbled up to the app. Keys that arrive
together (typed fast, or in one packet over SSH) were applied out of order: "abc", Backspace, "d" gave
"abc" (Textual issue 6605). Here the field runs its own bindings as their key arrives, as the app would
have run them.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input as TextualInput


class Input(TextualInput):
    async def on_key(self, event: events.Key) -> None:
        """Runs before Textual's own key handler (handlers run from the subclass up); a key this field
        binds is handled here and goes no further."""
        if event.is_printable:
            return
        bound = self.screen.active_bindings.get(event.key)
        if bound is None or bound.node is not self or bound.binding.priority:
            return
        if await self.app.run_action(bound.binding.action, self):
            event.stop()
            event.prevent_default()
