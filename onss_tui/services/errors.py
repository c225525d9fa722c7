"""Typed errors that cross the service boundary; the HTTP layer maps them to status codes and back.

What a rule says comes as a `Reason`: its English text, with the message key and values that let the
console say it in French, Dutch or German (`onss_tui/locales/rule.toml`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from onss_tui.domain import text
from onss_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, Messages

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

    from onss_tui.domain.quarters import Quarter, QuarterError

Said = str | Mapping[str, str]
"""A value in a reason: the same in every language (a name, a number), or one text per language."""

_MESSAGES = Messages()


class Reason(str):
    """A message of the service: English text that also knows its message key and values.

    It reads as its English text wherever a message is written out (the command line, the API's
    `detail`, the audit trail); the console shows `key` in its own language (`OnssApp.say`).
    """

    key: str
    params: dict[str, Said]

    def __new__(cls, key: str, english: str | None = None, /, **params: Said) -> Reason:
        """`english` is for a reason read back from the API: the server's own wording."""
        if english is None:
            english = _MESSAGES.t(DEFAULT_LANGUAGE, key, **_in(params, DEFAULT_LANGUAGE))
        reason = super().__new__(cls, english)
        reason.key, reason.params = key, dict(params)
        return reason

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """A copy or an unpickled reason is made again from its key and its English, as it was."""
        return (self.key, str(self))

    def values_in(self, lang: str) -> dict[str, str]:
        """The values to format the message with in `lang`."""
        return _in(self.params, lang)


def _in(params: Mapping[str, Said], lang: str) -> dict[str, str]:
    return {
        name: value if isinstance(value, str) else value.get(lang) or value.get(DEFAULT_LANGUAGE, "")
        for name, value in params.items()
    }


def quarter_reason(error: QuarterError) -> Reason:
    """What is wrong with a quarter as written."""
    return Reason(f"rule.quarter.{error.code}", text=error.text)


def quarter_in_every_language(quarter: Quarter) -> dict[str, str]:
    """A quarter as a value of a reason: as a reader of each language writes it."""
    return {lang: quarter.written(lang) for lang in LANGUAGES}


def in_every_language(key: str, **params: str) -> dict[str, str]:
    """A message of the locale files as a value of a reason: its text in each language."""
    return {lang: _MESSAGES.t(lang, key, **params) for lang in LANGUAGES}


def said_in_every_language(message: str) -> Said:
    """A message as a value of another reason: a `Reason` in each language, other text as it is."""
    if not isinstance(message, Reason):
        return message
    return {lang: _MESSAGES.t(lang, message.key, **message.values_in(lang)) for lang in LANGUAGES}


class ServiceError(Exception):
    """Base of every error a screen may receive from the service layer."""

    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """The input is wrong; `field_errors` maps each field name to what is wrong with it."""

    status_code = 422

    def __init__(self, field_errors: dict[str, str], message: str | None = None) -> None:
        self.field_errors = dict(field_errors)
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.field_errors.items()))


class PermissionDenied(ServiceError):
    """The actor holds no role that allows this action on this object."""

    status_code = 403


class NotFound(ServiceError):
    """The object does not exist (or the actor may not know that it exists)."""

    status_code = 404


class Conflict(ServiceError):
    """Someone else changed the object since it was read; nothing was overwritten."""

    status_code = 409


class Unavailable(ServiceError):
    """The backend could not be reached or did not answer in time. `outcome_unknown`: a write that may
    or may not have happened (never a read); `retry_after`: seconds worth waiting before trying again."""

    status_code = 503

    def __init__(
        self, message: str, *, outcome_unknown: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after


ERRORS_BY_STATUS: dict[int, type[ServiceError]] = {
    cls.status_code: cls for cls in (PermissionDenied, NotFound, Conflict, Unavailable)
}


_NOTHING_CHOSEN = {
    "groups": "rule.mandate.choose_groups",
    "user_ids": "rule.users.choose_users",
    "service_codes": "rule.users.choose_services",
    "mandatary_id": "rule.mandate.choose_mandatary",
}
"""A list left empty, or an id left at 0, where something must be chosen: said as the rule that needs it."""


def invalid_input(error: ValidationError | Iterable[ErrorDetails]) -> ValidationFailed:
    """A request that does not fit its model (too long, too many, a refused character, a wrong type), as
    `ValidationFailed` with a reason for each field (`groups`, `user_ids.3`)."""
    details = error.errors() if hasattr(error, "errors") else list(error)
    fields: dict[str, str] = {}
    for detail in details:
        location = [str(part) for part in detail.get("loc", ())]
        if len(location) > 1 and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        name = ".".join(location) or "request"
        reason = input_reason(detail)
        fields[name] = (
            Reason(reason.key, f"{fields[name]}; {reason}", **reason.params) if name in fields else reason
        )
    return ValidationFailed(fields)


def input_reason(detail: ErrorDetails | Mapping[str, Any]) -> Reason:
    """What is wrong with one value, as a message key of `rule.toml`."""
    kind, context = detail.get("type", ""), dict(detail.get("ctx") or {})
    value = detail.get("input")
    field = next((str(part) for part in reversed(detail.get("loc", ())) if isinstance(part, str)), "")
    if kind.startswith("text_"):
        return _text_reason(kind.removeprefix("text_"), context.get("code", ""), context.get("position", ""))
    if kind == "string_unicode":
        return Reason("rule.text.unpaired")
    if kind == "string_too_long":
        return Reason("rule.input.too_long", max=str(context.get("max_length", "")))
    if kind == "string_too_short":
        return Reason("rule.input.empty")
    if kind == "too_long":
        return Reason("rule.input.too_many", max=str(context.get("max_length", "")))
    if kind == "too_short":
        return Reason(
            _NOTHING_CHOSEN.get(field, "rule.input.too_few"), min=str(context.get("min_length", ""))
        )
    if kind == "string_pattern_mismatch":
        return _shape_reason(str(context.get("pattern", "")), value)
    if kind in ("less_than_equal", "less_than"):
        return Reason("rule.input.too_large", max=str(context.get("le", context.get("lt", ""))))
    if kind in ("greater_than_equal", "greater_than"):
        if field in _NOTHING_CHOSEN and value == 0:
            return Reason(_NOTHING_CHOSEN[field])
        return Reason("rule.input.too_small", min=str(context.get("ge", context.get("gt", ""))))
    if kind == "missing":
        return Reason("rule.input.missing")
    if kind == "extra_forbidden":
        return Reason("rule.input.unknown_field")
    if kind in ("enum", "literal_error"):
        return Reason("rule.input.choice", choices=str(context.get("expected", "")))
    return Reason("rule.input.invalid", str(detail.get("msg", "")) or None)


def _text_reason(kind: str, code: object, position: object) -> Reason:
    return Reason(f"rule.text.{kind}", code=str(code), position=str(position))


def _shape_reason(pattern: str, value: Any) -> Reason:
    if pattern == text.TEXT_PATTERN and isinstance(value, str) and (refused := text.problem(value)):
        return _text_reason(refused.kind, refused.code, refused.position)
    if pattern == text.QUARTER_PATTERN:
        if isinstance(value, str) and not value.strip():
            return Reason("rule.quarter.empty")
        return Reason("rule.quarter.format", text=value if isinstance(value, str) else "")
    if pattern == text.CODE_PATTERN:
        return Reason("rule.input.code")
    if pattern == text.CURSOR_PATTERN:
        return Reason("rule.cursor.invalid")
    return Reason("rule.input.form")
