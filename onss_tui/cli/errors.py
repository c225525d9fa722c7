"""How a command fails: `CommandError`, the exit codes, and one line for every expected failure.

Light on purpose: the console reaches it before its first frame, and over the HTTP API it never loads
the store layer, not even to describe a failure.
"""

from __future__ import annotations

import sys

EXIT_FAILURE = 1
EXIT_USAGE = 2
"""A bad argument or setting, which the user must fix."""
EXIT_BROKEN_TRAIL = 3
"""`audit verify` found an edited, inserted or removed entry."""
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A failure to report in one line."""


def describe_failure(exc: BaseException) -> str | None:
    """One line for an expected failure; None for a bug (which keeps its traceback)."""
    from pydantic import ValidationError

    from onss_tui.domain.identifiers import IdentifierError
    from onss_tui.services.errors import ServiceError, ValidationFailed

    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{field}: {message}" for field, message in exc.field_errors.items())
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, CommandError | IdentifierError):
        return str(exc)
    if "onss_tui.services.local.store" in sys.modules:  # only a store that was opened fails as one
        message = _store_failure(exc)
        if message is not None:
            return message
    if isinstance(exc, ValidationError):
        return "invalid setting: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
    if isinstance(exc, OSError):
        return str(exc)
    if isinstance(exc, ValueError) and "config file" in str(exc):
        return str(exc)
    return None


def _store_failure(exc: BaseException) -> str | None:
    """One line for a store that cannot be opened or read, or None."""
    from sqlalchemy.exc import OperationalError

    from onss_tui.services.local.store import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OperationalError):
        reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        return "the database is unavailable: " + (reason[0] if reason else type(exc).__name__)
    return None
