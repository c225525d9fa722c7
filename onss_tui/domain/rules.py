"""Pure rules of the domain that need no store: the roles that manage access, the mandate lifecycle and who
may take each step."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from onss_tui.domain.enums import MandateAction, MandateStatus, Role

MANAGER_ROLES = frozenset({Role.MAIN_ACCESS_MANAGER, Role.CO_MAIN_ACCESS_MANAGER, Role.ACCESS_MANAGER})
MAIN_ROLES = frozenset({Role.MAIN_ACCESS_MANAGER, Role.CO_MAIN_ACCESS_MANAGER})
"""The Main Access Manager and the co-Main Access Managers: they designate Access Managers and activate
the enterprise's qualities."""

MAHIS_MANAGE, MAHIS_CONSULT = "mahis_manage", "mahis_consult"
"""The online services of Mahis: a user holding "manage mandates" acts for a mandatary on its mandates;
"consult mandates" only reads them."""

MANDATE_MANAGING_ROLES = MAIN_ROLES | {Role.LEGAL_REPRESENTATIVE}
"""Who creates, consults and stops an enterprise's mandates by their designation (a user does by holding
Mahis "manage mandates")."""


def manages_mandates(roles: Collection[Role], services: Collection[str]) -> bool:
    """Whether someone holding `roles` and (as a user) `services` in an enterprise creates, consults and
    stops its mandates: its legal representatives, its Main Access Managers, its users holding Mahis
    "manage mandates"."""
    return bool(MANDATE_MANAGING_ROLES.intersection(roles)) or MAHIS_MANAGE in services


def reads_mandates(roles: Collection[Role], services: Collection[str]) -> bool:
    """Whether they read its mandates: whoever manages them, its Access Managers, and its users holding
    Mahis "consult mandates"."""
    return bool(roles) or MAHIS_MANAGE in services or MAHIS_CONSULT in services


def binds_principal(roles: Collection[Role], *, procuration: bool) -> bool:
    """Whether a mandate sent to its mandatary by someone holding `roles` in the principal binds the
    principal: the legal representative's validation does, or a procuration signed with both eIDs."""
    return procuration or Role.LEGAL_REPRESENTATIVE in roles


class Party(StrEnum):
    """Which side of a mandate may take a step."""

    PRINCIPAL = "principal"
    MANDATARY = "mandatary"
    EITHER = "either"


MANDATE_LIFECYCLE: dict[tuple[MandateStatus, MandateAction], tuple[MandateStatus, Party]] = {
    (MandateStatus.TO_FINALISE, MandateAction.SUBMIT): (MandateStatus.PENDING, Party.PRINCIPAL),
    (MandateStatus.TO_FINALISE, MandateAction.CLOSE): (MandateStatus.CLOSED, Party.PRINCIPAL),
    (MandateStatus.PENDING, MandateAction.ACCEPT): (MandateStatus.ACTIVE, Party.MANDATARY),
    (MandateStatus.PENDING, MandateAction.REJECT): (MandateStatus.REJECTED, Party.MANDATARY),
    (MandateStatus.PENDING, MandateAction.CLOSE): (MandateStatus.CLOSED, Party.PRINCIPAL),
    (MandateStatus.ACTIVE, MandateAction.CLOSE): (MandateStatus.CLOSED, Party.EITHER),
}
"""(status, action) -> (new status, who may take it). Any pair not listed is refused."""

LIVE_MANDATE_STATUSES = (MandateStatus.PENDING, MandateStatus.ACTIVE)
"""Mandates that hold a group for their quarters (drafts and ended ones do not)."""


class StepNotPossible(ValueError):
    """A step a mandate's status does not allow: `possible` are the steps it allows (none: it is final)."""

    def __init__(self, status: MandateStatus, action: MandateAction) -> None:
        self.status, self.action = status, action
        self.possible = [a for (s, a) in MANDATE_LIFECYCLE if s == status]
        named = ", ".join(a.value for a in self.possible) or "nothing: it is final"
        super().__init__(
            f"A mandate that is {status.value} does not allow '{action.value}'; possible now: {named}."
        )


def next_mandate_status(status: MandateStatus, action: MandateAction) -> tuple[MandateStatus, Party]:
    """The status after `action`, or `StepNotPossible`."""
    try:
        return MANDATE_LIFECYCLE[(status, action)]
    except KeyError:
        raise StepNotPossible(status, action) from None
