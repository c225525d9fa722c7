"""What the acting person may do to a record, asked of one call's context: end a designation, manage an
enterprise's users, reveal a person's national register number, act for an enterprise on its mandates,
take a step of a mandate's lifecycle; and which enterprise an attempt on a person concerns."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from onss_tui.domain.rules import (
    MAIN_ROLES,
    MANAGER_ROLES,
    MANDATE_LIFECYCLE,
    Party,
    binds_principal,
    manages_mandates,
    reads_mandates,
)
from onss_tui.services.dto import DesignationStatus, MandateAction, Role, UserStatus
from onss_tui.services.errors import Reason
from onss_tui.services.local.context import Context
from onss_tui.services.local.tables import Designation, PortalUser

REVEALING_ROLES = MANAGER_ROLES | {Role.LEGAL_REPRESENTATIVE}
"""Who reveals the national register numbers of the people of their enterprise: its managers (Main,
co-main, Access Manager) and its legal representatives, who designate the Main Access Manager by number."""


def why_not_end(c: Context, designation: Designation) -> Reason | None:
    """Why the actor may not end a designation, or None when they may."""
    if c.support:
        return Reason("rule.support_read_only")
    roles = c.roles(designation.enterprise_id)
    if designation.role == Role.MAIN_ACCESS_MANAGER:
        if Role.LEGAL_REPRESENTATIVE not in roles:
            return Reason("rule.end.main_legal_only")
    elif designation.role == Role.LEGAL_REPRESENTATIVE:
        return Reason("rule.end.legal_representative")
    elif not roles & MAIN_ROLES:
        return Reason("rule.end.main_only")
    return None


def may_manage_users(c: Context, enterprise_id: int) -> bool:
    return bool(c.roles(enterprise_id) & MANAGER_ROLES)


def enterprises_of(c: Context, person_id: int, *, current: bool) -> set[int]:
    """The enterprises where a person holds an account: a designation or a user (`current`: a designation
    not ended, a user not removed)."""
    designated = select(Designation.enterprise_id).where(Designation.person_id == person_id)
    using = select(PortalUser.enterprise_id).where(PortalUser.person_id == person_id)
    if current:
        designated = designated.where(Designation.status != DesignationStatus.ENDED)
        using = using.where(PortalUser.status != UserStatus.REMOVED)
    return set(c.session.exec(designated).all()) | set(c.session.exec(using).all())


def reveal_grant(c: Context, person_id: int) -> tuple[int, Role] | None:
    """Why the actor may reveal a person's number as one of the people of their enterprise: the first
    enterprise (by id) where the person holds or held an account and the actor a revealing role, with that
    role; None when there is none."""
    for enterprise_id in sorted(enterprises_of(c, person_id, current=False)):
        held = c.roles(enterprise_id) & REVEALING_ROLES
        if held:
            return enterprise_id, min(held, key=list(Role).index)
    return None


def enterprise_concerned(c: Context, person_id: int) -> int | None:
    """The enterprise an attempt on a person concerns, whose trail records it: the first (by id) that the
    actor and the person are both part of; else the first the person is part of now; else none."""
    theirs = enterprises_of(c, person_id, current=False)
    shared = theirs & set(c.enterprise_ids()) if c.actor is not None else set()
    if shared:
        return min(shared)
    now = enterprises_of(c, person_id, current=True)
    return min(now) if now else None


def acts_for_mandates(c: Context, enterprise_id: int, *, manage: bool) -> bool:
    """Whether the actor acts for this enterprise on its mandates, as principal or mandatary: creates,
    consults and stops them (`manage`), or reads them."""
    if c.actor is None:
        return True
    rule = manages_mandates if manage else reads_mandates
    return rule(c.roles(enterprise_id), c.user_services(enterprise_id))


def why_not_take(
    c: Context,
    party: Party,
    action: MandateAction,
    mandate: Any,
    mandatary_enterprise_id: int,
) -> Reason | None:
    """Why the actor may not take a step that `party` takes on a mandate (`mandate`: a mandate or a row of
    the mandate table), or None when they may. Sending it to the mandatary binds the principal: only its
    legal representative, or a procuration signed with both eIDs, does that."""
    if c.support:
        return Reason("rule.support_read_only")
    principal_id = mandate.principal_id
    for_principal = acts_for_mandates(c, principal_id, manage=True)
    if party == Party.PRINCIPAL or (party == Party.EITHER and for_principal):
        if not for_principal:
            return Reason("rule.mandate.step_principal")
        procuration = bool(mandate.procuration_reference)
        if action == MandateAction.SUBMIT and not binds_principal(
            c.roles(principal_id), procuration=procuration
        ):
            return Reason("rule.mandate.binding")
        return None
    if acts_for_mandates(c, mandatary_enterprise_id, manage=True):
        return None
    return Reason("rule.step.mandatary" if party == Party.MANDATARY else "rule.mandate.step_either")


def steps(c: Context, mandate: Any, mandatary_enterprise_id: int) -> list[MandateAction]:
    """The steps the lifecycle allows from the mandate's status that the actor may take (`mandate`: a
    mandate or a row of the mandate table)."""
    return [
        action
        for (status, action), (_, party) in MANDATE_LIFECYCLE.items()
        if status == mandate.status
        and why_not_take(c, party, action, mandate, mandatary_enterprise_id) is None
    ]
