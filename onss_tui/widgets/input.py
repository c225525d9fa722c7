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
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)
