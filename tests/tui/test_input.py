"""The text field applies keys that arrive together (typed fast, or in one packet over SSH) in order."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from onss_tui.widgets.input import Input
from tests.tui.conftest import settle


class OneField(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="field")


async def test_editing_keys_that_arrive_together_apply_in_the_order_typed() -> None:
    app = OneField()
    async with app.run_test() as pilot:
        field = app.query_one(Input)
        field.focus()
        await settle(pilot)
        burst = [*"abc", "backspace", "d", "left", "X", "home", "Y", "end", "Z"]
        for key in burst:  # as the terminal driver posts them: none handled before the next is posted
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert field.value == "YabXdZ"
