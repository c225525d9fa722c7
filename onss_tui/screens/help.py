"""Help for the current screen (F1 or ?): what it is for, and every key that works on it."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from onss_tui.screens.base import OnssModal
from onss_tui.widgets.detail_grid import detail_grid


class HelpScreen(OnssModal[None]):
    """The explanation of a screen and its key bindings, in the current language."""

    BINDINGS: ClassVar = [Binding("escape,f1,question_mark,q", "close", "common.close", id="help.close")]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def help_key(self) -> str:
        key = getattr(self.target, "HELP_KEY", None)
        if key:
            return key
        mode = self.app.current_mode
        return f"help.{mode}" if self.app.messages.has(f"help.{mode}") else "help.general"

    def keys(self) -> Table:
        t = self.app.t
        lines: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _node, binding, _enabled, _tooltip in self.target.active_bindings.values():
            if not self.app.messages.has(binding.description) or binding.action in seen:
                continue
            seen.add(binding.action)
            keys = [
                b.key for _n, b, _e, _t in self.target.active_bindings.values() if b.action == binding.action
            ]
            shown = ", ".join(self.app.get_key_display(Binding(k, binding.action)) for k in keys)
            lines.append((binding.key_display or shown, t(binding.description)))
        return detail_grid(lines, wrap=True, gap=2)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(id="help-dialog"):
            yield Static(t("help.title"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(t(self.help_key()), id="help-text")
                yield Static(t("help.keys"), classes="help-heading")
                yield Static(self.keys(), id="help-keys")
                yield Static(t("help.everywhere"), id="help-everywhere")
            yield Static(t("help.close_hint"), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
