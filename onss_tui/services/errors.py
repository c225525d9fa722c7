"""Typed errors that cross the service boundary; the HTTP layer maps them to status codes and back."""

from __future__ import annotations


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
