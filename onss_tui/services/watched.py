"""`watched`: a service that says when what it serves may have changed.

A console keeps one count of the changes it knows of; each screen remembers the count its data was loaded
at and loads again when it is behind. The count moves on every successful write made through the service,
when the service becomes unreachable, and when it answers again (what changed meanwhile, and the outcome
of a write cut short, are unknown). Every method of the protocol is either a read or a write (`READS`,
`WRITES`): a method added to the protocol must be placed in one of them (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Literal, cast

from onss_tui.services.errors import ServiceError, Unavailable

if TYPE_CHECKING:
    from onss_tui.services.protocol import AccessService

READS = frozenset(
    {
        "list_identities",
        "catalogue",
        "list_niss_reveals",
        "list_enterprises",
        "get_overview",
        "list_designations",
        "list_users",
        "list_users_and_rights",
        "get_user",
        "list_providers",
        "list_mandates",
        "mandate_figures",
        "export_mandates",
        "get_mandate",
        "list_audit",
        "verify_audit",
        "list_checkpoints",
        "get_preferences",
        "aclose",
    }
)
"""Calls that change nothing a screen shows."""

WRITES = frozenset(
    {
        "sign_in",  # the actor's pending designations become active
        "reveal_niss",  # the reveal is in the audit trail
        "update_person",
        "activate_quality",
        "deactivate_quality",
        "designate_main_access_manager",
        "designate",
        "end_designation",
        "create_user",
        "update_user",
        "set_user_status",
        "grant_services",
        "withdraw_services",
        "create_mandate",
        "submit_mandate",
        "accept_mandate",
        "reject_mandate",
        "close_mandate",
        "checkpoint_audit",
        "save_preferences",
    }
)
"""Calls that change the store when they succeed."""

Change = Literal["written", "unreachable", "back"]
"""What `watched` tells: a write succeeded, the service became unreachable, or it answers again."""


class _Watched:
    """The service, its async calls told to `changed` (see `watched`)."""

    def __init__(self, service: AccessService, changed: Callable[[Change], None]) -> None:
        self.wrapped = service
        self._changed = changed
        self._unreachable = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.wrapped, name)
        if name not in READS | WRITES or name == "export_mandates":  # a generator of pages: a read
            return attribute
        write = name in WRITES

        @wraps(attribute)
        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await attribute(*args, **kwargs)
            except Unavailable:
                if not self._unreachable:  # what the screens show may be old by the time it answers
                    self._unreachable = True
                    self._changed("unreachable")
                raise
            except ServiceError:  # a refusal: the service answers again
                self._answered(changed=False)
                raise
            self._answered(changed=write)
            return result

        return call

    def _answered(self, *, changed: bool) -> None:
        back, self._unreachable = self._unreachable, False
        if back:
            self._changed("back")
        elif changed:
            self._changed("written")


def watched(service: AccessService, changed: Callable[[Change], None]) -> AccessService:
    """`service`, calling `changed("written")` after each successful write, `changed("unreachable")`
    when it first answers `Unavailable`, and `changed("back")` on the first answer that follows."""
    if isinstance(service, _Watched):
        service = service.wrapped
    return cast("AccessService", _Watched(service, changed))
