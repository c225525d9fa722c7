"""Typed errors that cross the service boundary; the HTTP layer maps them to status codes and back.

What a rule says comes as a `Reason`: its English text, with the message key and values that let the
console say it in French or Dutch (`onss_tui/locales/rule.toml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from onss_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, Messages

if TYPE_CHECKING:
    from onss_tui.domain.quarters import QuarterError

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


def in_every_language(key: str, **params: str) -> dict[str, str]:
    """A message of the locale files as a value of a reason: its text in each language."""
    return {lang: _MESSAGES.t(lang, key, **params) for lang in LANGUAGES}


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
    """The backend could not be reached; for a write, its outcome is unknown."""

    status_code = 503

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


ERRORS_BY_STATUS: dict[int, type[ServiceError]] = {
    cls.status_code: cls for cls in (PermissionDenied, NotFound, Conflict, Unavailable)
}
