"""Showing a refused or failed service call: field errors beside their inputs, anything else as a notice.

What the service says is shown in the console's language (`ConsoleApp.say`), as plain text: it may repeat
what was typed, and a bracket there is not markup.

Nothing typed is cleared: the form stays exactly as it was. Inputs are found by id, which equals the
DTO field name; a widget with a `show_error(message)` method (an `IdentifierInput`) shows the reason
beside itself, a plain input is marked invalid and carries the reason as its tooltip.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.css.query import NoMatches
from textual.widget import Widget

from onss_tui.console import ConsoleApp
from onss_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    Unavailable,
    ValidationFailed,
)
from onss_tui.widgets.footer import COMPACT_BELOW

OUTCOME_SAID = frozenset({"rule.store.outcome_unknown", "rule.api.lost_write", "rule.api.unreadable_write"})
"""The reasons that say themselves that a change may or may not have been made."""


def _console(widget: Widget) -> ConsoleApp:
    """The console the widget is part of."""
    app = widget.app
    assert isinstance(app, ConsoleApp)
    return app


def _t(widget: Widget, key: str, **kwargs: object) -> str:
    return _console(widget).t(key, **kwargs)


def _say(widget: Widget, message: str) -> str:
    return _console(widget).say(message)


def show_field_errors(form: Widget, field_errors: dict[str, str]) -> dict[str, str]:
    """Put each message beside its input; return the errors that have no input in `form`."""
    unplaced: dict[str, str] = {}
    first: Widget | None = None
    for field, message in field_errors.items():
        try:
            target = form.query_one(f"#{field}")
        except NoMatches:
            unplaced[field] = _say(form, message)
            continue
        show = getattr(target, "show_error", None)
        if callable(show):
            show(message)
        else:
            target.add_class("-invalid")
            target.tooltip = Content(_say(form, message))
        first = first or target
    if first is not None:
        focus = getattr(first, "focus_input", first.focus)
        focus()
    return unplaced


def ask_to_fix_fields(widget: Widget) -> None:
    """Say that fields marked beneath them need correcting: in a narrow terminal in a line short enough
    for the notice to stay on the top line, clear of the fields."""
    app = _console(widget)
    narrow = app.size.width < COMPACT_BELOW
    app.notify(_t(widget, "error.fix_fields_short" if narrow else "error.fix_fields"), severity="warning")


def show_service_error(
    widget: Widget,
    error: ServiceError,
    form: Widget | None = None,
    *,
    reload: Callable[[], object] | None = None,
) -> None:
    """Tell the user why a call failed; `reload` (default: the screen's `action_reload`) after a conflict."""
    app = widget.app
    if isinstance(error, ValidationFailed):
        unplaced = (
            show_field_errors(form, error.field_errors)
            if form is not None
            else {field: _say(widget, reason) for field, reason in error.field_errors.items()}
        )
        if unplaced:
            app.notify(
                "\n".join(unplaced.values()),
                title=_t(widget, "error.invalid"),
                severity="error",
                timeout=8,
                markup=False,
            )
        else:
            ask_to_fix_fields(widget)
        return
    if isinstance(error, Conflict):
        reload = reload or getattr(widget.screen, "action_reload", None)
        if reload is None:
            app.notify(
                _say(widget, error.message),
                title=_t(widget, "error.conflict"),
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        from onss_tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                reload()

        app.push_screen(
            ConfirmScreen(
                _t(widget, "error.conflict"),
                f"{_say(widget, error.message)}\n\n{_t(widget, 'error.conflict_reload')}",
                confirm=_t(widget, "common.reload"),
            ),
            answered,
        )
        return
    if isinstance(error, Unavailable):
        said = _say(widget, error.message)
        if error.outcome_unknown and getattr(error.message, "key", None) not in OUTCOME_SAID:
            said += "\n" + _t(widget, "error.outcome_unknown")
        app.notify(
            said,
            title=_t(widget, "error.unavailable_title"),
            severity="error",
            timeout=12,
            markup=False,
        )
        return
    title = {PermissionDenied: "error.refused", NotFound: "error.not_found"}.get(type(error), "error.failed")
    app.notify(
        _say(widget, error.message), title=_t(widget, title), severity="error", timeout=8, markup=False
    )
