"""The footer of every screen: Textual's footer with each binding's description in the current language.

Binding descriptions are message keys (`nav.users`); this footer shows them translated.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """Textual's footer, translating binding descriptions through `app.t`."""

    def compose(self) -> ComposeResult:
        translate = getattr(self.app, "t", None)
        for widget in super().compose():
            if translate is not None and isinstance(widget, FooterKey) and widget.description:
                widget.description = translate(widget.description)
            yield widget
